import './support/quiet-logs';
import { expect } from 'chai';
import type { Account, Dispute, Eligibility, Flag, Lot, RelativeLink, Session, StatementEntry, TimeBankPolicy } from '../src/timebank/models';
import { Bank, type MovementResult } from './support/bank';
import { cast, expectRefused, h, json, type Cast } from './support/fixtures';
import { ChaincodeFailure, TestNetwork, TxValidationCode, type Endorsed } from './support/peer';

describe('TimeBankContract', function () {
  this.timeout(120_000);
  let c: Cast;
  let net: TestNetwork;
  let bank: Bank;

  before(async () => {
    c = await cast();
  });

  beforeEach(() => {
    net = new TestNetwork();
    bank = new Bank(net, c);
  });

  describe('policy', () => {
    it('starts from the defaults (8 h a day, 1,500 h stored, eligibility required) and lets a street office admin change them', async () => {
      const initial = json<TimeBankPolicy>(await net.evaluate(c.streetAgent, 'timebank:GetPolicy', []));
      expect(initial).to.include({ dailyCapMinutes: 480, storageCapMinutes: 90_000, redeemRequiresEligibility: true, version: 0, lotLifetimeDays: 0 });
      const settings = { dailyCapMinutes: 360, storageCapMinutes: 6000, maxSessionMinutes: 240, redeemRequiresEligibility: false, lotLifetimeDays: 365, dayOffsetMinutes: 480 };
      const result = await net.submit(c.northAdmin, 'timebank:SetPolicy', [JSON.stringify(settings)]);
      const policy = json<TimeBankPolicy>(result.payload);
      expect(policy).to.include({ ...settings, version: 1 });
      expect(policy.updatedBy).to.deep.equal({ msp: 'NorthStreetMSP', cn: 'Admin@north' });
      expect(result.event?.name).to.equal('TimeBankPolicySet');
    });

    it('refuses policy changes from others and incomplete or out-of-range policies', async () => {
      const ok = { dailyCapMinutes: 480, storageCapMinutes: 90_000, maxSessionMinutes: 480, redeemRequiresEligibility: true, lotLifetimeDays: 0, dayOffsetMinutes: 480 };
      for (const who of [c.streetCoordinator, c.policeAdmin, c.civilAdmin]) {
        await expectRefused(net, () => net.submit(who, 'timebank:SetPolicy', [JSON.stringify(ok)]), 'AUTH.DENIED');
      }
      const bad: Record<string, unknown>[] = [
        { ...ok, dailyCapMinutes: 0 },
        { ...ok, dailyCapMinutes: 24 * 60 + 1 },
        { ...ok, storageCapMinutes: -60 },
        { ...ok, maxSessionMinutes: 600 },
        { ...ok, lotLifetimeDays: 1.5 },
        { ...ok, redeemRequiresEligibility: 'yes' },
        { ...ok, extra: 1 },
        (({ dayOffsetMinutes: _d, ...rest }) => rest)(ok),
      ];
      for (const p of bad) await expectRefused(net, () => net.submit(c.streetAdmin, 'timebank:SetPolicy', [JSON.stringify(p)]), 'TIMEBANK.INVALID_ARGUMENT');
    });
  });

  describe('accounts', () => {
    it('opens accounts of each kind for the right roles, once', async () => {
      const result = await net.submit(c.streetAgent, 'timebank:OpenAccount', [h('alice'), 'RESIDENT']);
      const account = json<Account>(result.payload);
      expect(account).to.include({ ref: h('alice'), kind: 'RESIDENT', homeMsp: 'StreetOfficeMSP', timeBalance: 0, pointsBalance: 0 });
      expect(result.event?.name).to.equal('AccountOpened');
      await bank.open('shop', 'PROVIDER');
      await bank.open('pot', 'POT');
      await bank.open('ngo', 'ORGANISATION', c.northCoordinator);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenAccount', [h('alice'), 'VOLUNTEER']), 'TIMEBANK.ALREADY_EXISTS', h('alice'));
    });

    it('denies openings to roles and organisations that may not open that kind', async () => {
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenAccount', [h('p'), 'POT']), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenAccount', [h('p'), 'PROVIDER']), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'timebank:OpenAccount', [h('p'), 'RESIDENT']), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.streetUser, 'timebank:OpenAccount', [h('p'), 'RESIDENT']), 'AUTH.DENIED');
    });

    it('refuses malformed references and kinds', async () => {
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenAccount', ['110101199003077777', 'RESIDENT']), 'TIMEBANK.INVALID_ARGUMENT', 'accountRef');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenAccount', [h('p'), 'ELDER']), 'TIMEBANK.INVALID_ARGUMENT', 'kind');
      await expectRefused(net, () => net.evaluate(c.auditor, 'timebank:GetAccount', [h('nobody')]), 'TIMEBANK.NOT_FOUND');
      await expectRefused(net, () => net.evaluate(c.streetUser, 'timebank:GetAccount', [h('nobody')]), 'AUTH.DENIED');
    });
  });

  describe('earning: sessions become credit lots', () => {
    let vol: string;
    let elder: string;
    beforeEach(async () => {
      vol = await bank.open('volunteer', 'VOLUNTEER');
      elder = await bank.open('elder');
    });

    it('mints a lot linked to the session and its evidence once logged, confirmed and attested', async () => {
      const { start, end } = bank.times(90);
      const logged = await net.submit(c.streetAgent, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', start, end]);
      const loggedResult = json<{ session: Session; flags: Flag[] }>(logged.payload);
      expect(loggedResult.session).to.include({ status: 'LOGGED', minutes: 90, day: new Date(Date.parse(start) + 8 * 3_600_000).toISOString().slice(0, 10) });
      expect(loggedResult.flags).to.deep.equal([]);
      expect(logged.event).to.deep.equal({ name: 'SessionLogged', payload: loggedResult });
      const confirmed = await net.submit(c.streetOfficer, 'timebank:ConfirmSession', ['s-1']);
      expect(json<Session>(confirmed.payload)).to.include({ status: 'CONFIRMED', confirmation: 'GUARDIAN' });
      const attested = await net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-1', h('evidence')]);
      const result = json<{ session: Session; movement: MovementResult['movement']; accounts: Account[] }>(attested.payload);
      expect(result.session).to.include({ status: 'ATTESTED', evidenceHash: h('evidence'), lotId: 'L0000000001' });
      expect(result.movement).to.include({ movementId: 'session/s-1', kind: 'MINT', amount: 90, toRef: vol });
      expect(attested.event).to.deep.equal({ name: 'TimeCreditMinted', payload: result });
      const lots = await bank.lots(vol);
      expect(lots.balance).to.equal(90);
      expect(lots.lots).to.have.length(1);
      expect(lots.lots[0]?.source).to.deep.equal({ kind: 'MINT', movementId: 'session/s-1', fromRef: null, sessionId: 's-1', evidenceHash: h('evidence'), originLot: null });
      expect((await bank.account(vol)).time.minted).to.equal(90);
    });

    it('records a confirmation through the portal as the beneficiary', async () => {
      const { start, end } = bank.times(30);
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', start, end]);
      expect(json<Session>((await net.submit(c.northAgent, 'timebank:ConfirmSession', ['s-1'])).payload).confirmation).to.equal('BENEFICIARY');
    });

    it('refuses a replayed session id and a session overlapping another of the same volunteer', async () => {
      const { start, end } = bank.times(60);
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', start, end]);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', start, end]), 'TIMEBANK.ALREADY_EXISTS', 's-1');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-2', vol, elder, 'ELDER_VISIT', start, end]), 'TIMEBANK.SESSION_OVERLAP', 's-1');
      const inside = new Date(Date.parse(start) + 30 * 60_000).toISOString();
      const after = new Date(Date.parse(end) + 30 * 60_000).toISOString();
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-3', vol, elder, 'ELDER_VISIT', inside, after]), 'TIMEBANK.SESSION_OVERLAP');
      const before = new Date(Date.parse(start) - 30 * 60_000).toISOString();
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-4', vol, elder, 'ELDER_VISIT', before, start]);
    });

    it('caps a volunteer at 8 hours a local day and frees the minutes of a rejected session', async () => {
      net.setTime('2025-03-03T14:00:00Z'); // 22:00 in UTC+8
      const day = (h0: number, h1: number): [string, string] => [`2025-03-03T${String(h0).padStart(2, '0')}:00:00Z`, `2025-03-03T${String(h1).padStart(2, '0')}:00:00Z`];
      // 08:00-12:00 and 12:00-16:00 local (UTC+8) are 00:00-04:00 and 04:00-08:00 UTC.
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', ...day(0, 4)]);
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-2', vol, elder, 'ELDER_VISIT', ...day(4, 8)]);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-3', vol, elder, 'ELDER_VISIT', ...day(9, 10)]), 'TIMEBANK.DAILY_CAP_EXCEEDED', 'daily cap of 480');
      // 17:00 UTC is 01:00 the next local day.
      net.setTime('2025-03-03T19:00:00Z');
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-4', vol, elder, 'ELDER_VISIT', '2025-03-03T17:00:00Z', '2025-03-03T18:00:00Z']);
      await net.submit(c.streetCoordinator, 'timebank:RejectSession', ['s-2', 'NOT_PERFORMED']);
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-3', vol, elder, 'ELDER_VISIT', ...day(9, 10)]);
      expect(json<Session>(await net.evaluate(c.auditor, 'timebank:GetSession', ['s-2'])).status).to.equal('REJECTED');
    });

    it('refuses malformed sessions', async () => {
      const { start, end } = bank.times(60);
      const future = new Date(Date.parse(end) + 10 * 3_600_000).toISOString();
      const cases: [string[], string, string][] = [
        [['s-x', vol, vol, 'ELDER_VISIT', start, end], 'TIMEBANK.INVALID_ARGUMENT', 'beneficiary'],
        [['s-x', vol, elder, 'ELDER_VISIT', end, start], 'TIMEBANK.INVALID_ARGUMENT', 'not after'],
        [['s-x', vol, elder, 'ELDER_VISIT', start, future], 'TIMEBANK.INVALID_ARGUMENT', 'after the transaction time'],
        [['s-x', vol, elder, 'ELDER_VISIT', start.replace(':00.000Z', ':30Z'), end], 'TIMEBANK.INVALID_ARGUMENT', 'whole minutes'],
        [['s-x', vol, elder, 'elder visit', start, end], 'TIMEBANK.INVALID_ARGUMENT', 'serviceType'],
        [['s-x', vol, elder, 'ELDER_VISIT', 'today', end], 'TIMEBANK.INVALID_ARGUMENT', 'startAt'],
        [['s-x', h('ghost'), elder, 'ELDER_VISIT', start, end], 'TIMEBANK.NOT_FOUND', h('ghost')],
      ];
      for (const [args, code, fragment] of cases) await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', args), code, fragment);
      const long = bank.times(481);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-x', vol, elder, 'ELDER_VISIT', long.start, long.end]), 'TIMEBANK.INVALID_ARGUMENT', '481');
      const shop = await bank.open('shop', 'PROVIDER');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:LogSession', ['s-x', shop, elder, 'ELDER_VISIT', start, end]), 'TIMEBANK.INVALID_ARGUMENT', 'PROVIDER');
      await expectRefused(net, () => net.submit(c.policeOfficer, 'timebank:LogSession', ['s-x', vol, elder, 'ELDER_VISIT', start, end]), 'AUTH.DENIED');
    });

    it('attests only confirmed sessions, once, by a coordinator who did not log them', async () => {
      const { start, end } = bank.times(60);
      await net.submit(c.streetCoordinator, 'timebank:LogSession', ['s-1', vol, elder, 'ELDER_VISIT', start, end]);
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-1', h('e')]), 'TIMEBANK.INVALID_STATE', 'LOGGED');
      await net.submit(c.streetAgent, 'timebank:ConfirmSession', ['s-1']);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:ConfirmSession', ['s-1']), 'TIMEBANK.INVALID_STATE');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:AttestSession', ['s-1', h('e')]), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:AttestSession', ['s-1', h('e')]), 'TIMEBANK.NOT_ALLOWED', 'cannot also attest');
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-1', 'evidence']), 'TIMEBANK.INVALID_ARGUMENT', 'evidenceHash');
      await net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-1', h('e')]);
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-1', h('e')]), 'TIMEBANK.INVALID_STATE', 'ATTESTED');
      await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:RejectSession', ['s-1', 'LATE']), 'TIMEBANK.INVALID_STATE');
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:AttestSession', ['s-404', h('e')]), 'TIMEBANK.NOT_FOUND', 's-404');
      expect((await bank.account(vol)).timeBalance).to.equal(60);
    });

    it('refuses a mint above the storage cap', async () => {
      await bank.policy({ storageCapMinutes: 120, dailyCapMinutes: 480, maxSessionMinutes: 480 });
      await bank.mint(vol, 100);
      const { start, end } = bank.times(30);
      await net.submit(c.streetAgent, 'timebank:LogSession', ['s-cap', vol, elder, 'ELDER_VISIT', start, end]);
      await net.submit(c.streetAgent, 'timebank:ConfirmSession', ['s-cap']);
      await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:AttestSession', ['s-cap', h('e')]), 'TIMEBANK.STORAGE_CAP_EXCEEDED', 'storage cap of 120');
      expect((await bank.account(vol)).timeBalance).to.equal(100);
    });
  });

  describe('redeeming', () => {
    let alice: string;
    let shop: string;
    beforeEach(async () => {
      alice = await bank.open('alice', 'VOLUNTEER');
      shop = await bank.open('shop', 'PROVIDER');
    });

    it('requires an eligibility attestation in effect when the policy says so', async () => {
      await bank.mint(alice, 60);
      await expectRefused(net, () => bank.redeem('r-1', alice, shop, 10), 'TIMEBANK.NOT_ELIGIBLE', 'no eligibility');
      const future = new Date(net.now().getTime() + 30 * 86_400_000).toISOString();
      const attested = await net.submit(c.civilOfficer, 'timebank:AttestEligibility', [alice, future, h('household')]);
      expect(attested.event?.name).to.equal('EligibilityAttested');
      await expectRefused(net, () => bank.redeem('r-1', alice, shop, 10), 'TIMEBANK.NOT_ELIGIBLE', 'may redeem from');
      net.advance(31 * 86_400_000);
      await bank.redeem('r-1', alice, shop, 10);
      expect(json<Eligibility>(await net.evaluate(c.auditor, 'timebank:GetEligibility', [alice])).eligibleFrom).to.equal(future);
      await bank.policy({ redeemRequiresEligibility: false });
      const bob = await bank.open('bob');
      await bank.mint(bob, 30);
      await bank.redeem('r-2', bob, shop, 30);
    });

    it('lets only civil affairs officers attest eligibility', async () => {
      for (const who of [c.streetOfficer, c.civilAdmin, c.policeOfficer]) {
        await expectRefused(net, () => net.submit(who, 'timebank:AttestEligibility', [alice, '2000-01-01T00:00:00Z', h('x')]), 'AUTH.DENIED');
      }
      await expectRefused(net, () => net.submit(c.civilOfficer, 'timebank:AttestEligibility', [shop, '2000-01-01T00:00:00Z', h('x')]), 'TIMEBANK.INVALID_ARGUMENT', 'PROVIDER');
    });

    it('spends lots oldest first, records the receipt at the provider and emits TimeCreditRedeemed', async () => {
      await bank.eligible(alice);
      await bank.mint(alice, 30);
      await bank.mint(alice, 40);
      const result = await bank.redeem('r-1', alice, shop, 50);
      const { movement, accounts, flags } = json<MovementResult>(result.payload);
      expect(movement.taken).to.deep.equal([
        { ref: alice, lotId: 'L0000000001', minutes: 30 },
        { ref: alice, lotId: 'L0000000002', minutes: 20 },
      ]);
      expect(movement).to.include({ kind: 'REDEEM', amount: 50, fromRef: alice, providerRef: shop, reference: 'order-r-1' });
      expect(accounts.map((a) => [a.ref, a.timeBalance, a.time.redeemed])).to.deep.equal([[alice, 20, 50]]);
      expect(flags).to.deep.equal([]);
      expect(result.event).to.deep.equal({ name: 'TimeCreditRedeemed', payload: { movement, accounts, flags } });
      const lots = await bank.lots(alice);
      expect(lots.lots.map((l) => [l.lotId, l.remaining])).to.deep.equal([['L0000000002', 20]]);
      const receipts = json<{ receipts: { movementId: string; amount: number }[] }>(await net.evaluate(c.auditor, 'timebank:GetReceipts', [shop, '10', '']));
      expect(receipts.receipts.map((r) => [r.movementId, r.amount])).to.deep.equal([['r-1', 50]]);
      expect(json(await net.evaluate(c.auditor, 'timebank:GetMovement', ['r-1']))).to.deep.equal(movement);
    });

    it('never overdraws, and refuses bad amounts, replays and wrong counterparties without writing', async () => {
      await bank.eligible(alice);
      await bank.mint(alice, 20);
      await expectRefused(net, () => bank.redeem('r-1', alice, shop, 21), 'TIMEBANK.INSUFFICIENT_BALANCE', 'holds 20');
      for (const minutes of ['0', '-5', '1.5', '1e3', 'ten', '90001']) {
        await expectRefused(net, () => bank.redeem('r-1', alice, shop, minutes), 'TIMEBANK.INVALID_ARGUMENT', 'minutes');
      }
      await bank.redeem('r-1', alice, shop, 5);
      await expectRefused(net, () => bank.redeem('r-1', alice, shop, 5), 'TIMEBANK.ALREADY_EXISTS', 'r-1');
      const bob = await bank.open('bob');
      await expectRefused(net, () => bank.redeem('r-2', alice, bob, 5), 'TIMEBANK.INVALID_ARGUMENT', 'provider');
      await expectRefused(net, () => bank.redeem('r-2', alice, h('ghost'), 5), 'TIMEBANK.NOT_FOUND');
      await expectRefused(net, () => bank.redeem('r-2', alice, shop, 5, c.streetCoordinator), 'AUTH.DENIED');
      await expectRefused(net, () => bank.redeem('r/2', alice, shop, 5), 'TIMEBANK.INVALID_ARGUMENT', 'movementId');
      expect((await bank.account(alice)).timeBalance).to.equal(15);
    });

    it('lets exactly 10 of 50 concurrent 6-minute redemptions against 60 minutes commit, retrying MVCC conflicts, and ends at zero', async () => {
      await bank.eligible(alice);
      await bank.mint(alice, 60);
      let pending = Array.from({ length: 50 }, (_, i) => `r-${i}`);
      let valid = 0;
      let insufficient = 0;
      let conflicts = 0;
      while (pending.length > 0) {
        const endorsed: Endorsed[] = [];
        for (const id of pending) {
          try {
            endorsed.push(await net.endorse(c.streetAgent, 'timebank:Redeem', [id, alice, shop, '6', `order-${id}`]));
          } catch (error) {
            expect(error).to.be.instanceOf(ChaincodeFailure);
            expect((error as Error).message).to.match(/^TIMEBANK\.INSUFFICIENT_BALANCE: /);
            insufficient += 1;
          }
        }
        const committed = net.commit(endorsed);
        valid += committed.filter((t) => t.code === TxValidationCode.VALID).length;
        const retry = committed.filter((t) => t.code === TxValidationCode.MVCC_READ_CONFLICT || t.code === TxValidationCode.PHANTOM_READ_CONFLICT);
        conflicts += retry.length;
        expect(committed.every((t) => t.code === TxValidationCode.VALID || retry.includes(t))).to.equal(true);
        pending = endorsed.filter((e) => retry.some((t) => t.txId === e.txId)).map(pendingId);
      }
      expect(valid).to.equal(10);
      expect(insufficient).to.equal(40);
      expect(conflicts).to.be.greaterThan(0);
      const account = await bank.account(alice);
      expect(account.timeBalance).to.equal(0);
      expect(account.time.redeemed).to.equal(60);
    });

    it('lets two residents redeem at the same provider in the same block (no shared key)', async () => {
      const bob = await bank.open('bob');
      await bank.policy({ redeemRequiresEligibility: false });
      await bank.mint(alice, 30);
      await bank.mint(bob, 30);
      const a = await net.endorse(c.streetAgent, 'timebank:Redeem', ['r-a', alice, shop, '10', 'o-a']);
      const b = await net.endorse(c.northAgent, 'timebank:Redeem', ['r-b', bob, shop, '10', 'o-b']);
      expect(net.commit([a, b]).map((t) => t.code)).to.deep.equal([TxValidationCode.VALID, TxValidationCode.VALID]);
    });
  });

  describe('gifts, the pot and grants', () => {
    let mother: string;
    let son: string;
    let pot: string;
    beforeEach(async () => {
      mother = await bank.open('mother');
      son = await bank.open('son', 'VOLUNTEER');
      pot = await bank.open('pot', 'POT');
    });

    it('gifts only to a relative linked by civil affairs, keeping the minutes\' age', async () => {
      const minted = await bank.mint(son, 90);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Gift', ['g-1', son, mother, '30']), 'TIMEBANK.NOT_RELATED', mother);
      await expectRefused(net, () => net.submit(c.streetOfficer, 'timebank:LinkRelative', [son, mother, 'PARENT', h('hukou')]), 'AUTH.DENIED');
      const linked = await net.submit(c.civilOfficer, 'timebank:LinkRelative', [son, mother, 'PARENT', h('hukou')]);
      expect(json<RelativeLink[]>(linked.payload).map((l) => [l.ref, l.relativeRef])).to.deep.equal([
        [son, mother],
        [mother, son],
      ]);
      await expectRefused(net, () => net.submit(c.civilOfficer, 'timebank:LinkRelative', [mother, son, 'CHILD', h('hukou')]), 'TIMEBANK.ALREADY_EXISTS');
      const gift = await net.submit(c.streetAgent, 'timebank:Gift', ['g-1', son, mother, '30']);
      const { movement, accounts } = json<MovementResult>(gift.payload);
      expect(movement.created).to.deep.equal([{ ref: mother, lotId: 'L0000000001', minutes: 30 }]);
      expect(accounts.map((a) => [a.ref, a.timeBalance]).sort()).to.deep.equal([
        [mother, 30],
        [son, 60],
      ].sort());
      const lot = (await bank.lots(mother)).lots[0] as Lot;
      expect(lot.originAt).to.equal(minted.movement.at);
      expect(lot.source).to.include({ kind: 'GIFT', fromRef: son, originLot: `${son}/L0000000001` });
      expect(gift.event?.name).to.equal('TimeCreditGifted');
      await net.submit(c.civilOfficer, 'timebank:UnlinkRelative', [mother, son, 'LINK_ENDED']);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Gift', ['g-2', son, mother, '10']), 'TIMEBANK.NOT_RELATED');
      expect(json<RelativeLink[]>(await net.evaluate(c.auditor, 'timebank:GetRelatives', [son]))).to.deep.equal([]);
    });

    it('refuses a gift to oneself, beyond the balance or beyond the receiver\'s storage cap', async () => {
      await net.submit(c.civilOfficer, 'timebank:LinkRelative', [son, mother, 'PARENT', h('hukou')]);
      await expectRefused(net, () => net.submit(c.civilOfficer, 'timebank:LinkRelative', [son, son, 'SELF', h('x')]), 'TIMEBANK.INVALID_ARGUMENT', 'own relative');
      await bank.mint(son, 100);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Gift', ['g-1', son, son, '10']), 'TIMEBANK.INVALID_ARGUMENT', 'oneself');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Gift', ['g-1', son, mother, '101']), 'TIMEBANK.INSUFFICIENT_BALANCE');
      await net.submit(c.streetAgent, 'timebank:Gift', ['g-1', son, mother, '50']);
      await bank.policy({ storageCapMinutes: 60 });
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Gift', ['g-2', son, mother, '11']), 'TIMEBANK.STORAGE_CAP_EXCEEDED', mother);
      await net.submit(c.streetAgent, 'timebank:Gift', ['g-2', son, mother, '10']);
      expect((await bank.account(mother)).timeBalance).to.equal(60);
    });

    it('donates to the pot and lets coordinators of the pot\'s street office grant from it', async () => {
      await bank.mint(son, 120);
      const donated = await net.submit(c.streetAgent, 'timebank:Donate', ['d-1', son, pot, '100']);
      expect(donated.event?.name).to.equal('TimeCreditDonated');
      expect((await bank.account(pot)).timeBalance).to.equal(100);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Donate', ['d-2', son, mother, '10']), 'TIMEBANK.INVALID_ARGUMENT', 'POT');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:Grant', ['gr-1', pot, mother, '50', 'ELDER_IN_NEED']), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:Grant', ['gr-1', pot, mother, '50', 'ELDER_IN_NEED']), 'TIMEBANK.NOT_ALLOWED', 'StreetOfficeMSP');
      await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:Grant', ['gr-1', pot, mother, '101', 'ELDER_IN_NEED']), 'TIMEBANK.INSUFFICIENT_BALANCE', pot);
      const granted = await net.submit(c.streetCoordinator, 'timebank:Grant', ['gr-1', pot, mother, '50', 'ELDER_IN_NEED']);
      expect(json<MovementResult>(granted.payload).movement).to.include({ kind: 'GRANT', reasonCode: 'ELDER_IN_NEED' });
      const [potAccount, motherAccount, sonAccount] = await Promise.all([bank.account(pot), bank.account(mother), bank.account(son)]);
      expect([potAccount.timeBalance, motherAccount.timeBalance, sonAccount.timeBalance]).to.deep.equal([50, 50, 20]);
      expect(potAccount.time).to.include({ donatedIn: 100, grantedOut: 50 });
    });
  });

  describe('expiry', () => {
    it('retires lots after the policy\'s lifetime, on the next movement or on ExpireLots', async () => {
      await bank.policy({ lotLifetimeDays: 10, redeemRequiresEligibility: false });
      const alice = await bank.open('alice');
      const shop = await bank.open('shop', 'PROVIDER');
      await bank.mint(alice, 30); // the clock moves one day per mint
      net.advance(5 * 86_400_000);
      await bank.mint(alice, 20);
      net.advance(4 * 86_400_000); // first lot now expired, second not
      const view = await bank.lots(alice);
      expect([view.balance, view.available]).to.deep.equal([50, 20]);
      await expectRefused(net, () => bank.redeem('r-1', alice, shop, 25), 'TIMEBANK.INSUFFICIENT_BALANCE', 'holds 20');
      const result = await net.submit(c.streetAgent, 'timebank:ExpireLots', [alice]);
      const expired = json<MovementResult>(result.payload);
      expect(expired.movement.expired).to.deep.equal([{ ref: alice, lotId: 'L0000000001', minutes: 30 }]);
      expect(result.event?.name).to.equal('TimeCreditExpired');
      const account = await bank.account(alice);
      expect(account.timeBalance).to.equal(20);
      expect(account.time).to.include({ minted: 50, expired: 30 });
      const nothing = await net.submit(c.streetAgent, 'timebank:ExpireLots', [alice]);
      expect(nothing.event).to.equal(null);
    });
  });

  describe('disputes', () => {
    let vol: string;
    let elder: string;
    beforeEach(async () => {
      vol = await bank.open('volunteer', 'VOLUNTEER');
      elder = await bank.open('elder');
      await bank.mint(vol, 120, elder);
    });

    it('settles with a compensating movement and never edits the disputed records', async () => {
      const opened = await net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-1', 'SESSION', 's-1', 'SERVICE_NOT_GIVEN', h('complaint')]);
      expect(json<Dispute>(opened.payload)).to.include({ status: 'OPEN', subjectId: 's-1' });
      expect(opened.event?.name).to.equal('DisputeOpened');
      const session = await net.evaluate(c.auditor, 'timebank:GetSession', ['s-1']);
      const resolved = await net.submit(c.northCoordinator, 'timebank:ResolveDispute', ['dp-1', 'COMPENSATED', vol, elder, '45', h('decision')]);
      const payload = json<{ dispute: Dispute; movement: MovementResult['movement']; accounts: Account[] }>(resolved.payload);
      expect(payload.dispute).to.include({ status: 'RESOLVED', outcome: 'COMPENSATED', movementId: 'dispute/dp-1' });
      expect(payload.movement).to.include({ kind: 'COMPENSATE', amount: 45, fromRef: vol, toRef: elder });
      expect(resolved.event?.name).to.equal('DisputeResolved');
      expect(await net.evaluate(c.auditor, 'timebank:GetSession', ['s-1'])).to.equal(session);
      expect((await bank.account(vol)).time).to.include({ minted: 120, compensatedOut: 45 });
      expect((await bank.account(elder)).timeBalance).to.equal(45);
      await expectRefused(net, () => net.submit(c.northCoordinator, 'timebank:ResolveDispute', ['dp-1', 'DISMISSED', '', '', '0', h('again')]), 'TIMEBANK.INVALID_STATE', 'RESOLVED');
    });

    it('reverses minted credit, or dismisses without a movement', async () => {
      await net.submit(c.streetOfficer, 'timebank:OpenDispute', ['dp-1', 'MOVEMENT', 'session/s-1', 'DUPLICATE_SESSION', h('c')]);
      const reversed = json<{ movement: MovementResult['movement'] }>((await net.submit(c.streetCoordinator, 'timebank:ResolveDispute', ['dp-1', 'REVERSED', vol, '', '60', h('d')])).payload);
      expect(reversed.movement).to.include({ kind: 'REVERSE', amount: 60 });
      expect((await bank.account(vol)).time).to.include({ reversed: 60 });
      expect((await bank.account(vol)).timeBalance).to.equal(60);
      await net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-2', 'SESSION', 's-1', 'RUDE', h('c2')]);
      const dismissed = json<{ dispute: Dispute; movement: null }>((await net.submit(c.streetCoordinator, 'timebank:ResolveDispute', ['dp-2', 'DISMISSED', '', '', '0', h('d2')])).payload);
      expect(dismissed.movement).to.equal(null);
      expect(dismissed.dispute.outcome).to.equal('DISMISSED');
    });

    it('refuses bad disputes and settlements', async () => {
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-1', 'SESSION', 's-404', 'X', h('c')]), 'TIMEBANK.NOT_FOUND', 's-404');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-1', 'LOT', 's-1', 'X', h('c')]), 'TIMEBANK.INVALID_ARGUMENT', 'subjectType');
      await net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-1', 'SESSION', 's-1', 'X', h('c')]);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:OpenDispute', ['dp-1', 'SESSION', 's-1', 'X', h('c')]), 'TIMEBANK.ALREADY_EXISTS');
      const bad: [string[], string, string][] = [
        [['dp-1', 'COMPENSATED', vol, elder, '121', h('d')], 'TIMEBANK.INSUFFICIENT_BALANCE', vol],
        [['dp-1', 'COMPENSATED', vol, vol, '10', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'differ'],
        [['dp-1', 'COMPENSATED', vol, '', '10', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'toRef'],
        [['dp-1', 'REVERSED', vol, elder, '10', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'toRef'],
        [['dp-1', 'DISMISSED', '', '', '5', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'minutes'],
        [['dp-1', 'DISMISSED', vol, '', '0', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'fromRef'],
        [['dp-1', 'FORGIVEN', '', '', '0', h('d')], 'TIMEBANK.INVALID_ARGUMENT', 'outcome'],
        [['dp-9', 'DISMISSED', '', '', '0', h('d')], 'TIMEBANK.NOT_FOUND', 'dp-9'],
      ];
      for (const [args, code, fragment] of bad) await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ResolveDispute', args), code, fragment);
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:ResolveDispute', ['dp-1', 'DISMISSED', '', '', '0', h('d')]), 'AUTH.DENIED');
    });
  });

  describe('points', () => {
    it('awards and exchanges points, never below zero', async () => {
      const alice = await bank.open('alice');
      const shop = await bank.open('shop', 'PROVIDER');
      const awarded = await net.submit(c.streetOfficer, 'timebank:AwardPoints', ['p-1', alice, '50', 'PROPOSAL_ADOPTED', h('proposal')]);
      expect(awarded.event?.name).to.equal('PointsAwarded');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:AwardPoints', ['p-2', alice, '50', 'PROPOSAL_ADOPTED', h('proposal')]), 'AUTH.DENIED');
      await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:ExchangePoints', ['x-1', alice, shop, '51', 'o-1']), 'TIMEBANK.INSUFFICIENT_BALANCE', 'holds 50 points');
      const exchanged = await net.submit(c.streetAgent, 'timebank:ExchangePoints', ['x-1', alice, shop, '20', 'o-1']);
      expect(exchanged.event?.name).to.equal('PointsExchanged');
      const account = await bank.account(alice);
      expect([account.pointsBalance, account.pointsAwarded, account.pointsExchanged, account.timeBalance]).to.deep.equal([30, 50, 20, 0]);
      await expectRefused(net, () => net.submit(c.streetOfficer, 'timebank:AwardPoints', ['p-3', alice, '0', 'X', h('p')]), 'TIMEBANK.INVALID_ARGUMENT', 'points');
      await expectRefused(net, () => net.submit(c.streetOfficer, 'timebank:AwardPoints', ['p-1', alice, '5', 'X', h('p')]), 'TIMEBANK.ALREADY_EXISTS', 'p-1');
    });
  });

  describe('statements and totals', () => {
    it('pages through an account statement in order with running balances', async () => {
      await bank.policy({ redeemRequiresEligibility: false });
      const alice = await bank.open('alice');
      const shop = await bank.open('shop', 'PROVIDER');
      for (let i = 0; i < 3; i++) await bank.mint(alice, 10);
      await bank.redeem('r-1', alice, shop, 25);
      await net.submit(c.streetOfficer, 'timebank:AwardPoints', ['p-1', alice, '7', 'IDEA', h('idea')]);
      const first = json<{ entries: StatementEntry[]; bookmark: string }>(await net.evaluate(c.streetAgent, 'timebank:GetStatement', [alice, '3', '']));
      expect(first.entries.map((e) => [e.seq, e.kind, e.delta, e.balanceAfter])).to.deep.equal([
        [1, 'MINT', 10, 10],
        [2, 'MINT', 10, 20],
        [3, 'MINT', 10, 30],
      ]);
      expect(first.bookmark).to.not.equal('');
      const second = json<{ entries: StatementEntry[]; bookmark: string }>(await net.evaluate(c.streetAgent, 'timebank:GetStatement', [alice, '3', first.bookmark]));
      expect(second.entries.map((e) => [e.seq, e.kind, e.asset, e.delta, e.balanceAfter, e.counterpartyRef])).to.deep.equal([
        [4, 'REDEEM', 'TIME', -25, 5, shop],
        [5, 'POINTS_AWARD', 'POINTS', 7, 7, null],
      ]);
      expect(second.bookmark).to.equal('');
      await expectRefused(net, () => net.evaluate(c.streetAgent, 'timebank:GetStatement', [alice, '501', '']), 'TIMEBANK.INVALID_ARGUMENT', 'pageSize');
      const totals = json<Record<string, number>>(await net.evaluate(c.auditor, 'timebank:GetTotals', []));
      expect(totals).to.include({ minted: 30, redeemed: 25, outstanding: 5, points: 7 });
      const page = json<{ accounts: Account[]; bookmark: string }>(await net.evaluate(c.auditor, 'timebank:ListAccounts', ['2', '']));
      expect(page.accounts).to.have.length(2);
      const rest = json<{ accounts: Account[]; bookmark: string }>(await net.evaluate(c.auditor, 'timebank:ListAccounts', ['2', page.bookmark]));
      expect(page.accounts.length + rest.accounts.length).to.equal(totals.accounts);
    });
  });
});

/** The movement id a redemption was endorsed for. */
function pendingId(e: Endorsed): string {
  return json<MovementResult>(e.payload).movement.movementId;
}
