/**
 * Table types of the read model, for Kysely. Only repositories import these (and Kysely).
 * Block numbers are `bigint` columns; drivers return them as strings or numbers, so
 * repositories convert with `toBlockNumber`.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** int8 as the drivers return it (pg: string; PGlite: number or bigint). */
export type Int8 = ColumnType<string | number | bigint, number | bigint | string, number | bigint | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default: optional on insert. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CertificatesTable {
  id: string;
  type_code: string;
  issuer_msp: string;
  subject_ref: string;
  document_hash: string;
  batch_root: string | null;
  status: string;
  issued_at: Timestamp;
  valid_until: Timestamp | null;
  revoked_at: Timestamp | null;
  revocation_reason_code: string | null;
  issue_tx_id: string;
  issue_block: Int8;
  last_tx_id: string;
  last_block: Int8;
  record: JSONColumnType<Record<string, unknown>>;
  batch_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Issued documents (personal data: the holder's name); written by the API at issuance. */
export interface CertificateDocumentsTable {
  certificate_id: string;
  batch_id: string | null;
  issuer_msp: string;
  type_code: string;
  subject_ref: string;
  target_hash: string;
  /** Order within its batch (the row of the upload). */
  position: number;
  /** The wrapped document without its Fabric reference (`proof.record`). */
  document: JSONColumnType<Record<string, unknown>>;
  record_tx_id: string | null;
  record_block: ColumnType<string | number | bigint | null, number | null | undefined, number | null>;
  created_at: DefaultedTimestamp;
}

/** A batch's plan (written by the API before its first part is recorded). */
export interface CertificateBatchesTable {
  batch_id: string;
  type_code: string;
  issuer_msp: string;
  root: string;
  count: number;
  part_size: number;
  part_count: number;
  created_by: string;
  created_at: DefaultedTimestamp;
}

export interface CertificateBatchPartsTable {
  batch_id: string;
  part: number;
  tx_id: string;
  block_number: Int8;
}

/** Batch-level status (a projection of the CertificateBatch{Suspended,Reinstated,Revoked} events). */
export interface BatchStatusesTable {
  batch_id: string;
  batch_root: string;
  issuer_msp: string;
  status: string;
  record: JSONColumnType<Record<string, unknown>>;
  last_tx_id: string;
  last_block: Int8;
}

export interface DisclosuresTable {
  id: string;
  certificate_id: string;
  subject_ref: string;
  /** SHA-256 of the share token; the token itself is never stored. */
  token_hash: string;
  hidden_fields: JSONColumnType<string[]>;
  document: JSONColumnType<Record<string, unknown>>;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ConsentsTable {
  id: string;
  subject_ref: string;
  audience_msp: string;
  type_codes: JSONColumnType<string[]>;
  purpose: string;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  used_by: string | null;
}

export interface ZeroMaterialFetchesTable {
  id: string;
  consent_id: string;
  officer: string;
  audience_msp: string;
  matter_code: string | null;
  required_types: JSONColumnType<string[]>;
  certificate_ids: JSONColumnType<string[]>;
  missing: JSONColumnType<string[]>;
  results: JSONColumnType<Record<string, unknown>[]>;
  fetched_at: DefaultedTimestamp;
}

export interface CertificateTypesTable {
  code: string;
  name: string;
  version: number;
  definition: JSONColumnType<Record<string, unknown>>;
  last_tx_id: string;
  last_block: Int8;
}

export interface CertificateEventsTable {
  tx_id: string;
  certificate_id: string;
  event_name: string;
  block_number: Int8;
  payload: JSONColumnType<Record<string, unknown>>;
}

export interface ProjectorCheckpointsTable {
  projector: string;
  block_number: Int8;
  transaction_id: string | null;
  log_index: number | null;
  updated_at: Timestamp;
}

export interface AnchorsTable {
  root: string;
  issuer: string;
  issued_at: Timestamp;
  issue_block: Int8;
  issue_tx_hash: string;
  revoked_at: Timestamp | null;
  revocation_reason_code: number | null;
}

export interface AnchorRevocationsTable {
  tx_hash: string;
  log_index: number;
  root: string;
  node: string;
  reason_code: number;
  revoked_at: Timestamp;
  block_number: Int8;
}

export interface OutboxTable {
  /** Generated identity: never written, read as the driver returns int8. */
  id: ColumnType<string | number | bigint, never, never>;
  kind: string;
  dedupe_key: string;
  payload: JSONColumnType<Record<string, unknown>>;
  status: 'pending' | 'done' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: DefaultedTimestamp;
  last_error: string | null;
  result: JSONColumnType<Record<string, unknown>, string | null, string | null> | null;
  source_tx_id: string | null;
  created_at: DefaultedTimestamp;
  completed_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  operation: string;
  request_hash: string;
  state: 'pending' | 'completed';
  response_status: number | null;
  response_body: JSONColumnType<Record<string, unknown>, string | null, string | null> | null;
  response_headers: JSONColumnType<Record<string, string>, string | null, string | null> | null;
  context: JSONColumnType<Record<string, unknown>, string | null, string | null> | null;
  locked_until: Timestamp;
  created_at: DefaultedTimestamp;
}

export interface Database {
  certificates: CertificatesTable;
  certificate_types: CertificateTypesTable;
  certificate_events: CertificateEventsTable;
  projector_checkpoints: ProjectorCheckpointsTable;
  anchors: AnchorsTable;
  anchor_revocations: AnchorRevocationsTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeysTable;
  certificate_documents: CertificateDocumentsTable;
  certificate_batches: CertificateBatchesTable;
  certificate_batch_parts: CertificateBatchPartsTable;
  batch_statuses: BatchStatusesTable;
  disclosures: DisclosuresTable;
  consents: ConsentsTable;
  zero_material_fetches: ZeroMaterialFetchesTable;
}

/** Tables that are pure projections of the ledgers: a rebuild empties and refills them. */
export const PROJECTION_TABLES = [
  'batch_statuses',
  'certificate_events',
  'certificates',
  'certificate_types',
  'anchor_revocations',
  'anchors',
  'projector_checkpoints',
] as const;

/**
 * Converts an int8 value as a driver returns it into a number.
 *
 * @throws RangeError when the value is beyond 2^53 (no block height gets there).
 */
export function toBlockNumber(value: string | number | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`block number ${String(value)} is not a safe integer`);
  return n;
}
