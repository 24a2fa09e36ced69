/**
 * Suspicious patterns (issue 4, DESIGN.md §6): caps hit, overlapping sessions and circular
 * trades are recorded as flags, carried in the event of the transaction that raised them, and
 * reviewed once by a coordinator. A flag blocks nothing.
 */
import './support/quiet-logs';
import { expect } from 'chai';
import type { Flag, Session } from '../src/timebank/models';
import { Bank, type MovementResult } from './support/bank';
import { cast, expectRefused, h, identity, json, type Cast } from './support/fixtures';
import type { Committed } from './support/peer';
import { TestNetwork } from './support/peer';

describe('TimeBankContract: flags for coordinators', function () {
  this.timeout(60_000);
  let c: Cast;
  let net: TestNetwork;
  let bank: Bank;
  let ann: string;
  let ben: string;
  let cai: string;
  let dai: string;

  before(async () => {
    c = await cast();
  });

  beforeEach(async () => {
    net = new TestNetwork();
    net.setTime('2025-03-03T12:00:00Z');
    bank = new Bank(net, c);
    ann = await bank.open('ann', 'VOLUNTEER');
    ben = await bank.open('ben', 'RESIDENT');
    cai = await bank.open('cai', 'VOLUNTEER');
    dai = await bank.open('dai', 'RESIDENT');
  });

  /** Times on 2025-03-03 UTC, given as hours and minutes. */
  const t = (hhmm: string): string => `2025-03-03T${hhmm}:00.000Z`;
  const log = (id: string, volunteer: string, beneficiary: string, from: string, to: string): Promise<Committed> =>
    net.submit(c.streetAgent, 'timebank:LogSession', [id, volunteer, beneficiary, 'ELDER_VISIT', t(from), t(to)]);
  const flagsOf = (result: Committed): Flag[] => json<{ flags: Flag[] }>(result.payload).flags;

  it('flags a volunteer reaching the daily cap, in the SessionLogged event, and lets a coordinator review it once', async () => {
    expect(flagsOf(await log('s-1', ann, ben, '00:00', '04:00'))).to.deep.equal([]);
    const second = await log('s-2', ann, ben, '04:00', '08:00');
    const [flag] = flagsOf(second);
    expect(flag).to.include({ flagId: 's-2/DAILY_CAP_REACHED', code: 'DAILY_CAP_REACHED', status: 'OPEN', txId: second.txId, movementId: null });
    expect(flag?.accountRefs).to.deep.equal([ann]);
    expect(flag?.sessionIds).to.deep.equal(['s-2']);
    expect(flag?.detail).to.contain('480');
    expect(second.event?.name).to.equal('SessionLogged');
    expect((second.event?.payload as { flags: Flag[] }).flags).to.deep.equal([flag]);
    expect(json<Flag>(await net.evaluate(c.auditor, 'timebank:GetFlag', ['s-2/DAILY_CAP_REACHED']))).to.deep.equal(flag);

    await expectRefused(net, () => net.submit(c.streetAgent, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'CLEARED', h('notes')]), 'AUTH.DENIED');
    await expectRefused(net, () => net.submit(c.civilOfficer, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'CLEARED', h('notes')]), 'AUTH.DENIED');
    await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'IGNORED', h('notes')]), 'TIMEBANK.INVALID_ARGUMENT', 'outcome');
    await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'CLEARED', 'looked fine']), 'TIMEBANK.INVALID_ARGUMENT', 'notesHash');
    await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ReviewFlag', ['s-9/DAILY_CAP_REACHED', 'CLEARED', h('notes')]), 'TIMEBANK.NOT_FOUND', 's-9');
    await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ReviewFlag', ['', 'CLEARED', h('notes')]), 'TIMEBANK.INVALID_ARGUMENT', 'flagId');
    const reviewed = await net.submit(c.northCoordinator, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'CLEARED', h('notes')]);
    expect(json<Flag>(reviewed.payload)).to.include({ status: 'CLEARED', notesHash: h('notes') });
    expect(json<Flag>(reviewed.payload).reviewedBy).to.deep.equal({ msp: 'NorthStreetMSP', cn: 'coordinator-n1' });
    expect(reviewed.event?.name).to.equal('FlagReviewed');
    await expectRefused(net, () => net.submit(c.streetCoordinator, 'timebank:ReviewFlag', ['s-2/DAILY_CAP_REACHED', 'CONFIRMED', h('n2')]), 'TIMEBANK.INVALID_STATE', 'CLEARED');
  });

  it('flags a beneficiary served by two volunteers at once, and forgets a rejected session', async () => {
    await log('s-1', ann, ben, '09:00', '10:00');
    const [flag, ...rest] = flagsOf(await log('s-2', cai, ben, '09:30', '10:30'));
    expect(rest).to.deep.equal([]);
    expect(flag).to.include({ code: 'OVERLAPPING_BENEFICIARY_SESSIONS', flagId: 's-2/OVERLAPPING_BENEFICIARY_SESSIONS' });
    expect(flag?.sessionIds).to.deep.equal(['s-2', 's-1']);
    expect(flag?.accountRefs).to.deep.equal([ann, ben, cai].sort());
    await net.submit(c.streetCoordinator, 'timebank:RejectSession', ['s-1', 'NOT_PERFORMED']);
    await net.submit(c.streetCoordinator, 'timebank:RejectSession', ['s-2', 'NOT_PERFORMED']);
    expect(flagsOf(await log('s-3', cai, ben, '09:00', '10:00'))).to.deep.equal([]);
  });

  it('flags a volunteer who was being served, and a beneficiary who was volunteering, at the same time', async () => {
    await log('s-1', ann, ben, '09:00', '10:00');
    // ben was being served by ann 09:00-10:00, yet logs a visit to dai at 09:30.
    const served = flagsOf(await log('s-2', ben, dai, '09:30', '10:15'));
    expect(served.map((f) => [f.code, f.sessionIds])).to.deep.equal([['VOLUNTEER_SERVED_DURING_SESSION', ['s-2', 's-1']]]);
    // ann was serving ben 09:00-10:00, yet is served by cai at 09:45.
    const busy = flagsOf(await log('s-3', cai, ann, '09:45', '10:30'));
    expect(busy.map((f) => [f.code, f.sessionIds])).to.deep.equal([['BENEFICIARY_VOLUNTEERING_DURING_SESSION', ['s-3', 's-1']]]);
  });

  it('flags reciprocal sessions between two people within a day (a possible circular trade)', async () => {
    await log('s-1', ann, ben, '09:00', '10:00');
    const [flag] = flagsOf(await log('s-2', ben, ann, '11:00', '12:00'));
    expect(flag).to.include({ code: 'RECIPROCAL_SESSIONS' });
    expect(flag?.sessionIds).to.deep.equal(['s-2', 's-1']);
    expect(flag?.accountRefs).to.deep.equal([ann, ben].sort());
    // Serving someone else is no pattern.
    expect(flagsOf(await log('s-3', cai, dai, '11:00', '12:00'))).to.deep.equal([]);
  });

  it('flags an account filled to the storage cap by a mint or a gift, in the movement event', async () => {
    await bank.policy({ storageCapMinutes: 120 });
    expect((await bank.mint(ann, 60)).flags).to.deep.equal([]);
    const full = await bank.mint(ann, 60);
    expect(full.flags.map((f) => [f.code, f.movementId, f.accountRefs])).to.deep.equal([['STORAGE_CAP_REACHED', full.movement.movementId, [ann]]]);
    expect(full.flags[0]?.flagId).to.equal(`${full.movement.movementId}/STORAGE_CAP_REACHED`);
    await bank.mint(cai, 60);
    await net.submit(c.civilOfficer, 'timebank:LinkRelative', [cai, dai, 'CHILD', h('household')]);
    const gift = json<MovementResult>((await net.submit(c.streetAgent, 'timebank:Gift', ['g-1', cai, dai, '60'])).payload);
    expect(gift.flags).to.deep.equal([]);
    await bank.mint(cai, 60);
    const topUp = await net.submit(c.streetAgent, 'timebank:Gift', ['g-2', cai, dai, '60']);
    expect(json<MovementResult>(topUp.payload).flags.map((f) => [f.code, f.accountRefs])).to.deep.equal([['STORAGE_CAP_REACHED', [dai]]]);
    expect((topUp.event?.payload as MovementResult).flags).to.have.length(1);
  });

  it('lists flags page by page', async () => {
    await log('s-1', ann, ben, '09:00', '10:00');
    await log('s-2', cai, ben, '09:30', '10:30');
    await log('s-3', ben, ann, '11:00', '12:00');
    const ids: string[] = [];
    let bookmark = '';
    do {
      const page = json<{ flags: Flag[]; bookmark: string }>(await net.evaluate(c.auditor, 'timebank:ListFlags', ['1', bookmark]));
      ids.push(...page.flags.map((f) => f.flagId));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(ids).to.deep.equal(['s-2/OVERLAPPING_BENEFICIARY_SESSIONS', 's-3/RECIPROCAL_SESSIONS']);
    await expectRefused(net, () => net.evaluate(c.streetUser, 'timebank:ListFlags', ['10', '']), 'AUTH.DENIED');
    const departmentAgent = await identity('CivilAffairsMSP', 'portal-c1', { role: 'agent' });
    await expectRefused(net, () => net.evaluate(departmentAgent, 'timebank:ListFlags', ['10', '']), 'AUTH.DENIED', 'CivilAffairsMSP');
    expect(json<{ flags: Flag[] }>(await net.evaluate(c.northAgent, 'timebank:ListFlags', ['10', ''])).flags).to.have.length(2);
    await expectRefused(net, () => net.evaluate(c.auditor, 'timebank:ListFlags', ['0', '']), 'TIMEBANK.INVALID_ARGUMENT', 'pageSize');
    expect(json<Session>(await net.evaluate(c.auditor, 'timebank:GetSession', ['s-3'])).status).to.equal('LOGGED');
  });
});
