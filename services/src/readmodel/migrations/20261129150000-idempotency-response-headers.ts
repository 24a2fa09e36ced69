/**
 * Idempotency keys also keep the first answer's headers (e.g. `Location`), so a replay answers
 * exactly what the first request answered.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */
import type { Kysely } from 'kysely';

/** Adds `idempotency_keys.response_headers`. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('response_headers', 'jsonb').execute();
}

/** Drops `idempotency_keys.response_headers`. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('response_headers').execute();
}
