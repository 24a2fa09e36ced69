/**
 * The transaction context every contract of `ctl` uses. It keeps Fabric's rules in one place:
 * time only from the proposal's timestamp, state written as canonical JSON, at most one
 * chaincode event per transaction, and key-level endorsement policies built the same way
 * everywhere. It also remembers what this transaction wrote, because Fabric does not let a
 * transaction read its own writes and a multi-step operation (a batch, a transfer between two
 * lots of one account) must see them.
 */
import { Context } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { ChaincodeError } from '../errors';
import type { ChaincodeEventName, ChaincodeEventPayloads } from '../events';
import { actorFrom, type Actor } from './access';
import { canonicalBytes } from './canonical';
import { sha256 } from './hash';

/** A key and its decoded value, from a range read. */
export interface Entry<T> {
  readonly key: string;
  readonly value: T;
}

/** One page of a paginated range read, for read-only transactions. */
export interface Page<T> {
  readonly items: T[];
  /** Pass back to read the next page; '' when there is none. */
  readonly bookmark: string;
}

/** Transaction context of chaincode `ctl`. */
export class CtlContext extends Context {
  private readonly written = new Map<string, Buffer>();
  private eventName: string | undefined;
  private cachedActor: Actor | undefined;
  private cachedNow: string | undefined;

  /**
   * The transaction's time: the client's proposal timestamp, identical on every endorser.
   *
   * @returns ISO 8601 UTC with milliseconds
   */
  now(): string {
    this.cachedNow ??= this.stub.getDateTimestamp().toISOString();
    return this.cachedNow;
  }

  /** @returns the transaction id */
  txId(): string {
    return this.stub.getTxID();
  }

  /** @returns the authenticated caller */
  actor(): Actor {
    this.cachedActor ??= actorFrom(this.clientIdentity);
    return this.cachedActor;
  }

  /**
   * Builds a composite key.
   *
   * @param type - the object type, e.g. `cert`
   * @param attributes - the key's attributes, already validated
   * @returns the key
   */
  key(type: string, ...attributes: string[]): string {
    return this.stub.createCompositeKey(type, attributes);
  }

  /**
   * Reads a JSON value; a value this transaction wrote earlier is returned as written.
   *
   * @param key - the state key
   * @returns the decoded value, or undefined when the key is absent
   */
  async getJson<T>(key: string): Promise<T | undefined> {
    const own = this.written.get(key);
    const bytes = own ?? (await this.stub.getState(key));
    if (bytes.length === 0) return undefined;
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }

  /**
   * Writes a value as canonical JSON.
   *
   * @param key - the state key
   * @param value - plain data
   */
  async putJson(key: string, value: unknown): Promise<void> {
    const bytes = canonicalBytes(value);
    this.written.set(key, bytes);
    await this.stub.putState(key, bytes);
  }

  /**
   * Deletes a key; later reads in this transaction see it absent.
   *
   * @param key - the state key
   */
  async del(key: string): Promise<void> {
    this.written.set(key, Buffer.alloc(0));
    await this.stub.deleteState(key);
  }

  /**
   * Reads every value under a partial composite key, in key order. Values this transaction
   * wrote are not seen (Fabric's rule); callers read before they write.
   *
   * @param type - the object type
   * @param attributes - leading attributes
   * @returns the entries
   */
  async list<T>(type: string, attributes: string[]): Promise<Entry<T>[]> {
    const entries: Entry<T>[] = [];
    for await (const kv of this.stub.getStateByPartialCompositeKey(type, attributes)) {
      entries.push({ key: kv.key, value: JSON.parse(Buffer.from(kv.value).toString('utf8')) as T });
    }
    return entries;
  }

