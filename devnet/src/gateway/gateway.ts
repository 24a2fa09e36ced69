/**
 * The Fabric Gateway service of one organisation's peer (internal/pkg/gateway): Evaluate, Endorse,
 * Submit, CommitStatus and ChaincodeEvents, with Fabric's endorsing-organisation selection, its
 * gRPC status codes and its ErrorDetail shapes, so `@hyperledger/fabric-gateway` behaves here as
 * against a Fabric 2.5 peer.
 */
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { gateway, peer } from '@hyperledger/fabric-protos';
import { IdentityRejectedError, type ChannelMsps } from '../msp/msp';
import { TxValidationCode, unpackProposal, unpackTransaction, type UnpackedProposal } from '../protos';
import { minimalEndorsingOrgs, type SignaturePolicy } from '../policy/policy';
import { VALIDATION_PARAMETER, requiredPolicies } from '../policy/keylevel';
import { ProposalRejectedError, prepareTransaction, type Endorser, type OrgEndorsement } from '../peer/endorser';
import { transactionsFilter } from '../ledger/block';
import { rpcError, type ErrorDetail } from './rpcerror';
import type { CommitNotifier } from './notifier';
import type { Ledger, CommittedBlock } from '../ledger/ledger';
import type { Orderer } from '../orderer/orderer';
import type { CollectionConfig } from '../config';
import type { TransientStore } from '../peer/transient';

/** What one organisation's gateway needs. */
export interface GatewayDeps {
  channelId: string;
  /** This gateway's organisation. */
  mspId: string;
  /** MSP id → this devnet's gateway address of that organisation (ErrorDetail.address). */
  addresses: ReadonlyMap<string, string>;
  ordererAddress: string;
  ordererMspId: string;
  mspIds: readonly string[];
  msps: ChannelMsps;
  endorser: Endorser;
  orderer: Orderer;
  ledger: Ledger;
  notifier: CommitNotifier;
  chaincodePolicy: (name: string) => SignaturePolicy | undefined;
  collections(namespace: string): readonly CollectionConfig[];
  transient: TransientStore;
}

