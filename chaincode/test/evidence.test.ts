import './support/quiet-logs';
import { expect } from 'chai';
import type { CaseRecord, CaseStep, CaseTrace } from '../src/evidence/models';
import { verifyChain } from '../src/evidence/rules';
import { ZERO_HASH } from '../src/shared/input';
import { cast, expectRefused, h, identity, json, type Cast } from './support/fixtures';
import type { TestIdentity } from './support/identities';
import { CommitFailure, TestNetwork, TxValidationCode, type Committed } from './support/peer';

interface Appended {
  readonly case: CaseRecord;
  readonly step: CaseStep;
}

/** Drives one case: remembers its head and asks the peers the case names to endorse. */
class CaseDriver {
  seq = 0;
  head = ZERO_HASH;
  endorsers: string[] = [];

  constructor(
    private readonly net: TestNetwork,
    readonly caseId: string,
  ) {}

  private endorsersFor(who: TestIdentity): string[] {
    const set = new Set([...this.endorsers, who.mspId]);
    if (set.size < 2) set.add(who.mspId === 'StreetOfficeMSP' ? 'CivilAffairsMSP' : 'StreetOfficeMSP');
    return [...set];
  }

  async step(who: TestIdentity, stepType: string, refs: Record<string, unknown> = {}, payload = `${this.caseId}-${stepType}-${this.seq + 1}`): Promise<Appended> {
    const result = await this.net.submit(
      who,
      'evidence:AppendStep',
      [this.caseId, String(this.seq + 1), stepType, h(payload), this.head, Object.keys(refs).length === 0 ? '' : JSON.stringify(refs)],
      { endorsers: this.endorsersFor(who) },
    );
    const appended = json<Appended>(result.payload);
    this.seq = appended.step.seq;
    this.head = appended.step.stepHash;
    this.endorsers = [...appended.case.endorsingMsps];
    return appended;
  }

  /** The arguments of the next step, for refusal tests. */
  args(stepType: string, refs: Record<string, unknown> = {}, overrides: { seq?: string; prevHash?: string } = {}): string[] {
    return [this.caseId, overrides.seq ?? String(this.seq + 1), stepType, h('payload'), overrides.prevHash ?? this.head, Object.keys(refs).length === 0 ? '' : JSON.stringify(refs)];
  }

  submit(who: TestIdentity, args: string[]): Promise<Committed> {
    return this.net.submit(who, 'evidence:AppendStep', args, { endorsers: this.endorsersFor(who) });
  }
}