  /**
   * Reads one page under a partial composite key. Fabric refuses paginated reads in a
   * transaction that writes, so only read-only transactions call this.
   *
   * @param type - the object type
   * @param attributes - leading attributes
   * @param pageSize - at most this many entries
   * @param bookmark - '' for the first page, else the bookmark of the previous page
   * @returns the page
   */
  async page<T>(type: string, attributes: string[], pageSize: number, bookmark: string): Promise<Page<T>> {
    const { iterator, metadata } = await this.stub.getStateByPartialCompositeKeyWithPagination(type, attributes, pageSize, bookmark);
    const items: T[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        items.push(JSON.parse(Buffer.from(next.value.value).toString('utf8')) as T);
      }
    } finally {
      await iterator.close();
    }
    // Fabric returns the next start key as bookmark even on the last page; a short page has none.
    return { items, bookmark: items.length < pageSize ? '' : metadata.bookmark };
  }

  /**
   * Writes a value as canonical JSON into a private data collection. Only the collection's
   * members keep the value; the channel gets the SHA-256 of the key and of these bytes.
   *
   * @param collection - the collection
   * @param key - the key within it
   * @param value - plain data
   * @returns `0x` + hex SHA-256 of the bytes written: the value hash Fabric records on the channel
   */
  async putPrivateJson(collection: string, key: string, value: unknown): Promise<string> {
    const bytes = canonicalBytes(value);
    await this.stub.putPrivateData(collection, key, bytes);
    return sha256(bytes);
  }

  /**
   * Reads a private value as stored; only a member organisation's peer holds it.
   *
   * @param collection - the collection
   * @param key - the key within it
   * @returns the bytes, or undefined when the key is absent
   */
  async getPrivateBytes(collection: string, key: string): Promise<Uint8Array | undefined> {
    const bytes = await this.stub.getPrivateData(collection, key);
    return bytes.length === 0 ? undefined : bytes;
  }

  /**
   * The hash of a private value as the channel records it, readable by every organisation.
   *
   * @param collection - the collection
   * @param key - the key within it
   * @returns `0x` + hex SHA-256 of the value, or null when the key is absent
   */
  async privateHash(collection: string, key: string): Promise<string | null> {
    const hash = await this.stub.getPrivateDataHash(collection, key);
    return hash.length === 0 ? null : `0x${Buffer.from(hash).toString('hex')}`;
  }

  /**
   * Requires the peers of all these organisations to endorse any later change to the key
   * (state-based endorsement). The list is sorted so every endorser writes the same bytes.
   *
   * @param key - the state key
   * @param msps - the organisations whose peers must endorse
   */
  async requireEndorsers(key: string, msps: readonly string[]): Promise<void> {
    const policy = new KeyEndorsementPolicy();
    policy.addOrgs('PEER', ...[...new Set(msps)].sort());
    await this.stub.setStateValidationParameter(key, policy.getPolicy());
  }

  /**
   * The organisations a key-level endorsement policy names.
   *
   * @param key - the state key
   * @returns the MSP ids, sorted; empty when the key has no policy
   */
  async endorsers(key: string): Promise<string[]> {
    const policy = await this.stub.getStateValidationParameter(key);
    if (policy.length === 0) return [];
    return new KeyEndorsementPolicy(policy).listOrgs().sort();
  }

  /**
   * Sets the transaction's chaincode event. Fabric keeps only the last event of a
   * transaction, so a second call is a defect in the chaincode, not a choice.
   *
   * @param name - event name, one of `events.ts`
   * @param payload - its payload, serialised canonically
   * @throws ChaincodeError `CHAINCODE.INTERNAL` when the transaction already set an event
   */
  emit<N extends ChaincodeEventName>(name: N, payload: ChaincodeEventPayloads[N]): void {
    if (this.eventName !== undefined) {
      throw new ChaincodeError('CHAINCODE.INTERNAL', this.txId(), `transaction ${this.txId()} tried to emit ${name} after ${this.eventName}`);
    }
    this.eventName = name;
    this.stub.setEvent(name, canonicalBytes(payload));
  }
}
