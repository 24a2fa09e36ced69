/**
 * The channel ledger: the block file, the world state with its history and txid index, the
 * commit lock, and block notifications. Opening it recovers from any crash: blocks past the
 * state snapshot are replayed from the block file (which is fsynced before any commit is
 * reported), so state is never half-applied and a deleted snapshot is rebuilt from blocks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { common, ledger as ledgerProtos } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { LedgerCorruptError } from '../errors';
import { TxValidationCode, decodeRwset, unpackTransaction } from '../protos';
import { BlockMetadataIndex, blockHeaderBytes, blockHeaderHash, buildBlock, transactionsFilter } from './block';
import { BlockStore } from './blockstore';
import { RwLock } from './rwlock';
import { StateDb, type BlockUpdate, type StateWrite } from './statedb';
import { ByteReader, ByteWriter } from './codec';
import { hashedNamespace, privateNamespace, sha256 } from './pvtnames';
import type { OrdererSigner } from './genesis';

/** A committed block as listeners receive it. */
export interface CommittedBlock {
  number: number;
  block: common.Block;
  txFilter: Uint8Array;
  /** Transaction ids by position ('' where the envelope had none), so listeners need not re-parse. */
  txIds: readonly string[];
}

/** One entry of a key's history, newest first when returned by {@link Ledger.history}. */
export interface KeyModification {
  txId: string;
  value: Buffer;
  isDelete: boolean;
  timestamp: Timestamp | undefined;
}

const SNAPSHOT_FILE = 'state.snapshot';
const SNAPSHOT_EVERY_BLOCKS = 200;
const SNAPSHOT_EVERY_MS = 5_000;
const BLOCK_CACHE = 128;

/**
 * Collects the state writes of one valid transaction from its rwset bytes: public writes and
 * metadata, and the hashes of private writes (`<ns>$$h<collection>`), which every peer keeps.
 */
export function writesOfRwset(rwsetBytes: Uint8Array, tx: number): StateWrite[] {
  return writesOfNamespaces(decodeRwset(rwsetBytes), tx);
}

/** {@link writesOfRwset} of a read-write set the caller has already decoded. */
export function writesOfNamespaces(nsSets: ReturnType<typeof decodeRwset>, tx: number): StateWrite[] {
  const writes: StateWrite[] = [];
  for (const { namespace, rwset, collections } of nsSets) {
    const metadataByKey = new Map<string, Map<string, Buffer>>();
    for (const mw of rwset.getMetadataWritesList()) {
      const entries = new Map<string, Buffer>();
      for (const e of mw.getEntriesList()) entries.set(e.getName(), Buffer.from(e.getValue_asU8()));
      metadataByKey.set(mw.getKey(), entries);
    }
    for (const w of rwset.getWritesList()) {
      const key = w.getKey();
      const metadata = metadataByKey.get(key);
      metadataByKey.delete(key);
      if (w.getIsDelete()) writes.push({ namespace, key, tx, isDelete: true });
      else writes.push({ namespace, key, tx, value: Buffer.from(w.getValue_asU8()), ...(metadata ? { metadata } : {}) });
    }
    for (const [key, metadata] of metadataByKey) writes.push({ namespace, key, tx, metadata });
    for (const c of collections) {
      const hashedNs = hashedNamespace(namespace, c.collection);
      for (const w of c.hashed.getHashedWritesList()) {
        const key = Buffer.from(w.getKeyHash_asU8()).toString('hex');
        if (w.getIsDelete()) writes.push({ namespace: hashedNs, key, tx, isDelete: true });
        else writes.push({ namespace: hashedNs, key, tx, value: Buffer.from(w.getValueHash_asU8()) });
      }
    }
  }
  return writes;
}

/**
 * The private writes of one valid transaction (`<ns>$$p<collection>`), taken from its private
 * write set only where that set hashes to the `pvt_rwset_hash` the block carries; a mismatching or
 * missing collection is skipped, as Fabric records it as missing private data.
 */
export function privateWritesOf(rwsetBytes: Uint8Array, pvtBytes: Uint8Array, tx: number): StateWrite[] {
  const expected = new Map<string, Buffer>();
  for (const { namespace, collections } of decodeRwset(rwsetBytes)) {
    for (const c of collections) if (c.pvtRwsetHash.length > 0) expected.set(`${namespace}\u0000${c.collection}`, c.pvtRwsetHash);
  }
  const writes: StateWrite[] = [];
  const pvt = ledgerProtos.rwset.TxPvtReadWriteSet.deserializeBinary(pvtBytes);
  for (const ns of pvt.getNsPvtRwsetList()) {
    for (const c of ns.getCollectionPvtRwsetList()) {
      const bytes = c.getRwset_asU8();
      const want = expected.get(`${ns.getNamespace()}\u0000${c.getCollectionName()}`);
      if (want === undefined || !want.equals(sha256(bytes))) continue;
      const privateNs = privateNamespace(ns.getNamespace(), c.getCollectionName());
      for (const w of ledgerProtos.rwset.kvrwset.KVRWSet.deserializeBinary(bytes).getWritesList()) {
        if (w.getIsDelete()) writes.push({ namespace: privateNs, key: w.getKey(), tx, isDelete: true });
        else writes.push({ namespace: privateNs, key: w.getKey(), tx, value: Buffer.from(w.getValue_asU8()) });
      }
    }
  }
  return writes;
}

