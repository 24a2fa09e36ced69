/**
 * The Fabric projector: follows the channel's filtered blocks and the chaincode's events from
 * its checkpoint and writes each event's rows, its outbox entries and the new checkpoint in one
 * database transaction, so every event lands exactly once whatever crashes. Filtered blocks say
 * which transactions of a block carry our events, so the projector knows when a block is
 * complete (read-your-writes, lag) even for blocks without any.
 */
import type { Kysely } from 'kysely';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Database } from '../readmodel/schema';
import { CheckpointRepository, type Checkpoint } from '../repositories/checkpoint.repository';
import { projectCertificateEvent } from './certificate-projection';
import type { ProjectionWatcher } from './projection-watcher';
import { aborted, type Worker } from './worker';

/** The checkpoint name of the Fabric projector. */
export const FABRIC_PROJECTOR = 'fabric:ctl';

/** The event stream and the blocks disagree: a protocol or ordering fault, never skipped. */
export class ProjectorOutOfSyncError extends Error {
  readonly code = 'PROJECTOR.OUT_OF_SYNC';
  constructor(message: string) {
    super(message);
    this.name = ProjectorOutOfSyncError.name;
  }
}

/** Test hooks: called between the steps of a projection, so crash tests can stop the process there. */
export interface ProjectorHooks {
  readonly beforeCommit?: (event: { blockNumber: number; transactionId: string }) => void | Promise<void>;
  readonly afterCommit?: (event: { blockNumber: number; transactionId: string }) => void | Promise<void>;
}

/** Options of {@link FabricProjector}. */
export interface FabricProjectorOptions {
  readonly db: Kysely<Database>;
  readonly fabric: FabricLedger;
  /** The identity that reads events (any member of the channel may). */
  readonly actor: FabricActor;
  readonly watcher: ProjectionWatcher;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  readonly hooks?: ProjectorHooks;
  /** Called with each block number the projector sees (the ledger height tracker). */
  readonly onBlock?: (blockNumber: number) => void;
  /** Called after a certificate or batch status change is projected (verification caches). */
  readonly onStatusChange?: () => void;
}

/** Events after which cached verification answers may be stale. */
const STATUS_EVENTS = new Set(['CertificateSuspended', 'CertificateReinstated', 'CertificateRevoked', 'CertificateBatchSuspended', 'CertificateBatchReinstated', 'CertificateBatchRevoked']);

/** Where to resume after a checkpoint: a block, and the transaction already done in it. */
export function resumeFrom(checkpoint: Checkpoint | undefined): { blockNumber: number; afterTransactionId: string | undefined } {
  if (checkpoint === undefined) return { blockNumber: 0, afterTransactionId: undefined };
  if (checkpoint.transactionId === null) return { blockNumber: checkpoint.blockNumber + 1, afterTransactionId: undefined };
  return { blockNumber: checkpoint.blockNumber, afterTransactionId: checkpoint.transactionId };
}

/** Projects the chaincode's events into the read model and the outbox (worker `projector`). */
export class FabricProjector implements Worker {
  readonly name = 'projector' as const;

  constructor(private readonly options: FabricProjectorOptions) {}

  /**
   * Follows the ledger until `signal` aborts.
   *
   * @throws when the ledger stream fails or an event cannot be projected; the runner restarts
   *   the worker from the last checkpoint.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { db, fabric, actor } = this.options;
    const start = resumeFrom(await new CheckpointRepository(db).get(FABRIC_PROJECTOR));
    const blocks = await fabric.filteredBlocks(actor, start.blockNumber);
    let events;
    try {
      events = await fabric.chaincodeEvents(actor, start);
    } catch (err) {
      blocks.close();
      throw err;
    }
    const close = (): void => {
      blocks.close();
      events.close();
    };
    signal.addEventListener('abort', close, { once: true });
    // Aborted while the streams were opening: the listener above will never fire.
    if (aborted(signal)) close();
    const eventIterator = events[Symbol.asyncIterator]();
    try {
      for await (const block of blocks) {
        if (signal.aborted) return;
        let refs = block.events;
        if (block.blockNumber === start.blockNumber && start.afterTransactionId !== undefined) {
          const done = refs.findIndex((r) => r.transactionId === start.afterTransactionId);
          refs = done < 0 ? refs : refs.slice(done + 1);
        }
        for (const ref of refs) {
          const next = await eventIterator.next();
          if (next.done === true) {
            if (aborted(signal)) return;
            throw new ProjectorOutOfSyncError(`the event stream ended before transaction ${ref.transactionId} of block ${String(block.blockNumber)}`);
          }
          const event = next.value;
          if (event.transactionId !== ref.transactionId || Number(event.blockNumber) !== block.blockNumber) {
            throw new ProjectorOutOfSyncError(
              `expected the event of transaction ${ref.transactionId} in block ${String(block.blockNumber)}, got ${event.transactionId} in block ${String(event.blockNumber)}`,
            );
          }
          await this.project({ blockNumber: block.blockNumber, transactionId: event.transactionId, eventName: event.eventName, payload: event.payload });
        }
        await new CheckpointRepository(db).set(FABRIC_PROJECTOR, { blockNumber: block.blockNumber, transactionId: null, logIndex: null });
        this.options.onBlock?.(block.blockNumber);
        this.options.watcher.advanced();
      }
      if (!signal.aborted) throw new ProjectorOutOfSyncError('the block stream ended');
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      signal.removeEventListener('abort', close);
      close();
    }
  }

  private async project(event: { blockNumber: number; transactionId: string; eventName: string; payload: Uint8Array }): Promise<void> {
    const { db, hooks, metrics, log } = this.options;
    const position = { blockNumber: event.blockNumber, transactionId: event.transactionId };
    const applied = await db.transaction().execute(async (trx) => {
      const changed = await projectCertificateEvent(trx, event);
      await new CheckpointRepository(trx).set(FABRIC_PROJECTOR, { blockNumber: event.blockNumber, transactionId: event.transactionId, logIndex: null });
      await hooks?.beforeCommit?.(position);
      return changed;
    });
    await hooks?.afterCommit?.(position);
    if (STATUS_EVENTS.has(event.eventName)) this.options.onStatusChange?.();
    metrics?.projectedEvents.inc({ projector: FABRIC_PROJECTOR, event: applied ? event.eventName : 'ignored' });
    log.debug({ blockNumber: event.blockNumber, transactionId: event.transactionId, event: event.eventName }, 'projected');
    this.options.watcher.advanced();
  }
}
