/**
 * The Fabric port and its adapter over `@hyperledger/fabric-gateway`. One gRPC client per
 * Gateway endpoint, one Gateway connection per wallet identity (organisation identities and
 * per-person identities alike), a deadline on every unary call, the commit status checked on
 * every submit, MVCC read conflicts retried with backoff, and every failure turned into a typed
 * error that maps to HTTP. The same code talks to the devnet and to Fabric 2.5.
 */
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  StatusCode,
  connect,
  hash,
  signers,
  type ChaincodeEvent,
  type Checkpoint,
  type Gateway,
} from '@hyperledger/fabric-gateway';
import { parseChaincodeError } from '../../../../chaincode/src/errors';
import type { ServiceMetrics } from '../../metrics';
import { ChaincodeRejectedError, LedgerError } from '../ledger-errors';
import { ConnectionProfileError, loadConnectionProfile, type ConnectionProfile, type WalletIdentity } from './connection-profile';

/** Which wallet identity acts: an organisation's MSP id and the identity's name in the wallet. */
export interface FabricActor {
  readonly mspId: string;
  readonly identity: string;
}

/** A committed transaction's answer. */
export interface SubmitOutcome {
  readonly result: Uint8Array;
  readonly transactionId: string;
  readonly blockNumber: number;
}

/** One VALID transaction of a block that emitted an event of our chaincode (from a filtered block). */
export interface BlockEventRef {
  readonly transactionId: string;
  readonly eventName: string;
}

/** A committed block as the filtered Deliver service reports it. */
export interface FilteredBlockInfo {
  readonly blockNumber: number;
  /** Our chaincode's events in VALID transactions, in transaction order. */
  readonly events: readonly BlockEventRef[];
}

/** Where an event stream starts: a block, and optionally the last transaction already handled in it. */
export interface EventStart {
  readonly blockNumber: number;
  readonly afterTransactionId?: string | undefined;
}

/** A long-lived stream of ledger events; close it to cancel the underlying gRPC call. */
export interface EventStream<T> extends AsyncIterable<T> {
  close(): void;
}

/** What the services ask of Fabric. */
export interface FabricLedger {
  /** The channel; reading it before the connection file exists throws a 503 {@link LedgerError}. */
  readonly channel: string;
  readonly chaincode: string;
  /** MSP ids the wallet can act for. */
  organisations(): string[];
  /** Whether the wallet holds this identity. */
  hasIdentity(actor: FabricActor): boolean;
  /**
   * Runs a read-only transaction on the actor's organisation's peer.
   *
   * @throws {@link ChaincodeRejectedError} when the chaincode refuses, {@link LedgerError} otherwise.
   */
  evaluate(actor: FabricActor, transaction: string, args: readonly string[]): Promise<Uint8Array>;
  /**
   * Endorses, submits and waits for the commit; retries MVCC read conflicts.
   *
   * @throws {@link ChaincodeRejectedError} when the chaincode refuses, {@link LedgerError}
   *   `LEDGER.CONFLICT` after the retries, `LEDGER.COMMIT_UNKNOWN` when the outcome is unknown.
   */
  submit(actor: FabricActor, transaction: string, args: readonly string[], options?: { endorsingOrganizations?: readonly string[] }): Promise<SubmitOutcome>;
  /** Our chaincode's events from `start` on (a long-lived stream; close it). */
  chaincodeEvents(actor: FabricActor, start: EventStart): Promise<EventStream<ChaincodeEvent>>;
  /** Filtered blocks from `startBlock` on (a long-lived stream; close it). */
  filteredBlocks(actor: FabricActor, startBlock: number): Promise<EventStream<FilteredBlockInfo>>;
  close(): void;
}

