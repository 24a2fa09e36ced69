/**
 * The transient store: private write sets of endorsed transactions, held until the transaction
 * commits (Fabric's transientstore, which peers fill at endorsement and drain at commit). Entries
 * that never commit are dropped after `ttlMs`.
 */
export class TransientStore {
  private readonly entries = new Map<string, { bytes: Uint8Array; at: number }>();

  constructor(private readonly ttlMs = 10 * 60_000) {}

  /** Keeps the private write set of `txId`. */
  put(txId: string, bytes: Uint8Array): void {
    this.entries.set(txId, { bytes, at: Date.now() });
    if (this.entries.size % 256 === 0) this.expire();
  }

  /** The private write set of `txId`, if held. */
  get(txId: string): Uint8Array | undefined {
    return this.entries.get(txId)?.bytes;
  }

  /** Forgets `txId` once its block is committed. */
  delete(txId: string): void {
    this.entries.delete(txId);
  }

  private expire(): void {
    const cutoff = Date.now() - this.ttlMs;
    for (const [txId, entry] of this.entries) if (entry.at < cutoff) this.entries.delete(txId);
  }
}
