/**
 * The time bank's double bookkeeping inside one transaction: accounts, their credit lots and
 * statement lines. Every change to a balance goes through here, so the invariants hold by
 * construction: an account's TIME balance is the sum of its lots' remaining minutes, a
 * balance never goes below zero, and minutes leave one account only to enter another or to
 * be counted as redeemed, expired or reversed.
 *
 * Keys are per account and per lot (`tbAccount/<ref>`, `tbLot/<ref>/<lotId>`,
 * `tbEntry/<ref>/<seq>`), never a global counter, so movements of unrelated accounts never
 * conflict.
 */
import { ChaincodeError } from '../errors';
import type { CtlContext } from '../shared/context';
import type { ActorRef } from '../shared/models';
import { PERSONAL_KINDS, type Account, type AccountKind, type Asset, type EntryKind, type Lot, type LotPart, type LotSource, type StatementEntry, type TimeBankPolicy, type TimeTotals } from './models';

export const ACCOUNT = 'tbAccount';
export const LOT = 'tbLot';
export const ENTRY = 'tbEntry';

const DAY_MS = 86_400_000;

function seqAttr(n: number): string {
  return String(n).padStart(10, '0');
}

/** A piece of minutes taken from a lot, remembering its age so a receiver keeps it. */
export interface Piece extends LotPart {
  readonly originAt: string;
  readonly expiresAt: string | null;
}

/** Empty totals of a new account. */
export const ZERO_TOTALS: TimeTotals = Object.freeze({
  minted: 0,
  redeemed: 0,
  expired: 0,
  reversed: 0,
  giftedIn: 0,
  giftedOut: 0,
  donatedIn: 0,
  donatedOut: 0,
  grantedIn: 0,
  grantedOut: 0,
  compensatedIn: 0,
  compensatedOut: 0,
});

/** Accounts, lots and statement lines touched by one transaction. */
export class Books {
  private readonly accounts = new Map<string, Account>();
  private readonly changed = new Set<string>();
  private readonly lots = new Map<string, Lot[]>();

  constructor(
    private readonly ctx: CtlContext,
    readonly policy: TimeBankPolicy,
  ) {}

  /**
   * @param ref - account reference
   * @returns the account as this transaction sees it
   * @throws ChaincodeError `TIMEBANK.NOT_FOUND`
   */
  async account(ref: string): Promise<Account> {
    const account = await this.find(ref);
    if (account === undefined) throw new ChaincodeError('TIMEBANK.NOT_FOUND', ref, `account ${ref} does not exist`);
    return account;
  }

  /**
   * @param ref - account reference
   * @returns the account, or undefined
   */
  async find(ref: string): Promise<Account | undefined> {
    const cached = this.accounts.get(ref);
    if (cached !== undefined) return cached;
    const stored = await this.ctx.getJson<Account>(this.ctx.key(ACCOUNT, ref));
    if (stored !== undefined) this.accounts.set(ref, stored);
    return stored;
  }

  /**
   * @param ref - account reference
   * @param kinds - the kinds allowed
   * @param role - what the account is for, for the message
   * @returns the account
   * @throws ChaincodeError `TIMEBANK.NOT_FOUND`; `TIMEBANK.INVALID_ARGUMENT` when of another kind
   */
  async accountOfKind(ref: string, kinds: readonly AccountKind[], role: string): Promise<Account> {
    const account = await this.account(ref);
    if (!kinds.includes(account.kind)) {
      throw new ChaincodeError('TIMEBANK.INVALID_ARGUMENT', ref, `account ${ref} is a ${account.kind} account; the ${role} must be ${kinds.join(' or ')}`);
    }
    return account;
  }

  /** Registers a new account, written at {@link Books.flush}. */
  open(account: Account): void {
    this.accounts.set(account.ref, account);
    this.changed.add(account.ref);
  }

  private update(ref: string, change: (account: Account) => Account): Account {
    const current = this.accounts.get(ref);
    if (current === undefined) throw new ChaincodeError('CHAINCODE.INTERNAL', ref, `account ${ref} was changed before it was read`);
    const next = { ...change(current), updatedAt: this.ctx.now() };
    this.accounts.set(ref, next);
    this.changed.add(ref);
    return next;
  }

