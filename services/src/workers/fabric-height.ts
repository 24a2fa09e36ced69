/**
 * Tracks the Fabric channel's height in every API instance (not a locked worker): follows the
 * filtered blocks from where the read model stands, so the projector's lag is the difference
 * between the two. Reconnects with backoff when the stream breaks.
 */
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Logger } from '../logger';
import { aborted, backoffMs, sleep } from './worker';

/** Follows the channel's block height for the health check's projector lag. */
export class FabricHeightTracker {
  #highest = -1;
  #connected = false;
  #lastError: string | undefined;
  readonly #controller = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly fabric: FabricLedger,
    private readonly actor: FabricActor,
    private readonly startBlock: () => Promise<number>,
    private readonly log: Logger,
  ) {}

  /** The highest block number seen (-1 before any). */
  get highestBlock(): number {
    return this.#highest;
  }

  /** Whether the block stream is open. */
  get connected(): boolean {
    return this.#connected;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Records a block seen elsewhere (the in-process projector, a submit's commit). */
  observe(blockNumber: number): void {
    if (blockNumber > this.#highest) this.#highest = blockNumber;
  }

  start(): void {
    this.#loop ??= this.follow();
  }

  private async follow(): Promise<void> {
    const signal = this.#controller.signal;
    let failures = 0;
    while (!aborted(signal)) {
      try {
        const from = Math.max(this.#highest + 1, await this.startBlock());
        const blocks = await this.fabric.filteredBlocks(this.actor, from);
        const close = (): void => {
          blocks.close();
        };
        signal.addEventListener('abort', close, { once: true });
        if (aborted(signal)) close();
        try {
          this.#connected = true;
          this.#lastError = undefined;
          failures = 0;
          for await (const block of blocks) this.observe(block.blockNumber);
        } finally {
          signal.removeEventListener('abort', close);
          this.#connected = false;
          close();
        }
      } catch (err) {
        if (aborted(signal)) break;
        failures++;
        this.#lastError = err instanceof Error ? err.message : String(err);
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err, failures }, 'Fabric block stream unavailable');
      }
      await sleep(backoffMs(failures, 500, 10_000), signal);
    }
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await this.#loop;
  }
}
