/**
 * The verifier: seven checks, always all of them, always in this order, each with a stable name,
 * a stable code and a plain-language detail. A document is valid only when every check passes;
 * a check whose source cannot be reached fails and says so. `asOf` answers "was it valid on
 * date D?" with what the ledgers know now (a revocation recorded later but effective before D
 * counts).
 */
import { VerificationOptionsError, PortUnavailableError } from './errors';
import { LIMITS, depthExceeds, readDocument, type ReadDocument } from './format';
import { visibleFieldHashes, targetHashOf } from './fields';
import { keccak, keccakText, type Hex32, type Keccak256 } from './hash';
import { ledgerStatusAt } from './ledger-status';
import { pathNodes } from './merkle';
import type { AnchorNetwork, LedgerCertificateRecord, RootInfo, VerificationPorts } from './ports';
import { reasonOf } from './reasons';

/** The checks, in the order they are reported. */
export const CHECK_NAMES = ['integrity', 'batchInclusion', 'anchored', 'notRevoked', 'notExpired', 'issuerAllowed', 'ledgerRecord'] as const;

/** The name of a check. */
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * Why a check passed or failed; stable, for translations and tests. `OK` when it passed;
 * `UNAVAILABLE` when its source could not answer; `NOT_CHECKED` when the document lacks what the
 * check needs (another check names the cause).
 */
export type CheckCode =
  | 'OK'
  | 'UNAVAILABLE'
  | 'NOT_CHECKED'
  | 'FORMAT'
  | 'MUST_SHOW_HIDDEN'
  | 'FIELD_MISSING'
  | 'CHANGED'
  | 'NOT_IN_BATCH'
  | 'WRONG_CHAIN'
  | 'WRONG_CONTRACT'
  | 'NOT_ANCHORED'
  | 'NOT_YET_ANCHORED'
  | 'REVOKED'
  | 'SUSPENDED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'UNKNOWN_ISSUER'
  | 'ANCHORED_BY_OTHER'
  | 'NOT_AUTHORIZED'
  | 'NO_RECORD'
  | 'NOT_FOUND'
  | 'MISMATCH'
  | 'NOT_YET_RECORDED';

/** The outcome of one check. */
export interface Check {
  readonly name: CheckName;
  readonly ok: boolean;
  readonly code: CheckCode;
  /** Plain language for the resident. */
  readonly detail: string;
  /** Values the detail mentions (dates as ISO 8601), for a portal that words it in another language. */
  readonly facts?: Readonly<Record<string, string | number>>;
}

/** The verdict and every check. */
export interface VerificationResult {
  /** True only when every check passed. */
  readonly valid: boolean;
  /** The instant the answer is about (ISO 8601). */
  readonly asOf: string;
  readonly checks: readonly Check[];
}

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Answer "was it valid at this instant?" (default: now). Not after `now`. */
  readonly asOf?: Date | string | undefined;
  /** The current time (default: the clock); for tests and reproducible answers. */
  readonly now?: Date | undefined;
  /** How long a port may take before its checks fail as unavailable (default 10 s). */
  readonly portTimeoutMs?: number | undefined;
  /**
   * When `asOf` is not given: how far ahead of this verifier's clock the chain's, the ledger's or
   * the issuer's may be (default 60 s). Everything is then judged at now + skew: a certificate
   * anchored a moment "in the future" by a fast block clock counts, and a revocation or an expiry
   * counts that much early. With an explicit `asOf`, there is no allowance.
   */
  readonly clockSkewSeconds?: number | undefined;
}

const DEFAULT_PORT_TIMEOUT_MS = 10_000;
const DEFAULT_CLOCK_SKEW_S = 60;
const ZERO_HASH = `0x${'0'.repeat(64)}`;

function toDate(value: Date | string, name: string): Date {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (!(date instanceof Date) || !Number.isFinite(date.getTime())) throw new VerificationOptionsError(`${name} is not a valid date`, name);
  return date;
}

