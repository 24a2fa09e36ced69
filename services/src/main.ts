/**
 * The services' entry point: `startServices(config)` starts the API and the in-process workers
 * and returns a handle to stop them; run as a program (`npm run api`, or `node -r
 * ts-node/register/transpile-only services/src/main.ts`) it reads the environment, starts, and
 * shuts down cleanly on SIGINT/SIGTERM.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config, type WorkerName } from './config/config';
import { CertificateBatchService } from './domain/certificate-batch.service';
import { CertificateService } from './domain/certificate.service';
import { CertificateStatusService } from './domain/certificate-status.service';
import { certificateFont, openCertificateFont } from './domain/certificate-print';
import { WalletService } from './domain/wallet.service';
import { loadConnectionProfile } from './ledger/fabric/connection-profile';
import type { PublicConfig } from './routes/verify.routes';
import type { SnapshotSigner } from './verification';
import { loadCatalogue, seedCatalogue } from './domain/catalogue';
import { HealthService } from './domain/health.service';
import { loadOrCreateSecret, subjectRefOf } from './domain/subject-ref';
import { VerificationService } from './domain/verification.service';
import { createApp } from './http/app';
import { openDevIdentityProvider, type DevIdentityProvider } from './identity/dev-identity-provider';
import { demoUsers } from './identity/demo-users';
import { loadOrganisations } from './identity/organisations';
import { localTokenVerifier, remoteTokenVerifier, type TokenVerifier } from './identity/token-verifier';
import { openEvmLedger, type EvmLedger } from './ledger/evm/evm-ledger';
import { openFabricLedger, type FabricActor, type FabricLedger } from './ledger/fabric/fabric-ledger';
import { announceInstance, clusterMetricsText, isInstance, runPrimary } from './instances';
import { createLogger, type Logger } from './logger';
import { ServiceMetrics } from './metrics';
import { openDatabase, type DatabaseSettings, type ReadModelDatabase } from './readmodel/database';
import { CheckpointRepository, projectedThrough } from './repositories/checkpoint.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { apiDocument, buildRouteTable } from './routes';
import { Anchorer, type AnchorerHooks } from './workers/anchorer';
import { EvmProjector } from './workers/evm-projector';
import { FabricHeightTracker } from './workers/fabric-height';
import { FABRIC_PROJECTOR, FabricProjector, type ProjectorHooks } from './workers/fabric-projector';
import { ProjectionWatcher } from './workers/projection-watcher';
import { backoffMs, sleep, startWorker, type RunningWorker, type Worker } from './workers/worker';

/** A running instance of the services. */
export interface ServicesHandle {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly database: ReadModelDatabase;
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Resolves once the certificate type catalogue is on the ledger (never when seeding is off). */
  readonly catalogueSeeded: Promise<void>;
  /** Stops the in-process workers (the API keeps serving), e.g. before a rebuild. */
  stopWorkers(): Promise<void>;
  /** Stops accepting requests, stops the workers and closes every connection. */
  close(): Promise<void>;
}

/** Extras for tests and the lead's start script. */
export interface StartOptions {
  /** Where log lines go (default stdout). */
  readonly logDestination?: pino.DestinationStream;
  readonly projectorHooks?: ProjectorHooks;
  readonly anchorerHooks?: AnchorerHooks;
  /** Overrides `config.database` (tests use an in-memory PGlite or a throwaway database). */
  readonly database?: DatabaseSettings;
  /** What `/metrics` answers instead of this instance's registry (several instances: all of them). */
  readonly metricsText?: () => Promise<string>;
}

/** The ledger pieces the workers need. */
export interface LedgerContext {
  readonly config: Config;
  readonly database: ReadModelDatabase;
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly watcher: ProjectionWatcher;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly heights?: FabricHeightTracker;
  /** Called when a projector sees a certificate status change or a revocation (cache invalidation). */
  readonly onStatusChange?: () => void;
}

const IssuerKeysSchema = z.record(z.string().min(1), z.string().regex(/^0x[0-9a-fA-F]{64}$/));

/**
 * The department keys that sign offline bundles' snapshots: each organisation's `admin` Fabric
 * identity key from the connection file (the same P-256 keys IssuerRegistry lists), read on first
 * use. Undefined for an organisation the wallet holds no admin key of.
 */