/** Deadlines and retry policy of the adapter. */
export interface FabricLedgerOptions {
  /** The connection file; read on first use and re-read (at most every 2 s) until it loads. */
  readonly connectionFile: string;
  readonly chaincode: string;
  readonly timeouts: { readonly evaluateMs: number; readonly endorseMs: number; readonly submitMs: number; readonly commitMs: number };
  readonly mvccRetries: number;
  readonly metrics?: ServiceMetrics;
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_NOT_FOUND = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every message a Gateway error carries: its own and each endorser's detail. */
function messagesOf(err: GatewayError): string[] {
  return [err.message, ...err.details.map((d) => d.message)];
}

/**
 * Maps a failure of the Gateway client to a typed error. Chaincode codes keep their code and
 * the status the chaincode suggests; Fabric-level failures become `LEDGER.*`.
 */
export function mapFabricError(err: unknown, transaction: string): Error {
  if (err instanceof ChaincodeRejectedError || err instanceof LedgerError) return err;
  // SubmitError is exported as a type only, so read the transaction id structurally.
  const carried = typeof err === 'object' && err !== null ? (err as { transactionId?: unknown }).transactionId : undefined;
  const transactionId = typeof carried === 'string' ? carried : undefined;
  const submitted = err instanceof GatewayError && !(err instanceof EndorseError) && transactionId !== undefined;
  if (err instanceof CommitError) {
    const name = Object.entries(StatusCode).find(([, v]) => v === err.code)?.[0] ?? String(err.code);
    if (err.code === StatusCode.MVCC_READ_CONFLICT || err.code === StatusCode.PHANTOM_READ_CONFLICT) {
      return new LedgerError('fabric', 409, 'LEDGER.CONFLICT', `${transaction} conflicted with concurrent transactions (${name}); retry`, {
        cause: err,
        transactionId,
        retryAfterSeconds: 1,
      });
    }
    return new LedgerError('fabric', 502, 'LEDGER.TRANSACTION_INVALID', `${transaction} was ordered but not valid: ${name}`, { cause: err, transactionId });
  }
  if (err instanceof GatewayError) {
    for (const message of messagesOf(err)) {
      const parsed = parseChaincodeError(message);
      if (parsed !== undefined) {
        return new ChaincodeRejectedError(parsed.info.status, parsed.code, parsed.text, { cause: err, transactionId });
      }
    }
    if (err instanceof CommitStatusError || (err.code === GRPC_DEADLINE_EXCEEDED && submitted)) {
      return new LedgerError('fabric', 504, 'LEDGER.COMMIT_UNKNOWN', `${transaction} was submitted but its commit was not confirmed in time; retry with the same idempotency key`, {
        cause: err,
        transactionId,
      });
    }
    switch (err.code) {
      case GRPC_UNAVAILABLE:
        return new LedgerError('fabric', 503, 'LEDGER.UNAVAILABLE', 'The Fabric gateway cannot be reached', { cause: err, transactionId, retryAfterSeconds: 2 });
      case GRPC_DEADLINE_EXCEEDED:
        return new LedgerError('fabric', 504, 'LEDGER.TIMEOUT', `${transaction} did not complete in time`, { cause: err, transactionId });
      case GRPC_PERMISSION_DENIED:
        return new LedgerError('fabric', 403, 'LEDGER.ACCESS_DENIED', `The network refused ${transaction} for this identity`, { cause: err, transactionId });
      case GRPC_NOT_FOUND:
        return new LedgerError('fabric', 502, 'LEDGER.NOT_CONFIGURED', `The channel or chaincode of ${transaction} is not known to the gateway`, { cause: err, transactionId });
      default:
        break;
    }
    if (messagesOf(err).some((m) => /Expected \d+ parameters|function that does not exist/.test(m))) {
      return new LedgerError('fabric', 500, 'LEDGER.CONTRACT_MISMATCH', `The chaincode does not offer ${transaction} as the services call it`, { cause: err, transactionId });
    }
    return new LedgerError('fabric', 502, 'LEDGER.ENDORSEMENT_FAILED', `${transaction} was not endorsed`, { cause: err, transactionId });
  }
  return new LedgerError('fabric', 502, 'LEDGER.FAILED', `${transaction} failed`, { cause: err });
}

/**
 * Wraps a gateway event stream so that it always has a reader: the client's streams are Node
 * streams that emit 'error' (CANCELLED) when closed, and an 'error' nobody listens to crashes
 * the process. The wrapper keeps one `next()` outstanding, whose failure is observed.
 */
function eagerStream<T>(source: AsyncIterable<T> & { close(): void }): EventStream<T> {
  const iterator = source[Symbol.asyncIterator]();
  const observed = (promise: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
    promise.catch(() => undefined);
    return promise;
  };
  let pending = observed(iterator.next());
  let closed = false;
  const close = (): void => {
    closed = true;
    source.close();
  };
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const current = pending;
        current.then(
          (result) => {
            if (result.done !== true && !closed) pending = observed(iterator.next());
          },
          () => undefined,
        );
        return current;
      },
      return: () => {
        close();
        return Promise.resolve({ done: true as const, value: undefined });
      },
    }),
    close,
  };
}