type Callback<T> = sendUnaryData<T>;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Builds the grpc-js implementation of `gateway.Gateway` for one organisation. */
export function gatewayService(deps: GatewayDeps): UntypedServiceImplementation {
  const detail = (mspId: string, message: string): ErrorDetail => ({ address: deps.addresses.get(mspId) ?? '', mspId, message });
  const noPeers = (up: UnpackedProposal): ReturnType<typeof rpcError> =>
    rpcError(status.FAILED_PRECONDITION, `no peers available to evaluate chaincode ${up.chaincodeName} in channel ${up.channelId}`);
  const planCache = new Map<string, string[] | null>();
  const lastPlan = new Map<string, string[]>();

  const evaluate = async (call: ServerUnaryCall<gateway.EvaluateRequest, gateway.EvaluateResponse>, callback: Callback<gateway.EvaluateResponse>): Promise<void> => {
    let up: UnpackedProposal;
    try {
      up = unpackProposal(call.request.getProposedTransaction());
    } catch (err) {
      callback(rpcError(status.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${messageOf(err)}`));
      return;
    }
    const targets = call.request.getTargetOrganizationsList();
    const target = targets.length > 0 ? targets.find((m) => deps.mspIds.includes(m)) : deps.mspId;
    if (target === undefined) {
      callback(noPeers(up));
      return;
    }
    try {
      deps.endorser.preProcess(up);
    } catch (err) {
      if (err instanceof ProposalRejectedError) {
        if (err.kind !== 'validation') callback(noPeers(up));
        else callback(rpcError(status.FAILED_PRECONDITION, `evaluate call to endorser returned error: ${err.message}`, [detail(target, err.message)]));
        return;
      }
      throw err;
    }
    const release = await deps.ledger.lock.read();
    let result: OrgEndorsement;
    try {
      result = await deps.endorser.simulate(up, target, { endorse: false });
    } finally {
      release();
    }
    const response = result.response;
    if (result.peerFailure) {
      callback(rpcError(status.ABORTED, 'failed to evaluate transaction, see attached details for more info', [detail(target, response.getMessage())]));
      return;
    }
    if (response.getStatus() < 200 || response.getStatus() >= 400) {
      const message = `chaincode response ${response.getStatus()}, ${response.getMessage()}`;
      callback(rpcError(status.UNKNOWN, `evaluate call to endorser returned error: ${message}`, [detail(target, message)]));
      return;
    }
    const out = new gateway.EvaluateResponse();
    out.setResult(response);
    callback(null, out);
  };

  const collectionPolicy = (namespace: string, collection: string): SignaturePolicy | undefined =>
    deps.collections(namespace).find((c) => c.name === collection)?.endorsementPolicy;

  const chooseOrgs = (up: UnpackedProposal, first: OrgEndorsement): string[] | undefined => {
    const required = requiredPolicies(
      first.writtenKeys,
      up.chaincodeName,
      (namespace, key) => deps.ledger.state.get(namespace, key)?.metadata?.get(VALIDATION_PARAMETER),
      deps.chaincodePolicy,
      collectionPolicy,
    );
    if ('error' in required) return undefined;
    if (first.privateReads.length > 0) {
      // Only members hold the private values the chaincode read (discovery's NoPrivateReads=false).
      const members = deps.mspIds.filter((m) =>
        first.privateReads.every((r) => deps.collections(r.namespace).find((c) => c.name === r.collection)?.members.includes(m) === true),
      );
      return minimalEndorsingOrgs(required.policies, members, deps.mspId, [deps.mspId]);
    }
    const cacheable =
      required.policies.length === 1 &&
      first.writtenKeys.every((k) => k.collection === undefined && deps.ledger.state.get(k.namespace, k.key)?.metadata === undefined);
    const cacheKey = `${up.chaincodeName}\u0000${first.writtenKeys.length === 0 ? 'r' : 'w'}`;
    if (cacheable && planCache.has(cacheKey)) return planCache.get(cacheKey) ?? undefined;
    const orgs = minimalEndorsingOrgs(required.policies, deps.mspIds, deps.mspId, [deps.mspId]);
    if (cacheable) planCache.set(cacheKey, orgs ?? null);
    return orgs;
  };

  const endorse = async (call: ServerUnaryCall<gateway.EndorseRequest, gateway.EndorseResponse>, callback: Callback<gateway.EndorseResponse>): Promise<void> => {
    const signed = call.request.getProposedTransaction();
    if (signed === undefined || signed.getProposalBytes_asU8().length === 0) {
      callback(rpcError(status.INVALID_ARGUMENT, 'the proposed transaction must contain a signed proposal'));
      return;
    }
    let up: UnpackedProposal;
    try {
      up = unpackProposal(signed);
    } catch (err) {
      callback(rpcError(status.INVALID_ARGUMENT, messageOf(err)));
      return;
    }
    const requested = call.request.getEndorsingOrganizationsList();
    const unknownOrg = requested.find((m) => !deps.mspIds.includes(m));
    if (unknownOrg !== undefined) {
      callback(rpcError(status.UNAVAILABLE, `no endorsers found in the following organizations: ${unknownOrg}`));
      return;
    }
    const firstOrg = requested.length > 0 ? (requested[0] ?? deps.mspId) : deps.mspId;
    try {
      deps.endorser.preProcess(up);
    } catch (err) {
      if (err instanceof ProposalRejectedError) {
        if (err.kind !== 'validation') {
          callback(rpcError(status.FAILED_PRECONDITION, `no combination of peers can be derived which satisfy the endorsement policy: chaincode ${up.chaincodeName} is not defined on channel ${up.channelId}`));
        } else {
          callback(rpcError(status.ABORTED, 'failed to endorse transaction, see attached details for more info', [detail(firstOrg, err.message)]));
        }
        return;
      }
      throw err;
    }
    const failureMessage = (r: OrgEndorsement): string =>
      r.peerFailure ? r.response.getMessage() : `chaincode response ${r.response.getStatus()}, ${r.response.getMessage()}`;
    const failed = (r: OrgEndorsement): boolean => r.proposalResponsePayload === undefined;

    const release = await deps.ledger.lock.read();
    let results: OrgEndorsement[];
    try {
      if (requested.length > 0) {
        results = await Promise.all([...new Set(requested)].map((m) => deps.endorser.simulate(up, m)));
      } else {
        // Fabric endorses on the local peer first and then asks the others the plan names. The
        // outcome only depends on the plan, so the other organisations of the last plan for this
        // chaincode start at the same time; a run the final plan does not need is discarded.
        const speculative = new Map(
          (lastPlan.get(up.chaincodeName) ?? []).filter((m) => m !== deps.mspId).map((m) => [m, deps.endorser.simulate(up, m)] as const),
        );
        const settleSpeculation = async (keep: readonly string[]): Promise<void> => {
          await Promise.allSettled([...speculative].filter(([m]) => !keep.includes(m)).map(([, run]) => run));
        };
        const first = await deps.endorser.simulate(up, deps.mspId);
        if (failed(first)) {
          await settleSpeculation([]);
          callback(rpcError(status.ABORTED, 'failed to endorse transaction, see attached details for more info', [detail(deps.mspId, failureMessage(first))]));
          return;
        }
        const orgs = chooseOrgs(up, first);
        if (orgs === undefined) {
          await settleSpeculation([]);
          callback(rpcError(status.FAILED_PRECONDITION, 'no combination of peers can be derived which satisfy the endorsement policy'));
          return;
        }
        lastPlan.set(up.chaincodeName, orgs);
        const others = await Promise.all(orgs.filter((m) => m !== deps.mspId).map((m) => speculative.get(m) ?? deps.endorser.simulate(up, m)));
        await settleSpeculation(orgs);
        results = [first, ...others];
      }
    } finally {
      release();
    }
    const failures = results.filter(failed);
    if (failures.length > 0) {
      const message = requested.length > 0 ? 'failed to collect enough transaction endorsements, see attached details for more info' : 'failed to collect enough transaction endorsements, see attached details for more info';
      callback(rpcError(status.ABORTED, message, failures.map((r) => detail(r.mspId, failureMessage(r)))));
      return;
    }
    const reference = results[0]?.proposalResponsePayload ?? new Uint8Array(0);
    const mismatched = results.filter((r) => !Buffer.from(r.proposalResponsePayload ?? []).equals(Buffer.from(reference)));
    if (mismatched.length > 0) {
      callback(
        rpcError(
          status.ABORTED,
          'failed to collect enough transaction endorsements, see attached details for more info',
          mismatched.map((r) => detail(r.mspId, 'ProposalResponsePayloads do not match')),
        ),
      );
      return;
    }
    const endorsements: peer.Endorsement[] = [];
    const seen = new Set<string>();
    for (const r of results) {
      const e = r.endorsement;
      if (e === undefined) continue;
      const id = Buffer.from(e.getEndorser_asU8()).toString('base64');
      if (seen.has(id)) continue;
      seen.add(id);
      endorsements.push(e);
    }
    const privateData = results[0]?.privateData;
    if (privateData !== undefined) deps.transient.put(up.txId, privateData);
    const out = new gateway.EndorseResponse();
    out.setPreparedTransaction(prepareTransaction(up, reference, endorsements));
    callback(null, out);
  };

  const submit = (call: ServerUnaryCall<gateway.SubmitRequest, gateway.SubmitResponse>, callback: Callback<gateway.SubmitResponse>): void => {
    const txn = call.request.getPreparedTransaction();
    if (txn === undefined) {
      callback(rpcError(status.INVALID_ARGUMENT, 'a prepared transaction is required'));
      return;
    }
    if (txn.getSignature_asU8().length === 0) {
      callback(rpcError(status.INVALID_ARGUMENT, 'prepared transaction must be signed'));
      return;
    }
    if (call.request.getChannelId() !== '' && call.request.getChannelId() !== deps.channelId) {
      callback(rpcError(status.FAILED_PRECONDITION, `channel '${call.request.getChannelId()}' not found`));
      return;
    }
    const result = deps.orderer.broadcast(txn.serializeBinary());
    if (result.status !== 'SUCCESS') {
      const message = `received unsuccessful response from orderer: ${result.status}`;
      callback(
        rpcError(status.ABORTED, message, [
          { address: deps.ordererAddress, mspId: deps.ordererMspId, message: `rpc error: code = Aborted desc = ${message}` },
        ]),
      );
      return;
    }
    callback(null, new gateway.SubmitResponse());
  };

  const checkSignedRequest = (requestBytes: Uint8Array, identityBytes: Uint8Array, signature: Uint8Array, resource: string): string | undefined => {
    try {
      const identity = deps.msps.validate(identityBytes);
      if (deps.msps.verify(identity, requestBytes, signature)) return undefined;
    } catch (err) {
      if (!(err instanceof IdentityRejectedError)) throw err;
    }
    return `failed evaluating policy on signed data during check policy [/Channel/Application/Writers]: access denied for [${resource}]`;
  };

  const commitStatus = async (
    call: ServerUnaryCall<gateway.SignedCommitStatusRequest, gateway.CommitStatusResponse>,
    callback: Callback<gateway.CommitStatusResponse>,
  ): Promise<void> => {
    const requestBytes = call.request.getRequest_asU8();
    if (requestBytes.length === 0) {
      callback(rpcError(status.INVALID_ARGUMENT, 'a commit status request is required'));
      return;
    }
    let request: gateway.CommitStatusRequest;
    try {
      request = gateway.CommitStatusRequest.deserializeBinary(requestBytes);
    } catch (err) {
      callback(rpcError(status.INVALID_ARGUMENT, `invalid status request: ${messageOf(err)}`));
      return;
    }
    const denied = checkSignedRequest(requestBytes, request.getIdentity_asU8(), call.request.getSignature_asU8(), 'CommitStatus');
    if (denied !== undefined) {
      callback(rpcError(status.PERMISSION_DENIED, denied));
      return;
    }
    if (request.getChannelId() !== deps.channelId) {
      callback(rpcError(status.FAILED_PRECONDITION, `channel '${request.getChannelId()}' not found`));
      return;
    }
    const waiting = deps.notifier.wait(request.getTransactionId());
    call.once('cancelled', waiting.cancel);
    const result = await waiting.result;
    if (result === undefined) return;
    const out = new gateway.CommitStatusResponse();
    out.setResult(result.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
    out.setBlockNumber(result.blockNumber);
    callback(null, out);
  };

  const chaincodeEvents = (call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>): void => {
    const requestBytes = call.request.getRequest_asU8();
    if (requestBytes.length === 0) {
      call.emit('error', rpcError(status.INVALID_ARGUMENT, 'a chaincode events request is required'));
      return;
    }
    let request: gateway.ChaincodeEventsRequest;
    try {
      request = gateway.ChaincodeEventsRequest.deserializeBinary(requestBytes);
    } catch (err) {
      call.emit('error', rpcError(status.INVALID_ARGUMENT, `invalid chaincode events request: ${messageOf(err)}`));
      return;
    }
    const denied = checkSignedRequest(requestBytes, request.getIdentity_asU8(), call.request.getSignature_asU8(), 'ChaincodeEvents');
    if (denied !== undefined) {
      call.emit('error', rpcError(status.PERMISSION_DENIED, denied));
      return;
    }
    if (request.getChannelId() !== deps.channelId) {
      call.emit('error', rpcError(status.NOT_FOUND, `channel not found: ${request.getChannelId()}`));
      return;
    }
    streamChaincodeEvents(deps.ledger, request, call);
  };

  const guard =
    <Req, Res>(fn: (call: ServerUnaryCall<Req, Res>, cb: Callback<Res>) => Promise<void> | void) =>
    (call: ServerUnaryCall<Req, Res>, cb: Callback<Res>): void => {
      Promise.resolve(fn(call, cb)).catch((err: unknown) => {
        cb(rpcError(status.INTERNAL, messageOf(err)));
      });
    };

  return {
    evaluate: guard(evaluate),
    endorse: guard(endorse),
    submit: guard(submit),
    commitStatus: guard(commitStatus),
    chaincodeEvents,
  };
}

/** Chaincode events of the valid transactions of a block, in transaction order. */
export function chaincodeEventsOf(block: CommittedBlock['block']): peer.ChaincodeEvent[] {
  const filter = transactionsFilter(block);
  const out: peer.ChaincodeEvent[] = [];
  (block.getData()?.getDataList_asU8() ?? []).forEach((envelope, i) => {
    if (filter[i] !== TxValidationCode.VALID) return;
    try {
      const bytes = unpackTransaction(envelope).endorser?.chaincodeAction.getEvents_asU8();
      if (bytes === undefined || bytes.length === 0) return;
      const event = peer.ChaincodeEvent.deserializeBinary(bytes);
      if (event.getEventName() !== '') out.push(event);
    } catch {
      return;
    }
  });
  return out;
}

function streamChaincodeEvents(
  ledger: Ledger,
  request: gateway.ChaincodeEventsRequest,
  call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
): void {
  const chaincodeId = request.getChaincodeId();
  const afterTxId = request.getAfterTransactionId();
  let passedAfterTx = afterTxId === '';
  let next: number;
  const afterLocation = afterTxId !== '' ? ledger.state.transaction(afterTxId) : undefined;
  const position = request.getStartPosition();
  if (afterLocation !== undefined) next = afterLocation.block;
  else if (position?.hasSpecified() === true) next = position.getSpecified()?.getNumber() ?? 0;
  else next = ledger.height;
  if (afterTxId !== '' && afterLocation === undefined) passedAfterTx = true;

  let cancelled = false;
  let pumping = false;
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!cancelled && next < ledger.height) {
        const number = next++;
        const events = chaincodeEventsOf(ledger.getBlock(number)).filter((event) => {
          if (!passedAfterTx) {
            if (event.getTxId() === afterTxId) passedAfterTx = true;
            return false;
          }
          return event.getChaincodeId() === chaincodeId;
        });
        if (events.length === 0) continue;
        const response = new gateway.ChaincodeEventsResponse();
        response.setBlockNumber(number);
        response.setEventsList(events);
        if (!call.write(response)) await new Promise((resolve) => call.once('drain', resolve));
      }
    } finally {
      pumping = false;
    }
    if (!cancelled && next < ledger.height) void pump();
  };
  const unsubscribe = ledger.onBlock(() => {
    void pump();
  });
  call.once('cancelled', () => {
    cancelled = true;
    unsubscribe();
  });
  call.once('close', () => {
    cancelled = true;
    unsubscribe();
  });
  void pump();
}