/** ISO strings of instants already formatted: documents of a batch share their times. Bounded. */
const isoTimes = new Map<number, string>();

function iso(unixSeconds: number): string {
  let text = isoTimes.get(unixSeconds);
  if (text === undefined) {
    text = new Date(unixSeconds * 1000).toISOString();
    if (isoTimes.size >= 10_000) isoTimes.clear();
    isoTimes.set(unixSeconds, text);
  }
  return text;
}

/** `2025-03-01 10:00:00 UTC`: unambiguous for people in any locale. */
export function formatTime(unixSeconds: number): string {
  return `${iso(unixSeconds).slice(0, 19).replace('T', ' ')} UTC`;
}

function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 10)}…${hex.slice(-4)}` : hex;
}

function check(name: CheckName, ok: boolean, code: CheckCode, detail: string, facts?: Record<string, string | number>): Check {
  return facts === undefined ? { name, ok, code, detail } : { name, ok, code, detail, facts };
}

function unavailable(name: CheckName, err: unknown): Check {
  const what = err instanceof PortUnavailableError ? err.message : 'its source did not answer';
  return check(name, false, 'UNAVAILABLE', `Not checked: ${what}.`);
}

function snapshotNote(observedAt: number | undefined): string {
  return observedAt === undefined ? '' : ` (as recorded in the status snapshot of ${formatTime(observedAt)})`;
}

/**
 * Asks ports with one deadline for the whole verification, so a dead RPC endpoint costs one
 * timeout, not one per question, and every answer is asked at most once.
 */
class Lookups {
  private readonly deadline: Promise<never>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private networkAnswer: Promise<AnchorNetwork> | undefined;
  private rootAnswer: Promise<RootInfo> | undefined;
  private recordAnswer: Promise<LedgerCertificateRecord | null> | undefined;

  constructor(
    private readonly ports: VerificationPorts,
    private readonly read: ReadDocument,
    timeoutMs: number,
  ) {
    this.deadline = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        reject(new PortUnavailableError('any', `no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
    });
    // Nobody may be waiting when it fires; an unobserved rejection must not crash the host.
    this.deadline.catch(() => undefined);
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Runs a port call under the deadline; any failure becomes a PortUnavailableError. */
  async ask<T>(port: 'anchor' | 'issuers' | 'ledger', call: () => Promise<T>): Promise<T> {
    const label = { anchor: 'the public ledger (TrustAnchor)', issuers: 'the issuer registry', ledger: "the departments' ledger" }[port];
    try {
      return await Promise.race([call(), this.deadline]);
    } catch (err) {
      if (err instanceof PortUnavailableError && err.port !== 'any') throw err;
      const reason = err instanceof PortUnavailableError ? err.message : 'it could not be reached';
      throw new PortUnavailableError(port, `${label} did not answer (${reason})`, err);
    }
  }

  network(): Promise<AnchorNetwork> {
    const anchor = this.ports.anchor;
    if (anchor === undefined) return Promise.reject(new PortUnavailableError('anchor', 'this verifier is not connected to the public ledger (TrustAnchor)'));
    this.networkAnswer ??= this.ask('anchor', () => anchor.network());
    return this.networkAnswer;
  }

  rootInfo(root: Hex32): Promise<RootInfo> {
    const anchor = this.ports.anchor;
    if (anchor === undefined) return Promise.reject(new PortUnavailableError('anchor', 'this verifier is not connected to the public ledger (TrustAnchor)'));
    this.rootAnswer ??= this.ask('anchor', () => anchor.rootInfo(root));
    return this.rootAnswer;
  }

  record(): Promise<LedgerCertificateRecord | null> {
    const ledger = this.ports.ledger;
    if (ledger === undefined) return Promise.reject(new PortUnavailableError('ledger', "this verifier has no access to the departments' ledger"));
    const ref = this.read.record;
    const certificateId = this.read.certificateId;
    if (ref === undefined || certificateId === undefined) return Promise.resolve(null);
    this.recordAnswer ??= this.ask('ledger', () => ledger.getCertificate({ channel: ref.channel, chaincode: ref.chaincode, certificateId }));
    return this.recordAnswer;
  }
}

