/**
 * Comparing read models: every projection table as sorted canonical rows (without
 * `updated_at`, the one column a replay may set differently), and the check that a rebuild
 * gave exactly the live rows.
 */
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';
import { PROJECTION_TABLES, type Database } from '../../src/readmodel/schema';

/** Each projection table's rows, canonical JSON, sorted. */
export type ProjectionSnapshot = Record<string, string[]>;

export async function projectionSnapshot(db: Kysely<Database>): Promise<ProjectionSnapshot> {
  const out: ProjectionSnapshot = {};
  for (const table of PROJECTION_TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows
      .map((row) => {
        const { updated_at: _ignored, ...rest } = row;
        return canonicalize(rest) ?? '';
      })
      .sort();
  }
  return out;
}

/** Asserts, table by table, that `rebuilt` has exactly the rows of `live` (naming what differs). */
export function expectSameProjections(live: ProjectionSnapshot, rebuilt: ProjectionSnapshot): void {
  for (const table of PROJECTION_TABLES) {
    const missing = (live[table] ?? []).filter((row) => !(rebuilt[table] ?? []).includes(row));
    const extra = (rebuilt[table] ?? []).filter((row) => !(live[table] ?? []).includes(row));
    expect({ table, missing, extra }).to.deep.equal({ table, missing: [], extra: [] });
  }
}
