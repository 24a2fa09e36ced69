/**
 * Time bank: 1 hour of attested volunteer service = 60 credit minutes (TIME), plus POINTS
 * from innovation proposals. Accounts are keyed by a hash (`subjectRef` for people, any
 * `0x`-hash the services choose for providers, pots and organisations); no personal data.
 */
import type { ActorRef } from '../shared/models';

/** Kinds of account. */
export const ACCOUNT_KINDS = ['RESIDENT', 'VOLUNTEER', 'PROVIDER', 'POT', 'ORGANISATION'] as const;
/** An account kind. */
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Kinds that belong to a person: they earn, hold, redeem and gift credits. */
export const PERSONAL_KINDS: readonly AccountKind[] = ['RESIDENT', 'VOLUNTEER'];

/** What moves credits or points. */
export const MOVEMENT_KINDS = ['MINT', 'REDEEM', 'GIFT', 'DONATE', 'GRANT', 'COMPENSATE', 'REVERSE', 'EXPIRE', 'POINTS_AWARD', 'POINTS_EXCHANGE'] as const;
/** A movement kind. */
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** Lines of an account statement. */
export const ENTRY_KINDS = [
  'MINT',
  'REDEEM',
  'GIFT_IN',
  'GIFT_OUT',
  'DONATE_IN',
  'DONATE_OUT',
  'GRANT_IN',
  'GRANT_OUT',
  'COMPENSATE_IN',
  'COMPENSATE_OUT',
  'REVERSE',
  'EXPIRE',
  'POINTS_AWARD',
  'POINTS_EXCHANGE',
] as const;
/** A statement line's kind. */
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The two assets. */
export const ASSETS = ['TIME', 'POINTS'] as const;
/** An asset. */
export type Asset = (typeof ASSETS)[number];

/** Time-bank policy, set by the street offices. */
export interface TimeBankPolicy {
  /** Most minutes a volunteer may log per day (default 480 = 8 h). */
  readonly dailyCapMinutes: number;
  /** Most minutes a personal account may hold (default 90,000 = 1,500 h). */
  readonly storageCapMinutes: number;
  /** Longest single session in minutes (default 480). */
  readonly maxSessionMinutes: number;
  /** Redemption needs an eligibility attestation in effect (default true). */
  readonly redeemRequiresEligibility: boolean;
  /** Days after minting a credit lot expires; 0 = never (default 0). */
  readonly lotLifetimeDays: number;
  /** Offset from UTC, in minutes, of the local day the daily cap counts (default 480 = UTC+8). */
  readonly dayOffsetMinutes: number;
  /** 0 for the built-in defaults, then +1 per change. */
  readonly version: number;
  readonly updatedAt: string | null;
  readonly updatedBy: ActorRef | null;
}

/** Running totals of an account's TIME, in minutes, by what moved them. */
export interface TimeTotals {
  readonly minted: number;
  readonly redeemed: number;
  readonly expired: number;
  readonly reversed: number;
  readonly giftedIn: number;
  readonly giftedOut: number;
  readonly donatedIn: number;
  readonly donatedOut: number;
  readonly grantedIn: number;
  readonly grantedOut: number;
  readonly compensatedIn: number;
  readonly compensatedOut: number;
}

/** A time-bank account. */
export interface Account {
  readonly ref: string;
  readonly kind: AccountKind;
  /** The street office that opened it. */
  readonly homeMsp: string;
  readonly openedAt: string;
  readonly openedBy: ActorRef;
  /** TIME held, in minutes: the sum of the remaining minutes of its lots. */
  readonly timeBalance: number;
  readonly pointsBalance: number;
  readonly time: TimeTotals;
  readonly pointsAwarded: number;
  readonly pointsExchanged: number;
  /** Number of lots ever created (names the next lot). */
  readonly lotSeq: number;
  /** Number of statement entries (names the next entry). */
  readonly entrySeq: number;
  readonly updatedAt: string;
}

/** How minutes arrive in a lot. */
export const LOT_SOURCE_KINDS = ['MINT', 'GIFT', 'DONATE', 'GRANT', 'COMPENSATE'] as const;

