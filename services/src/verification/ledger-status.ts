/**
 * A Fabric record's stored status at an instant, with the chaincode's semantics
 * (`chaincode/src/certificate/status.ts`): changes apply in order of their effective time (ties
 * in the order recorded), a revocation is final, and a change recorded today can take effect in
 * the past ("as known now"). Expiry is not a stored status; the `notExpired` check owns it.
 */
import type { LedgerCertificateRecord, LedgerCertificateStatus } from './ports';

/** The stored status at an instant, or `NOT_YET_ISSUED` before the record's issue time. */
export interface LedgerStatusAt {
  readonly status: LedgerCertificateStatus | 'NOT_YET_ISSUED';
  /** Unix seconds since when the status holds; undefined for `NOT_YET_ISSUED`. */
  readonly since: number | undefined;
  readonly reasonCode: string | undefined;
  readonly reasonText: string | undefined;
}

function seconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : Number.NaN;
}

/**
 * The record's status at `at` (unix seconds).
 *
 * @throws RangeError when the record's times are not ISO 8601.
 */
export function ledgerStatusAt(record: LedgerCertificateRecord, at: number): LedgerStatusAt {
  const issuedAt = seconds(record.issuedAt);
  if (Number.isNaN(issuedAt)) throw new RangeError(`record ${record.id} has no valid issue time`);
  if (at < issuedAt) return { status: 'NOT_YET_ISSUED', since: undefined, reasonCode: undefined, reasonText: undefined };
  const changes = record.statusChanges
    .map((change, index) => ({ change, index, effective: seconds(change.effectiveAt) }))
    .sort((a, b) => a.effective - b.effective || a.index - b.index);
  let status: LedgerCertificateStatus = 'ISSUED';
  let since = issuedAt;
  let reasonCode: string | undefined;
  let reasonText: string | undefined;
  for (const { change, effective } of changes) {
    if (Number.isNaN(effective)) throw new RangeError(`record ${record.id} has a status change with no valid time`);
    if (effective > at || status === 'REVOKED') break;
    status = change.status;
    since = effective;
    reasonCode = status === 'ISSUED' ? undefined : change.reasonCode;
    reasonText = status === 'ISSUED' ? undefined : change.reasonText;
  }
  // A record whose stored status no change explains (a reader that dropped the history) is taken
  // at its word from issuance on: never report in force what the ledger says is not.
  if (status === 'ISSUED' && record.status !== 'ISSUED' && !record.statusChanges.some((c) => c.status === record.status)) {
    return { status: record.status, since: issuedAt, reasonCode: undefined, reasonText: undefined };
  }
  return { status, since, reasonCode, reasonText };
}
