/**
 * The committer's validation of a block (core/committer/txvalidator and the kvledger validator):
 * envelope and header checks, creator signature, txid, duplicate txids (in the ledger and earlier
 * in the block), endorsement policy with key-level validation parameters, then MVCC and phantom
 * reads against committed state plus the writes of earlier valid transactions of the same block.
 * Versions are (block, index of the transaction among all of the block's transactions).
 */
import { common } from '@hyperledger/fabric-protos';
import { IdentityRejectedError, type ChannelMsps } from '../msp/msp';
import { compareKeys } from '../ledger/keys';
import { privateWritesOf, writesOfNamespaces, type CommittedBlock, type Ledger } from '../ledger/ledger';
import { hashedNamespace } from '../ledger/pvtnames';
import { TransientStore } from './transient';
import { TxValidationCode, computeTxId, decodeRwset, proposalHash, unpackTransaction, type UnpackedTransaction } from '../protos';
import { evaluatePolicy, type PolicySigner, type SignaturePolicy } from '../policy/policy';
import { VALIDATION_PARAMETER, requiredPolicies } from '../policy/keylevel';
import type { StateWrite, Version } from '../ledger/statedb';
import type { OrderedEnvelope } from '../orderer/orderer';

type NsSets = ReturnType<typeof decodeRwset>;

interface OverlayEntry {
  deleted: boolean;
  version: Version;
  metadata: ReadonlyMap<string, Buffer> | undefined;
}

function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.block === b.block && a.tx === b.tx;
}

/** Validates and commits blocks for one channel. */
export class Committer {
  constructor(
    private readonly channelId: string,
    private readonly ledger: Ledger,
    private readonly msps: ChannelMsps,
    private readonly chaincodePolicy: (namespace: string) => SignaturePolicy | undefined,
    private readonly collectionPolicy: (namespace: string, collection: string) => SignaturePolicy | undefined = () => undefined,
    private readonly transient: TransientStore = new TransientStore(),
  ) {}

  /**
   * Validates every envelope, writes the block durably, applies it and notifies listeners. An
   * envelope may come with its decoding from the orderer (the same bytes, decoded once).
   */
  async commit(batch: readonly (Uint8Array | OrderedEnvelope)[]): Promise<CommittedBlock> {
    const envelopes = batch.map((e) => (e instanceof Uint8Array ? e : e.bytes));
    const blockNumber = this.ledger.height;
    const overlay = new Map<string, OverlayEntry>();
    const seenTxIds = new Set<string>();
    const filter = new Uint8Array(envelopes.length);
    const writes: StateWrite[] = [];
    const txIds: { txId: string; tx: number; code: number }[] = [];
    const positions: string[] = envelopes.map(() => '');
    const privateRecords: { tx: number; bytes: Uint8Array }[] = [];
    batch.forEach((entry, tx) => {
      let unpacked: UnpackedTransaction | undefined;
      let code: number;
      let nsSets: NsSets = [];
      try {
        unpacked = entry instanceof Uint8Array ? unpackTransaction(entry) : (entry.unpacked ?? unpackTransaction(entry.bytes));
        ({ code, nsSets } = this.validate(unpacked, seenTxIds, overlay));
      } catch {
        code = unpacked === undefined ? TxValidationCode.BAD_PAYLOAD : TxValidationCode.INVALID_ENDORSER_TRANSACTION;
      }
      filter[tx] = code;
      positions[tx] = unpacked?.txId ?? '';
      if (unpacked !== undefined && unpacked.txId !== '' && code !== TxValidationCode.DUPLICATE_TXID) {
        seenTxIds.add(unpacked.txId);
        txIds.push({ txId: unpacked.txId, tx, code });
      }
      if (code !== TxValidationCode.VALID || unpacked?.endorser === undefined) return;
      const rwsetBytes = unpacked.endorser.chaincodeAction.getResults_asU8();
      const txWrites = writesOfNamespaces(nsSets, tx);
      const pvt = this.transient.get(unpacked.txId);
      if (pvt !== undefined) {
        const privateWrites = privateWritesOf(rwsetBytes, pvt, tx);
        if (privateWrites.length > 0) {
          privateRecords.push({ tx, bytes: pvt });
          txWrites.push(...privateWrites);
        }
      }
      for (const w of txWrites) {
        const id = `${w.namespace}\u0000${w.key}`;
        const previous = overlay.get(id);
        const committed = this.ledger.state.get(w.namespace, w.key);
        const metadata = w.isDelete === true ? undefined : (w.metadata ?? previous?.metadata ?? committed?.metadata);
        overlay.set(id, { deleted: w.isDelete === true, version: { block: blockNumber, tx }, metadata });
      }
      writes.push(...txWrites);
    });
    const committed = await this.ledger.commit(envelopes, filter, { writes, txIds }, positions, privateRecords);
    for (const txId of positions) if (txId !== '') this.transient.delete(txId);
    return committed;
  }