/** Compares the document's anchor with the reader's chain and contract; a failed check or undefined. */
async function anchorMismatch(name: CheckName, read: ReadDocument, lookups: Lookups): Promise<Check | undefined> {
  const anchor = read.anchor;
  if (anchor === undefined) return check(name, false, 'NOT_CHECKED', 'Not checked: the certificate does not say where it is anchored.');
  const network = await lookups.network();
  if (network.chainId !== anchor.chainId) {
    return check(
      name,
      false,
      'WRONG_CHAIN',
      `The certificate says it is anchored on chain ${anchor.chainId}, but this verifier trusts chain ${network.chainId}.`,
      { documentChainId: anchor.chainId, trustedChainId: network.chainId },
    );
  }
  if (network.trustAnchor.toLowerCase() !== anchor.trustAnchor.toLowerCase()) {
    return check(
      name,
      false,
      'WRONG_CONTRACT',
      `The certificate points to contract ${anchor.trustAnchor}, which is not the TrustAnchor this verifier trusts (${network.trustAnchor}).`,
      { documentContract: anchor.trustAnchor, trustedContract: network.trustAnchor },
    );
  }
  return undefined;
}

function checkIntegrity(k: Keccak256, read: ReadDocument): Check {
  if (read.integrityProblem !== undefined) {
    return check('integrity', false, read.integrityProblem.code as CheckCode, read.integrityProblem.detail);
  }
  let visible: Hex32[];
  try {
    visible = visibleFieldHashes(k, read);
  } catch {
    // Only the canonicaliser walks the whole document; its failure is the place to say why.
    const detail = depthExceeds(read.raw, LIMITS.maxDepth)
      ? `The certificate is nested more than ${LIMITS.maxDepth} levels deep.`
      : 'The certificate contains values that cannot be read as JSON.';
    return check('integrity', false, 'FORMAT', detail);
  }
  const hidden = new Set<string>(read.hidden);
  if (visible.some((h) => hidden.has(h))) {
    return check('integrity', false, 'CHANGED', 'The certificate lists a field as hidden that it also shows.');
  }
  const computed = targetHashOf(k, [...visible, ...read.hidden]);
  if (computed !== read.targetHash) {
    return check('integrity', false, 'CHANGED', 'The certificate has been changed since it was issued: its contents do not match its fingerprint.', {
      computedTargetHash: computed,
    });
  }
  const shown = read.claims.length;
  const hiddenCount = read.hidden.length;
  const hiddenText = hiddenCount === 0 ? '' : `; the holder hid ${hiddenCount} personal detail${hiddenCount === 1 ? '' : 's'}`;
  return check('integrity', true, 'OK', `The contents are exactly as issued (${shown + 1} part${shown === 0 ? '' : 's'} checked${hiddenText}).`, {
    targetHash: computed,
    hiddenFields: hiddenCount,
  });
}

