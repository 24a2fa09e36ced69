/**
 * The anchorer: executes the outbox's cross-ledger actions on TrustAnchor. Each action is
 * idempotent on the chain (a root is anchored once; "already anchored" counts as done), so a
 * crash between the send and marking the entry done repeats nothing. Failures back off; an
 * entry that keeps failing becomes a dead letter for an administrator to look at.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Database } from '../readmodel/schema';
import { OutboxRepository, type OutboxEntry } from '../repositories/outbox.repository';
import { OUTBOX_ANCHOR_ROOT, OUTBOX_REVOKE_ROOT } from './certificate-projection';
import { backoffMs, sleep, type Worker } from './worker';

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const AnchorPayload = z.looseObject({ root: Hex32, issuerMsp: z.string().min(1) });
const RevokePayload = z.looseObject({ root: Hex32, issuerMsp: z.string().min(1), reasonCode: z.number().int().min(0).max(65_535) });

/** An entry whose payload or kind cannot be executed: retrying cannot help. */
class PermanentOutboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = PermanentOutboxError.name;
  }
}

/** Test hooks between the steps of an outbox execution (crash tests). */
export interface AnchorerHooks {
  readonly beforeSend?: (entry: OutboxEntry) => void | Promise<void>;
  readonly afterSend?: (entry: OutboxEntry) => void | Promise<void>;
  readonly afterDone?: (entry: OutboxEntry) => void | Promise<void>;
}

export interface AnchorerOptions {
  readonly db: Kysely<Database>;
  readonly evm: EvmLedger;
  readonly maxAttempts: number;
  readonly pollMs: number;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  readonly hooks?: AnchorerHooks;
}

export class Anchorer implements Worker {
  readonly name = 'anchorer' as const;

  constructor(private readonly options: AnchorerOptions) {}

  private async execute(entry: OutboxEntry): Promise<Record<string, unknown>> {
    const { evm } = this.options;
    switch (entry.kind) {
      case OUTBOX_ANCHOR_ROOT: {
        const payload = AnchorPayload.safeParse(entry.payload);
        if (!payload.success) throw new PermanentOutboxError(`entry ${String(entry.id)} has a malformed payload`);
        const outcome = await evm.anchorRoot(payload.data.root, payload.data.issuerMsp);
        return { ...outcome };
      }
      case OUTBOX_REVOKE_ROOT: {
        const payload = RevokePayload.safeParse(entry.payload);
        if (!payload.success) throw new PermanentOutboxError(`entry ${String(entry.id)} has a malformed payload`);
        const outcome = await evm.revokeRoot(payload.data.root, payload.data.reasonCode, payload.data.issuerMsp);
        return { ...outcome };
      }
      default:
        throw new PermanentOutboxError(`entry ${String(entry.id)} has an unknown kind ${entry.kind}`);
    }
  }

  /**
   * Executes every due entry once, in order.
   *
   * @returns how many entries were handled.
   * @throws only when the database fails; ledger failures are recorded on the entry.
   */
  async step(): Promise<number> {
    const { db, log, metrics, maxAttempts, hooks } = this.options;
    const outbox = new OutboxRepository(db);
    const due = await outbox.due(20);
    for (const entry of due) {
      try {
        await hooks?.beforeSend?.(entry);
        const result = await this.execute(entry);
        await hooks?.afterSend?.(entry);
        await outbox.markDone(entry.id, result);
        await hooks?.afterDone?.(entry);
        metrics?.outboxAttempts.inc({ kind: entry.kind, outcome: 'done' });
        log.info({ outboxId: entry.id, kind: entry.kind, result }, 'outbox entry done');
      } catch (err) {
        const permanent = err instanceof PermanentOutboxError;
        const status = await outbox.markFailed(entry.id, err instanceof Error ? `${err.name}: ${err.message}` : String(err), backoffMs(entry.attempts, 1_000, 300_000), permanent ? 1 : maxAttempts);
        metrics?.outboxAttempts.inc({ kind: entry.kind, outcome: status === 'dead' ? 'dead' : 'retry' });
        log.warn({ err, outboxId: entry.id, kind: entry.kind, attempts: entry.attempts + 1, status }, 'outbox entry failed');
      }
    }
    if (metrics !== undefined) {
      const counts = await outbox.counts();
      metrics.outboxDepth.set({ status: 'pending' }, counts.pending);
      metrics.outboxDepth.set({ status: 'dead' }, counts.dead);
    }
    return due.length;
  }

  async run(signal: AbortSignal): Promise<void> {
    const outbox = new OutboxRepository(this.options.db);
    while (!signal.aborted) {
      const handled = await this.step();
      if (handled > 0) continue;
      const wait = await outbox.secondsUntilNextDue();
      const ms = wait === undefined ? this.options.pollMs : Math.max(50, Math.min(this.options.pollMs, wait * 1000));
      await sleep(ms, signal);
    }
  }
}
