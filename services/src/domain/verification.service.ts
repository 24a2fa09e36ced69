/**
 * Public verification of certificate documents: the verification library's seven checks with
 * its EVM ports (TrustAnchor, IssuerRegistry) and a ledger record reader that asks Fabric, each
 * behind the library's bounded caches (`cachedAnchorReader`, `cachedIssuerDirectory`,
 * `cachedLedgerRecordReader`). Answers that can still change live `cacheTtlMs` (a revocation
 * shows within that), and this instance's projectors clear them as soon as they see a status
 * change. Also serves the public ledger record the browser's verifier reads.
 */
import type { Kysely } from 'kysely';
import { AppError, NotFoundError } from '../errors';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import type { Database } from '../readmodel/schema';
import { CertificateRepository } from '../repositories/certificate.repository';
import {
  BUNDLE_FORMAT,
  BundleError,
  QR_PREFIX,
  cachedAnchorReader,
  cachedIssuerDirectory,
  cachedLedgerRecordReader,
  createEvmPorts,
  decodeQrPayload,
  verify,
  VerificationOptionsError,
  type CachedAnchorReader,
  type CachedIssuerDirectory,
  type CachedLedgerRecordReader,
  type EvmPorts,
  type LedgerCertificateRecord,
  type LedgerRecordReader,
  type VerificationPorts,
  type VerificationResult,
} from '../verification';
import { LedgerCertificateRecordSchema, parseLedgerJson } from './ledger-models';

export interface VerificationServiceDependencies {
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly rpcUrl: string;
  /** Identity that reads records (any channel member). */
  readonly reader: FabricActor;
  readonly portTimeoutMs?: number;
  /** How long answers that can still change are kept (default 2 s). */
  readonly cacheTtlMs?: number;
  /** The read model, for the issuing block of a record. */
  readonly db?: Kysely<Database>;
}

/** The public ledger record: `certificate:GetCertificate` without `subjectRef`, with the issuing block. */
export type PublicLedgerRecord = Omit<LedgerCertificateRecord, 'subjectRef'> & { readonly batchId: string | null };

/** Reads certificate records from Fabric for the `ledgerRecord` and `notRevoked` checks. */
class FabricRecordReader implements LedgerRecordReader {
  constructor(
    private readonly fabric: FabricLedger,
    private readonly reader: FabricActor,
  ) {}

  async getCertificate(query: { channel: string; chaincode: string; certificateId: string }): Promise<LedgerCertificateRecord | null> {
    if (query.channel !== this.fabric.channel || query.chaincode !== this.fabric.chaincode) {
      throw new Error(`this verifier reads channel ${this.fabric.channel}, chaincode ${this.fabric.chaincode}`);
    }
    try {
      const bytes = await this.fabric.evaluate(this.reader, 'certificate:GetCertificate', [query.certificateId]);
      return parseLedgerJson(LedgerCertificateRecordSchema, bytes, 'the GetCertificate result');
    } catch (err) {
      if (err instanceof ChaincodeRejectedError && err.code === 'CERT.NOT_FOUND') return null;
      throw err;
    }
  }
}

/** A request to verify: a document, an offline bundle, or `{ qr }` with a `CTL1:` payload. */
function isQrRequest(input: unknown): input is { qr: string } {
  return typeof input === 'object' && input !== null && Object.keys(input).length === 1 && typeof (input as { qr?: unknown }).qr === 'string';
}

function isBundle(input: unknown): input is { document: unknown } {
  return typeof input === 'object' && input !== null && (input as { format?: unknown }).format === BUNDLE_FORMAT;
}

export class VerificationService {
  #evmPorts: EvmPorts | undefined;
  #anchor: CachedAnchorReader | undefined;
  #issuers: CachedIssuerDirectory | undefined;
  readonly #records: CachedLedgerRecordReader;

  constructor(private readonly deps: VerificationServiceDependencies) {
    this.#records = cachedLedgerRecordReader(new FabricRecordReader(deps.fabric, deps.reader), { ttlMs: this.ttl });
  }

  private get ttl(): number {
    return this.deps.cacheTtlMs ?? 2_000;
  }

