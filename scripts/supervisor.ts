// A small process supervisor for `npm start`: runs each part of the embedded stack as a child
// process, prefixes its output, waits until it is ready, and stops every child when one of them
// dies or the user presses Ctrl-C. Child processes (rather than one process) keep each part as
// it runs in production: the EVM node, the Fabric network and the API are separate programs.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

/** One child process of the stack. */
export interface ChildSpec {
  /** Short name used to prefix its output. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Resolves when the child is ready to serve; rejects when it cannot be. It sees each line the
   * child writes to stdout through `lines`.
   */
  readonly ready: (signal: AbortSignal, lines: LineWatcher) => Promise<void>;
}

/** Lets a readiness check wait for a line of a child's output. */
export interface LineWatcher {
  /** Resolves with the first line (from now on) that matches `pattern`. */
  next(pattern: RegExp): Promise<string>;
}

/** Why the supervisor gave up. */
export class SupervisorError extends Error {
  readonly code: 'START.CHILD_EXITED' | 'START.NOT_READY';
  readonly child: string;

  constructor(code: SupervisorError['code'], child: string, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = SupervisorError.name;
    this.code = code;
    this.child = child;
  }
}

interface Running {
  readonly spec: ChildSpec;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
}

const STOP_GRACE_MS = 10_000;

/** Runs children in order, each after the previous one is ready, and stops them all together. */
export class Supervisor {
  readonly #running: Running[] = [];
  readonly #abort = new AbortController();
  #stopping = false;

  /** Resolves when any child exits on its own (the stack is then broken). */
  readonly broken: Promise<SupervisorError>;
  #reportBroken: (error: SupervisorError) => void = () => undefined;

  constructor() {
    this.broken = new Promise((resolve) => {
      this.#reportBroken = resolve;
    });
  }

  /**
   * Starts one child and waits until it is ready.
   *
   * @throws {SupervisorError} `START.CHILD_EXITED` when it exits first, `START.NOT_READY` when its
   * readiness check fails.
   */
  async start(spec: ChildSpec): Promise<void> {
    const child = spawn(spec.command, [...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watcher = prefixLines(spec.name, child);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    this.#running.push({ spec, process: child, exited });
    void exited.then((code) => {
      if (!this.#stopping) {
        this.#reportBroken(new SupervisorError('START.CHILD_EXITED', spec.name, `${spec.name} exited with code ${String(code)}`));
      }
    });
    const exitedFirst = exited.then((code) => {
      throw new SupervisorError('START.CHILD_EXITED', spec.name, `${spec.name} exited with code ${String(code)} before it was ready`);
    });
    try {
      await Promise.race([spec.ready(this.#abort.signal, watcher), exitedFirst]);
    } catch (error) {
      if (error instanceof SupervisorError) throw error;
      throw new SupervisorError('START.NOT_READY', spec.name, `${spec.name} did not become ready: ${String(error)}`, { cause: error });
    } finally {
      exitedFirst.catch(() => undefined);
    }
  }

  /** Stops every child, newest first: SIGTERM, then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    for (const running of [...this.#running].reverse()) {
      if (running.process.exitCode !== null || running.process.signalCode !== null) continue;
      running.process.kill('SIGTERM');
      const timer = setTimeout(() => running.process.kill('SIGKILL'), STOP_GRACE_MS);
      await running.exited;
      clearTimeout(timer);
    }
  }
}

function prefixLines(name: string, child: ChildProcess): LineWatcher {
  const label = `[${name}]`.padEnd(10);
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      out.write(`${label} ${line}\n`);
      for (const waiter of waiters) {
        if (waiter.pattern.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    });
  }
  return {
    next: (pattern) =>
      new Promise((resolve) => {
        waiters.add({ pattern, resolve });
      }),
  };
}

/**
 * Polls `probe` until it resolves, every 200 ms, for at most `timeoutMs`.
 *
 * @throws the last probe error when the time is up or `signal` aborts.
 */
export async function waitFor(probe: () => Promise<void>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (signal.aborted || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
