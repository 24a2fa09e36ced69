/**
 * A worker process for the crash tests: runs the projectors and the anchorer like the API does,
 * and kills itself with SIGKILL the CTL_CRASH_AFTER-th time it reaches CTL_CRASH_POINT
 * (projector.beforeCommit | projector.afterCommit | anchorer.beforeSend | anchorer.afterSend |
 * anchorer.afterDone). Configured by the same environment as the services.
 */
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { createWorker, openLedgers } from '../../src/main';
import { ServiceMetrics } from '../../src/metrics';
import { openDatabase } from '../../src/readmodel/database';
import { ProjectionWatcher } from '../../src/workers/projection-watcher';
import { startWorker } from '../../src/workers/worker';

const point = process.env.CTL_CRASH_POINT ?? '';
let remaining = Number(process.env.CTL_CRASH_AFTER ?? '0');

function reached(name: string): void {
  if (name !== point) return;
  remaining--;
  if (remaining === 0) {
    process.stdout.write(`crash at ${name}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('warn');
  const metrics = new ServiceMetrics();
  const database = await openDatabase(config.database);
  await database.migrate();
  const { fabric, evm } = openLedgers(config, metrics);
  const context = { config, database, fabric, evm, watcher: new ProjectionWatcher(), logger, metrics };
  const hooks = {
    projector: { beforeCommit: () => { reached('projector.beforeCommit'); }, afterCommit: () => { reached('projector.afterCommit'); } },
    anchorer: { beforeSend: () => { reached('anchorer.beforeSend'); }, afterSend: () => { reached('anchorer.afterSend'); }, afterDone: () => { reached('anchorer.afterDone'); } },
  };
  const workers = (['projector', 'evm-projector', 'anchorer'] as const).map((name) => startWorker(createWorker(name, context, hooks), database, logger));
  process.stdout.write('worker ready\n');
  process.once('SIGTERM', () => {
    void Promise.all(workers.map((w) => w.stop())).then(async () => {
      fabric.close();
      evm.close();
      await database.close();
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-worker: ${String(err)}\n`);
  process.exit(1);
});