/** Where a lot's minutes came from. */
export interface LotSource {
  readonly kind: (typeof LOT_SOURCE_KINDS)[number];
  readonly movementId: string;
  /** The account the minutes came from; null when minted. */
  readonly fromRef: string | null;
  /** For minted lots: the attested session and its evidence. */
  readonly sessionId: string | null;
  readonly evidenceHash: string | null;
  /** For moved minutes: the lot they were taken from (`<ref>/<lotId>`). */
  readonly originLot: string | null;
}

/** Credit minutes held together: minted by one session, or moved by one movement from one lot. */
export interface Lot {
  readonly ref: string;
  readonly lotId: string;
  readonly minutes: number;
  readonly remaining: number;
  readonly createdAt: string;
  /** When the minutes were first minted; lots are spent in this order (oldest first). */
  readonly originAt: string;
  readonly expiresAt: string | null;
  readonly source: LotSource;
}

/**
 * What a provider received: a redemption or a points exchange at its account. Kept under the
 * provider and the movement (`tbReceipt/<providerRef>/<movementId>`) instead of a counter on
 * the provider's account, so redemptions by different residents at one provider never conflict.
 */
export interface Receipt {
  readonly providerRef: string;
  readonly movementId: string;
  readonly asset: Asset;
  readonly amount: number;
  readonly fromRef: string;
  readonly orderRef: string;
  readonly at: string;
  readonly txId: string;
}

/** A part of a lot a movement took. */
export interface LotPart {
  readonly ref: string;
  readonly lotId: string;
  readonly minutes: number;
}

/** One movement of credits or points. */
export interface Movement {
  readonly movementId: string;
  readonly kind: MovementKind;
  readonly asset: Asset;
  /** Minutes (TIME) or points. */
  readonly amount: number;
  readonly fromRef: string | null;
  readonly toRef: string | null;
  /** For redemptions and exchanges. */
  readonly providerRef: string | null;
  /** Order reference, session id, dispute id or proposal hash it belongs to. */
  readonly reference: string | null;
  readonly reasonCode: string | null;
  /** Lot parts taken from the paying account, oldest first. */
  readonly taken: readonly LotPart[];
  /** Lots created in the receiving account. */
  readonly created: readonly LotPart[];
  /** Lots found expired and retired by this transaction before it moved anything. */
  readonly expired: readonly LotPart[];
  readonly at: string;
  readonly txId: string;
  readonly by: ActorRef;
}

/** One line of an account statement. */
export interface StatementEntry {
  readonly ref: string;
  readonly seq: number;
  readonly movementId: string;
  readonly kind: EntryKind;
  readonly asset: Asset;
  /** Effect on the balance of `asset` (0 for provider receipts). */
  readonly delta: number;
  readonly balanceAfter: number;
  readonly counterpartyRef: string | null;
  readonly at: string;
  readonly txId: string;
}

/** Session states. */
export const SESSION_STATUSES = ['LOGGED', 'CONFIRMED', 'ATTESTED', 'REJECTED'] as const;
/** A session state. */
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** A volunteer service session on its way to becoming credit. */
export interface Session {
  readonly sessionId: string;
  readonly volunteerRef: string;
  readonly beneficiaryRef: string;
  readonly serviceType: string;
  readonly startAt: string;
  readonly endAt: string;
  readonly minutes: number;
  /** Local day (policy offset) the daily cap counts it on, `YYYY-MM-DD`. */
  readonly day: string;
  readonly status: SessionStatus;
  readonly loggedAt: string;
  readonly loggedBy: ActorRef;
  /** BENEFICIARY (confirmed through the portal) or GUARDIAN (an officer on the beneficiary's behalf). */
  readonly confirmation: 'BENEFICIARY' | 'GUARDIAN' | null;
  readonly confirmedAt: string | null;
  readonly confirmedBy: ActorRef | null;
  readonly attestedAt: string | null;
  readonly attestedBy: ActorRef | null;
  readonly evidenceHash: string | null;
  readonly lotId: string | null;
  readonly rejectedAt: string | null;
  readonly rejectedBy: ActorRef | null;
  readonly rejectionReason: string | null;
}

