/**
 * JSON Schemas of the time-bank results, for GetMetadata (see shared/schema.ts).
 */
import { ACTOR_REF, arrayOf, boolean, hash, integer, model, nullable, oneOf, string, time } from '../shared/schema';
import * as M from './models';

const minutes = (description: string): ReturnType<typeof integer> => integer(`${description}, in minutes`, 0);

export const POLICY = model<M.TimeBankPolicy>('TimeBankPolicy', 'Caps and rules set by the street offices.', {
  dailyCapMinutes: integer('most minutes a volunteer may log per local day', 1, 1440),
  storageCapMinutes: integer('most minutes a personal account may hold; also the largest movement', 60),
  maxSessionMinutes: integer('longest session', 1, 1440),
  redeemRequiresEligibility: boolean('Redeem needs an eligibility attestation in effect'),
  lotLifetimeDays: integer('minted lots expire after this many days; 0 = never', 0),
  dayOffsetMinutes: integer('offset from UTC of the local day the daily cap counts', -720, 840),
  version: integer('0 for the built-in defaults, then +1 per change', 0),
  updatedAt: nullable(time('time of the latest change')),
  updatedBy: nullable(ACTOR_REF),
});

const TOTALS = model<M.TimeTotals>('TimeTotals', "Running totals of an account's TIME by what moved them.", {
  minted: minutes('minted'),
  redeemed: minutes('redeemed'),
  expired: minutes('expired'),
  reversed: minutes('reversed by disputes'),
  giftedIn: minutes('received as gifts'),
  giftedOut: minutes('given as gifts'),
  donatedIn: minutes('received as donations'),
  donatedOut: minutes('donated'),
  grantedIn: minutes('received as grants'),
  grantedOut: minutes('granted'),
  compensatedIn: minutes('received as compensation'),
  compensatedOut: minutes('paid as compensation'),
});

export const ACCOUNT = model<M.Account>('Account', 'A time-bank account, keyed by a hash (no personal data).', {
  ref: hash("account reference: a person's subjectRef, or a reference the services chose"),
  kind: oneOf(M.ACCOUNT_KINDS, 'account kind'),
  homeMsp: string('the street office that opened it'),
  openedAt: time('opening time'),
  openedBy: ACTOR_REF,
  timeBalance: minutes("TIME held: the sum of its lots' remaining minutes"),
  pointsBalance: integer('POINTS held', 0),
  time: TOTALS,
  pointsAwarded: integer('points ever awarded', 0),
  pointsExchanged: integer('points ever exchanged', 0),
  lotSeq: integer('lots ever created (names the next lot)', 0),
  entrySeq: integer('statement lines (names the next line)', 0),
  updatedAt: time('time of the latest change'),
});

const LOT_SOURCE = model<M.LotSource>('LotSource', "Where a lot's minutes came from.", {
  kind: oneOf(M.LOT_SOURCE_KINDS, 'how they arrived'),
  movementId: string('the movement that created the lot'),
  fromRef: nullable(hash('the account they came from; null when minted')),
  sessionId: nullable(string('for minted lots: the attested session')),
  evidenceHash: nullable(hash('for minted lots: the evidence the coordinator relied on')),
  originLot: nullable(string('for moved minutes: the lot they were taken from, <ref>/<lotId>')),
});

const LOT = model<M.Lot>('Lot', 'Credit minutes held together.', {
  ref: hash('the holding account'),
  lotId: string('lot id within the account'),
  minutes: minutes('minutes the lot was created with'),
  remaining: minutes('minutes left'),
  createdAt: time('creation time'),
  originAt: time('when the minutes were first minted; lots are spent oldest first'),
  expiresAt: nullable(time('expiry')),
  source: LOT_SOURCE,
});

const LOT_PART = model<M.LotPart>('LotPart', 'A part of a lot.', {
  ref: hash('the account'),
  lotId: string('the lot'),
  minutes: minutes('the part'),
});

export const MOVEMENT = model<M.Movement>('Movement', 'One movement of credits or points.', {
  movementId: string('client id, or session/<id>, dispute/<id>, expire/<txId>'),
  kind: oneOf(M.MOVEMENT_KINDS, 'what moved'),
  asset: oneOf(M.ASSETS, 'TIME (minutes) or POINTS'),
  amount: integer('minutes or points', 0),
  fromRef: nullable(hash('paying account')),
  toRef: nullable(hash('receiving account')),
  providerRef: nullable(hash('for redemptions and exchanges: the provider')),
  reference: nullable(string('order reference, session id, dispute id or proposal hash')),
  reasonCode: nullable(string('reason code')),
  taken: arrayOf(LOT_PART, 'lot parts taken from the payer, oldest first'),
  created: arrayOf(LOT_PART, 'lots created in the receiver'),
  expired: arrayOf(LOT_PART, 'lots retired as expired before anything moved'),
  at: time('transaction time'),
  txId: string('the transaction'),
  by: ACTOR_REF,
});

