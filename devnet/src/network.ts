/**
 * Brings a whole network up in this process: chaincode servers first, then (in `nodes.ts`) crypto
 * material, the channel ledger, the orderer and committer, and one Gateway gRPC server per
 * organisation; writes the connection file; and takes it all down again in order.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChaincodeRuntime } from './chaincode/launcher';
import { DEFAULT_NETWORK_FILE, loadNetworkConfig, type NetworkConfig } from './config';
import { DevnetError } from './errors';
import type { ConnectionFile } from './bootstrap';

/** Options of {@link startDevnet}. */
export interface StartDevnetOptions {
  /** Where crypto material, blocks and state live. Default `.data/devnet` under the working directory. */
  dataDir?: string;
  /** A parsed configuration or the path of a network file. Default `devnet/network.json`. */
  config?: NetworkConfig | string;
  /** Interface the gateways and chaincode servers listen on. Default 127.0.0.1. */
  host?: string;
  /** Gateway port of the first organisation; the i-th gets basePort + 100·i. 0 = ephemeral ports. Default 7051. */
  basePort?: number;
  /** Port of the first spawned chaincode server (then +1 each). 0 = ephemeral. Default 9999, or 0 when basePort is 0. */
  chaincodePort?: number;
  /** Fabric's orderer refuses envelopes whose creator signature fails; tests may disable it to reach committer-side codes. */
  ordererChecksSignatures?: boolean;
  /** Receives one-line progress and error messages. Default: silent. */
  log?: (line: string) => void;
}

/** A running devnet. */
export interface Devnet {
  dataDir: string;
  config: NetworkConfig;
  /** Absolute path of connection.json. */
  connectionPath: string;
  connection: ConnectionFile;
  /** Gateway address per MSP id. */
  gateways: Record<string, string>;
  /** Current block height of the channel. */
  height(): number;
  /** Stops the gateways, flushes the orderer, stops chaincode servers and closes the ledger. */
  close(): Promise<void>;
}

const LOCK_FILE = 'devnet.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A killed process its parent has not reaped yet still answers signal 0 (Linux only).
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function takeLock(dataDir: string): void {
  const file = join(dataDir, LOCK_FILE);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new DevnetError('DEVNET.ALREADY_RUNNING', `a devnet (pid ${pid}) is already using ${dataDir}`);
    }
  }
  writeFileSync(file, `${process.pid}\n`);
}

/**
 * The ledger, ordering, peer and gateway code (gRPC and protobufs, a few hundred milliseconds to
 * load), loaded once the chaincode servers have been spawned so that both happen at once.
 */
function nodesModule(): typeof import('./nodes') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate on-demand load in CommonJS
  return require('./nodes') as typeof import('./nodes');
}

/**
 * Starts the network described by `options.config` (default: the eleven-organisation network of
 * DEVELOPERS.md) and resolves once every gateway listens and every chaincode has registered.
 *
 * @throws ConfigError for an invalid configuration; DevnetError `DEVNET.ALREADY_RUNNING` when
 * another live process holds the data directory, `DEVNET.CHAINCODE_UNAVAILABLE` when a chaincode
 * cannot be started or a port cannot be bound; LedgerCorruptError for a damaged ledger.
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir ?? join('.data', 'devnet'));
  const config = typeof options.config === 'object' ? options.config : loadNetworkConfig(options.config ?? DEFAULT_NETWORK_FILE);
  const host = options.host ?? '127.0.0.1';
  const basePort = options.basePort ?? 7051;
  const chaincodePort = options.chaincodePort ?? (basePort === 0 ? 0 : 9999);
  mkdirSync(dataDir, { recursive: true });
  takeLock(dataDir);

  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      rmSync(join(dataDir, LOCK_FILE), { force: true });
    },
  ];
  const runCleanups = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`devnet: error while stopping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    cleanups.length = 0;
  };

  try {
    // Chaincode servers take the longest to come up (their runtime loads for half a second or
    // more): spawn them before anything else, and load and start the rest while they boot.
    let nextCcPort = chaincodePort;
    const launched = await Promise.allSettled(
      config.chaincodes.map((cc) => {
        const port = cc.path === undefined || nextCcPort === 0 ? 0 : nextCcPort++;
        return ChaincodeRuntime.launch(cc, { host, port, logDir: join(dataDir, 'logs') });
      }),
    );
    cleanups.push(async () => {
      for (const result of launched) if (result.status === 'fulfilled') await result.value.stop();
    });
    const starting = Promise.allSettled(launched.map((r) => (r.status === 'fulfilled' ? r.value.ready() : Promise.reject(r.reason as Error))));
    // The gRPC and protobuf code loads here, while the chaincode servers boot.
    const nodes = await nodesModule().startNodes({
      dataDir,
      config,
      host,
      basePort,
      ordererChecksSignatures: options.ordererChecksSignatures ?? true,
      log,
      chaincodes: starting,
      cleanups,
    });

    let closing: Promise<void> | undefined;
    return { dataDir, config, ...nodes, close: () => (closing ??= runCleanups()) };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