function isMvccConflict(err: unknown): boolean {
  return err instanceof LedgerError && err.code === 'LEDGER.CONFLICT';
}

class GatewayFabricLedger implements FabricLedger {
  readonly chaincode: string;
  readonly #clients = new Map<string, grpc.Client>();
  readonly #gateways = new Map<string, Gateway>();
  #profile: ConnectionProfile | undefined;
  #lastAttempt = 0;
  #lastError: Error | undefined;
  #closed = false;

  constructor(
    private readonly options: FabricLedgerOptions,
    profile?: ConnectionProfile,
  ) {
    this.chaincode = options.chaincode;
    this.#profile = profile;
  }

  /**
   * The connection profile, loaded on first use: the API may start before the network has
   * written its connection file, and reports Fabric as down until it has.
   */
  private get profile(): ConnectionProfile {
    if (this.#profile !== undefined) return this.#profile;
    const now = Date.now();
    if (now - this.#lastAttempt >= 2_000 || this.#lastError === undefined) {
      this.#lastAttempt = now;
      try {
        this.#profile = loadConnectionProfile(this.options.connectionFile);
        this.#lastError = undefined;
        return this.#profile;
      } catch (err) {
        this.#lastError = err as Error;
      }
    }
    const cause = this.#lastError;
    throw new LedgerError('fabric', 503, cause instanceof ConnectionProfileError ? cause.code : 'FABRIC.CONNECTION_MISSING', cause.message, {
      cause,
      retryAfterSeconds: 2,
    });
  }

  get channel(): string {
    return this.profile.channel;
  }

  organisations(): string[] {
    return [...this.profile.organisations.keys()];
  }

  hasIdentity(actor: FabricActor): boolean {
    return this.profile.organisations.get(actor.mspId)?.identities.has(actor.identity) ?? false;
  }

  private identityOf(actor: FabricActor): WalletIdentity {
    const identity = this.profile.organisations.get(actor.mspId)?.identities.get(actor.identity);
    if (identity === undefined) {
      throw new LedgerError('fabric', 403, 'LEDGER.NO_IDENTITY', `The wallet holds no Fabric identity "${actor.identity}" for ${actor.mspId}`);
    }
    return identity;
  }

  private clientFor(mspId: string): grpc.Client {
    const org = this.profile.organisations.get(mspId);
    if (org === undefined) throw new LedgerError('fabric', 403, 'LEDGER.NO_IDENTITY', `The connection file lists no organisation ${mspId}`);
    const existing = this.#clients.get(org.gateway);
    if (existing !== undefined) return existing;
    const credentials = org.tlsCACertPem === null ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(Buffer.from(org.tlsCACertPem));
    const channelOptions: grpc.ChannelOptions = {
      // Blocks and event batches can exceed grpc-js's 4 MiB default.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      ...(org.tlsHostOverride === undefined ? {} : { 'grpc.ssl_target_name_override': org.tlsHostOverride }),
    };
    const client = new grpc.Client(org.gateway, credentials, channelOptions);
    this.#clients.set(org.gateway, client);
    return client;
  }

  private gatewayFor(actor: FabricActor): Gateway {
    if (this.#closed) throw new LedgerError('fabric', 503, 'LEDGER.UNAVAILABLE', 'The Fabric connection is closed');
    const key = `${actor.mspId}\u0000${actor.identity}`;
    const existing = this.#gateways.get(key);
    if (existing !== undefined) return existing;
    const identity = this.identityOf(actor);
    const { timeouts } = this.options;
    const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
    const gateway = connect({
      client: this.clientFor(actor.mspId),
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificatePem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem)),
      hash: hash.sha256,
      evaluateOptions: deadline(timeouts.evaluateMs),
      endorseOptions: deadline(timeouts.endorseMs),
      submitOptions: deadline(timeouts.submitMs),
      commitStatusOptions: deadline(timeouts.commitMs),
    });
    this.#gateways.set(key, gateway);
    return gateway;
  }

  private contractFor(actor: FabricActor) {
    return this.gatewayFor(actor).getNetwork(this.channel).getContract(this.chaincode);
  }

