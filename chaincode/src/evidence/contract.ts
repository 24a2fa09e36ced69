/**
 * EvidenceContract (`evidence`): per-case hash chains of service steps. Every step of the
 * service hall — opening, acceptance, transfer, joint consultation, verification of
 * certificates, e-contract signature, completion or rejection, rating, appeal — is appended
 * here with the acting organisation and identity and the transaction time, and the departments
 * involved must endorse it (state-based endorsement on the case key).
 */
import { Contract, Info, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { CtlContext } from '../shared/context';
import { Input } from '../shared/input';
import { networkRoles } from '../shared/network';
import { DescribedParameters, ReturnsJson } from '../shared/schema';
import { sharingCollection } from '../shared/collections';
import { sha256 } from '../shared/hash';
import type { ActorRef } from '../shared/models';
import {
  STEP_TYPES,
  type CasePersonalShares,
  type CasePersonalSharesCheck,
  type CaseRecord,
  type CaseState,
  type CaseStep,
  type CaseTrace,
  type PersonalDataView,
  type PersonalRecord,
  type PersonalShare,
} from './models';
import { parsePersonalDetails } from './personal';
import { advance, authorizeStep, MAX_CONSULTED, MAX_SEQ, verifyChain } from './rules';
import { CASE_PERSONAL_SHARES, CASE_PERSONAL_SHARES_CHECK, CASE_RECORD, CASE_STEP, CASE_STEP_RESULT, CASE_TRACE, PERSONAL_DATA_VIEW } from './schema';

const CASE = 'case';
const STEP = 'caseStep';
/** Public record of a case's sharings, and (in the pair collections) the private details. */
const PERSONAL = 'casePersonal';
/** States after which a case's personal details may be deleted. */
const CLOSED_STATES: readonly CaseState[] = ['COMPLETED', 'REJECTED', 'EVALUATED'];
/** Longest `refs` argument, in characters. */
const MAX_REFS_JSON = 8192;

/** Who may read evidence: every identity with a role (agents: of a street office), no anonymous client identities. */
const READERS: readonly AccessRule[] = [{ roles: ['officer', 'coordinator', 'auditor', 'admin'] }, { roles: ['agent'], msps: networkRoles().streetOfficeMsps }];

function seqAttr(seq: number): string {
  return String(seq).padStart(8, '0');
}

const PARAMETERS = {
  caseId: 'case id: 1-128 characters of A-Z a-z 0-9 . _ : -',
  seq: "step number in decimal digits: the case's last step + 1 (1 to open)",
  stepType: 'OPENED, ACCEPTED, TRANSFERRED, CONSULTATION_OPENED, CONSULTED, CONSULTATION_CLOSED, CERTIFICATE_VERIFIED, CONTRACT_SIGNED, COMPLETED, REJECTED, EVALUATED, APPEALED, APPEAL_DECIDED or FOLLOWED_UP',
  payloadHash: "hash of the step's off-chain payload: 0x + 64 lowercase hex",
  prevHash: "the case's head hash (zero hash to open): 0x + 64 lowercase hex",
  refs: "JSON object of the step type's references, or ''",
  toMsps: 'JSON array of 1-10 MSP ids: the departments involved in the case now (transfer target or consulted) to share the personal details with; the details themselves go in the transient map under personalData',
};

/** The ledger's rules for service evidence. */
@Info({ title: 'EvidenceContract', description: 'Per-case hash chains of service-hall steps with the case state machine' })
@DescribedParameters(PARAMETERS)
export class EvidenceContract extends Contract {
  constructor() {
    super('evidence');
  }

  /** @returns the context with our helpers */
  override createContext(): CtlContext {
    return new CtlContext();
  }

  /**
   * Appends a step to a case's chain, opening the case with step 1 (`OPENED`).
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @param seq - the step's number, the case's last step + 1 (1 to open)
   * @param stepType - one of OPENED, ACCEPTED, TRANSFERRED, CONSULTATION_OPENED, CONSULTED,
   *   CONSULTATION_CLOSED, CERTIFICATE_VERIFIED, CONTRACT_SIGNED, COMPLETED, REJECTED,
   *   EVALUATED, APPEALED, APPEAL_DECIDED, FOLLOWED_UP
   * @param payloadHash - hash of the step's off-chain payload
   * @param prevHash - the case's head hash (`stepHash` of the last step; zero hash to open)
   * @param refs - JSON object of step-specific references, or '' for none
   * @returns `{case, step}` as JSON; event `CaseStepAppended` with the same
   * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT`, `AUTH.DENIED`, `EVIDENCE.NOT_FOUND`,
   *   `EVIDENCE.ALREADY_EXISTS`, `EVIDENCE.WRONG_SEQUENCE`, `EVIDENCE.FORK`,
   *   `EVIDENCE.INVALID_TRANSITION`, `EVIDENCE.NOT_ALLOWED`
   */
  @Transaction()
  @ReturnsJson(CASE_STEP_RESULT)
  async AppendStep(ctx: CtlContext, caseId: string, seq: string, stepType: string, payloadHash: string, prevHash: string, refs: string): Promise<string> {
    const probe = new Input('EVIDENCE', 'case');
    const id = probe.id('caseId', caseId);
    const input = new Input('EVIDENCE', id);
    const request = {
      caseId: id,
      seq: input.integerArg('seq', seq, 1, MAX_SEQ),
      stepType: input.oneOf('stepType', stepType, STEP_TYPES),
      payloadHash: input.hash('payloadHash', payloadHash),
      prevHash: input.hash('prevHash', prevHash),
      refs: refs === '' ? {} : input.record('refs', input.json('refs', refs, MAX_REFS_JSON)),
    };
    const actor = ctx.actor();
    authorizeStep(actor, request.stepType, id, networkRoles());
    const key = ctx.key(CASE, id);
    const current = await ctx.getJson<CaseRecord>(key);
    const result = advance(current, request, actor, ctx.now(), ctx.txId());
    await ctx.putJson(key, result.case);
    await ctx.putJson(ctx.key(STEP, id, seqAttr(result.step.seq)), result.step);
    const before = current?.endorsingMsps ?? [];
    if (canonicalJson(before) !== canonicalJson(result.case.endorsingMsps)) await ctx.requireEndorsers(key, result.case.endorsingMsps);
    ctx.emit('CaseStepAppended', result);
    return canonicalJson(result);
  }

  /**
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns the case head as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_RECORD)
  async GetCase(ctx: CtlContext, caseId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `case ${caseId}`, ...READERS);
    return canonicalJson(await this.loadCase(ctx, new Input('EVIDENCE', caseId).id('caseId', caseId)));
  }

  /**
   * @param ctx - transaction context
   * @param caseId - case id
   * @param seq - step number
   * @returns the step as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_STEP)
  async GetStep(ctx: CtlContext, caseId: string, seq: string): Promise<string> {
    authorize(ctx.actor(), 'read', `case ${caseId}`, ...READERS);
    const input = new Input('EVIDENCE', caseId);
    const id = input.id('caseId', caseId);
    const n = input.integerArg('seq', seq, 1, MAX_SEQ);
    const step = await ctx.getJson<CaseStep>(ctx.key(STEP, id, seqAttr(n)));
    if (step === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `case ${id} has no step ${n}`);
    return canonicalJson(step);
  }

  /**
   * A case end to end: its head, every step in order and whether the chain re-checks.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns `{case, steps, intact, brokenAt}` as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_TRACE)
  async Trace(ctx: CtlContext, caseId: string): Promise<string> {
    authorize(ctx.actor(), 'trace', `case ${caseId}`, ...READERS);
    const id = new Input('EVIDENCE', caseId).id('caseId', caseId);
    const record = await this.loadCase(ctx, id);
    const steps = (await ctx.list<CaseStep>(STEP, [id])).map((e) => e.value);
    const trace: CaseTrace = { case: record, steps, ...verifyChain(record, steps) };
    return canonicalJson(trace);
  }

  /**
   * Shares the applicant's personal details with departments the case involves now, through the
   * private data collection of each pair (owner, department). The details come from the
   * proposal's transient map (key `personalData`), so they are in no argument, no block and no
   * event: each member peer keeps them, the channel keeps their hash. The salted hash of each
   * sharing is recorded publicly (`casePersonal/<caseId>`), so anyone can later check that a
   * copy of the details is the one shared.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @param toMsps - JSON array of the departments to share with: the transfer target while the
   *   case is TRANSFERRED, consulted departments while it is IN_CONSULTATION
   * @returns the case's sharings as JSON (hashes only); event `CasePersonalDataShared` with the same
   * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT` (also for missing or malformed details,
   *   sharing with oneself); `AUTH.DENIED` unless role `officer`; `EVIDENCE.NOT_FOUND`;
   *   `EVIDENCE.NOT_ALLOWED` unless the caller's organisation owns the case and every recipient
   *   is involved in it now, or when the network defines no collection for a pair
   */
  @Transaction()
  @ReturnsJson(CASE_PERSONAL_SHARES)
  async SharePersonalData(ctx: CtlContext, caseId: string, toMsps: string): Promise<string> {
    const id = new Input('EVIDENCE', 'case').id('caseId', caseId);
    const input = new Input('EVIDENCE', id);
    const recipients = input.mspList('toMsps', input.json('toMsps', toMsps, 2048), 1, MAX_CONSULTED);
    const actor = ctx.actor();
    authorize(actor, 'share the personal data of', `case ${id}`, { roles: ['officer'] });
    const details = parsePersonalDetails(ctx.stub.getTransient(), id);
    if (recipients.includes(actor.msp)) input.fail(`toMsps lists the caller's own organisation ${actor.msp}`);
    const record = await this.loadCase(ctx, id);
    if (record.ownerMsp !== actor.msp) {
      throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `only ${record.ownerMsp}, which owns case ${id}, may share its personal data, not ${actor.msp}`);
    }
    const involved = record.state === 'TRANSFERRED' && record.transferToMsp !== null ? [record.transferToMsp] : record.state === 'IN_CONSULTATION' ? record.consultedMsps : [];
    for (const msp of recipients) {
      if (!involved.includes(msp)) {
        throw new ChaincodeError(
          'EVIDENCE.NOT_ALLOWED',
          id,
          `personal data of case ${id} goes only to departments involved now (${involved.join(', ') || 'none in state ' + record.state}); ${msp} is not`,
        );
      }
    }
    const key = ctx.key(PERSONAL, id);
    const existing = await ctx.getJson<CasePersonalShares>(key);
    const by: ActorRef = { msp: actor.msp, cn: actor.cn };
    const now = ctx.now();
    const added: PersonalShare[] = [];
    for (const toMsp of recipients) {
      const collection = sharingCollection(actor.msp, toMsp);
      const value: PersonalRecord = { caseId: id, details, fromMsp: actor.msp, toMsp, sharedAt: now, sharedBy: by, txId: ctx.txId() };
      let dataHash: string;
      try {
        dataHash = await ctx.putPrivateJson(collection, key, value);
      } catch (error) {
        // The peer refuses a collection the chaincode definition lacks (or a creator it does not admit).
        throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `no private data collection ${collection} admits ${actor.msp} to share with ${toMsp} (case ${id}): ${(error as Error).message}`);
      }
      added.push({ collection, fromMsp: actor.msp, toMsp, dataHash, caseSeq: record.seq, caseState: record.state, sharedAt: now, sharedBy: by, txId: ctx.txId() });
    }
    const shares: CasePersonalShares = { caseId: id, shares: [...(existing?.shares ?? []), ...added], forgotten: existing?.forgotten ?? [], updatedAt: now };
    await ctx.putJson(key, shares);
    ctx.emit('CasePersonalDataShared', shares);
    return canonicalJson(shares);
  }

  /**
   * Deletes the caller's organisation's copies of a closed case's personal details: the key in
   * every pair collection the case's sharings wrote that the organisation is a member of. The
   * hashes stay on the channel (they reveal nothing without the details). Forgetting what is
   * already forgotten changes nothing.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns the case's sharings as JSON, with the deletions; event `CasePersonalDataForgotten`
   *   when something was deleted
   * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT`; `AUTH.DENIED` unless role `officer`;
   *   `EVIDENCE.NOT_FOUND` for an unknown case or one nothing was shared for;
   *   `EVIDENCE.INVALID_TRANSITION` unless the case is COMPLETED, REJECTED or EVALUATED;
   *   `EVIDENCE.NOT_ALLOWED` when no sharing involves the caller's organisation
   */
  @Transaction()
  @ReturnsJson(CASE_PERSONAL_SHARES)
  async ForgetPersonalData(ctx: CtlContext, caseId: string): Promise<string> {
    const id = new Input('EVIDENCE', 'case').id('caseId', caseId);
    const actor = ctx.actor();
    authorize(actor, 'delete the personal data of', `case ${id}`, { roles: ['officer'] });
    const record = await this.loadCase(ctx, id);
    if (!CLOSED_STATES.includes(record.state)) {
      throw new ChaincodeError('EVIDENCE.INVALID_TRANSITION', id, `case ${id} is ${record.state}; its personal data is kept until it is ${CLOSED_STATES.join(', ')}`);
    }
    const key = ctx.key(PERSONAL, id);
    const shares = await ctx.getJson<CasePersonalShares>(key);
    if (shares === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `no personal data was shared for case ${id}`);
    const mine = [...new Set(shares.shares.filter((s) => s.fromMsp === actor.msp || s.toMsp === actor.msp).map((s) => s.collection))];
    if (mine.length === 0) throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `the personal data of case ${id} was not shared with ${actor.msp}`);
    const pending = mine.filter((collection) => !shares.forgotten.some((f) => f.collection === collection));
    if (pending.length === 0) return canonicalJson(shares);
    const now = ctx.now();
    for (const collection of pending) {
      try {
        await ctx.stub.deletePrivateData(collection, key);
      } catch (error) {
        throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `${actor.msp} cannot delete from collection ${collection} (case ${id}): ${(error as Error).message}`);
      }
    }
    const by: ActorRef = { msp: actor.msp, cn: actor.cn };
    const updated: CasePersonalShares = {
      ...shares,
      forgotten: [...shares.forgotten, ...pending.sort().map((collection) => ({ collection, forgottenAt: now, forgottenBy: by, txId: ctx.txId() }))],
      updatedAt: now,
    };
    await ctx.putJson(key, updated);
    ctx.emit('CasePersonalDataForgotten', updated);
    return canonicalJson(updated);
  }

  /**
   * The personal details of a case as shared with (or by) the caller's organisation, read from
   * its own peer's copy of the pair collection. Evaluate it only: a submitted transaction's
   * result is written into the block, details and all.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns `{caseId, details, fromMsp, toMsp, sharedAt, sharedBy, txId, collection, dataHash}`
   *   as JSON, from the latest sharing that involves the caller's organisation
   * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT`; `AUTH.DENIED` unless role `officer`;
   *   `EVIDENCE.NOT_FOUND` when nothing was shared for the case or the copy is gone;
   *   `EVIDENCE.NOT_ALLOWED` when no sharing involves the caller's organisation
   */
  @Transaction(false)
  @ReturnsJson(PERSONAL_DATA_VIEW)
  async GetPersonalData(ctx: CtlContext, caseId: string): Promise<string> {
    const id = new Input('EVIDENCE', 'case').id('caseId', caseId);
    const actor = ctx.actor();
    authorize(actor, 'read the personal data of', `case ${id}`, { roles: ['officer'] });
    const key = ctx.key(PERSONAL, id);
    const record = await ctx.getJson<CasePersonalShares>(key);
    if (record === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `no personal data was shared for case ${id}`);
    const share = [...record.shares].reverse().find((s) => s.toMsp === actor.msp || s.fromMsp === actor.msp);
    if (share === undefined) throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `the personal data of case ${id} was not shared with ${actor.msp}`);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await ctx.getPrivateBytes(share.collection, key);
    } catch (error) {
      throw new ChaincodeError('EVIDENCE.NOT_ALLOWED', id, `this peer cannot read collection ${share.collection} (case ${id}): ${(error as Error).message}`);
    }
    if (bytes === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `the personal data of case ${id} is no longer held in ${share.collection}`);
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as PersonalRecord;
    const view: PersonalDataView = { ...value, collection: share.collection, dataHash: sha256(bytes) };
    return canonicalJson(view);
  }

  /**
   * Every sharing of a case's personal details, with whether each collection still holds what
   * the sharing wrote (its hash, which every organisation can read). No personal data.
   *
   * @param ctx - transaction context
   * @param caseId - case id
   * @returns `{caseId, shares: [{collection, fromMsp, toMsp, dataHash, caseSeq, caseState,
   *   sharedAt, sharedBy, txId, current}], updatedAt}` as JSON
   * @throws ChaincodeError `AUTH.DENIED`, `EVIDENCE.INVALID_ARGUMENT`, `EVIDENCE.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CASE_PERSONAL_SHARES_CHECK)
  async GetPersonalDataShares(ctx: CtlContext, caseId: string): Promise<string> {
    authorize(ctx.actor(), 'read the sharings of', `case ${caseId}`, ...READERS);
    const id = new Input('EVIDENCE', caseId).id('caseId', caseId);
    const key = ctx.key(PERSONAL, id);
    const record = await ctx.getJson<CasePersonalShares>(key);
    if (record === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `no personal data was shared for case ${id}`);
    const hashes = new Map<string, string | null>();
    for (const share of record.shares) {
      if (!hashes.has(share.collection)) hashes.set(share.collection, await ctx.privateHash(share.collection, key));
    }
    const check: CasePersonalSharesCheck = { ...record, shares: record.shares.map((s) => ({ ...s, current: hashes.get(s.collection) === s.dataHash })) };
    return canonicalJson(check);
  }

  private async loadCase(ctx: CtlContext, id: string): Promise<CaseRecord> {
    const record = await ctx.getJson<CaseRecord>(ctx.key(CASE, id));
    if (record === undefined) throw new ChaincodeError('EVIDENCE.NOT_FOUND', id, `case ${id} does not exist`);
    return record;
  }
}
