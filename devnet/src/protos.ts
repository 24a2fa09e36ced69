/**
 * Helpers over @hyperledger/fabric-protos: unpacking proposals and endorser transactions, and the
 * few derived values Fabric defines (txid, proposal hash). Parsing functions throw plain Errors
 * whose messages are suitable for Fabric-style error text; callers map them to status codes.
 */
import { createHash } from 'node:crypto';
import { common, ledger, peer } from '@hyperledger/fabric-protos';

/** TxValidationCode values (peer/transaction.proto). */
export const TxValidationCode = peer.TxValidationCode;

/** Name of a TxValidationCode value, e.g. `MVCC_READ_CONFLICT`. */
export function txValidationCodeName(code: number): string {
  for (const [name, value] of Object.entries(peer.TxValidationCode)) if (value === code) return name;
  return `UNKNOWN(${code})`;
}

/** `protoutil.ComputeTxID`: hex SHA-256 of nonce ‖ creator. */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return createHash('sha256').update(nonce).update(creator).digest('hex');
}

/** A proposal with everything the endorser needs, decoded once. */
export interface UnpackedProposal {
  signedProposal: peer.SignedProposal;
  proposalBytes: Uint8Array;
  signature: Uint8Array;
  header: common.Header;
  channelHeaderBytes: Uint8Array;
  signatureHeaderBytes: Uint8Array;
  channelHeader: common.ChannelHeader;
  signatureHeader: common.SignatureHeader;
  chaincodeProposalPayload: peer.ChaincodeProposalPayload;
  invocationSpec: peer.ChaincodeInvocationSpec;
  input: peer.ChaincodeInput;
  chaincodeName: string;
  channelId: string;
  txId: string;
  /** `ChaincodeProposalPayload{input}` with the transient map stripped, serialised once. */
  strippedPayloadBytes: Uint8Array;
  hasTransientData: boolean;
}

/**
 * Decodes a SignedProposal down to the chaincode input, as `getChannelAndChaincodeFromSignedProposal`
 * and the endorser's `UnpackProposal` do.
 *
 * @throws Error with Fabric's wording when a layer is missing or does not decode.
 */
export function unpackProposal(signedProposal: peer.SignedProposal | undefined): UnpackedProposal {
  if (signedProposal === undefined) throw new Error('a signed proposal is required');
  const proposalBytes = signedProposal.getProposalBytes_asU8();
  if (proposalBytes.length === 0) throw new Error('a signed proposal is required');
  const proposal = peer.Proposal.deserializeBinary(proposalBytes);
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeaderBytes = header.getChannelHeader_asU8();
  const signatureHeaderBytes = header.getSignatureHeader_asU8();
  const channelHeader = common.ChannelHeader.deserializeBinary(channelHeaderBytes);
  const signatureHeader = common.SignatureHeader.deserializeBinary(signatureHeaderBytes);
  const chaincodeProposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  const invocationSpec = peer.ChaincodeInvocationSpec.deserializeBinary(chaincodeProposalPayload.getInput_asU8());
  const channelId = channelHeader.getChannelId();
  if (channelId.length === 0) throw new Error('no channel id provided');
  const spec = invocationSpec.getChaincodeSpec();
  if (spec === undefined) throw new Error(`no chaincode spec is provided, channel id [${channelId}]`);
  const chaincodeId = spec.getChaincodeId();
  if (chaincodeId === undefined) throw new Error(`no chaincode id is provided, channel id [${channelId}]`);
  const chaincodeName = chaincodeId.getName();
  if (chaincodeName.length === 0) throw new Error(`no chaincode name is provided, channel id [${channelId}]`);
  const stripped = new peer.ChaincodeProposalPayload();
  stripped.setInput(chaincodeProposalPayload.getInput_asU8());
  return {
    signedProposal,
    proposalBytes,
    signature: signedProposal.getSignature_asU8(),
    header,
    channelHeaderBytes,
    signatureHeaderBytes,
    channelHeader,
    signatureHeader,
    chaincodeProposalPayload,
    invocationSpec,
    input: spec.getInput() ?? new peer.ChaincodeInput(),
    chaincodeName,
    channelId,
    txId: channelHeader.getTxId(),
    strippedPayloadBytes: stripped.serializeBinary(),
    hasTransientData: chaincodeProposalPayload.getTransientmapMap().getLength() > 0,
  };
}

