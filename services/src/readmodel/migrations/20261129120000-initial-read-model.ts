/**
 * The read model's first schema: certificates and their event history, projector checkpoints,
 * EVM anchors, the outbox and idempotency keys.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design:
   they must keep working after the typed schema moves on. */
import { sql, type Kysely } from 'kysely';

/** Creates the tables. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('issuer_msp', 'text', (c) => c.notNull())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('document_hash', 'text', (c) => c.notNull())
    .addColumn('batch_root', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_until', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revocation_reason_code', 'text')
    .addColumn('issue_tx_id', 'text', (c) => c.notNull())
    .addColumn('issue_block', 'bigint', (c) => c.notNull())
    .addColumn('last_tx_id', 'text', (c) => c.notNull())
    .addColumn('last_block', 'bigint', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('certificates_subject_ref_idx').on('certificates').column('subject_ref').execute();
  await db.schema.createIndex('certificates_type_code_idx').on('certificates').columns(['type_code', 'issued_at']).execute();
  await db.schema.createIndex('certificates_issuer_idx').on('certificates').columns(['issuer_msp', 'issued_at']).execute();
  await db.schema.createIndex('certificates_document_hash_idx').on('certificates').column('document_hash').execute();

  await db.schema
    .createTable('certificate_types')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('last_tx_id', 'text', (c) => c.notNull())
    .addColumn('last_block', 'bigint', (c) => c.notNull())
    .execute();

  // One row per ledger transaction and certificate: the primary key makes a second projection of the same
  // event fail loudly instead of doubling history.
  await db.schema
    .createTable('certificate_events')
    .addColumn('tx_id', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('certificate_events_pk', ['tx_id', 'certificate_id'])
    .execute();
  await db.schema
    .createIndex('certificate_events_certificate_idx')
    .on('certificate_events')
    .columns(['certificate_id', 'block_number'])
    .execute();

  await db.schema
    .createTable('projector_checkpoints')
    .addColumn('projector', 'text', (c) => c.primaryKey())
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('log_index', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('anchors')
    .addColumn('root', 'text', (c) => c.primaryKey())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('issue_block', 'bigint', (c) => c.notNull())
    .addColumn('issue_tx_hash', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revocation_reason_code', 'integer')
    .execute();

  await db.schema
    .createTable('anchor_revocations')
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('log_index', 'integer', (c) => c.notNull())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'integer', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('anchor_revocations_pk', ['tx_hash', 'log_index'])
    .execute();
  await db.schema.createIndex('anchor_revocations_root_idx').on('anchor_revocations').column('root').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'done', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('result', 'jsonb')
    .addColumn('source_tx_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'completed')`))
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('context', 'jsonb')
    .addColumn('locked_until', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
    .execute();
}

/** Drops the tables, dependents first. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'outbox',
    'anchor_revocations',
    'anchors',
    'projector_checkpoints',
    'certificate_events',
    'certificate_types',
    'certificates',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
