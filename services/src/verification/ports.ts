/**
 * The verifier's ports: what it needs to ask the outside world, as interfaces. The library ships
 * ethers implementations of the first two (`evm.ts`), caching wrappers (`cache.ts`) and
 * snapshot-backed ones for offline bundles (`bundle.ts`); the services implement the ledger
 * record reader from Fabric or the read model.
 *
 * A port method that cannot answer throws (any error); the check that asked fails and says the
 * source was unavailable. Times are unix seconds.
 */
import type { Hex32 } from './hash';

/** The chain and contract an anchor reader reads. */
export interface AnchorNetwork {
  readonly chainId: number;
  /** TrustAnchor address (any case). */
  readonly trustAnchor: string;
}

/** What TrustAnchor knows about a batch root (`issuedAt` and `issuerOf`). */
export interface RootInfo {
  /** When the root was anchored; 0 if never. */
  readonly issuedAt: number;
  /** The account that anchored it (zero address if never). */
  readonly issuerAccount: string;
  /** The department that account belonged to when it anchored (zero hash if never). */
  readonly departmentId: Hex32;
}

/** A node's own revocation (`revokedAt`): `at` is 0 when it is not revoked. */
export interface NodeRevocation {
  readonly at: number;
  readonly reasonCode: number;
}

/**
 * Read access to TrustAnchor. The optional `peek…` methods return an answer the reader already
 * holds (a cache's fresh entry) without waiting, or undefined; they let a verification that needs
 * nothing new finish without yielding to the event loop.
 */
export interface AnchorReader {
  network(): Promise<AnchorNetwork>;
  rootInfo(root: Hex32): Promise<RootInfo>;
  /** Each node's own revocation, in the order asked; `nodes` is a Merkle path, leaf first and batch root last. */
  revocations(nodes: readonly Hex32[]): Promise<readonly NodeRevocation[]>;
  /**
   * Optional: every revoked node of the batch `root` (the root included), so a cache can answer
   * for all the documents of a batch with one question. Readers that cannot list them omit it.
   */
  revokedNodesIn?(root: Hex32): Promise<ReadonlyMap<string, NodeRevocation>>;
  peekNetwork?(): AnchorNetwork | undefined;
  peekRootInfo?(root: Hex32): RootInfo | undefined;
  peekRevocations?(nodes: readonly Hex32[]): readonly NodeRevocation[] | undefined;
  /** Set when answers come from a snapshot rather than the live chain: when it was taken. */
  readonly observedAt?: number;
}

/** Read access to IssuerRegistry (`peek…`: see {@link AnchorReader}). */
export interface IssuerDirectory {
  /** Whether a department with this id (`keccak256(bytes(mspId))`) is registered. */
  isRegistered(departmentId: Hex32): Promise<boolean>;
  /** Whether the department may issue `certType` (`keccak256(bytes(typeCode))`) at time `at`. */
  isAuthorized(departmentId: Hex32, certType: Hex32, at: number): Promise<boolean>;
  peekRegistered?(departmentId: Hex32): boolean | undefined;
  peekAuthorized?(departmentId: Hex32, certType: Hex32, at: number): boolean | undefined;
  readonly observedAt?: number;
}

/** Statuses a Fabric certificate record stores. */
export type LedgerCertificateStatus = 'ISSUED' | 'SUSPENDED' | 'REVOKED';

/** One status change of a record (the chaincode's `StatusChange`). */
export interface LedgerStatusChange {
  readonly status: LedgerCertificateStatus;
  readonly reasonCode: string;
  readonly reasonText: string;
  /** ISO 8601 UTC; when the change takes effect (may precede when it was recorded). */
  readonly effectiveAt: string;
}

/**
 * The Fabric certificate record, with the chaincode's field names (`certificate:GetCertificate`
 * returns it as is); `blockNumber` is added by whoever knows it (the read model).
 */
export interface LedgerCertificateRecord {
  readonly id: string;
  readonly typeCode: string;
  readonly issuerMsp: string;
  /**
   * The holder reference. Optional: the services' public status route leaves it out (it would
   * link a person's certificates); the document hash already covers the document's own.
   */
  readonly subjectRef?: string;
  /** The document's targetHash. */
  readonly documentHash: string;
  readonly batchRoot: string;
  readonly status: LedgerCertificateStatus;
  /** ISO 8601 UTC (transaction time). */
  readonly issuedAt: string;
  /** ISO 8601 UTC, or null when the certificate does not expire. */
  readonly validUntil: string | null;
  readonly statusChanges: readonly LedgerStatusChange[];
  /** The issuing transaction. */
  readonly txId: string;
  readonly blockNumber?: number;
}

/** Where the document says its record is. */
export interface LedgerRecordQuery {
  readonly channel: string;
  readonly chaincode: string;
  readonly certificateId: string;
}

/** Read access to the certificate records on Fabric (or the read model that mirrors them; `peek…`: see {@link AnchorReader}). */
export interface LedgerRecordReader {
  /** The record, or null when there is none with this id. */
  getCertificate(query: LedgerRecordQuery): Promise<LedgerCertificateRecord | null>;
  /** The record (or null) if already known, else undefined. */
  peekCertificate?(query: LedgerRecordQuery): LedgerCertificateRecord | null | undefined;
  readonly observedAt?: number;
}

/** The ports a verification may use; a missing one fails the checks that need it. */
export interface VerificationPorts {
  readonly anchor?: AnchorReader | undefined;
  readonly issuers?: IssuerDirectory | undefined;
  readonly ledger?: LedgerRecordReader | undefined;
}
