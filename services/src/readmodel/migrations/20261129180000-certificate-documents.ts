/**
 * Issue 7: the issued documents (access-controlled: they hold holders' names), batch plans and
 * their recorded parts, batch-level status (a projection), share links of disclosures (only a
 * hash of each token), consents for zero-material fetches and the audit rows of those fetches.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */
import { sql, type Kysely } from 'kysely';

/** Creates the tables and the certificates' batch id column. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('certificates').addColumn('batch_id', 'text').execute();
  await db.schema.createIndex('certificates_batch_idx').on('certificates').column('batch_id').execute();

  await db.schema
    .createTable('certificate_documents')
    .addColumn('certificate_id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text')
    .addColumn('issuer_msp', 'text', (c) => c.notNull())
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('target_hash', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('record_tx_id', 'text')
    .addColumn('record_block', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('certificate_documents_batch_idx').on('certificate_documents').columns(['batch_id', 'position']).execute();
  await db.schema.createIndex('certificate_documents_subject_idx').on('certificate_documents').column('subject_ref').execute();

  await db.schema
    .createTable('certificate_batches')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('issuer_msp', 'text', (c) => c.notNull())
    .addColumn('root', 'text', (c) => c.notNull().unique())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('part_size', 'integer', (c) => c.notNull())
    .addColumn('part_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('certificate_batch_parts')
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('tx_id', 'text', (c) => c.notNull())
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('certificate_batch_parts_pk', ['batch_id', 'part'])
    .execute();

  await db.schema
    .createTable('batch_statuses')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('batch_root', 'text', (c) => c.notNull())
    .addColumn('issuer_msp', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('last_tx_id', 'text', (c) => c.notNull())
    .addColumn('last_block', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('disclosures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hidden_fields', 'jsonb', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('disclosures_subject_idx').on('disclosures').columns(['subject_ref', 'created_at']).execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('audience_msp', 'text', (c) => c.notNull())
    .addColumn('type_codes', 'jsonb', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('used_by', 'text')
    .execute();

  await db.schema
    .createTable('zero_material_fetches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('officer', 'text', (c) => c.notNull())
    .addColumn('audience_msp', 'text', (c) => c.notNull())
    .addColumn('matter_code', 'text')
    .addColumn('required_types', 'jsonb', (c) => c.notNull())
    .addColumn('certificate_ids', 'jsonb', (c) => c.notNull())
    .addColumn('missing', 'jsonb', (c) => c.notNull())
    .addColumn('results', 'jsonb', (c) => c.notNull())
    .addColumn('fetched_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('zero_material_fetches_consent_idx').on('zero_material_fetches').column('consent_id').execute();
}

/** Drops the tables and the column. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['zero_material_fetches', 'consents', 'disclosures', 'batch_statuses', 'certificate_batch_parts', 'certificate_batches', 'certificate_documents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db.schema.dropIndex('certificates_batch_idx').ifExists().execute();
  await db.schema.alterTable('certificates').dropColumn('batch_id').execute();
}
