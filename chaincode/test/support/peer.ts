/**
 * TEST DOUBLE — an in-memory Fabric peer for unit tests of the chaincode.
 *
 * What is real: the chaincode runs inside the unmodified fabric-shim runtime
 * (`ChaincodeMessageHandler`, `ChaincodeStub`, `ClientIdentity`, iterators,
 * `KeyEndorsementPolicy`) and fabric-contract-api's dispatch (`ChaincodeFromContract`), exactly
 * as `fabric-chaincode-node server` wires them, and it receives real signed-proposal protobufs
 * whose creators are real X.509 certificates. The double speaks the chaincode shim protocol
 * (REGISTER/READY, TRANSACTION, GET_STATE, PUT_STATE, GET_STATE_BY_RANGE, QUERY_STATE_NEXT,
 * GET_HISTORY_FOR_KEY, GET/PUT_STATE_METADATA, COMPLETED) to that runtime over an in-memory
 * stream instead of gRPC.
 *
 * What is simulated, keeping Fabric's semantics: the world state (versions per block and tx),
 * simulation without read-your-writes, empty value = delete, range results in UTF-8 byte
 * order in batches of 100, paginated queries refused in a transaction that writes (and writes
 * after one), history newest first, one chaincode event per transaction, execution once per
 * endorsing organisation with the results compared (so non-determinism fails the test), and a
 * committer that checks the chaincode-level policy, key-level (state-based) endorsement
 * policies, MVCC read conflicts and phantom reads for transactions ordered into one block.
 * It does not verify signatures or certificate chains; `devnet/` does that.
 */
import './quiet-logs';
import { EventEmitter } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { JSONSerializer } from 'fabric-contract-api';
import { ChaincodeMessageHandler, type ShimStream } from 'fabric-shim/lib/handler';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';
import { contracts } from '../../src';
import type { TestIdentity } from './identities';
import { ResultSchemas } from './results';

const T = peer.ChaincodeMessage.Type;
type MessageType = peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap];

/** Fabric's transaction validation codes used here (peer/transaction.proto). */
export const TxValidationCode = {
  VALID: 0,
  ENDORSEMENT_POLICY_FAILURE: 10,
  MVCC_READ_CONFLICT: 11,
  PHANTOM_READ_CONFLICT: 12,
} as const;
export type TxValidationCodeValue = (typeof TxValidationCode)[keyof typeof TxValidationCode];

export const CHANNEL = 'community';
export const CHAINCODE = 'ctl';
const NAMESPACE = CHAINCODE;
const MAX_RESULT_LIMIT = 100;
const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

/** The chaincode refused the proposal (status ≥ 400), as a Gateway EndorseError reports it. */
export class ChaincodeFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fn: string,
  ) {
    super(message);
    this.name = ChaincodeFailure.name;
  }
}

/** A committed transaction was marked invalid by the committer. */
export class CommitFailure extends Error {
  constructor(
    readonly code: TxValidationCodeValue,
    readonly txId: string,
    readonly fn: string,
  ) {
    super(`transaction ${txId} (${fn}) committed with validation code ${code}`);
    this.name = CommitFailure.name;
  }
}

interface Version {
  readonly block: number;
  readonly tx: number;
}

interface StateEntry {
  readonly value: Buffer;
  readonly version: Version;
  readonly metadata: ReadonlyMap<string, Buffer>;
}

interface HistoryRecord {
  readonly txId: string;
  readonly value: Buffer;
  readonly isDelete: boolean;
  readonly timestamp: Date;
}

interface RangeRead {
  readonly start: string;
  readonly end: string;
  readonly results: { key: string; version: Version }[];
  exhausted: boolean;
}

interface OpenIterator {
  readonly rows: Uint8Array[];
  position: number;
  readonly range: RangeRead | null;
  readonly rangeRows: { key: string; version: Version }[];
  readonly limit: number;
}