function checkInclusion(k: Keccak256, read: ReadDocument): { result: Check; nodes: Hex32[] | undefined } {
  if (read.targetHash === undefined) {
    return { result: check('batchInclusion', false, 'NOT_CHECKED', 'Not checked: the certificate has no readable fingerprint.'), nodes: undefined };
  }
  if (read.merkleProblem !== undefined || read.merkleRoot === undefined || read.merkleProof === undefined) {
    return { result: check('batchInclusion', false, 'FORMAT', read.merkleProblem?.detail ?? 'The batch proof cannot be read.'), nodes: undefined };
  }
  let nodes: Hex32[];
  try {
    nodes = pathNodes(k, read.targetHash, read.merkleProof);
  } catch {
    return { result: check('batchInclusion', false, 'FORMAT', 'The document\'s "proof.merkleProof" is not a list of 32-byte hashes.'), nodes: undefined };
  }
  if (nodes[nodes.length - 1] !== read.merkleRoot) {
    return { result: check('batchInclusion', false, 'NOT_IN_BATCH', 'The proof does not place this certificate in the batch it names.'), nodes: undefined };
  }
  const size = read.merkleProof.length === 0 ? 'issued on its own' : `one of up to ${2 ** read.merkleProof.length} certificates issued together`;
  return {
    result: check('batchInclusion', true, 'OK', `The certificate belongs to the batch ${short(read.merkleRoot)} (${size}).`, { merkleRoot: read.merkleRoot }),
    nodes,
  };
}

async function checkAnchored(read: ReadDocument, lookups: Lookups, ports: VerificationPorts, asOf: number): Promise<Check> {
  if (read.anchorProblem !== undefined) return check('anchored', false, 'FORMAT', read.anchorProblem.detail);
  const root = read.merkleRoot;
  if (root === undefined) return check('anchored', false, 'NOT_CHECKED', 'Not checked: the batch proof cannot be read.');
  try {
    const mismatch = await anchorMismatch('anchored', read, lookups);
    if (mismatch !== undefined) return mismatch;
    const info = await lookups.rootInfo(root);
    const note = snapshotNote(ports.anchor?.observedAt);
    if (info.issuedAt === 0) return check('anchored', false, 'NOT_ANCHORED', `Its batch was never recorded on the public ledger${note}.`);
    if (info.issuedAt > asOf) {
      return check('anchored', false, 'NOT_YET_ANCHORED', `Its batch was recorded on the public ledger only later, on ${formatTime(info.issuedAt)}.`, {
        anchoredAt: iso(info.issuedAt),
      });
    }
    return check('anchored', true, 'OK', `Its batch was recorded on the public ledger (chain ${read.anchor?.chainId ?? '?'}) on ${formatTime(info.issuedAt)}${note}.`, {
      anchoredAt: iso(info.issuedAt),
    });
  } catch (err) {
    return unavailable('anchored', err);
  }
}

