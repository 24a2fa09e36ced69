/**
 * Test helper for the time bank: opens accounts and mints credit through the real session
 * flow (log, confirm, attest), with session times the tests need not think about.
 */
import type { Account, Flag, Lot, Movement, TimeBankPolicy } from '../../src/timebank/models';
import { DEFAULT_POLICY } from '../../src/timebank/policy';
import type { Cast } from './fixtures';
import { h, json } from './fixtures';
import type { TestIdentity } from './identities';
import type { Committed, TestNetwork } from './peer';

/** The result of a movement transaction. */
export interface MovementResult {
  readonly movement: Movement;
  readonly accounts: Account[];
  readonly flags: Flag[];
}

export class Bank {
  private sessions = 0;

  constructor(
    readonly net: TestNetwork,
    readonly c: Cast,
  ) {}

  /** Opens an account; refs are derived from labels with `h()`. */
  async open(label: string, kind = 'RESIDENT', who?: TestIdentity): Promise<string> {
    const ref = h(label);
    const opener = who ?? (kind === 'POT' ? this.c.streetAdmin : kind === 'PROVIDER' || kind === 'ORGANISATION' ? this.c.streetCoordinator : this.c.streetAgent);
    await this.net.submit(opener, 'timebank:OpenAccount', [ref, kind]);
    return ref;
  }

  /** Sets the policy, starting from the defaults. */
  async policy(settings: Partial<TimeBankPolicy>): Promise<void> {
    const { version: _v, updatedAt: _u, updatedBy: _b, ...defaults } = DEFAULT_POLICY;
    await this.net.submit(this.c.streetAdmin, 'timebank:SetPolicy', [JSON.stringify({ ...defaults, ...settings })]);
  }

  /** Session times ending a minute-aligned hour before the network's clock. */
  times(minutes: number): { start: string; end: string } {
    const base = Math.floor(this.net.now().getTime() / 60_000) * 60_000 - 60 * 60_000;
    return { start: new Date(base - minutes * 60_000).toISOString(), end: new Date(base).toISOString() };
  }

  /**
   * Mints `minutes` for `volunteer` through log, confirm and attest, then moves the clock a
   * day on so the next session neither overlaps nor hits the daily cap.
   */
  async mint(volunteer: string, minutes: number, beneficiary?: string): Promise<MovementResult> {
    this.sessions += 1;
    const id = `s-${this.sessions}`;
    const { start, end } = this.times(minutes);
    const other = beneficiary ?? (await this.beneficiary());
    await this.net.submit(this.c.streetAgent, 'timebank:LogSession', [id, volunteer, other, 'ELDER_VISIT', start, end]);
    await this.net.submit(this.c.streetAgent, 'timebank:ConfirmSession', [id]);
    const attested = await this.net.submit(this.c.streetCoordinator, 'timebank:AttestSession', [id, h(`evidence-${id}`)]);
    this.net.advance(86_400_000);
    return json<MovementResult>(attested.payload);
  }

  private beneficiaryRef: string | undefined;

  private async beneficiary(): Promise<string> {
    this.beneficiaryRef ??= await this.open('bank-beneficiary');
    return this.beneficiaryRef;
  }

  /** Attests eligibility from a past date. */
  async eligible(ref: string, from = '2000-01-01T00:00:00Z'): Promise<void> {
    await this.net.submit(this.c.civilOfficer, 'timebank:AttestEligibility', [ref, from, h(`household-${ref}`)]);
  }

  async account(ref: string): Promise<Account> {
    return json<Account>(await this.net.evaluate(this.c.auditor, 'timebank:GetAccount', [ref]));
  }

  async lots(ref: string): Promise<{ balance: number; available: number; lots: Lot[] }> {
    return json(await this.net.evaluate(this.c.auditor, 'timebank:GetLots', [ref]));
  }

  redeem(id: string, account: string, provider: string, minutes: number | string, who?: TestIdentity): Promise<Committed> {
    return this.net.submit(who ?? this.c.streetAgent, 'timebank:Redeem', [id, account, provider, String(minutes), `order-${id}`]);
  }
}