export const FLAG = model<M.Flag>('Flag', 'A suspicious pattern noticed while recording an allowed action, for coordinators to review.', {
  flagId: string('<sessionId>/<code> or <movementId>/<code>'),
  code: oneOf(M.FLAG_CODES, 'the pattern'),
  accountRefs: arrayOf(hash('account'), 'the accounts concerned, sorted'),
  sessionIds: arrayOf(string('session id'), 'the session that raised it, then the sessions it relates to'),
  movementId: nullable(string('the movement that raised it')),
  detail: string('what was seen (references, times, minutes; no personal data)'),
  raisedAt: time('transaction time'),
  raisedBy: ACTOR_REF,
  txId: string('the transaction that raised it'),
  status: oneOf(M.FLAG_STATUSES, 'OPEN until a coordinator reviews it'),
  reviewedAt: nullable(time('review time')),
  reviewedBy: nullable(ACTOR_REF),
  notesHash: nullable(hash("hash of the coordinator's review notes")),
});

const FLAGS = arrayOf(FLAG, 'flags this transaction raised for coordinators (usually none)');

export const MOVEMENT_RESULT = model<{ movement: M.Movement; accounts: readonly M.Account[]; flags: readonly M.Flag[] }>('MovementResult', 'A movement, the accounts it changed and the flags it raised.', {
  movement: MOVEMENT,
  accounts: arrayOf(ACCOUNT, 'changed accounts, by ref'),
  flags: FLAGS,
});

const STATEMENT_ENTRY = model<M.StatementEntry>('StatementEntry', 'One line of an account statement.', {
  ref: hash('the account'),
  seq: integer('line number, from 1', 1),
  movementId: string('the movement'),
  kind: oneOf(M.ENTRY_KINDS, 'what happened'),
  asset: oneOf(M.ASSETS, 'TIME or POINTS'),
  delta: integer('effect on the balance of the asset'),
  balanceAfter: integer('balance of the asset after the line', 0),
  counterpartyRef: nullable(hash('the other account')),
  at: time('transaction time'),
  txId: string('the transaction'),
});

export const SESSION = model<M.Session>('Session', 'A volunteer service session on its way to becoming credit.', {
  sessionId: string('session id'),
  volunteerRef: hash("the volunteer's account"),
  beneficiaryRef: hash("the served resident's account"),
  serviceType: string('service type code'),
  startAt: time('start, whole minutes'),
  endAt: time('end, whole minutes'),
  minutes: integer('length', 1),
  day: string('local day the daily cap counts it on, YYYY-MM-DD'),
  status: oneOf(M.SESSION_STATUSES, 'state'),
  loggedAt: time('logging time'),
  loggedBy: ACTOR_REF,
  confirmation: nullable(oneOf(['BENEFICIARY', 'GUARDIAN'], 'who confirmed: the beneficiary through the portal, or an officer on their behalf')),
  confirmedAt: nullable(time('confirmation time')),
  confirmedBy: nullable(ACTOR_REF),
  attestedAt: nullable(time('attestation time')),
  attestedBy: nullable(ACTOR_REF),
  evidenceHash: nullable(hash('evidence the coordinator relied on')),
  lotId: nullable(string('the minted lot')),
  rejectedAt: nullable(time('rejection time')),
  rejectedBy: nullable(ACTOR_REF),
  rejectionReason: nullable(string('rejection reason code')),
});

export const MINT_RESULT = model<{ session: M.Session; movement: M.Movement; accounts: readonly M.Account[]; flags: readonly M.Flag[] }>(
  'TimeCreditMinted',
  'The attested session, the minting movement, the changed account and the flags raised.',
  { session: SESSION, movement: MOVEMENT, accounts: arrayOf(ACCOUNT, 'changed accounts'), flags: FLAGS },
);

export const SESSION_LOGGED = model<{ session: M.Session; flags: readonly M.Flag[] }>('SessionLogged', 'The logged session and the flags it raised.', {
  session: SESSION,
  flags: FLAGS,
});

export const FLAG_PAGE = model<{ flags: readonly M.Flag[]; bookmark: string }>('FlagPage', 'One page of flags, by flag id.', {
  flags: arrayOf(FLAG, 'by flag id'),
  bookmark: string("pass back for the next page; '' on the last"),
});

