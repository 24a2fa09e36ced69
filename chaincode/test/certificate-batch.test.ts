/**
 * Batch-level status changes (issue 7: "revocation and suspension per certificate and per
 * batch, with a reason"): one key per batch, consulted by every read of its certificates.
 */
import './support/quiet-logs';
import { expect } from 'chai';
import fc from 'fast-check';
import type { CertificateBatchStatus, CertificateBatchView, CertificateRecord, CertificateStatus, CertificateStatusAt, StatusChange } from '../src/certificate/models';
import { effectiveRecord, statusAt } from '../src/certificate/status';
import type { HistoryEntry } from '../src/shared/models';
import { cast, expectRefused, h, json, type Cast } from './support/fixtures';
import { CommitFailure, TestNetwork, TxValidationCode } from './support/peer';

const TYPE = { code: 'RESIDENCE_PROOF', name: 'Residence proof', allowedIssuerMsps: ['PublicSecurityMSP', 'CivilAffairsMSP'], validityDays: 365, fields: [] };
const BATCH_STATUS_KEY = (batchId: string): string => `\u0000certBatchStatus\u0000${batchId}\u0000`;

describe('CertificateContract: batch-level status', function () {
  this.timeout(60_000);
  let c: Cast;
  let net: TestNetwork;

  before(async () => {
    c = await cast();
  });

  beforeEach(async () => {
    net = new TestNetwork();
    await net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify(TYPE)]);
  });

  const entry = (id: string): object => ({ id, typeCode: 'RESIDENCE_PROOF', subjectRef: h(`s-${id}`), documentHash: h(`d-${id}`), validUntil: '' });

  async function issueBatch(batchId: string, ids: string[], extra: object = {}): Promise<void> {
    await net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId, batchRoot: h(`root-${batchId}`), certificates: ids.map(entry), ...extra })]);
  }

  const get = async (id: string): Promise<CertificateRecord> => json<CertificateRecord>(await net.evaluate(c.auditor, 'certificate:GetCertificate', [id]));
  const at = async (id: string, instant: string): Promise<CertificateStatusAt> => json<CertificateStatusAt>(await net.evaluate(c.auditor, 'certificate:GetCertificateStatusAt', [id, instant]));

  it('suspends a whole batch with one write and one event carrying the batch id and root; every certificate reads SUSPENDED', async () => {
    const ids = ['b1-1', 'b1-2', 'b1-3'];
    await issueBatch('b-1', ids);
    await issue('solo-1');
    const issuedAt = (await get('b1-1')).issuedAt;
    const before = net.snapshot();
    const result = await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-1', 'UNDER_REVIEW', 'batch printed with a wrong seal', '']);
    const status = json<CertificateBatchStatus>(result.payload);
    expect(status).to.include({ batchId: 'b-1', batchRoot: h('root-b-1'), issuerMsp: 'PublicSecurityMSP', batchSize: 3, status: 'SUSPENDED' });
    expect(status.suspension).to.include({ reasonCode: 'UNDER_REVIEW' });
    expect(status.statusChanges).to.have.length(1);
    expect(status.statusChanges[0]).to.include({ status: 'SUSPENDED', scope: 'BATCH', batchId: 'b-1', txId: result.txId });
    expect(result.event?.name).to.equal('CertificateBatchSuspended');
    expect(result.event?.payload).to.deep.equal(status);
    // One key written, none of the certificates.
    const after = net.snapshot();
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed).to.deep.equal([BATCH_STATUS_KEY('b-1')]);

    for (const id of ids) {
      const record = await get(id);
      expect(record.status, id).to.equal('SUSPENDED');
      expect(record.suspension).to.deep.equal(status.suspension);
      expect(record.statusChanges.map((x) => [x.status, x.scope, x.batchId])).to.deep.equal([['SUSPENDED', 'BATCH', 'b-1']]);
      expect((await at(id, status.statusChanges[0]?.effectiveAt ?? '')).status).to.equal('SUSPENDED');
      expect((await at(id, issuedAt)).status).to.equal('ISSUED');
    }
    expect((await get('solo-1')).status).to.equal('ISSUED');
    const view = json<CertificateBatchView>(await net.evaluate(c.auditor, 'certificate:GetBatch', ['b-1']));
    expect(view).to.include({ status: 'SUSPENDED', issuedCount: 3, complete: true });
  });

  it("keeps a certificate's own suspension through a batch reinstatement, and the batch's through the certificate's own reinstatement", async () => {
    await issueBatch('b-2', ['b2-1', 'b2-2']);
    await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['b2-1', 'OWN_REVIEW', '', '']);
    await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-2', 'BATCH_REVIEW', '', '']);
    const both = await get('b2-1');
    // The certificate's own suspension came first and is named while it lasts.
    expect(both).to.include({ status: 'SUSPENDED' });
    expect(both.suspension?.reasonCode).to.equal('OWN_REVIEW');
    await net.submit(c.policeOfficer, 'certificate:ReinstateBatch', ['b-2', 'BATCH_CLEARED', '', '']);
    expect((await get('b2-1')).status).to.equal('SUSPENDED');
    expect((await get('b2-2')).status).to.equal('ISSUED');
    expect((await get('b2-2')).statusChanges.map((x) => [x.status, x.reasonCode, x.scope])).to.deep.equal([
      ['SUSPENDED', 'BATCH_REVIEW', 'BATCH'],
      ['ISSUED', 'BATCH_CLEARED', 'BATCH'],
    ]);

    await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-2', 'SECOND_REVIEW', '', '']);
    const reinstated = json<CertificateRecord>((await net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['b2-1', 'OWN_CLEARED', '', ''])).payload);
    // Its own suspension lifted, the batch's still holds: the result says so, naming the batch.
    expect(reinstated.status).to.equal('SUSPENDED');
    expect(reinstated.suspension?.reasonCode).to.equal('SECOND_REVIEW');
    const timeline = reinstated.statusChanges.map((x) => [x.status, x.reasonCode, x.scope]);
    expect(timeline).to.deep.equal([
      ['SUSPENDED', 'OWN_REVIEW', 'CERTIFICATE'],
      ['SUSPENDED', 'SECOND_REVIEW', 'BATCH'],
    ]);
    // Folding the effective timeline gives the status at every instant.
    const final = await get('b2-1');
    expect(final).to.deep.equal(reinstated);
    for (const change of final.statusChanges) expect((await at('b2-1', change.effectiveAt)).status).to.equal(change.status);
  });

  it('revokes a whole batch, possibly backdated, finally: later changes and parts are refused', async () => {
    await issueBatch('b-3', ['b3-1', 'b3-2'], { batchSize: 4, partSize: 2, part: 1 });
    const issuedAt = (await get('b3-1')).issuedAt;
    net.advance(3_600_000);
    await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['b3-2', 'OWN_REVIEW', '', '']);
    const backdated = new Date(Date.parse(issuedAt) + 60_000).toISOString();
    const revoked = json<CertificateBatchStatus>((await net.submit(c.policeOfficer, 'certificate:RevokeBatch', ['b-3', 'FORGED_SEAL', 'seal forged', backdated])).payload);
    expect(revoked.revocation).to.deep.equal({ reasonCode: 'FORGED_SEAL', reasonText: 'seal forged', effectiveAt: backdated });
    for (const id of ['b3-1', 'b3-2']) {
      const record = await get(id);
      expect(record.status).to.equal('REVOKED');
      expect(record.revocation?.reasonCode).to.equal('FORGED_SEAL');
      expect((await at(id, issuedAt)).status).to.equal('ISSUED');
      expect(await at(id, backdated)).to.include({ status: 'REVOKED', since: backdated, reasonCode: 'FORGED_SEAL' });
    }
    // The batch revocation, backdated before the certificate's own suspension, is what counts.
    expect((await get('b3-2')).statusChanges.map((x) => [x.status, x.scope])).to.deep.equal([['REVOKED', 'BATCH']]);
    await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['b3-1', 'X', '']), 'CERT.INVALID_STATE', 'revoked');
    await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['b3-2', 'X', '', '']), 'CERT.INVALID_STATE', 'b-3');
    await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeBatch', ['b-3', 'X', '', '']), 'CERT.INVALID_STATE', 'REVOKED');
    await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:ReinstateBatch', ['b-3', 'X', '', '']), 'CERT.INVALID_STATE');
    await expectRefused(
      net,
      () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-3', batchRoot: h('root-b-3'), batchSize: 4, partSize: 2, part: 2, certificates: ['b3-3', 'b3-4'].map(entry) })]),
      'CERT.INVALID_STATE',
      'revoked',
    );
  });

  it('shows the batch-level change in every certificate history, with the effective record after it', async () => {
    await issueBatch('b-4', ['b4-1']);
    const suspended = await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-4', 'UNDER_REVIEW', '', '']);
    const own = await net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['b4-1', 'SUPERSEDED', '']);
    const history = json<HistoryEntry<CertificateRecord>[]>(await net.evaluate(c.auditor, 'certificate:GetCertificateHistory', ['b4-1']));
    expect(history.map((e) => [e.scope, e.txId === suspended.txId ? 'batch-tx' : e.txId === own.txId ? 'own-tx' : 'issue-tx', e.value?.status])).to.deep.equal([
      ['CERTIFICATE', 'issue-tx', 'ISSUED'],
      ['BATCH', 'batch-tx', 'SUSPENDED'],
      ['CERTIFICATE', 'own-tx', 'REVOKED'],
    ]);
  });

  it('records certificates issued into a suspended batch as suspended, in the result and the event', async () => {
    await issueBatch('b-5', ['b5-1', 'b5-2'], { batchSize: 4, partSize: 2, part: 1 });
    await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-5', 'UNDER_REVIEW', '', '']);
    const part = await net.submit(c.policeOfficer, 'certificate:IssueBatch', [
      JSON.stringify({ batchId: 'b-5', batchRoot: h('root-b-5'), batchSize: 4, partSize: 2, part: 2, certificates: ['b5-3', 'b5-4'].map(entry) }),
    ]);
    const certificates = (part.event?.payload as { certificates: CertificateRecord[] }).certificates;
    expect(certificates.map((r) => r.status)).to.deep.equal(['SUSPENDED', 'SUSPENDED']);
    expect(certificates[0]?.statusChanges[0]?.effectiveAt).to.equal(certificates[0]?.issuedAt);
    expect((await get('b5-4')).status).to.equal('SUSPENDED');
  });

  it('makes a single-certificate change and a concurrent batch change conflict (both read the batch status)', async () => {
    await issueBatch('b-6', ['b6-1']);
    const batch = await net.endorse(c.policeOfficer, 'certificate:SuspendBatch', ['b-6', 'UNDER_REVIEW', '', '']);
    const single = await net.endorse(c.policeOfficer, 'certificate:SuspendCertificate', ['b6-1', 'OWN_REVIEW', '', '']);
    expect(net.commit([batch, single]).map((t) => t.code)).to.deep.equal([TxValidationCode.VALID, TxValidationCode.MVCC_READ_CONFLICT]);
  });

  it('refuses batch changes from the wrong identities, for unknown batches and with bad arguments, writing nothing', async () => {
    await issueBatch('b-7', ['b7-1']);
    const call = (who = c.policeOfficer, args = ['b-7', 'UNDER_REVIEW', '', ''], fn = 'SuspendBatch') => (): Promise<unknown> => net.submit(who, `certificate:${fn}`, args);
    await expectRefused(net, call(c.streetUser), 'AUTH.DENIED', 'batch b-7');
    await expectRefused(net, call(c.auditor), 'AUTH.DENIED');
    await expectRefused(net, call(c.civilOfficer), 'CERT.NOT_ALLOWED', 'PublicSecurityMSP');
    await expectRefused(net, call(c.policeOfficer, ['b-404', 'X', '', '']), 'CERT.NOT_FOUND', 'b-404');
    await expectRefused(net, call(c.policeOfficer, ['b 7', 'X', '', '']), 'CERT.INVALID_ARGUMENT', 'batchId');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'lower', '', '']), 'CERT.INVALID_ARGUMENT', 'reasonCode');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', 'call 13812345678', '']), 'CERT.INVALID_ARGUMENT', 'reasonText');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', '', 'yesterday']), 'CERT.INVALID_ARGUMENT', 'effectiveAt');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', '', '2020-01-01T00:00:00Z']), 'CERT.INVALID_ARGUMENT', 'opening of the batch');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', '', '2099-01-01T00:00:00Z']), 'CERT.INVALID_ARGUMENT', 'after the transaction time');
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', '', ''], 'ReinstateBatch'), 'CERT.INVALID_STATE', 'ISSUED');
    const suspended = json<CertificateBatchStatus>((await net.submit(c.policeOfficer, 'certificate:SuspendBatch', ['b-7', 'UNDER_REVIEW', '', ''])).payload);
    await expectRefused(net, call(), 'CERT.INVALID_STATE', 'SUSPENDED');
    const before = new Date(Date.parse(suspended.updatedAt) - 1000).toISOString();
    await expectRefused(net, call(c.policeOfficer, ['b-7', 'X', '', before], 'ReinstateBatch'), 'CERT.INVALID_ARGUMENT', 'latest status change');
    let failure: unknown;
    try {
      await net.submit(c.policeOfficer, 'certificate:RevokeBatch', ['b-7', 'X', '']);
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.contain('Expected 4 parameters');
    expect(failure).to.not.be.instanceOf(CommitFailure);
  });

  async function issue(id: string): Promise<void> {
    await net.submit(c.policeOfficer, 'certificate:IssueCertificate', [id, 'RESIDENCE_PROOF', h(`s-${id}`), h(`d-${id}`), '']);
  }
});

