/**
 * Public verification of certificate documents: the verification library's seven checks with
 * its EVM ports (TrustAnchor, IssuerRegistry) and a ledger record reader that asks Fabric.
 */
import { AppError } from '../errors';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import { createEvmPorts, verify, VerificationOptionsError, type EvmPorts, type LedgerCertificateRecord, type LedgerRecordReader, type VerificationResult } from '../verification';
import { LedgerCertificateRecordSchema, parseLedgerJson } from './ledger-models';

export interface VerificationServiceDependencies {
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly rpcUrl: string;
  /** Identity that reads records (any channel member). */
  readonly reader: FabricActor;
  readonly portTimeoutMs?: number;
}

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

export class VerificationService {
  #evmPorts: EvmPorts | undefined;
  readonly #records: FabricRecordReader;

  constructor(private readonly deps: VerificationServiceDependencies) {
    this.#records = new FabricRecordReader(deps.fabric, deps.reader);
  }

  /** The EVM ports, made once the deployment is known; undefined while it is not (checks then say so). */
  private evmPorts(): EvmPorts | undefined {
    if (this.#evmPorts !== undefined) return this.#evmPorts;
    try {
      this.#evmPorts = createEvmPorts({ deployment: this.deps.evm.deployment.raw, rpcUrl: this.deps.rpcUrl });
    } catch {
      return undefined;
    }
    return this.#evmPorts;
  }

  /**
   * Verifies a document. A malformed document is not an error: it fails the integrity check.
   *
   * @param asOf - answer "was it valid at this instant?" (ISO 8601), default now.
   * @throws {@link AppError} `VERIFY.INVALID_AS_OF` when `asOf` is in the future or not a time.
   */
  async verify(document: unknown, asOf?: string): Promise<VerificationResult> {
    const evm = this.evmPorts();
    try {
      return await verify(
        document,
        { anchor: evm?.anchor, issuers: evm?.issuers, ledger: this.#records },
        { asOf, portTimeoutMs: this.deps.portTimeoutMs },
      );
    } catch (err) {
      if (err instanceof VerificationOptionsError) throw new AppError(400, 'VERIFY.INVALID_AS_OF', err.message, { cause: err });
      throw err;
    }
  }

  close(): void {
    this.#evmPorts?.destroy();
  }
}
