/**
 * E-certificate models (GB/T 36903 metadata: identifier, type, holder, issuing authority,
 * issue date, validity). The holder appears only as `subjectRef`, a keyed hash.
 */
import type { ActorRef } from '../shared/models';

/** Statuses stored on a certificate record. */
export const CERTIFICATE_STATUSES = ['ISSUED', 'SUSPENDED', 'REVOKED'] as const;
/** A stored status. */
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];
/** Where a status change was made: on the certificate, or on its whole issuance batch. */
export const STATUS_SCOPES = ['CERTIFICATE', 'BATCH'] as const;
/** A status change's scope. */
export type StatusScope = (typeof STATUS_SCOPES)[number];
/** Statuses `GetCertificateStatusAt` can answer: the stored ones plus those derived from time. */
export type CertificateStatusAtTime = CertificateStatus | 'EXPIRED' | 'NOT_YET_ISSUED';

/** Types a certificate field may have. */
export const FIELD_TYPES = ['string', 'date', 'number', 'boolean'] as const;
/** A field type. */
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field on the face of a certificate of this type (照面信息). */
export interface FieldDefinition {
  /** Field name in the certificate document, e.g. `holderName`. */
  readonly key: string;
  /** Label shown to people. */
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** The field holds personal data: the holder may hide it in a disclosure. */
  readonly personal: boolean;
}

/** A certificate type as a street office registers it. */
export interface CertificateTypeDefinition {
  /** Type code, e.g. `RESIDENCE_PROOF`. */
  readonly code: string;
  readonly name: string;
  /** Organisations whose officers may issue it. */
  readonly allowedIssuerMsps: readonly string[];
  /** Validity from issue, in days; 0 means it does not expire. */
  readonly validityDays: number;
  readonly fields: readonly FieldDefinition[];
}

/** A registered certificate type, with its version and who registered it. */
export interface CertificateType extends CertificateTypeDefinition {
  /** 1 at registration, +1 per update. */
  readonly version: number;
  /** SHA-256 of the canonical definition; equal definitions have equal hashes. */
  readonly definitionHash: string;
  /** The street office that registered the type. */
  readonly registrarMsp: string;
  readonly registeredAt: string;
  readonly registeredBy: ActorRef;
  readonly updatedAt: string;
  readonly updatedBy: ActorRef;
}

/** Why and from when a certificate is revoked or suspended. */
export interface StatusReason {
  readonly reasonCode: string;
  readonly reasonText: string;
  /** When the change takes effect (ISO 8601 UTC); not after the transaction's time. */
  readonly effectiveAt: string;
}

/** One status change after issuance. */
export interface StatusChange extends StatusReason {
  readonly status: CertificateStatus;
  /** Transaction time at which the change was recorded. */
  readonly recordedAt: string;
  readonly txId: string;
  readonly by: ActorRef;
  /**
   * CERTIFICATE for a change made on the certificate, BATCH for one made on its batch (then
   * `batchId` names it). Reads fill in CERTIFICATE for changes stored before scopes existed.
   */
  readonly scope: StatusScope;
  /** For scope BATCH: the batch. */
  readonly batchId?: string;
}

/**
 * The ledger record of one e-certificate. As stored, its status fields hold the changes made on
 * the certificate itself; as read (every transaction result and event), `status`, `revocation`,
 * `suspension`, `statusChanges` and `updatedAt` are its effective status: its own changes
 * combined with those of its batch (see `status.ts`).
 */
export interface CertificateRecord {
  readonly id: string;
  readonly typeCode: string;
  /** Version of the type in force at issuance. */
  readonly typeVersion: number;
  readonly issuerMsp: string;
  /** Keyed hash of the holder's identity number; never the number. */
  readonly subjectRef: string;
  /** The document's targetHash. */
  readonly documentHash: string;
  /** The issuance batch, or null for a certificate issued on its own. */
  readonly batchId: string | null;
  /** Merkle root of the batch; the document hash for a certificate issued on its own. */
  readonly batchRoot: string;
  readonly status: CertificateStatus;
  readonly issuedAt: string;
  /** End of validity, or null when the type does not expire. */
  readonly validUntil: string | null;
  /** Set once revoked, else null. */
  readonly revocation: StatusReason | null;
  /** Set while suspended, else null. */
  readonly suspension: StatusReason | null;
  /** Every change after issuance, in the order recorded. */
  readonly statusChanges: readonly StatusChange[];
  readonly issuedBy: ActorRef;
  readonly txId: string;
  readonly updatedAt: string;
}

/**
 * An issuance batch: the Merkle root over its documents' hashes and how it is split into
 * transactions. A batch of up to 1,000 documents is one part; a larger one (the services allow
 * 10,000 under one root) is issued as `partCount` parts of `partSize` documents (the last part
 * holds the rest), so the parts always add up to exactly `batchSize`.
 */
export interface CertificateBatch {
  readonly batchId: string;
  readonly batchRoot: string;
  readonly issuerMsp: string;
  /** Documents under the root. */
  readonly batchSize: number;
  readonly partSize: number;
  readonly partCount: number;
  /** When the batch was opened: `OpenBatch`, or its first part to commit. */
  readonly openedAt: string;
  readonly openedBy: ActorRef;
}

/** One transaction's share of a batch. */
export interface CertificateBatchPart {
  readonly batchId: string;
  readonly batchRoot: string;
  readonly issuerMsp: string;
  /** 1-based. */
  readonly part: number;
  readonly partCount: number;
  readonly batchSize: number;
  readonly issuedBy: ActorRef;
  readonly issuedAt: string;
  readonly count: number;
  /** In the order given at issuance. */
  readonly certificateIds: readonly string[];
  readonly txId: string;
}

/**
 * The status of a whole batch (key `certBatchStatus/<batchId>`, written by the first batch-level
 * change). One record stands for every certificate under the root: reads of each certificate
 * consult it, so suspending or revoking 10,000 certificates writes one key.
 */
export interface CertificateBatchStatus {
  readonly batchId: string;
  readonly batchRoot: string;
  readonly issuerMsp: string;
  readonly batchSize: number;
  readonly status: CertificateStatus;
  /** Set once revoked, else null. */
  readonly revocation: StatusReason | null;
  /** Set while suspended, else null. */
  readonly suspension: StatusReason | null;
  /** Every batch-level change, in recording order (scope BATCH). */
  readonly statusChanges: readonly StatusChange[];
  readonly updatedAt: string;
}

/** A batch with the parts issued so far and its batch-level status. */
export interface CertificateBatchView extends CertificateBatch {
  readonly parts: readonly CertificateBatchPart[];
  readonly issuedCount: number;
  /** Every part has been issued. */
  readonly complete: boolean;
  /** ISSUED until a batch-level change. */
  readonly status: CertificateStatus;
  readonly revocation: StatusReason | null;
  readonly suspension: StatusReason | null;
  readonly statusChanges: readonly StatusChange[];
}

/** A certificate's status at a given time, as known now. */
export interface CertificateStatusAt {
  readonly id: string;
  readonly at: string;
  readonly status: CertificateStatusAtTime;
  /** Since when that status holds; null for NOT_YET_ISSUED. */
  readonly since: string | null;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
  readonly issuedAt: string;
  readonly validUntil: string | null;
}
