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

/** The transient-map key under which a client passes personal details to `SharePersonalData`. */
export const PERSONAL_DATA_TRANSIENT_KEY = 'personalData';

/**
 * Personal details departments must share to handle a case together. They exist only in a
 * private data collection of the departments involved (see shared/collections.ts), never on the
 * channel and never in a transaction argument.
 */
export interface PersonalDetails {
  /**
   * 32 random bytes (`0x` + 64 hex) the client draws for each sharing, so the hash on the
   * channel cannot be found by hashing guessed details.
   */
  readonly salt: string;
  readonly name: string;
  readonly phone?: string;
  readonly identityNumber?: string;
  readonly address?: string;
  /** What the receiving department needs to know, in a few words. */
  readonly note?: string;
}

/** The private value a sharing writes into the pair's collection. */
export interface PersonalRecord {
  readonly caseId: string;
  readonly details: PersonalDetails;
  readonly fromMsp: string;
  readonly toMsp: string;
  readonly sharedAt: string;
  readonly sharedBy: ActorRef;
  readonly txId: string;
}

/** One sharing of a case's personal details, as the channel records it: a hash, no details. */
export interface PersonalShare {
  /** The private data collection holding the details (one per pair of organisations). */
  readonly collection: string;
  readonly fromMsp: string;
  readonly toMsp: string;
  /** SHA-256 of the private value's bytes: the value hash Fabric records for the collection key. */
  readonly dataHash: string;
  /** The case step the sharing followed, and the case state then. */
  readonly caseSeq: number;
  readonly caseState: CaseState;
  readonly sharedAt: string;
  readonly sharedBy: ActorRef;
  readonly txId: string;
}

/** A collection's copy of a case's personal details deleted once the case was closed. */
export interface PersonalForget {
  readonly collection: string;
  readonly forgottenAt: string;
  readonly forgottenBy: ActorRef;
  readonly txId: string;
}

/** Every sharing of a case's personal details (key `casePersonal/<caseId>`). */
export interface CasePersonalShares {
  readonly caseId: string;
  /** In the order recorded. */
  readonly shares: readonly PersonalShare[];
  /** Copies deleted after the case closed, in the order recorded. */
  readonly forgotten: readonly PersonalForget[];
  readonly updatedAt: string;
}

/** A sharing, checked against the hash the collection holds now. */
export interface PersonalShareCheck extends PersonalShare {
  /** The collection still holds exactly what this sharing wrote. */
  readonly current: boolean;
}

/** The shares of a case as an auditor checks them. */
export interface CasePersonalSharesCheck {
  readonly caseId: string;
  readonly shares: readonly PersonalShareCheck[];
  readonly forgotten: readonly PersonalForget[];
  readonly updatedAt: string;
}

/** What `GetPersonalData` returns to a member department: the private record and where it is. */
export interface PersonalDataView extends PersonalRecord {
  readonly collection: string;
  readonly dataHash: string;
}