/** The chaincode event of a transaction. */
export interface TxEvent {
  readonly name: string;
  readonly payload: unknown;
}

/** The simulation results of one proposal on one organisation's peer. */
interface Simulation {
  readonly txId: string;
  readonly reads: Map<string, Version | null>;
  readonly writes: Map<string, Buffer | null>;
  readonly metadataWrites: Map<string, Map<string, Buffer>>;
  readonly ranges: RangeRead[];
  readonly iterators: Map<string, OpenIterator>;
  wrote: boolean;
  paginated: boolean;
  resolve: (result: { status: number; message: string; payload: Buffer; event: TxEvent | null }) => void;
  reject: (error: Error) => void;
}

/** An endorsed proposal, ready to be ordered. */
export interface Endorsed {
  readonly txId: string;
  readonly fn: string;
  readonly endorsers: readonly string[];
  readonly timestamp: Date;
  readonly payload: string;
  readonly event: TxEvent | null;
  readonly simulation: Simulation;
}

/** A committed transaction. */
export interface Committed {
  readonly txId: string;
  readonly fn: string;
  readonly code: TxValidationCodeValue;
  readonly payload: string;
  readonly event: TxEvent | null;
  readonly block: number;
}

/** Options of one call. */
export interface CallOptions {
  /** Organisations whose peers endorse; default: the caller's and one other. */
  readonly endorsers?: readonly string[];
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sameVersion(a: Version | null | undefined, b: Version | null | undefined): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  return a.block === b.block && a.tx === b.tx;
}

/** A stream the fabric-shim handler writes to and reads from, in memory. */
class MemoryStream extends EventEmitter implements ShimStream {
  constructor(private readonly onWrite: (message: peer.ChaincodeMessage) => void) {
    super();
  }

  write(message: unknown): void {
    const m = message as peer.ChaincodeMessage;
    // Answer asynchronously, as a network peer would.
    setImmediate(() => {
      this.onWrite(m);
    });
  }

  end(): void {
    this.removeAllListeners();
  }

  deliver(message: peer.ChaincodeMessage): void {
    setImmediate(() => this.emit('data', message));
  }
}

