/**
 * EvidenceContract (`evidence`): per-case hash chains of service steps. Every step of the
 * service hall — opening, acceptance, transfer, joint consultation, verification of
 * certificates, e-contract signature, completion or rejection, rating, appeal — is appended
 * here with the acting organisation and identity and the transaction time, and the departments
 * involved must endorse it (state-based endorsement on the case key).
 */
import { Contract, Info, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { CtlContext } from '../shared/context';
import { Input } from '../shared/input';
import { networkRoles } from '../shared/network';
import { DescribedParameters, ReturnsJson } from '../shared/schema';
import { STEP_TYPES, type CaseRecord, type CaseStep, type CaseTrace } from './models';
import { advance, authorizeStep, MAX_SEQ, verifyChain } from './rules';
import { CASE_RECORD, CASE_STEP, CASE_STEP_RESULT, CASE_TRACE } from './schema';

const CASE = 'case';
const STEP = 'caseStep';
/** Longest `refs` argument, in characters. */
const MAX_REFS_JSON = 8192;

/** Who may read evidence: every identity with a role, no anonymous client identities. */
const READERS: AccessRule = { roles: ['officer', 'coordinator', 'auditor', 'admin', 'agent'] };

function seqAttr(seq: number): string {
  return String(seq).padStart(8, '0');
}

const PARAMETERS = {
  caseId: 'case id: 1-128 characters of A-Z a-z 0-9 . _ : -',
  seq: "step number in decimal digits: the case's last step + 1 (1 to open)",
  stepType: 'OPENED, ACCEPTED, TRANSFERRED, CONSULTATION_OPENED, CONSULTED, CONSULTATION_CLOSED, CERTIFICATE_VERIFIED, CONTRACT_SIGNED, COMPLETED, REJECTED, EVALUATED, APPEALED, APPEAL_DECIDED or FOLLOWED_UP',
  payloadHash: "hash of the step's off-chain payload: 0x + 64 lowercase hex",
  prevHash: "the case's head hash (zero hash to open): 0x + 64 lowercase hex",
  refs: "JSON object of the step type's references, or ''",
};

/** The ledger's rules for service evidence. */
@Info({ title: 'EvidenceContract', description: 'Per-case hash chains of service-hall steps with the case state machine' })
@DescribedParameters(PARAMETERS)
export class EvidenceContract extends Contract {
  constructor() {
    super('evidence');
  }

  /** @returns the context with our helpers */
  override createContext(): CtlContext {
    return new CtlContext();
  }

  /**
   * Appends a step to a case's chain, opening the case with step 1 (`OPENED`).
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @param seq - the step's number, the case's last step + 1 (1 to open)
   * @param stepType - one of OPENED, ACCEPTED, TRANSFERRED, CONSULTATION_OPENED, CONSULTED,
   *   CONSULTATION_CLOSED, CERTIFICATE_VERIFIED, CONTRACT_SIGNED, COMPLETED, REJECTED,
   *   EVALUATED, APPEALED, APPEAL_DECIDED, FOLLOWED_UP
   * @param payloadHash - hash of the step's off-chain payload
   * @param prevHash - the case's head hash (`stepHash` of the last step; zero hash to open)
   * @param refs - JSON object of step-specific references, or '' for none
   * @returns `{case, step}` as JSON; event `CaseStepAppended` with the same
   * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT`, `AUTH.DENIED`, `EVIDENCE.NOT_FOUND`,
   *   `EVIDENCE.ALREADY_EXISTS`, `EVIDENCE.WRONG_SEQUENCE`, `EVIDENCE.FORK`,
   *   `EVIDENCE.INVALID_TRANSITION`, `EVIDENCE.NOT_ALLOWED`
   */
  @Transaction()
  @ReturnsJson(CASE_STEP_RESULT)
  async AppendStep(ctx: CtlContext, caseId: string, seq: string, stepType: string, payloadHash: string, prevHash: string, refs: string): Promise<string> {
    const probe = new Input('EVIDENCE', 'case');
    const id = probe.id('caseId', caseId);
    const input = new Input('EVIDENCE', id);
    const request = {
      caseId: id,
      seq: input.integerArg('seq', seq, 1, MAX_SEQ),
      stepType: input.oneOf('stepType', stepType, STEP_TYPES),
      payloadHash: input.hash('payloadHash', payloadHash),
      prevHash: input.hash('prevHash', prevHash),
      refs: refs === '' ? {} : input.record('refs', input.json('refs', refs, MAX_REFS_JSON)),
    };
    const actor = ctx.actor();
    authorizeStep(actor, request.stepType, id, networkRoles());
    const key = ctx.key(CASE, id);
    const current = await ctx.getJson<CaseRecord>(key);
    const result = advance(current, request, actor, ctx.now(), ctx.txId());
    await ctx.putJson(key, result.case);
    await ctx.putJson(ctx.key(STEP, id, seqAttr(result.step.seq)), result.step);
    const before = current?.endorsingMsps ?? [];
    if (canonicalJson(before) !== canonicalJson(result.case.endorsingMsps)) await ctx.requireEndorsers(key, result.case.endorsingMsps);
    ctx.emit('CaseStepAppended', result);
    return canonicalJson(result);
  }

  /**
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns the case head as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_RECORD)
  async GetCase(ctx: CtlContext, caseId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `case ${caseId}`, READERS);
    return canonicalJson(await this.loadCase(ctx, new Input('EVIDENCE', caseId).id('caseId', caseId)));
  }

  /**
   * @param ctx - transaction context
   * @param caseId - case id
   * @param seq - step number
   * @returns the step as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_STEP)
  async GetStep(ctx: CtlContext, caseId: string, seq: string): Promise<string> {
    authorize(ctx.actor(), 'read', `case ${caseId}`, READERS);
    const input = new Input('EVIDENCE', caseId);
    const id = input.id('caseId', caseId);
    const n = input.integerArg('seq', seq, 1, MAX_SEQ);
    const step = await ctx.getJson<CaseStep>(ctx.key(STEP, id, seqAttr(n)));
    if (step === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `case ${id} has no step ${n}`);
    return canonicalJson(step);
  }

  /**
   * A case end to end: its head, every step in order and whether the chain re-checks.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns `{case, steps, intact, brokenAt}` as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_TRACE)
  async Trace(ctx: CtlContext, caseId: string): Promise<string> {
    authorize(ctx.actor(), 'trace', `case ${caseId}`, READERS);
    const id = new Input('EVIDENCE', caseId).id('caseId', caseId);
    const record = await this.loadCase(ctx, id);
    const steps = (await ctx.list<CaseStep>(STEP, [id])).map((e) => e.value);
    const trace: CaseTrace = { case: record, steps, ...verifyChain(record, steps) };
    return canonicalJson(trace);
  }

  private async loadCase(ctx: CtlContext, id: string): Promise<CaseRecord> {
    const record = await ctx.getJson<CaseRecord>(ctx.key(CASE, id));
    if (record === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `case ${id} does not exist`);
    return record;
  }
}