  private timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.options.metrics === undefined ? call() : this.options.metrics.timeLedgerCall('fabric', operation, call);
  }

  async evaluate(actor: FabricActor, transaction: string, args: readonly string[]): Promise<Uint8Array> {
    return this.timed(`evaluate ${transaction}`, async () => {
      try {
        return await this.contractFor(actor).evaluate(transaction, { arguments: [...args] });
      } catch (err) {
        throw mapFabricError(err, transaction);
      }
    });
  }

  async submit(actor: FabricActor, transaction: string, args: readonly string[], options: { endorsingOrganizations?: readonly string[] } = {}): Promise<SubmitOutcome> {
    return this.timed(`submit ${transaction}`, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.submitOnce(actor, transaction, args, options);
        } catch (err) {
          if (!isMvccConflict(err) || attempt >= this.options.mvccRetries) throw err;
          // Exponential backoff with jitter, so the conflicting writers do not collide again.
          await sleep(25 * 2 ** attempt + Math.random() * 25 * 2 ** attempt);
        }
      }
    });
  }

  private async submitOnce(actor: FabricActor, transaction: string, args: readonly string[], options: { endorsingOrganizations?: readonly string[] }): Promise<SubmitOutcome> {
    try {
      const proposal = this.contractFor(actor).newProposal(transaction, {
        arguments: [...args],
        ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...options.endorsingOrganizations] }),
      });
      const endorsed = await proposal.endorse();
      const submitted = await endorsed.submit();
      const status = await submitted.getStatus();
      if (!status.successful) {
        throw new CommitError({ code: status.code, transactionId: status.transactionId, message: `transaction ${status.transactionId} failed to commit with status code ${String(status.code)}` });
      }
      return { result: submitted.getResult(), transactionId: status.transactionId, blockNumber: Number(status.blockNumber) };
    } catch (err) {
      throw mapFabricError(err, transaction);
    }
  }

  async chaincodeEvents(actor: FabricActor, start: EventStart): Promise<EventStream<ChaincodeEvent>> {
    const network = this.gatewayFor(actor).getNetwork(this.channel);
    const checkpoint: Checkpoint = {
      getBlockNumber: () => BigInt(start.blockNumber),
      getTransactionId: () => start.afterTransactionId,
    };
    try {
      return eagerStream(await network.getChaincodeEvents(this.chaincode, { checkpoint }));
    } catch (err) {
      throw mapFabricError(err, 'ChaincodeEvents');
    }
  }

  async filteredBlocks(actor: FabricActor, startBlock: number): Promise<EventStream<FilteredBlockInfo>> {
    const network = this.gatewayFor(actor).getNetwork(this.channel);
    let blocks: EventStream<import('@hyperledger/fabric-protos').peer.FilteredBlock>;
    try {
      blocks = eagerStream(await network.getFilteredBlockEvents({ startBlock: BigInt(startBlock) }));
    } catch (err) {
      throw mapFabricError(err, 'DeliverFiltered');
    }
    const chaincode = this.chaincode;
    const valid = StatusCode.VALID;
    async function* infos(): AsyncGenerator<FilteredBlockInfo> {
      for await (const block of blocks) {
        const events: BlockEventRef[] = [];
        for (const tx of block.getFilteredTransactionsList()) {
          if (tx.getTxValidationCode() !== valid) continue;
          for (const action of tx.getTransactionActions()?.getChaincodeActionsList() ?? []) {
            const event = action.getChaincodeEvent();
            if (event !== undefined && event.getChaincodeId() === chaincode && event.getEventName() !== '') {
              events.push({ transactionId: tx.getTxid(), eventName: event.getEventName() });
            }
          }
        }
        yield { blockNumber: block.getNumber(), events };
      }
    }
    const iterator = infos();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: () => {
        blocks.close();
      },
    };
  }

  close(): void {
    this.#closed = true;
    for (const gateway of this.#gateways.values()) gateway.close();
    this.#gateways.clear();
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}

/**
 * Opens the Fabric adapter for a connection profile. Connections are made lazily, on the first
 * call for each endpoint and identity, so a network that is still starting does not fail this.
 */
export function openFabricLedger(options: FabricLedgerOptions, profile?: ConnectionProfile): FabricLedger {
  return new GatewayFabricLedger(options, profile);
}
