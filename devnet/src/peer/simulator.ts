/**
 * Transaction simulator and read-write set builder, following Fabric's lockbased tx simulator:
 * reads come from committed state only (a transaction does not read its own writes), the first
 * read version of a key wins, an empty put is a delete, paginated queries are refused in a
 * transaction that writes (and writes after one), and range queries record RangeQueryInfo with
 * the raw reads the chaincode consumed. Namespaces, reads, writes and metadata writes are sorted
 * by UTF-8 bytes when the set is serialised.
 */
import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from '../ledger/keys';
import { hashedKey, hashedNamespace, privateNamespace, sha256 } from '../ledger/pvtnames';
import type { StateDb, Version } from '../ledger/statedb';

const kv = ledger.rwset.kvrwset;

/** Fabric's batch size for query responses to the chaincode (`MaxResultLimit`). */
export const QUERY_BATCH = 100;
/** Fabric's default `totalQueryLimit` (core.yaml). */
export const TOTAL_QUERY_LIMIT = 100_000;

/** An error the chaincode receives as the ERROR payload of its request. */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = SimulationError.name;
  }
}

interface RangeRecord {
  startKey: string;
  endKey: string;
  exhausted: boolean;
  reads: { key: string; version: Version }[];
}

/** A live range iterator over committed state. */
export class RangeIterator {
  private readonly keys: Generator<string, void, undefined>;
  private pending: string | undefined;
  private done = false;
  private delivered = 0;
  readonly record: RangeRecord;

  constructor(
    private readonly state: StateDb,
    readonly namespace: string,
    startKey: string,
    private readonly endKey: string,
    private readonly limit: number,
    /** False for private-data ranges, which Fabric does not validate for phantoms. */
    readonly recorded = true,
  ) {
    this.keys = state.rangeKeys(namespace, startKey, endKey);
    this.record = { startKey, endKey, exhausted: false, reads: [] };
  }

  private nextFromStore(): string | undefined {
    const r = this.keys.next();
    return r.done === true ? undefined : r.value;
  }

  /** Returns up to `max` results and whether more remain. */
  next(max: number): { results: { key: string; value: Buffer }[]; hasMore: boolean } {
    const results: { key: string; value: Buffer }[] = [];
    while (results.length < max && !this.done) {
      const key = this.pending ?? this.nextFromStore();
      this.pending = undefined;
      if (key === undefined) {
        this.done = true;
        this.record.exhausted = true;
        this.record.endKey = this.endKey;
        break;
      }
      if (this.delivered >= this.limit) {
        // Page full: keep the key as the bookmark of the next page.
        this.pending = key;
        this.done = true;
        break;
      }
      const v = this.state.get(this.namespace, key);
      if (v === undefined) continue;
      results.push({ key, value: v.value });
      this.record.reads.push({ key, version: v.version });
      this.record.endKey = key;
      this.delivered++;
    }
    if (!this.done && results.length === max) {
      // Peek so has_more is false when nothing is left, as Fabric's response builder does.
      const peek = this.nextFromStore();
      if (peek === undefined) {
        this.done = true;
        this.record.exhausted = true;
        this.record.endKey = this.endKey;
      } else {
        this.pending = peek;
      }
    }
    return { results, hasMore: !this.done };
  }

  /** The key the next result would have, for pagination bookmarks; '' when none is left. */
  nextKey(): string {
    if (this.done) return this.pending ?? '';
    if (this.pending === undefined) {
      const peek = this.keys.next();
      if (peek.done === true) return '';
      this.pending = peek.value;
    }
    return this.pending;
  }
}