async function checkNotRevoked(read: ReadDocument, nodes: Hex32[] | undefined, lookups: Lookups, ports: VerificationPorts, asOf: number): Promise<Check> {
  if (nodes === undefined) return check('notRevoked', false, 'NOT_CHECKED', 'Not checked: without a valid batch proof its revocation status cannot be looked up.');
  const anchor = ports.anchor;
  if (anchor === undefined) return unavailable('notRevoked', new PortUnavailableError('anchor', 'this verifier is not connected to the public ledger (TrustAnchor)'));
  let recordOutcome: { record: LedgerCertificateRecord | null } | { error: unknown };
  try {
    const mismatch = await anchorMismatch('notRevoked', read, lookups);
    if (mismatch !== undefined) return mismatch;
    const revocations = await lookups.ask('anchor', () => anchor.revocations(nodes));
    let earliest: { index: number; at: number; reasonCode: number } | undefined;
    let later: number | undefined;
    revocations.forEach((r, index) => {
      if (r.at === 0) return;
      if (r.at <= asOf) {
        if (earliest === undefined || r.at < earliest.at) earliest = { index, at: r.at, reasonCode: r.reasonCode };
      } else if (later === undefined || r.at < later) {
        later = r.at;
      }
    });
    if (earliest !== undefined) {
      const reason = reasonOf(earliest.reasonCode);
      const scope = earliest.index === 0 ? 'certificate' : earliest.index === nodes.length - 1 ? 'batch' : 'group';
      const what = { certificate: 'This certificate', batch: 'Its whole batch', group: 'A group of certificates including this one' }[scope];
      const suspended = reason.name === 'UNDER_REVIEW';
      return check(
        'notRevoked',
        false,
        suspended ? 'SUSPENDED' : 'REVOKED',
        `${what} was ${suspended ? 'suspended' : 'revoked'} on ${formatTime(earliest.at)}: ${reason.text}.`,
        { revokedAt: iso(earliest.at), reasonCode: earliest.reasonCode, reason: reason.name, scope },
      );
    }
    try {
      recordOutcome = { record: await lookups.record() };
    } catch (err) {
      recordOutcome = { error: err };
    }
    const laterText = later === undefined ? '' : ` It was revoked later, on ${formatTime(later)}.`;
    if ('error' in recordOutcome) {
      return check(
        'notRevoked',
        true,
        'OK',
        `No revocation is recorded on the public ledger${snapshotNote(anchor.observedAt)}; the departments' ledger could not be asked about suspensions (see the ledger record check).${laterText}`,
      );
    }
    const record = recordOutcome.record;
    if (record !== null && record.documentHash === read.targetHash) {
      const status = ledgerStatusAt(record, asOf);
      if ((status.status === 'REVOKED' || status.status === 'SUSPENDED') && status.since !== undefined) {
        const verb = status.status === 'REVOKED' ? 'revoked' : 'suspended';
        const why = status.reasonText !== undefined && status.reasonText !== '' ? status.reasonText : (status.reasonCode ?? 'no reason given');
        return check('notRevoked', false, status.status, `The issuing department ${verb} it on ${formatTime(status.since)}: ${why}.`, {
          revokedAt: iso(status.since),
          reason: status.reasonCode ?? '',
          scope: 'certificate',
        });
      }
    }
    return check('notRevoked', true, 'OK', `Neither this certificate nor its batch is revoked or suspended${snapshotNote(anchor.observedAt)}.${laterText}`);
  } catch (err) {
    return unavailable('notRevoked', err);
  }
}

function checkNotExpired(read: ReadDocument, asOf: number): Check {
  const from = read.validFrom;
  if (from === undefined) return check('notExpired', false, 'NOT_CHECKED', 'Not checked: its validity dates cannot be read.');
  const until = read.validUntil;
  if (asOf < from) {
    return check('notExpired', false, 'NOT_YET_VALID', `It is valid only from ${formatTime(from)}.`, { validFrom: iso(from) });
  }
  if (until !== undefined && asOf >= until) {
    return check('notExpired', false, 'EXPIRED', `It expired on ${formatTime(until)}.`, { validUntil: iso(until) });
  }
  const end = until === undefined ? 'with no end date' : `until ${formatTime(until)}`;
  return check('notExpired', true, 'OK', `It is valid from ${formatTime(from)} ${end}.`, until === undefined ? { validFrom: iso(from) } : { validFrom: iso(from), validUntil: iso(until) });
}

