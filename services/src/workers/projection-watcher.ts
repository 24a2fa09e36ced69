/**
 * Waiting for the read model to catch up (read-your-writes): a caller that wrote at block N asks
 * to read once the projector has passed N. The projector in this process wakes waiters at once;
 * a projector in another process is noticed by polling the database.
 */
import { EventEmitter } from 'node:events';
import { sleep } from './worker';

/** Lets readers wait, bounded, for the projector to pass a block. */
export class ProjectionWatcher {
  readonly #events = new EventEmitter();

  constructor(private readonly pollMs = 100) {
    this.#events.setMaxListeners(0);
  }

  /** Called by a projector after each committed projection. */
  advanced(): void {
    this.#events.emit('advanced');
  }

  /** Resolves at the next projection in this process, after `ms`, or when `signal` aborts. */
  async pause(ms: number, signal?: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const onAdvance = (): void => {
      wake.abort();
    };
    this.#events.once('advanced', onAdvance);
    try {
      await sleep(ms, signal === undefined ? wake.signal : AbortSignal.any([wake.signal, signal]));
    } finally {
      this.#events.off('advanced', onAdvance);
    }
  }

  /**
   * Resolves true as soon as `ready()` answers true, false when `timeoutMs` passes first (or the
   * signal aborts).
   */
  async waitUntil(ready: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await ready()) return true;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted === true) return false;
      const wake = new AbortController();
      const onAdvance = (): void => {
        wake.abort();
      };
      this.#events.once('advanced', onAdvance);
      await sleep(Math.min(left, this.pollMs), signal === undefined ? wake.signal : AbortSignal.any([wake.signal, signal]));
      this.#events.off('advanced', onAdvance);
    }
  }
}