/** `GetProposalHash1`/`GetProposalHash2`: SHA-256 of channel header ‖ signature header ‖ stripped payload. */
export function proposalHash(channelHeaderBytes: Uint8Array, signatureHeaderBytes: Uint8Array, strippedPayloadBytes: Uint8Array): Buffer {
  return createHash('sha256').update(channelHeaderBytes).update(signatureHeaderBytes).update(strippedPayloadBytes).digest();
}

/** An endorser transaction decoded from an envelope, for validation and replay. */
export interface UnpackedTransaction {
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  channelHeaderBytes: Uint8Array;
  channelHeader: common.ChannelHeader;
  signatureHeaderBytes: Uint8Array;
  signatureHeader: common.SignatureHeader;
  txId: string;
  /** Present for endorser transactions only. */
  endorser?: {
    actionHeaderBytes: Uint8Array;
    chaincodeProposalPayloadBytes: Uint8Array;
    proposalResponsePayloadBytes: Uint8Array;
    proposalResponsePayload: peer.ProposalResponsePayload;
    chaincodeAction: peer.ChaincodeAction;
    endorsements: peer.Endorsement[];
  };
}

/**
 * Decodes an envelope's payload, headers and, for ENDORSER_TRANSACTION, its single action.
 *
 * @throws Error when any layer does not decode.
 */
export function unpackTransaction(envelopeBytes: Uint8Array): UnpackedTransaction {
  const envelope = common.Envelope.deserializeBinary(envelopeBytes);
  const payloadBytes = envelope.getPayload_asU8();
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader();
  if (header === undefined) throw new Error('missing header');
  const channelHeaderBytes = header.getChannelHeader_asU8();
  const channelHeader = common.ChannelHeader.deserializeBinary(channelHeaderBytes);
  const signatureHeaderBytes = header.getSignatureHeader_asU8();
  const signatureHeader = common.SignatureHeader.deserializeBinary(signatureHeaderBytes);
  const result: UnpackedTransaction = {
    payloadBytes,
    signature: envelope.getSignature_asU8(),
    channelHeaderBytes,
    channelHeader,
    signatureHeaderBytes,
    signatureHeader,
    txId: channelHeader.getTxId(),
  };
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return result;
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const actions = transaction.getActionsList();
  const action = actions[0];
  if (actions.length !== 1 || action === undefined) throw new Error(`only one action per transaction is supported, tx contains ${actions.length}`);
  const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = cap.getAction();
  if (endorsed === undefined) throw new Error('nil chaincode endorsed action');
  const prpBytes = endorsed.getProposalResponsePayload_asU8();
  const prp = peer.ProposalResponsePayload.deserializeBinary(prpBytes);
  result.endorser = {
    actionHeaderBytes: action.getHeader_asU8(),
    chaincodeProposalPayloadBytes: cap.getChaincodeProposalPayload_asU8(),
    proposalResponsePayloadBytes: prpBytes,
    proposalResponsePayload: prp,
    chaincodeAction: peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()),
    endorsements: endorsed.getEndorsementsList(),
  };
  return result;
}

/** One collection's hashed read-write set within a namespace. */
export interface CollectionHashedSet {
  collection: string;
  hashed: ledger.rwset.kvrwset.HashedRWSet;
  pvtRwsetHash: Buffer;
}

/** Decodes a TxReadWriteSet into namespace → KVRWSet and the collections' hashed sets. */
export function decodeRwset(bytes: Uint8Array): { namespace: string; rwset: ledger.rwset.kvrwset.KVRWSet; collections: CollectionHashedSet[] }[] {
  if (bytes.length === 0) return [];
  const txrw = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return txrw.getNsRwsetList().map((ns) => ({
    namespace: ns.getNamespace(),
    rwset: ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()),
    collections: ns.getCollectionHashedRwsetList().map((c) => ({
      collection: c.getCollectionName(),
      hashed: ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8()),
      pvtRwsetHash: Buffer.from(c.getPvtRwsetHash_asU8()),
    })),
  }));
}
