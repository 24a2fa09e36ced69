/**
 * The certificate service with its Fabric port replaced by a scripted double (unit test), on a
 * real read model: an issuance whose commit answer was lost is finished by the retry with the
 * same document, never issued twice.
 */
import { expect } from 'chai';
import { CertificateService } from '../../src/domain/certificate.service';
import type { IdempotencyHandle } from '../../src/http/app';
import { ChaincodeRejectedError, LedgerError } from '../../src/ledger/ledger-errors';
import { openDatabase, type ReadModelDatabase } from '../../src/readmodel/database';
import { projectCertificateEvent } from '../../src/workers/certificate-projection';
import { ProjectionWatcher } from '../../src/workers/projection-watcher';
import { testBackends } from '../support/databases';
import { ScriptedEvmLedger, ScriptedFabricLedger } from '../support/fake-ledgers';
import { TYPE, event, record } from '../support/fixtures';

const officer = { userId: 'officer-civil-affairs', roles: ['officer' as const], org: 'CivilAffairsMSP' };
const input = { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber: '110101195001011239', name: 'Wang Fang' }, fields: { eligibleFrom: '2025-01-01' } };

function handle(resumed: Record<string, unknown> | null): IdempotencyHandle & { saved: Record<string, unknown>[] } {
  const saved: Record<string, unknown>[] = [];
  return {
    resumed,
    saved,
    save: (context) => {
      saved.push(context);
      return Promise.resolve();
    },
  };
}

for (const backend of testBackends().slice(0, 1)) {
  describe(`certificate issuance with Fabric replaced, on ${backend.name}`, function () {
    this.timeout(60_000);
    let database: ReadModelDatabase;
    let drop: () => Promise<void>;

    beforeEach(async () => {
      const created = await backend.create();
      drop = created.drop;
      database = await openDatabase(created.settings);
      await database.migrate();
      await database.db.transaction().execute((trx) => projectCertificateEvent(trx, event('CertificateTypeRegistered', TYPE, 1, 'tx-type')));
    });
    afterEach(async () => {
      await database.close();
      await drop();
    });

    function service(fabric: ScriptedFabricLedger): CertificateService {
      return new CertificateService({
        db: database.db,
        fabric,
        evm: new ScriptedEvmLedger(() => new Error('unused')),
        watcher: new ProjectionWatcher(10),
        subjectRefSecret: 's'.repeat(64),
        organisationNames: new Map([['CivilAffairsMSP', 'Civil Affairs']]),
        readWaitMaxMs: 500,
      });
    }

    it('saves the document before reaching the ledger, and a retry after a lost commit answer finishes with the same certificate', async () => {
      const fabric = new ScriptedFabricLedger((call) =>
        call === 1
          ? new LedgerError('fabric', 504, 'LEDGER.COMMIT_UNKNOWN', 'commit not confirmed', { transactionId: 'a'.repeat(64) })
          : new ChaincodeRejectedError(409, 'CERT.ALREADY_EXISTS', 'certificate exists'),
      );
      const first = handle(null);
      let error: unknown;
      try {
        await service(fabric).issue(officer, input, first);
      } catch (err) {
        error = err;
      }
      expect(error).to.include({ code: 'LEDGER.COMMIT_UNKNOWN' });
      expect(first.saved).to.have.length(1);
      const [id, , subjectRef, documentHash] = fabric.submits[0]?.args ?? [];
      expect(fabric.submits[0]?.actor).to.deep.equal({ mspId: 'CivilAffairsMSP', identity: 'officer-civil-affairs' });
      expect(subjectRef).to.match(/^0x[0-9a-f]{64}$/).and.not.include('110101');

      // The transaction did commit: the projector writes it into the read model.
      await database.db.transaction().execute((trx) =>
        projectCertificateEvent(trx, event('CertificateIssued', record(id ?? '', { subjectRef, documentHash, batchRoot: documentHash, txId: 'a'.repeat(64) }), 4, 'a'.repeat(64))),
      );
      const retried = await service(fabric).issue(officer, input, handle(first.saved[0] ?? null));
      expect(fabric.submits[1]?.args).to.deep.equal(fabric.submits[0]?.args);
      expect(retried).to.deep.include({ certificateId: id, transactionId: 'a'.repeat(64), blockNumber: 4 });
      expect(retried.certificate.proof.targetHash).to.equal(documentHash);
      expect(retried.certificate.proof.record).to.deep.include({ txId: 'a'.repeat(64), blockNumber: 4, certificateId: id });
    });

    it('refuses to adopt a record with the same id but another document', async () => {
      const fabric = new ScriptedFabricLedger(() => new ChaincodeRejectedError(409, 'CERT.ALREADY_EXISTS', 'certificate exists'));
      const first = handle(null);
      await service(fabric).issue(officer, input, first).catch(() => undefined);
      const id = fabric.submits[0]?.args[0] ?? '';
      await database.db.transaction().execute((trx) => projectCertificateEvent(trx, event('CertificateIssued', record(id), 4, 'b'.repeat(64))));
      let error: unknown;
      try {
        await service(fabric).issue(officer, input, handle(first.saved[0] ?? null));
      } catch (err) {
        error = err;
      }
      expect(error).to.include({ code: 'CERT.ALREADY_EXISTS', status: 409 });
    });
  });
}
