/**
 * The case state machine and the hash chain, as pure functions of the current case, the
 * requested step and the caller. The contract only loads and stores; everything a step must
 * satisfy is decided here.
 *
 *   OPENED → [TRANSFERRED →] ACCEPTED → (TRANSFERRED → ACCEPTED | IN_CONSULTATION → ACCEPTED)*
 *          → COMPLETED | REJECTED → EVALUATED (→ APPEALED → EVALUATED)
 */
import { ChaincodeError } from '../errors';
import type { Actor } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { sha256 } from '../shared/hash';
import { Input, ZERO_HASH } from '../shared/input';
import { APPEAL_OUTCOMES, LANES, type CaseRecord, type CaseState, type CaseStep, type StepActor, type StepRefs, type StepType } from './models';

/** Largest step number of a case. */
export const MAX_SEQ = 100_000;
/** Most departments in one joint consultation. */
export const MAX_CONSULTED = 10;
/** Most certificates recorded by one verification step. */
export const MAX_VERIFIED_CERTIFICATES = 50;

/** What the caller asks to append. */
export interface StepRequest {
  readonly caseId: string;
  readonly seq: number;
  readonly stepType: StepType;
  readonly payloadHash: string;
  readonly prevHash: string;
  readonly refs: Record<string, unknown>;
}

/** The organisations with a special part in evidence rules. */
export interface EvidenceRoles {
  readonly streetOfficeMsps: readonly string[];
  readonly auditMsps: readonly string[];
}

/** Where each step may come from, and the state it leads to ('SAME' keeps the state). */
const TRANSITIONS: Record<StepType, { readonly from: readonly CaseState[]; readonly to: CaseState | 'SAME' }> = {
  OPENED: { from: [], to: 'OPENED' },
  ACCEPTED: { from: ['OPENED', 'TRANSFERRED'], to: 'ACCEPTED' },
  TRANSFERRED: { from: ['OPENED', 'ACCEPTED'], to: 'TRANSFERRED' },
  CONSULTATION_OPENED: { from: ['ACCEPTED'], to: 'IN_CONSULTATION' },
  CONSULTED: { from: ['IN_CONSULTATION'], to: 'SAME' },
  CONSULTATION_CLOSED: { from: ['IN_CONSULTATION'], to: 'ACCEPTED' },
  CERTIFICATE_VERIFIED: { from: ['OPENED', 'ACCEPTED', 'IN_CONSULTATION'], to: 'SAME' },
  CONTRACT_SIGNED: { from: ['ACCEPTED', 'IN_CONSULTATION'], to: 'SAME' },
  COMPLETED: { from: ['ACCEPTED'], to: 'COMPLETED' },
  REJECTED: { from: ['OPENED', 'ACCEPTED'], to: 'REJECTED' },
  EVALUATED: { from: ['COMPLETED', 'REJECTED'], to: 'EVALUATED' },
  APPEALED: { from: ['EVALUATED'], to: 'APPEALED' },
  APPEAL_DECIDED: { from: ['APPEALED'], to: 'EVALUATED' },
  FOLLOWED_UP: { from: ['COMPLETED', 'REJECTED', 'EVALUATED'], to: 'SAME' },
};

/** The refs fields each step takes: required, then optional. */
const REFS: Record<StepType, readonly [readonly string[], readonly string[]]> = {
  OPENED: [['matterCode'], ['subjectRef', 'lane']],
  ACCEPTED: [[], []],
  TRANSFERRED: [['toMsp'], []],
  CONSULTATION_OPENED: [['consultedMsps'], []],
  CONSULTED: [[], []],
  CONSULTATION_CLOSED: [[], []],
  CERTIFICATE_VERIFIED: [['certificateIds'], []],
  CONTRACT_SIGNED: [[], []],
  COMPLETED: [[], []],
  REJECTED: [['reasonCode'], []],
  EVALUATED: [['level'], []],
  APPEALED: [[], []],
  APPEAL_DECIDED: [['outcome'], []],
  FOLLOWED_UP: [[], []],
};

