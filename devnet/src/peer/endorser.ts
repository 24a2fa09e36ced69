/**
 * The endorser of each organisation's peer (core/endorser/endorser.go): validates a proposal,
 * runs the chaincode in a fresh simulator, and signs the ProposalResponsePayload with the
 * organisation's peer identity (`sign(prp ‖ endorser)`). The gateway calls it once per endorsing
 * organisation, so non-deterministic chaincode shows up as mismatching payloads, as on Fabric.
 */
import { peer } from '@hyperledger/fabric-protos';
import { common } from '@hyperledger/fabric-protos';
import { computeTxId, proposalHash, type UnpackedProposal } from '../protos';
import { IdentityRejectedError, type ChannelMsps } from '../msp/msp';
import { TxSimulator } from './simulator';
import type { ChaincodeRuntime } from '../chaincode/launcher';
import type { NodeIdentity } from '../bootstrap';
import type { CollectionConfig } from '../config';
import type { Ledger } from '../ledger/ledger';

/** Shim's ERRORTHRESHOLD: a chaincode status at or above it is a failure. */
export const ERROR_THRESHOLD = 400;

/** Why a proposal was refused before simulation, with Fabric's message. */
export class ProposalRejectedError extends Error {
  constructor(
    message: string,
    /** `chaincode` and `channel` map to the gateway's "no peers" answers; `validation` to endorser errors. */
    readonly kind: 'validation' | 'channel' | 'chaincode',
  ) {
    super(message);
    this.name = ProposalRejectedError.name;
  }
}

/** The outcome of one organisation's simulation. */
export interface OrgEndorsement {
  mspId: string;
  response: peer.Response;
  /** True when the failure came from the peer (ERROR from the shim, timeout), not the chaincode's response. */
  peerFailure: boolean;
  /** Present when the chaincode succeeded. */
  proposalResponsePayload?: Uint8Array;
  endorsement?: peer.Endorsement;
  writtenKeys: { namespace: string; key: string; collection?: string }[];
  /** TxPvtReadWriteSet bytes when the transaction wrote private data (never on the ledger). */
  privateData?: Uint8Array;
  /** Collections whose private values the simulation read: endorsers must be their members. */
  privateReads: { namespace: string; collection: string }[];
}

/** What the endorser needs from the network. */
export interface EndorserDeps {
  channelId: string;
  msps: ChannelMsps;
  ledger: Ledger;
  chaincodes: ReadonlyMap<string, ChaincodeRuntime>;
  peers: ReadonlyMap<string, NodeIdentity>;
  executeTimeoutMs: number;
  collections(namespace: string): readonly CollectionConfig[];
}

const MAX_CALL_DEPTH = 8;

/** The endorsers of all organisations of the channel (they share the channel's ledger). */
export class Endorser {
  constructor(private readonly deps: EndorserDeps) {}

  /**
   * The checks of `preProcess` and `UnpackedProposal.Validate`: header type, nonce and creator,
   * creator certificate and signature (answered with Fabric's generic "access denied"), txid,
   * duplicate txid, channel and chaincode definition.
   *
   * @throws ProposalRejectedError with Fabric's message.
   */
  preProcess(up: UnpackedProposal): void {
    if (up.channelId !== this.deps.channelId) throw new ProposalRejectedError(`channel '${up.channelId}' not found`, 'channel');
    if (!this.deps.chaincodes.has(up.chaincodeName)) {
      throw new ProposalRejectedError(
        `make sure the chaincode ${up.chaincodeName} has been successfully defined on channel ${up.channelId} and try again: chaincode ${up.chaincodeName} not found`,
        'chaincode',
      );
    }
    const type = up.channelHeader.getType();
    if (type !== common.HeaderType.ENDORSER_TRANSACTION) {
      throw new ProposalRejectedError(`error validating proposal: invalid header type ${type}`, 'validation');
    }
    const nonce = up.signatureHeader.getNonce_asU8();
    const creator = up.signatureHeader.getCreator_asU8();
    if (nonce.length === 0) throw new ProposalRejectedError('error validating proposal: nonce is empty', 'validation');
    if (creator.length === 0) throw new ProposalRejectedError('error validating proposal: creator is empty', 'validation');
    try {
      const identity = this.deps.msps.validate(creator);
      if (!this.deps.msps.verify(identity, up.proposalBytes, up.signature)) throw new IdentityRejectedError('signature does not verify');
    } catch (err) {
      if (err instanceof IdentityRejectedError) throw new ProposalRejectedError('error validating proposal: access denied', 'validation');
      throw err;
    }
    const expected = computeTxId(nonce, creator);
    if (up.txId !== expected) {
      throw new ProposalRejectedError(`error validating proposal: incorrectly computed txid '${up.txId}' -- expected '${expected}'`, 'validation');
    }
    if (this.deps.ledger.state.transaction(up.txId) !== undefined) {
      throw new ProposalRejectedError(`duplicate transaction found [${up.txId}]. Creator [${Buffer.from(creator).toString('hex')}]`, 'validation');
    }
  }

