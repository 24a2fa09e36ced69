/**
 * Integration: chaincode `ctl`, built and run by the unmodified fabric-shim as a
 * chaincode-as-a-service process, on the devnet (our Fabric-protocol network: Gateway,
 * multi-organisation endorsement, ordering, MVCC and key-level policy validation), driven by the
 * real `@hyperledger/fabric-gateway` client over gRPC. Ephemeral ports, temporary folders.
 */
import '../support/quiet-logs';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, StatusCode, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { parseNetworkConfig, startDevnet, type Devnet } from '../../../devnet/src/index';
import { parseChaincodeError } from '../../src/errors';
import type { CertificateBatchStatus, CertificateRecord, CertificateStatusAt } from '../../src/certificate/models';
import type { CasePersonalShares, CasePersonalSharesCheck, CaseRecord, CaseStep, PersonalDataView, PersonalRecord } from '../../src/evidence/models';
import type { Account } from '../../src/timebank/models';
import { canonicalJson } from '../../src/shared/canonical';
import { sharingCollection, sharingCollections } from '../../src/shared/collections';
import { sha256 } from '../../src/shared/hash';
import type { HistoryEntry } from '../../src/shared/models';
import { ZERO_HASH } from '../../src/shared/input';
import { h } from '../support/fixtures';

const CHAINCODE_DIR = resolve(__dirname, '..', '..');
const ORGS = ['StreetOfficeMSP', 'CivilAffairsMSP', 'PublicSecurityMSP', 'AuditOfficeMSP'];
/** The organisations that handle cases share personal data pairwise; the audit office sees hashes only. */
const CASE_ORGS = ['StreetOfficeMSP', 'CivilAffairsMSP', 'PublicSecurityMSP'];

interface Client {
  readonly gateway: Gateway;
  readonly network: Network;
  readonly contract: (name: string) => Contract;
  close(): void;
}

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** The chaincode error code an endorsement failure carries, from the Gateway's error details. */
function codeOf(error: unknown): string | undefined {
  const e = error as { message?: string; details?: { message: string }[] };
  for (const text of [e.message ?? '', ...(e.details ?? []).map((d) => d.message)]) {
    const parsed = parseChaincodeError(text);
    if (parsed !== undefined) return parsed.code;
  }
  return undefined;
}