/** Ratings at or below this level are "bad" and may be appealed by the department. */
export const BAD_RATING = 2;

/**
 * Checks that the caller's role may append this kind of step at all, before the case is read.
 *
 * @throws ChaincodeError `AUTH.DENIED`
 */
export function authorizeStep(actor: Actor, stepType: StepType, caseId: string, roles: EvidenceRoles): void {
  const deny = (): never => {
    throw new ChaincodeError('AUTH.DENIED', caseId, `${actor.msp}/${actor.cn} may not append a ${stepType} step to case ${caseId}`);
  };
  switch (stepType) {
    case 'EVALUATED': {
      // The resident rates through the portal, whose agent identities live in the street offices.
      const agent = actor.role === 'agent' && roles.streetOfficeMsps.includes(actor.msp);
      if (!agent && actor.role !== 'officer') deny();
      return;
    }
    case 'APPEAL_DECIDED': {
      const auditor = actor.role === 'auditor' && roles.auditMsps.includes(actor.msp);
      const streetOfficer = actor.role === 'officer' && roles.streetOfficeMsps.includes(actor.msp);
      if (!auditor && !streetOfficer) deny();
      return;
    }
    case 'FOLLOWED_UP':
      if ((actor.role !== 'officer' && actor.role !== 'coordinator') || !roles.streetOfficeMsps.includes(actor.msp)) deny();
      return;
    default:
      if (actor.role !== 'officer') deny();
  }
}

/**
 * Hash of a step: SHA-256 over the canonical JSON of
 * `{caseId, seq, stepType, payloadHash, prevHash, refs, actor, recordedAt}`.
 *
 * @returns `0x` + 64 hex
 */
export function stepHash(step: Pick<CaseStep, 'caseId' | 'seq' | 'stepType' | 'payloadHash' | 'prevHash' | 'refs' | 'actor' | 'recordedAt'>): string {
  return sha256(
    canonicalJson({
      caseId: step.caseId,
      seq: step.seq,
      stepType: step.stepType,
      payloadHash: step.payloadHash,
      prevHash: step.prevHash,
      refs: step.refs,
      actor: step.actor,
      recordedAt: step.recordedAt,
    }),
  );
}

function parseRefs(input: Input, stepType: StepType, raw: Record<string, unknown>, ownerMsp: string | null): StepRefs {
  const [required, optional] = REFS[stepType];
  const refs = input.object('refs', raw, required, optional);
  switch (stepType) {
    case 'OPENED':
      return {
        matterCode: input.codeValue('refs.matterCode', refs.matterCode),
        subjectRef: refs.subjectRef === undefined ? undefined : input.hash('refs.subjectRef', refs.subjectRef),
        lane: refs.lane === undefined ? undefined : input.oneOf('refs.lane', refs.lane, LANES),
      };
    case 'TRANSFERRED': {
      const toMsp = input.msp('refs.toMsp', refs.toMsp);
      if (toMsp === ownerMsp) input.fail(`refs.toMsp ${toMsp} already owns the case`);
      return { toMsp };
    }
    case 'CONSULTATION_OPENED': {
      const consultedMsps = input.mspList('refs.consultedMsps', refs.consultedMsps, 1, MAX_CONSULTED);
      if (ownerMsp !== null && consultedMsps.includes(ownerMsp)) input.fail(`refs.consultedMsps must not list the owner ${ownerMsp}`);
      return { consultedMsps };
    }
    case 'CERTIFICATE_VERIFIED': {
      const ids = input.array('refs.certificateIds', refs.certificateIds, MAX_VERIFIED_CERTIFICATES, 1).map((id, i) => input.id(`refs.certificateIds[${i}]`, id));
      return { certificateIds: ids };
    }
    case 'REJECTED':
      return { reasonCode: input.codeValue('refs.reasonCode', refs.reasonCode) };
    case 'EVALUATED':
      return { level: input.integer('refs.level', refs.level, 1, 5) };
    case 'APPEAL_DECIDED':
      return { outcome: input.oneOf('refs.outcome', refs.outcome, APPEAL_OUTCOMES) };
    default:
      return {};
  }
}

