/**
 * What each certificate event writes into the read model, and which cross-ledger actions it
 * enqueues in the outbox (in the same transaction): anchoring a batch root on TrustAnchor when a
 * certificate or batch is issued, revoking a single certificate's root when it is revoked.
 */
import type { Kysely } from 'kysely';
import { BatchIssuedPayloadSchema, LedgerCertificateRecordSchema, LedgerCertificateTypeSchema, LedgerDataError } from '../domain/ledger-models';
import { reasonCodeOf } from '../verification/reasons';
import { CertificateRepository, type LedgerPosition } from '../repositories/certificate.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import type { Database } from '../readmodel/schema';

/** Outbox kinds the anchorer executes. */
export const OUTBOX_ANCHOR_ROOT = 'anchor-root';
export const OUTBOX_REVOKE_ROOT = 'revoke-root';

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
      for (const record of records) await certificates.insertIssued(record, at);
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
      // A single certificate's batch root is its own hash, so the whole "batch" can be revoked
      // publicly; a member of a larger batch needs its Merkle proof (not in the event).
      if (event.eventName === 'CertificateRevoked' && (record.batchId === null || record.batchId === undefined) && record.revocation !== null && record.revocation !== undefined) {
        await outbox.enqueue(
          OUTBOX_REVOKE_ROOT,
          `${OUTBOX_REVOKE_ROOT}:${record.batchRoot}`,
          { root: record.batchRoot, issuerMsp: record.issuerMsp, reasonCode: reasonCodeOf(record.revocation.reasonCode), certificateId: record.id },
          event.transactionId,
        );
      }
      return true;
    }
    default:
      return false;
  }
}