  /**
   * Simulates the proposal for organisation `mspId` and, when the chaincode succeeds, builds and
   * signs its proposal response payload. With `endorse: false` (Evaluate, whose answer carries
   * only the chaincode response) it stops after the response: a Fabric peer would still sign a
   * response nobody receives, and that signature is all the difference. The caller holds the
   * ledger's shared lock.
   */
  async simulate(up: UnpackedProposal, mspId: string, options: { endorse: boolean } = { endorse: true }): Promise<OrgEndorsement> {
    const simulator = new TxSimulator(this.deps.ledger.state);
    const final = await this.execute(up, mspId, up.chaincodeName, up.input, simulator, 0);
    const ccName = up.chaincodeName;
    if (final.getType() !== peer.ChaincodeMessage.Type.COMPLETED) {
      const response = new peer.Response();
      response.setStatus(500);
      response.setMessage(`transaction returned with failure: ${Buffer.from(final.getPayload_asU8()).toString('utf8')}`);
      return { mspId, response, peerFailure: true, writtenKeys: [], privateReads: [] };
    }
    const response = peer.Response.deserializeBinary(final.getPayload_asU8());
    if (response.getStatus() >= ERROR_THRESHOLD || !options.endorse) return { mspId, response, peerFailure: false, writtenKeys: [], privateReads: [] };
    const event = final.getChaincodeEvent();
    if (event !== undefined) {
      event.setChaincodeId(ccName);
      event.setTxId(up.txId);
    }
    const action = new peer.ChaincodeAction();
    action.setResults(simulator.results());
    action.setEvents(event !== undefined ? event.serializeBinary() : new Uint8Array(0));
    action.setResponse(response);
    const chaincodeId = new peer.ChaincodeID();
    chaincodeId.setName(ccName);
    chaincodeId.setVersion(this.deps.chaincodes.get(ccName)?.definition.version ?? '');
    action.setChaincodeId(chaincodeId);
    const prp = new peer.ProposalResponsePayload();
    prp.setProposalHash(proposalHash(up.channelHeaderBytes, up.signatureHeaderBytes, up.strippedPayloadBytes));
    prp.setExtension$(action.serializeBinary());
    const prpBytes = prp.serializeBinary();
    const endorser = this.deps.peers.get(mspId);
    if (endorser === undefined) throw new Error(`no peer identity for ${mspId}`);
    const signed = Buffer.concat([prpBytes, endorser.serialized]);
    const signature = endorser.sign(signed);
    this.deps.msps.rememberValid(endorser.serialized, signed, signature);
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(endorser.serialized);
    endorsement.setSignature(signature);
    const privateData = simulator.privateResults();
    return {
      mspId,
      response,
      peerFailure: false,
      proposalResponsePayload: prpBytes,
      endorsement,
      writtenKeys: simulator.writtenKeys(),
      privateReads: simulator.privateReads(),
      ...(privateData !== undefined ? { privateData } : {}),
    };
  }

  private async execute(
    up: UnpackedProposal,
    mspId: string,
    chaincodeName: string,
    input: peer.ChaincodeInput,
    simulator: TxSimulator,
    depth: number,
  ): Promise<peer.ChaincodeMessage> {
    const runtime = this.deps.chaincodes.get(chaincodeName);
    if (runtime === undefined) return this.error(up, `chaincode ${chaincodeName} not found`);
    if (depth > MAX_CALL_DEPTH) return this.error(up, 'chaincode-to-chaincode call depth exceeded');
    let stream;
    try {
      stream = await runtime.stream(mspId);
    } catch (err) {
      return this.error(up, `could not launch chaincode ${runtime.ccid}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return stream.execute(
      {
        channelId: up.channelId,
        txId: up.txId,
        signedProposal: up.signedProposal,
        input,
        isInit: false,
        namespace: chaincodeName,
        simulator,
        creatorMspId: this.creatorMsp(up),
        peerMspId: mspId,
        collections: (ns) => this.deps.collections(ns),
        history: (ns, key) => this.deps.ledger.history(ns, key),
        invoke: (callee, calleeInput) => this.execute(up, mspId, callee, calleeInput, simulator, depth + 1),
      },
      this.deps.executeTimeoutMs,
    );
  }

  private creatorMsp(up: UnpackedProposal): string {
    try {
      return this.deps.msps.validate(up.signatureHeader.getCreator_asU8()).mspId;
    } catch {
      return '';
    }
  }

  private error(up: UnpackedProposal, text: string): peer.ChaincodeMessage {
    const msg = new peer.ChaincodeMessage();
    msg.setType(peer.ChaincodeMessage.Type.ERROR);
    msg.setTxid(up.txId);
    msg.setChannelId(up.channelId);
    msg.setPayload(Buffer.from(text));
    return msg;
  }
}

/**
 * `prepareTransaction` (internal/pkg/gateway/apiutils.go): the unsigned envelope the client signs,
 * reusing the proposal's header and the stripped chaincode proposal payload bytes unchanged.
 */
export function prepareTransaction(up: UnpackedProposal, proposalResponsePayload: Uint8Array, endorsements: readonly peer.Endorsement[]): common.Envelope {
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(proposalResponsePayload);
  endorsed.setEndorsementsList([...endorsements]);
  const cap = new peer.ChaincodeActionPayload();
  cap.setChaincodeProposalPayload(up.strippedPayloadBytes);
  cap.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setHeader(up.signatureHeaderBytes);
  action.setPayload(cap.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([action]);
  const header = new common.Header();
  header.setChannelHeader(up.channelHeaderBytes);
  header.setSignatureHeader(up.signatureHeaderBytes);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}
