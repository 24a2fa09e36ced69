/**
 * What each certificate event writes into the read model (and the outbox), on PGlite and on
 * PostgreSQL when TEST_DATABASE_URL is set.
 */
import { expect } from 'chai';
import { openDatabase, type ReadModelDatabase } from '../../src/readmodel/database';
import { LedgerDataError } from '../../src/domain/ledger-models';
import { CertificateRepository } from '../../src/repositories/certificate.repository';
import { OutboxRepository } from '../../src/repositories/outbox.repository';
import { OUTBOX_ANCHOR_ROOT, OUTBOX_REVOKE_ROOT, projectCertificateEvent } from '../../src/workers/certificate-projection';
import { testBackends } from '../support/databases';
import { TYPE, event, hash, record } from '../support/fixtures';

for (const backend of testBackends()) {
  describe(`certificate projection on ${backend.name}`, function () {
    this.timeout(60_000);
    let database: ReadModelDatabase;
    let drop: () => Promise<void>;

    beforeEach(async () => {
      const created = await backend.create();
      drop = created.drop;
      database = await openDatabase(created.settings);
      await database.migrate();
    });
    afterEach(async () => {
      await database.close();
      await drop();
    });

    const project = (e: Parameters<typeof projectCertificateEvent>[1]) => database.db.transaction().execute((trx) => projectCertificateEvent(trx, e));

    it('projects a registered type into the catalogue', async () => {
      expect(await project(event('CertificateTypeRegistered', TYPE, 1, 'tx1'))).to.equal(true);
      const types = await new CertificateRepository(database.db).listTypes();
      expect(types.map((t) => t.code)).to.deep.equal(['SENIOR_CARE_CARD']);
    });

    it('projects an issued certificate with its history and enqueues the anchoring of its root once', async () => {
      await project(event('CertificateIssued', record('c-1'), 5, 'tx5'));
      const view = await new CertificateRepository(database.db).findById('c-1');
      expect(view).to.deep.include({ id: 'c-1', status: 'ISSUED', issueBlock: 5, issueTransactionId: 'tx5', batchRoot: hash('2'), issuedAt: '2026-01-02T03:04:05.000Z' });
      const entry = await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('2')}`);
      expect(entry?.payload).to.deep.equal({ root: hash('2'), issuerMsp: 'CivilAffairsMSP', certificateIds: ['c-1'] });
      expect(entry?.sourceTransactionId).to.equal('tx5');
      expect(await new OutboxRepository(database.db).enqueue(OUTBOX_ANCHOR_ROOT, `${OUTBOX_ANCHOR_ROOT}:${hash('2')}`, {}, 'tx9')).to.equal(false);
    });

    it('applies a revocation: status, reason, history, and the public revocation of a single certificate', async () => {
      await project(event('CertificateIssued', record('c-1'), 5, 'tx5'));
      const revocation = { reasonCode: 'FRAUD', reasonText: 'forged papers', effectiveAt: '2026-02-01T00:00:00.000Z' };
      await project(event('CertificateRevoked', record('c-1', { status: 'REVOKED', revocation, statusChanges: [{ status: 'REVOKED', ...revocation }] }), 7, 'tx7'));
      const view = await new CertificateRepository(database.db).findById('c-1');
      expect(view).to.deep.include({ status: 'REVOKED', revocationReasonCode: 'FRAUD', revokedAt: '2026-02-01T00:00:00.000Z', lastBlock: 7, issueBlock: 5 });
      const events = await database.db.selectFrom('certificate_events').select(['tx_id', 'event_name']).where('certificate_id', '=', 'c-1').orderBy('block_number').execute();
      expect(events).to.deep.equal([
        { tx_id: 'tx5', event_name: 'CertificateIssued' },
        { tx_id: 'tx7', event_name: 'CertificateRevoked' },
      ]);
      const entry = await new OutboxRepository(database.db).findByKey(`${OUTBOX_REVOKE_ROOT}:${hash('2')}`);
      expect(entry?.payload).to.deep.include({ root: hash('2'), reasonCode: 5, certificateId: 'c-1' });
    });

    it('projects a batch: every certificate, one anchoring of the batch root', async () => {
      const batch = { batchId: 'b-1', batchRoot: hash('7'), issuerMsp: 'CivilAffairsMSP', count: 2, certificateIds: ['c-a', 'c-b'] };
      const certificates = [record('c-a', { batchId: 'b-1', batchRoot: hash('7'), documentHash: hash('3') }), record('c-b', { batchId: 'b-1', batchRoot: hash('7'), documentHash: hash('4') })];
      await project(event('CertificateBatchIssued', { batch, certificates }, 9, 'tx9'));
      expect((await new CertificateRepository(database.db).findById('c-b'))?.batchRoot).to.equal(hash('7'));
      expect((await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('7')}`))?.payload).to.deep.include({ batchId: 'b-1', certificateIds: ['c-a', 'c-b'] });
      expect(await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('3')}`)).to.equal(undefined);
    });

    it('skips events it does not know, and stops (writing nothing) on a payload it cannot read', async () => {
      expect(await project(event('TimeCreditMinted', { anything: 1 }, 3, 'tx3'))).to.equal(false);
      let error: unknown;
      try {
        await project(event('CertificateIssued', { id: 'c-2', subjectRef: 'Wang Fang' }, 4, 'tx4'));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(LedgerDataError);
      expect(await new CertificateRepository(database.db).findById('c-2')).to.equal(undefined);
    });

    it('refuses a status change for a certificate it never saw issued', async () => {
      let error: unknown;
      try {
        await project(event('CertificateSuspended', record('c-unknown', { status: 'SUSPENDED' }), 4, 'tx4'));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(LedgerDataError);
    });
  });
}