/** One organisation's peer's connection to its own chaincode process. */
class PeerConnection {
  private readonly stream: MemoryStream;
  private readonly simulations = new Map<string, Simulation>();
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(
    private readonly world: TestNetwork,
    readonly mspId: string,
    contractList: readonly unknown[],
  ) {
    this.stream = new MemoryStream((m) => {
      this.receive(m);
    });
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    // Each peer runs its own chaincode instance, as with chaincode-as-a-service per organisation.
    const chaincode = new ChaincodeFromContract(
      [...contractList],
      { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } },
      {},
      'ctl-chaincode',
      '0.1.0',
    );
    const handler = new ChaincodeMessageHandler(this.stream, chaincode);
    const register = new peer.ChaincodeMessage();
    register.setType(T.REGISTER);
    const id = new peer.ChaincodeID();
    id.setName(`${CHAINCODE}:test`);
    register.setPayload(id.serializeBinary());
    handler.chat(register);
  }

  async run(txId: string, proposal: peer.SignedProposal, args: Uint8Array[]): Promise<{ status: number; message: string; payload: Buffer; event: TxEvent | null; simulation: Simulation }> {
    await this.ready;
    const key = `${CHANNEL}${txId}`;
    if (this.simulations.has(key)) throw new Error(`duplicate transaction ${txId} in flight on ${this.mspId}`);
    const done = new Promise<{ status: number; message: string; payload: Buffer; event: TxEvent | null }>((resolve, reject) => {
      this.simulations.set(key, {
        txId,
        reads: new Map(),
        writes: new Map(),
        metadataWrites: new Map(),
        ranges: [],
        iterators: new Map(),
        wrote: false,
        paginated: false,
        resolve,
        reject,
      });
    });
    const simulation = this.simulations.get(key);
    if (simulation === undefined) throw new Error('unreachable');
    const input = new peer.ChaincodeInput();
    input.setArgsList(args);
    const message = new peer.ChaincodeMessage();
    message.setType(T.TRANSACTION);
    message.setPayload(input.serializeBinary());
    message.setTxid(txId);
    message.setChannelId(CHANNEL);
    message.setProposal(proposal);
    this.stream.deliver(message);
    try {
      const result = await done;
      return { ...result, simulation };
    } finally {
      this.simulations.delete(key);
    }
  }

  private reply(request: peer.ChaincodeMessage, type: MessageType, payload: Uint8Array): void {
    const message = new peer.ChaincodeMessage();
    message.setType(type);
    message.setPayload(payload);
    message.setTxid(request.getTxid());
    message.setChannelId(request.getChannelId());
    this.stream.deliver(message);
  }

  private receive(message: peer.ChaincodeMessage): void {
    const type = message.getType();
    if (type === T.REGISTER) {
      const registered = new peer.ChaincodeMessage();
      registered.setType(T.REGISTERED);
      this.stream.deliver(registered);
      const ready = new peer.ChaincodeMessage();
      ready.setType(T.READY);
      this.stream.deliver(ready);
      // The handler processes REGISTERED then READY in order; transactions go after both.
      setImmediate(() => {
        setImmediate(() => {
          this.markReady();
        });
      });
      return;
    }
    if (type === T.KEEPALIVE) return;
    const simulation = this.simulations.get(`${message.getChannelId()}${message.getTxid()}`);
    if (simulation === undefined) return;
    try {
      if (type === T.COMPLETED) {
        const response = peer.Response.deserializeBinary(message.getPayload_asU8());
        const ev = message.getChaincodeEvent();
        const event =
          ev === undefined || ev.getEventName() === ''
            ? null
            : { name: ev.getEventName(), payload: JSON.parse(Buffer.from(ev.getPayload_asU8()).toString('utf8')) as unknown };
        simulation.resolve({
          status: response.getStatus(),
          message: response.getMessage(),
          payload: Buffer.from(response.getPayload_asU8()),
          event,
        });
        return;
      }
      if (type === T.ERROR) {
        simulation.reject(new Error(Buffer.from(message.getPayload_asU8()).toString('utf8')));
        return;
      }
      const answer = this.world.handleRequest(simulation, type, message.getPayload_asU8());
      this.reply(message, T.RESPONSE, answer);
    } catch (error) {
      this.reply(message, T.ERROR, Buffer.from(error instanceof Error ? error.message : String(error), 'utf8'));
    }
  }
}

/**
 * A channel with one peer per organisation, all running chaincode `ctl`, plus an orderer and
 * committer. Tests submit and evaluate through it as a Gateway client would.
 */
export class TestNetwork {
  private readonly state = new Map<string, StateEntry>();
  private readonly history = new Map<string, HistoryRecord[]>();
  private readonly connections = new Map<string, PeerConnection>();
  private readonly txIds = new Set<string>();
  private blockNumber = 0;
  private clock = Date.parse('2025-03-03T01:00:00.000Z');
  /** Every transaction committed, in order, valid or not. */
  readonly blocks: Committed[][] = [];
  private readonly results: ResultSchemas;

  /**
   * @param policy - chaincode-level endorsement policy: `n` distinct organisations' peers
   *   (DEVELOPERS.md uses OutOf(2, every org))
   * @param contractList - the contracts the chaincode runs; chaincode `ctl`'s list by default
   */
  constructor(
    readonly policy: { readonly n: number } = { n: 2 },
    private readonly contractList: readonly unknown[] = contracts,
  ) {
    this.results = new ResultSchemas(contractList, 'certificate');
  }

  /** @returns the time the next proposal will carry */
  now(): Date {
    return new Date(this.clock);
  }

