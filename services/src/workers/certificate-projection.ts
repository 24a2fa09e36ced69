/**
 * What each certificate event writes into the read model, and which cross-ledger actions it
 * enqueues in the outbox (in the same transaction): anchoring a batch root on TrustAnchor when a
 * certificate or batch is issued, revoking a single certificate's root when it is revoked.
 */
import type { Kysely } from 'kysely';
import type { CertificateBatchStatus, CertificateRecord, StatusChange } from '../../../chaincode/src/certificate/models';
import { effectiveRecord } from '../../../chaincode/src/certificate/status';
import { BatchIssuedPayloadSchema, BatchStatusPayloadSchema, LedgerCertificateRecordSchema, LedgerCertificateTypeSchema, LedgerDataError } from '../domain/ledger-models';
import { DocumentRepository } from '../repositories/document.repository';
import { reasonCodeOf } from '../verification/reasons';
import { CertificateRepository, type LedgerPosition } from '../repositories/certificate.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import type { Database } from '../readmodel/schema';

/** Outbox kinds the anchorer executes. */
export const OUTBOX_ANCHOR_ROOT = 'anchor-root';
export const OUTBOX_REVOKE_ROOT = 'revoke-root';
/** Revokes one member of a batch: `revoke(root, leaf, proof, reasonCode)`. */
export const OUTBOX_REVOKE_LEAF = 'revoke-leaf';

/**
 * The certificate's own record inside an effective one: its own (CERTIFICATE-scope) changes,
 * folded as the chaincode folds them. Exact unless one of its own changes was overshadowed by
 * a batch change in force at the same time (the effective record then names only the batch's);
 * the merged status is the same either way while the batch change lasts.
 */
export function ownRecordOf(record: CertificateRecord): CertificateRecord {
  const own = record.statusChanges.filter((c) => (c as Partial<StatusChange>).scope !== 'BATCH');
  const ordered = own.map((change, index) => ({ change, index })).sort((a, b) => (a.change.effectiveAt < b.change.effectiveAt ? -1 : a.change.effectiveAt > b.change.effectiveAt ? 1 : a.index - b.index));
  let status: CertificateRecord['status'] = 'ISSUED';
  let last: StatusChange | undefined;
  for (const { change } of ordered) {
    if (status === 'REVOKED') break;
    status = change.status;
    last = change;
  }
  const reason = last === undefined ? null : { reasonCode: last.reasonCode, reasonText: last.reasonText, effectiveAt: last.effectiveAt };
  return { ...record, status, revocation: status === 'REVOKED' ? reason : null, suspension: status === 'SUSPENDED' ? reason : null, statusChanges: own };
}

/** A chaincode event as the projector hands it over. */
export interface ProjectedEvent {
  readonly blockNumber: number;
  readonly transactionId: string;
  readonly eventName: string;
  readonly payload: Uint8Array;
}

function json(event: ProjectedEvent): unknown {
  try {
    return JSON.parse(Buffer.from(event.payload).toString('utf8'));
  } catch (err) {
    throw new LedgerDataError(`event ${event.eventName} of transaction ${event.transactionId} is not JSON`, err);
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } }, event: ProjectedEvent): T {
  const result = schema.safeParse(json(event));
  if (!result.success) throw new LedgerDataError(`event ${event.eventName} of transaction ${event.transactionId} has an unexpected shape: ${result.error.message}`);
  return result.data;
}

/**
 * Applies one event inside the caller's transaction. Unknown event names (other contracts,
 * future events) are skipped: the checkpoint still moves past them.
 *
 * @returns whether the event changed the read model.
 * @throws {@link LedgerDataError} when a known event's payload cannot be read; the projector
 *   stops there rather than skip data.
 */
