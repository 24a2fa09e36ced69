/**
 * Suspension, reinstatement and revocation of one certificate or a whole batch, recorded on
 * Fabric by the issuing department's officer. Revocations reach TrustAnchor through the outbox
 * (the projector enqueues them from the ledger's events): `revoke(root, reasonCode)` for a batch
 * or a certificate issued alone, `revoke(root, leaf, proof, reasonCode)` for one member of a batch.
 */
import type { IdempotencyHandle } from '../http/app';
import type { Principal } from '../identity/principal';
import type { FabricLedger } from '../ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import type { CertificateBatchService, BatchView } from './certificate-batch.service';
import { actorFor } from './ledger-actor';
import { BatchStatusPayloadSchema, LedgerCertificateRecordSchema, parseLedgerJson } from './ledger-models';
import type { PublicLedgerRecord, VerificationService } from './verification.service';

/** A status change as officers ask for it. */
export interface StatusChangeInput {
  readonly action: 'suspend' | 'reinstate' | 'revoke';
  readonly reasonCode: string;
  readonly reasonText: string;
  readonly effectiveAt?: string | undefined;
}

/** Where the change was recorded. */
export interface ChangeReference {
  readonly transactionId: string;
  readonly blockNumber: number;
}

export interface CertificateStatusServiceDependencies {
  readonly fabric: FabricLedger;
  readonly batches: CertificateBatchService;
  readonly verification: Pick<VerificationService, 'publicRecord' | 'invalidate'>;
}

const CERTIFICATE_TRANSACTIONS = { suspend: 'SuspendCertificate', reinstate: 'ReinstateCertificate', revoke: 'RevokeCertificateAt' } as const;
const BATCH_TRANSACTIONS = { suspend: 'SuspendBatch', reinstate: 'ReinstateBatch', revoke: 'RevokeBatch' } as const;
const RESULTING_STATUS = { suspend: 'SUSPENDED', reinstate: 'ISSUED', revoke: 'REVOKED' } as const;

/** `effectiveAt` as the chaincode takes it: ISO, or '' for "now". */
function effective(input: StatusChangeInput): string {
  return input.effectiveAt === undefined ? '' : new Date(input.effectiveAt).toISOString();
}

/** Status changes on Fabric; the rules (who, which transitions, times) are the chaincode's. */
export class CertificateStatusService {
  constructor(private readonly deps: CertificateStatusServiceDependencies) {}

  /**
   * Changes one certificate's status.
   *
   * @returns the updated public record and where the change was recorded.
   * @throws the chaincode's codes: `CERT.NOT_FOUND` 404, `CERT.NOT_ALLOWED` 403 (another
   *   department's certificate), `CERT.INVALID_STATE` 409 (e.g. revoking a revoked certificate),
   *   `CERT.INVALID_ARGUMENT` 400 (times, reason text); ledger errors.
   */
  async changeCertificate(principal: Principal, certificateId: string, input: StatusChangeInput, idempotency: IdempotencyHandle): Promise<PublicLedgerRecord & { change: ChangeReference | null }> {
    const actor = actorFor(this.deps.fabric, principal, 'officer');
    const resumed = idempotency.resumed !== null;
    if (!resumed) await idempotency.save({ certificateId, action: input.action });
    let change: ChangeReference | null = null;
    try {
      // RevokeCertificate is "effective now"; RevokeCertificateAt takes the (possibly backdated) time.
      const transaction = input.action === 'revoke' && input.effectiveAt === undefined ? 'RevokeCertificate' : CERTIFICATE_TRANSACTIONS[input.action];
      const args = transaction === 'RevokeCertificate' ? [certificateId, input.reasonCode, input.reasonText] : [certificateId, input.reasonCode, input.reasonText, effective(input)];
      const outcome = await this.deps.fabric.submit(actor, `certificate:${transaction}`, args);
      parseLedgerJson(LedgerCertificateRecordSchema, outcome.result, `the ${transaction} result`);
      change = { transactionId: outcome.transactionId, blockNumber: outcome.blockNumber };
    } catch (err) {
      // A retry of a change whose commit went through before the answer was lost.
      if (!(resumed && err instanceof ChaincodeRejectedError && err.code === 'CERT.INVALID_STATE')) throw err;
      this.deps.verification.invalidate();
      const record = await this.deps.verification.publicRecord(certificateId);
      if (record.status !== RESULTING_STATUS[input.action]) throw err;
      return { ...record, change: null };
    }
    this.deps.verification.invalidate();
    return { ...(await this.deps.verification.publicRecord(certificateId)), change };
  }

  /**
   * Changes a whole batch's status (one ledger key for every certificate of the batch).
   *
   * @returns the batch as known now, with the new status, and where the change was recorded.
   * @throws `BATCH.NOT_FOUND` 404, `CERT.NOT_ALLOWED` 403, and the chaincode's codes as
   *   {@link CertificateStatusService.changeCertificate}.
   */
  async changeBatch(principal: Principal, batchId: string, input: StatusChangeInput, idempotency: IdempotencyHandle): Promise<BatchView & { change: ChangeReference | null }> {
    const plan = await this.deps.batches.ownPlan(principal, batchId);
    const actor = actorFor(this.deps.fabric, principal, 'officer');
    const resumed = idempotency.resumed !== null;
    if (!resumed) await idempotency.save({ batchId, action: input.action });
    const view = await this.deps.batches.view(plan);
    try {
      const outcome = await this.deps.fabric.submit(actor, `certificate:${BATCH_TRANSACTIONS[input.action]}`, [batchId, input.reasonCode, input.reasonText, effective(input)]);
      const status = parseLedgerJson(BatchStatusPayloadSchema, outcome.result, `the ${BATCH_TRANSACTIONS[input.action]} result`);
      this.deps.verification.invalidate();
      return {
        ...view,
        status: status.status,
        ...(status.revocation === null || status.revocation === undefined ? {} : { revocation: { reasonCode: status.revocation.reasonCode, reasonText: status.revocation.reasonText, revokedAt: status.revocation.effectiveAt } }),
        statusChanges: status.statusChanges.map((c) => ({ status: c.status, reasonCode: c.reasonCode, reasonText: c.reasonText, effectiveAt: c.effectiveAt })),
        change: { transactionId: outcome.transactionId, blockNumber: outcome.blockNumber },
      };
    } catch (err) {
      if (!(resumed && err instanceof ChaincodeRejectedError && err.code === 'CERT.INVALID_STATE' && view.status === RESULTING_STATUS[input.action])) throw err;
      return { ...view, change: null };
    }
  }
}
