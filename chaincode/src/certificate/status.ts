/**
 * A certificate's status at any instant, from its record alone, and its effective record when
 * its batch has a status of its own.
 *
 * Status changes carry an effective time that may precede the moment they were recorded (a
 * revocation backdated to when the fraud happened), so answers are "as known now": a verifier
 * asking "was it valid on date D?" sees a revocation recorded after D but effective before it.
 *
 * A certificate issued in a batch has two timelines: the changes made on it and the changes made
 * on its whole batch (one record for 10,000 certificates, so a batch revocation writes one key).
 * Its effective status at an instant is the more severe of the two (REVOKED over SUSPENDED over
 * ISSUED): reinstating the batch does not lift the certificate's own suspension, nor the other
 * way round. {@link effectiveRecord} turns the two into one list of changes that, folded in
 * order of effective time, gives exactly that status — so a reader that folds `statusChanges`
 * (as {@link statusAt} does, and the services' verifier) needs to know nothing about batches.
 */
import type { CertificateBatchStatus, CertificateRecord, CertificateStatus, CertificateStatusAt, CertificateStatusAtTime, StatusChange } from './models';

const SEVERITY: Readonly<Record<CertificateStatus, number>> = { ISSUED: 0, SUSPENDED: 1, REVOKED: 2 };

/** From `from` on (until the next segment), one scope's status, and the change that set it. */
interface Segment {
  readonly from: string;
  readonly status: CertificateStatus;
  /** null for the initial ISSUED segment. */
  readonly change: StatusChange | null;
}

function byEffectiveTime(changes: readonly StatusChange[]): StatusChange[] {
  // Stable: changes with equal effective times apply in the order they were recorded.
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => (a.change.effectiveAt < b.change.effectiveAt ? -1 : a.change.effectiveAt > b.change.effectiveAt ? 1 : a.index - b.index))
    .map((e) => e.change);
}

/**
 * One scope's status as a step function of time, folded like {@link statusAt}: in order of
 * effective time, a revocation final, changes effective before `start` taking effect at `start`.
 */
function timeline(changes: readonly StatusChange[], start: string): Segment[] {
  const segments: Segment[] = [{ from: start, status: 'ISSUED', change: null }];
  for (const change of byEffectiveTime(changes)) {
    const last = segments[segments.length - 1];
    if (last === undefined || last.status === 'REVOKED') break;
    const from = change.effectiveAt < start ? start : change.effectiveAt;
    const segment: Segment = { from, status: change.status, change };
    if (last.from === from) segments[segments.length - 1] = segment;
    else segments.push(segment);
  }
  return segments;
}

function segmentAt(segments: readonly Segment[], at: string): Segment {
  let found = segments[0];
  for (const segment of segments) {
    if (segment.from > at) break;
    found = segment;
  }
  if (found === undefined) throw new Error('a timeline always has its initial segment');
  return found;
}

/**
 * Merges a certificate's own timeline with its batch's into the changes of its effective status.
 * Each entry is the change that caused the transition (its scope, reason, author and
 * transaction), with `status` and `effectiveAt` of the transition; when both scopes hold the
 * same status, the one in force longer is named until it lifts.
 */
function combine(own: readonly Segment[], batch: readonly Segment[]): StatusChange[] {
  const points = [...new Set([...own, ...batch].map((s) => s.from))].sort();
  const out: StatusChange[] = [];
  let status: CertificateStatus = 'ISSUED';
  let cause: StatusChange | null = null;
  for (const at of points) {
    const o = segmentAt(own, at);
    const b = segmentAt(batch, at);
    const next: CertificateStatus = SEVERITY[o.status] >= SEVERITY[b.status] ? o.status : b.status;
    let source: Segment;
    if (next === 'ISSUED') {
      if (status === 'ISSUED') continue;
      // A reinstatement lifted the last restriction: name the scope that changed here.
      source = o.from === at && o.change !== null ? o : b;
    } else if (o.status === next && b.status === next) {
      const keep = next === status && cause !== null && (cause === o.change || cause === b.change);
      source = keep ? (cause === o.change ? o : b) : o.from <= b.from ? o : b;
    } else {
      source = o.status === next ? o : b;
    }
    if (next === status && source.change === cause) continue;
    if (source.change !== null) out.push({ ...source.change, status: next, effectiveAt: at });
    status = next;
    cause = source.change;
  }
  return out;
}

function withScope(change: StatusChange): StatusChange {
  // Changes stored before scopes existed are the certificate's own.
  return (change as Partial<StatusChange>).scope === undefined ? { ...change, scope: 'CERTIFICATE' } : change;
}

/**
 * A certificate record as every read returns it: the stored record, with its status fields
 * combined with its batch's status when the batch has had batch-level changes.
 *
 * @param record - the stored certificate record
 * @param batch - its batch's status record, if any
 * @returns the effective record (the stored one, scopes filled in, when the batch has no changes)
 */
export function effectiveRecord(record: CertificateRecord, batch: CertificateBatchStatus | undefined): CertificateRecord {
  const own = record.statusChanges.map(withScope);
  if (batch === undefined || batch.statusChanges.length === 0 || batch.batchId !== record.batchId) return { ...record, statusChanges: own };
  const changes = combine(timeline(own, record.issuedAt), timeline(batch.statusChanges, record.issuedAt));
  const last = changes[changes.length - 1];
  const status = last?.status ?? 'ISSUED';
  const reason = last === undefined ? null : { reasonCode: last.reasonCode, reasonText: last.reasonText, effectiveAt: last.effectiveAt };
  return {
    ...record,
    status,
    revocation: status === 'REVOKED' ? reason : null,
    suspension: status === 'SUSPENDED' ? reason : null,
    statusChanges: changes,
    updatedAt: batch.updatedAt > record.updatedAt ? batch.updatedAt : record.updatedAt,
  };
}

/**
 * Computes the status of a certificate at an instant.
 *
 * @param record - the certificate record (as read: see {@link effectiveRecord})
 * @param at - ISO 8601 UTC instant in the stored form (`toISOString`)
 * @returns the status, since when it holds and the reason of the change that set it
 */
export function statusAt(record: CertificateRecord, at: string): CertificateStatusAt {
  const base = { id: record.id, at, issuedAt: record.issuedAt, validUntil: record.validUntil };
  if (at < record.issuedAt) {
    return { ...base, status: 'NOT_YET_ISSUED', since: null, reasonCode: null, reasonText: null };
  }
  let status: CertificateStatusAtTime = 'ISSUED';
  let since = record.issuedAt;
  let reasonCode: string | null = null;
  let reasonText: string | null = null;
  for (const change of byEffectiveTime(record.statusChanges)) {
    if (change.effectiveAt > at) break;
    if (status === 'REVOKED') break;
    status = change.status;
    since = change.effectiveAt;
    reasonCode = status === 'ISSUED' ? null : change.reasonCode;
    reasonText = status === 'ISSUED' ? null : change.reasonText;
  }
  if (status !== 'REVOKED' && record.validUntil !== null && at >= record.validUntil) {
    return { ...base, status: 'EXPIRED', since: record.validUntil, reasonCode: null, reasonText: null };
  }
  return { ...base, status, since, reasonCode, reasonText };
}