export async function projectCertificateEvent(trx: Kysely<Database>, event: ProjectedEvent): Promise<boolean> {
  const certificates = new CertificateRepository(trx);
  const outbox = new OutboxRepository(trx);
  const at: LedgerPosition = { transactionId: event.transactionId, blockNumber: event.blockNumber, eventName: event.eventName };
  switch (event.eventName) {
    case 'CertificateTypeRegistered':
    case 'CertificateTypeUpdated':
      await certificates.upsertType(parse(LedgerCertificateTypeSchema, event), at);
      return true;
    case 'CertificateIssued': {
      const record = parse(LedgerCertificateRecordSchema, event);
      await certificates.insertIssued(record, at);
      if (record.batchId === null || record.batchId === undefined) {
        await outbox.enqueue(OUTBOX_ANCHOR_ROOT, `${OUTBOX_ANCHOR_ROOT}:${record.batchRoot}`, { root: record.batchRoot, issuerMsp: record.issuerMsp, certificateIds: [record.id] }, event.transactionId);
      }
      return true;
    }
    case 'CertificateBatchIssued': {
      const { batch, certificates: records } = parse(BatchIssuedPayloadSchema, event);
      await certificates.insertIssuedMany(records, at);
      await outbox.enqueue(
        OUTBOX_ANCHOR_ROOT,
        `${OUTBOX_ANCHOR_ROOT}:${batch.batchRoot}`,
        { root: batch.batchRoot, issuerMsp: batch.issuerMsp, batchId: batch.batchId, certificateIds: records.map((r) => r.id) },
        event.transactionId,
      );
      return true;
    }
    case 'CertificateSuspended':
    case 'CertificateReinstated':
    case 'CertificateRevoked': {
      const record = parse(LedgerCertificateRecordSchema, event);
      if (!(await certificates.applyStatus(record, at))) {
        throw new LedgerDataError(`event ${event.eventName} of transaction ${event.transactionId} changes certificate ${record.id}, which the read model does not hold`);
      }
      if (event.eventName !== 'CertificateRevoked' || record.revocation === null || record.revocation === undefined) return true;
      const reasonCode = reasonCodeOf(record.revocation.reasonCode);
      if (record.batchId === null || record.batchId === undefined) {
        // A single certificate's batch root is its own hash: the whole "batch" is revoked publicly.
        await outbox.enqueue(
          OUTBOX_REVOKE_ROOT,
          `${OUTBOX_REVOKE_ROOT}:${record.batchRoot}`,
          { root: record.batchRoot, issuerMsp: record.issuerMsp, reasonCode, certificateId: record.id },
          event.transactionId,
        );
      } else {
        // A member of a larger batch is revoked as a leaf, with its Merkle proof from the stored
        // document (the event does not carry it; a certificate issued elsewhere has none here,
        // and the entry then becomes a dead letter saying so).
        const proof = await new DocumentRepository(trx).merkleProofOf(record.id);
        await outbox.enqueue(
          OUTBOX_REVOKE_LEAF,
          `${OUTBOX_REVOKE_LEAF}:${record.batchRoot}:${record.documentHash}`,
          { root: record.batchRoot, leaf: record.documentHash, proof: proof ?? null, issuerMsp: record.issuerMsp, reasonCode, certificateId: record.id },
          event.transactionId,
        );
      }
      return true;
    }
    case 'CertificateBatchSuspended':
    case 'CertificateBatchReinstated':
    case 'CertificateBatchRevoked': {
      const status = parse(BatchStatusPayloadSchema, event);
      await certificates.upsertBatchStatus(status, at);
      const members = await certificates.batchMembers(status.batchId);
      await certificates.applyStatusMany(
        members.map((member) => effectiveRecord(ownRecordOf(member as unknown as CertificateRecord), status as unknown as CertificateBatchStatus) as unknown as typeof member),
        at,
      );
      if (event.eventName === 'CertificateBatchRevoked' && status.revocation !== null && status.revocation !== undefined) {
        await outbox.enqueue(
          OUTBOX_REVOKE_ROOT,
          `${OUTBOX_REVOKE_ROOT}:${status.batchRoot}`,
          { root: status.batchRoot, issuerMsp: status.issuerMsp, reasonCode: reasonCodeOf(status.revocation.reasonCode), batchId: status.batchId },
          event.transactionId,
        );
      }
      return true;
    }
    default:
      return false;
  }
}
