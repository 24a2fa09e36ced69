/**
 * World state, key history and the transaction-id index of one channel, held in memory and
 * persisted as an atomic snapshot at a block height (a savepoint, like Fabric's state DB). On
 * start the ledger loads the snapshot and replays the blocks after it, so a lost or deleted
 * snapshot is rebuilt from the block file and a crash never leaves state half-applied.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerCorruptError } from '../errors';
import { ByteReader, ByteWriter } from './codec';
import { SortedKeys } from './keys';

/** A key's version: the block and the transaction's index in it (valid or not). */
export interface Version {
  block: number;
  tx: number;
}

/** A committed value with its version and metadata (e.g. VALIDATION_PARAMETER). */
export interface VersionedValue {
  value: Buffer;
  version: Version;
  metadata: ReadonlyMap<string, Buffer> | undefined;
}

/** Where and how a transaction was committed. */
export interface TxLocation {
  block: number;
  tx: number;
  code: number;
}

/** One state change of a valid transaction, in commit order. */
export interface StateWrite {
  namespace: string;
  key: string;
  tx: number;
  /** New value; undefined when only metadata changes. */
  value?: Buffer;
  isDelete?: boolean;
  /** New metadata (replaces all metadata of the key); undefined when not written. */
  metadata?: Map<string, Buffer>;
}

/** Everything a block changes. */
export interface BlockUpdate {
  block: number;
  writes: StateWrite[];
  txIds: { txId: string; tx: number; code: number }[];
}

interface Namespace {
  values: Map<string, VersionedValue>;
  sorted: SortedKeys;
}

const MAGIC = 'CTLSTATE1';

