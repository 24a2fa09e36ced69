/**
 * `npm run readmodel:rebuild`: drops the read model's projections and rebuilds them from the
 * ledgers (Fabric events, TrustAnchor logs). Stop the API first when it runs on the embedded
 * PGlite read model (one process at a time); with PostgreSQL, stop the projector workers.
 */
import { ConfigError, loadConfig } from '../config/config';
import { createLogger } from '../logger';
import { openLedgers, readerActor } from '../main';
import { ServiceMetrics } from '../metrics';
import { openDatabase } from '../readmodel/database';
import { rebuildReadModel } from '../readmodel/rebuild';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  const { fabric, evm } = openLedgers(config, new ServiceMetrics());
  try {
    await database.migrate();
    const started = Date.now();
    const report = await rebuildReadModel({ database, fabric, evm, reader: readerActor(config), confirmations: config.evm.confirmations, log });
    process.stdout.write(
      `readmodel:rebuild: ${String(report.certificates)} certificates from ${String(report.fabricBlocks)} Fabric blocks in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    fabric.close();
    evm.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  const code = typeof err === 'object' && err !== null && 'code' in err ? `${String((err).code)}: ` : '';
  process.stderr.write(`readmodel:rebuild: ${code}${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
