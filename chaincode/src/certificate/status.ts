/**
 * A certificate's status at any instant, from its record alone. Status changes carry an
 * effective time that may precede the moment they were recorded (a revocation backdated to
 * when the fraud happened), so the answer is "as known now": a verifier asking "was it valid
 * on date D?" sees a revocation recorded after D but effective before it.
 */
import type { CertificateRecord, CertificateStatusAt, CertificateStatusAtTime } from './models';

/**
 * Computes the status of a certificate at an instant.
 *
 * @param record - the certificate record
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
  // Stable sort: changes with equal effective times apply in the order they were recorded.
  const changes = record.statusChanges
    .map((change, index) => ({ change, index }))
    .sort((a, b) => (a.change.effectiveAt < b.change.effectiveAt ? -1 : a.change.effectiveAt > b.change.effectiveAt ? 1 : a.index - b.index));
  for (const { change } of changes) {
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