  /** Sets the clock of following proposals (each proposal advances it by one second). */
  setTime(iso: string): void {
    this.clock = Date.parse(iso);
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.clock += ms;
  }

  private connection(mspId: string): PeerConnection {
    let c = this.connections.get(mspId);
    if (c === undefined) {
      c = new PeerConnection(this, mspId, this.contractList);
      this.connections.set(mspId, c);
    }
    return c;
  }

  private proposal(identity: TestIdentity, args: Uint8Array[], timestamp: Date): { txId: string; signed: peer.SignedProposal } {
    const creator = new msp.SerializedIdentity();
    creator.setMspid(identity.mspId);
    creator.setIdBytes(Buffer.from(identity.certPem, 'utf8'));
    const creatorBytes = creator.serializeBinary();
    const nonce = randomBytes(24);
    const txId = createHash('sha256').update(nonce).update(creatorBytes).digest('hex');

    const ccId = new peer.ChaincodeID();
    ccId.setName(CHAINCODE);
    const extension = new peer.ChaincodeHeaderExtension();
    extension.setChaincodeId(ccId);
    const channelHeader = new common.ChannelHeader();
    channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
    channelHeader.setTxId(txId);
    channelHeader.setChannelId(CHANNEL);
    channelHeader.setEpoch(0);
    channelHeader.setTimestamp(Timestamp.fromDate(timestamp));
    // protoc names this setter `setExtension$` (jspb.Message has its own setExtension); its typings omit it.
    (channelHeader as unknown as { setExtension$(value: Uint8Array): void }).setExtension$(extension.serializeBinary());
    const signatureHeader = new common.SignatureHeader();
    signatureHeader.setCreator(creatorBytes);
    signatureHeader.setNonce(nonce);
    const header = new common.Header();
    header.setChannelHeader(channelHeader.serializeBinary());
    header.setSignatureHeader(signatureHeader.serializeBinary());

    const input = new peer.ChaincodeInput();
    input.setArgsList(args);
    const spec = new peer.ChaincodeSpec();
    spec.setType(peer.ChaincodeSpec.Type.NODE);
    spec.setChaincodeId(ccId);
    spec.setInput(input);
    const invocation = new peer.ChaincodeInvocationSpec();
    invocation.setChaincodeSpec(spec);
    const payload = new peer.ChaincodeProposalPayload();
    payload.setInput(invocation.serializeBinary());
    const proposal = new peer.Proposal();
    proposal.setHeader(header.serializeBinary());
    proposal.setPayload(payload.serializeBinary());
    const signed = new peer.SignedProposal();
    signed.setProposalBytes(proposal.serializeBinary());
    signed.setSignature(new Uint8Array());
    return { txId, signed };
  }

  private defaultEndorsers(identity: TestIdentity): string[] {
    const other = identity.mspId === 'StreetOfficeMSP' ? 'CivilAffairsMSP' : 'StreetOfficeMSP';
    return [identity.mspId, other].slice(0, Math.max(this.policy.n, 1));
  }