/** Private write sets of one block's transactions, with the block's data hash to tie them to it. */
export interface BlockPrivateData {
  dataHash: Uint8Array;
  byTx: Map<number, Uint8Array>;
}

function encodePrivateRecord(block: number, dataHash: Uint8Array, records: readonly { tx: number; bytes: Uint8Array }[]): Buffer {
  const w = new ByteWriter();
  w.u32(block);
  w.bytes(dataHash);
  w.u32(records.length);
  for (const r of records) {
    w.u32(r.tx);
    w.bytes(r.bytes);
  }
  return Buffer.from(w.result());
}

function decodePrivateRecord(raw: Buffer): { block: number; data: BlockPrivateData } {
  const r = new ByteReader(raw);
  const block = r.u32();
  const dataHash = r.bytes();
  const byTx = new Map<number, Uint8Array>();
  for (let n = r.u32(); n > 0; n--) {
    const tx = r.u32();
    byTx.set(tx, r.bytes());
  }
  return { block, data: { dataHash, byTx } };
}

/** The ledger of one channel. */
export class Ledger {
  readonly lock = new RwLock();
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private readonly cache = new Map<number, common.Block>();
  private lastHash: Buffer = Buffer.alloc(0);
  private lastCommitHash: Buffer = Buffer.alloc(0);
  private snapshotHeight = 0;
  private privateStore: BlockStore | undefined;
  private lastSnapshotAt = Date.now();
  private lastSnapshotMs = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly store: BlockStore,
    readonly state: StateDb,
    private readonly signer: OrdererSigner,
  ) {}

  /**
   * Opens the ledger in `dir`, writing block 0 from `genesis()` when the block file is empty and
   * replaying blocks the state snapshot does not cover.
   *
   * @throws LedgerCorruptError when the block file or snapshot is corrupt, or the snapshot is
   * ahead of the block file.
   */
  static open(dir: string, signer: OrdererSigner, genesis: () => Uint8Array): Ledger {
    mkdirSync(dir, { recursive: true });
    const store = new BlockStore(join(dir, 'blocks.bin'));
    for (const name of readdirSync(dir)) {
      // A snapshot being written when the process stopped; the installed one is still whole.
      if (name.startsWith(`${SNAPSHOT_FILE}.`) && name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
    }
    let state = StateDb.loadSnapshot(join(dir, SNAPSHOT_FILE));
    if (state.height > store.height) {
      // The snapshot cannot be ahead of durable blocks; rebuild rather than trust it.
      state = new StateDb();
    }
    const ledger = new Ledger(dir, store, state, signer);
    ledger.snapshotHeight = state.height;
    const privateStore = new BlockStore(join(dir, 'pvtdata.bin'));
    ledger.privateStore = privateStore;
    if (store.height === 0) {
      ledger.appendGenesis(genesis());
    } else {
      const last = ledger.getBlock(store.height - 1);
      const header = last.getHeader();
      if (header === undefined) throw new LedgerCorruptError(join(dir, 'blocks.bin'), 'last block has no header');
      ledger.lastHash = blockHeaderHash(header);
      ledger.lastCommitHash = commitHashOf(last);
      const privateData = new Map<number, BlockPrivateData>();
      if (state.height < store.height) {
        // Later records for a block win; a record left by a crash before its block was written
        // does not match that block's data hash and is ignored.
        for (let i = 0; i < privateStore.height; i++) {
          const { block, data } = decodePrivateRecord(privateStore.read(i));
          if (block >= state.height) privateData.set(block, data);
        }
      }
      for (let n = state.height; n < store.height; n++) state.apply(updateOfBlock(ledger.getBlock(n), privateData.get(n)));
    }
    return ledger;
  }

  /** Number of blocks. */
  get height(): number {
    return this.store.height;
  }

  /** The header hash of the last block. */
  get previousHash(): Buffer {
    return this.lastHash;
  }

  /**
   * Returns block `number`, decoded.
   *
   * @throws RangeError when it does not exist.
   */
  getBlock(number: number): common.Block {
    const cached = this.cache.get(number);
    if (cached !== undefined) return cached;
    const block = common.Block.deserializeBinary(this.store.read(number));
    this.remember(number, block);
    return block;
  }

  /** Raw bytes of block `number`. */
  getBlockBytes(number: number): Buffer {
    return this.store.read(number);
  }

  private remember(number: number, block: common.Block): void {
    this.cache.set(number, block);
    if (this.cache.size > BLOCK_CACHE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  /** Subscribes to committed blocks; returns the unsubscribe function. */
  onBlock(listener: (block: CommittedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Makes a block of `envelopes` with their validation codes and `update`, appends it durably,
   * applies the state under the exclusive lock, then notifies listeners.
   */
  async commit(
    envelopes: readonly Uint8Array[],
    txFilter: Uint8Array,
    update: Omit<BlockUpdate, 'block'>,
    txIds: readonly string[] = [],
    privateData: readonly { tx: number; bytes: Uint8Array }[] = [],
  ): Promise<CommittedBlock> {
    const number = this.store.height;
    const commitHash = createHash('sha256').update(this.lastCommitHash).update(txFilter);
    for (const w of update.writes) {
      // Private values stay out of the commit hash: it is shared with non-member organisations.
      if (!w.namespace.includes('$$p')) commitHash.update(`${w.namespace}\u0000${w.key}\u0000${w.tx}`).update(w.value ?? '');
    }
    const block = this.makeBlock(number, envelopes, txFilter, commitHash.digest());
    if (privateData.length > 0) {
      // Private write sets are durable before the block that needs them (Fabric's pvtdata store).
      await this.privateStore?.append(encodePrivateRecord(number, block.getHeader()?.getDataHash_asU8() ?? new Uint8Array(0), privateData));
    }
    await this.store.append(block.serializeBinary());
    const release = await this.lock.write();
    try {
      this.state.apply({ block: number, ...update });
    } finally {
      release();
    }
    const header = block.getHeader();
    if (header !== undefined) this.lastHash = blockHeaderHash(header);
    this.lastCommitHash = commitHashOf(block);
    this.remember(number, block);
    this.maybeSnapshot();
    const committed = { number, block, txFilter, txIds };
    for (const listener of [...this.listeners]) listener(committed);
    return committed;
  }

  private appendGenesis(envelope: Uint8Array): void {
    const block = this.makeBlock(0, [envelope], Uint8Array.of(TxValidationCode.VALID), Buffer.alloc(0));
    this.store.appendSync(block.serializeBinary());
    const header = block.getHeader();
    if (header !== undefined) this.lastHash = blockHeaderHash(header);
    this.state.apply({ block: 0, writes: [], txIds: [] });
    this.remember(0, block);
  }

  private makeBlock(number: number, envelopes: readonly Uint8Array[], txFilter: Uint8Array, commitHash: Uint8Array): common.Block {
    const ordererMetadata = new common.OrdererBlockMetadata();
    const lastConfig = new common.LastConfig();
    lastConfig.setIndex(0);
    ordererMetadata.setLastConfig(lastConfig);
    const value = ordererMetadata.serializeBinary();
    const signatures = new common.Metadata();
    signatures.setValue(value);
    const block = buildBlock({ number, previousHash: this.lastHash, data: envelopes, txFilter, signatures, lastConfigIndex: 0, commitHash });
    const header = block.getHeader();
    const metadata = block.getMetadata();
    if (header === undefined || metadata === undefined) return block;
    // The orderer signs value ‖ signature header ‖ header DER (protoutil.BlockSignatureVerifier).
    const sigHeader = new common.SignatureHeader();
    sigHeader.setCreator(this.signer.serialized);
    sigHeader.setNonce(randomBytes(24));
    const sigHeaderBytes = sigHeader.serializeBinary();
    const signed = Buffer.concat([
      value,
      sigHeaderBytes,
      blockHeaderBytes(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8()),
    ]);
    const sig = new common.MetadataSignature();
    sig.setSignatureHeader(sigHeaderBytes);
    sig.setSignature(this.signer.sign(signed));
    signatures.setSignaturesList([sig]);
    const list = metadata.getMetadataList_asU8();
    list[BlockMetadataIndex.SIGNATURES] = signatures.serializeBinary();
    metadata.setMetadataList(list);
    return block;
  }

  /**
   * History of a key, newest first, with values read back from the blocks that wrote them
   * (Fabric's history DB likewise stores only block and transaction numbers).
   */
  history(namespace: string, key: string): KeyModification[] {
    const out: KeyModification[] = [];
    const versions = this.state.historyOf(namespace, key);
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      if (v === undefined) continue;
      const envelope = this.getBlock(v.block).getData()?.getDataList_asU8()[v.tx];
      if (envelope === undefined) continue;
      const tx = unpackTransaction(envelope);
      const rwset = tx.endorser?.chaincodeAction.getResults_asU8() ?? new Uint8Array(0);
      const write = decodeRwset(rwset)
        .find((ns) => ns.namespace === namespace)
        ?.rwset.getWritesList()
        .find((w) => w.getKey() === key);
      if (write === undefined) continue;
      out.push({
        txId: tx.txId,
        value: Buffer.from(write.getValue_asU8()),
        isDelete: write.getIsDelete(),
        timestamp: tx.channelHeader.getTimestamp(),
      });
    }
    return out;
  }

  private maybeSnapshot(force = false): void {
    const pending = this.state.height - this.snapshotHeight;
    if (pending === 0) return;
    const since = Date.now() - this.lastSnapshotAt;
    // A snapshot is written synchronously and grows with the state: keep its cost under ~5% of
    // the time, however large the state gets; replay covers the blocks in between.
    if (!force && since < Math.max(SNAPSHOT_EVERY_MS, 20 * this.lastSnapshotMs)) return;
    if (!force && pending < SNAPSHOT_EVERY_BLOCKS && since < SNAPSHOT_EVERY_MS) return;
    if (!force && this.snapshotWriting) return;
    const path = join(this.dir, SNAPSHOT_FILE);
    const height = this.state.height;
    const generation = ++this.snapshotGeneration;
    this.lastSnapshotAt = Date.now();
    if (force) {
      this.state.saveSnapshot(path);
      this.snapshotHeight = height;
      return;
    }
    // Only the serialisation holds the event loop (and counts towards the interval); the disk
    // work runs on the thread pool while blocks keep committing, and replay covers them.
    const started = Date.now();
    this.snapshotWriting = true;
    const saving = this.state.saveSnapshotInBackground(path, () => !this.closed && generation === this.snapshotGeneration);
    this.lastSnapshotMs = Date.now() - started;
    saving
      .then(
        (installed) => {
          if (installed) this.snapshotHeight = height;
        },
        () => {
          // A failed snapshot costs replay time at the next start, nothing more: retry later.
        },
      )
      .finally(() => {
        this.snapshotWriting = false;
      });
  }

  private snapshotGeneration = 0;
  private snapshotWriting = false;

  /** Writes a final snapshot and closes the block file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.maybeSnapshot(true);
    this.store.close();
    this.privateStore?.close();
    this.listeners.clear();
  }
}

function commitHashOf(block: common.Block): Buffer {
  const raw = block.getMetadata()?.getMetadataList_asU8()[BlockMetadataIndex.COMMIT_HASH];
  if (raw === undefined || raw.length === 0) return Buffer.alloc(0);
  return Buffer.from(common.Metadata.deserializeBinary(raw).getValue_asU8());
}

/** Recomputes a block's state update from its valid transactions and private data (used on replay). */
export function updateOfBlock(block: common.Block, privateData?: BlockPrivateData): BlockUpdate {
  const number = block.getHeader()?.getNumber() ?? 0;
  const filter = transactionsFilter(block);
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const update: BlockUpdate = { block: number, writes: [], txIds: [] };
  if (number === 0) return update;
  envelopes.forEach((envelope, tx) => {
    const code = filter[tx] ?? TxValidationCode.NOT_VALIDATED;
    let unpacked;
    try {
      unpacked = unpackTransaction(envelope);
    } catch {
      return;
    }
    if (code !== TxValidationCode.DUPLICATE_TXID && unpacked.txId !== '') update.txIds.push({ txId: unpacked.txId, tx, code });
    if (code !== TxValidationCode.VALID) return;
    const rwset = unpacked.endorser?.chaincodeAction.getResults_asU8();
    if (rwset === undefined) return;
    update.writes.push(...writesOfRwset(rwset, tx));
    const pvt = privateData?.byTx.get(tx);
    const dataHash = block.getHeader()?.getDataHash_asU8();
    if (pvt !== undefined && dataHash !== undefined && Buffer.from(dataHash).equals(Buffer.from(privateData?.dataHash ?? []))) {
      update.writes.push(...privateWritesOf(rwset, pvt, tx));
    }
  });
  return update;
}

/** Builds a queryresult.KeyModification message. */
export function keyModificationMessage(m: KeyModification): ledgerProtos.queryresult.KeyModification {
  const msg = new ledgerProtos.queryresult.KeyModification();
  msg.setTxId(m.txId);
  msg.setValue(m.value);
  msg.setIsDelete(m.isDelete);
  if (m.timestamp !== undefined) msg.setTimestamp(m.timestamp);
  return msg;
}