/** Simulates one transaction (possibly across namespaces, for chaincode-to-chaincode calls). */
export class TxSimulator {
  private readonly reads = new Map<string, Map<string, Version | null>>();
  private readonly writes = new Map<string, Map<string, Buffer | null>>();
  private readonly metadataWrites = new Map<string, Map<string, Map<string, Buffer>>>();
  private readonly ranges = new Map<string, RangeRecord[]>();
  private readonly hashedReads = new Map<string, Map<string, Map<string, Version | null>>>();
  private readonly privateWrites = new Map<string, Map<string, Map<string, Buffer | null>>>();
  private readonly privateReadCollections = new Set<string>();
  private writePerformed = false;
  private paginatedQueryPerformed = false;

  constructor(private readonly state: StateDb) {}

  private recordHashedRead(namespace: string, collection: string, key: string, version: Version | undefined): void {
    let byCollection = this.hashedReads.get(namespace);
    if (byCollection === undefined) {
      byCollection = new Map();
      this.hashedReads.set(namespace, byCollection);
    }
    let reads = byCollection.get(collection);
    if (reads === undefined) {
      reads = new Map();
      byCollection.set(collection, reads);
    }
    if (!reads.has(key)) reads.set(key, version ?? null);
  }

  /**
   * GetPrivateData. A peer of a member organisation returns the value; a non-member peer has only
   * the hash, and fails as Fabric does when the key exists. Records a hashed read either way.
   *
   * @throws SimulationError on a non-member peer for a key that has a value.
   */
  getPrivateData(namespace: string, collection: string, key: string, peerIsMember: boolean): Buffer {
    const hashed = this.state.get(hashedNamespace(namespace, collection), hashedKey(key));
    this.recordHashedRead(namespace, collection, key, hashed?.version);
    this.privateReadCollections.add(`${namespace}\u0000${collection}`);
    if (hashed === undefined) return Buffer.alloc(0);
    if (!peerIsMember) {
      throw new SimulationError(
        `private data matching public hash version is not available. Public hash version = {BlockNum: ${hashed.version.block}, TxNum: ${hashed.version.tx}}, Private data version = <nil>`,
      );
    }
    return this.state.get(privateNamespace(namespace, collection), key)?.value ?? Buffer.alloc(0);
  }

  /** GetPrivateDataHash: the SHA-256 of the committed private value (empty when absent), for any organisation. */
  getPrivateDataHash(namespace: string, collection: string, key: string): Buffer {
    const hashed = this.state.get(hashedNamespace(namespace, collection), hashedKey(key));
    this.recordHashedRead(namespace, collection, key, hashed?.version);
    return hashed?.value ?? Buffer.alloc(0);
  }

  /**
   * PutPrivateData (an empty value deletes). The value goes to the private write set; the
   * public read-write set carries only its hashes.
   *
   * @throws SimulationError after a paginated query in this transaction.
   */
  putPrivateData(namespace: string, collection: string, key: string, value: Uint8Array): void {
    this.checkWritable();
    let byCollection = this.privateWrites.get(namespace);
    if (byCollection === undefined) {
      byCollection = new Map();
      this.privateWrites.set(namespace, byCollection);
    }
    let writes = byCollection.get(collection);
    if (writes === undefined) {
      writes = new Map();
      byCollection.set(collection, writes);
    }
    writes.set(key, value.length === 0 ? null : Buffer.from(value));
  }

  /** A range over a collection's private values; not recorded, as Fabric does not validate private ranges. */
  privateRangeIterator(namespace: string, collection: string, startKey: string, endKey: string): RangeIterator {
    this.privateReadCollections.add(`${namespace}\u0000${collection}`);
    return new RangeIterator(this.state, privateNamespace(namespace, collection), startKey, endKey, TOTAL_QUERY_LIMIT, false);
  }

  /** Collections whose private values this simulation read, as `namespace` and `collection`. */
  privateReads(): { namespace: string; collection: string }[] {
    return [...this.privateReadCollections].map((id) => {
      const [namespace = '', collection = ''] = id.split('\u0000');
      return { namespace, collection };
    });
  }

