/**
 * The services against the real ledgers: the devnet (Fabric Gateway protocol, the real chaincode
 * in fabric-shim) and the embedded EVM node with the contracts deployed. One certificate goes
 * through every layer; bad input leaves nothing behind; the read model rebuilt from the ledgers
 * equals the one built live. (The authorisation matrix of every route is in certificates.test.ts.)
 */
import { expect } from 'chai';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ChaincodeRejectedError, LedgerError } from '../../src/ledger/ledger-errors';
import { readerActor } from '../../src/main';
import { rebuildReadModel } from '../../src/readmodel/rebuild';
import type { Database } from '../../src/readmodel/schema';
import { loadConfig } from '../../src/config/config';
import { loadCatalogue, seedCatalogue } from '../../src/domain/catalogue';
import { createLogger } from '../../src/logger';
import { EvmProjector } from '../../src/workers/evm-projector';
import { ProjectionWatcher } from '../../src/workers/projection-watcher';
import { testBackends } from '../support/databases';
import { expectSameProjections, projectionSnapshot } from '../support/read-model';
import { api, signIn, startTestServices, type TestServices } from '../support/services';
import { startLedgerStack, type LedgerStack } from '../support/stack';
import { waitFor } from '../support/wait';

interface Issued {
  certificateId: string;
  certificate: Record<string, unknown> & { proof: { targetHash: string; merkleRoot: string; record?: { txId: string; blockNumber: number } } };
  transactionId: string;
  blockNumber: number;
}

const SENIOR_CARD = {
  typeCode: 'SENIOR_CARE_CARD',
  holder: { idNumber: '110101195001011239', name: 'Wang Fang' },
  fields: { eligibleFrom: '2025-01-01', greenLane: true },
};