function endorsingMsps(state: CaseState, owner: string, transferTo: string | null, consulted: readonly string[]): string[] {
  const set = new Set([owner]);
  if (state === 'TRANSFERRED' && transferTo !== null) set.add(transferTo);
  if (state === 'IN_CONSULTATION') for (const msp of consulted) set.add(msp);
  return [...set].sort();
}

/**
 * Applies one step to a case.
 *
 * @param current - the case, or undefined when the step opens it
 * @param request - the step asked for
 * @param actor - the caller (role already checked by {@link authorizeStep})
 * @param now - transaction time
 * @param txId - transaction id
 * @returns the updated case and the new step
 * @throws ChaincodeError `EVIDENCE.NOT_FOUND`, `EVIDENCE.ALREADY_EXISTS`,
 *   `EVIDENCE.WRONG_SEQUENCE`, `EVIDENCE.FORK`, `EVIDENCE.INVALID_TRANSITION`,
 *   `EVIDENCE.NOT_ALLOWED`, `EVIDENCE.INVALID_ARGUMENT`
 */
export function advance(
  current: CaseRecord | undefined,
  request: StepRequest,
  actor: Actor,
  now: string,
  txId: string,
): { case: CaseRecord; step: CaseStep } {
  const { caseId, seq, stepType } = request;
  const input = new Input('EVIDENCE', caseId);
  if (current === undefined && stepType !== 'OPENED') throw new ChaincodeError('EVIDENCE.NOT_FOUND', caseId, `case ${caseId} does not exist`);
  if (current !== undefined && stepType === 'OPENED') throw new ChaincodeError('EVIDENCE.ALREADY_EXISTS', caseId, `case ${caseId} is already open`);
  const expectedSeq = current === undefined ? 1 : current.seq + 1;
  if (seq !== expectedSeq) {
    throw new ChaincodeError('EVIDENCE.WRONG_SEQUENCE', caseId, `case ${caseId} expects step ${expectedSeq}, got ${seq}`);
  }
  const head = current === undefined ? ZERO_HASH : current.headHash;
  if (request.prevHash !== head) {
    throw new ChaincodeError('EVIDENCE.FORK', caseId, `step ${seq} of case ${caseId} names previous hash ${request.prevHash}, but the head is ${head}`);
  }
  const transition = TRANSITIONS[stepType];
  const stateBefore = current?.state ?? null;
  if (current !== undefined && !transition.from.includes(current.state)) {
    throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', caseId, `case ${caseId} is ${current.state}; a ${stepType} step is not allowed`);
  }
  const owner = current?.ownerMsp ?? actor.msp;
  const notAllowed = (who: string): never => {
    throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', caseId, `a ${stepType} step of case ${caseId} must come from ${who}, not ${actor.msp}`);
  };
  const refs = parseRefs(input, stepType, request.refs, current?.ownerMsp ?? null);
  const actorRef: StepActor = { msp: actor.msp, cn: actor.cn, role: actor.role };

  let next: CaseRecord;
  if (current === undefined) {
    next = {
      caseId,
      matterCode: refs.matterCode ?? '',
      subjectRef: refs.subjectRef ?? null,
      lane: refs.lane ?? null,
      state: 'OPENED',
      seq: 0,
      headHash: ZERO_HASH,
      ownerMsp: actor.msp,
      responsible: null,
      transferToMsp: null,
      consultedMsps: [],
      opinionsFrom: [],
      endorsingMsps: [],
      rating: null,
      ratingOverturned: false,
      appealed: false,
      openedAt: now,
      openedBy: { msp: actor.msp, cn: actor.cn },
      updatedAt: now,
    };
  } else {
    next = { ...current };
    switch (stepType) {
      case 'ACCEPTED':
        if (current.state === 'TRANSFERRED') {
          if (actor.msp !== current.transferToMsp) notAllowed(current.transferToMsp ?? 'the transfer target');
        } else if (actor.msp !== owner) notAllowed(owner);
        // The first officer to accept stays the first-responsible officer through later transfers.
        next = { ...next, ownerMsp: actor.msp, responsible: current.responsible ?? { msp: actor.msp, cn: actor.cn }, transferToMsp: null };
        break;
      case 'TRANSFERRED':
        if (actor.msp !== owner) notAllowed(owner);
        next = { ...next, transferToMsp: refs.toMsp ?? null };
        break;
      case 'CONSULTATION_OPENED':
        if (actor.msp !== owner) notAllowed(owner);
        next = { ...next, consultedMsps: refs.consultedMsps ?? [], opinionsFrom: [] };
        break;
      case 'CONSULTED':
        if (!current.consultedMsps.includes(actor.msp)) notAllowed(`a consulted department (${current.consultedMsps.join(', ')})`);
        if (current.opinionsFrom.includes(actor.msp)) {
          throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', caseId, `${actor.msp} already gave its opinion on case ${caseId}`);
        }
        next = { ...next, opinionsFrom: [...current.opinionsFrom, actor.msp].sort() };
        break;
      case 'CONSULTATION_CLOSED': {
        if (actor.msp !== owner) notAllowed(owner);
        const missing = current.consultedMsps.filter((msp) => !current.opinionsFrom.includes(msp));
        if (missing.length > 0) {
          throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', caseId, `case ${caseId} still awaits the opinion of ${missing.join(', ')}`);
        }
        next = { ...next, consultedMsps: [], opinionsFrom: [] };
        break;
      }
      case 'CERTIFICATE_VERIFIED':
        if (actor.msp !== owner && !current.consultedMsps.includes(actor.msp)) notAllowed(`${owner} or a consulted department`);
        break;
      case 'EVALUATED':
        next = { ...next, rating: refs.level ?? null };
        break;
      case 'APPEALED':
        if (actor.msp !== owner) notAllowed(owner);
        if (current.appealed) throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', caseId, `the rating of case ${caseId} was already appealed`);
        if (current.rating === null || current.rating > BAD_RATING) {
          throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', caseId, `only a rating of ${BAD_RATING} or less can be appealed (case ${caseId})`);
        }
        next = { ...next, appealed: true };
        break;
      case 'APPEAL_DECIDED':
        if (actor.msp === owner) notAllowed(`an organisation other than the owner ${owner}`);
        next = { ...next, ratingOverturned: refs.outcome === 'OVERTURNED' };
        break;
      case 'FOLLOWED_UP':
        break;
      default:
        // CONTRACT_SIGNED, COMPLETED, REJECTED: the owner's step.
        if (actor.msp !== owner) notAllowed(owner);
    }
  }
  const stateAfter = transition.to === 'SAME' ? (stateBefore ?? 'OPENED') : transition.to;
  const body = { caseId, seq, stepType, payloadHash: request.payloadHash, prevHash: request.prevHash, refs, actor: actorRef, recordedAt: now };
  const step: CaseStep = { ...body, stepHash: stepHash(body), stateBefore, stateAfter, txId };
  const updated: CaseRecord = {
    ...next,
    state: stateAfter,
    seq,
    headHash: step.stepHash,
    updatedAt: now,
  };
  return {
    case: { ...updated, endorsingMsps: endorsingMsps(stateAfter, updated.ownerMsp, updated.transferToMsp, updated.consultedMsps) },
    step,
  };
}

/**
 * Re-checks a case's chain: every step's hash, every link, and the head.
 *
 * @param record - the case head
 * @param steps - its steps in order
 * @returns whether it is intact and the first step that is not
 */
export function verifyChain(record: CaseRecord, steps: readonly CaseStep[]): { intact: boolean; brokenAt: number | null } {
  let prev = ZERO_HASH;
  for (const [i, step] of steps.entries()) {
    if (step.seq !== i + 1 || step.prevHash !== prev || stepHash(step) !== step.stepHash) return { intact: false, brokenAt: i + 1 };
    prev = step.stepHash;
  }
  if (steps.length !== record.seq || prev !== record.headHash) return { intact: false, brokenAt: steps.length + 1 };
  return { intact: true, brokenAt: null };
}
