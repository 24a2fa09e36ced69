/**
 * The verifier: seven checks, always all of them, always in this order, each with a stable name,
 * a stable code and a plain-language detail. A document is valid only when every check passes;
 * a check whose source cannot be reached fails and says so. `asOf` answers "was it valid on
 * date D?" with what the ledgers know now (a revocation recorded later but effective before D
 * counts).
 */
import { VerificationOptionsError, PortUnavailableError } from './errors';
import { LIMITS, depthExceeds, readDocument, type ReadDocument } from './format';
import { targetHashOfBytes, visibleFieldHashBytes } from './fields';
import { fromHex32, keccak, keccakIfLoaded, keccakText, toHex, type Hex32, type Keccak256 } from './hash';
import { ledgerStatusAt, type LedgerStatusAt } from './ledger-status';
import { pathNodes } from './merkle';
import { boundedMemo } from './memo';
import type { AnchorNetwork, AnchorReader, IssuerDirectory, LedgerCertificateRecord, LedgerRecordReader, NodeRevocation, RootInfo, VerificationPorts } from './ports';
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

/** ISO strings of instants: documents of a batch share their times. */
const iso = boundedMemo(10_000, (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString());

/** keccak-256 of MSP ids and type codes as the contracts key them: a handful, shared by every document. */
const idHash = boundedMemo(1_000, (text: string): Hex32 => keccakText(text));

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

function snapshotNote(observedAt: number | undefined): string {
  return observedAt === undefined ? '' : ` (as recorded in the status snapshot of ${formatTime(observedAt)})`;
}

/** What a port said: a value, or why it could not answer. */
type Answer<T> = { readonly value: T } | { readonly error: PortUnavailableError };

const PORT_LABELS = { anchor: 'the public ledger (TrustAnchor)', issuers: 'the issuer registry', ledger: "the departments' ledger" } as const;
const NOT_CONNECTED = {
  anchor: 'this verifier is not connected to the public ledger (TrustAnchor)',
  issuers: 'this verifier is not connected to the issuer registry',
  ledger: "this verifier has no access to the departments' ledger",
} as const;

type PortName = keyof typeof PORT_LABELS;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

function portError(port: PortName, err: unknown): PortUnavailableError {
  if (err instanceof PortUnavailableError && err.port === port) return err;
  const reason = err instanceof PortUnavailableError ? err.message : 'it could not be reached';
  return new PortUnavailableError(port, `${PORT_LABELS[port]} did not answer (${reason})`, err);
}

/**
 * Asks the ports. An answer a port already knows (its `peek…` method, which the caches
 * implement) is taken without waiting, so a fully cached verification never yields to the event
 * loop; the others run under one deadline for the whole verification, started only when needed,
 * so a dead endpoint costs one timeout, not one per question.
 */
class Asker {
  private deadline: Promise<never> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private expiry(): Promise<never> {
    if (this.deadline === undefined) {
      this.deadline = new Promise<never>((_, reject) => {
        this.timer = setTimeout(() => {
          reject(new PortUnavailableError('any', `no answer within ${this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${Math.round(this.timeoutMs / 1000)} s`}`));
        }, this.timeoutMs);
      });
      // Nobody may be waiting when it fires; an unobserved rejection must not crash the host.
      this.deadline.catch(() => undefined);
    }
    return this.deadline;
  }

  /** The answer, at once when the port knows it or cannot be asked, else a promise of it. */
  ask<T>(port: PortName, connected: boolean, peek: (() => T | undefined) | undefined, call: () => Promise<T>): Answer<T> | Promise<Answer<T>> {
    if (!connected) return { error: new PortUnavailableError(port, NOT_CONNECTED[port]) };
    try {
      const known = peek?.();
      if (known !== undefined) return { value: known };
      return Promise.race([call(), this.expiry()]).then(
        (value): Answer<T> => ({ value }),
        (err: unknown): Answer<T> => ({ error: portError(port, err) }),
      );
    } catch (err) {
      return { error: portError(port, err) };
    }
  }
}

/** Everything the status checks need from the ports; undefined where the document raised no question. */
interface Answers {
  readonly network: Answer<AnchorNetwork>;
  readonly root: Answer<RootInfo> | undefined;
  readonly revocations: Answer<readonly NodeRevocation[]> | undefined;
  readonly registered: Answer<boolean> | undefined;
  readonly authorized: Answer<boolean> | undefined;
  readonly record: Answer<LedgerCertificateRecord | null> | undefined;
}

/** Asks every question the document raises; waits only for answers not already known. */
function gather(read: ReadDocument, nodes: readonly Hex32[] | undefined, ports: VerificationPorts, asker: Asker): Answers | Promise<Answers> {
  const { anchor, issuers, ledger } = ports;
  const root = read.merkleRoot;
  const departmentId = read.issuerMspId === undefined ? undefined : idHash(read.issuerMspId);
  const ref = read.record;
  const id = read.certificateId;
  const network = asker.ask('anchor', anchor !== undefined, anchor?.peekNetwork?.bind(anchor), () => (anchor as AnchorReader).network());
  const rootInfo = root === undefined ? undefined : asker.ask('anchor', anchor !== undefined, anchor?.peekRootInfo?.bind(anchor, root), () => (anchor as AnchorReader).rootInfo(root));
  const revocations =
    nodes === undefined
      ? undefined
      : asker.ask('anchor', anchor !== undefined, anchor?.peekRevocations?.bind(anchor, nodes), () => (anchor as AnchorReader).revocations(nodes));
  const registered =
    departmentId === undefined
      ? undefined
      : asker.ask('issuers', issuers !== undefined, issuers?.peekRegistered?.bind(issuers, departmentId), () => (issuers as IssuerDirectory).isRegistered(departmentId));
  const query = ref === undefined || id === undefined || ref.certificateId !== id ? undefined : { channel: ref.channel, chaincode: ref.chaincode, certificateId: id };
  const record =
    query === undefined
      ? undefined
      : asker.ask('ledger', ledger !== undefined, ledger?.peekCertificate?.bind(ledger, query), () => (ledger as LedgerRecordReader).getCertificate(query));

  // The authorisation question needs the issue time, which the root's answer gives.
  const withAuthorization = (first: Omit<Answers, 'authorized'>): Answers | Promise<Answers> => {
    const info = first.root !== undefined && 'value' in first.root ? first.root.value : undefined;
    const type = read.typeCode;
    if (info === undefined || info.issuedAt === 0 || departmentId === undefined || type === undefined || info.departmentId !== departmentId) {
      return { ...first, authorized: undefined };
    }
    const certType = idHash(type);
    const authorized = asker.ask(
      'issuers',
      issuers !== undefined,
      issuers?.peekAuthorized?.bind(issuers, departmentId, certType, info.issuedAt),
      () => (issuers as IssuerDirectory).isAuthorized(departmentId, certType, info.issuedAt),
    );
    return isPromise(authorized) ? authorized.then((a) => ({ ...first, authorized: a })) : { ...first, authorized };
  };

  if (!isPromise(network) && !isAnyPromise(rootInfo, revocations, registered, record)) {
    return withAuthorization({ network, root: rootInfo, revocations, registered, record } as Omit<Answers, 'authorized'>);
  }
  return Promise.all([network, rootInfo, revocations, registered, record]).then(([n, r, v, g, c]) =>
    withAuthorization({ network: n, root: r, revocations: v, registered: g, record: c }),
  );
}

function isAnyPromise(...values: unknown[]): boolean {
  return values.some((v) => v instanceof Promise);
}

function unavailableFrom(name: CheckName, answer: { readonly error: PortUnavailableError }): Check {
  return check(name, false, 'UNAVAILABLE', `Not checked: ${answer.error.message}.`);
}

/** Compares the document's anchor with the trusted chain and contract; a failed check or undefined. */
function anchorMismatch(name: CheckName, read: ReadDocument, answer: Answer<AnchorNetwork>): Check | undefined {
  const anchor = read.anchor;
  if (anchor === undefined) return check(name, false, 'NOT_CHECKED', 'Not checked: the certificate does not say where it is anchored.');
  if ('error' in answer) return unavailableFrom(name, answer);
  const network = answer.value;
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
  let visible: Uint8Array[];
  try {
    visible = visibleFieldHashBytes(k, read);
  } catch {
    // Only the canonicaliser walks the whole document; its failure is the place to say why.
    const detail = depthExceeds(read.raw, LIMITS.maxDepth)
      ? `The certificate is nested more than ${LIMITS.maxDepth} levels deep.`
      : 'The certificate contains values that cannot be read as JSON.';
    return check('integrity', false, 'FORMAT', detail);
  }
  if (read.hidden.length > 0) {
    const hidden = new Set<string>(read.hidden);
    if (visible.some((h) => hidden.has(toHex(h)))) {
      return check('integrity', false, 'CHANGED', 'The certificate lists a field as hidden that it also shows.');
    }
  }
  const computed = targetHashOfBytes(k, read.hidden.length === 0 ? visible : [...visible, ...read.hidden.map(fromHex32)]);
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

function checkAnchored(read: ReadDocument, answers: Answers, observedAt: number | undefined, asOf: number): Check {
  if (read.anchorProblem !== undefined) return check('anchored', false, 'FORMAT', read.anchorProblem.detail);
  if (answers.root === undefined) return check('anchored', false, 'NOT_CHECKED', 'Not checked: the batch proof cannot be read.');
  const mismatch = anchorMismatch('anchored', read, answers.network);
  if (mismatch !== undefined) return mismatch;
  if ('error' in answers.root) return unavailableFrom('anchored', answers.root);
  const info = answers.root.value;
  const note = snapshotNote(observedAt);
  if (info.issuedAt === 0) return check('anchored', false, 'NOT_ANCHORED', `Its batch was never recorded on the public ledger${note}.`);
  if (info.issuedAt > asOf) {
    return check('anchored', false, 'NOT_YET_ANCHORED', `Its batch was recorded on the public ledger only later, on ${formatTime(info.issuedAt)}.`, {
      anchoredAt: iso(info.issuedAt),
    });
  }
  return check('anchored', true, 'OK', `Its batch was recorded on the public ledger (chain ${read.anchor?.chainId ?? '?'}) on ${formatTime(info.issuedAt)}${note}.`, {
    anchoredAt: iso(info.issuedAt),
  });
}

function checkNotRevoked(read: ReadDocument, nodes: readonly Hex32[] | undefined, answers: Answers, observedAt: number | undefined, asOf: number): Check {
  if (nodes === undefined || answers.revocations === undefined) {
    return check('notRevoked', false, 'NOT_CHECKED', 'Not checked: without a valid batch proof its revocation status cannot be looked up.');
  }
  const mismatch = anchorMismatch('notRevoked', read, answers.network);
  if (mismatch !== undefined) return mismatch;
  if ('error' in answers.revocations) return unavailableFrom('notRevoked', answers.revocations);
  const revocations = answers.revocations.value;
  if (revocations.length !== nodes.length) {
    return check('notRevoked', false, 'UNAVAILABLE', `Not checked: ${PORT_LABELS.anchor} answered about ${revocations.length} of ${nodes.length} nodes.`);
  }
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
  const laterText = later === undefined ? '' : ` It was revoked later, on ${formatTime(later)}.`;
  const record = answers.record;
  if (record === undefined || 'error' in record) {
    return check(
      'notRevoked',
      true,
      'OK',
      `No revocation is recorded on the public ledger${snapshotNote(observedAt)}; the departments' ledger could not be asked about suspensions (see the ledger record check).${laterText}`,
    );
  }
  if (record.value !== null && record.value.documentHash === read.targetHash) {
    let status: LedgerStatusAt | undefined;
    try {
      status = ledgerStatusAt(record.value, asOf);
    } catch {
      status = undefined;
    }
    if (status !== undefined && (status.status === 'REVOKED' || status.status === 'SUSPENDED') && status.since !== undefined) {
      const verb = status.status === 'REVOKED' ? 'revoked' : 'suspended';
      const why = status.reasonText !== undefined && status.reasonText !== '' ? status.reasonText : (status.reasonCode ?? 'no reason given');
      return check('notRevoked', false, status.status, `The issuing department ${verb} it on ${formatTime(status.since)}: ${why}.`, {
        revokedAt: iso(status.since),
        reason: status.reasonCode ?? '',
        scope: 'certificate',
      });
    }
  }
  return check('notRevoked', true, 'OK', `Neither this certificate nor its batch is revoked or suspended${snapshotNote(observedAt)}.${laterText}`);
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

function checkIssuerAllowed(read: ReadDocument, answers: Answers, observedAt: number | undefined): Check {
  const msp = read.issuerMspId;
  const type = read.typeCode;
  if (msp === undefined || type === undefined || answers.registered === undefined) {
    return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: the issuer or the certificate type cannot be read.');
  }
  if (answers.root === undefined) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: the batch proof cannot be read, so the issue time is unknown.');
  const name = read.issuerName ?? msp;
  const mismatch = anchorMismatch('issuerAllowed', read, answers.network);
  if (mismatch !== undefined) {
    return mismatch.code === 'UNAVAILABLE' ? mismatch : check('issuerAllowed', false, 'NOT_CHECKED', `Not checked: the issue time comes from the public ledger. ${mismatch.detail}`);
  }
  if ('error' in answers.registered) return unavailableFrom('issuerAllowed', answers.registered);
  if ('error' in answers.root) return unavailableFrom('issuerAllowed', answers.root);
  const note = snapshotNote(observedAt);
  if (!answers.registered.value) return check('issuerAllowed', false, 'UNKNOWN_ISSUER', `${name} (${msp}) is not a registered department${note}.`, { issuer: msp });
  const info = answers.root.value;
  if (info.issuedAt === 0) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: its batch was never recorded on the public ledger, so there is no issue time.');
  if (info.departmentId !== idHash(msp)) {
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
  const authorized = answers.authorized;
  if (authorized === undefined) return check('issuerAllowed', false, 'NOT_CHECKED', 'Not checked: the issue time is unknown.');
  if ('error' in authorized) return unavailableFrom('issuerAllowed', authorized);
  const facts = { issuer: msp, certificateType: type, issuedAt: iso(info.issuedAt) };
  if (!authorized.value) {
    return check('issuerAllowed', false, 'NOT_AUTHORIZED', `${name} was not allowed to issue ${type} certificates on ${formatTime(info.issuedAt)}, when this one was issued${note}.`, facts);
  }
  return check('issuerAllowed', true, 'OK', `${name} was allowed to issue ${type} certificates when this one was issued (${formatTime(info.issuedAt)})${note}.`, facts);
}

function sameInstant(a: string | null | undefined, b: number | undefined): boolean {
  if (a === null || a === undefined) return b === undefined;
  return b !== undefined && Math.floor(Date.parse(a) / 1000) === b;
}

function checkLedgerRecord(read: ReadDocument, answers: Answers, observedAt: number | undefined, asOf: number): Check {
  const id = read.certificateId;
  if (id === undefined) return check('ledgerRecord', false, 'NOT_CHECKED', 'Not checked: the certificate identifier cannot be read.');
  if (read.recordProblem !== undefined || read.record === undefined) {
    return check('ledgerRecord', false, read.recordProblem?.code === 'NO_RECORD' ? 'NO_RECORD' : 'FORMAT', read.recordProblem?.detail ?? 'The ledger record reference cannot be read.');
  }
  const ref = read.record;
  if (ref.certificateId !== id || answers.record === undefined) {
    return check('ledgerRecord', false, 'MISMATCH', `The ledger reference names another certificate (${ref.certificateId}), not ${id}.`);
  }
  if ('error' in answers.record) return unavailableFrom('ledgerRecord', answers.record);
  const record = answers.record.value;
  const note = snapshotNote(observedAt);
  if (record === null) return check('ledgerRecord', false, 'NOT_FOUND', `The departments' ledger has no record of certificate ${id}${note}.`);
  const differences: string[] = [];
  if (record.id !== id) differences.push('identifier');
  if (record.documentHash !== read.targetHash) differences.push('fingerprint');
  if (record.typeCode !== read.typeCode) differences.push('type');
  if (record.issuerMsp !== read.issuerMspId) differences.push('issuer');
  if (record.subjectRef !== undefined && record.subjectRef !== read.subjectRef) differences.push('holder reference');
  if (record.batchRoot !== read.merkleRoot) differences.push('batch');
  if (!sameInstant(record.validUntil, read.validUntil)) differences.push('end of validity');
  if (record.txId !== ref.txId) differences.push('transaction');
  if (record.blockNumber !== undefined && record.blockNumber !== ref.blockNumber) differences.push('block');
  if (differences.length > 0) {
    return check('ledgerRecord', false, 'MISMATCH', `The department's record does not match this document: the ${differences.join(', ')} differ${differences.length === 1 ? 's' : ''}${note}.`, {
      differences: differences.join(','),
    });
  }
  let status: LedgerStatusAt;
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
 * @throws {@link VerificationOptionsError} when `asOf` or `now` is not a date, `asOf` is after
 *   `now`, or `clockSkewSeconds` is negative
 */
export async function verify(document: unknown, ports: VerificationPorts, options: VerifyOptions = {}): Promise<VerificationResult> {
  const now = toDate(options.now ?? new Date(), 'now');
  const asOfDate = toDate(options.asOf ?? now, 'asOf');
  if (asOfDate.getTime() > now.getTime()) throw new VerificationOptionsError('asOf is in the future: a verifier can only answer for the past and the present', 'asOf');
  const skew = options.asOf === undefined ? (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_S) : 0;
  if (!Number.isSafeInteger(skew) || skew < 0) throw new VerificationOptionsError('clockSkewSeconds must be a whole number of seconds, 0 or more', 'clockSkewSeconds');
  const asOf = Math.floor(asOfDate.getTime() / 1000) + skew;
  const k = keccakIfLoaded() ?? (await keccak());
  const read = readDocument(document);
  if ('unreadable' in read) {
    const checks = CHECK_NAMES.map((name) =>
      name === 'integrity' ? check(name, false, 'FORMAT', read.unreadable.detail) : check(name, false, 'NOT_CHECKED', 'Not checked: the document could not be read.'),
    );
    return { valid: false, asOf: asOfDate.toISOString(), checks };
  }
  const asker = new Asker(options.portTimeoutMs ?? DEFAULT_PORT_TIMEOUT_MS);
  try {
    const integrity = checkIntegrity(k, read);
    const inclusion = checkInclusion(k, read);
    const gathered = gather(read, inclusion.nodes, ports, asker);
    const answers = isPromise(gathered) ? await gathered : gathered;
    const checks = [
      integrity,
      inclusion.result,
      checkAnchored(read, answers, ports.anchor?.observedAt, asOf),
      checkNotRevoked(read, inclusion.nodes, answers, ports.anchor?.observedAt, asOf),
      checkNotExpired(read, asOf),
      checkIssuerAllowed(read, answers, ports.issuers?.observedAt),
      checkLedgerRecord(read, answers, ports.ledger?.observedAt, asOf),
    ];
    return { valid: checks.every((c) => c.ok), asOf: asOfDate.toISOString(), checks };
  } finally {
    asker.close();
  }
}
