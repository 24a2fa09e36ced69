/**
 * Property-based tests of the time-bank invariants: random sequences of mints, redemptions,
 * gifts, donations, grants, dispute settlements, expiries and time jumps, run through the
 * chaincode, after which the ledger state must satisfy
 *   - per account: the sum of its lots equals its balance, no balance is negative;
 *   - network-wide: minted − redeemed − expired − reversed = outstanding;
 *   - gifts, donations, grants and compensations conserve credit (in = out);
 *   - each account's statement adds up to its balance.
 */
import './support/quiet-logs';
import { expect } from 'chai';
import fc from 'fast-check';
import type { Account, Lot, StatementEntry } from '../src/timebank/models';
import { Bank } from './support/bank';
import { cast, h, json, type Cast } from './support/fixtures';
import { ChaincodeFailure, TestNetwork } from './support/peer';

type Person = 'A' | 'B' | 'C';
type Command =
  | { readonly op: 'mint'; readonly who: Person; readonly minutes: number }
  | { readonly op: 'redeem'; readonly who: Person; readonly minutes: number }
  | { readonly op: 'gift'; readonly from: Person; readonly to: Person; readonly minutes: number }
  | { readonly op: 'donate'; readonly who: Person; readonly minutes: number }
  | { readonly op: 'grant'; readonly to: Person; readonly minutes: number }
  | { readonly op: 'compensate'; readonly from: Person; readonly to: Person; readonly minutes: number }
  | { readonly op: 'reverse'; readonly who: Person; readonly minutes: number }
  | { readonly op: 'expire'; readonly who: Person }
  | { readonly op: 'wait'; readonly days: number };

const person = fc.constantFrom<Person>('A', 'B', 'C');
// Mostly amounts the accounts can cover, sometimes more than any holds.
const minutes = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 400 }));
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('mint' as const), who: person, minutes: fc.integer({ min: 30, max: 300 }) }),
  fc.record({ op: fc.constant('mint' as const), who: person, minutes: fc.integer({ min: 30, max: 300 }) }),
  fc.record({ op: fc.constant('redeem' as const), who: person, minutes }),
  // Mostly between the linked pair A and B, sometimes between any two (then refused unless linked).
  fc.oneof(
    fc.record({ op: fc.constant('gift' as const), from: fc.constant<Person>('A'), to: fc.constant<Person>('B'), minutes: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ op: fc.constant('gift' as const), from: fc.constant<Person>('B'), to: fc.constant<Person>('A'), minutes: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ op: fc.constant('gift' as const), from: person, to: person, minutes }),
  ),
  fc.record({ op: fc.constant('donate' as const), who: person, minutes }),
  fc.record({ op: fc.constant('grant' as const), to: person, minutes }),
  fc.record({ op: fc.constant('compensate' as const), from: person, to: person, minutes }),
  fc.record({ op: fc.constant('reverse' as const), who: person, minutes }),
  fc.record({ op: fc.constant('expire' as const), who: person }),
  fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 0, max: 3 }) }),
);

/** Codes a random command may legitimately be refused with. */
const EXPECTED_REFUSALS = /^TIMEBANK\.(INSUFFICIENT_BALANCE|STORAGE_CAP_EXCEEDED|NOT_RELATED|INVALID_ARGUMENT|DAILY_CAP_EXCEEDED): /;