  /**
   * Runs the proposal on each endorsing organisation's peer and compares the results.
   *
   * @returns the endorsed transaction, not yet ordered
   * @throws ChaincodeFailure when the chaincode answers with status ≥ 400
   * @throws Error when endorsers disagree (non-deterministic chaincode)
   */
  async endorse(identity: TestIdentity, fn: string, args: readonly string[], options: CallOptions = {}): Promise<Endorsed> {
    const endorsers = [...new Set(options.endorsers ?? this.defaultEndorsers(identity))];
    const argBytes = [fn, ...args].map((a) => Buffer.from(a, 'utf8'));
    const timestamp = this.now();
    this.clock += 1000;
    const { txId, signed } = this.proposal(identity, argBytes, timestamp);
    const results = await Promise.all(endorsers.map((org) => this.connection(org).run(txId, signed, argBytes)));
    const first = results[0];
    if (first === undefined) throw new Error('no endorsers');
    if (first.status >= 400) throw new ChaincodeFailure(first.message, first.status, fn);
    const fingerprint = (r: (typeof results)[number]): string =>
      JSON.stringify({
        status: r.status,
        payload: r.payload.toString('base64'),
        event: r.event,
        reads: [...r.simulation.reads.entries()].sort(([a], [b]) => utf8Compare(a, b)),
        writes: [...r.simulation.writes.entries()].sort(([a], [b]) => utf8Compare(a, b)).map(([k, v]) => [k, v?.toString('base64') ?? null]),
        metadata: [...r.simulation.metadataWrites.entries()]
          .sort(([a], [b]) => utf8Compare(a, b))
          .map(([k, m]) => [k, [...m.entries()].map(([mk, mv]) => [mk, mv.toString('base64')])]),
        ranges: r.simulation.ranges,
      });
    const expected = fingerprint(first);
    for (const [i, r] of results.entries()) {
      if (fingerprint(r) !== expected) {
        throw new Error(`non-deterministic chaincode: ${String(endorsers[i])} and ${String(endorsers[0])} computed different results for ${fn}`);
      }
    }
    this.results.check(fn, first.payload.toString('utf8'));
    return {
      txId,
      fn,
      endorsers,
      timestamp,
      payload: first.payload.toString('utf8'),
      event: first.event,
      simulation: first.simulation,
    };
  }

  /**
   * Orders endorsed transactions into one block and commits it, validating each in order.
   *
   * @returns the committed transactions with their validation codes
   */
  commit(transactions: readonly Endorsed[]): Committed[] {
    const block = ++this.blockNumber;
    const committed: Committed[] = [];
    for (const [index, tx] of transactions.entries()) {
      const code = this.txIds.has(tx.txId) ? (9 as TxValidationCodeValue) : this.validate(tx);
      this.txIds.add(tx.txId);
      if (code === TxValidationCode.VALID) this.apply(tx, { block, tx: index });
      committed.push({ txId: tx.txId, fn: tx.fn, code, payload: tx.payload, event: code === TxValidationCode.VALID ? tx.event : null, block });
    }
    this.blocks.push(committed);
    return committed;
  }

  /**
   * Endorses and commits one transaction in its own block.
   *
   * @returns the transaction's result (the chaincode's return value) and its event
   * @throws ChaincodeFailure when the chaincode refuses; CommitFailure when the committer does
   */
  async submit(identity: TestIdentity, fn: string, args: readonly string[], options: CallOptions = {}): Promise<Committed> {
    const endorsed = await this.endorse(identity, fn, args, options);
    const [result] = this.commit([endorsed]);
    if (result === undefined) throw new Error('unreachable');
    if (result.code !== TxValidationCode.VALID) throw new CommitFailure(result.code, result.txId, fn);
    return result;
  }

  /**
   * Runs a query on one peer (the caller's organisation) without ordering it.
   *
   * @returns the chaincode's return value
   * @throws ChaincodeFailure when the chaincode refuses
   */
  async evaluate(identity: TestIdentity, fn: string, args: readonly string[]): Promise<string> {
    const endorsed = await this.endorse(identity, fn, args, { endorsers: [identity.mspId] });
    return endorsed.payload;
  }

  /** @returns a copy of the world state, for "nothing was written" assertions */
  snapshot(): Map<string, string> {
    const copy = new Map<string, string>();
    for (const [key, entry] of this.state) {
      copy.set(key, `${entry.value.toString('base64')}|${[...entry.metadata.entries()].map(([k, v]) => `${k}=${v.toString('base64')}`).join(',')}`);
    }
    return copy;
  }

  /** @returns the committed value of a key, decoded as JSON, or undefined */
  read(key: string): unknown {
    const entry = this.state.get(key);
    return entry === undefined ? undefined : (JSON.parse(entry.value.toString('utf8')) as unknown);
  }