/** Logged minutes of one volunteer on one local day. */
export interface VolunteerDay {
  readonly ref: string;
  readonly day: string;
  readonly minutes: number;
  /** `beneficiaryRef` is absent on entries logged before it was recorded. */
  readonly sessions: readonly { readonly sessionId: string; readonly startAt: string; readonly endAt: string; readonly beneficiaryRef?: string }[];
}

/** Sessions in which a person was served on one local day (key `tbServedDay/<ref>/<day>`). */
export interface ServedDay {
  readonly ref: string;
  readonly day: string;
  readonly sessions: readonly { readonly sessionId: string; readonly volunteerRef: string; readonly startAt: string; readonly endAt: string }[];
}

/** Patterns the chaincode flags for coordinators (DESIGN.md §6: caps hit, overlapping sessions, circular trades). */
export const FLAG_CODES = [
  'DAILY_CAP_REACHED',
  'STORAGE_CAP_REACHED',
  'OVERLAPPING_BENEFICIARY_SESSIONS',
  'VOLUNTEER_SERVED_DURING_SESSION',
  'BENEFICIARY_VOLUNTEERING_DURING_SESSION',
  'RECIPROCAL_SESSIONS',
] as const;
/** A flag code. */
export type FlagCode = (typeof FLAG_CODES)[number];

/** Review states of a flag. */
export const FLAG_STATUSES = ['OPEN', 'CLEARED', 'CONFIRMED'] as const;
/** A flag's review state. */
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/**
 * A suspicious pattern the chaincode noticed while recording something it allows (key
 * `tbFlag/<flagId>`). It blocks nothing: a coordinator reviews it, and a confirmed abuse is
 * settled like any other, by a dispute and a compensating movement.
 */
export interface Flag {
  /** `<sessionId>/<code>` or `<movementId>/<code>`. */
  readonly flagId: string;
  readonly code: FlagCode;
  /** The accounts concerned, sorted. */
  readonly accountRefs: readonly string[];
  /** The session that raised it first, then the sessions it relates to. */
  readonly sessionIds: readonly string[];
  readonly movementId: string | null;
  /** What was seen, in a sentence (no personal data: references, times, minutes). */
  readonly detail: string;
  readonly raisedAt: string;
  readonly raisedBy: ActorRef;
  readonly txId: string;
  readonly status: FlagStatus;
  readonly reviewedAt: string | null;
  readonly reviewedBy: ActorRef | null;
  /** Hash of the coordinator's review notes kept off chain. */
  readonly notesHash: string | null;
}

/** A civil-affairs attestation that an account may redeem from a date. */
export interface Eligibility {
  readonly ref: string;
  readonly eligibleFrom: string;
  readonly attestationHash: string;
  readonly attestedAt: string;
  readonly attestedBy: ActorRef;
}

/** A civil-affairs-approved family link; stored in both directions. */
export interface RelativeLink {
  readonly ref: string;
  readonly relativeRef: string;
  readonly relation: string;
  readonly attestationHash: string;
  readonly linkedAt: string;
  readonly linkedBy: ActorRef;
}

/** Outcomes of a dispute. */
export const DISPUTE_OUTCOMES = ['DISMISSED', 'COMPENSATED', 'REVERSED'] as const;
/** A dispute outcome. */
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

/** A dispute about a session or a movement. */
export interface Dispute {
  readonly disputeId: string;
  readonly subjectType: 'SESSION' | 'MOVEMENT';
  readonly subjectId: string;
  readonly reasonCode: string;
  readonly detailsHash: string;
  readonly status: 'OPEN' | 'RESOLVED';
  readonly openedAt: string;
  readonly openedBy: ActorRef;
  readonly outcome: DisputeOutcome | null;
  /** The compensating movement, when there is one. */
  readonly movementId: string | null;
  readonly notesHash: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: ActorRef | null;
}