describe('TimeBankContract invariants (property-based)', function () {
  this.timeout(600_000);
  let c: Cast;

  /** Successful commands per operation, so the test proves it exercised every operation. */
  const succeeded = new Map<string, number>();

  before(async () => {
    c = await cast();
  });

  async function run(commands: readonly Command[]): Promise<void> {
    const net = new TestNetwork();
    const bank = new Bank(net, c);
    await bank.policy({ lotLifetimeDays: 3, storageCapMinutes: 600, dailyCapMinutes: 480, maxSessionMinutes: 300 });
    const refs: Record<Person, string> = { A: await bank.open('A'), B: await bank.open('B', 'VOLUNTEER'), C: await bank.open('C') };
    const pot = await bank.open('pot', 'POT');
    const shop = await bank.open('shop', 'PROVIDER');
    const helper = await bank.open('helper');
    await net.submit(c.civilOfficer, 'timebank:LinkRelative', [refs.A, refs.B, 'SIBLING', h('hukou')]);
    for (const ref of Object.values(refs)) await bank.eligible(ref);
    await bank.mint(refs.A, 60, helper); // session s-1, the subject of the disputes below
    await bank.mint(helper, 120, refs.C);
    await net.submit(c.streetAgent, 'timebank:Donate', ['seed', helper, pot, '100']);
    let n = 0;
    for (const cmd of commands) {
      n += 1;
      const id = `m-${n}`;
      try {
        switch (cmd.op) {
          case 'mint':
            await bank.mint(refs[cmd.who], cmd.minutes, helper);
            break;
          case 'redeem':
            await bank.redeem(id, refs[cmd.who], shop, cmd.minutes);
            break;
          case 'gift':
            await net.submit(c.streetAgent, 'timebank:Gift', [id, refs[cmd.from], refs[cmd.to], String(cmd.minutes)]);
            break;
          case 'donate':
            await net.submit(c.streetAgent, 'timebank:Donate', [id, refs[cmd.who], pot, String(cmd.minutes)]);
            break;
          case 'grant':
            await net.submit(c.streetCoordinator, 'timebank:Grant', [id, pot, refs[cmd.to], String(cmd.minutes), 'IN_NEED']);
            break;
          case 'compensate':
          case 'reverse': {
            await net.submit(c.streetAgent, 'timebank:OpenDispute', [id, 'SESSION', 's-1', 'COMPLAINT', h(id)]);
            const args =
              cmd.op === 'compensate'
                ? [id, 'COMPENSATED', refs[cmd.from], refs[cmd.to], String(cmd.minutes), h('decision')]
                : [id, 'REVERSED', refs[cmd.who], '', String(cmd.minutes), h('decision')];
            await net.submit(c.northCoordinator, 'timebank:ResolveDispute', args);
            break;
          }
          case 'expire':
            await net.submit(c.streetAgent, 'timebank:ExpireLots', [refs[cmd.who]]);
            break;
          case 'wait':
            net.advance(cmd.days * 86_400_000);
            break;
        }
        succeeded.set(cmd.op, (succeeded.get(cmd.op) ?? 0) + 1);
      } catch (error) {
        if (!(error instanceof ChaincodeFailure) || !EXPECTED_REFUSALS.test(error.message)) throw error;
      }
    }
    await checkInvariants(net);
  }

  async function checkInvariants(net: TestNetwork): Promise<void> {
    const accounts: Account[] = [];
    const lots = new Map<string, Lot[]>();
    const entries = new Map<string, StatementEntry[]>();
    for (const key of net.keys()) {
      const [, type] = key.split('\u0000');
      const value = net.read(key);
      if (type === 'tbAccount') accounts.push(value as Account);
      if (type === 'tbLot') {
        const lot = value as Lot;
        lots.set(lot.ref, [...(lots.get(lot.ref) ?? []), lot]);
      }
      if (type === 'tbEntry') {
        const entry = value as StatementEntry;
        entries.set(entry.ref, [...(entries.get(entry.ref) ?? []), entry]);
      }
    }
    let outstanding = 0;
    let minted = 0;
    let retired = 0;
    const flows = { gifted: [0, 0], donated: [0, 0], granted: [0, 0], compensated: [0, 0] };
    for (const a of accounts) {
      const own = lots.get(a.ref) ?? [];
      expect(own.reduce((s, l) => s + l.remaining, 0), `lots of ${a.ref}`).to.equal(a.timeBalance);
      for (const l of own) expect(l.remaining > 0 && l.remaining <= l.minutes, `lot ${l.lotId}`).to.equal(true);
      expect(a.timeBalance).to.be.at.least(0);
      expect(a.pointsBalance).to.be.at.least(0);
      const t = a.time;
      const inflow = t.minted + t.giftedIn + t.donatedIn + t.grantedIn + t.compensatedIn;
      const outflow = t.redeemed + t.expired + t.reversed + t.giftedOut + t.donatedOut + t.grantedOut + t.compensatedOut;
      expect(inflow - outflow, `totals of ${a.ref}`).to.equal(a.timeBalance);
      const lines = (entries.get(a.ref) ?? []).filter((e) => e.asset === 'TIME');
      expect(lines.reduce((s, e) => s + e.delta, 0), `statement of ${a.ref}`).to.equal(a.timeBalance);
      const seqs = (entries.get(a.ref) ?? []).map((e) => e.seq).sort((x, y) => x - y);
      expect(seqs).to.deep.equal(seqs.map((_, i) => i + 1));
      outstanding += a.timeBalance;
      minted += t.minted;
      retired += t.redeemed + t.expired + t.reversed;
      flows.gifted[0]! += t.giftedIn;
      flows.gifted[1]! += t.giftedOut;
      flows.donated[0]! += t.donatedIn;
      flows.donated[1]! += t.donatedOut;
      flows.granted[0]! += t.grantedIn;
      flows.granted[1]! += t.grantedOut;
      flows.compensated[0]! += t.compensatedIn;
      flows.compensated[1]! += t.compensatedOut;
    }
    expect(minted - retired).to.equal(outstanding);
    for (const [kind, [inSum, outSum]] of Object.entries(flows)) expect(inSum, `${kind} conserved`).to.equal(outSum);
    const totals = json<Record<string, number>>(await net.evaluate(c.auditor, 'timebank:GetTotals', []));
    expect(totals.outstanding).to.equal(outstanding);
    expect(totals.minted! - totals.redeemed! - totals.expired! - totals.reversed!).to.equal(totals.outstanding);
    expect(totals.transferredIn).to.equal(totals.transferredOut);
  }

  it('keeps lots, balances, totals and statements consistent under any sequence of operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 12 }), async (commands) => {
        await run(commands);
      }),
      { numRuns: 25, seed: Number(process.env.FC_SEED ?? 20250303) },
    );
    for (const op of ['mint', 'redeem', 'gift', 'donate', 'grant', 'compensate', 'reverse', 'expire']) {
      expect(succeeded.get(op) ?? 0, `successful ${op} commands`).to.be.greaterThan(0);
    }
  });
});