const RECEIPT = model<M.Receipt>('Receipt', 'What a provider received.', {
  providerRef: hash('the provider'),
  movementId: string('the movement'),
  asset: oneOf(M.ASSETS, 'TIME or POINTS'),
  amount: integer('minutes or points', 1),
  fromRef: hash('the paying account'),
  orderRef: string("the provider's order id"),
  at: time('transaction time'),
  txId: string('the transaction'),
});

export const ELIGIBILITY = model<M.Eligibility>('Eligibility', 'A civil-affairs attestation that an account may redeem from a date.', {
  ref: hash('the account'),
  eligibleFrom: time('from when it may redeem'),
  attestationHash: hash('hash of the civil-affairs record relied on'),
  attestedAt: time('attestation time'),
  attestedBy: ACTOR_REF,
});

export const RELATIVE_LINK = model<M.RelativeLink>('RelativeLink', 'A family link approved by civil affairs (stored in both directions).', {
  ref: hash('one account'),
  relativeRef: hash('the other'),
  relation: string('how relativeRef relates to ref, e.g. CHILD'),
  attestationHash: hash('hash of the household record relied on'),
  linkedAt: time('link time'),
  linkedBy: ACTOR_REF,
});

export const DISPUTE = model<M.Dispute>('Dispute', 'A dispute about a session or a movement.', {
  disputeId: string('dispute id'),
  subjectType: oneOf(['SESSION', 'MOVEMENT'], 'what is disputed'),
  subjectId: string('the session or movement id'),
  reasonCode: string('reason code'),
  detailsHash: hash('hash of the complaint kept off chain'),
  status: oneOf(['OPEN', 'RESOLVED'], 'state'),
  openedAt: time('opening time'),
  openedBy: ACTOR_REF,
  outcome: nullable(oneOf(M.DISPUTE_OUTCOMES, 'outcome')),
  movementId: nullable(string('the compensating movement')),
  notesHash: nullable(hash("hash of the coordinator's decision")),
  resolvedAt: nullable(time('resolution time')),
  resolvedBy: nullable(ACTOR_REF),
});

export const DISPUTE_RESULT = model<{ dispute: M.Dispute; movement: M.Movement | null; accounts: readonly M.Account[]; flags: readonly M.Flag[] }>(
  'DisputeResolved',
  'The resolved dispute, its compensating movement (null when dismissed), the changed accounts and the flags raised.',
  { dispute: DISPUTE, movement: nullable(MOVEMENT), accounts: arrayOf(ACCOUNT, 'changed accounts'), flags: FLAGS },
);

export const LOTS = model<{ ref: string; balance: number; available: number; lots: readonly M.Lot[] }>('AccountLots', "An account's unspent lots.", {
  ref: hash('the account'),
  balance: minutes('the balance'),
  available: minutes('spendable now (lots past expiry left out)'),
  lots: arrayOf(LOT, 'oldest first'),
});

export const STATEMENT_PAGE = model<{ entries: readonly M.StatementEntry[]; bookmark: string }>('StatementPage', 'One page of a statement.', {
  entries: arrayOf(STATEMENT_ENTRY, 'oldest first'),
  bookmark: string("pass back for the next page; '' on the last"),
});

export const ACCOUNT_PAGE = model<{ accounts: readonly M.Account[]; bookmark: string }>('AccountPage', 'One page of accounts, by ref.', {
  accounts: arrayOf(ACCOUNT, 'by ref'),
  bookmark: string("pass back for the next page; '' on the last"),
});

export const RECEIPT_PAGE = model<{ receipts: readonly M.Receipt[]; bookmark: string }>('ReceiptPage', 'One page of receipts, by movement id.', {
  receipts: arrayOf(RECEIPT, 'by movement id'),
  bookmark: string("pass back for the next page; '' on the last"),
});

export const TOTALS_RESULT = model<{
  accounts: number;
  outstanding: number;
  minted: number;
  redeemed: number;
  expired: number;
  reversed: number;
  transferredIn: number;
  transferredOut: number;
  points: number;
  pointsAwarded: number;
  pointsExchanged: number;
}>('TimeBankTotals', 'Network-wide totals; outstanding = minted - redeemed - expired - reversed.', {
  accounts: integer('accounts', 0),
  outstanding: minutes('TIME held by all accounts'),
  minted: minutes('minted'),
  redeemed: minutes('redeemed'),
  expired: minutes('expired'),
  reversed: minutes('reversed'),
  transferredIn: minutes('received by gifts, donations, grants and compensation'),
  transferredOut: minutes('sent by gifts, donations, grants and compensation'),
  points: integer('POINTS held', 0),
  pointsAwarded: integer('points awarded', 0),
  pointsExchanged: integer('points exchanged', 0),
});

export const RELATIVE_LINKS = arrayOf(RELATIVE_LINK, 'links');