  /** The account's unspent lots, oldest first (by first minting, then creation). */
  private async liveLots(ref: string): Promise<Lot[]> {
    let lots = this.lots.get(ref);
    if (lots === undefined) {
      lots = (await this.ctx.list<Lot>(LOT, [ref])).map((e) => e.value);
      lots.sort((a, b) => (a.originAt < b.originAt ? -1 : a.originAt > b.originAt ? 1 : a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0));
      this.lots.set(ref, lots);
    }
    return lots;
  }

  private async storeLot(lot: Lot): Promise<void> {
    const key = this.ctx.key(LOT, lot.ref, lot.lotId);
    if (lot.remaining === 0) await this.ctx.del(key);
    else await this.ctx.putJson(key, lot);
  }

  /**
   * Retires the account's expired lots: their minutes count as expired.
   *
   * @param ref - account reference (already read)
   * @param movementId - the movement the statement line belongs to
   * @returns the retired parts
   */
  async sweep(ref: string, movementId: string): Promise<LotPart[]> {
    const now = this.ctx.now();
    const lots = await this.liveLots(ref);
    const expired = lots.filter((lot) => lot.expiresAt !== null && lot.expiresAt <= now && lot.remaining > 0);
    if (expired.length === 0) return [];
    const parts: LotPart[] = [];
    let total = 0;
    for (const lot of expired) {
      parts.push({ ref, lotId: lot.lotId, minutes: lot.remaining });
      total += lot.remaining;
      await this.storeLot({ ...lot, remaining: 0 });
    }
    this.lots.set(
      ref,
      lots.filter((lot) => !expired.includes(lot)),
    );
    this.update(ref, (a) => ({ ...a, timeBalance: a.timeBalance - total, time: { ...a.time, expired: a.time.expired + total } }));
    await this.entry(ref, movementId, 'EXPIRE', 'TIME', -total, null);
    return parts;
  }

  /**
   * Minutes an account can spend now: its balance less lots past their expiry.
   *
   * @param ref - account reference
   * @returns the minutes
   */
  async available(ref: string): Promise<number> {
    const now = this.ctx.now();
    return (await this.liveLots(ref)).filter((lot) => lot.expiresAt === null || lot.expiresAt > now).reduce((sum, lot) => sum + lot.remaining, 0);
  }

  /**
   * Takes minutes from an account's lots, oldest first, after retiring expired lots. The
   * balance never goes below zero: a shortfall refuses the whole transaction.
   *
   * @param ref - paying account (already read)
   * @param minutes - how many
   * @param movementId - for the expiry line
   * @returns the pieces taken and the lots retired as expired
   * @throws ChaincodeError `TIMEBANK.INSUFFICIENT_BALANCE`
   */
  async take(ref: string, minutes: number, movementId: string): Promise<{ pieces: Piece[]; expired: LotPart[] }> {
    const expired = await this.sweep(ref, movementId);
    const lots = await this.liveLots(ref);
    const available = lots.reduce((sum, lot) => sum + lot.remaining, 0);
    if (available < minutes) {
      throw new ChaincodeError('TIMEBANK.INSUFFICIENT_BALANCE', ref, `account ${ref} holds ${available} unexpired minutes; ${minutes} are needed`);
    }
    const pieces: Piece[] = [];
    let left = minutes;
    const kept: Lot[] = [];
    for (const lot of lots) {
      if (left === 0) {
        kept.push(lot);
        continue;
      }
      const used = Math.min(left, lot.remaining);
      left -= used;
      pieces.push({ ref, lotId: lot.lotId, minutes: used, originAt: lot.originAt, expiresAt: lot.expiresAt });
      const rest = { ...lot, remaining: lot.remaining - used };
      await this.storeLot(rest);
      if (rest.remaining > 0) kept.push(rest);
    }
    this.lots.set(ref, kept);
    this.update(ref, (a) => ({ ...a, timeBalance: a.timeBalance - minutes }));
    return { pieces, expired };
  }

