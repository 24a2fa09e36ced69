/**
 * The peer side of the chaincode shim protocol over one `protos.Chaincode/Connect` stream (the
 * chaincode-as-a-service mode, where the peer dials the chaincode). It performs the
 * REGISTER → REGISTERED → READY handshake, sends TRANSACTION messages with the signed proposal,
 * and serves the chaincode's requests (state, ranges with pagination, history, metadata,
 * chaincode-to-chaincode calls) against a {@link TxSimulator}, keyed by channel and txid.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ledger, peer } from '@hyperledger/fabric-protos';
import { DevnetError } from '../errors';
import { keyModificationMessage, type KeyModification } from '../ledger/ledger';
import { QUERY_BATCH, SimulationError, type RangeIterator, type TxSimulator } from '../peer/simulator';
import type { CollectionConfig } from '../config';

const T = peer.ChaincodeMessage.Type;
type MessageType = (typeof T)[keyof typeof T];

/** What a transaction execution needs from the peer. */
export interface ExecutionContext {
  channelId: string;
  txId: string;
  signedProposal: peer.SignedProposal;
  input: peer.ChaincodeInput;
  isInit: boolean;
  /** The chaincode (namespace) being executed. */
  namespace: string;
  simulator: TxSimulator;
  /** MSP of the proposal's creator, for collections' member-only read and write rules. */
  creatorMspId: string;
  /** MSP of the peer simulating, which holds private values only for collections it is a member of. */
  peerMspId: string;
  /** The private data collections a chaincode defines. */
  collections(namespace: string): readonly CollectionConfig[];
  /** History of a key, newest first. */
  history(namespace: string, key: string): KeyModification[];
  /**
   * Runs a chaincode-to-chaincode call in the same transaction and simulator; resolves to the
   * callee's final message (COMPLETED or ERROR).
   */
  invoke(chaincodeName: string, input: peer.ChaincodeInput): Promise<peer.ChaincodeMessage>;
}

interface HistoryIterator {
  kind: 'history';
  items: KeyModification[];
  pos: number;
}

interface TxState {
  ctx: ExecutionContext;
  resolve: (msg: peer.ChaincodeMessage) => void;
  iterators: Map<string, { kind: 'range'; it: RangeIterator } | HistoryIterator>;
  timer: NodeJS.Timeout;
}

/** A Buffer view of the same bytes (Buffer.from would copy them). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The TRANSACTION message of an execution, serialised once: every endorsing organisation's peer
 * sends the chaincode the same txid, channel, input and signed proposal, so their bytes are equal.
 */
const transactionMessages = new WeakMap<peer.ChaincodeInput, { txId: string; channelId: string; bytes: Uint8Array }>();

function transactionMessageBytes(ctx: ExecutionContext): Uint8Array {
  const cached = transactionMessages.get(ctx.input);
  if (cached?.txId === ctx.txId && cached.channelId === ctx.channelId && !ctx.isInit) return cached.bytes;
  const msg = message(ctx.isInit ? T.INIT : T.TRANSACTION, ctx.txId, ctx.channelId, ctx.input.serializeBinary());
  msg.setProposal(ctx.signedProposal);
  const bytes = msg.serializeBinary();
  if (!ctx.isInit) transactionMessages.set(ctx.input, { txId: ctx.txId, channelId: ctx.channelId, bytes });
  return bytes;
}

const ChaincodeClient = grpc.makeGenericClientConstructor(
  {
    connect: {
      path: '/protos.Chaincode/Connect',
      requestStream: true,
      responseStream: true,
      // Pre-serialised messages pass through: a TRANSACTION is encoded once for every organisation.
      requestSerialize: (m: peer.ChaincodeMessage | Uint8Array) => asBuffer(m instanceof Uint8Array ? m : m.serializeBinary()),
      requestDeserialize: (b: Buffer) => peer.ChaincodeMessage.deserializeBinary(b),
      responseSerialize: (m: peer.ChaincodeMessage) => Buffer.from(m.serializeBinary()),
      responseDeserialize: (b: Buffer) => peer.ChaincodeMessage.deserializeBinary(b),
    },
  },
  'protos.Chaincode',
);

