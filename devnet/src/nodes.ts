/**
 * The nodes of a running devnet: crypto material, the channel ledger, the endorsers, orderer and
 * committer, and one Gateway (and Deliver) gRPC server per organisation, wired together; writes
 * the connection file. `network.ts` calls it once the chaincode servers are spawned.
 */
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { gateway, peer } from '@hyperledger/fabric-protos';
import { ensureCryptoMaterial, writeConnectionFile, type ConnectionFile, type NetworkMaterial } from './bootstrap';
import { DevnetError } from './errors';
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
import type { ChaincodeRuntime } from './chaincode/launcher';
import type { CollectionConfig, NetworkConfig } from './config';

/** What {@link startNodes} needs from `startDevnet`. */
export interface NodesContext {
  dataDir: string;
  config: NetworkConfig;
  host: string;
  basePort: number;
  ordererChecksSignatures: boolean;
  log: (line: string) => void;
  /** The chaincode servers being started, one result per definition. */
  chaincodes: Promise<PromiseSettledResult<ChaincodeRuntime>[]>;
  /** Where each started part registers how to stop it; the caller runs them in reverse. */
  cleanups: (() => Promise<void> | void)[];
}

/** The parts of a running devnet that callers see. */
export interface StartedNodes {
  connectionPath: string;
  connection: ConnectionFile;
  gateways: Record<string, string>;
  height(): number;
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
 * Starts every node of the network once the chaincode servers have registered.
 *
 * @throws DevnetError `DEVNET.CHAINCODE_UNAVAILABLE` when a chaincode did not start or a port
 * cannot be bound; LedgerCorruptError for a damaged ledger; Error when crypto material does not
 * parse. Parts already started are in `cleanups`.
 */
export async function startNodes(context: NodesContext): Promise<StartedNodes> {
  const { dataDir, config, host, basePort, log, cleanups } = context;
  const starting = context.chaincodes;
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
      checkSignatures: context.ordererChecksSignatures,
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
  return { connectionPath, connection, gateways, height: () => ledger.height };
}