describe('effective status of a certificate and its batch (unit, property-based)', () => {
  const issuedAt = '2025-01-10T00:00:00.000Z';
  const base: CertificateRecord = {
    id: 'c-1',
    typeCode: 'T',
    typeVersion: 1,
    issuerMsp: 'M',
    subjectRef: h('s'),
    documentHash: h('d'),
    batchId: 'b-1',
    batchRoot: h('r'),
    status: 'ISSUED',
    issuedAt,
    validUntil: null,
    revocation: null,
    suspension: null,
    statusChanges: [],
    issuedBy: { msp: 'M', cn: 'o' },
    txId: 't',
    updatedAt: issuedAt,
  };
  const day = (n: number): string => new Date(Date.parse('2025-01-01T00:00:00.000Z') + n * 86_400_000).toISOString();
  const SEVERITY: Record<string, number> = { ISSUED: 0, SUSPENDED: 1, REVOKED: 2 };
  const changeArb = (scope: 'CERTIFICATE' | 'BATCH', minDay: number) =>
    fc.record({ status: fc.constantFrom<CertificateStatus>('ISSUED', 'SUSPENDED', 'REVOKED'), day: fc.integer({ min: minDay, max: 40 }), code: fc.constantFrom('A', 'B', 'C') }).map(
      ({ status, day: d, code }): StatusChange => ({
        status,
        reasonCode: `${scope[0] ?? ''}${code}`,
        reasonText: '',
        effectiveAt: day(d),
        recordedAt: day(d),
        txId: `${scope}-${d}-${code}`,
        by: { msp: 'M', cn: 'o' },
        scope,
        ...(scope === 'BATCH' ? { batchId: 'b-1' } : {}),
      }),
    );

  it('answers, at every instant, the more severe of the certificate status and the batch status, naming a change of that status', () => {
    fc.assert(
      fc.property(fc.array(changeArb('CERTIFICATE', 9), { maxLength: 6 }), fc.array(changeArb('BATCH', 0), { maxLength: 6 }), fc.integer({ min: 9, max: 45 }), (own, batch, probe) => {
        // As stored, a record's status is its own timeline's final status.
        const ownFinal = statusAt({ ...base, statusChanges: own }, day(60)).status as CertificateStatus;
        const record = { ...base, statusChanges: own, status: ownFinal };
        const batchStatus: CertificateBatchStatus = {
          batchId: 'b-1',
          batchRoot: h('r'),
          issuerMsp: 'M',
          batchSize: 1,
          status: 'ISSUED',
          revocation: null,
          suspension: null,
          statusChanges: batch,
          updatedAt: day(41),
        };
        const effective = effectiveRecord(record, batchStatus);
        const instant = day(probe);
        const expectedOwn = statusAt(record, instant);
        const expectedBatch = statusAt({ ...base, statusChanges: batch }, instant);
        const answer = statusAt(effective, instant);
        if (instant < issuedAt) {
          expect(answer.status).to.equal('NOT_YET_ISSUED');
          return;
        }
        const worst = SEVERITY[expectedOwn.status]! >= SEVERITY[expectedBatch.status]! ? expectedOwn : expectedBatch;
        expect(answer.status).to.equal(worst.status);
        if (worst.status !== 'ISSUED') {
          const holders = [expectedOwn, expectedBatch].filter((x) => x.status === worst.status).map((x) => x.reasonCode);
          expect(holders).to.include(answer.reasonCode);
        }
        // The final status fields agree with the timeline.
        expect(effective.status).to.equal(statusAt(effective, day(60)).status);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a record whose batch has no batch-level change as stored, filling in the scope of old changes', () => {
    const old = { ...base, statusChanges: [{ status: 'SUSPENDED', reasonCode: 'A', reasonText: '', effectiveAt: day(12), recordedAt: day(12), txId: 't2', by: { msp: 'M', cn: 'o' } } as unknown as StatusChange] };
    const read = effectiveRecord(old, undefined);
    expect(read.statusChanges[0]?.scope).to.equal('CERTIFICATE');
    expect({ ...read, statusChanges: [] }).to.deep.equal({ ...old, statusChanges: [] });
  });
});