function message(type: MessageType, txid: string, channelId: string, payload?: Uint8Array): peer.ChaincodeMessage {
  const msg = new peer.ChaincodeMessage();
  msg.setType(type);
  msg.setTxid(txid);
  msg.setChannelId(channelId);
  if (payload !== undefined) msg.setPayload(payload);
  return msg;
}

function errorMessage(txid: string, channelId: string, text: string): peer.ChaincodeMessage {
  return message(T.ERROR, txid, channelId, Buffer.from(text, 'utf8'));
}

/** Fabric's answer to a private-data request naming a collection the chaincode does not define. */
function noCollections(namespace: string): string {
  return `collection config not defined for chaincode [${namespace}], pass the collection configuration upon chaincode definition/instantiation`;
}

/**
 * The collection a private-data request names, after Fabric's member-only checks on the creator.
 *
 * @throws SimulationError for an undefined collection or a creator without the permission.
 */
function collectionFor(ctx: ExecutionContext, name: string, access: 'read' | 'write'): CollectionConfig {
  const defined = ctx.collections(ctx.namespace);
  const collection = defined.find((c) => c.name === name);
  if (collection === undefined) {
    throw new SimulationError(defined.length > 0 ? `collection ${name} not found for chaincode ${ctx.namespace}` : noCollections(ctx.namespace));
  }
  const memberOnly = access === 'read' ? collection.memberOnlyRead : collection.memberOnlyWrite;
  if (memberOnly && !collection.members.includes(ctx.creatorMspId)) {
    throw new SimulationError(`tx creator does not have ${access} access permission on privatedata in chaincodeName:${ctx.namespace} collectionName: ${name}`);
  }
  return collection;
}

/** One Connect stream to one chaincode server. */
export class ChaincodeStream {
  private readonly transactions = new Map<string, TxState>();
  private closedReason: string | undefined;

  private constructor(
    private readonly client: grpc.Client,
    private readonly stream: grpc.ClientDuplexStream<peer.ChaincodeMessage | Uint8Array, peer.ChaincodeMessage>,
    /** The chaincode id the chaincode registered with (`label:hash`). */
    readonly chaincodeId: string,
    private readonly onClosed: (reason: string) => void,
  ) {
    stream.on('data', (msg: peer.ChaincodeMessage) => {
      this.onMessage(msg);
    });
    stream.on('error', (err: Error) => {
      this.fail(`chaincode stream terminated: ${err.message}`);
    });
    stream.on('end', () => {
      this.fail('chaincode stream terminated');
    });
  }

