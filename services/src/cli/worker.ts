/**
 * `npm run worker -- <name>`: runs one worker (projector, evm-projector, anchorer) as its own
 * process, for production where API instances run with WORKERS=none. Several copies may run:
 * an advisory lock keeps one active, the others stand by. Needs PostgreSQL (DATABASE_URL):
 * the embedded PGlite read model serves one process only.
 */
import { ConfigError, WORKER_NAMES, loadConfig, type WorkerName } from '../config/config';
import { createLogger } from '../logger';
import { createWorker, openLedgers } from '../main';
import { ServiceMetrics } from '../metrics';
import { openDatabase } from '../readmodel/database';
import { ProjectionWatcher } from '../workers/projection-watcher';
import { startWorker } from '../workers/worker';

async function main(args: readonly string[]): Promise<void> {
  const name = args[0];
  if (name === undefined || !(WORKER_NAMES as readonly string[]).includes(name)) {
    process.stderr.write(`usage: npm run worker -- <${WORKER_NAMES.join('|')}>\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const metrics = new ServiceMetrics();
  const database = await openDatabase(config.database);
  await database.migrate();
  const { fabric, evm } = openLedgers(config, metrics);
  const worker = startWorker(
    createWorker(name as WorkerName, { config, database, fabric, evm, watcher: new ProjectionWatcher(), logger, metrics }),
    database,
    logger,
  );
  logger.info({ worker: name, database: database.kind }, 'worker process started');
  const stop = (): void => {
    worker
      .stop()
      .then(async () => {
        fabric.close();
        evm.close();
        await database.close();
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`worker: ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