  /** @returns every committed key, in UTF-8 order */
  keys(): string[] {
    return [...this.state.keys()].sort(utf8Compare);
  }

  /** @returns the organisations a key's committed key-level endorsement policy requires, sorted */
  keyEndorsers(key: string): string[] {
    const vp = this.state.get(key)?.metadata.get(VALIDATION_PARAMETER);
    if (vp === undefined) return [];
    const envelope = common.SignaturePolicyEnvelope.deserializeBinary(vp);
    return envelope
      .getIdentitiesList()
      .map((p) => msp.MSPRole.deserializeBinary(p.getPrincipal_asU8()).getMspIdentifier())
      .sort();
  }

  /** Shuts every chaincode connection. */
  close(): void {
    this.connections.clear();
  }

  // ---- the peer's side of the shim protocol ---------------------------------------------

  /** @internal answers one chaincode request of a running simulation */
  handleRequest(sim: Simulation, type: MessageType, payload: Uint8Array): Uint8Array {
    switch (type) {
      case T.GET_STATE: {
        const req = peer.GetState.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        const entry = this.state.get(req.getKey());
        if (!sim.reads.has(req.getKey())) sim.reads.set(req.getKey(), entry?.version ?? null);
        return entry?.value ?? new Uint8Array();
      }
      case T.PUT_STATE: {
        const req = peer.PutState.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        this.beforeWrite(sim);
        const value = Buffer.from(req.getValue_asU8());
        if (req.getKey() === '') throw new Error('key must not be an empty string');
        sim.writes.set(req.getKey(), value.length === 0 ? null : value);
        return new Uint8Array();
      }
      case T.DEL_STATE: {
        const req = peer.DelState.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        this.beforeWrite(sim);
        sim.writes.set(req.getKey(), null);
        return new Uint8Array();
      }
      case T.GET_STATE_METADATA: {
        const req = peer.GetStateMetadata.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        const entry = this.state.get(req.getKey());
        if (!sim.reads.has(req.getKey())) sim.reads.set(req.getKey(), entry?.version ?? null);
        const result = new peer.StateMetadataResult();
        for (const [metakey, value] of [...(entry?.metadata.entries() ?? [])].sort(([a], [b]) => utf8Compare(a, b))) {
          const m = new peer.StateMetadata();
          m.setMetakey(metakey);
          m.setValue(value);
          result.addEntries(m);
        }
        return result.serializeBinary();
      }
      case T.PUT_STATE_METADATA: {
        const req = peer.PutStateMetadata.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        this.beforeWrite(sim);
        const m = req.getMetadata();
        if (m === undefined) throw new Error('metadata missing');
        const forKey = sim.metadataWrites.get(req.getKey()) ?? new Map<string, Buffer>();
        forKey.set(m.getMetakey(), Buffer.from(m.getValue_asU8()));
        sim.metadataWrites.set(req.getKey(), forKey);
        return new Uint8Array();
      }
      case T.GET_STATE_BY_RANGE: {
        const req = peer.GetStateByRange.deserializeBinary(payload);
        this.noCollection(req.getCollection());
        const metadataBytes = req.getMetadata_asU8();
        let start = req.getStartkey();
        const end = req.getEndkey();
        let limit = Number.MAX_SAFE_INTEGER;
        let paginated = false;
        if (metadataBytes.length > 0) {
          const meta = peer.QueryMetadata.deserializeBinary(metadataBytes);
          if (sim.wrote) {
            throw new Error(`txid [${sim.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`);
          }
          sim.paginated = true;
          paginated = true;
          limit = meta.getPagesize();
          if (meta.getBookmark() !== '') start = meta.getBookmark();
        }
        const rows = this.range(start, end);
        const page = rows.slice(0, limit);
        const range: RangeRead | null = paginated ? null : { start, end, results: [], exhausted: false };
        if (range !== null) sim.ranges.push(range);
        const iterator: OpenIterator = {
          rows: page.map(([key, entry]) => {
            const kv = new ledger.queryresult.KV();
            kv.setNamespace(NAMESPACE);
            kv.setKey(key);
            kv.setValue(entry.value);
            return kv.serializeBinary();
          }),
          rangeRows: page.map(([key, entry]) => ({ key, version: entry.version })),
          position: 0,
          range,
          limit,
        };
        const id = randomBytes(8).toString('hex');
        sim.iterators.set(id, iterator);
        const response = this.nextBatch(sim, id, iterator);
        if (paginated) {
          const meta = new peer.QueryResponseMetadata();
          meta.setFetchedRecordsCount(page.length);
          const next = rows[limit];
          meta.setBookmark(next === undefined ? '' : next[0]);
          response.setMetadata(meta.serializeBinary());
        }
        return response.serializeBinary();
      }
      case T.QUERY_STATE_NEXT: {
        const req = peer.QueryStateNext.deserializeBinary(payload);
        const iterator = sim.iterators.get(req.getId());
        if (iterator === undefined) throw new Error(`query iterator ${req.getId()} not found`);
        return this.nextBatch(sim, req.getId(), iterator).serializeBinary();
      }
      case T.QUERY_STATE_CLOSE: {
        const req = peer.QueryStateClose.deserializeBinary(payload);
        sim.iterators.delete(req.getId());
        const response = new peer.QueryResponse();
        response.setHasMore(false);
        response.setId(req.getId());
        return response.serializeBinary();
      }
      case T.GET_HISTORY_FOR_KEY: {
        const req = peer.GetHistoryForKey.deserializeBinary(payload);
        const records = [...(this.history.get(req.getKey()) ?? [])].reverse();
        const iterator: OpenIterator = {
          rows: records.map((r) => {
            const km = new ledger.queryresult.KeyModification();
            km.setTxId(r.txId);
            km.setValue(r.value);
            km.setIsDelete(r.isDelete);
            km.setTimestamp(Timestamp.fromDate(r.timestamp));
            return km.serializeBinary();
          }),
          rangeRows: [],
          position: 0,
          range: null,
          limit: Number.MAX_SAFE_INTEGER,
        };
        const id = randomBytes(8).toString('hex');
        sim.iterators.set(id, iterator);
        return this.nextBatch(sim, id, iterator).serializeBinary();
      }
      case T.GET_QUERY_RESULT:
        throw new Error('ExecuteQuery not supported for leveldb');
      default:
        throw new Error(`the test peer does not support message type ${type}`);
    }
  }

