/**
 * TimeBankContract (`timebank`): volunteer sessions that become credit once attested, credit
 * lots spent oldest first with no overdraft, daily and storage caps as policy, redemption at
 * providers behind an eligibility attestation, gifts to linked relatives, the community pot and
 * its grants, disputes settled by compensating movements, and points as a second asset. Every
 * movement is a record, a statement line per account touched and one event.
 */
import { Contract, Info, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { authorize, type AccessRule, type Actor } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { CtlContext } from '../shared/context';
import { Input } from '../shared/input';
import type { ActorRef } from '../shared/models';
import { networkRoles } from '../shared/network';
import { DescribedParameters, ReturnsJson } from '../shared/schema';
import { ACCOUNT, Books, ENTRY, LOT, ZERO_TOTALS } from './books';
import {
  ACCOUNT_KINDS,
  DISPUTE_OUTCOMES,
  PERSONAL_KINDS,
  type Account,
  type Dispute,
  type Eligibility,
  type Flag,
  type FlagCode,
  type Lot,
  type LotPart,
  type LotSource,
  type Movement,
  type MovementKind,
  type Receipt,
  type RelativeLink,
  type ServedDay,
  type Session,
  type StatementEntry,
  type TimeBankPolicy,
  type TimeTotals,
  type VolunteerDay,
} from './models';
import { DEFAULT_POLICY, localDay, parsePolicy, shiftDay } from './policy';
import * as S from './schema';

const POLICY = 'tbPolicy';
const MOVEMENT = 'tbMove';
const RECEIPT = 'tbReceipt';
const SESSION = 'tbSession';
const DAY = 'tbDay';
const SERVED_DAY = 'tbServedDay';
const FLAG = 'tbFlag';
const ELIGIBILITY = 'tbEligibility';
const RELATIVE = 'tbRelative';
const DISPUTE = 'tbDispute';

/** Most points in one award or exchange. */
export const MAX_POINTS = 1_000_000;
/** Largest page of a paginated read. */
export const MAX_PAGE = 500;

/** Who may read the time bank: identities with a role (agents: of a street office). */
const READERS: readonly AccessRule[] = [{ roles: ['officer', 'coordinator', 'auditor', 'admin'] }, { roles: ['agent'], msps: networkRoles().streetOfficeMsps }];

function ref(actor: Actor): ActorRef {
  return { msp: actor.msp, cn: actor.cn };
}

/** Adds a transfer to the totals of one side. */
function addTotals(t: TimeTotals, kind: 'GIFT' | 'DONATE' | 'GRANT' | 'COMPENSATE', side: 'in' | 'out', amount: number): TimeTotals {
  switch (kind) {
    case 'GIFT':
      return side === 'in' ? { ...t, giftedIn: t.giftedIn + amount } : { ...t, giftedOut: t.giftedOut + amount };
    case 'DONATE':
      return side === 'in' ? { ...t, donatedIn: t.donatedIn + amount } : { ...t, donatedOut: t.donatedOut + amount };
    case 'GRANT':
      return side === 'in' ? { ...t, grantedIn: t.grantedIn + amount } : { ...t, grantedOut: t.grantedOut + amount };
    case 'COMPENSATE':
      return side === 'in' ? { ...t, compensatedIn: t.compensatedIn + amount } : { ...t, compensatedOut: t.compensatedOut + amount };
  }
}

function streetOffices(): readonly string[] {
  return networkRoles().streetOfficeMsps;
}

const HASH = '0x + 64 lowercase hex';
const PARAMETERS = {
  policyJson: 'JSON {dailyCapMinutes, storageCapMinutes, maxSessionMinutes, redeemRequiresEligibility, lotLifetimeDays, dayOffsetMinutes}',
  accountRef: `account reference: ${HASH}`,
  kind: 'RESIDENT, VOLUNTEER, PROVIDER, POT or ORGANISATION',
  pageSize: 'decimal 1-500',
  bookmark: "'' for the first page, else the previous page's bookmark",
  sessionId: 'session id: 1-128 characters of A-Z a-z 0-9 . _ : -',
  volunteerRef: `the volunteer's account: ${HASH}`,
  beneficiaryRef: `the served resident's account: ${HASH}`,
  serviceType: 'upper-case service type code, e.g. ELDER_VISIT',
  startAt: 'ISO 8601 UTC, whole minutes',
  endAt: 'ISO 8601 UTC, whole minutes, after startAt and not after the transaction time',
  evidenceHash: `hash of the evidence relied on: ${HASH}`,
  reasonCode: 'upper-case reason code',
  movementId: 'movement id chosen by the client (a replay is refused): 1-128 characters of A-Z a-z 0-9 . _ : -',
  providerRef: `a PROVIDER account: ${HASH}`,
  minutes: 'whole minutes in decimal digits',
  orderRef: "the provider's order id: 1-128 characters of A-Z a-z 0-9 . _ : -",
  fromRef: `the paying account: ${HASH}, or '' where the outcome takes none`,
  toRef: `the receiving account: ${HASH}, or '' where the outcome takes none`,
  potRef: `a POT account: ${HASH}`,
  eligibleFrom: 'ISO 8601 UTC: from when the account may redeem',
  attestationHash: `hash of the civil-affairs record relied on: ${HASH}`,
  relativeRef: `the related account: ${HASH}`,
  relation: 'upper-case code of how relativeRef relates to accountRef, e.g. CHILD',
  disputeId: 'dispute id: 1-128 characters of A-Z a-z 0-9 . _ : -',
  subjectType: 'SESSION or MOVEMENT',
  subjectId: 'the disputed session or movement id',
  detailsHash: `hash of the complaint kept off chain: ${HASH}`,
  outcome: 'ResolveDispute: DISMISSED, COMPENSATED or REVERSED; ReviewFlag: CLEARED or CONFIRMED',
  notesHash: `hash of the coordinator's decision or review notes kept off chain: ${HASH}`,
  points: 'decimal 1-1,000,000',
  proposalHash: `hash of the proposal or decision: ${HASH}`,
  flagId: 'flag id: <sessionId>/<code> or <movementId>/<code>',
};

/** The ledger's rules for the time bank. */
@Info({ title: 'TimeBankContract', description: 'Time credits and points: sessions, lots, caps, redemption, gifts, pot, disputes' })
@DescribedParameters(PARAMETERS)
export class TimeBankContract extends Contract {
  constructor() {
    super('timebank');
  }

  /** @returns the context with our helpers */
  override createContext(): CtlContext {
    return new CtlContext();
  }

  // ---- policy ---------------------------------------------------------------------------

  /**
   * Sets the time-bank policy (every field, see README).
   *
   * @param ctx - transaction context
   * @param policyJson - `{dailyCapMinutes, storageCapMinutes, maxSessionMinutes, redeemRequiresEligibility, lotLifetimeDays, dayOffsetMinutes}`
   * @returns the policy as JSON; event `TimeBankPolicySet`
   * @throws ChaincodeError `AUTH.DENIED` unless admin of a street office; `TIMEBANK.INVALID_ARGUMENT`
   */
  @Transaction()
  @ReturnsJson(S.POLICY)
  async SetPolicy(ctx: CtlContext, policyJson: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'set', 'the time-bank policy', { roles: ['admin'], msps: streetOffices() });
    const input = new Input('TIMEBANK', 'policy');
    const settings = parsePolicy(input.json('policyJson', policyJson, 4096));
    const current = await this.policy(ctx);
    const policy: TimeBankPolicy = { ...settings, version: current.version + 1, updatedAt: ctx.now(), updatedBy: ref(actor) };
    await ctx.putJson(ctx.key(POLICY), policy);
    ctx.emit('TimeBankPolicySet', policy);
    return canonicalJson(policy);
  }

  /**
   * @param ctx - transaction context
   * @returns the policy in force as JSON (version 0 = the defaults)
   */
  @Transaction(false)
  @ReturnsJson(S.POLICY)
  async GetPolicy(ctx: CtlContext): Promise<string> {
    authorize(ctx.actor(), 'read', 'the time-bank policy', ...READERS);
    return canonicalJson(await this.policy(ctx));
  }

  // ---- accounts -------------------------------------------------------------------------

  /**
   * Opens an account.
   *
   * @param ctx - transaction context
   * @param accountRef - `0x` + 64 hex: the person's subjectRef, or a reference the services
   *   choose for a provider, pot or organisation
   * @param kind - RESIDENT, VOLUNTEER, PROVIDER, POT or ORGANISATION
   * @returns the account as JSON; event `AccountOpened`
   * @throws ChaincodeError `AUTH.DENIED` (RESIDENT/VOLUNTEER: agent, officer or coordinator of a
   *   street office; PROVIDER/ORGANISATION: coordinator or admin of a street office; POT: admin
   *   of a street office); `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.ALREADY_EXISTS`
   */
  @Transaction()
  @ReturnsJson(S.ACCOUNT)
  async OpenAccount(ctx: CtlContext, accountRef: string, kind: string): Promise<string> {
    const input = new Input('TIMEBANK', accountRef);
    const account = input.hash('accountRef', accountRef);
    const accountKind = input.oneOf('kind', kind, ACCOUNT_KINDS);
    const actor = ctx.actor();
    const rule: AccessRule =
      accountKind === 'POT'
        ? { roles: ['admin'], msps: streetOffices() }
        : accountKind === 'PROVIDER' || accountKind === 'ORGANISATION'
          ? { roles: ['coordinator', 'admin'], msps: streetOffices() }
          : { roles: ['agent', 'officer', 'coordinator'], msps: streetOffices() };
    authorize(actor, `open a ${accountKind} account such as`, account, rule);
    const books = new Books(ctx, await this.policy(ctx));
    if ((await books.find(account)) !== undefined) throw new ChaincodeError('TIMEBANK.ALREADY_EXISTS', account, `account ${account} already exists`);
    books.open({
      ref: account,
      kind: accountKind,
      homeMsp: actor.msp,
      openedAt: ctx.now(),
      openedBy: ref(actor),
      timeBalance: 0,
      pointsBalance: 0,
      time: ZERO_TOTALS,
      pointsAwarded: 0,
      pointsExchanged: 0,
      lotSeq: 0,
      entrySeq: 0,
      updatedAt: ctx.now(),
    });
    const [opened] = await books.flush();
    if (opened === undefined) throw new ChaincodeError('CHAINCODE.INTERNAL', account, `account ${account} was not written`);
    ctx.emit('AccountOpened', opened);
    return canonicalJson(opened);
  }

  /**
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @returns the account as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.ACCOUNT)
  async GetAccount(ctx: CtlContext, accountRef: string): Promise<string> {
    authorize(ctx.actor(), 'read', `account ${accountRef}`, ...READERS);
    const account = new Input('TIMEBANK', accountRef).hash('accountRef', accountRef);
    return canonicalJson(await new Books(ctx, DEFAULT_POLICY).account(account));
  }

  /**
   * The account's unspent lots, oldest first, and the minutes it can spend now.
   *
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @returns `{ref, balance, available, lots}` as JSON (`available` leaves out lots past expiry
   *   that no transaction has retired yet)
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.LOTS)
  async GetLots(ctx: CtlContext, accountRef: string): Promise<string> {
    authorize(ctx.actor(), 'read', `account ${accountRef}`, ...READERS);
    const account = new Input('TIMEBANK', accountRef).hash('accountRef', accountRef);
    const books = new Books(ctx, DEFAULT_POLICY);
    const record = await books.account(account);
    const lots = (await ctx.list<Lot>(LOT, [account])).map((e) => e.value);
    lots.sort((a, b) => (a.originAt < b.originAt ? -1 : a.originAt > b.originAt ? 1 : a.lotId < b.lotId ? -1 : 1));
    return canonicalJson({ ref: account, balance: record.timeBalance, available: await books.available(account), lots });
  }

  /**
   * One page of an account's statement, oldest line first.
   *
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @param pageSize - 1 to 500
   * @param bookmark - '' for the first page, else the previous page's bookmark
   * @returns `{entries, bookmark}` as JSON; bookmark '' on the last page
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.STATEMENT_PAGE)
  async GetStatement(ctx: CtlContext, accountRef: string, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx.actor(), 'read', `account ${accountRef}`, ...READERS);
    const input = new Input('TIMEBANK', accountRef);
    const account = input.hash('accountRef', accountRef);
    const size = input.integerArg('pageSize', pageSize, 1, MAX_PAGE);
    const mark = input.bookmark('bookmark', bookmark);
    await new Books(ctx, DEFAULT_POLICY).account(account);
    const page = await ctx.page<StatementEntry>(ENTRY, [account], size, mark);
    return canonicalJson({ entries: page.items, bookmark: page.bookmark });
  }

  /**
   * One page of all accounts, by reference (for balance commitments and reconciliation).
   *
   * @param ctx - transaction context
   * @param pageSize - 1 to 500
   * @param bookmark - '' for the first page
   * @returns `{accounts, bookmark}` as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`
   */
  @Transaction(false)
  @ReturnsJson(S.ACCOUNT_PAGE)
  async ListAccounts(ctx: CtlContext, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx.actor(), 'list', 'accounts', ...READERS);
    const input = new Input('TIMEBANK', 'accounts');
    const page = await ctx.page<Account>(ACCOUNT, [], input.integerArg('pageSize', pageSize, 1, MAX_PAGE), input.bookmark('bookmark', bookmark));
    return canonicalJson({ accounts: page.items, bookmark: page.bookmark });
  }

  /**
   * Network-wide totals, summed over every account: what was minted, redeemed, expired and
   * reversed, and the outstanding balance (which equals minted − redeemed − expired − reversed).
   *
   * @param ctx - transaction context
   * @returns the totals as JSON
   * @throws ChaincodeError `AUTH.DENIED`
   */
  @Transaction(false)
  @ReturnsJson(S.TOTALS_RESULT)
  async GetTotals(ctx: CtlContext): Promise<string> {
    authorize(ctx.actor(), 'read', 'time-bank totals', ...READERS);
    const totals = { accounts: 0, outstanding: 0, minted: 0, redeemed: 0, expired: 0, reversed: 0, transferredIn: 0, transferredOut: 0, points: 0, pointsAwarded: 0, pointsExchanged: 0 };
    for (const { value: a } of await ctx.list<Account>(ACCOUNT, [])) {
      totals.accounts += 1;
      totals.outstanding += a.timeBalance;
      totals.minted += a.time.minted;
      totals.redeemed += a.time.redeemed;
      totals.expired += a.time.expired;
      totals.reversed += a.time.reversed;
      totals.transferredIn += a.time.giftedIn + a.time.donatedIn + a.time.grantedIn + a.time.compensatedIn;
      totals.transferredOut += a.time.giftedOut + a.time.donatedOut + a.time.grantedOut + a.time.compensatedOut;
      totals.points += a.pointsBalance;
      totals.pointsAwarded += a.pointsAwarded;
      totals.pointsExchanged += a.pointsExchanged;
    }
    return canonicalJson(totals);
  }

  // ---- sessions -------------------------------------------------------------------------

  /**
   * Logs a volunteer service session (step 1 of 3 towards credit).
   *
   * @param ctx - transaction context
   * @param sessionId - id chosen by the client
   * @param volunteerRef - the volunteer's account
   * @param beneficiaryRef - the served resident's account
   * @param serviceType - upper-case code, e.g. `ELDER_VISIT`
   * @param startAt - ISO 8601 UTC, whole minutes
   * @param endAt - ISO 8601 UTC, whole minutes, after start, not after the transaction time
   * @returns the session as JSON; event `SessionLogged`
   * @throws ChaincodeError `AUTH.DENIED` unless agent, officer or coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS` (a replayed
   *   session id); `TIMEBANK.SESSION_OVERLAP`; `TIMEBANK.DAILY_CAP_EXCEEDED`
   */
  @Transaction()
  @ReturnsJson(S.SESSION_LOGGED)
  async LogSession(ctx: CtlContext, sessionId: string, volunteerRef: string, beneficiaryRef: string, serviceType: string, startAt: string, endAt: string): Promise<string> {
    const id = new Input('TIMEBANK', 'session').id('sessionId', sessionId);
    const input = new Input('TIMEBANK', `session ${id}`);
    const volunteer = input.hash('volunteerRef', volunteerRef);
    const beneficiary = input.hash('beneficiaryRef', beneficiaryRef);
    const service = input.codeValue('serviceType', serviceType);
    const start = input.time('startAt', startAt);
    const end = input.time('endAt', endAt);
    const actor = ctx.actor();
    authorize(actor, 'log', `session ${id}`, { roles: ['agent', 'officer', 'coordinator'], msps: streetOffices() });
    if (volunteer === beneficiary) input.fail('the volunteer cannot be the beneficiary');
    if (!start.endsWith(':00.000Z') || !end.endsWith(':00.000Z')) input.fail('startAt and endAt must be whole minutes');
    if (end <= start) input.fail(`endAt ${end} is not after startAt ${start}`);
    const now = ctx.now();
    if (end > now) input.fail(`endAt ${end} is after the transaction time ${now}`);
    const policy = await this.policy(ctx);
    const minutes = (Date.parse(end) - Date.parse(start)) / 60_000;
    if (minutes > policy.maxSessionMinutes) input.fail(`a session of ${minutes} minutes exceeds the policy's ${policy.maxSessionMinutes}`);
    const books = new Books(ctx, policy);
    await books.accountOfKind(volunteer, PERSONAL_KINDS, 'volunteer');
    await books.accountOfKind(beneficiary, PERSONAL_KINDS, 'beneficiary');
    const key = ctx.key(SESSION, id);
    if ((await ctx.getJson<Session>(key)) !== undefined) throw new ChaincodeError('TIMEBANK.ALREADY_EXISTS', id, `session ${id} was already logged`);

    const day = localDay(start, policy.dayOffsetMinutes);
    // A session lasts at most a day, so only the day before, the day and the day after can overlap.
    const around = [-1, 0, 1].map((d) => shiftDay(day, d));
    const days = await Promise.all(around.map(async (d) => this.volunteerDay(ctx, volunteer, d)));
    const overlaps = (other: { readonly startAt: string; readonly endAt: string }): boolean => other.startAt < end && start < other.endAt;
    for (const other of days.flatMap((d) => d.sessions)) {
      if (overlaps(other)) {
        throw new ChaincodeError('TIMEBANK.SESSION_OVERLAP', id, `session ${id} overlaps session ${other.sessionId} of volunteer ${volunteer}`);
      }
    }
    const today = days[1] ?? { ref: volunteer, day, minutes: 0, sessions: [] };
    if (today.minutes + minutes > policy.dailyCapMinutes) {
      throw new ChaincodeError(
        'TIMEBANK.DAILY_CAP_EXCEEDED',
        volunteer,
        `volunteer ${volunteer} has ${today.minutes} minutes on ${day}; ${minutes} more would exceed the daily cap of ${policy.dailyCapMinutes} (session ${id})`,
      );
    }
    const session: Session = {
      sessionId: id,
      volunteerRef: volunteer,
      beneficiaryRef: beneficiary,
      serviceType: service,
      startAt: start,
      endAt: end,
      minutes,
      day,
      status: 'LOGGED',
      loggedAt: now,
      loggedBy: ref(actor),
      confirmation: null,
      confirmedAt: null,
      confirmedBy: null,
      attestedAt: null,
      attestedBy: null,
      evidenceHash: null,
      lotId: null,
      rejectedAt: null,
      rejectedBy: null,
      rejectionReason: null,
    };
    const updatedDay: VolunteerDay = {
      ...today,
      minutes: today.minutes + minutes,
      sessions: [...today.sessions, { sessionId: id, startAt: start, endAt: end, beneficiaryRef: beneficiary }].sort((a, b) => (a.startAt < b.startAt ? -1 : 1)),
    };

    // Patterns coordinators should look at; none of them blocks the session.
    const volunteerServed = (await Promise.all(around.map(async (d) => this.servedDay(ctx, volunteer, d)))).flatMap((d) => d.sessions);
    const beneficiaryServed = await Promise.all(around.map(async (d) => this.servedDay(ctx, beneficiary, d)));
    const beneficiaryVolunteering = (await Promise.all(around.map(async (d) => this.volunteerDay(ctx, beneficiary, d)))).flatMap((d) => d.sessions);
    const found: { code: FlagCode; refs: string[]; sessions: string[]; detail: string }[] = [];
    if (updatedDay.minutes === policy.dailyCapMinutes) {
      found.push({ code: 'DAILY_CAP_REACHED', refs: [volunteer], sessions: [], detail: `the volunteer reached the daily cap of ${policy.dailyCapMinutes} minutes on ${day}` });
    }
    const twice = beneficiaryServed.flatMap((d) => d.sessions).filter(overlaps);
    if (twice.length > 0) {
      found.push({
        code: 'OVERLAPPING_BENEFICIARY_SESSIONS',
        refs: [beneficiary, volunteer, ...twice.map((o) => o.volunteerRef)],
        sessions: twice.map((o) => o.sessionId),
        detail: `the beneficiary was already being served by another volunteer from ${twice[0]?.startAt ?? ''}`,
      });
    }
    const served = volunteerServed.filter(overlaps);
    if (served.length > 0) {
      found.push({
        code: 'VOLUNTEER_SERVED_DURING_SESSION',
        refs: [volunteer, ...served.map((o) => o.volunteerRef)],
        sessions: served.map((o) => o.sessionId),
        detail: 'the volunteer was being served in another session at the same time',
      });
    }
    const busy = beneficiaryVolunteering.filter(overlaps);
    if (busy.length > 0) {
      found.push({
        code: 'BENEFICIARY_VOLUNTEERING_DURING_SESSION',
        refs: [beneficiary, volunteer],
        sessions: busy.map((o) => o.sessionId),
        detail: 'the beneficiary logged a session as a volunteer at the same time',
      });
    }
    const reciprocal = beneficiaryVolunteering.filter((o) => o.beneficiaryRef === volunteer);
    if (reciprocal.length > 0) {
      found.push({
        code: 'RECIPROCAL_SESSIONS',
        refs: [volunteer, beneficiary],
        sessions: reciprocal.map((o) => o.sessionId),
        detail: `the beneficiary served the volunteer between ${around[0] ?? ''} and ${around[2] ?? ''} (a possible circular trade)`,
      });
    }
    const flags: Flag[] = [];
    for (const f of found) flags.push(await this.raise(ctx, `${id}/${f.code}`, f.code, f.refs, [id, ...f.sessions], null, f.detail));

    const servedToday = beneficiaryServed[1] ?? { ref: beneficiary, day, sessions: [] };
    const updatedServed: ServedDay = {
      ...servedToday,
      sessions: [...servedToday.sessions, { sessionId: id, volunteerRef: volunteer, startAt: start, endAt: end }].sort((a, b) => (a.startAt < b.startAt ? -1 : 1)),
    };
    await ctx.putJson(key, session);
    await ctx.putJson(ctx.key(DAY, volunteer, day), updatedDay);
    await ctx.putJson(ctx.key(SERVED_DAY, beneficiary, day), updatedServed);
    const result = { session, flags };
    ctx.emit('SessionLogged', result);
    return canonicalJson(result);
  }

  /**
   * The beneficiary confirms a session (through the portal, role `agent`), or an officer does
   * on their behalf (`GUARDIAN`, for elders without a phone). Step 2 of 3.
   *
   * @param ctx - transaction context
   * @param sessionId - session id
   * @returns the session as JSON; event `SessionConfirmed`
   * @throws ChaincodeError `AUTH.DENIED` unless agent or officer of a street office;
   *   `TIMEBANK.NOT_FOUND`; `TIMEBANK.INVALID_STATE` unless LOGGED
   */
  @Transaction()
  @ReturnsJson(S.SESSION)
  async ConfirmSession(ctx: CtlContext, sessionId: string): Promise<string> {
    const id = new Input('TIMEBANK', 'session').id('sessionId', sessionId);
    const actor = ctx.actor();
    authorize(actor, 'confirm', `session ${id}`, { roles: ['agent', 'officer'], msps: streetOffices() });
    const session = await this.session(ctx, id);
    if (session.status !== 'LOGGED') throw new ChaincodeError('TIMEBANK.INVALID_STATE', id, `session ${id} is ${session.status}; only a LOGGED session can be confirmed`);
    const confirmed: Session = {
      ...session,
      status: 'CONFIRMED',
      confirmation: actor.role === 'officer' ? 'GUARDIAN' : 'BENEFICIARY',
      confirmedAt: ctx.now(),
      confirmedBy: ref(actor),
    };
    await ctx.putJson(ctx.key(SESSION, id), confirmed);
    ctx.emit('SessionConfirmed', confirmed);
    return canonicalJson(confirmed);
  }

  /**
   * A coordinator attests a confirmed session and the volunteer's account receives a credit
   * lot of the session's minutes, linked to the session and its evidence. Step 3 of 3.
   *
   * @param ctx - transaction context
   * @param sessionId - session id
   * @param evidenceHash - hash of the evidence the coordinator relied on (e.g. an evidence step)
   * @returns `{session, movement, accounts}` as JSON; event `TimeCreditMinted` with the same
   * @throws ChaincodeError `AUTH.DENIED` unless coordinator of a street office;
   *   `TIMEBANK.NOT_ALLOWED` when the coordinator logged the session; `TIMEBANK.NOT_FOUND`;
   *   `TIMEBANK.INVALID_STATE` unless CONFIRMED; `TIMEBANK.STORAGE_CAP_EXCEEDED`
   */
  @Transaction()
  @ReturnsJson(S.MINT_RESULT)
  async AttestSession(ctx: CtlContext, sessionId: string, evidenceHash: string): Promise<string> {
    const id = new Input('TIMEBANK', 'session').id('sessionId', sessionId);
    const evidence = new Input('TIMEBANK', `session ${id}`).hash('evidenceHash', evidenceHash);
    const actor = ctx.actor();
    authorize(actor, 'attest', `session ${id}`, { roles: ['coordinator'], msps: streetOffices() });
    const session = await this.session(ctx, id);
    if (session.status !== 'CONFIRMED') throw new ChaincodeError('TIMEBANK.INVALID_STATE', id, `session ${id} is ${session.status}; only a CONFIRMED session can be attested`);
    if (session.loggedBy.msp === actor.msp && session.loggedBy.cn === actor.cn) {
      throw new ChaincodeError('TIMEBANK.NOT_ALLOWED', id, `${actor.msp}/${actor.cn} logged session ${id} and cannot also attest it`);
    }
    const books = new Books(ctx, await this.policy(ctx));
    const movementId = `session/${id}`;
    const volunteer = session.volunteerRef;
    await books.accountOfKind(volunteer, PERSONAL_KINDS, 'volunteer');
    const expired = await books.sweep(volunteer, movementId);
    books.checkStorage(volunteer, session.minutes);
    const source: LotSource = { kind: 'MINT', movementId, fromRef: null, sessionId: id, evidenceHash: evidence, originLot: null };
    const lot = await books.credit(volunteer, session.minutes, source, ctx.now(), books.mintExpiry());
    books.adjust(volunteer, (a) => ({ ...a, time: { ...a.time, minted: a.time.minted + session.minutes } }));
    await books.entry(volunteer, movementId, 'MINT', 'TIME', session.minutes, null);
    const movement = this.movement(ctx, {
      movementId,
      kind: 'MINT',
      asset: 'TIME',
      amount: session.minutes,
      fromRef: null,
      toRef: volunteer,
      providerRef: null,
      reference: id,
      reasonCode: null,
      taken: [],
      created: [{ ref: volunteer, lotId: lot.lotId, minutes: lot.minutes }],
      expired,
    });
    const attested: Session = { ...session, status: 'ATTESTED', attestedAt: ctx.now(), attestedBy: ref(actor), evidenceHash: evidence, lotId: lot.lotId };
    await ctx.putJson(ctx.key(SESSION, id), attested);
    await ctx.putJson(ctx.key(MOVEMENT, movementId), movement);
    const flags = await this.storageCapFlags(ctx, books, [volunteer], movementId, [id]);
    const accounts = await books.flush();
    const result = { session: attested, movement, accounts, flags };
    ctx.emit('TimeCreditMinted', result);
    return canonicalJson(result);
  }

  /**
   * A coordinator rejects a session that is not attested yet; its minutes leave the
   * volunteer's daily count.
   *
   * @param ctx - transaction context
   * @param sessionId - session id
   * @param reasonCode - upper-case code
   * @returns the session as JSON; event `SessionRejected`
   * @throws ChaincodeError `AUTH.DENIED`; `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`;
   *   `TIMEBANK.INVALID_STATE` unless LOGGED or CONFIRMED
   */
  @Transaction()
  @ReturnsJson(S.SESSION)
  async RejectSession(ctx: CtlContext, sessionId: string, reasonCode: string): Promise<string> {
    const id = new Input('TIMEBANK', 'session').id('sessionId', sessionId);
    const reason = new Input('TIMEBANK', `session ${id}`).codeValue('reasonCode', reasonCode);
    const actor = ctx.actor();
    authorize(actor, 'reject', `session ${id}`, { roles: ['coordinator'], msps: streetOffices() });
    const session = await this.session(ctx, id);
    if (session.status !== 'LOGGED' && session.status !== 'CONFIRMED') {
      throw new ChaincodeError('TIMEBANK.INVALID_STATE', id, `session ${id} is ${session.status}; it can no longer be rejected`);
    }
    const day = await this.volunteerDay(ctx, session.volunteerRef, session.day);
    await ctx.putJson(ctx.key(DAY, session.volunteerRef, session.day), {
      ...day,
      minutes: day.minutes - session.minutes,
      sessions: day.sessions.filter((s) => s.sessionId !== id),
    });
    const served = await this.servedDay(ctx, session.beneficiaryRef, session.day);
    if (served.sessions.some((s) => s.sessionId === id)) {
      await ctx.putJson(ctx.key(SERVED_DAY, session.beneficiaryRef, session.day), { ...served, sessions: served.sessions.filter((s) => s.sessionId !== id) });
    }
    const rejected: Session = { ...session, status: 'REJECTED', rejectedAt: ctx.now(), rejectedBy: ref(actor), rejectionReason: reason };
    await ctx.putJson(ctx.key(SESSION, id), rejected);
    ctx.emit('SessionRejected', rejected);
    return canonicalJson(rejected);
  }

  /**
   * @param ctx - transaction context
   * @param sessionId - session id
   * @returns the session as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.SESSION)
  async GetSession(ctx: CtlContext, sessionId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `session ${sessionId}`, ...READERS);
    return canonicalJson(await this.session(ctx, new Input('TIMEBANK', 'session').id('sessionId', sessionId)));
  }

  // ---- movements ------------------------------------------------------------------------

  /**
   * Redeems credit at a provider: minutes leave the account's lots oldest first and are
   * counted as redeemed; the provider gets a receipt.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client (a replay is refused)
   * @param accountRef - the paying resident or volunteer
   * @param providerRef - a PROVIDER account
   * @param minutes - whole minutes, at least 1
   * @param orderRef - the provider's order id
   * @returns `{movement, accounts}` as JSON; event `TimeCreditRedeemed` with the same
   * @throws ChaincodeError `AUTH.DENIED` unless agent or officer of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS`;
   *   `TIMEBANK.NOT_ELIGIBLE`; `TIMEBANK.INSUFFICIENT_BALANCE`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async Redeem(ctx: CtlContext, movementId: string, accountRef: string, providerRef: string, minutes: string, orderRef: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const account = input.hash('accountRef', accountRef);
    const provider = input.hash('providerRef', providerRef);
    const order = input.id('orderRef', orderRef);
    const actor = ctx.actor();
    authorize(actor, 'redeem credit in', `movement ${id}`, { roles: ['agent', 'officer'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    const amount = input.integerArg('minutes', minutes, 1, books.policy.storageCapMinutes);
    await this.fresh(ctx, id);
    await books.accountOfKind(account, PERSONAL_KINDS, 'redeeming account');
    await books.accountOfKind(provider, ['PROVIDER'], 'provider');
    if (books.policy.redeemRequiresEligibility) {
      const eligibility = await ctx.getJson<Eligibility>(ctx.key(ELIGIBILITY, account));
      if (eligibility === undefined) throw new ChaincodeError('TIMEBANK.NOT_ELIGIBLE', account, `account ${account} has no eligibility attestation (movement ${id})`);
      if (eligibility.eligibleFrom > ctx.now()) {
        throw new ChaincodeError('TIMEBANK.NOT_ELIGIBLE', account, `account ${account} may redeem from ${eligibility.eligibleFrom} (movement ${id})`);
      }
    }
    const { pieces, expired } = await books.take(account, amount, id);
    books.adjust(account, (a) => ({ ...a, time: { ...a.time, redeemed: a.time.redeemed + amount } }));
    await books.entry(account, id, 'REDEEM', 'TIME', -amount, provider);
    const receipt: Receipt = { providerRef: provider, movementId: id, asset: 'TIME', amount, fromRef: account, orderRef: order, at: ctx.now(), txId: ctx.txId() };
    await ctx.putJson(ctx.key(RECEIPT, provider, id), receipt);
    return this.finish(ctx, books, 'TimeCreditRedeemed', {
      movementId: id,
      kind: 'REDEEM',
      asset: 'TIME',
      amount,
      fromRef: account,
      toRef: null,
      providerRef: provider,
      reference: order,
      reasonCode: null,
      taken: pieces.map(({ ref: r, lotId, minutes: m }) => ({ ref: r, lotId, minutes: m })),
      created: [],
      expired,
    });
  }

  /**
   * Gives credit to a relative linked by civil affairs. The minutes keep their age (and
   * expiry) in the receiving account.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client
   * @param fromRef - the giver
   * @param toRef - the linked relative
   * @param minutes - whole minutes, at least 1
   * @returns `{movement, accounts}` as JSON; event `TimeCreditGifted`
   * @throws ChaincodeError `AUTH.DENIED`; `TIMEBANK.INVALID_ARGUMENT` (also for a gift to
   *   oneself); `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS`; `TIMEBANK.NOT_RELATED`;
   *   `TIMEBANK.INSUFFICIENT_BALANCE`; `TIMEBANK.STORAGE_CAP_EXCEEDED`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async Gift(ctx: CtlContext, movementId: string, fromRef: string, toRef: string, minutes: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const from = input.hash('fromRef', fromRef);
    const to = input.hash('toRef', toRef);
    const actor = ctx.actor();
    authorize(actor, 'gift credit in', `movement ${id}`, { roles: ['agent', 'officer'], msps: streetOffices() });
    if (from === to) input.fail('a gift to oneself is not a gift');
    const books = new Books(ctx, await this.policy(ctx));
    const amount = input.integerArg('minutes', minutes, 1, books.policy.storageCapMinutes);
    await this.fresh(ctx, id);
    await books.accountOfKind(from, PERSONAL_KINDS, 'giver');
    await books.accountOfKind(to, PERSONAL_KINDS, 'receiver');
    if ((await ctx.getJson<RelativeLink>(ctx.key(RELATIVE, from, to))) === undefined) {
      throw new ChaincodeError('TIMEBANK.NOT_RELATED', to, `account ${to} is not a linked relative of ${from} (movement ${id})`);
    }
    const movement = await this.transfer(ctx, books, id, 'GIFT', from, to, amount, null);
    return this.finish(ctx, books, 'TimeCreditGifted', movement);
  }

  /**
   * Donates credit to a community pot.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client
   * @param fromRef - the donor (personal or organisation account)
   * @param potRef - a POT account
   * @param minutes - whole minutes, at least 1
   * @returns `{movement, accounts}` as JSON; event `TimeCreditDonated`
   * @throws ChaincodeError `AUTH.DENIED`; `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`;
   *   `TIMEBANK.ALREADY_EXISTS`; `TIMEBANK.INSUFFICIENT_BALANCE`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async Donate(ctx: CtlContext, movementId: string, fromRef: string, potRef: string, minutes: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const from = input.hash('fromRef', fromRef);
    const pot = input.hash('potRef', potRef);
    const actor = ctx.actor();
    authorize(actor, 'donate credit in', `movement ${id}`, { roles: ['agent', 'officer'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    const amount = input.integerArg('minutes', minutes, 1, books.policy.storageCapMinutes);
    await this.fresh(ctx, id);
    await books.accountOfKind(from, [...PERSONAL_KINDS, 'ORGANISATION'], 'donor');
    await books.accountOfKind(pot, ['POT'], 'receiving account');
    const movement = await this.transfer(ctx, books, id, 'DONATE', from, pot, amount, null);
    return this.finish(ctx, books, 'TimeCreditDonated', movement);
  }

  /**
   * A coordinator of the pot's street office grants credit from the pot to a resident in need.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client
   * @param potRef - the POT account
   * @param toRef - the receiving resident or volunteer
   * @param minutes - whole minutes, at least 1
   * @param reasonCode - upper-case code, e.g. `ELDER_IN_NEED`
   * @returns `{movement, accounts}` as JSON; event `TimeCreditGranted`
   * @throws ChaincodeError `AUTH.DENIED` unless coordinator; `TIMEBANK.NOT_ALLOWED` unless of the
   *   pot's street office; `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`;
   *   `TIMEBANK.ALREADY_EXISTS`; `TIMEBANK.INSUFFICIENT_BALANCE`; `TIMEBANK.STORAGE_CAP_EXCEEDED`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async Grant(ctx: CtlContext, movementId: string, potRef: string, toRef: string, minutes: string, reasonCode: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const pot = input.hash('potRef', potRef);
    const to = input.hash('toRef', toRef);
    const reason = input.codeValue('reasonCode', reasonCode);
    const actor = ctx.actor();
    authorize(actor, 'grant credit in', `movement ${id}`, { roles: ['coordinator'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    const amount = input.integerArg('minutes', minutes, 1, books.policy.storageCapMinutes);
    await this.fresh(ctx, id);
    const potAccount = await books.accountOfKind(pot, ['POT'], 'paying account');
    if (potAccount.homeMsp !== actor.msp) {
      throw new ChaincodeError('TIMEBANK.NOT_ALLOWED', pot, `only coordinators of ${potAccount.homeMsp} may grant from pot ${pot} (movement ${id})`);
    }
    await books.accountOfKind(to, PERSONAL_KINDS, 'receiver');
    const movement = await this.transfer(ctx, books, id, 'GRANT', pot, to, amount, reason);
    return this.finish(ctx, books, 'TimeCreditGranted', movement);
  }

  /**
   * Retires an account's lots that have passed their expiry (movements also do this on the
   * accounts they touch).
   *
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @returns `{movement, accounts}` as JSON; event `TimeCreditExpired` when anything expired
   * @throws ChaincodeError `AUTH.DENIED` unless agent, officer or coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async ExpireLots(ctx: CtlContext, accountRef: string): Promise<string> {
    const account = new Input('TIMEBANK', accountRef).hash('accountRef', accountRef);
    authorize(ctx.actor(), 'expire lots of', `account ${account}`, { roles: ['agent', 'officer', 'coordinator'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    await books.account(account);
    const id = `expire/${ctx.txId()}`;
    const expired = await books.sweep(account, id);
    const total = expired.reduce((sum, p) => sum + p.minutes, 0);
    const movement = this.movement(ctx, {
      movementId: id,
      kind: 'EXPIRE',
      asset: 'TIME',
      amount: total,
      fromRef: account,
      toRef: null,
      providerRef: null,
      reference: null,
      reasonCode: null,
      taken: [],
      created: [],
      expired,
    });
    if (total === 0) return canonicalJson({ movement, accounts: [], flags: [] });
    await ctx.putJson(ctx.key(MOVEMENT, id), movement);
    const accounts = await books.flush();
    const result = { movement, accounts, flags: [] };
    ctx.emit('TimeCreditExpired', result);
    return canonicalJson(result);
  }

  /**
   * @param ctx - transaction context
   * @param movementId - movement id (client ids, or `session/<id>`, `dispute/<id>`, `expire/<txId>`)
   * @returns the movement as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.MOVEMENT)
  async GetMovement(ctx: CtlContext, movementId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `movement ${movementId}`, ...READERS);
    const input = new Input('TIMEBANK', movementId);
    const id = input.text('movementId', movementId, 1, 200);
    const movement = await ctx.getJson<Movement>(ctx.key(MOVEMENT, id));
    if (movement === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `movement ${id} does not exist`);
    return canonicalJson(movement);
  }

  /**
   * One page of what a provider received (redemptions and points exchanges).
   *
   * @param ctx - transaction context
   * @param providerRef - the PROVIDER account
   * @param pageSize - 1 to 500
   * @param bookmark - '' for the first page
   * @returns `{receipts, bookmark}` as JSON, by movement id
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`
   */
  @Transaction(false)
  @ReturnsJson(S.RECEIPT_PAGE)
  async GetReceipts(ctx: CtlContext, providerRef: string, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx.actor(), 'read', `receipts of ${providerRef}`, ...READERS);
    const input = new Input('TIMEBANK', providerRef);
    const provider = input.hash('providerRef', providerRef);
    const page = await ctx.page<Receipt>(RECEIPT, [provider], input.integerArg('pageSize', pageSize, 1, MAX_PAGE), input.bookmark('bookmark', bookmark));
    return canonicalJson({ receipts: page.items, bookmark: page.bookmark });
  }

  // ---- eligibility and relatives ---------------------------------------------------------

  /**
   * Civil affairs attests from when an account may redeem (for example the day its holder
   * turns 60); no birth date is stored. A new attestation replaces the previous one.
   *
   * @param ctx - transaction context
   * @param accountRef - a personal account
   * @param eligibleFrom - ISO 8601 UTC
   * @param attestationHash - hash of the civil-affairs record relied on
   * @returns the attestation as JSON; event `EligibilityAttested`
   * @throws ChaincodeError `AUTH.DENIED` unless officer of civil affairs;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`
   */
  @Transaction()
  @ReturnsJson(S.ELIGIBILITY)
  async AttestEligibility(ctx: CtlContext, accountRef: string, eligibleFrom: string, attestationHash: string): Promise<string> {
    const input = new Input('TIMEBANK', accountRef);
    const account = input.hash('accountRef', accountRef);
    const from = input.time('eligibleFrom', eligibleFrom);
    const attestation = input.hash('attestationHash', attestationHash);
    const actor = ctx.actor();
    authorize(actor, 'attest the eligibility of', `account ${account}`, { roles: ['officer'], msps: networkRoles().civilAffairsMsps });
    await new Books(ctx, DEFAULT_POLICY).accountOfKind(account, PERSONAL_KINDS, 'eligible account');
    const record: Eligibility = { ref: account, eligibleFrom: from, attestationHash: attestation, attestedAt: ctx.now(), attestedBy: ref(actor) };
    await ctx.putJson(ctx.key(ELIGIBILITY, account), record);
    ctx.emit('EligibilityAttested', record);
    return canonicalJson(record);
  }

  /**
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @returns the eligibility attestation as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.ELIGIBILITY)
  async GetEligibility(ctx: CtlContext, accountRef: string): Promise<string> {
    authorize(ctx.actor(), 'read', `account ${accountRef}`, ...READERS);
    const account = new Input('TIMEBANK', accountRef).hash('accountRef', accountRef);
    const record = await ctx.getJson<Eligibility>(ctx.key(ELIGIBILITY, account));
    if (record === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', account, `account ${account} has no eligibility attestation`);
    return canonicalJson(record);
  }

  /**
   * Civil affairs links two personal accounts as relatives, so they may gift to each other.
   *
   * @param ctx - transaction context
   * @param accountRef - one account
   * @param relativeRef - the other
   * @param relation - upper-case code of how `relativeRef` relates to `accountRef`, e.g. `CHILD`
   * @param attestationHash - hash of the household record relied on
   * @returns both directions of the link as a JSON array; event `RelativeLinked`
   * @throws ChaincodeError `AUTH.DENIED` unless officer of civil affairs;
   *   `TIMEBANK.INVALID_ARGUMENT` (also linking an account to itself); `TIMEBANK.NOT_FOUND`;
   *   `TIMEBANK.ALREADY_EXISTS`
   */
  @Transaction()
  @ReturnsJson(S.RELATIVE_LINKS)
  async LinkRelative(ctx: CtlContext, accountRef: string, relativeRef: string, relation: string, attestationHash: string): Promise<string> {
    const input = new Input('TIMEBANK', accountRef);
    const a = input.hash('accountRef', accountRef);
    const b = input.hash('relativeRef', relativeRef);
    const rel = input.codeValue('relation', relation);
    const attestation = input.hash('attestationHash', attestationHash);
    const actor = ctx.actor();
    authorize(actor, 'link relatives of', `account ${a}`, { roles: ['officer'], msps: networkRoles().civilAffairsMsps });
    if (a === b) input.fail('an account cannot be its own relative');
    const books = new Books(ctx, DEFAULT_POLICY);
    await books.accountOfKind(a, PERSONAL_KINDS, 'account');
    await books.accountOfKind(b, PERSONAL_KINDS, 'relative');
    if ((await ctx.getJson<RelativeLink>(ctx.key(RELATIVE, a, b))) !== undefined) {
      throw new ChaincodeError('TIMEBANK.ALREADY_EXISTS', a, `accounts ${a} and ${b} are already linked`);
    }
    const base = { relation: rel, attestationHash: attestation, linkedAt: ctx.now(), linkedBy: ref(actor) };
    const links: RelativeLink[] = [
      { ref: a, relativeRef: b, ...base },
      { ref: b, relativeRef: a, ...base },
    ];
    for (const link of links) await ctx.putJson(ctx.key(RELATIVE, link.ref, link.relativeRef), link);
    ctx.emit('RelativeLinked', links);
    return canonicalJson(links);
  }

  /**
   * Removes a family link, in both directions.
   *
   * @param ctx - transaction context
   * @param accountRef - one account
   * @param relativeRef - the other
   * @param reasonCode - upper-case code
   * @returns the removed link as JSON; event `RelativeUnlinked` `{link, reasonCode}`
   * @throws ChaincodeError `AUTH.DENIED`; `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`
   */
  @Transaction()
  @ReturnsJson(S.RELATIVE_LINK)
  async UnlinkRelative(ctx: CtlContext, accountRef: string, relativeRef: string, reasonCode: string): Promise<string> {
    const input = new Input('TIMEBANK', accountRef);
    const a = input.hash('accountRef', accountRef);
    const b = input.hash('relativeRef', relativeRef);
    const reason = input.codeValue('reasonCode', reasonCode);
    authorize(ctx.actor(), 'unlink relatives of', `account ${a}`, { roles: ['officer'], msps: networkRoles().civilAffairsMsps });
    const link = await ctx.getJson<RelativeLink>(ctx.key(RELATIVE, a, b));
    if (link === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', a, `accounts ${a} and ${b} are not linked`);
    await ctx.del(ctx.key(RELATIVE, a, b));
    await ctx.del(ctx.key(RELATIVE, b, a));
    ctx.emit('RelativeUnlinked', { link, reasonCode: reason });
    return canonicalJson(link);
  }

  /**
   * @param ctx - transaction context
   * @param accountRef - account reference
   * @returns the account's links as a JSON array
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`
   */
  @Transaction(false)
  @ReturnsJson(S.RELATIVE_LINKS)
  async GetRelatives(ctx: CtlContext, accountRef: string): Promise<string> {
    authorize(ctx.actor(), 'read', `account ${accountRef}`, ...READERS);
    const account = new Input('TIMEBANK', accountRef).hash('accountRef', accountRef);
    return canonicalJson((await ctx.list<RelativeLink>(RELATIVE, [account])).map((e) => e.value));
  }

  // ---- disputes -------------------------------------------------------------------------

  /**
   * Opens a dispute about an attested session or a movement.
   *
   * @param ctx - transaction context
   * @param disputeId - id chosen by the client
   * @param subjectType - SESSION or MOVEMENT
   * @param subjectId - the session or movement id
   * @param reasonCode - upper-case code
   * @param detailsHash - hash of the complaint kept off chain
   * @returns the dispute as JSON; event `DisputeOpened`
   * @throws ChaincodeError `AUTH.DENIED` unless agent, officer or coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS`
   */
  @Transaction()
  @ReturnsJson(S.DISPUTE)
  async OpenDispute(ctx: CtlContext, disputeId: string, subjectType: string, subjectId: string, reasonCode: string, detailsHash: string): Promise<string> {
    const id = new Input('TIMEBANK', 'dispute').id('disputeId', disputeId);
    const input = new Input('TIMEBANK', `dispute ${id}`);
    const type = input.oneOf('subjectType', subjectType, ['SESSION', 'MOVEMENT'] as const);
    const subject = input.text('subjectId', subjectId, 1, 200);
    const reason = input.codeValue('reasonCode', reasonCode);
    const details = input.hash('detailsHash', detailsHash);
    const actor = ctx.actor();
    authorize(actor, 'open', `dispute ${id}`, { roles: ['agent', 'officer', 'coordinator'], msps: streetOffices() });
    const subjectKey = type === 'SESSION' ? ctx.key(SESSION, subject) : ctx.key(MOVEMENT, subject);
    if ((await ctx.getJson<unknown>(subjectKey)) === undefined) {
      throw new ChaincodeError('TIMEBANK.NOT_FOUND', subject, `${type === 'SESSION' ? 'session' : 'movement'} ${subject} does not exist (dispute ${id})`);
    }
    const key = ctx.key(DISPUTE, id);
    if ((await ctx.getJson<Dispute>(key)) !== undefined) throw new ChaincodeError('TIMEBANK.ALREADY_EXISTS', id, `dispute ${id} already exists`);
    const dispute: Dispute = {
      disputeId: id,
      subjectType: type,
      subjectId: subject,
      reasonCode: reason,
      detailsHash: details,
      status: 'OPEN',
      openedAt: ctx.now(),
      openedBy: ref(actor),
      outcome: null,
      movementId: null,
      notesHash: null,
      resolvedAt: null,
      resolvedBy: null,
    };
    await ctx.putJson(key, dispute);
    ctx.emit('DisputeOpened', dispute);
    return canonicalJson(dispute);
  }

  /**
   * Settles a dispute. Nothing recorded is edited: a settlement that moves credit is a new,
   * compensating movement (`dispute/<disputeId>`).
   *
   * @param ctx - transaction context
   * @param disputeId - dispute id
   * @param outcome - DISMISSED (no movement: `fromRef` and `toRef` '', `minutes` '0'),
   *   COMPENSATED (`minutes` from `fromRef` to `toRef`) or REVERSED (`minutes` taken from
   *   `fromRef` and retired; `toRef` '')
   * @param fromRef - paying account, or ''
   * @param toRef - receiving account, or ''
   * @param minutes - whole minutes
   * @param notesHash - hash of the coordinator's decision kept off chain
   * @returns `{dispute, movement, accounts}` as JSON; event `DisputeResolved` with the same
   * @throws ChaincodeError `AUTH.DENIED` unless coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.INVALID_STATE` unless OPEN;
   *   `TIMEBANK.INSUFFICIENT_BALANCE`; `TIMEBANK.STORAGE_CAP_EXCEEDED`
   */
  @Transaction()
  @ReturnsJson(S.DISPUTE_RESULT)
  async ResolveDispute(ctx: CtlContext, disputeId: string, outcome: string, fromRef: string, toRef: string, minutes: string, notesHash: string): Promise<string> {
    const id = new Input('TIMEBANK', 'dispute').id('disputeId', disputeId);
    const input = new Input('TIMEBANK', `dispute ${id}`);
    const result = input.oneOf('outcome', outcome, DISPUTE_OUTCOMES);
    const notes = input.hash('notesHash', notesHash);
    const actor = ctx.actor();
    authorize(actor, 'resolve', `dispute ${id}`, { roles: ['coordinator'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    const amount = result === 'DISMISSED' ? input.integerArg('minutes', minutes, 0, 0) : input.integerArg('minutes', minutes, 1, books.policy.storageCapMinutes);
    const from = result === 'DISMISSED' ? (fromRef === '' ? null : input.fail('fromRef must be empty for DISMISSED')) : input.hash('fromRef', fromRef);
    const to = result === 'COMPENSATED' ? input.hash('toRef', toRef) : toRef === '' ? null : input.fail(`toRef must be empty for ${result}`);
    if (from !== null && from === to) input.fail('fromRef and toRef must differ');
    const key = ctx.key(DISPUTE, id);
    const dispute = await ctx.getJson<Dispute>(key);
    if (dispute === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `dispute ${id} does not exist`);
    if (dispute.status !== 'OPEN') throw new ChaincodeError('TIMEBANK.INVALID_STATE', id, `dispute ${id} is already ${dispute.status}`);
    const movementId = `dispute/${id}`;
    let movement: Movement | null = null;
    if (result === 'COMPENSATED' && from !== null && to !== null) {
      await books.account(from);
      await books.accountOfKind(to, [...PERSONAL_KINDS, 'POT'], 'receiver');
      movement = await this.transfer(ctx, books, movementId, 'COMPENSATE', from, to, amount, dispute.reasonCode);
    } else if (result === 'REVERSED' && from !== null) {
      await books.account(from);
      const { pieces, expired } = await books.take(from, amount, movementId);
      books.adjust(from, (a) => ({ ...a, time: { ...a.time, reversed: a.time.reversed + amount } }));
      await books.entry(from, movementId, 'REVERSE', 'TIME', -amount, null);
      movement = this.movement(ctx, {
        movementId,
        kind: 'REVERSE',
        asset: 'TIME',
        amount,
        fromRef: from,
        toRef: null,
        providerRef: null,
        reference: id,
        reasonCode: dispute.reasonCode,
        taken: pieces.map(({ ref: r, lotId, minutes: m }) => ({ ref: r, lotId, minutes: m })),
        created: [],
        expired,
      });
    }
    if (movement !== null) await ctx.putJson(ctx.key(MOVEMENT, movementId), movement);
    const resolved: Dispute = {
      ...dispute,
      status: 'RESOLVED',
      outcome: result,
      movementId: movement === null ? null : movementId,
      notesHash: notes,
      resolvedAt: ctx.now(),
      resolvedBy: ref(actor),
    };
    await ctx.putJson(key, resolved);
    const flags = movement === null || to === null ? [] : await this.storageCapFlags(ctx, books, [to], movementId, []);
    const accounts = await books.flush();
    const payload = { dispute: resolved, movement, accounts, flags };
    ctx.emit('DisputeResolved', payload);
    return canonicalJson(payload);
  }

  /**
   * @param ctx - transaction context
   * @param disputeId - dispute id
   * @returns the dispute as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.DISPUTE)
  async GetDispute(ctx: CtlContext, disputeId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `dispute ${disputeId}`, ...READERS);
    const id = new Input('TIMEBANK', 'dispute').id('disputeId', disputeId);
    const dispute = await ctx.getJson<Dispute>(ctx.key(DISPUTE, id));
    if (dispute === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `dispute ${id} does not exist`);
    return canonicalJson(dispute);
  }

  // ---- points ---------------------------------------------------------------------------

  /**
   * Awards points, e.g. for an adopted innovation proposal.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client
   * @param accountRef - a personal account
   * @param points - 1 to 1,000,000
   * @param reasonCode - upper-case code, e.g. `PROPOSAL_ADOPTED`
   * @param proposalHash - hash of the proposal or decision
   * @returns `{movement, accounts}` as JSON; event `PointsAwarded`
   * @throws ChaincodeError `AUTH.DENIED` unless officer or coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async AwardPoints(ctx: CtlContext, movementId: string, accountRef: string, points: string, reasonCode: string, proposalHash: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const account = input.hash('accountRef', accountRef);
    const amount = input.integerArg('points', points, 1, MAX_POINTS);
    const reason = input.codeValue('reasonCode', reasonCode);
    const proposal = input.hash('proposalHash', proposalHash);
    authorize(ctx.actor(), 'award points in', `movement ${id}`, { roles: ['officer', 'coordinator'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    await this.fresh(ctx, id);
    await books.accountOfKind(account, PERSONAL_KINDS, 'receiving account');
    books.adjust(account, (a) => ({ ...a, pointsBalance: a.pointsBalance + amount, pointsAwarded: a.pointsAwarded + amount }));
    await books.entry(account, id, 'POINTS_AWARD', 'POINTS', amount, null);
    return this.finish(ctx, books, 'PointsAwarded', {
      movementId: id,
      kind: 'POINTS_AWARD',
      asset: 'POINTS',
      amount,
      fromRef: null,
      toRef: account,
      providerRef: null,
      reference: proposal,
      reasonCode: reason,
      taken: [],
      created: [],
      expired: [],
    });
  }

  /**
   * Exchanges points for a service at a provider.
   *
   * @param ctx - transaction context
   * @param movementId - id chosen by the client
   * @param accountRef - the paying account
   * @param providerRef - a PROVIDER account
   * @param points - 1 to 1,000,000
   * @param orderRef - the provider's order id
   * @returns `{movement, accounts}` as JSON; event `PointsExchanged`
   * @throws ChaincodeError `AUTH.DENIED` unless agent or officer of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.ALREADY_EXISTS`;
   *   `TIMEBANK.INSUFFICIENT_BALANCE`
   */
  @Transaction()
  @ReturnsJson(S.MOVEMENT_RESULT)
  async ExchangePoints(ctx: CtlContext, movementId: string, accountRef: string, providerRef: string, points: string, orderRef: string): Promise<string> {
    const { id, input } = this.movementInput(movementId);
    const account = input.hash('accountRef', accountRef);
    const provider = input.hash('providerRef', providerRef);
    const amount = input.integerArg('points', points, 1, MAX_POINTS);
    const order = input.id('orderRef', orderRef);
    authorize(ctx.actor(), 'exchange points in', `movement ${id}`, { roles: ['agent', 'officer'], msps: streetOffices() });
    const books = new Books(ctx, await this.policy(ctx));
    await this.fresh(ctx, id);
    const payer = await books.accountOfKind(account, PERSONAL_KINDS, 'paying account');
    await books.accountOfKind(provider, ['PROVIDER'], 'provider');
    if (payer.pointsBalance < amount) {
      throw new ChaincodeError('TIMEBANK.INSUFFICIENT_BALANCE', account, `account ${account} holds ${payer.pointsBalance} points; ${amount} are needed`);
    }
    books.adjust(account, (a) => ({ ...a, pointsBalance: a.pointsBalance - amount, pointsExchanged: a.pointsExchanged + amount }));
    await books.entry(account, id, 'POINTS_EXCHANGE', 'POINTS', -amount, provider);
    const receipt: Receipt = { providerRef: provider, movementId: id, asset: 'POINTS', amount, fromRef: account, orderRef: order, at: ctx.now(), txId: ctx.txId() };
    await ctx.putJson(ctx.key(RECEIPT, provider, id), receipt);
    return this.finish(ctx, books, 'PointsExchanged', {
      movementId: id,
      kind: 'POINTS_EXCHANGE',
      asset: 'POINTS',
      amount,
      fromRef: account,
      toRef: null,
      providerRef: provider,
      reference: order,
      reasonCode: null,
      taken: [],
      created: [],
      expired: [],
    });
  }

  // ---- flags ---------------------------------------------------------------------------

  /**
   * A coordinator reviews a flag: CLEARED (nothing wrong) or CONFIRMED (abuse; settle it with a
   * dispute). A flag is reviewed once.
   *
   * @param ctx - transaction context
   * @param flagId - the flag
   * @param outcome - CLEARED or CONFIRMED
   * @param notesHash - hash of the review notes kept off chain
   * @returns the flag as JSON; event `FlagReviewed`
   * @throws ChaincodeError `AUTH.DENIED` unless coordinator of a street office;
   *   `TIMEBANK.INVALID_ARGUMENT`; `TIMEBANK.NOT_FOUND`; `TIMEBANK.INVALID_STATE` unless OPEN
   */
  @Transaction()
  @ReturnsJson(S.FLAG)
  async ReviewFlag(ctx: CtlContext, flagId: string, outcome: string, notesHash: string): Promise<string> {
    const input = new Input('TIMEBANK', flagId);
    const id = input.text('flagId', flagId, 1, 300);
    const result = input.oneOf('outcome', outcome, ['CLEARED', 'CONFIRMED'] as const);
    const notes = input.hash('notesHash', notesHash);
    const actor = ctx.actor();
    authorize(actor, 'review', `flag ${id}`, { roles: ['coordinator'], msps: streetOffices() });
    const key = ctx.key(FLAG, id);
    const flag = await ctx.getJson<Flag>(key);
    if (flag === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `flag ${id} does not exist`);
    if (flag.status !== 'OPEN') throw new ChaincodeError('TIMEBANK.INVALID_STATE', id, `flag ${id} was already reviewed (${flag.status})`);
    const reviewed: Flag = { ...flag, status: result, reviewedAt: ctx.now(), reviewedBy: ref(actor), notesHash: notes };
    await ctx.putJson(key, reviewed);
    ctx.emit('FlagReviewed', reviewed);
    return canonicalJson(reviewed);
  }

  /**
   * @param ctx - transaction context
   * @param flagId - the flag
   * @returns the flag as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`, `TIMEBANK.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(S.FLAG)
  async GetFlag(ctx: CtlContext, flagId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `flag ${flagId}`, ...READERS);
    const id = new Input('TIMEBANK', flagId).text('flagId', flagId, 1, 300);
    const flag = await ctx.getJson<Flag>(ctx.key(FLAG, id));
    if (flag === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `flag ${id} does not exist`);
    return canonicalJson(flag);
  }

  /**
   * One page of all flags, by flag id (coordinators' queues come from the read model, fed by the
   * events that carry the flags).
   *
   * @param ctx - transaction context
   * @param pageSize - 1 to 500
   * @param bookmark - '' for the first page
   * @returns `{flags, bookmark}` as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `TIMEBANK.INVALID_ARGUMENT`
   */
  @Transaction(false)
  @ReturnsJson(S.FLAG_PAGE)
  async ListFlags(ctx: CtlContext, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx.actor(), 'list', 'flags', ...READERS);
    const input = new Input('TIMEBANK', 'flags');
    const page = await ctx.page<Flag>(FLAG, [], input.integerArg('pageSize', pageSize, 1, MAX_PAGE), input.bookmark('bookmark', bookmark));
    return canonicalJson({ flags: page.items, bookmark: page.bookmark });
  }

  // ---- helpers --------------------------------------------------------------------------

  private async policy(ctx: CtlContext): Promise<TimeBankPolicy> {
    return (await ctx.getJson<TimeBankPolicy>(ctx.key(POLICY))) ?? DEFAULT_POLICY;
  }

  private async session(ctx: CtlContext, id: string): Promise<Session> {
    const session = await ctx.getJson<Session>(ctx.key(SESSION, id));
    if (session === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', id, `session ${id} does not exist`);
    return session;
  }

  private async volunteerDay(ctx: CtlContext, volunteer: string, day: string): Promise<VolunteerDay> {
    return (await ctx.getJson<VolunteerDay>(ctx.key(DAY, volunteer, day))) ?? { ref: volunteer, day, minutes: 0, sessions: [] };
  }

  private async servedDay(ctx: CtlContext, beneficiary: string, day: string): Promise<ServedDay> {
    return (await ctx.getJson<ServedDay>(ctx.key(SERVED_DAY, beneficiary, day))) ?? { ref: beneficiary, day, sessions: [] };
  }

  private movementInput(movementId: string): { id: string; input: Input } {
    const id = new Input('TIMEBANK', 'movement').id('movementId', movementId);
    return { id, input: new Input('TIMEBANK', `movement ${id}`) };
  }

  /** Refuses a movement id that was used before (a replayed request). */
  private async fresh(ctx: CtlContext, id: string): Promise<void> {
    if ((await ctx.getJson<Movement>(ctx.key(MOVEMENT, id))) !== undefined) {
      throw new ChaincodeError('TIMEBANK.ALREADY_EXISTS', id, `movement ${id} was already recorded`);
    }
  }

  private movement(ctx: CtlContext, body: Omit<Movement, 'at' | 'txId' | 'by'>): Movement {
    const actor = ctx.actor();
    return { ...body, at: ctx.now(), txId: ctx.txId(), by: ref(actor) };
  }

  /** Moves minutes between two accounts, keeping each piece's age and expiry. */
  private async transfer(
    ctx: CtlContext,
    books: Books,
    movementId: string,
    kind: Extract<MovementKind, 'GIFT' | 'DONATE' | 'GRANT' | 'COMPENSATE'>,
    from: string,
    to: string,
    amount: number,
    reasonCode: string | null,
  ): Promise<Movement> {
    const expiredTo = await books.sweep(to, movementId);
    books.checkStorage(to, amount);
    const { pieces, expired } = await books.take(from, amount, movementId);
    const created: LotPart[] = [];
    for (const piece of pieces) {
      const lot = await books.credit(
        to,
        piece.minutes,
        { kind, movementId, fromRef: from, sessionId: null, evidenceHash: null, originLot: `${from}/${piece.lotId}` },
        piece.originAt,
        piece.expiresAt,
      );
      created.push({ ref: to, lotId: lot.lotId, minutes: lot.minutes });
    }
    books.adjust(from, (a) => ({ ...a, time: addTotals(a.time, kind, 'out', amount) }));
    books.adjust(to, (a) => ({ ...a, time: addTotals(a.time, kind, 'in', amount) }));
    await books.entry(from, movementId, `${kind}_OUT`, 'TIME', -amount, to);
    await books.entry(to, movementId, `${kind}_IN`, 'TIME', amount, from);
    return this.movement(ctx, {
      movementId,
      kind,
      asset: 'TIME',
      amount,
      fromRef: from,
      toRef: to,
      providerRef: null,
      reference: null,
      reasonCode,
      taken: pieces.map(({ ref: r, lotId, minutes }) => ({ ref: r, lotId, minutes })),
      created,
      expired: [...expired, ...expiredTo],
    });
  }

  /** Stores the movement, writes the accounts and emits the one event of the transaction. */
  private async finish(
    ctx: CtlContext,
    books: Books,
    event: 'TimeCreditRedeemed' | 'TimeCreditGifted' | 'TimeCreditDonated' | 'TimeCreditGranted' | 'PointsAwarded' | 'PointsExchanged',
    body: Omit<Movement, 'at' | 'txId' | 'by'>,
  ): Promise<string> {
    const movement = this.movement(ctx, body);
    await ctx.putJson(ctx.key(MOVEMENT, movement.movementId), movement);
    const receiver = body.asset === 'TIME' && body.toRef !== null ? [body.toRef] : [];
    const flags = await this.storageCapFlags(ctx, books, receiver, movement.movementId, []);
    const accounts = await books.flush();
    const result = { movement, accounts, flags };
    ctx.emit(event, result);
    return canonicalJson(result);
  }

  /** Raises STORAGE_CAP_REACHED for each personal account the movement filled to the cap. */
  private async storageCapFlags(ctx: CtlContext, books: Books, refs: readonly string[], movementId: string, sessionIds: readonly string[]): Promise<Flag[]> {
    const flags: Flag[] = [];
    for (const account of refs) {
      if (!books.atStorageCap(account)) continue;
      const detail = `the account holds the storage cap of ${books.policy.storageCapMinutes} minutes`;
      flags.push(await this.raise(ctx, `${movementId}/STORAGE_CAP_REACHED`, 'STORAGE_CAP_REACHED', [account], sessionIds, movementId, detail));
    }
    return flags;
  }

  /** Records a flag for coordinators. */
  private async raise(
    ctx: CtlContext,
    flagId: string,
    code: FlagCode,
    accountRefs: readonly string[],
    sessionIds: readonly string[],
    movementId: string | null,
    detail: string,
  ): Promise<Flag> {
    const flag: Flag = {
      flagId,
      code,
      accountRefs: [...new Set(accountRefs)].sort(),
      sessionIds: [...new Set(sessionIds)],
      movementId,
      detail,
      raisedAt: ctx.now(),
      raisedBy: ref(ctx.actor()),
      txId: ctx.txId(),
      status: 'OPEN',
      reviewedAt: null,
      reviewedBy: null,
      notesHash: null,
    };
    await ctx.putJson(ctx.key(FLAG, flagId), flag);
    return flag;
  }
}

