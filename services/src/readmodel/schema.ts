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
}

/** Tables that are pure projections of the ledgers: a rebuild empties and refills them. */
export const PROJECTION_TABLES = [
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
