/**
 * The peer's Deliver service (common/deliver/deliver.go): `Deliver` (full blocks),
 * `DeliverFiltered` (transaction ids, validation codes and chaincode events without payloads) and
 * `DeliverWithPrivateData` (full blocks; the devnet holds no private data). Each request is a
 * signed DELIVER_SEEK_INFO envelope; blocks stream from the start position to the stop position,
 * waiting for new blocks when asked to, then a SUCCESS status ends the request.
 */
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { common, orderer, peer } from '@hyperledger/fabric-protos';
import { IdentityRejectedError, type ChannelMsps } from '../msp/msp';
import { transactionsFilter } from '../ledger/block';
import { unpackTransaction } from '../protos';
import type { Ledger } from '../ledger/ledger';

type Kind = 'full' | 'filtered' | 'private';
type Stream = ServerDuplexStream<common.Envelope, peer.DeliverResponse>;
type StatusCode = common.StatusMap[keyof common.StatusMap];

const MAX_BLOCK = Number.MAX_SAFE_INTEGER;

function statusResponse(code: StatusCode): peer.DeliverResponse {
  const res = new peer.DeliverResponse();
  res.setStatus(code);
  return res;
}

/** Builds the FilteredBlock of a block, as the peer's deliver handler does. */
export function filteredBlock(channelId: string, block: common.Block): peer.FilteredBlock {
  const filter = transactionsFilter(block);
  const out = new peer.FilteredBlock();
  out.setChannelId(channelId);
  out.setNumber(block.getHeader()?.getNumber() ?? 0);
  out.setFilteredTransactionsList(
    (block.getData()?.getDataList_asU8() ?? []).map((envelope, i) => {
      const ft = new peer.FilteredTransaction();
      ft.setTxValidationCode((filter[i] ?? 254) as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
      try {
        const tx = unpackTransaction(envelope);
        ft.setTxid(tx.txId);
        ft.setType(tx.channelHeader.getType() as common.HeaderTypeMap[keyof common.HeaderTypeMap]);
        const eventBytes = tx.endorser?.chaincodeAction.getEvents_asU8();
        if (tx.endorser !== undefined) {
          const actions = new peer.FilteredTransactionActions();
          if (eventBytes !== undefined && eventBytes.length > 0) {
            const event = peer.ChaincodeEvent.deserializeBinary(eventBytes);
            event.setPayload(new Uint8Array(0));
            const action = new peer.FilteredChaincodeAction();
            action.setChaincodeEvent(event);
            actions.setChaincodeActionsList([action]);
          }
          ft.setTransactionActions(actions);
        }
      } catch {
        // An undecodable envelope still gets its position and validation code.
      }
      return ft;
    }),
  );
  return out;
}

/** Builds the grpc-js implementation of `protos.Deliver`. */
export function deliverService(channelId: string, ledger: Ledger, msps: ChannelMsps): UntypedServiceImplementation {
  const serve = (kind: Kind) => (call: Stream): void => {
    let cancelled = false;
    let queue: Promise<void> = Promise.resolve();
    const waiters = new Set<() => void>();
    const unsubscribe = ledger.onBlock(() => {
      for (const wake of [...waiters]) wake();
    });
    // Read through a function: the flag changes across awaits, which flow analysis cannot see.
    const isCancelled = (): boolean => cancelled;
    const stop = (): void => {
      cancelled = true;
      unsubscribe();
      for (const wake of [...waiters]) wake();
    };
    call.on('cancelled', stop);
    call.on('error', stop);
    call.on('end', () => {
      void queue.then(() => {
        stop();
        call.end();
      });
    });
    const waitForBlock = (number: number): Promise<void> =>
      new Promise((resolve) => {
        if (cancelled || ledger.height > number) {
          resolve();
          return;
        }
        const wake = (): void => {
          if (cancelled || ledger.height > number) {
            waiters.delete(wake);
            resolve();
          }
        };
        waiters.add(wake);
      });
    const send = async (res: peer.DeliverResponse): Promise<void> => {
      if (!call.write(res)) await new Promise((resolve) => call.once('drain', resolve));
    };
    const handle = async (envelope: common.Envelope): Promise<void> => {
      let seek: orderer.SeekInfo;
      try {
        const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
        const header = payload.getHeader();
        if (header === undefined) {
          await send(statusResponse(common.Status.BAD_REQUEST));
          return;
        }
        const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
        if (ch.getChannelId() !== channelId) {
          await send(statusResponse(common.Status.NOT_FOUND));
          return;
        }
        const sh = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
        const identity = msps.validate(sh.getCreator_asU8());
        if (!msps.verify(identity, envelope.getPayload_asU8(), envelope.getSignature_asU8())) {
          await send(statusResponse(common.Status.FORBIDDEN));
          return;
        }
        seek = orderer.SeekInfo.deserializeBinary(payload.getData_asU8());
      } catch (err) {
        await send(statusResponse(err instanceof IdentityRejectedError ? common.Status.FORBIDDEN : common.Status.BAD_REQUEST));
        return;
      }
      const position = (p: orderer.SeekPosition | undefined, fallback: number): number => {
        if (p === undefined) return fallback;
        if (p.hasOldest()) return 0;
        if (p.hasNewest()) return Math.max(0, ledger.height - 1);
        if (p.hasSpecified()) return p.getSpecified()?.getNumber() ?? 0;
        if (p.hasNextCommit()) return ledger.height;
        return fallback;
      };
      const start = position(seek.getStart(), Math.max(0, ledger.height - 1));
      const stopAt = position(seek.getStop(), MAX_BLOCK);
      if (start > stopAt) {
        await send(statusResponse(common.Status.BAD_REQUEST));
        return;
      }
      const failIfNotReady = seek.getBehavior() === orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
      for (let n = start; n <= stopAt && !cancelled; n++) {
        if (n >= ledger.height) {
          if (failIfNotReady) {
            await send(statusResponse(common.Status.NOT_FOUND));
            return;
          }
          await waitForBlock(n);
          if (isCancelled()) return;
        }
        const block = ledger.getBlock(n);
        const res = new peer.DeliverResponse();
        if (kind === 'filtered') {
          res.setFilteredBlock(filteredBlock(channelId, block));
        } else if (kind === 'private') {
          const bpd = new peer.BlockAndPrivateData();
          bpd.setBlock(block);
          res.setBlockAndPrivateData(bpd);
        } else {
          res.setBlock(block);
        }
        await send(res);
      }
      if (!cancelled) await send(statusResponse(common.Status.SUCCESS));
    };
    call.on('data', (envelope: common.Envelope) => {
      queue = queue.then(() => handle(envelope)).catch(() => {
        stop();
      });
    });
  };
  return { deliver: serve('full'), deliverFiltered: serve('filtered'), deliverWithPrivateData: serve('private') };
}