export function departmentSigners(config: Config): (mspId: string) => SnapshotSigner | undefined {
  const cache = new Map<string, SnapshotSigner | undefined>();
  return (mspId) => {
    if (cache.has(mspId)) return cache.get(mspId);
    let signer: SnapshotSigner | undefined;
    try {
      const identity = loadConnectionProfile(config.fabric.connectionFile).organisations.get(mspId)?.identities.get('admin');
      if (identity !== undefined) signer = { mspId, privateJwk: createPrivateKey(identity.privateKeyPem).export({ format: 'jwk' }) };
    } catch {
      // The connection file is not there yet: try again next time.
      return undefined;
    }
    cache.set(mspId, signer);
    return signer;
  };
}

/** Opens the ledger adapters from the configuration (lazily connecting). */
export function openLedgers(config: Config, metrics: ServiceMetrics): { fabric: FabricLedger; evm: EvmLedger } {
  let departmentKeys: Record<string, string> | undefined;
  if (config.evm.issuerKeysFile !== undefined) {
    const parsed = IssuerKeysSchema.safeParse(JSON.parse(readFileSync(config.evm.issuerKeysFile, 'utf8')));
    if (!parsed.success) throw new ConfigError([{ variable: 'EVM_ISSUER_KEYS_FILE', message: 'must be a JSON object of MSP id → 0x private key' }]);
    departmentKeys = parsed.data;
  }
  const fabric = openFabricLedger({
    connectionFile: config.fabric.connectionFile,
    chaincode: config.fabric.chaincode,
    timeouts: config.fabric.timeouts,
    mvccRetries: config.fabric.mvccRetries,
    metrics,
  });
  const evm = openEvmLedger({
    rpcUrl: config.evm.rpcUrl,
    deploymentFile: config.evm.deploymentFile,
    signerKey: config.evm.signerKey,
    departmentKeys,
    confirmations: config.evm.confirmations,
    txTimeoutMs: config.evm.txTimeoutMs,
    metrics,
  });
  return { fabric, evm };
}

/** The identity that reads events and records: any member of the channel may. */
export function readerActor(config: Config): FabricActor {
  return { mspId: config.fabric.eventsOrg, identity: 'user' };
}

/** Builds a worker by name. */
export function createWorker(name: WorkerName, context: LedgerContext, hooks: { projector?: ProjectorHooks; anchorer?: AnchorerHooks } = {}): Worker {
  const { config, database, fabric, evm, watcher, logger, metrics, heights, onStatusChange } = context;
  switch (name) {
    case 'projector':
      return new FabricProjector({
        db: database.db,
        fabric,
        actor: readerActor(config),
        watcher,
        log: logger.child({ worker: name }),
        metrics,
        hooks: hooks.projector,
        onBlock: (block) => heights?.observe(block),
        onStatusChange,
      });
    case 'evm-projector':
      return new EvmProjector({ db: database.db, evm, confirmations: config.evm.confirmations, pollMs: 1_000, watcher, log: logger.child({ worker: name }), metrics, onRevocation: onStatusChange });
    case 'anchorer':
      return new Anchorer({ db: database.db, evm, maxAttempts: config.outboxMaxAttempts, pollMs: 1_000, log: logger.child({ worker: name }), metrics, hooks: hooks.anchorer, watcher });
  }
}