  /** The cached EVM ports, made once the deployment is known; undefined while it is not (checks then say so). */
  private ports(): VerificationPorts {
    if (this.#evmPorts === undefined) {
      try {
        this.#evmPorts = createEvmPorts({ deployment: this.deps.evm.deployment.raw, rpcUrl: this.deps.rpcUrl });
        this.#anchor = cachedAnchorReader(this.#evmPorts.anchor, { ttlMs: this.ttl });
        this.#issuers = cachedIssuerDirectory(this.#evmPorts.issuers, { ttlMs: this.ttl });
      } catch {
        return { ledger: this.#records };
      }
    }
    return { anchor: this.#anchor, issuers: this.#issuers, ledger: this.#records };
  }

  /** The ports as the verifier uses them (cached), for bundles. */
  verificationPorts(): VerificationPorts {
    return this.ports();
  }

  /**
   * Forgets every cached answer that can change: called when this instance projects a status
   * change (Fabric) or a revocation (TrustAnchor), so verification reflects it at once here and
   * within the TTL elsewhere.
   */
  invalidate(): void {
    this.#records.clear();
    this.#anchor?.clear();
  }

  /**
   * Verifies a document, an offline bundle's document, or a QR payload's. A malformed document
   * is not an error: it fails the integrity check.
   *
   * @param asOf - answer "was it valid at this instant?" (ISO 8601), default now.
   * @throws {@link AppError} `VERIFY.INVALID_AS_OF` when `asOf` is in the future or not a time;
   *   `VERIFY.BAD_QR` (400) for a QR payload that does not decode.
   */
  async verify(input: unknown, asOf?: string): Promise<VerificationResult> {
    let document = input;
    if (isQrRequest(input)) {
      if (!input.qr.startsWith(QR_PREFIX)) throw new AppError(400, 'VERIFY.BAD_QR', `A verification QR payload starts with ${QR_PREFIX}`);
      try {
        document = (await decodeQrPayload(input.qr)).document;
      } catch (err) {
        if (err instanceof BundleError) throw new AppError(400, 'VERIFY.BAD_QR', err.message, { cause: err });
        throw err;
      }
    } else if (isBundle(input)) {
      document = input.document;
    }
    try {
      return await verify(document, this.ports(), { asOf, portTimeoutMs: this.deps.portTimeoutMs });
    } catch (err) {
      if (err instanceof VerificationOptionsError) throw new AppError(400, 'VERIFY.INVALID_AS_OF', err.message, { cause: err });
      throw err;
    }
  }

  /**
   * The public ledger record of a certificate (what `httpLedgerRecordReader` reads): Fabric's
   * record without `subjectRef`, with the issuing block from the read model when known.
   *
   * @throws {@link NotFoundError} `CERT.NOT_FOUND`; ledger errors when Fabric cannot answer.
   */
  async publicRecord(certificateId: string): Promise<PublicLedgerRecord> {
    const record = await this.#records.getCertificate({ channel: this.deps.fabric.channel, chaincode: this.deps.fabric.chaincode, certificateId });
    if (record === null) throw new NotFoundError('CERT.NOT_FOUND', `There is no certificate ${certificateId}`);
    const { subjectRef: _hidden, ...rest } = record as LedgerCertificateRecord & { batchId?: string | null };
    const row = this.deps.db === undefined ? undefined : await new CertificateRepository(this.deps.db).findById(certificateId);
    // Listed member by member: the record's authors (issuedBy, statusChanges[].by) stay inside.
    return {
      id: rest.id,
      typeCode: rest.typeCode,
      issuerMsp: rest.issuerMsp,
      documentHash: rest.documentHash,
      batchId: rest.batchId ?? null,
      batchRoot: rest.batchRoot,
      status: rest.status,
      issuedAt: rest.issuedAt,
      validUntil: rest.validUntil,
      statusChanges: rest.statusChanges.map((c) => ({ status: c.status, reasonCode: c.reasonCode, reasonText: c.reasonText, effectiveAt: c.effectiveAt })),
      txId: rest.txId,
      ...(row === undefined ? {} : { blockNumber: row.issueBlock }),
    };
  }

  close(): void {
    this.#evmPorts?.destroy();
  }
}