async function checkIssuerAllowed(read: ReadDocument, lookups: Lookups, ports: VerificationPorts): Promise<Check> {
  const msp = read.issuerMspId;
  const type = read.typeCode;
  const root = read.merkleRoot;
  if (msp === undefined || type === undefined) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: the issuer or the certificate type cannot be read.');
  if (root === undefined) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: the batch proof cannot be read, so the issue time is unknown.');
  const issuers = ports.issuers;
  if (issuers === undefined) return unavailable('issuerAllowed', new PortUnavailableError('issuers', 'this verifier is not connected to the issuer registry'));
  const name = read.issuerName ?? msp;
  try {
    const mismatch = await anchorMismatch('issuerAllowed', read, lookups);
    if (mismatch !== undefined) return check('issuerAllowed', false, 'NOT_CHECKED', `Not checked: the issue time comes from the public ledger. ${mismatch.detail}`);
    const departmentId = keccakText(msp);
    const [info, registered] = await Promise.all([lookups.rootInfo(root), lookups.ask('issuers', () => issuers.isRegistered(departmentId))]);
    const note = snapshotNote(issuers.observedAt);
    if (!registered) return check('issuerAllowed', false, 'UNKNOWN_ISSUER', `${name} (${msp}) is not a registered department${note}.`, { issuer: msp });
    if (info.issuedAt === 0) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: its batch was never recorded on the public ledger, so there is no issue time.');
    if (info.departmentId !== departmentId) {
      return check(
        'issuerAllowed',
        false,
        'ANCHORED_BY_OTHER',
        info.departmentId === ZERO_HASH
          ? `Its batch was recorded by an account that belongs to no department, not by ${name}.`
          : `Its batch was recorded by another department (${short(info.departmentId)}), not by ${name} as the certificate claims.`,
        { issuer: msp, anchoringDepartment: info.departmentId },
      );
    }
    const allowed = await lookups.ask('issuers', () => issuers.isAuthorized(departmentId, keccakText(type), info.issuedAt));
    if (!allowed) {
      return check('issuerAllowed', false, 'NOT_AUTHORIZED', `${name} was not allowed to issue ${type} certificates on ${formatTime(info.issuedAt)}, when this one was issued${note}.`, {
        issuer: msp,
        certificateType: type,
        issuedAt: iso(info.issuedAt),
      });
    }
    return check('issuerAllowed', true, 'OK', `${name} was allowed to issue ${type} certificates when this one was issued (${formatTime(info.issuedAt)})${note}.`, {
      issuer: msp,
      certificateType: type,
      issuedAt: iso(info.issuedAt),
    });
  } catch (err) {
    return unavailable('issuerAllowed', err);
  }
}

function sameInstant(a: string | null | undefined, b: number | undefined): boolean {
  if (a === null || a === undefined) return b === undefined;
  return b !== undefined && Math.floor(Date.parse(a) / 1000) === b;
}

async function checkLedgerRecord(read: ReadDocument, lookups: Lookups, ports: VerificationPorts, asOf: number): Promise<Check> {
  const id = read.certificateId;
  if (id === undefined) return check('ledgerRecord', false, 'NOT_CHECKED', 'Not checked: the certificate identifier cannot be read.');
  if (read.recordProblem !== undefined || read.record === undefined) {
    return check('ledgerRecord', false, read.recordProblem?.code === 'NO_RECORD' ? 'NO_RECORD' : 'FORMAT', read.recordProblem?.detail ?? 'The ledger record reference cannot be read.');
  }
  const ref = read.record;
  if (ref.certificateId !== id) return check('ledgerRecord', false, 'MISMATCH', `The ledger reference names another certificate (${ref.certificateId}), not ${id}.`);
  if (ports.ledger === undefined) return unavailable('ledgerRecord', new PortUnavailableError('ledger', "this verifier has no access to the departments' ledger"));
  let record: LedgerCertificateRecord | null;
  try {
    record = await lookups.record();
  } catch (err) {
    return unavailable('ledgerRecord', err);
  }
  const note = snapshotNote(ports.ledger.observedAt);
  if (record === null) return check('ledgerRecord', false, 'NOT_FOUND', `The departments' ledger has no record of certificate ${id}${note}.`);
  const differences: string[] = [];
  if (record.id !== id) differences.push('identifier');
  if (record.documentHash !== read.targetHash) differences.push('fingerprint');
  if (record.typeCode !== read.typeCode) differences.push('type');
  if (record.issuerMsp !== read.issuerMspId) differences.push('issuer');
  if (record.subjectRef !== read.subjectRef) differences.push('holder reference');
  if (record.batchRoot !== read.merkleRoot) differences.push('batch');
  if (!sameInstant(record.validUntil, read.validUntil)) differences.push('end of validity');
  if (record.txId !== ref.txId) differences.push('transaction');
  if (record.blockNumber !== undefined && record.blockNumber !== ref.blockNumber) differences.push('block');
  if (differences.length > 0) {
    return check('ledgerRecord', false, 'MISMATCH', `The department's record does not match this document: the ${differences.join(', ')} differ${differences.length === 1 ? 's' : ''}${note}.`, {
      differences: differences.join(','),
    });
  }
  let status;
  try {
    status = ledgerStatusAt(record, asOf);
  } catch {
    return check('ledgerRecord', false, 'UNAVAILABLE', "Not checked: the departments' ledger returned a record with unreadable times.");
  }
  const where = `channel ${ref.channel}, transaction ${short(ref.txId)}, block ${ref.blockNumber}`;
  if (status.status === 'NOT_YET_ISSUED') {
    return check('ledgerRecord', false, 'NOT_YET_RECORDED', `The department recorded it only later, on ${record.issuedAt.slice(0, 19).replace('T', ' ')} UTC.`);
  }
  if (status.status !== 'ISSUED' && status.since !== undefined) {
    const verb = status.status === 'REVOKED' ? 'revoked' : 'suspended';
    return check('ledgerRecord', false, status.status, `The department's record (${where}) shows it ${verb} since ${formatTime(status.since)} (${status.reasonCode ?? 'no reason code'}).`, {
      since: iso(status.since),
      reason: status.reasonCode ?? '',
    });
  }
  return check('ledgerRecord', true, 'OK', `The department's record (${where}) matches this document and shows it in force${note}.`);
}