async function certificateCount(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates`.execute(db);
  return rows[0]?.n ?? 0;
}

describe('services with the real ledgers', function () {
  this.timeout(300_000);
  let stack: LedgerStack;

  before(async () => {
    stack = await startLedgerStack();
  });
  after(async () => {
    await stack.close();
  });

  for (const [index, backend] of testBackends().entries()) {
    describe(`on ${backend.name}`, () => {
      let t: TestServices;
      let officer: string;
      let issued: Issued;

      before(async () => {
        t = await startTestServices(backend, {
          ...stack.env,
        });
        await t.services.catalogueSeeded;
        officer = await signIn(t.url, 'officer-civil-affairs');
        await waitFor('the catalogue in the read model', async () => {
          const types = (await api(t.url, 'GET', '/api/certificate-types', { token: officer })).body as unknown[];
          return types.length > 0 ? types : undefined;
        });
      });
      after(async () => {
        await t.close();
      });

      it('issues a certificate through every layer: Fabric record, read model, TrustAnchor, valid verification', async () => {
        const response = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: { 'idempotency-key': `issue-${backend.name}` }, body: SENIOR_CARD });
        expect(response.status, response.text).to.equal(201);
        issued = response.body as Issued;
        expect(issued.certificateId).to.match(/^c-/);
        expect(issued.transactionId).to.match(/^[0-9a-f]{64}$/);
        expect(issued.certificate.proof.record).to.deep.include({ txId: issued.transactionId, blockNumber: issued.blockNumber });
        expect(JSON.stringify(issued.certificate)).to.include('Wang Fang').and.not.include(SENIOR_CARD.holder.idNumber);

        const record = await api(t.url, 'GET', `/api/certificates/${issued.certificateId}?minBlock=${String(issued.blockNumber)}`, { token: officer });
        expect(record.status).to.equal(200);
        expect(record.body).to.deep.include({
          id: issued.certificateId,
          typeCode: 'SENIOR_CARE_CARD',
          issuerMsp: 'CivilAffairsMSP',
          documentHash: issued.certificate.proof.targetHash,
          status: 'ISSUED',
          issueTransactionId: issued.transactionId,
          issueBlock: issued.blockNumber,
        });
        const ledgerRecord = (record.body as { record: Record<string, unknown> }).record;
        expect(JSON.stringify(ledgerRecord)).to.not.include('Wang Fang').and.not.include(SENIOR_CARD.holder.idNumber);

        const anchored = await waitFor('the anchor', async () => {
          const body = (await api(t.url, 'GET', `/api/certificates/${issued.certificateId}`, { token: officer })).body as { anchor: { root: string; issuer: string } | null };
          return body.anchor ?? undefined;
        });
        expect(anchored.root).to.equal(issued.certificate.proof.merkleRoot);
        expect(anchored.issuer).to.equal('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');

        const verdict = await api(t.url, 'POST', '/api/verify', { body: issued.certificate });
        expect(verdict.status).to.equal(200);
        const result = verdict.body as { valid: boolean; checks: { name: string; ok: boolean; code: string }[] };
        expect(result.checks.map((c) => [c.name, c.code])).to.deep.equal([
          ['integrity', 'OK'],
          ['batchInclusion', 'OK'],
          ['anchored', 'OK'],
          ['notRevoked', 'OK'],
          ['notExpired', 'OK'],
          ['issuerAllowed', 'OK'],
          ['ledgerRecord', 'OK'],
        ]);
        expect(result.valid).to.equal(true);
      });

      it('rejects a copy with one changed field by the integrity check', async () => {
        const subject = issued.certificate.credentialSubject as Record<string, unknown>;
        const tampered = { ...issued.certificate, credentialSubject: { ...subject, greenLane: false } };
        const verdict = (await api(t.url, 'POST', '/api/verify', { body: tampered })).body as { valid: boolean; checks: { name: string; ok: boolean; code: string }[] };
        expect(verdict.valid).to.equal(false);
        expect(verdict.checks[0]).to.deep.include({ name: 'integrity', ok: false, code: 'CHANGED' });
      });

      it('answers a replay with the first answer and refuses the key with another body, writing nothing more', async () => {
        const before = await certificateCount(t.services.database.db);
        const replay = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: { 'idempotency-key': `issue-${backend.name}` }, body: SENIOR_CARD });
        expect(replay.status).to.equal(201);
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        expect(replay.headers.get('location')).to.equal(`/api/certificates/${issued.certificateId}`);
        expect(replay.body).to.deep.equal(issued);
        const other = await api(t.url, 'POST', '/api/certificates', {
          token: officer,
          headers: { 'idempotency-key': `issue-${backend.name}` },
          body: { ...SENIOR_CARD, fields: { ...SENIOR_CARD.fields, greenLane: false } },
        });
        expect(other.status).to.equal(409);
        expect((other.body as { code: string }).code).to.equal('IDEMPOTENCY.KEY_REUSED');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await certificateCount(t.services.database.db)).to.equal(before);
      });

      it('refuses bad issuance input with a clear 4xx and records nothing on the ledger', async () => {
        const height = (await api(t.url, 'GET', '/api/health')).body as { fabric: { height: number } };
        const before = await certificateCount(t.services.database.db);
        const key = (n: number) => ({ 'idempotency-key': `bad-${backend.name}-${String(n)}` });
        const unknownType = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: key(1), body: { ...SENIOR_CARD, typeCode: 'NO_SUCH_TYPE' } });
        expect([unknownType.status, (unknownType.body as { code: string }).code]).to.deep.equal([400, 'CERT.UNKNOWN_TYPE']);
        const badFields = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: key(2), body: { ...SENIOR_CARD, fields: { eligibleFrom: 'soon', extra: 1 } } });
        expect(badFields.status).to.equal(400);
        expect((badFields.body as { errors: { path: string }[] }).errors.map((e) => e.path)).to.include.members(['body.fields.eligibleFrom', 'body.fields.greenLane', 'body.fields.extra']);
        const health = await signIn(t.url, 'officer-health');
        const notAllowed = await api(t.url, 'POST', '/api/certificates', { token: health, headers: key(3), body: SENIOR_CARD });
        expect([notAllowed.status, (notAllowed.body as { code: string }).code]).to.deep.equal([403, 'CERT.NOT_ALLOWED']);
        const past = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: key(4), body: { ...SENIOR_CARD, validUntil: '2020-01-01T00:00:00Z' } });
        expect(past.status).to.equal(400);
        const unknown = await api(t.url, 'GET', '/api/certificates/c-does-not-exist', { token: officer });
        expect([unknown.status, (unknown.body as { code: string }).code]).to.deep.equal([404, 'CERT.NOT_FOUND']);
        expect(await certificateCount(t.services.database.db)).to.equal(before);
        const after = (await api(t.url, 'GET', '/api/health')).body as { fabric: { height: number } };
        expect(after.fabric.height).to.equal(height.fabric.height);
      });

      it('reports every dependency up in /api/health', async () => {
        const response = await api(t.url, 'GET', '/api/health');
        expect(response.status, response.text).to.equal(200);
        expect(response.body).to.deep.include({ status: 'up' });
        expect((response.body as { projector: { lagBlocks: number } }).projector.lagBlocks).to.be.at.most(10);
      });

      it('seeds the catalogue again on a restart without ordering anything, and reports a type the ledger holds differently', async () => {
        const health = async (): Promise<number> => ((await api(t.url, 'GET', '/api/health')).body as { fabric: { height: number } }).fabric.height;
        const admin = { mspId: 'StreetOfficeMSP', identity: 'admin' };
        const catalogue = loadCatalogue(loadConfig({}).certificateTypesFile);
        const height = await health();
        const outcomes = await seedCatalogue(t.services.fabric, admin, catalogue, createLogger('silent'));
        expect(Object.values(outcomes)).to.have.length(catalogue.length).and.satisfy((all: string[]) => all.every((o) => o === 'ok'));
        const [first] = catalogue;
        if (first === undefined) throw new Error('empty catalogue');
        const changed = await seedCatalogue(t.services.fabric, admin, [{ ...first, name: `${first.name} (renamed)` }], createLogger('silent'));
        expect(changed).to.deep.equal({ [first.code]: 'differs' });
        expect(await health()).to.equal(height);
      });

      it('maps chaincode errors to typed errors with their HTTP status', async () => {
        const config = loadConfig({});
        let error: unknown;
        try {
          await t.services.fabric.evaluate({ ...readerActor(config) }, 'certificate:GetCertificate', ['c-missing']);
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(ChaincodeRejectedError);
        expect(error).to.include({ code: 'CERT.NOT_FOUND', status: 404 });
        error = undefined;
        try {
          await t.services.fabric.submit({ mspId: 'CivilAffairsMSP', identity: 'user' }, 'certificate:IssueCertificate', ['c-x', 'SENIOR_CARE_CARD', `0x${'1'.repeat(64)}`, `0x${'2'.repeat(64)}`, '']);
        } catch (err) {
          error = err;
        }
        expect(error).to.include({ code: 'AUTH.DENIED', status: 403 });
      });

      it('retries a conflicting write: of two concurrent issues of one id, one commits and the other is told it exists', async () => {
        const actor = { mspId: 'CivilAffairsMSP', identity: 'officer' };
        const id = `c-race-${String(index)}`;
        const args = (hash: string) => [id, 'SENIOR_CARE_CARD', `0x${'3'.repeat(64)}`, `0x${hash.repeat(64)}`, ''];
        const outcomes = await Promise.allSettled([t.services.fabric.submit(actor, 'certificate:IssueCertificate', args('4')), t.services.fabric.submit(actor, 'certificate:IssueCertificate', args('5'))]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
        const rejected = outcomes.find((o) => o.status === 'rejected');
        expect((rejected as PromiseRejectedResult).reason).to.include({ code: 'CERT.ALREADY_EXISTS', status: 409 });
      });

      it('anchors idempotently, batches a department\'s roots in one transaction, and decodes reverts into typed errors', async () => {
        const root = `0x${index.toString(16).padStart(2, '0')}${'ab'.repeat(31)}`;
        const first = await t.services.evm.anchorRoot(root, 'PublicSecurityMSP');
        expect(first.alreadyIssued).to.equal(false);
        const second = await t.services.evm.anchorRoot(root, 'PublicSecurityMSP');
        expect(second.alreadyIssued).to.equal(true);
        const batch = [`0x${index.toString(16).padStart(2, '0')}${'a1'.repeat(31)}`, `0x${index.toString(16).padStart(2, '0')}${'a2'.repeat(31)}`, root];
        const outcomes = await t.services.evm.anchorRoots(batch, 'PublicSecurityMSP');
        expect(outcomes.map((o) => o.alreadyIssued)).to.deep.equal([false, false, true]);
        expect(outcomes[0]?.transactionHash).to.be.a('string').and.equal(outcomes[1]?.transactionHash);
        expect((await t.services.evm.anchorRoots(batch, 'PublicSecurityMSP')).every((o) => o.alreadyIssued)).to.equal(true);
        // Concurrent sends from one account: the nonce manager gives each its own nonce.
        const concurrent = Array.from({ length: 6 }, (_, i) => `0x${index.toString(16).padStart(2, '0')}${(0xb0 + i).toString(16).repeat(31)}`);
        const sent = await Promise.all(concurrent.map((r) => t.services.evm.anchorRoot(r, 'PublicSecurityMSP')));
        expect(sent.map((o) => o.alreadyIssued)).to.deep.equal(concurrent.map(() => false));
        expect(new Set(sent.map((o) => o.transactionHash)).size).to.equal(concurrent.length);
        let error: unknown;
        try {
          await t.services.evm.anchorRoot(`0x${'cd'.repeat(32)}`, 'AuditOfficeMSP');
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(LedgerError);
        expect(error).to.include({ code: 'EVM.NO_SIGNER' });
        error = undefined;
        try {
          await t.services.evm.revokeRoot(`0x${'ef'.repeat(32)}`, 1, 'PublicSecurityMSP');
        } catch (err) {
          error = err;
        }
        expect(error).to.include({ code: 'EVM.REVERTED' });
        expect((error as Error).message).to.include('TrustAnchorRootNotIssued');
      });

      it('rebuilds the read model from the ledgers into identical rows', async () => {
        await t.services.stopWorkers();
        const evmProjector = new EvmProjector({ db: t.services.database.db, evm: t.services.evm, confirmations: 1, pollMs: 0, watcher: new ProjectionWatcher(), log: t.services.logger });
        while ((await evmProjector.step()) > 0);
        const live = await projectionSnapshot(t.services.database.db);
        expect(live.certificates).to.have.length.greaterThan(0);
        expect(live.anchors).to.have.length.greaterThan(0);
        const report = await rebuildReadModel({
          database: t.services.database,
          fabric: t.services.fabric,
          evm: t.services.evm,
          reader: readerActor(loadConfig({})),
          confirmations: 1,
          log: t.services.logger,
          idleMs: 1_500,
        });
        expect(report.certificates).to.equal(live.certificates?.length);
        const rebuilt = await projectionSnapshot(t.services.database.db);
        expectSameProjections(live, rebuilt);
      });
    });
  }
});
