/**
 * Worker runtime: each worker runs under a named lock (a Postgres advisory lock, so exactly one
 * instance is active across all processes; others stand by), restarts with backoff after a
 * failure, and stops when asked.
 */
import type { WorkerName } from '../config/config';
import { isAppError } from '../errors';
import type { Logger } from '../logger';
import type { ReadModelDatabase } from '../readmodel/database';

/** Whether a signal has aborted; a call, so the compiler does not narrow it across awaits. */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** A long-running worker. `run` returns when `signal` aborts and throws on failure. */
export interface Worker {
  readonly name: WorkerName;
  run(signal: AbortSignal): Promise<void>;
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with jitter, capped: `base · 2^attempt`, ±50 %. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(raw * (0.5 + Math.random()));
}

/** A running worker, for shutdown. */
export interface RunningWorker {
  readonly name: WorkerName;
  /** Whether this instance holds the worker's lock right now. */
  active(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs a worker under its lock until stopped. While another process holds the lock this one
 * retries every `standbyMs`; after a failure it restarts with backoff.
 */
export function startWorker(worker: Worker, database: ReadModelDatabase, log: Logger, options: { standbyMs?: number } = {}): RunningWorker {
  const controller = new AbortController();
  const standbyMs = options.standbyMs ?? 5_000;
  let active = false;
  const wlog = log.child({ worker: worker.name });
  const loop = (async () => {
    let failures = 0;
    while (!aborted(controller.signal)) {
      const round = { failed: false };
      const acquired = await database
        .withLock(`worker:${worker.name}`, async (lost) => {
          active = true;
          wlog.info('worker active');
          const stop = AbortSignal.any([controller.signal, lost]);
          try {
            await worker.run(stop);
            failures = 0;
          } catch (err) {
            round.failed = true;
            failures++;
            // A ledger that is down is an expected state (the health check reports it), not a defect.
            if (isAppError(err) && err.status === 503) wlog.warn({ code: err.code, detail: err.message, failures }, 'worker waiting for a dependency');
            else wlog.error({ err, failures }, 'worker failed; restarting');
          } finally {
            active = false;
          }
        })
        .catch((err: unknown) => {
          wlog.error({ err }, 'worker lock unavailable');
          round.failed = true;
          return true;
        });
      if (aborted(controller.signal)) break;
      if (!acquired) await sleep(standbyMs, controller.signal);
      else if (round.failed) await sleep(backoffMs(failures, 500, 30_000), controller.signal);
    }
  })();
  return {
    name: worker.name,
    active: () => active,
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
