/**
 * The ordering service: Broadcast-style admission (the channel's signature filter and size limit,
 * answered with Fabric's `common.Status` names) and a block cutter that cuts a batch when it
 * holds `batchSize` envelopes or `batchTimeoutMs` after the first one arrived. Batches are
 * committed strictly in order.
 */
import { common } from '@hyperledger/fabric-protos';
import { IdentityRejectedError, type ChannelMsps } from '../msp/msp';
import { unpackTransaction, type UnpackedTransaction } from '../protos';

/** The Broadcast outcome, named as in common.Status. */
export type BroadcastStatus = 'SUCCESS' | 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'SERVICE_UNAVAILABLE';

/** Options of the block cutter and admission. */
export interface OrdererOptions {
  channelId: string;
  batchSize: number;
  batchTimeoutMs: number;
  /** AbsoluteMaxBytes: envelopes above it are refused with BAD_REQUEST. */
  maxMessageBytes: number;
  /**
   * Whether admission checks the creator signature against the channel's writers (Fabric's
   * SigFilter). Always on in normal use; tests turn it off to play a faulty orderer and reach
   * the committer's own signature checks.
   */
  checkSignatures: boolean;
}

/**
 * An admitted envelope. `unpacked` is its decoding when the whole transaction decoded at
 * admission; it is of these very bytes, so the committer validates it instead of decoding again.
 */
export interface OrderedEnvelope {
  bytes: Uint8Array;
  unpacked: UnpackedTransaction | undefined;
}

interface Admitted {
  channelHeader: common.ChannelHeader;
  signatureHeader: common.SignatureHeader;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  unpacked: UnpackedTransaction | undefined;
}

/** Decodes what admission checks: in full when the transaction decodes, else only its headers. */
function admit(envelopeBytes: Uint8Array): Admitted | string {
  try {
    const unpacked = unpackTransaction(envelopeBytes);
    return { ...unpacked, unpacked };
  } catch {
    // Not a well-formed endorser transaction: admission still only needs the headers, and the
    // committer gives it the validation code Fabric would.
  }
  const envelope = common.Envelope.deserializeBinary(envelopeBytes);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = payload.getHeader();
  if (header === undefined) return 'bad header';
  return {
    channelHeader: common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()),
    signatureHeader: common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()),
    payloadBytes: envelope.getPayload_asU8(),
    signature: envelope.getSignature_asU8(),
    unpacked: undefined,
  };
}

/** Orders envelopes into batches and hands each batch to `deliver`, one at a time. */
export class Orderer {
  private pending: OrderedEnvelope[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: OrdererOptions,
    private readonly msps: ChannelMsps,
    private readonly deliver: (batch: OrderedEnvelope[]) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Admits one envelope (Broadcast); on SUCCESS it will appear in a block. */
  broadcast(envelopeBytes: Uint8Array): { status: BroadcastStatus; info: string } {
    if (this.closed) return { status: 'SERVICE_UNAVAILABLE', info: 'orderer is shutting down' };
    if (envelopeBytes.length > this.options.maxMessageBytes) {
      return { status: 'BAD_REQUEST', info: `message payload is ${envelopeBytes.length} bytes and exceeds maximum allowed ${this.options.maxMessageBytes} bytes` };
    }
    let admitted: Admitted;
    try {
      const decoded = admit(envelopeBytes);
      if (typeof decoded === 'string') return { status: 'BAD_REQUEST', info: decoded };
      admitted = decoded;
      const channelId = admitted.channelHeader.getChannelId();
      if (channelId !== this.options.channelId) return { status: 'NOT_FOUND', info: `channel ${channelId} not found` };
      if (this.options.checkSignatures) {
        const identity = this.msps.validate(admitted.signatureHeader.getCreator_asU8());
        if (!this.msps.verify(identity, admitted.payloadBytes, admitted.signature)) {
          return { status: 'FORBIDDEN', info: 'implicit policy evaluation failed - 0 sub-policies were satisfied' };
        }
      }
    } catch (err) {
      if (err instanceof IdentityRejectedError) return { status: 'FORBIDDEN', info: err.message };
      return { status: 'BAD_REQUEST', info: `bad envelope: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.pending.push({ bytes: envelopeBytes, unpacked: admitted.unpacked });
    if (this.pending.length >= this.options.batchSize) {
      this.cut();
    } else {
      this.timer ??= setTimeout(() => {
        this.cut();
      }, this.options.batchTimeoutMs);
    }
    return { status: 'SUCCESS', info: '' };
  }

  private cut(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain
      .then(() => this.deliver(batch))
      .then(
        () => undefined,
        (err: unknown) => {
          this.onError(err);
        },
      );
  }

  /** Cuts what is pending and resolves once every batch is committed; later broadcasts fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.cut();
    await this.chain;
  }
}