describe('chaincode ctl on the devnet through the real Gateway client (integration)', function () {
  this.timeout(300_000);
  let devnet: Devnet | undefined;
  const clients: Client[] = [];

  function client(mspId: string, identity: string): Client {
    if (devnet === undefined) throw new Error('devnet not started');
    const org = devnet.connection.organizations[mspId];
    const files = org?.identities[identity];
    if (org === undefined || files === undefined) throw new Error(`no identity ${identity} in ${mspId}`);
    const path = (p: string): string => (isAbsolute(p) ? p : join(devnet?.dataDir ?? '', p));
    const grpcClient = new grpc.Client(org.gateway, grpc.credentials.createInsecure());
    const gateway = connect({
      client: grpcClient,
      identity: { mspId, credentials: readFileSync(path(files.cert)) },
      signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(path(files.key)))),
      evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
      endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
      submitOptions: () => ({ deadline: Date.now() + 30_000 }),
      commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
    });
    const network = gateway.getNetwork(devnet.connection.channel);
    const c: Client = {
      gateway,
      network,
      contract: (name) => network.getContract('ctl', name),
      close: () => {
        gateway.close();
        grpcClient.close();
      },
    };
    clients.push(c);
    return c;
  }

  before(async function () {
    // fabric-chaincode-node loads the package's `main`, so the chaincode is built first.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(CHAINCODE_DIR, 'tsconfig.json')], { stdio: 'inherit' });
    const all = ORGS.map((o) => `'${o}.peer'`).join(', ');
    const config = parseNetworkConfig(
      {
        channel: 'community',
        organizations: [
          {
            mspId: 'StreetOfficeMSP',
            name: 'Street Office',
            identities: [
              { name: 'officer', attrs: { role: 'officer' } },
              { name: 'coordinator', attrs: { role: 'coordinator' } },
              { name: 'agent', attrs: { role: 'agent' } },
            ],
          },
          { mspId: 'CivilAffairsMSP', name: 'Civil Affairs', identities: [{ name: 'officer', attrs: { role: 'officer' } }] },
          { mspId: 'PublicSecurityMSP', name: 'Public Security', identities: [{ name: 'officer', attrs: { role: 'officer' } }] },
          { mspId: 'AuditOfficeMSP', name: 'Audit Office', identities: [{ name: 'auditor', attrs: { role: 'auditor' } }] },
        ],
        chaincodes: [{ name: 'ctl', version: '0.1.0', path: CHAINCODE_DIR, endorsementPolicy: `OutOf(2, ${all})`, collections: sharingCollections(CASE_ORGS) }],
        orderer: { batchSize: 100, batchTimeoutMs: 20 },
      },
      CHAINCODE_DIR,
    );
    devnet = await startDevnet({ config, dataDir: mkdtempSync(join(tmpdir(), 'ctl-chaincode-it-')), basePort: 0, chaincodePort: 0 });
  });

  after(async () => {
    for (const c of clients) c.close();
    if (devnet !== undefined) {
      await devnet.close();
      rmSync(devnet.dataDir, { recursive: true, force: true });
    }
  });

  it('registers a type, issues, reads, revokes, and reports CERT.* codes through the Gateway', async () => {
    const admin = client('StreetOfficeMSP', 'admin');
    const police = client('PublicSecurityMSP', 'officer');
    const type = { code: 'RESIDENCE_PROOF', name: 'Residence proof', allowedIssuerMsps: ['PublicSecurityMSP'], validityDays: 365, fields: [] };
    await admin.contract('certificate').submit('RegisterType', { arguments: [JSON.stringify(type)], endorsingOrganizations: ['StreetOfficeMSP', 'PublicSecurityMSP'] });
    // Idempotent bootstrap: the same definition again is accepted.
    await admin.contract('certificate').submit('RegisterType', { arguments: [JSON.stringify(type)] });

    const commit = await police.contract('certificate').submitAsync('IssueCertificate', { arguments: ['it-c-1', 'RESIDENCE_PROOF', h('subject'), h('doc'), ''] });
    const record = JSON.parse(utf8(commit.getResult())) as CertificateRecord;
    const status = await commit.getStatus();
    expect(status.code).to.equal(StatusCode.VALID);
    expect(record).to.include({ id: 'it-c-1', issuerMsp: 'PublicSecurityMSP', status: 'ISSUED', batchRoot: h('doc') });
    expect(record.txId).to.equal(commit.getTransactionId());

    const events = await police.network.getChaincodeEvents('ctl', { startBlock: status.blockNumber });
    try {
      for await (const event of events) {
        expect(event.eventName).to.equal('CertificateIssued');
        expect(event.transactionId).to.equal(commit.getTransactionId());
        expect(JSON.parse(utf8(event.payload))).to.deep.equal(record);
        break;
      }
    } finally {
      events.close();
    }

    const read = JSON.parse(utf8(await admin.contract('certificate').evaluate('GetCertificate', { arguments: ['it-c-1'] }))) as CertificateRecord;
    expect(read).to.deep.equal(record);

    let failure: unknown;
    try {
      await admin.contract('certificate').evaluate('GetCertificate', { arguments: ['it-c-404'] });
    } catch (error) {
      failure = error;
    }
    expect(codeOf(failure)).to.equal('CERT.NOT_FOUND');
    failure = undefined;
    try {
      await client('CivilAffairsMSP', 'officer').contract('certificate').submit('IssueCertificate', { arguments: ['it-c-2', 'RESIDENCE_PROOF', h('s'), h('d'), ''] });
    } catch (error) {
      failure = error;
    }
    expect(codeOf(failure)).to.equal('CERT.NOT_ALLOWED');

    const revoked = JSON.parse(utf8(await police.contract('certificate').submit('RevokeCertificate', { arguments: ['it-c-1', 'ISSUED_IN_ERROR', ''] }))) as CertificateRecord;
    expect(revoked.status).to.equal('REVOKED');
    const history = JSON.parse(utf8(await admin.contract('certificate').evaluate('GetCertificateHistory', { arguments: ['it-c-1'] }))) as { txId: string; value: CertificateRecord }[];
    expect(history.map((e) => [e.txId, e.value.status])).to.deep.equal([
      [commit.getTransactionId(), 'ISSUED'],
      [revoked.statusChanges[0]?.txId, 'REVOKED'],
    ]);
  });

  it('enforces the case key\'s endorsement policy on the devnet: a transfer is accepted only with both departments endorsing', async () => {
    const street = client('StreetOfficeMSP', 'officer');
    const police = client('PublicSecurityMSP', 'officer');
    const step = async (c: Client, seq: number, type: string, prev: string, refs: object, endorsers: string[]): Promise<{ case: CaseRecord; step: CaseStep }> =>
      JSON.parse(
        utf8(
          await c.contract('evidence').submit('AppendStep', {
            arguments: ['it-case-1', String(seq), type, h(`${type}-${seq}`), prev, Object.keys(refs).length === 0 ? '' : JSON.stringify(refs)],
            endorsingOrganizations: endorsers,
          }),
        ),
      ) as { case: CaseRecord; step: CaseStep };
    const opened = await step(street, 1, 'OPENED', ZERO_HASH, { matterCode: 'M07' }, ['StreetOfficeMSP', 'CivilAffairsMSP']);
    const transferred = await step(street, 2, 'TRANSFERRED', opened.step.stepHash, { toMsp: 'PublicSecurityMSP' }, ['StreetOfficeMSP', 'CivilAffairsMSP']);
    expect(transferred.case.endorsingMsps).to.deep.equal(['PublicSecurityMSP', 'StreetOfficeMSP']);

    const proposal = police.contract('evidence').newProposal('AppendStep', {
      arguments: ['it-case-1', '3', 'ACCEPTED', h('accept'), transferred.step.stepHash, ''],
      endorsingOrganizations: ['PublicSecurityMSP', 'CivilAffairsMSP'],
    });
    const refused = await (await (await proposal.endorse()).submit()).getStatus();
    expect(refused.code).to.equal(StatusCode.ENDORSEMENT_POLICY_FAILURE);

    const accepted = await step(police, 3, 'ACCEPTED', transferred.step.stepHash, {}, ['PublicSecurityMSP', 'StreetOfficeMSP']);
    expect(accepted.case.ownerMsp).to.equal('PublicSecurityMSP');
    const trace = JSON.parse(utf8(await client('AuditOfficeMSP', 'auditor').contract('evidence').evaluate('Trace', { arguments: ['it-case-1'] }))) as { intact: boolean; steps: CaseStep[] };
    expect(trace.intact).to.equal(true);
    expect(trace.steps).to.have.length(3);
  });

  it('lets exactly 10 of 50 concurrent redemptions against a balance covering 10 commit, the rest failing with a clear code', async () => {
    const admin = client('StreetOfficeMSP', 'admin');
    const agent = client('StreetOfficeMSP', 'agent');
    const coordinator = client('StreetOfficeMSP', 'coordinator');
    const tb = (c: Client): Contract => c.contract('timebank');
    const alice = h('it-alice');
    const elder = h('it-elder');
    const shop = h('it-shop');
    await tb(admin).submit('SetPolicy', {
      arguments: [JSON.stringify({ dailyCapMinutes: 480, storageCapMinutes: 90_000, maxSessionMinutes: 480, redeemRequiresEligibility: false, lotLifetimeDays: 0, dayOffsetMinutes: 480 })],
    });
    await tb(agent).submit('OpenAccount', { arguments: [alice, 'VOLUNTEER'] });
    await tb(agent).submit('OpenAccount', { arguments: [elder, 'RESIDENT'] });
    await tb(coordinator).submit('OpenAccount', { arguments: [shop, 'PROVIDER'] });
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    const start = new Date(end.getTime() - 60 * 60_000);
    await tb(agent).submit('LogSession', { arguments: ['it-s-1', alice, elder, 'ELDER_VISIT', start.toISOString(), end.toISOString()] });
    await tb(agent).submit('ConfirmSession', { arguments: ['it-s-1'] });
    await tb(coordinator).submit('AttestSession', { arguments: ['it-s-1', h('evidence')] });

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const id = `it-r-${i}`;
        for (let attempt = 0; attempt < 60; attempt++) {
          try {
            const commit = await tb(agent).submitAsync('Redeem', { arguments: [id, alice, shop, '6', `order-${i}`] });
            const status = await commit.getStatus();
            if (status.code === StatusCode.VALID) return 'VALID';
            if (status.code !== StatusCode.MVCC_READ_CONFLICT && status.code !== StatusCode.PHANTOM_READ_CONFLICT) return `COMMIT_${status.code}`;
          } catch (error) {
            return codeOf(error) ?? `ERROR ${(error as Error).message}`;
          }
        }
        return 'GAVE_UP';
      }),
    );
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    expect(counts).to.deep.equal({ VALID: 10, 'TIMEBANK.INSUFFICIENT_BALANCE': 40 });
    const account = JSON.parse(utf8(await tb(agent).evaluate('GetAccount', { arguments: [alice] }))) as Account;
    expect(account.timeBalance).to.equal(0);
    expect(account.time.redeemed).to.equal(60);
    // The statement pages through the devnet's paginated range queries: MINT then ten REDEEMs.
    let bookmark = '';
    const kinds: string[] = [];
    do {
      const page = JSON.parse(utf8(await tb(agent).evaluate('GetStatement', { arguments: [alice, '4', bookmark] }))) as { entries: { kind: string }[]; bookmark: string };
      kinds.push(...page.entries.map((e) => e.kind));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(kinds).to.deep.equal(['MINT', ...Array.from({ length: 10 }, () => 'REDEEM')]);
  });

  /** The refusal a call ends with: its chaincode code and every message the Gateway carried. */
  async function refusal(call: () => Promise<unknown>): Promise<{ code: string | undefined; text: string }> {
    try {
      await call();
    } catch (error) {
      const e = error as { message?: string; details?: { message: string }[] };
      return { code: codeOf(error), text: [e.message ?? '', ...(e.details ?? []).map((d) => d.message)].join('\n') };
    }
    throw new Error('expected the call to be refused');
  }

  it('revokes a whole batch with one transaction and one event; every certificate reads REVOKED, at a time and in its history', async () => {
    const police = client('PublicSecurityMSP', 'officer');
    const auditor = client('AuditOfficeMSP', 'auditor');
    const ids = ['it-b-1', 'it-b-2', 'it-b-3'];
    const batch = {
      batchId: 'it-batch-1',
      batchRoot: h('it-batch-root'),
      certificates: ids.map((id) => ({ id, typeCode: 'RESIDENCE_PROOF', subjectRef: h(`s-${id}`), documentHash: h(`d-${id}`), validUntil: '' })),
    };
    await police.contract('certificate').submit('IssueBatch', { arguments: [JSON.stringify(batch)] });
    const issuedAt = (JSON.parse(utf8(await auditor.contract('certificate').evaluate('GetCertificate', { arguments: ['it-b-1'] }))) as CertificateRecord).issuedAt;
    const commit = await police.contract('certificate').submitAsync('RevokeBatch', { arguments: ['it-batch-1', 'SEAL_FORGED', 'seal forged', ''] });
    const status = await commit.getStatus();
    expect(status.code).to.equal(StatusCode.VALID);
    const revoked = JSON.parse(utf8(commit.getResult())) as CertificateBatchStatus;
    expect(revoked).to.include({ batchId: 'it-batch-1', batchRoot: h('it-batch-root'), status: 'REVOKED', batchSize: 3 });

    const events = await auditor.network.getChaincodeEvents('ctl', { startBlock: status.blockNumber });
    try {
      for await (const event of events) {
        if (event.transactionId !== commit.getTransactionId()) continue;
        expect(event.eventName).to.equal('CertificateBatchRevoked');
        expect(JSON.parse(utf8(event.payload))).to.deep.equal(revoked);
        break;
      }
    } finally {
      events.close();
    }

    const effectiveAt = revoked.revocation?.effectiveAt ?? '';
    for (const id of ids) {
      const record = JSON.parse(utf8(await auditor.contract('certificate').evaluate('GetCertificate', { arguments: [id] }))) as CertificateRecord;
      expect(record.status, id).to.equal('REVOKED');
      expect(record.revocation?.reasonCode).to.equal('SEAL_FORGED');
      expect(record.statusChanges.at(-1)).to.include({ scope: 'BATCH', batchId: 'it-batch-1', txId: commit.getTransactionId() });
      const at = (instant: string): Promise<CertificateStatusAt> =>
        auditor.contract('certificate').evaluate('GetCertificateStatusAt', { arguments: [id, instant] }).then((b) => JSON.parse(utf8(b)) as CertificateStatusAt);
      expect((await at(issuedAt)).status).to.equal('ISSUED');
      expect((await at(effectiveAt)).status).to.equal('REVOKED');
      const history = JSON.parse(utf8(await auditor.contract('certificate').evaluate('GetCertificateHistory', { arguments: [id] }))) as HistoryEntry<CertificateRecord>[];
      expect(history.map((e) => [e.scope, e.value?.status])).to.deep.equal([
        ['CERTIFICATE', 'ISSUED'],
        ['BATCH', 'REVOKED'],
      ]);
    }
    const refused = await refusal(() => police.contract('certificate').submit('SuspendCertificate', { arguments: ['it-b-2', 'LATE', '', ''] }));
    expect(refused.code).to.equal('CERT.INVALID_STATE');
  });

  it('shares personal details only through the pair collection of the departments involved, with nothing but hashes on the channel', async () => {
    const street = client('StreetOfficeMSP', 'officer');
    const civil = client('CivilAffairsMSP', 'officer');
    const police = client('PublicSecurityMSP', 'officer');
    const auditor = client('AuditOfficeMSP', 'auditor');
    const agent = client('StreetOfficeMSP', 'agent');
    const coordinator = client('StreetOfficeMSP', 'coordinator');
    const details = { salt: `0x${'5a'.repeat(32)}`, name: '王秀英 Wang Xiuying', phone: '13912345678', identityNumber: '110101195001011234', address: '北京市东城区 Lane 7, Flat 302', note: 'hard of hearing; prefers visits' };
    const transient = (value: unknown): Record<string, Uint8Array> => ({ personalData: Buffer.from(JSON.stringify(value), 'utf8') });
    const evidence = (c: Client): Contract => c.contract('evidence');
    let head = ZERO_HASH;
    let seq = 0;
    let lastBlock = 0n;
    // The Gateway plans each step's endorsers from the case key's policy (the departments involved).
    const step = async (c: Client, type: string, refs: object = {}): Promise<{ case: CaseRecord; step: CaseStep }> => {
      seq += 1;
      const commit = await evidence(c).submitAsync('AppendStep', { arguments: ['it-pd-1', String(seq), type, h(`${type}-${seq}`), head, Object.keys(refs).length === 0 ? '' : JSON.stringify(refs)] });
      const status = await commit.getStatus();
      expect(status.code, `${type} step`).to.equal(StatusCode.VALID);
      lastBlock = status.blockNumber;
      const result = JSON.parse(utf8(commit.getResult())) as { case: CaseRecord; step: CaseStep };
      head = result.step.stepHash;
      return result;
    };

    await step(street, 'OPENED', { matterCode: 'M12', subjectRef: h('resident-wang'), lane: 'GREEN' });
    // Nothing to share with before another department is involved.
    expect((await refusal(() => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient(details) }))).code).to.equal(
      'EVIDENCE.NOT_ALLOWED',
    );
    await step(street, 'TRANSFERRED', { toMsp: 'CivilAffairsMSP' });

    // The Gateway plans the endorsers from the collection's policy (both members' peers).
    const commit = await evidence(street).submitAsync('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient(details) });
    const shared = await commit.getStatus();
    expect(shared.code).to.equal(StatusCode.VALID);
    const shares = JSON.parse(utf8(commit.getResult())) as CasePersonalShares;
    expect(shares.shares.map((x) => [x.collection, x.fromMsp, x.toMsp, x.caseState])).to.deep.equal([
      [sharingCollection('StreetOfficeMSP', 'CivilAffairsMSP'), 'StreetOfficeMSP', 'CivilAffairsMSP', 'TRANSFERRED'],
    ]);

    // The receiving department reads its own peer's copy; the hash recorded publicly matches it.
    const copy = JSON.parse(utf8(await evidence(civil).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))) as PersonalDataView;
    expect(copy.details).to.deep.equal(details);
    expect(copy.dataHash).to.equal(shares.shares[0]?.dataHash);
    const { collection: _c, dataHash: _d, ...value } = copy;
    expect(sha256(canonicalJson(value satisfies PersonalRecord))).to.equal(copy.dataHash);
    // Another department, and the audit office, cannot read it; the auditor can check the hash.
    expect((await refusal(() => evidence(police).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('EVIDENCE.NOT_ALLOWED');
    expect((await refusal(() => evidence(auditor).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('AUTH.DENIED');
    const checked = JSON.parse(utf8(await evidence(auditor).evaluate('GetPersonalDataShares', { arguments: ['it-pd-1'] }))) as CasePersonalSharesCheck;
    expect(checked.shares.map((x) => x.current)).to.deep.equal([true]);

    // Bad requests are refused with a code, and never echo the details.
    const bad: [string, () => Promise<unknown>, string][] = [
      ['no transient map', () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'] }), 'EVIDENCE.INVALID_ARGUMENT'],
      [
        'an unknown field',
        () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient({ ...details, birthDate: '1950-01-01' }) }),
        'EVIDENCE.INVALID_ARGUMENT',
      ],
      [
        'a bad phone number',
        () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient({ ...details, phone: 'call 13912345678 please' }) }),
        'EVIDENCE.INVALID_ARGUMENT',
      ],
      [
        'no salt',
        () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient({ name: details.name }) }),
        'EVIDENCE.INVALID_ARGUMENT',
      ],
      ['a department not involved', () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["PublicSecurityMSP"]'], transientData: transient(details) }), 'EVIDENCE.NOT_ALLOWED'],
      ['itself', () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', '["StreetOfficeMSP"]'], transientData: transient(details) }), 'EVIDENCE.INVALID_ARGUMENT'],
      ['not the owner', () => evidence(civil).submit('SharePersonalData', { arguments: ['it-pd-1', '["StreetOfficeMSP"]'], transientData: transient(details) }), 'EVIDENCE.NOT_ALLOWED'],
      ['a coordinator', () => evidence(coordinator).submit('SharePersonalData', { arguments: ['it-pd-1', '["CivilAffairsMSP"]'], transientData: transient(details) }), 'AUTH.DENIED'],
      ['malformed recipients', () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-1', 'CivilAffairsMSP'], transientData: transient(details) }), 'EVIDENCE.INVALID_ARGUMENT'],
      ['an unknown case', () => evidence(street).submit('SharePersonalData', { arguments: ['it-pd-404', '["CivilAffairsMSP"]'], transientData: transient(details) }), 'EVIDENCE.NOT_FOUND'],
    ];
    for (const [what, call, code] of bad) {
      const refused = await refusal(call);
      expect(refused.code, what).to.equal(code);
      for (const secret of ['13912345678', '110101195001011234', 'Wang Xiuying']) expect(refused.text, what).to.not.contain(secret);
    }

    // Civil affairs takes the case over and consults both others: one sharing writes two pair collections.
    await step(civil, 'ACCEPTED');
    await step(civil, 'CONSULTATION_OPENED', { consultedMsps: ['PublicSecurityMSP', 'StreetOfficeMSP'] });
    const consult = JSON.parse(
      utf8(await evidence(civil).submit('SharePersonalData', { arguments: ['it-pd-1', '["PublicSecurityMSP","StreetOfficeMSP"]'], transientData: transient({ ...details, salt: `0x${'6b'.repeat(32)}` }) })),
    ) as CasePersonalShares;
    expect(consult.shares.slice(1).map((x) => x.collection)).to.deep.equal([
      sharingCollection('CivilAffairsMSP', 'PublicSecurityMSP'),
      sharingCollection('CivilAffairsMSP', 'StreetOfficeMSP'),
    ]);
    expect((JSON.parse(utf8(await evidence(police).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))) as PersonalDataView).details.name).to.equal(details.name);
    const rechecked = JSON.parse(utf8(await evidence(auditor).evaluate('GetPersonalDataShares', { arguments: ['it-pd-1'] }))) as CasePersonalSharesCheck;
    // The pair (civil affairs, street office) was written again: the first sharing is no longer current.
    expect(rechecked.shares.map((x) => x.current)).to.deep.equal([false, true, true]);

    // Copies are kept while the case is open.
    expect((await refusal(() => evidence(police).submit('ForgetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('EVIDENCE.INVALID_TRANSITION');

    // The case goes on to completion and the resident rates it through the portal's agent identity.
    await step(police, 'CONSULTED');
    await step(street, 'CONSULTED');
    await step(civil, 'CONSULTATION_CLOSED');
    await step(civil, 'COMPLETED');
    const rated = await step(agent, 'EVALUATED', { level: 5 });
    expect(rated.step.actor).to.include({ msp: 'StreetOfficeMSP', role: 'agent' });
    expect(rated.case.rating).to.equal(5);

    // Once the case is closed, each department deletes its copies; the hashes stay.
    const policeForgot = JSON.parse(utf8(await evidence(police).submit('ForgetPersonalData', { arguments: ['it-pd-1'] }))) as CasePersonalShares;
    expect(policeForgot.forgotten.map((f) => [f.collection, f.forgottenBy.msp])).to.deep.equal([[sharingCollection('CivilAffairsMSP', 'PublicSecurityMSP'), 'PublicSecurityMSP']]);
    expect((await refusal(() => evidence(police).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('EVIDENCE.NOT_FOUND');
    expect((JSON.parse(utf8(await evidence(civil).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))) as PersonalDataView).toMsp).to.equal('StreetOfficeMSP');
    const civilForgot = JSON.parse(utf8(await evidence(civil).submit('ForgetPersonalData', { arguments: ['it-pd-1'] }))) as CasePersonalShares;
    expect(civilForgot.forgotten.map((f) => f.collection)).to.deep.equal([sharingCollection('CivilAffairsMSP', 'PublicSecurityMSP'), sharingCollection('CivilAffairsMSP', 'StreetOfficeMSP')]);
    expect((await refusal(() => evidence(street).evaluate('GetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('EVIDENCE.NOT_FOUND');
    // Forgetting again changes nothing; the audit office may not delete anything.
    const again = await evidence(street).submitAsync('ForgetPersonalData', { arguments: ['it-pd-1'] });
    expect(JSON.parse(utf8(again.getResult()))).to.deep.equal(civilForgot);
    lastBlock = (await again.getStatus()).blockNumber;
    expect((await refusal(() => evidence(auditor).submit('ForgetPersonalData', { arguments: ['it-pd-1'] }))).code).to.equal('AUTH.DENIED');
    const afterwards = JSON.parse(utf8(await evidence(auditor).evaluate('GetPersonalDataShares', { arguments: ['it-pd-1'] }))) as CasePersonalSharesCheck;
    expect(afterwards.shares.map((x) => x.current)).to.deep.equal([false, false, false]);

    // Every block of the channel, read through the Deliver service: hashes, never the details.
    const blocks = await auditor.network.getBlockEvents({ startBlock: 0n });
    const chunks: Buffer[] = [];
    try {
      for await (const block of blocks) {
        chunks.push(Buffer.from(block.serializeBinary()));
        if (BigInt(block.getHeader()?.getNumber() ?? 0) >= lastBlock) break;
      }
    } finally {
      blocks.close();
    }
    const channel = Buffer.concat(chunks);
    expect(channel.includes(Buffer.from(shares.shares[0]?.dataHash ?? 'x', 'utf8')), 'the public record of the sharing is on the channel').to.equal(true);
    for (const secret of [details.name, details.phone, details.identityNumber, details.address, details.note, details.salt, '5a'.repeat(32)]) {
      expect(channel.includes(Buffer.from(secret, 'utf8')), secret).to.equal(false);
    }
  });
});