/** Renames a durable temporary snapshot over `path` and makes the rename durable. */
function installSnapshot(tmp: string, path: string): void {
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** In-memory world state with snapshot persistence. */
export class StateDb {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly history = new Map<string, Map<string, Version[]>>();
  private readonly txIndex = new Map<string, TxLocation>();
  /** Number of blocks whose updates are applied. */
  height = 0;

  /** The committed value of a key, or undefined. */
  get(namespace: string, key: string): VersionedValue | undefined {
    return this.namespaces.get(namespace)?.values.get(key);
  }

  /** Keys of a namespace in `[start, end)` in UTF-8 order; empty `end` is unbounded. */
  rangeKeys(namespace: string, start: string, end: string): Generator<string, void, undefined> {
    const ns = this.namespaces.get(namespace);
    return (ns?.sorted ?? new SortedKeys()).range(start, end);
  }

  /** Versions at which a key was written or deleted, oldest first. */
  historyOf(namespace: string, key: string): readonly Version[] {
    return this.history.get(namespace)?.get(key) ?? [];
  }

  /** Where a transaction id was committed, if it was. */
  transaction(txId: string): TxLocation | undefined {
    return this.txIndex.get(txId);
  }

  /** Applies one block's updates; the caller guarantees blocks arrive in order. */
  apply(update: BlockUpdate): void {
    for (const w of update.writes) {
      const version = { block: update.block, tx: w.tx };
      let ns = this.namespaces.get(w.namespace);
      if (ns === undefined) {
        ns = { values: new Map(), sorted: new SortedKeys() };
        this.namespaces.set(w.namespace, ns);
      }
      const existing = ns.values.get(w.key);
      if (w.isDelete === true) {
        if (existing !== undefined) {
          ns.values.delete(w.key);
          ns.sorted.remove(w.key);
        }
        this.recordHistory(w.namespace, w.key, version);
        continue;
      }
      if (w.value !== undefined) {
        if (existing === undefined) ns.sorted.insert(w.key);
        ns.values.set(w.key, { value: w.value, version, metadata: w.metadata ?? existing?.metadata });
        this.recordHistory(w.namespace, w.key, version);
      } else if (w.metadata !== undefined && existing !== undefined) {
        // Fabric ignores a metadata write to a key that does not exist.
        ns.values.set(w.key, { value: existing.value, version, metadata: w.metadata.size > 0 ? w.metadata : undefined });
      }
    }
    for (const t of update.txIds) {
      if (!this.txIndex.has(t.txId)) this.txIndex.set(t.txId, { block: update.block, tx: t.tx, code: t.code });
    }
    this.height = update.block + 1;
  }

  private recordHistory(namespace: string, key: string, version: Version): void {
    // Fabric keeps no history of private data or its hashes.
    if (namespace.includes('$$')) return;
    let byKey = this.history.get(namespace);
    if (byKey === undefined) {
      byKey = new Map();
      this.history.set(namespace, byKey);
    }
    let list = byKey.get(key);
    if (list === undefined) {
      list = [];
      byKey.set(key, list);
    }
    list.push(version);
  }

  /**
   * Writes the state to `path` atomically (temp file, fsync, rename, fsync of the folder).
   *
   * @throws the file system's error when the file cannot be written.
   */
  saveSnapshot(path: string): void {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, this.snapshotBytes());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    installSnapshot(tmp, path);
  }

  /**
   * {@link saveSnapshot} with the file written and fsynced on libuv's thread pool: only the
   * serialisation holds the event loop. The file is installed only if `stillWanted()` holds once
   * it is on disk (a later snapshot may have been saved meanwhile); resolves to whether it was.
   *
   * @throws the file system's error (as a rejection) when the file cannot be written.
   */
  async saveSnapshotInBackground(path: string, stillWanted: () => boolean): Promise<boolean> {
    const bytes = this.snapshotBytes();
    const tmp = `${path}.${String(this.height)}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    if (!stillWanted()) {
      rmSync(tmp, { force: true });
      return false;
    }
    installSnapshot(tmp, path);
    return true;
  }

  /** The snapshot file's bytes: the serialised state followed by its SHA-256. */
  private snapshotBytes(): Buffer {
    const w = new ByteWriter();
    w.str(MAGIC);
    w.u32(this.height);
    w.u32(this.namespaces.size);
    for (const [name, ns] of this.namespaces) {
      w.str(name);
      w.u32(ns.values.size);
      for (const [key, v] of ns.values) {
        w.str(key);
        w.u32(v.version.block);
        w.u32(v.version.tx);
        w.bytes(v.value);
        const meta = v.metadata ?? new Map<string, Buffer>();
        w.u32(meta.size);
        for (const [mk, mv] of meta) {
          w.str(mk);
          w.bytes(mv);
        }
      }
    }
    w.u32(this.history.size);
    for (const [name, byKey] of this.history) {
      w.str(name);
      w.u32(byKey.size);
      for (const [key, versions] of byKey) {
        w.str(key);
        w.u32(versions.length);
        for (const v of versions) {
          w.u32(v.block);
          w.u32(v.tx);
        }
      }
    }
    w.u32(this.txIndex.size);
    for (const [txId, loc] of this.txIndex) {
      w.str(txId);
      w.u32(loc.block);
      w.u32(loc.tx);
      w.u8(loc.code);
    }
    const body = w.result();
    return Buffer.concat([body, createHash('sha256').update(body).digest()]);
  }

  /**
   * Loads a snapshot written by {@link saveSnapshot}; returns an empty state when the file is
   * missing.
   *
   * @throws LedgerCorruptError when the file exists but fails its checksum or does not decode.
   */
  static loadSnapshot(path: string): StateDb {
    const db = new StateDb();
    if (!existsSync(path)) return db;
    const raw = readFileSync(path);
    if (raw.length < 32) throw new LedgerCorruptError(path, 'snapshot is truncated');
    const body = raw.subarray(0, raw.length - 32);
    const digest = createHash('sha256').update(body).digest();
    if (!digest.equals(raw.subarray(raw.length - 32))) throw new LedgerCorruptError(path, 'snapshot checksum mismatch');
    try {
      const r = new ByteReader(body);
      if (r.str() !== MAGIC) throw new Error('not a state snapshot');
      db.height = r.u32();
      for (let n = r.u32(); n > 0; n--) {
        const name = r.str();
        const values = new Map<string, VersionedValue>();
        for (let k = r.u32(); k > 0; k--) {
          const key = r.str();
          const version = { block: r.u32(), tx: r.u32() };
          const value = r.bytes();
          let metadata: Map<string, Buffer> | undefined;
          for (let m = r.u32(); m > 0; m--) {
            metadata ??= new Map();
            metadata.set(r.str(), r.bytes());
          }
          values.set(key, { value, version, metadata });
        }
        db.namespaces.set(name, { values, sorted: SortedKeys.from(values.keys()) });
      }
      for (let n = r.u32(); n > 0; n--) {
        const name = r.str();
        const byKey = new Map<string, Version[]>();
        for (let k = r.u32(); k > 0; k--) {
          const key = r.str();
          const versions: Version[] = [];
          for (let v = r.u32(); v > 0; v--) versions.push({ block: r.u32(), tx: r.u32() });
          byKey.set(key, versions);
        }
        db.history.set(name, byKey);
      }
      for (let n = r.u32(); n > 0; n--) {
        const txId = r.str();
        db.txIndex.set(txId, { block: r.u32(), tx: r.u32(), code: r.u8() });
      }
    } catch (err) {
      throw new LedgerCorruptError(path, `snapshot does not decode: ${String(err)}`, { cause: err });
    }
    return db;
  }
}