  /** The KVRWSet bytes of one collection's private writes, serialised once (their hash is on the ledger). */
  private collectionPvtBytes(namespace: string, collection: string): Uint8Array | undefined {
    const writes = this.privateWrites.get(namespace)?.get(collection);
    if (writes === undefined || writes.size === 0) return undefined;
    const cacheKey = `${namespace}\u0000${collection}`;
    const cached = this.pvtBytesCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const set = new kv.KVRWSet();
    set.setWritesList(
      [...writes.keys()].sort(compareKeys).map((key) => {
        const w = new kv.KVWrite();
        w.setKey(key);
        const value = writes.get(key);
        if (value === null || value === undefined) w.setIsDelete(true);
        else w.setValue(value);
        return w;
      }),
    );
    const bytes = set.serializeBinary();
    this.pvtBytesCache.set(cacheKey, bytes);
    return bytes;
  }

  private readonly pvtBytesCache = new Map<string, Uint8Array>();

  /** The private read-write set (TxPvtReadWriteSet bytes), or undefined when nothing private was written. */
  privateResults(): Uint8Array | undefined {
    const nsList: ledger.rwset.NsPvtReadWriteSet[] = [];
    for (const namespace of [...this.privateWrites.keys()].sort(compareKeys)) {
      const collections: ledger.rwset.CollectionPvtReadWriteSet[] = [];
      for (const collection of [...(this.privateWrites.get(namespace)?.keys() ?? [])].sort(compareKeys)) {
        const bytes = this.collectionPvtBytes(namespace, collection);
        if (bytes === undefined) continue;
        const c = new ledger.rwset.CollectionPvtReadWriteSet();
        c.setCollectionName(collection);
        c.setRwset(bytes);
        collections.push(c);
      }
      if (collections.length === 0) continue;
      const ns = new ledger.rwset.NsPvtReadWriteSet();
      ns.setNamespace(namespace);
      ns.setCollectionPvtRwsetList(collections);
      nsList.push(ns);
    }
    if (nsList.length === 0) return undefined;
    const pvt = new ledger.rwset.TxPvtReadWriteSet();
    pvt.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
    pvt.setNsPvtRwsetList(nsList);
    return pvt.serializeBinary();
  }

  private collectionHashedSets(namespace: string): ledger.rwset.CollectionHashedReadWriteSet[] {
    const reads = this.hashedReads.get(namespace) ?? new Map<string, Map<string, Version | null>>();
    const writes = this.privateWrites.get(namespace) ?? new Map<string, Map<string, Buffer | null>>();
    const collections = new Set([...reads.keys(), ...writes.keys()]);
    return [...collections].sort(compareKeys).map((collection) => {
      const set = new kv.HashedRWSet();
      const collReads = reads.get(collection) ?? new Map<string, Version | null>();
      set.setHashedReadsList(
        [...collReads.keys()].sort(compareKeys).map((key) => {
          const r = new kv.KVReadHash();
          r.setKeyHash(sha256(key));
          const version = collReads.get(key);
          if (version) {
            const v = new kv.Version();
            v.setBlockNum(version.block);
            v.setTxNum(version.tx);
            r.setVersion(v);
          }
          return r;
        }),
      );
      const collWrites = writes.get(collection) ?? new Map<string, Buffer | null>();
      set.setHashedWritesList(
        [...collWrites.keys()].sort(compareKeys).map((key) => {
          const w = new kv.KVWriteHash();
          w.setKeyHash(sha256(key));
          const value = collWrites.get(key);
          if (value === null || value === undefined) w.setIsDelete(true);
          else w.setValueHash(sha256(value));
          return w;
        }),
      );
      const out = new ledger.rwset.CollectionHashedReadWriteSet();
      out.setCollectionName(collection);
      out.setHashedRwset(set.serializeBinary());
      const pvtBytes = this.collectionPvtBytes(namespace, collection);
      if (pvtBytes !== undefined) out.setPvtRwsetHash(sha256(pvtBytes));
      return out;
    });
  }