  private noCollection(collection: string): void {
    if (collection !== '') throw new Error('private data is not supported by the test peer');
  }

  private beforeWrite(sim: Simulation): void {
    if (sim.paginated) {
      throw new Error(`txid [${sim.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`);
    }
    sim.wrote = true;
  }

  private range(start: string, end: string): [string, StateEntry][] {
    // As the shim does for a simple range, '' as start key means "from the first key".
    return [...this.state.entries()]
      .filter(([key]) => utf8Compare(key, start) >= 0 && (end === '' || utf8Compare(key, end) < 0))
      .sort(([a], [b]) => utf8Compare(a, b));
  }

  private nextBatch(sim: Simulation, id: string, iterator: OpenIterator): peer.QueryResponse {
    const response = new peer.QueryResponse();
    const batch = iterator.rows.slice(iterator.position, iterator.position + MAX_RESULT_LIMIT);
    for (const bytes of batch) {
      const row = new peer.QueryResultBytes();
      row.setResultbytes(bytes);
      response.addResults(row);
    }
    if (iterator.range !== null) iterator.range.results.push(...iterator.rangeRows.slice(iterator.position, iterator.position + batch.length));
    iterator.position += batch.length;
    const hasMore = iterator.position < iterator.rows.length;
    if (!hasMore && iterator.range !== null) iterator.range.exhausted = true;
    response.setHasMore(hasMore);
    response.setId(id);
    if (!hasMore) sim.iterators.delete(id);
    return response;
  }