describe('EvidenceContract', function () {
  this.timeout(60_000);
  let c: Cast;
  let net: TestNetwork;

  before(async () => {
    c = await cast();
  });

  beforeEach(() => {
    net = new TestNetwork();
  });

  async function opened(caseId = 'case-1', who?: TestIdentity): Promise<CaseDriver> {
    const d = new CaseDriver(net, caseId);
    await d.step(who ?? c.streetOfficer, 'OPENED', { matterCode: 'M07', subjectRef: h('resident'), lane: 'GREEN' });
    return d;
  }

  it('records a case end to end: transfer, joint consultation, verification, contract, completion, rating and appeal', async () => {
    const d = new CaseDriver(net, 'case-1');
    const open = await d.step(c.streetOfficer, 'OPENED', { matterCode: 'M07', subjectRef: h('resident'), lane: 'GREEN' });
    expect(open.step).to.include({ seq: 1, stepType: 'OPENED', prevHash: ZERO_HASH, stateBefore: null, stateAfter: 'OPENED' });
    expect(open.step.actor).to.deep.equal({ msp: 'StreetOfficeMSP', cn: 'officer-s1', role: 'officer' });
    expect(open.case).to.include({ matterCode: 'M07', subjectRef: h('resident'), lane: 'GREEN', ownerMsp: 'StreetOfficeMSP', state: 'OPENED' });

    const accepted = await d.step(c.streetOfficer, 'ACCEPTED');
    expect(accepted.case.responsible).to.deep.equal({ msp: 'StreetOfficeMSP', cn: 'officer-s1' });
    const transferred = await d.step(c.streetOfficer, 'TRANSFERRED', { toMsp: 'PublicSecurityMSP' });
    expect(transferred.case).to.include({ state: 'TRANSFERRED', transferToMsp: 'PublicSecurityMSP' });
    expect(transferred.case.endorsingMsps).to.deep.equal(['PublicSecurityMSP', 'StreetOfficeMSP']);
    expect(net.keyEndorsers('\u0000case\u0000case-1\u0000')).to.deep.equal(['PublicSecurityMSP', 'StreetOfficeMSP']);

    const taken = await d.step(c.policeOfficer, 'ACCEPTED');
    expect(taken.case).to.include({ ownerMsp: 'PublicSecurityMSP', transferToMsp: null });
    expect(taken.case.responsible).to.deep.equal({ msp: 'StreetOfficeMSP', cn: 'officer-s1' });
    expect(net.keyEndorsers('\u0000case\u0000case-1\u0000')).to.deep.equal(['PublicSecurityMSP']);

    const consult = await d.step(c.policeOfficer, 'CONSULTATION_OPENED', { consultedMsps: ['HRSocialSecurityMSP', 'CivilAffairsMSP'] });
    expect(consult.case.consultedMsps).to.deep.equal(['CivilAffairsMSP', 'HRSocialSecurityMSP']);
    expect(net.keyEndorsers('\u0000case\u0000case-1\u0000')).to.deep.equal(['CivilAffairsMSP', 'HRSocialSecurityMSP', 'PublicSecurityMSP']);
    await d.step(c.civilOfficer, 'CONSULTED');
    await d.step(c.hrOfficer, 'CONSULTED');
    await d.step(c.civilOfficer, 'CERTIFICATE_VERIFIED', { certificateIds: ['c-1', 'c-2'] });
    const closed = await d.step(c.policeOfficer, 'CONSULTATION_CLOSED');
    expect(closed.case).to.include({ state: 'ACCEPTED' });
    expect(closed.case.consultedMsps).to.deep.equal([]);
    await d.step(c.policeOfficer, 'CONTRACT_SIGNED');
    await d.step(c.policeOfficer, 'COMPLETED');
    const rated = await d.step(c.streetAgent, 'EVALUATED', { level: 2 });
    expect(rated.case).to.include({ state: 'EVALUATED', rating: 2 });
    await d.step(c.policeOfficer, 'APPEALED');
    const decided = await d.step(c.auditor, 'APPEAL_DECIDED', { outcome: 'OVERTURNED' });
    expect(decided.case).to.include({ state: 'EVALUATED', ratingOverturned: true, appealed: true });
    await d.step(c.streetCoordinator, 'FOLLOWED_UP');

    const trace = json<CaseTrace>(await net.evaluate(c.auditor, 'evidence:Trace', ['case-1']));
    expect(trace.intact).to.equal(true);
    expect(trace.brokenAt).to.equal(null);
    expect(trace.steps.map((s) => s.stepType)).to.deep.equal([
      'OPENED',
      'ACCEPTED',
      'TRANSFERRED',
      'ACCEPTED',
      'CONSULTATION_OPENED',
      'CONSULTED',
      'CONSULTED',
      'CERTIFICATE_VERIFIED',
      'CONSULTATION_CLOSED',
      'CONTRACT_SIGNED',
      'COMPLETED',
      'EVALUATED',
      'APPEALED',
      'APPEAL_DECIDED',
      'FOLLOWED_UP',
    ]);
    expect(trace.steps.map((s) => s.actor.msp)).to.deep.equal([
      'StreetOfficeMSP',
      'StreetOfficeMSP',
      'StreetOfficeMSP',
      'PublicSecurityMSP',
      'PublicSecurityMSP',
      'CivilAffairsMSP',
      'HRSocialSecurityMSP',
      'CivilAffairsMSP',
      'PublicSecurityMSP',
      'PublicSecurityMSP',
      'PublicSecurityMSP',
      'StreetOfficeMSP',
      'PublicSecurityMSP',
      'AuditOfficeMSP',
      'StreetOfficeMSP',
    ]);
    for (let i = 1; i < trace.steps.length; i++) expect(trace.steps[i]?.prevHash).to.equal(trace.steps[i - 1]?.stepHash);
    expect(trace.case.headHash).to.equal(trace.steps[trace.steps.length - 1]?.stepHash);
    expect(json<CaseStep>(await net.evaluate(c.streetOfficer, 'evidence:GetStep', ['case-1', '4'])).actor.cn).to.equal('officer-p1');
    expect(json<CaseRecord>(await net.evaluate(c.streetOfficer, 'evidence:GetCase', ['case-1'])).seq).to.equal(15);
  });

  it('emits CaseStepAppended with the case and the step, taking the time from the transaction', async () => {
    const at = net.now().toISOString();
    const result = await net.submit(c.streetOfficer, 'evidence:AppendStep', ['case-9', '1', 'OPENED', h('p'), ZERO_HASH, JSON.stringify({ matterCode: 'M01' })]);
    const appended = json<Appended>(result.payload);
    expect(appended.step.recordedAt).to.equal(at);
    expect(appended.step.txId).to.equal(result.txId);
    expect(result.event).to.deep.equal({ name: 'CaseStepAppended', payload: appended });
  });

  describe('the hash chain', () => {
    it('refuses a wrong sequence number, a replayed step and a second opening', async () => {
      const d = await opened();
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('ACCEPTED', {}, { seq: '3' })), 'EVIDENCE.WRONG_SEQUENCE', 'expects step 2');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('ACCEPTED', {}, { seq: '1', prevHash: ZERO_HASH })), 'EVIDENCE.WRONG_SEQUENCE');
      await expectRefused(
        net,
        () => net.submit(c.streetOfficer, 'evidence:AppendStep', ['case-1', '1', 'OPENED', h('x'), ZERO_HASH, JSON.stringify({ matterCode: 'M07' })]),
        'EVIDENCE.ALREADY_EXISTS',
        'case-1',
      );
    });

    it('refuses a step whose previous hash is not the head (a fork)', async () => {
      const d = await opened();
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('ACCEPTED', {}, { prevHash: h('elsewhere') })), 'EVIDENCE.FORK', 'case-1');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('ACCEPTED', {}, { prevHash: ZERO_HASH })), 'EVIDENCE.FORK');
      await expectRefused(
        net,
        () => net.submit(c.streetOfficer, 'evidence:AppendStep', ['case-2', '1', 'OPENED', h('x'), h('not-zero'), JSON.stringify({ matterCode: 'M07' })]),
        'EVIDENCE.FORK',
      );
    });

    it('lets only one of two competing steps at the same height commit', async () => {
      const d = await opened();
      const a = await net.endorse(c.streetOfficer, 'evidence:AppendStep', d.args('ACCEPTED'), { endorsers: ['StreetOfficeMSP', 'CivilAffairsMSP'] });
      const b = await net.endorse(c.streetOfficer, 'evidence:AppendStep', d.args('REJECTED', { reasonCode: 'MISSING_DOCUMENTS' }), {
        endorsers: ['StreetOfficeMSP', 'CivilAffairsMSP'],
      });
      expect(net.commit([a, b]).map((t) => t.code)).to.deep.equal([TxValidationCode.VALID, TxValidationCode.MVCC_READ_CONFLICT]);
      const trace = json<CaseTrace>(await net.evaluate(c.auditor, 'evidence:Trace', ['case-1']));
      expect(trace.steps.map((s) => s.stepType)).to.deep.equal(['OPENED', 'ACCEPTED']);
      expect(trace.intact).to.equal(true);
    });

    it('refuses steps on unknown cases', async () => {
      await expectRefused(net, () => net.submit(c.streetOfficer, 'evidence:AppendStep', ['nope', '2', 'ACCEPTED', h('x'), h('y'), '']), 'EVIDENCE.NOT_FOUND', 'nope');
      await expectRefused(net, () => net.evaluate(c.auditor, 'evidence:GetCase', ['nope']), 'EVIDENCE.NOT_FOUND');
      await expectRefused(net, () => net.evaluate(c.auditor, 'evidence:Trace', ['nope']), 'EVIDENCE.NOT_FOUND');
      await expectRefused(net, () => net.evaluate(c.auditor, 'evidence:GetStep', ['nope', '1']), 'EVIDENCE.NOT_FOUND');
    });

    it('detects a tampered, missing or reordered step when re-checking a chain (pure logic)', async () => {
      const d = await opened();
      await d.step(c.streetOfficer, 'ACCEPTED');
      await d.step(c.streetOfficer, 'COMPLETED');
      const trace = json<CaseTrace>(await net.evaluate(c.auditor, 'evidence:Trace', ['case-1']));
      const steps = [...trace.steps];
      expect(verifyChain(trace.case, steps)).to.deep.equal({ intact: true, brokenAt: null });
      const tampered = steps.map((s) => (s.seq === 2 ? { ...s, payloadHash: h('forged') } : s));
      expect(verifyChain(trace.case, tampered)).to.deep.equal({ intact: false, brokenAt: 2 });
      expect(verifyChain(trace.case, [steps[0]!, steps[2]!])).to.deep.equal({ intact: false, brokenAt: 2 });
      expect(verifyChain(trace.case, steps.slice(0, 2))).to.deep.equal({ intact: false, brokenAt: 3 });
    });
  });

  describe('the state machine', () => {
    it('refuses steps the state does not allow', async () => {
      const d = await opened();
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('COMPLETED')), 'EVIDENCE.INVALID_TRANSITION', 'OPENED');
      await expectRefused(net, () => d.submit(c.streetAgent, d.args('EVALUATED', { level: 5 })), 'EVIDENCE.INVALID_TRANSITION');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('CONSULTED')), 'EVIDENCE.INVALID_TRANSITION');
      await d.step(c.streetOfficer, 'ACCEPTED');
      await d.step(c.streetOfficer, 'COMPLETED');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('COMPLETED')), 'EVIDENCE.INVALID_TRANSITION', 'COMPLETED');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('APPEALED')), 'EVIDENCE.INVALID_TRANSITION');
      await d.step(c.streetAgent, 'EVALUATED', { level: 4 });
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('APPEALED')), 'EVIDENCE.INVALID_TRANSITION', 'rating of 2 or less');
    });

    it('allows one appeal of a bad rating, decided by another organisation', async () => {
      const d = await opened();
      await d.step(c.streetOfficer, 'REJECTED', { reasonCode: 'NOT_ELIGIBLE' });
      await d.step(c.northAgent, 'EVALUATED', { level: 1 });
      await d.step(c.streetOfficer, 'APPEALED');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('APPEAL_DECIDED', { outcome: 'UPHELD' })), 'EVIDENCE.NOT_ALLOWED', 'other than the owner');
      const decided = await d.step(c.auditor, 'APPEAL_DECIDED', { outcome: 'UPHELD' });
      expect(decided.case).to.include({ ratingOverturned: false, rating: 1 });
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('APPEALED')), 'EVIDENCE.INVALID_TRANSITION', 'already appealed');
    });

    it('closes a consultation only when every consulted department gave its opinion, once each', async () => {
      const d = await opened();
      await d.step(c.streetOfficer, 'ACCEPTED');
      await d.step(c.streetOfficer, 'CONSULTATION_OPENED', { consultedMsps: ['CivilAffairsMSP', 'HealthMSP'] });
      await d.step(c.civilOfficer, 'CONSULTED');
      await expectRefused(net, () => d.submit(c.civilOfficer, d.args('CONSULTED')), 'EVIDENCE.INVALID_TRANSITION', 'already gave');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('CONSULTATION_CLOSED')), 'EVIDENCE.INVALID_TRANSITION', 'HealthMSP');
      await d.step(c.healthOfficer, 'CONSULTED');
      expect((await d.step(c.streetOfficer, 'CONSULTATION_CLOSED')).case.state).to.equal('ACCEPTED');
    });

    it('takes steps only from the organisation they belong to', async () => {
      const d = await opened();
      await expectRefused(net, () => d.submit(c.policeOfficer, d.args('ACCEPTED')), 'EVIDENCE.NOT_ALLOWED', 'StreetOfficeMSP');
      await d.step(c.streetOfficer, 'TRANSFERRED', { toMsp: 'PublicSecurityMSP' });
      await expectRefused(net, () => d.submit(c.civilOfficer, d.args('ACCEPTED')), 'EVIDENCE.NOT_ALLOWED', 'PublicSecurityMSP');
      await d.step(c.policeOfficer, 'ACCEPTED');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('COMPLETED')), 'EVIDENCE.NOT_ALLOWED', 'PublicSecurityMSP');
      await d.step(c.policeOfficer, 'CONSULTATION_OPENED', { consultedMsps: ['CivilAffairsMSP'] });
      await expectRefused(net, () => d.submit(c.healthOfficer, d.args('CONSULTED')), 'EVIDENCE.NOT_ALLOWED', 'consulted');
    });

    it('denies roles that may not take a step, and reads to identities without a role', async () => {
      const d = await opened();
      await expectRefused(net, () => net.submit(c.streetAgent, 'evidence:AppendStep', ['case-2', '1', 'OPENED', h('p'), ZERO_HASH, JSON.stringify({ matterCode: 'M01' })]), 'AUTH.DENIED');
      await expectRefused(net, () => d.submit(c.streetUser, d.args('ACCEPTED')), 'AUTH.DENIED');
      await d.step(c.streetOfficer, 'ACCEPTED');
      await d.step(c.streetOfficer, 'COMPLETED');
      await expectRefused(net, () => d.submit(c.streetCoordinator, d.args('EVALUATED', { level: 3 })), 'AUTH.DENIED');
      // Agents act for residents from the street offices only.
      const departmentAgent = await identity('HealthMSP', 'portal-h1', { role: 'agent' });
      await expectRefused(net, () => d.submit(departmentAgent, d.args('EVALUATED', { level: 3 })), 'AUTH.DENIED', 'HealthMSP');
      await expectRefused(net, () => net.evaluate(departmentAgent, 'evidence:GetCase', ['case-1']), 'AUTH.DENIED');
      expect(json<{ caseId: string }>(await net.evaluate(c.northAgent, 'evidence:GetCase', ['case-1'])).caseId).to.equal('case-1');
      await d.step(c.streetAgent, 'EVALUATED', { level: 1 });
      await d.step(c.streetOfficer, 'APPEALED');
      await expectRefused(net, () => d.submit(c.fakeAuditor, d.args('APPEAL_DECIDED', { outcome: 'UPHELD' })), 'AUTH.DENIED');
      await expectRefused(net, () => d.submit(c.policeOfficer, d.args('APPEAL_DECIDED', { outcome: 'UPHELD' })), 'AUTH.DENIED');
      await expectRefused(net, () => d.submit(c.policeOfficer, d.args('FOLLOWED_UP')), 'AUTH.DENIED');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'evidence:Trace', ['case-1']), 'AUTH.DENIED');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'evidence:GetCase', ['case-1']), 'AUTH.DENIED');
    });
  });

  describe('endorsement by the departments involved', () => {
    async function expectPolicyFailure(call: () => Promise<unknown>): Promise<void> {
      let failure: unknown;
      try {
        await call();
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(CommitFailure);
      expect((failure as CommitFailure).code).to.equal(TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    }

    it('needs every consulted department to endorse steps during a joint consultation', async () => {
      const d = await opened();
      await d.step(c.streetOfficer, 'ACCEPTED');
      await d.step(c.streetOfficer, 'CONSULTATION_OPENED', { consultedMsps: ['CivilAffairsMSP', 'HealthMSP'] });
      await expectPolicyFailure(() => net.submit(c.civilOfficer, 'evidence:AppendStep', d.args('CONSULTED'), { endorsers: ['CivilAffairsMSP', 'StreetOfficeMSP'] }));
      const ok = await net.submit(c.civilOfficer, 'evidence:AppendStep', d.args('CONSULTED'), { endorsers: ['CivilAffairsMSP', 'StreetOfficeMSP', 'HealthMSP'] });
      expect(ok.code).to.equal(TxValidationCode.VALID);
    });

    it('needs the receiving department to endorse its acceptance of a transfer, and the sender too', async () => {
      const d = await opened();
      await d.step(c.streetOfficer, 'TRANSFERRED', { toMsp: 'PublicSecurityMSP' });
      await expectPolicyFailure(() => net.submit(c.policeOfficer, 'evidence:AppendStep', d.args('ACCEPTED'), { endorsers: ['PublicSecurityMSP', 'CivilAffairsMSP'] }));
    });

    it("needs the owner's endorsement for a step taken by someone else (a rating)", async () => {
      const d = await opened('case-1', c.policeOfficer);
      await d.step(c.policeOfficer, 'ACCEPTED');
      await d.step(c.policeOfficer, 'COMPLETED');
      await expectPolicyFailure(() => net.submit(c.streetAgent, 'evidence:AppendStep', d.args('EVALUATED', { level: 5 }), { endorsers: ['StreetOfficeMSP', 'CivilAffairsMSP'] }));
    });
  });

  describe('bad input', () => {
    const cases: [string, string[], string][] = [
      ['a malformed case id', ['bad id', '1', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01"}'], 'caseId'],
      ['seq 0', ['case-x', '0', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01"}'], 'seq'],
      ['a non-numeric seq', ['case-x', 'one', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01"}'], 'seq'],
      ['an unknown step type', ['case-x', '1', 'STARTED', h('p'), ZERO_HASH, '{"matterCode":"M01"}'], 'stepType'],
      ['a malformed payload hash', ['case-x', '1', 'OPENED', 'abc', ZERO_HASH, '{"matterCode":"M01"}'], 'payloadHash'],
      ['a malformed previous hash', ['case-x', '1', 'OPENED', h('p'), '0x0', '{"matterCode":"M01"}'], 'prevHash'],
      ['refs that are not JSON', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '{matterCode'], 'refs'],
      ['refs that are an array', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '["M01"]'], 'refs'],
      ['refs without the matter code', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '{"lane":"GREEN"}'], 'matterCode'],
      ['refs with an unknown field', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01","name":"Wang Wu"}'], 'name'],
      ['a personal identifier as subjectRef', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01","subjectRef":"110101199003077777"}'], 'subjectRef'],
      ['an unknown lane', ['case-x', '1', 'OPENED', h('p'), ZERO_HASH, '{"matterCode":"M01","lane":"RED"}'], 'lane'],
    ];
    for (const [what, args, fragment] of cases) {
      it(`refuses ${what}`, async () => {
        await expectRefused(net, () => net.submit(c.streetOfficer, 'evidence:AppendStep', args), 'EVIDENCE.INVALID_ARGUMENT', fragment);
      });
    }

    it('refuses step references that do not fit the step', async () => {
      const d = await opened();
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('ACCEPTED', { toMsp: 'HealthMSP' })), 'EVIDENCE.INVALID_ARGUMENT', 'toMsp');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('TRANSFERRED', { toMsp: 'StreetOfficeMSP' })), 'EVIDENCE.INVALID_ARGUMENT', 'already owns');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('TRANSFERRED')), 'EVIDENCE.INVALID_ARGUMENT', 'toMsp');
      await d.step(c.streetOfficer, 'ACCEPTED');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('CONSULTATION_OPENED', { consultedMsps: [] })), 'EVIDENCE.INVALID_ARGUMENT', 'consultedMsps');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('CONSULTATION_OPENED', { consultedMsps: ['StreetOfficeMSP'] })), 'EVIDENCE.INVALID_ARGUMENT', 'owner');
      await expectRefused(net, () => d.submit(c.streetOfficer, d.args('CERTIFICATE_VERIFIED', { certificateIds: [] })), 'EVIDENCE.INVALID_ARGUMENT', 'certificateIds');
      await d.step(c.streetOfficer, 'COMPLETED');
      for (const level of [0, 6, 2.5, '5']) {
        await expectRefused(net, () => d.submit(c.streetAgent, d.args('EVALUATED', { level })), 'EVIDENCE.INVALID_ARGUMENT', 'level');
      }
    });
  });
});
