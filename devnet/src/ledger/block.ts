/**
 * Blocks as Fabric builds them (protoutil/blockutils.go): `data_hash = SHA256(concat(data))`, the
 * header hash over Go's `asn1.Marshal` of `{number, previous_hash, data_hash}`, and the five
 * metadata slots with TRANSACTIONS_FILTER holding one TxValidationCode byte per transaction.
 */
import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';

/** Indexes of `BlockMetadata.metadata`, as in common.proto's BlockMetadataIndex. */
export const BlockMetadataIndex = {
  SIGNATURES: 0,
  LAST_CONFIG: 1,
  TRANSACTIONS_FILTER: 2,
  ORDERER: 3,
  COMMIT_HASH: 4,
} as const;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derTlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** Minimal two's-complement big-endian encoding of a non-negative integer, as Go's asn1 writes it. */
function derIntegerBody(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** The DER bytes Fabric hashes for a block header (`protoutil.BlockHeaderBytes`). */
export function blockHeaderBytes(number: bigint | number, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return derTlv(
    0x30,
    Buffer.concat([
      derTlv(0x02, derIntegerBody(BigInt(number))),
      derTlv(0x04, Buffer.from(previousHash)),
      derTlv(0x04, Buffer.from(dataHash)),
    ]),
  );
}

/** `protoutil.BlockHeaderHash`: SHA-256 of the header's DER bytes. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256')
    .update(blockHeaderBytes(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8()))
    .digest();
}

/** `protoutil.ComputeBlockDataHash`: SHA-256 over the concatenated envelope bytes. */
export function blockDataHash(data: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const d of data) hash.update(d);
  return hash.digest();
}

/** Everything needed to assemble a block. */
export interface BlockParts {
  number: number;
  previousHash: Uint8Array;
  data: readonly Uint8Array[];
  txFilter: Uint8Array;
  /** Metadata slot 0: the orderer's signature over the block. */
  signatures: common.Metadata;
  lastConfigIndex: number;
  commitHash: Uint8Array;
}

/** Assembles a `common.Block` with Fabric's header, data hash and metadata layout. */
export function buildBlock(parts: BlockParts): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(parts.number);
  header.setPreviousHash(parts.previousHash);
  header.setDataHash(blockDataHash(parts.data));
  const data = new common.BlockData();
  data.setDataList([...parts.data]);
  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(parts.lastConfigIndex);
  const lastConfigMeta = new common.Metadata();
  lastConfigMeta.setValue(lastConfig.serializeBinary());
  const commitHashMeta = new common.Metadata();
  commitHashMeta.setValue(parts.commitHash);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([
    parts.signatures.serializeBinary(),
    lastConfigMeta.serializeBinary(),
    parts.txFilter,
    new Uint8Array(0),
    commitHashMeta.serializeBinary(),
  ]);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

/** The TRANSACTIONS_FILTER of a block (one TxValidationCode per transaction). */
export function transactionsFilter(block: common.Block): Uint8Array {
  const raw = block.getMetadata()?.getMetadataList()[BlockMetadataIndex.TRANSACTIONS_FILTER];
  if (raw === undefined) return new Uint8Array(0);
  return typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw;
}