/**
 * Verifies a certificate document: all seven checks, in order. Never throws because of the
 * document (a malformed one fails `integrity` and the checks that depend on it); throws only
 * for bad options.
 *
 * @param document - the parsed JSON document (anything; it is validated here)
 * @param ports - where to look up anchors, issuers and ledger records
 * @throws {@link VerificationOptionsError} when `asOf` or `now` is not a date, or `asOf` is after `now`
 */
export async function verify(document: unknown, ports: VerificationPorts, options: VerifyOptions = {}): Promise<VerificationResult> {
  const now = toDate(options.now ?? new Date(), 'now');
  const asOfDate = toDate(options.asOf ?? now, 'asOf');
  if (asOfDate.getTime() > now.getTime()) throw new VerificationOptionsError('asOf is in the future: a verifier can only answer for the past and the present', 'asOf');
  const skew = options.asOf === undefined ? (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_S) : 0;
  if (!Number.isSafeInteger(skew) || skew < 0) throw new VerificationOptionsError('clockSkewSeconds must be a whole number of seconds, 0 or more', 'clockSkewSeconds');
  const asOf = Math.floor(asOfDate.getTime() / 1000) + skew;
  const k = await keccak();
  const read = readDocument(document);
  if ('unreadable' in read) {
    const checks = CHECK_NAMES.map((name) =>
      name === 'integrity' ? check(name, false, 'FORMAT', read.unreadable.detail) : check(name, false, 'NOT_CHECKED', 'Not checked: the document could not be read.'),
    );
    return { valid: false, asOf: asOfDate.toISOString(), checks };
  }
  const lookups = new Lookups(ports, read, options.portTimeoutMs ?? DEFAULT_PORT_TIMEOUT_MS);
  try {
    const integrity = checkIntegrity(k, read);
    const inclusion = checkInclusion(k, read);
    const [anchored, notRevoked, issuerAllowed, ledgerRecord] = await Promise.all([
      checkAnchored(read, lookups, ports, asOf),
      checkNotRevoked(read, inclusion.nodes, lookups, ports, asOf),
      checkIssuerAllowed(read, lookups, ports),
      checkLedgerRecord(read, lookups, ports, asOf),
    ]);
    const checks = [integrity, inclusion.result, anchored, notRevoked, checkNotExpired(read, asOf), issuerAllowed, ledgerRecord];
    return { valid: checks.every((c) => c.ok), asOf: asOfDate.toISOString(), checks };
  } finally {
    lookups.close();
  }
}