  /**
   * Refuses a credit that would take a personal account above the storage cap.
   *
   * @param ref - receiving account (already read and swept)
   * @param minutes - incoming minutes
   * @throws ChaincodeError `TIMEBANK.STORAGE_CAP_EXCEEDED`
   */
  checkStorage(ref: string, minutes: number): void {
    const account = this.accounts.get(ref);
    if (account === undefined || !PERSONAL_KINDS.includes(account.kind)) return;
    if (account.timeBalance + minutes > this.policy.storageCapMinutes) {
      throw new ChaincodeError(
        'TIMEBANK.STORAGE_CAP_EXCEEDED',
        ref,
        `account ${ref} holds ${account.timeBalance} minutes; ${minutes} more would exceed the storage cap of ${this.policy.storageCapMinutes}`,
      );
    }
  }

  /**
   * @param ref - an account this transaction read
   * @returns whether it is a personal account holding exactly the storage cap
   */
  atStorageCap(ref: string): boolean {
    const account = this.accounts.get(ref);
    return account !== undefined && PERSONAL_KINDS.includes(account.kind) && account.timeBalance >= this.policy.storageCapMinutes;
  }

  /**
   * Creates a lot in an account.
   *
   * @param ref - receiving account (already read)
   * @param minutes - its minutes
   * @param source - where they came from
   * @param originAt - when first minted (now for a new mint)
   * @param expiresAt - expiry carried over, or computed from the policy for a new mint
   * @returns the new lot
   */
  async credit(ref: string, minutes: number, source: LotSource, originAt: string, expiresAt: string | null): Promise<Lot> {
    const account = this.update(ref, (a) => ({ ...a, lotSeq: a.lotSeq + 1, timeBalance: a.timeBalance + minutes }));
    const lot: Lot = {
      ref,
      lotId: `L${seqAttr(account.lotSeq)}`,
      minutes,
      remaining: minutes,
      createdAt: this.ctx.now(),
      originAt,
      expiresAt,
      source,
    };
    await this.storeLot(lot);
    (await this.liveLots(ref)).push(lot);
    return lot;
  }

  /**
   * The expiry of minutes minted now, from the policy.
   *
   * @returns ISO time, or null when lots do not expire
   */
  mintExpiry(): string | null {
    if (this.policy.lotLifetimeDays === 0) return null;
    return new Date(Date.parse(this.ctx.now()) + this.policy.lotLifetimeDays * DAY_MS).toISOString();
  }

  /** Applies a change to an account's totals or points. */
  adjust(ref: string, change: (account: Account) => Account): Account {
    return this.update(ref, change);
  }

  /**
   * Appends a statement line, numbered per account.
   *
   * @param ref - the account (already read)
   * @param movementId - the movement
   * @param kind - what happened
   * @param asset - TIME or POINTS
   * @param delta - effect on the balance of `asset`
   * @param counterpartyRef - the other account, if any
   */
  async entry(ref: string, movementId: string, kind: EntryKind, asset: Asset, delta: number, counterpartyRef: string | null): Promise<void> {
    const account = this.update(ref, (a) => ({ ...a, entrySeq: a.entrySeq + 1 }));
    const line: StatementEntry = {
      ref,
      seq: account.entrySeq,
      movementId,
      kind,
      asset,
      delta,
      balanceAfter: asset === 'TIME' ? account.timeBalance : account.pointsBalance,
      counterpartyRef,
      at: this.ctx.now(),
      txId: this.ctx.txId(),
    };
    await this.ctx.putJson(this.ctx.key(ENTRY, ref, seqAttr(line.seq)), line);
  }

  /**
   * Writes every changed account.
   *
   * @returns the changed accounts, ordered by reference (for the event)
   */
  async flush(): Promise<Account[]> {
    const out: Account[] = [];
    for (const ref of [...this.changed].sort()) {
      const account = this.accounts.get(ref);
      if (account === undefined) continue;
      if (account.timeBalance < 0 || account.pointsBalance < 0) {
        throw new ChaincodeError('CHAINCODE.INTERNAL', ref, `account ${ref} would end with a negative balance`);
      }
      await this.ctx.putJson(this.ctx.key(ACCOUNT, ref), account);
      out.push(account);
    }
    this.changed.clear();
    return out;
  }

  /** Who acts, as recorded. */
  by(): ActorRef {
    const actor = this.ctx.actor();
    return { msp: actor.msp, cn: actor.cn };
  }
}