  /** The transaction's validation code, and its decoded read-write set when it got that far. */
  private validate(tx: UnpackedTransaction, seenTxIds: ReadonlySet<string>, overlay: ReadonlyMap<string, OverlayEntry>): { code: number; nsSets: NsSets } {
    let nsSets: NsSets = [];
    const code = this.validationCode(tx, seenTxIds, overlay, (decoded) => {
      nsSets = decoded;
    });
    return { code, nsSets };
  }

  private validationCode(
    tx: UnpackedTransaction,
    seenTxIds: ReadonlySet<string>,
    overlay: ReadonlyMap<string, OverlayEntry>,
    decoded: (nsSets: NsSets) => void,
  ): number {
    const ch = tx.channelHeader;
    if (ch.getChannelId() !== this.channelId) return TxValidationCode.TARGET_CHAIN_NOT_FOUND;
    if (ch.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return TxValidationCode.UNKNOWN_TX_TYPE;
    const creator = tx.signatureHeader.getCreator_asU8();
    const nonce = tx.signatureHeader.getNonce_asU8();
    if (creator.length === 0 || nonce.length === 0) return TxValidationCode.BAD_COMMON_HEADER;
    try {
      const identity = this.msps.validate(creator);
      if (!this.msps.verify(identity, tx.payloadBytes, tx.signature)) return TxValidationCode.BAD_CREATOR_SIGNATURE;
    } catch (err) {
      if (err instanceof IdentityRejectedError) return TxValidationCode.BAD_CREATOR_SIGNATURE;
      throw err;
    }
    if (tx.txId !== computeTxId(nonce, creator)) return TxValidationCode.BAD_PROPOSAL_TXID;
    const e = tx.endorser;
    if (e === undefined) return TxValidationCode.INVALID_ENDORSER_TRANSACTION;
    // GetProposalHash2 hashes the payload's own headers with the action's proposal payload.
    const expectedHash = proposalHash(tx.channelHeaderBytes, tx.signatureHeaderBytes, e.chaincodeProposalPayloadBytes);
    if (!expectedHash.equals(e.proposalResponsePayload.getProposalHash_asU8())) return TxValidationCode.INVALID_ENDORSER_TRANSACTION;
    if (seenTxIds.has(tx.txId) || this.ledger.state.transaction(tx.txId) !== undefined) return TxValidationCode.DUPLICATE_TXID;

    let nsSets;
    try {
      nsSets = decodeRwset(e.chaincodeAction.getResults_asU8());
    } catch {
      return TxValidationCode.BAD_RWSET;
    }
    decoded(nsSets);
    if (!this.endorsementsSatisfy(tx, nsSets, overlay)) return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;

    for (const { namespace, rwset } of nsSets) {
      for (const read of rwset.getReadsList()) {
        const id = `${namespace}\u0000${read.getKey()}`;
        if (overlay.has(id)) return TxValidationCode.MVCC_READ_CONFLICT;
        const v = read.getVersion();
        const readVersion = v === undefined ? undefined : { block: v.getBlockNum(), tx: v.getTxNum() };
        if (!sameVersion(this.ledger.state.get(namespace, read.getKey())?.version, readVersion)) return TxValidationCode.MVCC_READ_CONFLICT;
      }
      for (const rq of rwset.getRangeQueriesInfoList()) {
        if (!this.rangeUnchanged(namespace, rq, overlay)) return TxValidationCode.PHANTOM_READ_CONFLICT;
      }
    }
    for (const { namespace, collections } of nsSets) {
      for (const c of collections) {
        const hashedNs = hashedNamespace(namespace, c.collection);
        for (const read of c.hashed.getHashedReadsList()) {
          const key = Buffer.from(read.getKeyHash_asU8()).toString('hex');
          if (overlay.has(`${hashedNs}\u0000${key}`)) return TxValidationCode.MVCC_READ_CONFLICT;
          const v = read.getVersion();
          const readVersion = v === undefined ? undefined : { block: v.getBlockNum(), tx: v.getTxNum() };
          if (!sameVersion(this.ledger.state.get(hashedNs, key)?.version, readVersion)) return TxValidationCode.MVCC_READ_CONFLICT;
        }
      }
    }
    return TxValidationCode.VALID;
  }

  private endorsementsSatisfy(
    tx: UnpackedTransaction,
    nsSets: NsSets,
    overlay: ReadonlyMap<string, OverlayEntry>,
  ): boolean {
    const e = tx.endorser;
    if (e === undefined) return false;
    const signers: PolicySigner[] = [];
    const seen = new Set<string>();
    for (const endorsement of e.endorsements) {
      const endorserBytes = endorsement.getEndorser_asU8();
      const id = Buffer.from(endorserBytes).toString('base64');
      if (seen.has(id)) continue;
      try {
        const identity = this.msps.validate(endorserBytes);
        const signed = Buffer.concat([e.proposalResponsePayloadBytes, endorserBytes]);
        if (!this.msps.verify(identity, signed, endorsement.getSignature_asU8())) continue;
        seen.add(id);
        signers.push({ mspId: identity.mspId, nodeOU: identity.nodeOU });
      } catch {
        continue;
      }
    }
    const written: { namespace: string; key: string; collection?: string }[] = [];
    for (const { namespace, rwset, collections } of nsSets) {
      for (const w of rwset.getWritesList()) written.push({ namespace, key: w.getKey() });
      for (const mw of rwset.getMetadataWritesList()) written.push({ namespace, key: mw.getKey() });
      for (const c of collections) {
        for (const w of c.hashed.getHashedWritesList()) written.push({ namespace, key: Buffer.from(w.getKeyHash_asU8()).toString('hex'), collection: c.collection });
      }
    }
    const invoked = e.chaincodeAction.getChaincodeId()?.getName() ?? '';
    const required = requiredPolicies(
      written,
      invoked,
      (namespace, key) => {
        const pending = overlay.get(`${namespace}\u0000${key}`);
        if (pending !== undefined) return pending.deleted ? undefined : pending.metadata?.get(VALIDATION_PARAMETER);
        return this.ledger.state.get(namespace, key)?.metadata?.get(VALIDATION_PARAMETER);
      },
      this.chaincodePolicy,
      this.collectionPolicy,
    );
    if ('error' in required) return false;
    return required.policies.every((p) => evaluatePolicy(p, signers));
  }

  /** Re-runs a recorded range query over committed state plus this block's earlier writes. */
  private rangeUnchanged(
    namespace: string,
    rq: { getStartKey(): string; getEndKey(): string; getItrExhausted(): boolean; getRawReads(): { getKvReadsList(): { getKey(): string; getVersion(): { getBlockNum(): number; getTxNum(): number } | undefined }[] } | undefined; hasReadsMerkleHashes(): boolean },
    overlay: ReadonlyMap<string, OverlayEntry>,
  ): boolean {
    if (rq.hasReadsMerkleHashes()) return false;
    const start = rq.getStartKey();
    const end = rq.getEndKey();
    const exhausted = rq.getItrExhausted();
    const inRange = (key: string): boolean => {
      if (compareKeys(key, start) < 0) return false;
      if (end === '') return true;
      const c = compareKeys(key, end);
      return exhausted ? c < 0 : c <= 0;
    };
    const keys = new Set<string>();
    for (const key of this.ledger.state.rangeKeys(namespace, start, '')) {
      if (!inRange(key)) break;
      keys.add(key);
    }
    const prefix = `${namespace}\u0000`;
    for (const id of overlay.keys()) {
      if (!id.startsWith(prefix)) continue;
      const key = id.slice(prefix.length);
      if (inRange(key)) keys.add(key);
    }
    const current: { key: string; version: Version }[] = [];
    for (const key of [...keys].sort(compareKeys)) {
      const pending = overlay.get(`${prefix}${key}`);
      if (pending !== undefined) {
        if (!pending.deleted) current.push({ key, version: pending.version });
        continue;
      }
      const committed = this.ledger.state.get(namespace, key);
      if (committed !== undefined) current.push({ key, version: committed.version });
    }
    const recorded = rq.getRawReads()?.getKvReadsList() ?? [];
    if (recorded.length !== current.length) return false;
    return recorded.every((r, i) => {
      const c = current[i];
      const v = r.getVersion();
      return c !== undefined && c.key === r.getKey() && v !== undefined && v.getBlockNum() === c.version.block && v.getTxNum() === c.version.tx;
    });
  }
}
