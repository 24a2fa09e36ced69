/**
 * Service evidence: each case of the service hall is a hash chain of steps, every step an
 * attested record of who did what and when. Payloads (forms, opinions, contracts, ratings'
 * comments) stay off the chain; only their hashes are here.
 */
import type { ActorRef } from '../shared/models';

/** States of a case. */
export const CASE_STATES = ['OPENED', 'ACCEPTED', 'TRANSFERRED', 'IN_CONSULTATION', 'COMPLETED', 'REJECTED', 'EVALUATED', 'APPEALED'] as const;
/** A case state. */
export type CaseState = (typeof CASE_STATES)[number];

/** Kinds of step. */
export const STEP_TYPES = [
  'OPENED',
  'ACCEPTED',
  'TRANSFERRED',
  'CONSULTATION_OPENED',
  'CONSULTED',
  'CONSULTATION_CLOSED',
  'CERTIFICATE_VERIFIED',
  'CONTRACT_SIGNED',
  'COMPLETED',
  'REJECTED',
  'EVALUATED',
  'APPEALED',
  'APPEAL_DECIDED',
  'FOLLOWED_UP',
] as const;
/** A step type. */
export type StepType = (typeof STEP_TYPES)[number];

/** Service-hall lanes. */
export const LANES = ['GREEN', 'YELLOW', 'BLUE'] as const;
/** A lane. */
export type Lane = (typeof LANES)[number];

/** Outcomes of an appeal against a rating. */
export const APPEAL_OUTCOMES = ['UPHELD', 'OVERTURNED'] as const;
/** An appeal outcome: UPHELD keeps the rating, OVERTURNED sets it aside. */
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

/** Step-specific references; which fields a step needs is in README.md. */
export interface StepRefs {
  readonly matterCode?: string;
  readonly subjectRef?: string;
  readonly lane?: Lane;
  readonly toMsp?: string;
  readonly consultedMsps?: readonly string[];
  readonly certificateIds?: readonly string[];
  readonly level?: number;
  readonly reasonCode?: string;
  readonly outcome?: AppealOutcome;
}

/** The acting identity of a step. */
export interface StepActor extends ActorRef {
  readonly role: string | null;
}

/** One step of a case. */
export interface CaseStep {
  readonly caseId: string;
  readonly seq: number;
  readonly stepType: StepType;
  readonly payloadHash: string;
  readonly prevHash: string;
  readonly refs: StepRefs;
  readonly actor: StepActor;
  readonly recordedAt: string;
  /** SHA-256 of the canonical JSON of the fields above; the next step's `prevHash`. */
  readonly stepHash: string;
  readonly stateBefore: CaseState | null;
  readonly stateAfter: CaseState;
  readonly txId: string;
}

/** The head of a case: its current state and who is involved. */
export interface CaseRecord {
  readonly caseId: string;
  readonly matterCode: string;
  readonly subjectRef: string | null;
  readonly lane: Lane | null;
  readonly state: CaseState;
  /** Number of the last step. */
  readonly seq: number;
  /** `stepHash` of the last step. */
  readonly headHash: string;
  /** The department responsible for the case now. */
  readonly ownerMsp: string;
  /** The first-responsible officer: the first to accept the case; kept through transfers; null until then. */
  readonly responsible: ActorRef | null;
  /** While TRANSFERRED: the department that must accept it. */
  readonly transferToMsp: string | null;
  /** While IN_CONSULTATION: the consulted departments. */
  readonly consultedMsps: readonly string[];
  /** Consulted departments that have given their opinion in the current consultation. */
  readonly opinionsFrom: readonly string[];
  /** Organisations whose peers must endorse the next step (the case key's endorsement policy). */
  readonly endorsingMsps: readonly string[];
  /** Rating level 1 (very dissatisfied) to 5 (very satisfied), once evaluated. */
  readonly rating: number | null;
  /** Whether an appeal overturned the rating. */
  readonly ratingOverturned: boolean;
  readonly appealed: boolean;
  readonly openedAt: string;
  readonly openedBy: ActorRef;
  readonly updatedAt: string;
}

/** A case with all its steps and the result of re-checking the chain. */
export interface CaseTrace {
  readonly case: CaseRecord;
  readonly steps: readonly CaseStep[];
  /** Whether every step hash recomputes and links to the previous one and the head matches. */
  readonly intact: boolean;
  /** The first step that does not check, or null. */
  readonly brokenAt: number | null;
}