  private recordRead(namespace: string, key: string, version: Version | undefined): void {
    let ns = this.reads.get(namespace);
    if (ns === undefined) {
      ns = new Map();
      this.reads.set(namespace, ns);
    }
    if (!ns.has(key)) ns.set(key, version ?? null);
  }

  /** GetState: the committed value (empty when absent), recording the read. */
  getState(namespace: string, key: string): Buffer {
    const v = this.state.get(namespace, key);
    this.recordRead(namespace, key, v?.version);
    return v?.value ?? Buffer.alloc(0);
  }

  /** GetStateMetadata: the committed metadata entries, recording a read of the key. */
  getStateMetadata(namespace: string, key: string): ReadonlyMap<string, Buffer> {
    const v = this.state.get(namespace, key);
    this.recordRead(namespace, key, v?.version);
    return v?.metadata ?? new Map();
  }

  private checkWritable(): void {
    if (this.paginatedQueryPerformed) {
      throw new SimulationError('txSimulator does not allow write operations after a paginated query; paginated queries are supported only in read-only transactions');
    }
    this.writePerformed = true;
  }

  /**
   * PutState; an empty value deletes, as Fabric's `newKVWrite` does.
   *
   * @throws SimulationError after a paginated query in this transaction.
   */
  putState(namespace: string, key: string, value: Uint8Array): void {
    this.checkWritable();
    let ns = this.writes.get(namespace);
    if (ns === undefined) {
      ns = new Map();
      this.writes.set(namespace, ns);
    }
    ns.set(key, value.length === 0 ? null : Buffer.from(value));
  }

  /** DelState. @throws SimulationError after a paginated query in this transaction. */
  deleteState(namespace: string, key: string): void {
    this.putState(namespace, key, new Uint8Array(0));
  }

  /**
   * PutStateMetadata: replaces the key's metadata with this one entry, as Fabric's handler does.
   *
   * @throws SimulationError after a paginated query in this transaction.
   */
  putStateMetadata(namespace: string, key: string, name: string, value: Uint8Array): void {
    this.checkWritable();
    let ns = this.metadataWrites.get(namespace);
    if (ns === undefined) {
      ns = new Map();
      this.metadataWrites.set(namespace, ns);
    }
    ns.set(key, new Map([[name, Buffer.from(value)]]));
  }

  /**
   * Opens a range iterator; `paginated` marks the transaction read-only from here on.
   *
   * @throws SimulationError for a paginated query in a transaction that already wrote.
   */
  rangeIterator(namespace: string, startKey: string, endKey: string, paginated?: { pageSize: number }): RangeIterator {
    if (paginated !== undefined) {
      if (this.writePerformed) {
        throw new SimulationError('txSimulator does not support paginated queries in a transaction that performs writes');
      }
      this.paginatedQueryPerformed = true;
    }
    const limit = paginated !== undefined && paginated.pageSize > 0 ? Math.min(paginated.pageSize, TOTAL_QUERY_LIMIT) : TOTAL_QUERY_LIMIT;
    return new RangeIterator(this.state, namespace, startKey, endKey, limit);
  }

  /** Records a closed or finished iterator's RangeQueryInfo, once per distinct query. */
  closeIterator(iterator: RangeIterator): void {
    if (!iterator.recorded) return;
    let list = this.ranges.get(iterator.namespace);
    if (list === undefined) {
      list = [];
      this.ranges.set(iterator.namespace, list);
    }
    const r = iterator.record;
    if (list.some((q) => q.startKey === r.startKey && q.endKey === r.endKey && q.exhausted === r.exhausted)) return;
    list.push({ ...r, reads: [...r.reads] });
  }

  /** True when the simulation wrote anything (values or metadata). */
  get hasWrites(): boolean {
    return this.writes.size > 0 || this.metadataWrites.size > 0 || this.privateWrites.size > 0;
  }