async function identityOf(config: Config, users: ReturnType<typeof demoUsers>, secret: string): Promise<{ verifier: TokenVerifier; devIdp: DevIdentityProvider | undefined }> {
  const toSubjectRef = (idNumber: string): string => subjectRefOf(secret, idNumber);
  if (config.identity.kind === 'external') {
    return { verifier: remoteTokenVerifier(config.identity.jwksUrl, config.identity.issuer, config.identity.audience, config.claims, toSubjectRef), devIdp: undefined };
  }
  const devIdp = await openDevIdentityProvider({
    keyFile: config.identity.keyFile,
    issuer: config.identity.issuer,
    audience: config.identity.audience,
    users,
    rolesClaim: config.claims.roles,
    orgClaim: config.claims.org,
    idNumberClaim: config.claims.idNumber,
  });
  return { verifier: localTokenVerifier(devIdp.jwks, devIdp.issuer, devIdp.audience, config.claims, toSubjectRef), devIdp };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the API and the configured in-process workers. Fabric and the EVM chain are connected
 * lazily: the API starts (and reports them down in `/api/health`) while they come up.
 *
 * @throws {@link ConfigError} for an unusable configuration file; database errors when the read
 *   model cannot be opened or migrated; `EADDRINUSE` when the port is taken.
 */
export async function startServices(config: Config, options: StartOptions = {}): Promise<ServicesHandle> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const metrics = new ServiceMetrics().withDefaults();
  const database = await openDatabase(options.database ?? config.database);
  const cleanups: (() => Promise<void> | void)[] = [() => database.close()];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.error({ err }, 'error while closing');
      }
    }
  };
  try {
    await database.migrate();
    const secret = config.subjectRefSecret ?? (await loadOrCreateSecret(config.subjectRefSecretFile));
    const organisations = loadOrganisations(config.organisationsFile);
    const font = openCertificateFont(certificateFont(config.certificateFontFile));
    const users = demoUsers(organisations, config.fabric.adminOrg);
    const { verifier, devIdp } = await identityOf(config, users, secret);
    const { fabric, evm } = openLedgers(config, metrics);
    cleanups.push(
      () => {
        fabric.close();
      },
      () => {
        evm.close();
      },
    );
    const watcher = new ProjectionWatcher();
    const checkpoints = new CheckpointRepository(database.db);
    const heights = new FabricHeightTracker(fabric, readerActor(config), async () => projectedThrough(await checkpoints.get(FABRIC_PROJECTOR)) + 1, logger);
    heights.start();
    cleanups.push(() => heights.stop());

    const outbox = new OutboxRepository(database.db);
    const certificates = new CertificateService({
      db: database.db,
      fabric,
      evm,
      watcher,
      subjectRefSecret: secret,
      organisationNames: new Map(organisations.map((o) => [o.mspId, o.name])),
      readWaitMaxMs: config.http.readWaitMaxMs,
    });
    const verification = new VerificationService({ fabric, evm, rpcUrl: config.evm.rpcUrl, reader: readerActor(config), cacheTtlMs: config.verifyCacheTtlMs, db: database.db });
    cleanups.push(() => {
      verification.close();
    });
    const organisationNames = new Map(organisations.map((o) => [o.mspId, o.name]));
    const batches = new CertificateBatchService({ db: database.db, fabric, evm, watcher, subjectRefSecret: secret, organisationNames, readWaitMaxMs: config.http.readWaitMaxMs });
    const status = new CertificateStatusService({ fabric, batches, verification });
    const wallet = new WalletService({
      db: database.db,
      fabric,
      verification,
      signerFor: departmentSigners(config),
      secret,
      organisations: new Set(organisations.map((o) => o.mspId)),
      font,
    });
    const publicConfig = (): PublicConfig => {
      const deployment = evm.deployment;
      return { chainId: deployment.chainId, rpcUrl: config.publicConfig.evmRpcUrl, trustAnchor: deployment.trustAnchor.address, issuerRegistry: deployment.issuerRegistry.address, apiBase: config.publicConfig.apiBase };
    };
    const health = new HealthService({ db: database.db, fabric, evm, heights, probe: readerActor(config), maxLagBlocks: config.projectorMaxLagBlocks });
    let document: unknown;
    const routes = buildRouteTable({
      health,
      outbox,
      certificates,
      verification,
      batches,
      status,
      wallet,
      documents: { db: database.db, fabric },
      publicConfig,
      devIdp,
      openapi: () => (document ??= apiDocument(routes)),
    });
    const app = createApp({
      logger,
      metrics,
      tokenVerifier: verifier,
      routes,
      idempotency: new IdempotencyRepository(database.db),
      openapi: () => (document ??= apiDocument(routes)),
      bodyLimitBytes: config.http.bodyLimitBytes,
      rateLimitPerMinute: config.http.rateLimitPerMinute,
      metricsEnabled: config.http.metricsEnabled,
      metricsToken: config.http.metricsToken,
      metricsText: options.metricsText,
      webDist: config.webDist,
      trustProxy: config.http.trustProxy,
      browserConnectUrls: [config.publicConfig.evmRpcUrl],
    });

    const context: LedgerContext = {
      config,
      database,
      fabric,
      evm,
      watcher,
      logger,
      metrics,
      heights,
      onStatusChange: () => {
        verification.invalidate();
      },
    };
    const workers: RunningWorker[] = config.workers.map((name) =>
      startWorker(createWorker(name, context, { projector: options.projectorHooks, anchorer: options.anchorerHooks }), database, logger),
    );
    const stopWorkers = async (): Promise<void> => {
      await Promise.all(workers.map((w) => w.stop()));
    };
    cleanups.push(stopWorkers);

    const stopSeeding = new AbortController();
    const catalogueSeeded = config.seedCertificateTypes ? seedInBackground(config, fabric, database, logger, stopSeeding.signal) : new Promise<void>(() => undefined);
    catalogueSeeded.catch(() => undefined);
    cleanups.push(() => {
      stopSeeding.abort();
    });

    // Gauges the workers cannot know alone: lag needs the height this instance follows.
    const gauges = setInterval(() => {
      void (async () => {
        const through = projectedThrough(await checkpoints.get(FABRIC_PROJECTOR));
        if (heights.highestBlock >= 0) metrics.projectorLag.set({ projector: FABRIC_PROJECTOR }, Math.max(0, heights.highestBlock - through));
        const counts = await outbox.counts();
        metrics.outboxDepth.set({ status: 'pending' }, counts.pending);
        metrics.outboxDepth.set({ status: 'dead' }, counts.dead);
      })().catch(() => undefined);
    }, 5_000);
    gauges.unref();
    cleanups.push(() => {
      clearInterval(gauges);
    });

    const maintenance = setInterval(() => {
      new IdempotencyRepository(database.db).purgeOlderThan(24 * 60 * 60 * 1000).catch((err: unknown) => {
        logger.warn({ err }, 'could not purge old idempotency keys');
      });
    }, 60 * 60 * 1000);
    maintenance.unref();
    cleanups.push(() => {
      clearInterval(maintenance);
    });

    const serverInstance = await startHttp(app, config);
    cleanups.push(() => closeServer(serverInstance));
    const address = serverInstance.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${String(address.port)}`;
    logger.info({ url, workers: config.workers, database: database.kind, identity: config.identity.kind }, 'services started');
    return { url, port: address.port, database, fabric, evm, logger, metrics, catalogueSeeded, stopWorkers, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function startHttp(app: ReturnType<typeof createApp>, config: Config): Promise<Server> {
  const { createServer } = await import('node:http');
  const server = createServer(app);
  // Slow clients must not hold sockets forever; a load balancer's keep-alive must outlive ours.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  await listen(server, config.port, config.host);
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
    // In-flight requests get a moment to finish; then the sockets go.
    setTimeout(() => {
      server.closeAllConnections();
    }, 5_000).unref();
  });
}

/** Registers the catalogue on Fabric, retrying with backoff until it succeeds or `signal` aborts. */
async function seedInBackground(config: Config, fabric: FabricLedger, database: ReadModelDatabase, logger: Logger, signal: AbortSignal): Promise<void> {
  const log = logger.child({ task: 'catalogue' });
  const types = loadCatalogue(config.certificateTypesFile);
  const admin: FabricActor = { mspId: config.fabric.adminOrg, identity: 'admin' };
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const acquired = await database.withLock('seed:certificate-types', async () => {
        const outcomes = await seedCatalogue(fabric, admin, types, log);
        log.info({ outcomes }, 'certificate type catalogue is on the ledger');
      });
      // Another instance holding the lock is seeding; the ledger's idempotency makes a later retry harmless.
      if (acquired) return;
    } catch (err) {
      if (attempt === 0 || attempt % 10 === 0) log.warn({ err, attempt }, 'cannot register the certificate types yet; retrying');
    }
    await sleep(backoffMs(attempt, 500, 10_000), signal);
  }
  throw new Error('catalogue seeding stopped');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config.http.instances > 1 && !isInstance()) {
    const url = await runPrimary({
      count: config.http.instances,
      log: (line) => process.stderr.write(`services: ${line}\n`),
    });
    process.stdout.write(`services listening on ${url} (${String(config.http.instances)} instances)\n`);
    return;
  }
  const services = await startServices(config, isInstance() ? { metricsText: clusterMetricsText } : {});
  if (isInstance()) announceInstance(services.url, services.metrics.registry);
  else process.stdout.write(`services listening on ${services.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    services.logger.info({ signal }, 'shutting down');
    services
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`services: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