  /**
   * Dials a chaincode server and completes the handshake.
   *
   * @throws DevnetError `DEVNET.CHAINCODE_UNAVAILABLE` when the server cannot be reached, does not
   * register within `timeoutMs`, or registers with an unexpected message.
   */
  static async connect(address: string, timeoutMs: number, onClosed: (reason: string) => void = () => undefined): Promise<ChaincodeStream> {
    const client = new ChaincodeClient(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      // A freshly spawned chaincode listens within a second, and start-up waits for it: retry
      // every 50 ms (grpc's default 1 s → 120 s backoff, or even a 500 ms cap, adds up to that
      // much to every start). A refused local connection costs next to nothing.
      'grpc.initial_reconnect_backoff_ms': 50,
      'grpc.max_reconnect_backoff_ms': 50,
    });
    const deadline = Date.now() + timeoutMs;
    try {
      await new Promise<void>((resolve, reject) => {
        client.waitForReady(deadline, (err) => {
          if (err) reject(err);
          else resolve();
        });
      });
    } catch (err) {
      client.close();
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode server at ${address} is not reachable: ${String(err)}`, { cause: err });
    }
    const connect = (client as unknown as { connect(): grpc.ClientDuplexStream<peer.ChaincodeMessage | Uint8Array, peer.ChaincodeMessage> }).connect.bind(client);
    const stream = connect();
    const register = await new Promise<peer.ChaincodeMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('no REGISTER message'));
      }, Math.max(1, deadline - Date.now()));
      const cleanup = (): void => {
        clearTimeout(timer);
        stream.removeListener('data', onData);
        stream.removeListener('error', onError);
      };
      const onData = (msg: peer.ChaincodeMessage): void => {
        cleanup();
        resolve(msg);
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      stream.once('data', onData);
      stream.once('error', onError);
    }).catch((err: unknown) => {
      stream.cancel();
      client.close();
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode at ${address} did not register: ${String(err)}`, { cause: err });
    });
    if (register.getType() !== T.REGISTER) {
      stream.cancel();
      client.close();
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode at ${address} sent message type ${register.getType()} instead of REGISTER`);
    }
    const chaincodeId = peer.ChaincodeID.deserializeBinary(register.getPayload_asU8()).getName();
    stream.write(message(T.REGISTERED, '', ''));
    stream.write(message(T.READY, '', ''));
    return new ChaincodeStream(client, stream, chaincodeId, onClosed);
  }

  /** False once the stream has ended; executions then fail at once. */
  get alive(): boolean {
    return this.closedReason === undefined;
  }

  /**
   * Sends TRANSACTION (or INIT) and serves the chaincode's requests until it answers COMPLETED or
   * ERROR. Never rejects: failures (timeout, stream loss, a txid already in flight) resolve to an
   * ERROR message, which the endorser reports as Fabric does.
   */
  execute(ctx: ExecutionContext, timeoutMs: number): Promise<peer.ChaincodeMessage> {
    const key = `${ctx.channelId}\u0000${ctx.txId}`;
    if (this.closedReason !== undefined) return Promise.resolve(errorMessage(ctx.txId, ctx.channelId, this.closedReason));
    if (this.transactions.has(key)) {
      return Promise.resolve(errorMessage(ctx.txId, ctx.channelId, `txid: ${ctx.txId}(${ctx.channelId}) exists`));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.finish(key, errorMessage(ctx.txId, ctx.channelId, 'timeout expired while executing transaction'));
      }, timeoutMs);
      this.transactions.set(key, { ctx, resolve, iterators: new Map(), timer });
      this.stream.write(transactionMessageBytes(ctx));
    });
  }

  /** Ends the stream and fails every transaction in flight. */
  close(): void {
    this.fail('chaincode stream closed by the peer');
    this.stream.cancel();
    this.client.close();
  }

  private fail(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const [key, tx] of this.transactions) this.finish(key, errorMessage(tx.ctx.txId, tx.ctx.channelId, reason));
    this.onClosed(reason);
  }

  private finish(key: string, msg: peer.ChaincodeMessage): void {
    const tx = this.transactions.get(key);
    if (tx === undefined) return;
    this.transactions.delete(key);
    clearTimeout(tx.timer);
    for (const entry of tx.iterators.values()) if (entry.kind === 'range') tx.ctx.simulator.closeIterator(entry.it);
    tx.resolve(msg);
  }

  private onMessage(msg: peer.ChaincodeMessage): void {
    const type = msg.getType();
    if (type === T.KEEPALIVE) return;
    const txid = msg.getTxid();
    const channelId = msg.getChannelId();
    const key = `${channelId}\u0000${txid}`;
    const tx = this.transactions.get(key);
    if (type === T.COMPLETED || type === T.ERROR) {
      this.finish(key, msg);
      return;
    }
    if (tx === undefined) {
      this.stream.write(errorMessage(txid, channelId, `[${txid}] no ledger context`));
      return;
    }
    if (type === T.INVOKE_CHAINCODE) {
      void this.handleInvoke(tx, msg);
      return;
    }
    let reply: peer.ChaincodeMessage;
    try {
      reply = message(T.RESPONSE, txid, channelId, this.handleRequest(tx, type, msg.getPayload_asU8()));
    } catch (err) {
      reply = errorMessage(txid, channelId, err instanceof Error ? err.message : String(err));
    }
    if (this.transactions.has(key)) this.stream.write(reply);
  }

  private handleRequest(tx: TxState, type: MessageType, payload: Uint8Array): Uint8Array {
    const { simulator, namespace } = tx.ctx;
    switch (type) {
      case T.GET_STATE: {
        const req = peer.GetState.deserializeBinary(payload);
        const name = req.getCollection();
        if (name === '') return simulator.getState(namespace, req.getKey());
        const collection = collectionFor(tx.ctx, name, 'read');
        return simulator.getPrivateData(namespace, name, req.getKey(), collection.members.includes(tx.ctx.peerMspId));
      }
      case T.PUT_STATE: {
        const req = peer.PutState.deserializeBinary(payload);
        const name = req.getCollection();
        if (name === '') simulator.putState(namespace, req.getKey(), req.getValue_asU8());
        else {
          collectionFor(tx.ctx, name, 'write');
          simulator.putPrivateData(namespace, name, req.getKey(), req.getValue_asU8());
        }
        return new Uint8Array(0);
      }
      case T.DEL_STATE: {
        const req = peer.DelState.deserializeBinary(payload);
        const name = req.getCollection();
        if (name === '') simulator.deleteState(namespace, req.getKey());
        else {
          collectionFor(tx.ctx, name, 'write');
          simulator.putPrivateData(namespace, name, req.getKey(), new Uint8Array(0));
        }
        return new Uint8Array(0);
      }
      case T.GET_PRIVATE_DATA_HASH: {
        const req = peer.GetState.deserializeBinary(payload);
        if (!tx.ctx.collections(namespace).some((c) => c.name === req.getCollection())) throw new SimulationError(noCollections(namespace));
        return simulator.getPrivateDataHash(namespace, req.getCollection(), req.getKey());
      }
      case T.GET_STATE_METADATA: {
        const req = peer.GetStateMetadata.deserializeBinary(payload);
        if (req.getCollection() !== '') throw new SimulationError('private data metadata (key-level policies on collections) is not supported by the devnet');
        const metadata = simulator.getStateMetadata(namespace, req.getKey());
        const result = new peer.StateMetadataResult();
        result.setEntriesList(
          [...metadata.keys()].sort().map((name) => {
            const entry = new peer.StateMetadata();
            entry.setMetakey(name);
            entry.setValue(metadata.get(name) ?? Buffer.alloc(0));
            return entry;
          }),
        );
        return result.serializeBinary();
      }
      case T.PUT_STATE_METADATA: {
        const req = peer.PutStateMetadata.deserializeBinary(payload);
        if (req.getCollection() !== '') throw new SimulationError('private data metadata (key-level policies on collections) is not supported by the devnet');
        const metadata = req.getMetadata();
        if (metadata === undefined) throw new SimulationError('metadata is required');
        simulator.putStateMetadata(namespace, req.getKey(), metadata.getMetakey(), metadata.getValue_asU8());
        return new Uint8Array(0);
      }
      case T.GET_STATE_BY_RANGE:
        return this.handleRange(tx, peer.GetStateByRange.deserializeBinary(payload));
      case T.QUERY_STATE_NEXT:
        return this.nextBatch(tx, peer.QueryStateNext.deserializeBinary(payload).getId());
      case T.QUERY_STATE_CLOSE: {
        const id = peer.QueryStateClose.deserializeBinary(payload).getId();
        const entry = tx.iterators.get(id);
        if (entry?.kind === 'range') simulator.closeIterator(entry.it);
        tx.iterators.delete(id);
        const res = new peer.QueryResponse();
        res.setHasMore(false);
        res.setId(id);
        return res.serializeBinary();
      }
      case T.GET_HISTORY_FOR_KEY: {
        const req = peer.GetHistoryForKey.deserializeBinary(payload);
        const id = randomUUID();
        tx.iterators.set(id, { kind: 'history', items: tx.ctx.history(namespace, req.getKey()), pos: 0 });
        return this.nextBatch(tx, id);
      }
      case T.GET_QUERY_RESULT:
        // Fabric on LevelDB answers exactly this; matching it keeps rich queries from passing here.
        throw new SimulationError('ExecuteQuery not supported for leveldb');
      case T.PURGE_PRIVATE_DATA:
        throw new SimulationError('PurgePrivateData is not supported by the devnet');
      default:
        throw new SimulationError(`[${tx.ctx.txId}] Fabric side handler cannot handle message (${type}) while in ready state`);
    }
  }

  private handleRange(tx: TxState, req: peer.GetStateByRange): Uint8Array {
    const collectionName = req.getCollection();
    if (collectionName !== '') {
      // Fabric serves private ranges unpaginated and does not validate them for phantoms.
      const collection = collectionFor(tx.ctx, collectionName, 'read');
      const member = collection.members.includes(tx.ctx.peerMspId);
      const it = member
        ? tx.ctx.simulator.privateRangeIterator(tx.ctx.namespace, collectionName, req.getStartkey(), req.getEndkey())
        : tx.ctx.simulator.privateRangeIterator('\u0000not-a-member', collectionName, req.getStartkey(), req.getEndkey());
      const rangeId = randomUUID();
      tx.iterators.set(rangeId, { kind: 'range', it });
      return this.nextBatch(tx, rangeId);
    }
    const metadataBytes = req.getMetadata_asU8();
    let paginated: { pageSize: number; bookmark: string } | undefined;
    if (metadataBytes.length > 0) {
      const meta = peer.QueryMetadata.deserializeBinary(metadataBytes);
      paginated = { pageSize: meta.getPagesize(), bookmark: meta.getBookmark() };
    }
    const startKey = paginated !== undefined && paginated.bookmark !== '' ? paginated.bookmark : req.getStartkey();
    const it = tx.ctx.simulator.rangeIterator(tx.ctx.namespace, startKey, req.getEndkey(), paginated);
    const id = randomUUID();
    tx.iterators.set(id, { kind: 'range', it });
    if (paginated === undefined) return this.nextBatch(tx, id);
    // A paginated query returns its whole page at once, with the bookmark (Fabric's handler).
    const { results } = it.next(Number.MAX_SAFE_INTEGER);
    const res = new peer.QueryResponse();
    res.setId(id);
    res.setHasMore(false);
    res.setResultsList(results.map((r) => this.kvResult(tx.ctx.namespace, r.key, r.value)));
    const meta = new peer.QueryResponseMetadata();
    meta.setFetchedRecordsCount(results.length);
    meta.setBookmark(it.nextKey());
    res.setMetadata(meta.serializeBinary());
    tx.ctx.simulator.closeIterator(it);
    tx.iterators.delete(id);
    return res.serializeBinary();
  }

  private kvResult(namespace: string, key: string, value: Uint8Array): peer.QueryResultBytes {
    const kvMsg = new ledger.queryresult.KV();
    kvMsg.setNamespace(namespace);
    kvMsg.setKey(key);
    kvMsg.setValue(value);
    const bytes = new peer.QueryResultBytes();
    bytes.setResultbytes(kvMsg.serializeBinary());
    return bytes;
  }

  private nextBatch(tx: TxState, id: string): Uint8Array {
    const entry = tx.iterators.get(id);
    if (entry === undefined) throw new SimulationError(`query iterator not found: ${id}`);
    const res = new peer.QueryResponse();
    res.setId(id);
    if (entry.kind === 'range') {
      const { results, hasMore } = entry.it.next(QUERY_BATCH);
      res.setResultsList(results.map((r) => this.kvResult(tx.ctx.namespace, r.key, r.value)));
      res.setHasMore(hasMore);
      if (!hasMore) {
        tx.ctx.simulator.closeIterator(entry.it);
        tx.iterators.delete(id);
      }
    } else {
      const batch = entry.items.slice(entry.pos, entry.pos + QUERY_BATCH);
      entry.pos += batch.length;
      res.setResultsList(
        batch.map((m) => {
          const bytes = new peer.QueryResultBytes();
          bytes.setResultbytes(keyModificationMessage(m).serializeBinary());
          return bytes;
        }),
      );
      res.setHasMore(entry.pos < entry.items.length);
      if (entry.pos >= entry.items.length) tx.iterators.delete(id);
    }
    return res.serializeBinary();
  }

  private async handleInvoke(tx: TxState, msg: peer.ChaincodeMessage): Promise<void> {
    const txid = msg.getTxid();
    const channelId = msg.getChannelId();
    let reply: peer.ChaincodeMessage;
    try {
      const spec = peer.ChaincodeSpec.deserializeBinary(msg.getPayload_asU8());
      const target = spec.getChaincodeId()?.getName() ?? '';
      const [nameAndVersion = '', targetChannel = ''] = target.split('/');
      const name = nameAndVersion.split(':')[0] ?? '';
      if (targetChannel !== '' && targetChannel !== channelId) {
        throw new SimulationError(`channel '${targetChannel}' not found`);
      }
      if (name === tx.ctx.namespace) throw new SimulationError(`chaincode ${name} cannot invoke itself`);
      const result = await tx.ctx.invoke(name, spec.getInput() ?? new peer.ChaincodeInput());
      reply = message(T.RESPONSE, txid, channelId, result.serializeBinary());
    } catch (err) {
      reply = errorMessage(txid, channelId, err instanceof Error ? err.message : String(err));
    }
    if (this.transactions.has(`${channelId}\u0000${txid}`)) this.stream.write(reply);
  }
}
