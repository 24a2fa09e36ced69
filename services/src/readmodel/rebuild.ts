/**
 * Rebuilding the read model from the ledgers: empty every projection table (in one
 * transaction), then replay Fabric's events and TrustAnchor's logs from the beginning. The
 * outbox and idempotency keys are kept: re-projected outbox entries are recognised by their
 * dedupe keys, so nothing on the EVM chain happens twice.
 */
import { sql } from 'kysely';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Logger } from '../logger';
import type { ReadModelDatabase } from './database';
import { PROJECTION_TABLES } from './schema';
import { EvmProjector } from '../workers/evm-projector';
import { FabricProjector } from '../workers/fabric-projector';
import { ProjectionWatcher } from '../workers/projection-watcher';

/** What a rebuild did. */
export interface RebuildReport {
  readonly fabricBlocks: number;
  readonly evmBehind: number;
  readonly certificates: number;
}

/** Another process runs a projector: a rebuild under it would race. */
export class RebuildLockedError extends Error {
  readonly code = 'READMODEL.PROJECTOR_RUNNING';
  constructor(worker: string) {
    super(`the ${worker} worker is running elsewhere; stop it (or the API) before rebuilding`);
    this.name = RebuildLockedError.name;
  }
}

/**
 * Drops the projections and replays the ledgers into them. Holds both projectors' worker locks
 * throughout. Fabric is replayed until no new block has arrived for `idleMs` (the stream then
 * waits at the chain's tip); the EVM until the latest confirmed block.
 *
 * @throws {@link RebuildLockedError} when a projector runs elsewhere; ledger and database errors.
 */
export async function rebuildReadModel(options: {
  database: ReadModelDatabase;
  fabric: FabricLedger;
  evm: EvmLedger;
  reader: FabricActor;
  confirmations: number;
  log: Logger;
  idleMs?: number;
}): Promise<RebuildReport> {
  const { database, fabric, evm, log } = options;
  const idleMs = options.idleMs ?? 2_000;
  let report: RebuildReport | undefined;
  const gotFabric = await database.withLock('worker:projector', async () => {
    const gotEvm = await database.withLock('worker:evm-projector', async () => {
      await database.db.transaction().execute(async (trx) => {
        for (const table of PROJECTION_TABLES) await sql`delete from ${sql.table(table)}`.execute(trx);
      });
      log.info({ tables: PROJECTION_TABLES }, 'projections emptied; replaying the ledgers');

      const watcher = new ProjectionWatcher();
      let blocks = 0;
      let lastBlockAt = Date.now();
      const controller = new AbortController();
      const projector = new FabricProjector({
        db: database.db,
        fabric,
        actor: options.reader,
        watcher,
        log,
        onBlock: () => {
          blocks++;
          lastBlockAt = Date.now();
        },
      });
      const idle = setInterval(() => {
        if (Date.now() - lastBlockAt >= idleMs) controller.abort();
      }, Math.min(250, idleMs));
      try {
        await projector.run(controller.signal);
      } finally {
        clearInterval(idle);
      }

      const evmProjector = new EvmProjector({ db: database.db, evm, confirmations: options.confirmations, pollMs: 0, watcher, log });
      let behind = await evmProjector.step();
      while (behind > 0) behind = await evmProjector.step();
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates`.execute(database.db);
      report = { fabricBlocks: blocks, evmBehind: behind, certificates: rows[0]?.n ?? 0 };
    });
    if (!gotEvm) throw new RebuildLockedError('evm-projector');
  });
  if (!gotFabric) throw new RebuildLockedError('projector');
  if (report === undefined) throw new Error('rebuild did not run');
  return report;
}
