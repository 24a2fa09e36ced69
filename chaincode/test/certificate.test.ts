import './support/quiet-logs';
import { expect } from 'chai';
import type { CertificateBatch, CertificateBatchPart, CertificateBatchView, CertificateRecord, CertificateStatusAt, CertificateType } from '../src/certificate/models';
import { cast, expectRefused, h, json, type Cast } from './support/fixtures';
import { CommitFailure, TestNetwork, TxValidationCode } from './support/peer';

const RESIDENCE = {
  code: 'RESIDENCE_PROOF',
  name: 'Residence proof',
  allowedIssuerMsps: ['PublicSecurityMSP'],
  validityDays: 365,
  fields: [
    { key: 'holderName', label: 'Holder name', type: 'string', required: true, personal: true },
    { key: 'address', label: 'Address', type: 'string', required: true, personal: true },
    { key: 'since', label: 'Resident since', type: 'date', required: false },
  ],
};
const PERMANENT = { code: 'DISABILITY_CARD', name: 'Disability card', allowedIssuerMsps: ['CivilAffairsMSP', 'HealthMSP'], validityDays: 0, fields: [] };

describe('CertificateContract', function () {
  this.timeout(60_000);
  let c: Cast;
  let net: TestNetwork;

  before(async () => {
    c = await cast();
  });

  beforeEach(async () => {
    net = new TestNetwork();
    await net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify(RESIDENCE)]);
    await net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify(PERMANENT)]);
  });

  async function issue(id: string, validUntil = '', who = c.policeOfficer, typeCode = 'RESIDENCE_PROOF'): Promise<CertificateRecord> {
    const result = await net.submit(who, 'certificate:IssueCertificate', [id, typeCode, h(`subject-${id}`), h(`doc-${id}`), validUntil]);
    return json<CertificateRecord>(result.payload);
  }

  describe('type registry', () => {
    it('registers a type for a street office admin, with version 1, an event and a key-level policy naming the registrar and the issuers', async () => {
      const fresh = new TestNetwork();
      const result = await fresh.submit(c.northAdmin, 'certificate:RegisterType', [JSON.stringify(PERMANENT)]);
      const type = json<CertificateType>(result.payload);
      expect(type).to.include({ code: 'DISABILITY_CARD', version: 1, registrarMsp: 'NorthStreetMSP', validityDays: 0 });
      expect(type.registeredBy).to.deep.equal({ msp: 'NorthStreetMSP', cn: 'Admin@north' });
      expect(type.definitionHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(result.event?.name).to.equal('CertificateTypeRegistered');
      expect(result.event?.payload).to.deep.equal(type);
      expect(fresh.keyEndorsers('\u0000certType\u0000DISABILITY_CARD\u0000')).to.deep.equal(['CivilAffairsMSP', 'HealthMSP', 'NorthStreetMSP']);
    });

    it('accepts an identity with the attribute role=admin of a street office as admin', async () => {
      const fresh = new TestNetwork();
      await fresh.submit(c.roleAdmin, 'certificate:RegisterType', [JSON.stringify(PERMANENT)]);
      expect(json<CertificateType>(await fresh.evaluate(c.streetUser, 'certificate:GetType', ['DISABILITY_CARD'])).version).to.equal(1);
    });

    it('treats re-registering an identical definition, in any issuer order, as a no-op without write or event', async () => {
      const before = net.snapshot();
      const same = { ...PERMANENT, allowedIssuerMsps: ['HealthMSP', 'CivilAffairsMSP'] };
      const result = await net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify(same)]);
      expect(json<CertificateType>(result.payload).version).to.equal(1);
      expect(result.event).to.equal(null);
      expect(net.snapshot()).to.deep.equal(before);
    });

    it('refuses a different definition under a registered code, pointing to UpdateType', async () => {
      const message = await expectRefused(
        net,
        () => net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify({ ...RESIDENCE, validityDays: 30 })]),
        'CERT.ALREADY_EXISTS',
        'RESIDENCE_PROOF',
      );
      expect(message).to.contain('UpdateType');
    });

    it('denies registration to officers, to plain users and to admins of departments', async () => {
      const type = JSON.stringify({ ...PERMANENT, code: 'OTHER' });
      for (const who of [c.streetOfficer, c.streetUser, c.policeAdmin, c.civilAdmin]) {
        await expectRefused(net, () => net.submit(who, 'certificate:RegisterType', [type]), 'AUTH.DENIED', who.mspId);
      }
    });

    const malformed: [string, string][] = [
      ['not JSON', '{code:'],
      ['an array', '[]'],
      ['an unknown field', JSON.stringify({ ...PERMANENT, issuedAt: '2025-01-01T00:00:00Z' })],
      ['a missing field', JSON.stringify({ code: 'X1', name: 'x', allowedIssuerMsps: ['HealthMSP'], validityDays: 1 })],
      ['a lower-case code', JSON.stringify({ ...PERMANENT, code: 'disability' })],
      ['an empty name', JSON.stringify({ ...PERMANENT, name: '' })],
      ['no issuers', JSON.stringify({ ...PERMANENT, allowedIssuerMsps: [] })],
      ['a repeated issuer', JSON.stringify({ ...PERMANENT, allowedIssuerMsps: ['HealthMSP', 'HealthMSP'] })],
      ['a malformed MSP id', JSON.stringify({ ...PERMANENT, allowedIssuerMsps: ['Health MSP'] })],
      ['negative validity', JSON.stringify({ ...PERMANENT, validityDays: -1 })],
      ['fractional validity', JSON.stringify({ ...PERMANENT, validityDays: 1.5 })],
      ['validity over 100 years', JSON.stringify({ ...PERMANENT, validityDays: 36_501 })],
      ['validity as text', JSON.stringify({ ...PERMANENT, validityDays: '30' })],
      ['a repeated field key', JSON.stringify({ ...RESIDENCE, fields: [RESIDENCE.fields[0], RESIDENCE.fields[0]] })],
      ['a bad field type', JSON.stringify({ ...RESIDENCE, fields: [{ key: 'a', label: 'A', type: 'blob', required: true }] })],
      ['a bad field key', JSON.stringify({ ...RESIDENCE, fields: [{ key: '1a', label: 'A', type: 'string', required: true }] })],
    ];
    for (const [what, text] of malformed) {
      it(`refuses a definition with ${what}`, async () => {
        await expectRefused(net, () => net.submit(c.streetAdmin, 'certificate:RegisterType', [text]), 'CERT.INVALID_ARGUMENT');
      });
    }

    it('updates a type to a new version, keeps the old version readable and certificates on the version they were issued under', async () => {
      const old = await issue('c-before');
      const changed = { ...RESIDENCE, allowedIssuerMsps: ['PublicSecurityMSP', 'CivilAffairsMSP'] };
      const result = await net.submit(c.streetAdmin, 'certificate:UpdateType', [JSON.stringify(changed)], {
        endorsers: ['StreetOfficeMSP', 'PublicSecurityMSP'],
      });
      const type = json<CertificateType>(result.payload);
      expect(type.version).to.equal(2);
      expect(type.allowedIssuerMsps).to.deep.equal(['CivilAffairsMSP', 'PublicSecurityMSP']);
      expect(type.registeredAt).to.equal(json<CertificateType>(await net.evaluate(c.streetUser, 'certificate:GetTypeVersion', ['RESIDENCE_PROOF', '1'])).registeredAt);
      expect(result.event?.name).to.equal('CertificateTypeUpdated');
      const v1 = json<CertificateType>(await net.evaluate(c.streetUser, 'certificate:GetTypeVersion', ['RESIDENCE_PROOF', '1']));
      expect(v1.allowedIssuerMsps).to.deep.equal(['PublicSecurityMSP']);
      const fresh = await issue('c-after', '', c.civilOfficer);
      expect(fresh.typeVersion).to.equal(2);
      expect(old.typeVersion).to.equal(1);
      expect(net.keyEndorsers('\u0000certType\u0000RESIDENCE_PROOF\u0000')).to.deep.equal(['CivilAffairsMSP', 'PublicSecurityMSP', 'StreetOfficeMSP']);
    });

    it('makes an update without the issuing department endorsing it invalid at commit (state-based endorsement)', async () => {
      const changed = { ...RESIDENCE, name: 'Proof of residence' };
      let failure: unknown;
      try {
        await net.submit(c.streetAdmin, 'certificate:UpdateType', [JSON.stringify(changed)], { endorsers: ['StreetOfficeMSP', 'CivilAffairsMSP'] });
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(CommitFailure);
      expect((failure as CommitFailure).code).to.equal(TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
      expect(json<CertificateType>(await net.evaluate(c.streetUser, 'certificate:GetType', ['RESIDENCE_PROOF'])).name).to.equal('Residence proof');
    });

    it('refuses to update an unknown type', async () => {
      await expectRefused(net, () => net.submit(c.streetAdmin, 'certificate:UpdateType', [JSON.stringify({ ...PERMANENT, code: 'NOPE' })]), 'CERT.NOT_FOUND', 'NOPE');
    });

    it('lists types in code order and answers NOT_FOUND for unknown types and versions', async () => {
      const list = json<CertificateType[]>(await net.evaluate(c.streetUser, 'certificate:ListTypes', []));
      expect(list.map((t) => t.code)).to.deep.equal(['DISABILITY_CARD', 'RESIDENCE_PROOF']);
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetType', ['NOPE']), 'CERT.NOT_FOUND', 'NOPE');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetTypeVersion', ['RESIDENCE_PROOF', '2']), 'CERT.NOT_FOUND');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetTypeVersion', ['RESIDENCE_PROOF', 'x']), 'CERT.INVALID_ARGUMENT');
    });
  });

  describe('IssueCertificate', () => {
    it('records every field, takes times from the transaction and emits CertificateIssued with the record', async () => {
      const at = net.now().toISOString();
      const result = await net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-1', 'RESIDENCE_PROOF', h('alice'), h('doc-1'), '']);
      const record = json<CertificateRecord>(result.payload);
      expect(record).to.deep.equal({
        id: 'c-1',
        typeCode: 'RESIDENCE_PROOF',
        typeVersion: 1,
        issuerMsp: 'PublicSecurityMSP',
        subjectRef: h('alice'),
        documentHash: h('doc-1'),
        batchId: null,
        batchRoot: h('doc-1'),
        status: 'ISSUED',
        issuedAt: at,
        validUntil: new Date(Date.parse(at) + 365 * 86_400_000).toISOString(),
        revocation: null,
        suspension: null,
        statusChanges: [],
        issuedBy: { msp: 'PublicSecurityMSP', cn: 'officer-p1' },
        txId: result.txId,
        updatedAt: at,
      });
      expect(result.event).to.deep.equal({ name: 'CertificateIssued', payload: record });
      expect(json(await net.evaluate(c.streetUser, 'certificate:GetCertificate', ['c-1']))).to.deep.equal(record);
    });

    it('accepts a shorter validity and gives no end to types that do not expire', async () => {
      const at = net.now();
      const until = new Date(at.getTime() + 30 * 86_400_000).toISOString();
      expect((await issue('c-short', until.replace('.000Z', 'Z'))).validUntil).to.equal(until);
      expect((await issue('c-perm', '', c.healthOfficer, 'DISABILITY_CARD')).validUntil).to.equal(null);
      expect((await issue('c-perm2', '2099-01-01T00:00:00Z', c.healthOfficer, 'DISABILITY_CARD')).validUntil).to.equal('2099-01-01T00:00:00.000Z');
    });

    it('refuses a validity beyond the type, or ending before issuance', async () => {
      await expectRefused(net, () => issue('c-x', '2099-01-01T00:00:00Z'), 'CERT.INVALID_ARGUMENT', '365-day');
      await expectRefused(net, () => issue('c-x', '2020-01-01T00:00:00Z'), 'CERT.INVALID_ARGUMENT', 'not after');
    });

    it('denies identities without role officer', async () => {
      for (const who of [c.streetUser, c.streetCoordinator, c.auditor, c.policeAdmin]) {
        await expectRefused(net, () => issue('c-x', '', who), 'AUTH.DENIED', 'c-x');
      }
    });

    it("refuses officers of organisations the type does not allow (CERT.NOT_ALLOWED)", async () => {
      await expectRefused(net, () => issue('c-x', '', c.civilOfficer), 'CERT.NOT_ALLOWED', 'CivilAffairsMSP');
    });

    it('refuses unknown types and used ids', async () => {
      await expectRefused(net, () => issue('c-x', '', c.policeOfficer, 'NO_SUCH_TYPE'), 'CERT.NOT_FOUND', 'NO_SUCH_TYPE');
      await issue('c-1');
      await expectRefused(net, () => issue('c-1'), 'CERT.ALREADY_EXISTS', 'c-1');
    });

    const badRefs: [string, string][] = [
      ['an identity number', '110101199003077777'],
      ['upper-case hex', h('x').toUpperCase().replace('0X', '0x')],
      ['no 0x prefix', h('x').slice(2)],
      ['a short hash', h('x').slice(0, 40)],
      ['a name', 'Zhang San'],
      ['an empty string', ''],
    ];
    for (const [what, ref] of badRefs) {
      it(`refuses ${what} as subjectRef or documentHash`, async () => {
        await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-x', 'RESIDENCE_PROOF', ref, h('d'), '']), 'CERT.INVALID_ARGUMENT', 'subjectRef');
        await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-x', 'RESIDENCE_PROOF', h('s'), ref, '']), 'CERT.INVALID_ARGUMENT', 'documentHash');
      });
    }

    it('refuses malformed ids, type codes and times', async () => {
      for (const id of ['', 'has space', '-lead', 'x'.repeat(129), 'a/b', 'nul\u0000']) {
        await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueCertificate', [id, 'RESIDENCE_PROOF', h('s'), h('d'), '']), 'CERT.INVALID_ARGUMENT');
      }
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-x', 'residence', h('s'), h('d'), '']), 'CERT.INVALID_ARGUMENT', 'typeCode');
      for (const t of ['2025-13-01T00:00:00Z', '2025-02-30T00:00:00Z', '2025-01-01', '2025-01-01T00:00:00+08:00', 'tomorrow']) {
        await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-x', 'RESIDENCE_PROOF', h('s'), h('d'), t]), 'CERT.INVALID_ARGUMENT', 'validUntil');
      }
    });

    it('lets only one of two concurrent issuances of the same id commit (MVCC)', async () => {
      const a = await net.endorse(c.policeOfficer, 'certificate:IssueCertificate', ['c-race', 'RESIDENCE_PROOF', h('a'), h('da'), '']);
      const b = await net.endorse(c.policeOfficer, 'certificate:IssueCertificate', ['c-race', 'RESIDENCE_PROOF', h('b'), h('db'), '']);
      const [first, second] = net.commit([a, b]);
      expect(first?.code).to.equal(TxValidationCode.VALID);
      expect(second?.code).to.equal(TxValidationCode.MVCC_READ_CONFLICT);
      expect(json<CertificateRecord>(await net.evaluate(c.streetUser, 'certificate:GetCertificate', ['c-race'])).subjectRef).to.equal(h('a'));
    });

    it('lets issuances of different certificates of one type commit in the same block', async () => {
      const txs = await Promise.all(['c-a', 'c-b', 'c-c'].map((id) => net.endorse(c.policeOfficer, 'certificate:IssueCertificate', [id, 'RESIDENCE_PROOF', h(id), h(`d${id}`), ''])));
      expect(net.commit(txs).map((t) => t.code)).to.deep.equal([0, 0, 0]);
    });
  });

  describe('IssueBatch', () => {
    function entry(id: string, typeCode = 'RESIDENCE_PROOF'): Record<string, string> {
      return { id, typeCode, subjectRef: h(`s-${id}`), documentHash: h(`d-${id}`), validUntil: '' };
    }

    it('issues every certificate under the batch root and emits one event carrying all records', async () => {
      const batch = { batchId: 'b-1', batchRoot: h('root-1'), certificates: [entry('b1-a'), entry('b1-b'), entry('b1-c')] };
      const result = await net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify(batch)]);
      const record = json<CertificateBatchPart>(result.payload);
      expect(record).to.include({ batchId: 'b-1', batchRoot: h('root-1'), issuerMsp: 'PublicSecurityMSP', count: 3, part: 1, partCount: 1, batchSize: 3 });
      expect(record.certificateIds).to.deep.equal(['b1-a', 'b1-b', 'b1-c']);
      expect(result.event?.name).to.equal('CertificateBatchIssued');
      const payload = result.event?.payload as { batch: CertificateBatchPart; certificates: CertificateRecord[] };
      expect(payload.batch).to.deep.equal(record);
      expect(payload.certificates.map((r) => [r.id, r.batchId, r.batchRoot])).to.deep.equal([
        ['b1-a', 'b-1', h('root-1')],
        ['b1-b', 'b-1', h('root-1')],
        ['b1-c', 'b-1', h('root-1')],
      ]);
      expect(json<CertificateRecord>(await net.evaluate(c.streetUser, 'certificate:GetCertificate', ['b1-b'])).batchId).to.equal('b-1');
      const view = json<CertificateBatchView>(await net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-1']));
      expect(view).to.include({ batchId: 'b-1', batchSize: 3, partSize: 3, partCount: 1, issuedCount: 3, complete: true });
      expect(view.parts).to.deep.equal([record]);
    });

    it('issues a larger batch in parts that add up to exactly its size, under one root', async () => {
      const ids = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'];
      const part = (n: number, slice: string[], extra: Record<string, unknown> = {}): string =>
        JSON.stringify({ batchId: 'b-parts', batchRoot: h('root-p'), batchSize: 5, partSize: 2, part: n, certificates: slice.map((id) => entry(id)), ...extra });
      await net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(2, ids.slice(2, 4))]);
      let view = json<CertificateBatchView>(await net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-parts']));
      expect(view).to.include({ batchSize: 5, partSize: 2, partCount: 3, issuedCount: 2, complete: false });
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(3, ids.slice(3, 5))]), 'CERT.INVALID_ARGUMENT', 'must hold 1');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(4, ids.slice(4))]), 'CERT.INVALID_ARGUMENT', 'part');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(1, ids.slice(0, 2), { batchRoot: h('other') })]), 'CERT.INVALID_ARGUMENT', 'root');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(1, ids.slice(0, 2), { batchSize: 6 })]), 'CERT.INVALID_ARGUMENT', 'says otherwise');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(2, ['x-1', 'x-2'])]), 'CERT.ALREADY_EXISTS', 'part 2 of batch b-parts');
      await net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(1, ids.slice(0, 2))]);
      await net.submit(c.policeOfficer, 'certificate:IssueBatch', [part(3, ids.slice(4))]);
      view = json<CertificateBatchView>(await net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-parts']));
      expect(view).to.include({ issuedCount: 5, complete: true });
      expect(view.parts.map((p) => [p.part, p.certificateIds])).to.deep.equal([
        [1, ['p-1', 'p-2']],
        [2, ['p-3', 'p-4']],
        [3, ['p-5']],
      ]);
      await expectRefused(
        net,
        () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-big', batchRoot: h('r'), batchSize: 1500, certificates: [entry('q-1')] })]),
        'CERT.INVALID_ARGUMENT',
        'in parts of at most 1000',
      );
    });

    it('opens a batch before its parts, so that the parts commit side by side in one block; opening again changes nothing', async () => {
      const header = { batchId: 'b-open', batchRoot: h('root-o'), batchSize: 5, partSize: 2 };
      const open = (who = c.policeOfficer, extra: Record<string, unknown> = {}): Promise<unknown> => net.submit(who, 'certificate:OpenBatch', [JSON.stringify({ ...header, ...extra })]);
      const opened = json<CertificateBatch>((await net.submit(c.policeOfficer, 'certificate:OpenBatch', [JSON.stringify(header)])).payload);
      expect(opened).to.include({ batchId: 'b-open', batchRoot: h('root-o'), issuerMsp: 'PublicSecurityMSP', batchSize: 5, partSize: 2, partCount: 3 });
      const again = json<CertificateBatch>((await net.submit(c.policeOfficer, 'certificate:OpenBatch', [JSON.stringify(header)])).payload);
      expect(again).to.deep.equal(opened);
      await expectRefused(net, () => open(c.policeOfficer, { batchRoot: h('other') }), 'CERT.INVALID_ARGUMENT', 'says otherwise');
      await expectRefused(net, () => open(c.policeOfficer, { partSize: 1 }), 'CERT.INVALID_ARGUMENT', 'says otherwise');
      await expectRefused(net, () => open(c.civilOfficer), 'CERT.NOT_ALLOWED', 'PublicSecurityMSP');
      await expectRefused(net, () => open(c.streetUser), 'AUTH.DENIED', c.streetUser.mspId);
      await expectRefused(net, () => open(c.policeOfficer, { batchId: 'b-open-2', partSize: 1001 }), 'CERT.INVALID_ARGUMENT', 'partSize');
      await expectRefused(net, () => open(c.policeOfficer, { batchId: 'b-open-3', certificates: [] }), 'CERT.INVALID_ARGUMENT', 'certificates');
      expect(await net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-open-2']).catch((err: unknown) => String(err))).to.contain('CERT.NOT_FOUND');

      const part = (n: number, ids: string[]): string => JSON.stringify({ ...header, part: n, certificates: ids.map((id) => entry(id)) });
      const endorsed = [
        await net.endorse(c.policeOfficer, 'certificate:IssueBatch', [part(3, ['o-5'])]),
        await net.endorse(c.policeOfficer, 'certificate:IssueBatch', [part(1, ['o-1', 'o-2'])]),
        await net.endorse(c.policeOfficer, 'certificate:IssueBatch', [part(2, ['o-3', 'o-4'])]),
      ];
      expect(net.commit(endorsed).map((t) => t.code)).to.deep.equal([TxValidationCode.VALID, TxValidationCode.VALID, TxValidationCode.VALID]);
      const view = json<CertificateBatchView>(await net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-open']));
      expect(view).to.include({ batchSize: 5, partCount: 3, issuedCount: 5, complete: true, openedAt: opened.openedAt });
    });

    it("refuses a part of another organisation's batch", async () => {
      const part = (n: number, id: string): string =>
        JSON.stringify({ batchId: 'b-x', batchRoot: h('rx'), batchSize: 2, partSize: 1, part: n, certificates: [entry(id, 'DISABILITY_CARD')] });
      await net.submit(c.healthOfficer, 'certificate:IssueBatch', [part(1, 'x-1')]);
      await expectRefused(net, () => net.submit(c.civilOfficer, 'certificate:IssueBatch', [part(2, 'x-2')]), 'CERT.NOT_ALLOWED', 'HealthMSP');
    });

    it('issues 1,000 certificates in one transaction and refuses 1,001', async () => {
      const ids = Array.from({ length: 1001 }, (_, i) => `big-${String(i).padStart(4, '0')}`);
      await expectRefused(
        net,
        () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-big', batchRoot: h('big'), certificates: ids.map((id) => entry(id)) })]),
        'CERT.INVALID_ARGUMENT',
        '1-1000',
      );
      const result = await net.submit(c.policeOfficer, 'certificate:IssueBatch', [
        JSON.stringify({ batchId: 'b-big', batchRoot: h('big'), certificates: ids.slice(0, 1000).map((id) => entry(id)) }),
      ]);
      expect(json<CertificateBatchPart>(result.payload).count).to.equal(1000);
      expect(json<CertificateRecord>(await net.evaluate(c.streetUser, 'certificate:GetCertificate', ['big-0999'])).batchRoot).to.equal(h('big'));
    });

    it('writes nothing when one entry is refused', async () => {
      await issue('taken');
      const cases: [Record<string, unknown>, string, string][] = [
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), entry('taken')] }, 'CERT.ALREADY_EXISTS', 'taken'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), entry('n-1')] }, 'CERT.INVALID_ARGUMENT', 'twice'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), { ...entry('n-2'), documentHash: h('d-n-1') }] }, 'CERT.INVALID_ARGUMENT', 'documentHash'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), entry('n-2', 'DISABILITY_CARD')] }, 'CERT.NOT_ALLOWED', 'n-2'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), { ...entry('n-2'), subjectRef: 'Li Si' }] }, 'CERT.INVALID_ARGUMENT', 'certificates[1].subjectRef'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [entry('n-1'), { ...entry('n-2'), issuedAt: '2025-01-01T00:00:00Z' }] }, 'CERT.INVALID_ARGUMENT', 'issuedAt'],
        [{ batchId: 'b-2', batchRoot: 'root', certificates: [entry('n-1')] }, 'CERT.INVALID_ARGUMENT', 'batchRoot'],
        [{ batchId: 'b-2', batchRoot: h('r'), certificates: [] }, 'CERT.INVALID_ARGUMENT', 'certificates'],
      ];
      for (const [batch, code, fragment] of cases) {
        await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify(batch)]), code, fragment);
      }
      await expectRefused(net, () => net.submit(c.streetOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-3', batchRoot: h('r'), certificates: [entry('z')] })]), 'CERT.NOT_ALLOWED');
      await expectRefused(net, () => net.submit(c.streetUser, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-3', batchRoot: h('r'), certificates: [entry('z')] })]), 'AUTH.DENIED');
    });

    it('refuses a used batch id', async () => {
      await net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-1', batchRoot: h('r'), certificates: [entry('x1')] })]);
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:IssueBatch', [JSON.stringify({ batchId: 'b-1', batchRoot: h('r2'), certificates: [entry('x2')] })]), 'CERT.ALREADY_EXISTS', 'b-1');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetBatch', ['b-9']), 'CERT.NOT_FOUND', 'b-9');
    });
  });

  describe('status changes', () => {
    it('suspends, reinstates and revokes, each with its event, reason and effective time', async () => {
      await issue('c-1');
      const s = await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'UNDER_REVIEW', 'address check', '']);
      const suspended = json<CertificateRecord>(s.payload);
      expect(suspended.status).to.equal('SUSPENDED');
      expect(suspended.suspension).to.deep.equal({ reasonCode: 'UNDER_REVIEW', reasonText: 'address check', effectiveAt: suspended.updatedAt });
      expect(s.event?.name).to.equal('CertificateSuspended');

      const r = await net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['c-1', 'REVIEW_CLEARED', '', '']);
      const reinstated = json<CertificateRecord>(r.payload);
      expect(reinstated).to.include({ status: 'ISSUED', suspension: null });
      expect(r.event?.name).to.equal('CertificateReinstated');

      const v = await net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'ISSUED_IN_ERROR', 'wrong address']);
      const revoked = json<CertificateRecord>(v.payload);
      expect(revoked.status).to.equal('REVOKED');
      expect(revoked.revocation).to.deep.equal({ reasonCode: 'ISSUED_IN_ERROR', reasonText: 'wrong address', effectiveAt: revoked.updatedAt });
      expect(revoked.statusChanges.map((x) => [x.status, x.reasonCode, x.by.cn])).to.deep.equal([
        ['SUSPENDED', 'UNDER_REVIEW', 'officer-p1'],
        ['ISSUED', 'REVIEW_CLEARED', 'officer-p1'],
        ['REVOKED', 'ISSUED_IN_ERROR', 'officer-p1'],
      ]);
      expect(v.event).to.deep.equal({ name: 'CertificateRevoked', payload: revoked });
    });

    it('refuses changes the status does not allow', async () => {
      await issue('c-1');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['c-1', 'X', '', '']), 'CERT.INVALID_STATE', 'c-1');
      await net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'SUPERSEDED', '']);
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'SUPERSEDED', '']), 'CERT.INVALID_STATE', 'REVOKED');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'X', '', '']), 'CERT.INVALID_STATE');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['c-1', 'X', '', '']), 'CERT.INVALID_STATE');
    });

    it('refuses to suspend an expired certificate', async () => {
      await issue('c-1', new Date(net.now().getTime() + 86_400_000).toISOString());
      net.advance(2 * 86_400_000);
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'X', '', '']), 'CERT.INVALID_STATE', 'expired');
    });

    it('lets only officers of the issuing organisation change a certificate', async () => {
      await issue('c-1');
      await expectRefused(net, () => net.submit(c.civilOfficer, 'certificate:RevokeCertificate', ['c-1', 'FRAUD', '']), 'CERT.NOT_ALLOWED', 'PublicSecurityMSP');
      await expectRefused(net, () => net.submit(c.policeAdmin, 'certificate:RevokeCertificate', ['c-1', 'FRAUD', '']), 'AUTH.DENIED', 'c-1');
      await expectRefused(net, () => net.submit(c.streetUser, 'certificate:SuspendCertificate', ['c-1', 'FRAUD', '', '']), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-404', 'FRAUD', '']), 'CERT.NOT_FOUND', 'c-404');
    });

    it('refuses malformed reasons and effective times outside the certificate timeline', async () => {
      const record = await issue('c-1');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'fraud', '']), 'CERT.INVALID_ARGUMENT', 'reasonCode');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'FRAUD', 'x'.repeat(501)]), 'CERT.INVALID_ARGUMENT', 'reasonText');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'FRAUD', 'line\nbreak']), 'CERT.INVALID_ARGUMENT', 'control');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificateAt', ['c-1', 'FRAUD', '', '2099-01-01T00:00:00Z']), 'CERT.INVALID_ARGUMENT', 'after the transaction time');
      const before = new Date(Date.parse(record.issuedAt) - 1000).toISOString();
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:RevokeCertificateAt', ['c-1', 'FRAUD', '', before]), 'CERT.INVALID_ARGUMENT', 'before the issue time');
      net.advance(3_600_000);
      const suspendedAt = new Date(net.now().getTime() - 60_000).toISOString();
      await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'UNDER_REVIEW', '', suspendedAt]);
      const early = new Date(Date.parse(suspendedAt) - 60_000).toISOString();
      await expectRefused(net, () => net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['c-1', 'OK', '', early]), 'CERT.INVALID_ARGUMENT', 'latest status change');
    });
  });

  describe('GetCertificateStatusAt and GetCertificateHistory', () => {
    it('answers the status at any time, counting a revocation backdated before a suspension', async () => {
      net.setTime('2025-03-01T00:00:00Z');
      await issue('c-1', '2025-12-31T00:00:00Z');
      net.setTime('2025-05-01T00:00:00Z');
      await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'UNDER_REVIEW', '', '']);
      net.setTime('2025-06-01T00:00:00Z');
      await net.submit(c.policeOfficer, 'certificate:RevokeCertificateAt', ['c-1', 'FRAUD', 'forged lease', '2025-04-01T00:00:00Z']);
      const at = async (t: string): Promise<CertificateStatusAt> => json<CertificateStatusAt>(await net.evaluate(c.streetUser, 'certificate:GetCertificateStatusAt', ['c-1', t]));
      expect((await at('2025-02-01T00:00:00Z')).status).to.equal('NOT_YET_ISSUED');
      expect(await at('2025-03-15T00:00:00Z')).to.include({ status: 'ISSUED', since: '2025-03-01T00:00:00.000Z', reasonCode: null });
      expect(await at('2025-04-15T00:00:00Z')).to.include({ status: 'REVOKED', since: '2025-04-01T00:00:00.000Z', reasonCode: 'FRAUD', reasonText: 'forged lease' });
      expect((await at('2025-05-15T00:00:00Z')).status).to.equal('REVOKED');
      expect((await at('2026-01-15T00:00:00Z')).status).to.equal('REVOKED');
    });

    it('answers SUSPENDED during a suspension and EXPIRED after validity', async () => {
      net.setTime('2025-03-01T00:00:00Z');
      await issue('c-2', '2025-09-01T00:00:00Z');
      net.setTime('2025-04-01T00:00:00Z');
      await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-2', 'UNDER_REVIEW', '', '']);
      net.setTime('2025-04-10T00:00:00Z');
      await net.submit(c.policeOfficer, 'certificate:ReinstateCertificate', ['c-2', 'REVIEW_CLEARED', '', '2025-04-05T00:00:00Z']);
      const at = async (t: string): Promise<CertificateStatusAt> => json<CertificateStatusAt>(await net.evaluate(c.streetUser, 'certificate:GetCertificateStatusAt', ['c-2', t]));
      expect(await at('2025-04-02T00:00:00Z')).to.include({ status: 'SUSPENDED', reasonCode: 'UNDER_REVIEW' });
      expect(await at('2025-04-06T00:00:00Z')).to.include({ status: 'ISSUED', since: '2025-04-05T00:00:00.000Z' });
      expect(await at('2025-09-01T00:00:00Z')).to.include({ status: 'EXPIRED', since: '2025-09-01T00:00:00.000Z' });
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetCertificateStatusAt', ['c-2', 'yesterday']), 'CERT.INVALID_ARGUMENT', 'at');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'certificate:GetCertificateStatusAt', ['c-404', '2025-04-02T00:00:00Z']), 'CERT.NOT_FOUND');
    });

    it('returns every committed version oldest first with its transaction id and time', async () => {
      const first = await net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-1', 'RESIDENCE_PROOF', h('s'), h('d'), '']);
      const second = await net.submit(c.policeOfficer, 'certificate:SuspendCertificate', ['c-1', 'UNDER_REVIEW', '', '']);
      const third = await net.submit(c.policeOfficer, 'certificate:RevokeCertificate', ['c-1', 'FRAUD', '']);
      const history = json<{ txId: string; timestamp: string; isDelete: boolean; value: CertificateRecord }[]>(
        await net.evaluate(c.auditor, 'certificate:GetCertificateHistory', ['c-1']),
      );
      expect(history.map((e) => [e.txId, e.value.status, e.isDelete])).to.deep.equal([
        [first.txId, 'ISSUED', false],
        [second.txId, 'SUSPENDED', false],
        [third.txId, 'REVOKED', false],
      ]);
      expect(history[0]?.timestamp).to.equal(history[0]?.value.issuedAt);
      await expectRefused(net, () => net.evaluate(c.auditor, 'certificate:GetCertificateHistory', ['c-404']), 'CERT.NOT_FOUND', 'c-404');
    });
  });

  describe('the chaincode as a whole', () => {
    it('describes its contracts and results in GetMetadata, certificate first and default', async () => {
      const metadata = json<{ contracts: Record<string, { transactions: { name: string; tag: string[]; returns?: { contentSchema?: { title?: string } } }[] }> }>(
        await net.evaluate(c.streetUser, 'org.hyperledger.fabric:GetMetadata', []),
      );
      expect(Object.keys(metadata.contracts)[0]).to.equal('certificate');
      const txs = metadata.contracts.certificate?.transactions ?? [];
      expect(txs.find((t) => t.name === 'GetCertificate')?.tag).to.deep.equal(['EVALUATE']);
      expect(txs.find((t) => t.name === 'IssueCertificate')?.tag).to.deep.equal(['SUBMIT', 'submitTx']);
      expect(txs.find((t) => t.name === 'GetCertificate')?.returns?.contentSchema?.title).to.equal('CertificateRecord');
      // Without a contract name the default contract answers.
      await issue('c-1');
      expect(json<CertificateRecord>(await net.evaluate(c.streetUser, 'GetCertificate', ['c-1'])).id).to.equal('c-1');
    });

    it('refuses a call with the wrong number of arguments without writing anything', async () => {
      const before = net.snapshot();
      let failure: unknown;
      try {
        await net.submit(c.policeOfficer, 'certificate:IssueCertificate', ['c-1', 'RESIDENCE_PROOF']);
      } catch (error) {
        failure = error;
      }
      expect((failure as Error).message).to.contain('Expected 5 parameters');
      expect(net.snapshot()).to.deep.equal(before);
    });

    it('stores canonical JSON: sorted keys, no whitespace', async () => {
      await issue('c-1');
      const raw = JSON.stringify(net.read('\u0000cert\u0000c-1\u0000'));
      const stored = net.snapshot().get('\u0000cert\u0000c-1\u0000')?.split('|')[0] ?? '';
      const text = Buffer.from(stored, 'base64').toString('utf8');
      const keys = Object.keys(JSON.parse(text) as object);
      expect(keys).to.deep.equal([...keys].sort());
      expect(text).to.not.match(/\s/);
      expect(raw.length).to.be.greaterThan(0);
    });
  });
});
