/**
 * The EVM projector: reads TrustAnchor's logs in confirmed block ranges and writes anchors and
 * revocations into the read model, with the checkpoint in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Database } from '../readmodel/schema';
import { CheckpointRepository } from '../repositories/checkpoint.repository';
import { AnchorRepository } from '../repositories/anchor.repository';
import type { ProjectionWatcher } from './projection-watcher';
import type { Worker } from './worker';

/** The checkpoint name of the TrustAnchor projector. */
export const EVM_PROJECTOR = 'evm:TrustAnchor';

/** Blocks per `eth_getLogs` call: well inside common node limits. */
const RANGE = 2_000;

export interface EvmProjectorOptions {
  readonly db: Kysely<Database>;
  readonly evm: EvmLedger;
  /** Blocks a log must be under before it is projected (1 = the latest block). */
  readonly confirmations: number;
  readonly pollMs: number;
  readonly watcher: ProjectionWatcher;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  /** Called after a revocation is projected (verification caches). */
  readonly onRevocation?: () => void;
}

/** Projects TrustAnchor logs into the read model (worker `evm-projector`). */
export class EvmProjector implements Worker {
  readonly name = 'evm-projector' as const;

  constructor(private readonly options: EvmProjectorOptions) {}

  /**
   * Projects one round: every confirmed block after the checkpoint.
   *
   * @returns how many blocks the projector is still behind after this round.
   * @throws when the EVM node fails or the database write fails.
   */
  async step(): Promise<number> {
    const { db, evm, confirmations } = this.options;
    const latest = (await evm.blockNumber()) - (confirmations - 1);
    const checkpoint = await new CheckpointRepository(db).get(EVM_PROJECTOR);
    const from = checkpoint === undefined ? evm.deployment.trustAnchor.blockNumber : checkpoint.blockNumber + 1;
    if (from > latest) {
      this.options.metrics?.projectorLag.set({ projector: EVM_PROJECTOR }, 0);
      return 0;
    }
    const to = Math.min(latest, from + RANGE - 1);
    const logs = await evm.trustAnchorLogs(from, to);
    await db.transaction().execute(async (trx) => {
      const anchors = new AnchorRepository(trx);
      for (const log of logs) {
        if (log.kind === 'RootIssued') await anchors.insertIssued(log);
        else await anchors.insertRevocation(log);
      }
      await new CheckpointRepository(trx).set(EVM_PROJECTOR, { blockNumber: to, transactionId: null, logIndex: null });
    });
    if (logs.length > 0) this.options.watcher.advanced();
    if (logs.some((l) => l.kind === 'RootRevoked')) this.options.onRevocation?.();
    this.options.metrics?.projectorLag.set({ projector: EVM_PROJECTOR }, latest - to);
    return latest - to;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const behind = await this.step();
      // Woken early when the anchorer in this process has sent a transaction.
      if (behind === 0) await this.options.watcher.pause(this.options.pollMs, signal);
    }
  }
}