  // ---- the committer --------------------------------------------------------------------

  private satisfies(policyBytes: Uint8Array, endorsers: readonly string[]): boolean {
    const envelope = common.SignaturePolicyEnvelope.deserializeBinary(policyBytes);
    const principals = envelope.getIdentitiesList().map((p) => msp.MSPRole.deserializeBinary(p.getPrincipal_asU8()).getMspIdentifier());
    const used = endorsers.map(() => false);
    const evaluate = (rule: common.SignaturePolicy): boolean => {
      if (rule.hasSignedBy()) {
        const wanted = principals[rule.getSignedBy()];
        const i = endorsers.findIndex((org, j) => !used[j] && org === wanted);
        if (i < 0) return false;
        used[i] = true;
        return true;
      }
      const nOutOf = rule.getNOutOf();
      if (nOutOf === undefined) return false;
      let count = 0;
      for (const sub of nOutOf.getRulesList()) if (evaluate(sub)) count += 1;
      return count >= nOutOf.getN();
    };
    const rule = envelope.getRule();
    return rule !== undefined && evaluate(rule);
  }

  private validate(tx: Endorsed): TxValidationCodeValue {
    const sim = tx.simulation;
    const written = new Set([...sim.writes.keys(), ...sim.metadataWrites.keys()]);
    let needsChaincodePolicy = written.size === 0;
    for (const key of written) {
      const vp = this.state.get(key)?.metadata.get(VALIDATION_PARAMETER);
      if (vp === undefined) needsChaincodePolicy = true;
      else if (!this.satisfies(vp, tx.endorsers)) return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
    }
    if (needsChaincodePolicy && tx.endorsers.length < this.policy.n) return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
    for (const [key, version] of sim.reads) {
      if (!sameVersion(version, this.state.get(key)?.version)) return TxValidationCode.MVCC_READ_CONFLICT;
    }
    for (const range of sim.ranges) {
      const now = this.range(range.start, range.end).map(([key, entry]) => ({ key, version: entry.version }));
      const last = range.results[range.results.length - 1];
      const compared = range.exhausted ? now : now.filter((r) => last !== undefined && utf8Compare(r.key, last.key) <= 0);
      if (compared.length !== range.results.length) return TxValidationCode.PHANTOM_READ_CONFLICT;
      for (const [i, r] of compared.entries()) {
        const seen = range.results[i];
        if (seen === undefined || seen.key !== r.key || !sameVersion(seen.version, r.version)) return TxValidationCode.PHANTOM_READ_CONFLICT;
      }
    }
    return TxValidationCode.VALID;
  }

  private apply(tx: Endorsed, version: Version): void {
    const sim = tx.simulation;
    const keys = new Set([...sim.writes.keys(), ...sim.metadataWrites.keys()]);
    for (const key of keys) {
      const before = this.state.get(key);
      const metadata = new Map(before?.metadata ?? []);
      for (const [mk, mv] of sim.metadataWrites.get(key) ?? []) {
        if (mv.length === 0) metadata.delete(mk);
        else metadata.set(mk, mv);
      }
      if (sim.writes.has(key)) {
        const value = sim.writes.get(key) ?? null;
        const records = this.history.get(key) ?? [];
        if (value === null) {
          this.state.delete(key);
          records.push({ txId: tx.txId, value: Buffer.alloc(0), isDelete: true, timestamp: tx.timestamp });
        } else {
          this.state.set(key, { value, version, metadata });
          records.push({ txId: tx.txId, value, isDelete: false, timestamp: tx.timestamp });
        }
        this.history.set(key, records);
      } else if (before !== undefined) {
        this.state.set(key, { value: before.value, version, metadata });
      }
    }
  }
}
