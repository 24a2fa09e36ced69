/**
 * The anchorer: executes the outbox's cross-ledger actions on TrustAnchor, anchoring the due
 * roots of each department together in one transaction. Each action is idempotent on the
 * chain (a root is anchored once; "already anchored" counts as done, and anchored roots are
 * skipped before sending), so a crash between the send and marking the entry done repeats
 * nothing. Failures back off; an
 * entry that keeps failing becomes a dead letter for an administrator to look at.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Database } from '../readmodel/schema';
import { OutboxRepository, type OutboxEntry } from '../repositories/outbox.repository';
import { OUTBOX_ANCHOR_ROOT, OUTBOX_REVOKE_LEAF, OUTBOX_REVOKE_ROOT } from './certificate-projection';
import type { ProjectionWatcher } from './projection-watcher';
import { backoffMs, sleep, type Worker } from './worker';

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const AnchorPayload = z.looseObject({ root: Hex32, issuerMsp: z.string().min(1) });
const RevokePayload = z.looseObject({ root: Hex32, issuerMsp: z.string().min(1), reasonCode: z.number().int().min(0).max(65_535) });
const RevokeLeafPayload = z.looseObject({
  root: Hex32,
  leaf: Hex32,
  proof: z.array(Hex32).max(64).nullable(),
  issuerMsp: z.string().min(1),
  reasonCode: z.number().int().min(0).max(65_535),
  certificateId: z.string().optional(),
});

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
  /** Entries taken per round; anchorings among them go out as one transaction per department. */
  readonly batchSize?: number;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  readonly hooks?: AnchorerHooks;
  /** Wakes the anchorer as soon as a projector in this process has enqueued work. */
  readonly watcher?: ProjectionWatcher;
}

/** Executes outbox entries on TrustAnchor (worker `anchorer`). */
export class Anchorer implements Worker {
  readonly name = 'anchorer' as const;

  constructor(private readonly options: AnchorerOptions) {}

  /** Splits due entries into units of work: anchorings batched per department, the rest one by one. */
  private plan(due: readonly OutboxEntry[]): { entries: OutboxEntry[]; run: () => Promise<Record<string, unknown>[]> }[] {
    const { evm } = this.options;
    const units: { entries: OutboxEntry[]; run: () => Promise<Record<string, unknown>[]> }[] = [];
    const batches = new Map<string, { entries: OutboxEntry[]; roots: string[] }>();
    for (const entry of due) {
      if (entry.kind === OUTBOX_ANCHOR_ROOT) {
        const payload = AnchorPayload.safeParse(entry.payload);
        if (!payload.success) {
          units.push({ entries: [entry], run: () => Promise.reject(new PermanentOutboxError(`entry ${String(entry.id)} has a malformed payload`)) });
          continue;
        }
        const batch = batches.get(payload.data.issuerMsp) ?? { entries: [], roots: [] };
        batch.entries.push(entry);
        batch.roots.push(payload.data.root);
        batches.set(payload.data.issuerMsp, batch);
      } else if (entry.kind === OUTBOX_REVOKE_ROOT) {
        const payload = RevokePayload.safeParse(entry.payload);
        units.push({
          entries: [entry],
          run: async () => {
            if (!payload.success) throw new PermanentOutboxError(`entry ${String(entry.id)} has a malformed payload`);
            return [{ ...(await evm.revokeRoot(payload.data.root, payload.data.reasonCode, payload.data.issuerMsp)) }];
          },
        });
      } else if (entry.kind === OUTBOX_REVOKE_LEAF) {
        const payload = RevokeLeafPayload.safeParse(entry.payload);
        units.push({
          entries: [entry],
          run: async () => {
            if (!payload.success) throw new PermanentOutboxError(`entry ${String(entry.id)} has a malformed payload`);
            const { root, leaf, proof, reasonCode, issuerMsp, certificateId } = payload.data;
            if (proof === null) throw new PermanentOutboxError(`the read model holds no document of ${certificateId ?? leaf}, so its Merkle proof is unknown; revoke it on TrustAnchor by hand`);
            return [{ ...(await evm.revokeLeaf(root, leaf, proof, reasonCode, issuerMsp)) }];
          },
        });
      } else {
        units.push({ entries: [entry], run: () => Promise.reject(new PermanentOutboxError(`entry ${String(entry.id)} has an unknown kind ${entry.kind}`)) });
      }
    }
    // One transaction anchors a department's due roots together (TrustAnchor.multicall).
    for (const [issuerMsp, batch] of batches) {
      units.unshift({ entries: batch.entries, run: async () => (await evm.anchorRoots(batch.roots, issuerMsp)).map((outcome) => ({ ...outcome })) });
    }
    return units;
  }

  /**
   * Executes every due entry once (anchorings batched per department).
   *
   * @returns how many entries were handled.
   * @throws only when the database fails; ledger failures are recorded on the entries.
   */
  async step(): Promise<number> {
    const { db, log, metrics, maxAttempts, hooks } = this.options;
    const outbox = new OutboxRepository(db);
    const due = await outbox.due(this.options.batchSize ?? 32);
    for (const unit of this.plan(due)) {
      const first = unit.entries[0];
      if (first === undefined) continue;
      try {
        await hooks?.beforeSend?.(first);
        const results = await unit.run();
        await hooks?.afterSend?.(first);
        for (const [i, entry] of unit.entries.entries()) {
          await outbox.markDone(entry.id, results[i] ?? {});
          await hooks?.afterDone?.(entry);
          metrics?.outboxAttempts.inc({ kind: entry.kind, outcome: 'done' });
        }
        log.info({ outboxIds: unit.entries.map((e) => e.id), kind: first.kind, results }, 'outbox entries done');
        this.options.watcher?.advanced();
      } catch (err) {
        const permanent = err instanceof PermanentOutboxError;
        for (const entry of unit.entries) {
          const status = await outbox.markFailed(entry.id, err instanceof Error ? `${err.name}: ${err.message}` : String(err), backoffMs(entry.attempts, 1_000, 300_000), permanent ? 1 : maxAttempts);
          metrics?.outboxAttempts.inc({ kind: entry.kind, outcome: status === 'dead' ? 'dead' : 'retry' });
          log.warn({ err, outboxId: entry.id, kind: entry.kind, attempts: entry.attempts + 1, status }, 'outbox entry failed');
        }
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
      if (this.options.watcher === undefined) await sleep(ms, signal);
      else await this.options.watcher.pause(ms, signal);
    }
  }
}
