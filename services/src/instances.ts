/**
 * Several API instances on one port, one process each (node:cluster), so one machine's cores all
 * serve requests (`API_INSTANCES`). The primary process serves nothing itself: it forks them,
 * restarts one that dies, stops them all on SIGINT/SIGTERM, and answers `/metrics` for all of
 * them together. Files the instances create at first start (secrets, keys) are written so that
 * the first one wins (`config/data-files.ts`).
 *
 * Each instance is what a load balancer would spread requests over in production: stateless,
 * sharing PostgreSQL, with the in-process workers running wherever their advisory lock lands.
 * What stays per instance: the in-memory rate limit (so a client gets up to N × the limit) and
 * the verification caches (a revocation another instance projects shows after the cache TTL).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How long instances get to finish their requests and close before they are killed. */
const STOP_GRACE_MS = 15_000;
/**
 * A crashed instance is replaced after this pause, doubled for each replacement in a row that
 * died before it listened (a crash loop must not spin the CPU), up to the maximum.
 */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

interface MetricsRequest {
  readonly type: 'ctl:metrics-request';
  readonly id: number;
}

interface MetricsAnswer {
  readonly type: 'ctl:metrics';
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

interface Listening {
  readonly type: 'ctl:listening';
  readonly url: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** Whether this process is one of several instances forked by {@link runPrimary}. */
export function isInstance(): boolean {
  return cluster.isWorker;
}

/**
 * Runs the primary: `count` instances of this same program, until SIGINT or
 * SIGTERM. Resolves once every instance is listening, with their URL; the process exits when
 * they have all stopped. At first start, an instance that exits before it listens stops the
 * others and the primary (exit code 1): a configuration or port problem would only repeat.
 * Afterwards a dead instance is replaced, after 1 s, or longer while replacements keep dying.
 *
 * @param options.log - where the primary's lines go
 */
export function runPrimary(options: { readonly count: number; readonly log: (line: string) => void }): Promise<string> {
  const aggregator = new AggregatorRegistry();
  const started = new Set<number>();
  let stopping = false;
  let resolveUrl: (url: string) => void = () => undefined;
  let rejectUrl: (err: Error) => void = () => undefined;
  const ready = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });

  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (alive.length === 0) process.exit(code);
    for (const worker of alive) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(code === 0 ? 1 : code);
    }, STOP_GRACE_MS).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code);
    });
  };

  /** All instances have listened once; from then on a dead one is replaced, never fatal. */
  let running = false;
  /** Replacements in a row that died before they listened: the restart delay doubles with each. */
  let failedStarts = 0;
  const fork = (): void => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (isMessage<Listening>(message, 'ctl:listening')) {
        started.add(worker.id);
        if (running) {
          failedStarts = 0;
          options.log(`instance ${String(worker.process.pid)} listening (a replacement)`);
        } else if (started.size === options.count) {
          running = true;
          resolveUrl(message.url);
        }
      } else if (isMessage<MetricsRequest>(message, 'ctl:metrics-request')) {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ type: 'ctl:metrics', id: message.id, text } satisfies MetricsAnswer),
          (err: unknown) => worker.send({ type: 'ctl:metrics', id: message.id, error: err instanceof Error ? err.message : String(err) } satisfies MetricsAnswer),
        );
      }
    });
  };

  cluster.on('exit', (worker, code, killedBy) => {
    if (stopping) return;
    // Node passes null when the instance exited by itself; its types say string.
    const signal = killedBy as string | null;
    const how = signal ?? `code ${String(code)}`;
    const listened = started.delete(worker.id);
    if (!running) {
      // At first start a configuration or port problem would only repeat.
      options.log(`instance ${String(worker.process.pid)} exited before it listened (${how}); stopping`);
      rejectUrl(new Error('an API instance failed to start'));
      stopAll(1);
      return;
    }
    if (!listened) failedStarts += 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** failedStarts);
    options.log(`instance ${String(worker.process.pid)} exited${listened ? '' : ' before it listened'} (${how}); starting another in ${String(delay / 1000)} s`);
    // Not unref'd: with every instance dead, this timer is what keeps the primary alive.
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });
  process.on('SIGINT', () => {
    stopAll(0);
  });
  process.on('SIGTERM', () => {
    stopAll(0);
  });
  for (let i = 0; i < options.count; i++) fork();
  return ready;
}

/**
 * In an instance: tells the primary it listens, and lets prom-client answer the primary's
 * aggregation requests from this instance's registry.
 */
export function announceInstance(url: string, registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
  process.send?.({ type: 'ctl:listening', url } satisfies Listening);
}

let nextRequest = 0;

/**
 * In an instance: the metrics of every instance together, as the primary aggregates them
 * (counters and histograms summed).
 *
 * @throws Error when the primary does not answer within 6 s or could not collect them
 */
export function clusterMetricsText(): Promise<string> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!isMessage<MetricsAnswer>(message, 'ctl:metrics') || message.id !== id) return;
      finish();
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(`the primary could not collect the instances' metrics: ${message.error ?? 'no answer'}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error("the primary did not answer with the instances' metrics"));
    }, 6_000);
    const finish = (): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: 'ctl:metrics-request', id } satisfies MetricsRequest);
  });
}
