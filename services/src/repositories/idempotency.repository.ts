/**
 * Idempotency keys: the first answer to a write, kept so that a replay with the same key and
 * body gets it again. Rows are per caller (`principal`) so two users' keys never collide.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../readmodel/schema';

/** The outcome of claiming a key. */
export type IdempotencyClaim =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'resumed'; readonly context: Record<string, unknown> | null }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in-progress' };

/** Identifies a key: the caller and the key they sent. */
export interface IdempotencyKeyRef {
  readonly principal: string;
  readonly key: string;
}

/** Claims, completes and frees idempotency keys; the database clock decides lock expiry. */
export class IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claims `key` for a request. A new key is claimed for `lockMs`; a key whose earlier request
   * failed or crashed after its lock expired is taken over with the context that request saved.
   */
  async claim(ref: IdempotencyKeyRef, operation: string, requestHash: string, lockMs: number): Promise<IdempotencyClaim> {
    // Lock times come from the database clock, the one clock every API instance shares. They are
    // kept to the millisecond: the compare-and-set below compares with a JavaScript Date.
    const lockedUntil = sql<Date>`date_trunc('milliseconds', now() + make_interval(secs => ${lockMs / 1000}))`;
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        principal: ref.principal,
        key: ref.key,
        operation,
        request_hash: requestHash,
        state: 'pending',
        response_status: null,
        response_body: null,
        response_headers: null,
        context: null,
        locked_until: lockedUntil,
      })
      .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted !== undefined) return { kind: 'fresh' };

    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .executeTakeFirst();
    if (row === undefined) return this.claim(ref, operation, requestHash, lockMs);
    if (row.operation !== operation || row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'completed') return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body, headers: row.response_headers ?? {} };
    // Compare-and-set on the old lock: of two retries racing for an expired key, one wins.
    const taken = await this.db
      .updateTable('idempotency_keys')
      .set({ locked_until: lockedUntil })
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .where('state', '=', 'pending')
      .where('locked_until', '<', sql<Date>`now()`)
      .where('locked_until', '=', row.locked_until)
      .returning('context')
      .executeTakeFirst();
    if (taken === undefined) return { kind: 'in-progress' };
    return { kind: 'resumed', context: taken.context };
  }

  /** Saves what a retry needs to finish the same work (e.g. the document about to be recorded). */
  async saveContext(ref: IdempotencyKeyRef, context: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ context: JSON.stringify(context) })
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .execute();
  }

  /** Records the first answer; later replays return it. */
  async complete(ref: IdempotencyKeyRef, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ state: 'completed', response_status: status, response_body: JSON.stringify(body ?? null), response_headers: JSON.stringify(headers) })
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .execute();
  }

  /**
   * The request failed. Without saved context nothing can have happened, so the key is freed;
   * with context (work may have reached a ledger) the key stays and its lock is released so a
   * retry resumes the same work.
   */
  async fail(ref: IdempotencyKeyRef): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .where('state', '=', 'pending')
      .where('context', 'is', null)
      .execute();
    await this.db
      .updateTable('idempotency_keys')
      .set({ locked_until: sql<Date>`date_trunc('milliseconds', now() - interval '1 second')` })
      .where('principal', '=', ref.principal)
      .where('key', '=', ref.key)
      .where('state', '=', 'pending')
      .execute();
  }

  /** Deletes keys older than `maxAgeMs`; returns how many. */
  async purgeOlderThan(maxAgeMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', new Date(Date.now() - maxAgeMs))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