  /** Serialises the TxReadWriteSet (data model KV), sorted as Fabric's rwset builder sorts it. */
  results(): Uint8Array {
    const namespaces = new Set<string>([
      ...this.reads.keys(),
      ...this.writes.keys(),
      ...this.metadataWrites.keys(),
      ...this.ranges.keys(),
      ...this.hashedReads.keys(),
      ...this.privateWrites.keys(),
    ]);
    const txrw = new ledger.rwset.TxReadWriteSet();
    txrw.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
    const nsList: ledger.rwset.NsReadWriteSet[] = [];
    for (const namespace of [...namespaces].sort(compareKeys)) {
      const set = new kv.KVRWSet();
      const reads = this.reads.get(namespace) ?? new Map<string, Version | null>();
      set.setReadsList(
        [...reads.keys()].sort(compareKeys).map((key) => {
          const read = new kv.KVRead();
          read.setKey(key);
          const version = reads.get(key);
          if (version) {
            const v = new kv.Version();
            v.setBlockNum(version.block);
            v.setTxNum(version.tx);
            read.setVersion(v);
          }
          return read;
        }),
      );
      set.setRangeQueriesInfoList(
        (this.ranges.get(namespace) ?? []).map((r) => {
          const info = new kv.RangeQueryInfo();
          info.setStartKey(r.startKey);
          info.setEndKey(r.endKey);
          info.setItrExhausted(r.exhausted);
          const raw = new kv.QueryReads();
          raw.setKvReadsList(
            r.reads.map((read) => {
              const kvRead = new kv.KVRead();
              kvRead.setKey(read.key);
              const v = new kv.Version();
              v.setBlockNum(read.version.block);
              v.setTxNum(read.version.tx);
              kvRead.setVersion(v);
              return kvRead;
            }),
          );
          info.setRawReads(raw);
          return info;
        }),
      );
      const writes = this.writes.get(namespace) ?? new Map<string, Buffer | null>();
      set.setWritesList(
        [...writes.keys()].sort(compareKeys).map((key) => {
          const w = new kv.KVWrite();
          w.setKey(key);
          const value = writes.get(key);
          if (value === null || value === undefined) w.setIsDelete(true);
          else w.setValue(value);
          return w;
        }),
      );
      const metas = this.metadataWrites.get(namespace) ?? new Map<string, Map<string, Buffer>>();
      set.setMetadataWritesList(
        [...metas.keys()].sort(compareKeys).map((key) => {
          const mw = new kv.KVMetadataWrite();
          mw.setKey(key);
          const entries = metas.get(key) ?? new Map<string, Buffer>();
          mw.setEntriesList(
            [...entries.keys()].sort(compareKeys).map((name) => {
              const e = new kv.KVMetadataEntry();
              e.setName(name);
              e.setValue(entries.get(name) ?? Buffer.alloc(0));
              return e;
            }),
          );
          return mw;
        }),
      );
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(namespace);
      ns.setRwset(set.serializeBinary());
      ns.setCollectionHashedRwsetList(this.collectionHashedSets(namespace));
      nsList.push(ns);
    }
    txrw.setNsRwsetList(nsList);
    return txrw.serializeBinary();
  }

  /** Namespaces and keys written (values, metadata or private data), for the endorsement plan's policies. */
  writtenKeys(): { namespace: string; key: string; collection?: string }[] {
    const out: { namespace: string; key: string; collection?: string }[] = [];
    for (const [namespace, keys] of this.writes) for (const key of keys.keys()) out.push({ namespace, key });
    for (const [namespace, keys] of this.metadataWrites) for (const key of keys.keys()) out.push({ namespace, key });
    for (const [namespace, byCollection] of this.privateWrites) {
      for (const [collection, keys] of byCollection) for (const key of keys.keys()) out.push({ namespace, key: hashedKey(key), collection });
    }
    return out;
  }
}
