/**
 * Brings a whole network up in this process: crypto material, the channel ledger, chaincode
 * servers, the orderer and committer, and one Gateway gRPC server per organisation; writes the
 * connection file; and takes it all down again in order.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { gateway, peer } from '@hyperledger/fabric-protos';
import { ChaincodeRuntime } from './chaincode/launcher';
import { DEFAULT_NETWORK_FILE, loadNetworkConfig, type CollectionConfig, type NetworkConfig } from './config';
import { DevnetError } from './errors';
import { ensureCryptoMaterial, writeConnectionFile, type ConnectionFile, type NetworkMaterial } from './bootstrap';
import { deliverService } from './gateway/deliver';
import { gatewayService } from './gateway/gateway';
import { CommitNotifier } from './gateway/notifier';
import { genesisEnvelope } from './ledger/genesis';
import { Ledger } from './ledger/ledger';
import { ChannelMsps } from './msp/msp';
import { Orderer } from './orderer/orderer';
import { Committer } from './peer/committer';
import { Endorser } from './peer/endorser';
import { TransientStore } from './peer/transient';

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

async function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `cannot listen on ${address}: ${err.message}`, { cause: err }));
      else resolvePort(port);
    });
  });
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
    // Chaincode servers take the longest to come up (their runtime loads for about half a
    // second): start them first and do everything else while they do.
    let nextCcPort = chaincodePort;
    const starting = Promise.allSettled(
      config.chaincodes.map((cc) => {
        const port = cc.path === undefined || nextCcPort === 0 ? 0 : nextCcPort++;
        return ChaincodeRuntime.start(cc, { host, port, logDir: join(dataDir, 'logs') });
      }),
    );
    cleanups.push(async () => {
      for (const result of await starting) if (result.status === 'fulfilled') await result.value.stop();
    });
    const material: NetworkMaterial = await ensureCryptoMaterial(dataDir, config);
    const runtimes = new Map<string, ChaincodeRuntime>();
    const awaitChaincodes = async (): Promise<void> => {
      const started = await starting;
      for (const result of started) if (result.status === 'fulfilled') runtimes.set(result.value.definition.name, result.value);
      const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    };
    const msps = new ChannelMsps(material.orgs.map((o) => ({ mspId: o.mspId, caCertPem: o.caCertPem })));
    const ordererNode = material.orderer.node;
    const ledger = Ledger.open(join(dataDir, 'ledger', config.channel), ordererNode, () =>
      genesisEnvelope(
        config.channel,
        material.orgs.map((o) => ({ mspId: o.mspId, caCertPem: o.caCertPem })),
        { mspId: material.orderer.mspId, caCertPem: material.orderer.caCertPem },
        ordererNode,
      ),
    );
    cleanups.push(() => {
      ledger.close();
    });
    await awaitChaincodes();

    const policies = new Map(config.chaincodes.map((c) => [c.name, c.policy]));
    const chaincodePolicy = (name: string): ReturnType<typeof policies.get> => policies.get(name);
    const collectionsByChaincode = new Map(config.chaincodes.map((c) => [c.name, c.collections]));
    const collections = (namespace: string): readonly CollectionConfig[] => collectionsByChaincode.get(namespace) ?? [];
    const transient = new TransientStore();
    const endorser = new Endorser({
      channelId: config.channel,
      msps,
      ledger,
      chaincodes: runtimes,
      peers: new Map(material.orgs.map((o) => [o.mspId, o.peer])),
      executeTimeoutMs: config.limits.endorsementTimeoutMs,
      collections,
    });
    const committer = new Committer(
      config.channel,
      ledger,
      msps,
      chaincodePolicy,
      (namespace, collection) => collections(namespace).find((c) => c.name === collection)?.endorsementPolicy,
      transient,
    );
    const orderer = new Orderer(
      {
        channelId: config.channel,
        batchSize: config.orderer.batchSize,
        batchTimeoutMs: config.orderer.batchTimeoutMs,
        maxMessageBytes: config.limits.maxMessageBytes,
        checkSignatures: options.ordererChecksSignatures ?? true,
      },
      msps,
      (batch) => committer.commit(batch),
      (err) => {
        log(`devnet: commit failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      },
    );
    cleanups.push(() => orderer.close());
    const notifier = new CommitNotifier(ledger);
    cleanups.push(() => {
      notifier.close();
    });

    const servers = config.organizations.map(
      () =>
        new Server({
          'grpc.max_receive_message_length': config.limits.maxMessageBytes,
          'grpc.max_send_message_length': config.limits.maxMessageBytes,
        }),
    );
    const ports = await Promise.all(servers.map((server, i) => bind(server, `${host}:${basePort === 0 ? 0 : basePort + 100 * i}`)));
    cleanups.push(async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((done) => {
              const timer = setTimeout(() => {
                server.forceShutdown();
                done();
              }, 2_000);
              server.tryShutdown(() => {
                clearTimeout(timer);
                done();
              });
            }),
        ),
      );
    });
    const addresses = new Map<string, string>();
    config.organizations.forEach((org, i) => addresses.set(org.mspId, `${host}:${ports[i] ?? 0}`));
    const mspIds = config.organizations.map((o) => o.mspId);
    servers.forEach((server, i) => {
      const org = config.organizations[i];
      if (org === undefined) return;
      server.addService(
        gateway.GatewayService,
        gatewayService({
          channelId: config.channel,
          mspId: org.mspId,
          addresses,
          ordererAddress: `${host}:7050`,
          ordererMspId: material.orderer.mspId,
          mspIds,
          msps,
          endorser,
          orderer,
          ledger,
          notifier,
          chaincodePolicy,
          collections,
          transient,
        }),
      );
      server.addService(peer.DeliverService, deliverService(config.channel, ledger, msps));
    });

    const gateways = Object.fromEntries(addresses);
    const { path: connectionPath, connection } = writeConnectionFile(dataDir, config, material, gateways);
    log(`devnet: channel ${config.channel} at block height ${ledger.height}; ${config.organizations.length} gateways from ${addresses.get(mspIds[0] ?? '') ?? ''}`);

    let closing: Promise<void> | undefined;
    return {
      dataDir,
      config,
      connectionPath,
      connection,
      gateways,
      height: () => ledger.height,
      close: () => (closing ??= runCleanups()),
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
