/**
 * The outbox: cross-ledger actions recorded in the same transaction as the projection that
 * causes them, executed later by a worker, retried with backoff, and kept as dead letters when
 * they keep failing. `dedupe_key` makes enqueueing idempotent (a rebuild enqueues nothing twice).
 */
import { sql, type Kysely } from 'kysely';
import { toBlockNumber, type Database } from '../readmodel/schema';

/** An outbox entry. */
export interface OutboxEntry {
  readonly id: number;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly payload: Record<string, unknown>;
  readonly status: 'pending' | 'done' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly result: Record<string, unknown> | null;
  readonly sourceTransactionId: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

type Row = {
  id: string | number | bigint;
  kind: string;
  dedupe_key: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  result: Record<string, unknown> | null;
  source_tx_id: string | null;
  created_at: Date;
  completed_at: Date | null;
};

function toEntry(row: Row): OutboxEntry {
  return {
    id: toBlockNumber(row.id),
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at.toISOString(),
    lastError: row.last_error,
    result: row.result,
    sourceTransactionId: row.source_tx_id,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at === null ? null : row.completed_at.toISOString(),
  };
}

/** Enqueues, schedules and completes outbox entries; keeps dead letters for a person to look at. */
export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Enqueues an action unless one with the same key exists; returns whether it was added. */
  async enqueue(kind: string, dedupeKey: string, payload: Record<string, unknown>, sourceTransactionId: string | null): Promise<boolean> {
    const inserted = await this.db
      .insertInto('outbox')
      .values({
        kind,
        dedupe_key: dedupeKey,
        payload: JSON.stringify(payload),
        status: 'pending',
        last_error: null,
        result: null,
        source_tx_id: sourceTransactionId,
        completed_at: null,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Pending entries whose next attempt is due, oldest first. */
  async due(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', sql<Date>`now()`)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => toEntry(r));
  }

  /** Seconds until the next pending entry is due (undefined when none is pending). */
  async secondsUntilNextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('outbox')
      .select(sql<number>`extract(epoch from (min(next_attempt_at) - now()))`.as('wait'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    // Postgres returns numeric as a string; PGlite as a number.
    const wait: unknown = row?.wait;
    return wait === null || wait === undefined ? undefined : Number(wait);
  }

  async markDone(id: number, result: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: 'done', result: JSON.stringify(result), completed_at: sql<Date>`now()`, last_error: null, attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .execute();
  }

  /** Records a failed attempt; after `maxAttempts` the entry becomes a dead letter. */
  async markFailed(id: number, error: string, retryInMs: number, maxAttempts: number): Promise<'pending' | 'dead'> {
    const row = await this.db
      .updateTable('outbox')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_error: error.slice(0, 2000),
        status: sql<'pending' | 'dead'>`case when attempts + 1 >= ${maxAttempts} then 'dead' else 'pending' end`,
        next_attempt_at: sql<Date>`now() + make_interval(secs => ${retryInMs / 1000})`,
      })
      .where('id', '=', id)
      .returning('status')
      .executeTakeFirst();
    return row?.status === 'dead' ? 'dead' : 'pending';
  }

  async deadLetters(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.selectFrom('outbox').selectAll().where('status', '=', 'dead').orderBy('id').limit(limit).execute();
    return rows.map((r) => toEntry(r));
  }

  /** Puts a dead letter back in the queue; returns false when there is no such dead letter. */
  async retry(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async findByKey(dedupeKey: string): Promise<OutboxEntry | undefined> {
    const row = await this.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  /** Entries per status. */
  async counts(): Promise<Record<'pending' | 'done' | 'dead', number>> {
    const rows = await this.db.selectFrom('outbox').select(['status', sql<number>`count(*)::int`.as('n')]).groupBy('status').execute();
    const counts = { pending: 0, done: 0, dead: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}
