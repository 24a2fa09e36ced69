/**
 * Runs chaincode the way a Fabric 2.5 peer runs chaincode-as-a-service: the chaincode folder's
 * package is started with the real `fabric-chaincode-node server --chaincode-address ...
 * --chaincode-id ...` (the chaincode is the gRPC server), and each organisation's peer dials it
 * over `protos.Chaincode/Connect`. A definition with an `address` is dialled without spawning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DevnetError } from '../errors';
import { DEVNET_DIR } from '../paths';
import type { ChaincodeStream } from './handler';
import type { ChaincodeConfig } from '../config';

/**
 * The peer side of the shim protocol (gRPC and protobuf code), loaded when the first stream is
 * dialled: the devnet spawns chaincode servers before it loads that code, so they boot meanwhile.
 */
function shimProtocol(): typeof import('./handler') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate on-demand load in CommonJS
  return require('./handler') as typeof import('./handler');
}

/** Chooses a free TCP port on `host` (the OS picks it). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** The package id a Fabric peer would give this definition: `<name>_<version>:<sha256>`. */
export function packageId(cc: ChaincodeConfig): string {
  const hash = createHash('sha256').update(`${cc.name}\u0000${cc.version}\u0000${cc.path ?? cc.address ?? ''}`);
  if (cc.path !== undefined && existsSync(join(cc.path, 'package.json'))) hash.update(readFileSync(join(cc.path, 'package.json')));
  return `${cc.name}_${cc.version}:${hash.digest('hex')}`;
}

function shimCli(folder: string): string {
  try {
    return join(dirname(require.resolve('fabric-shim/package.json', { paths: [folder] })), 'cli.js');
  } catch (err) {
    throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `fabric-shim is not installed for the chaincode in ${folder}`, { cause: err });
  }
}

/** A chaincode definition bound to a running server, with one Connect stream per organisation. */
export class ChaincodeRuntime {
  private child: ChildProcess | undefined;
  private readonly streams = new Map<string, Promise<ChaincodeStream>>();
  private stopping = false;
  private exitInfo: string | undefined;
  private readonly restarts: number[] = [];
  private spawnArgs: { folder: string; logDir: string } | undefined;

  private constructor(
    readonly definition: ChaincodeConfig,
    readonly address: string,
    readonly ccid: string,
    private readonly connectTimeoutMs: number,
  ) {}

  /**
   * Spawns the chaincode server of a definition with a `path` (or, with an `address`, only
   * records where it is); resolves as soon as the process is spawned, not once it listens: see
   * {@link ready}.
   *
   * @throws DevnetError `DEVNET.CHAINCODE_UNAVAILABLE` when the folder has no package or its main
   * module is not built.
   */
  static async launch(cc: ChaincodeConfig, options: { host: string; port: number; logDir: string; connectTimeoutMs?: number }): Promise<ChaincodeRuntime> {
    const ccid = packageId(cc);
    const timeout = options.connectTimeoutMs ?? 30_000;
    if (cc.address !== undefined) return new ChaincodeRuntime(cc, cc.address, ccid, timeout);
    const folder = cc.path ?? '';
    if (!existsSync(join(folder, 'package.json'))) {
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode ${cc.name}: ${folder} has no package.json`);
    }
    const main = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { main?: string }).main ?? 'index.js';
    if (!existsSync(join(folder, main)) && !existsSync(`${join(folder, main)}.js`)) {
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode ${cc.name}: ${join(folder, main)} does not exist; build the chaincode first (npm run build in ${folder})`);
    }
    const port = options.port === 0 ? await freePort(options.host) : options.port;
    const runtime = new ChaincodeRuntime(cc, `${options.host}:${port}`, ccid, timeout);
    runtime.spawn(folder, options.logDir);
    return runtime;
  }

  /**
   * Resolves once the chaincode server accepts a Connect stream and has registered.
   *
   * @throws DevnetError `DEVNET.CHAINCODE_UNAVAILABLE` when the server exits, cannot be reached or
   * does not register in time.
   */
  async ready(): Promise<this> {
    await this.stream('');
    return this;
  }

  private spawn(folder: string, logDir: string): void {
    this.spawnArgs = { folder, logDir };
    mkdirSync(logDir, { recursive: true });
    const log = openSync(join(logDir, `chaincode-${this.definition.name}.log`), 'a');
    // DEVNET_CHAINCODE_NODE_ARGS passes flags such as --inspect or --cpu-prof to chaincode processes.
    const nodeArgs = (process.env.DEVNET_CHAINCODE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--require', join(DEVNET_DIR, 'src', 'chaincode', 'exit-with-parent.cjs'), shimCli(folder), 'server', '--chaincode-address', this.address, '--chaincode-id', this.ccid, '--module-path', folder],
      {
        cwd: folder,
        stdio: ['ignore', log, log, 'ipc'],
        env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'WARNING' },
      },
    );
    closeSync(log);
    child.on('exit', (code, signal) => {
      this.exitInfo = `chaincode ${this.definition.name} exited (code ${String(code)}, signal ${String(signal)})`;
      this.child = undefined;
      this.restartAfterCrash();
    });
    // Keep the IPC channel from holding the devnet's event loop open.
    child.unref();
    child.channel?.unref();
    this.child = child;
  }

  /**
   * Restarts a chaincode server that exited on its own, as a peer relaunches a chaincode, unless
   * it crashed five times within a minute; in-flight transactions on it have already failed.
   */
  private restartAfterCrash(): void {
    if (this.stopping || this.spawnArgs === undefined) return;
    const now = Date.now();
    while (this.restarts.length > 0 && now - (this.restarts[0] ?? 0) > 60_000) this.restarts.shift();
    if (this.restarts.length >= 5) return;
    this.restarts.push(now);
    const args = this.spawnArgs;
    setTimeout(() => {
      if (this.stopping || this.child !== undefined) return;
      this.exitInfo = undefined;
      this.spawn(args.folder, args.logDir);
    }, 200).unref();
  }

  /** Exit description of a spawned server that stopped, if it did. */
  get exited(): string | undefined {
    return this.exitInfo;
  }

  /**
   * The Connect stream of organisation `mspId`, dialled on first use and re-dialled after the
   * chaincode restarts.
   *
   * @throws DevnetError `DEVNET.CHAINCODE_UNAVAILABLE` when the server cannot be reached.
   */
  async stream(mspId: string): Promise<ChaincodeStream> {
    const existing = this.streams.get(mspId);
    if (existing !== undefined) {
      const s = await existing.catch(() => undefined);
      if (s?.alive === true) return s;
      this.streams.delete(mspId);
    }
    if (this.stopping) throw new DevnetError('DEVNET.CLOSED', 'the devnet is stopping');
    if (this.exitInfo !== undefined && this.definition.path !== undefined && this.restarts.length >= 5) {
      throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `${this.exitInfo}; it crashed 5 times within a minute and is not restarted again`);
    }
    const pending = shimProtocol().ChaincodeStream.connect(this.address, this.connectTimeoutMs);
    this.streams.set(mspId, pending);
    try {
      const s = await pending;
      if (s.chaincodeId !== this.ccid && this.definition.path !== undefined) {
        s.close();
        throw new DevnetError('DEVNET.CHAINCODE_UNAVAILABLE', `chaincode at ${this.address} registered as ${s.chaincodeId}, expected ${this.ccid}`);
      }
      return s;
    } catch (err) {
      this.streams.delete(mspId);
      throw err;
    }
  }

  /** Closes every stream and stops a spawned server (IPC close, then SIGTERM after 1 s, SIGKILL after 3 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const pending of this.streams.values()) {
      const s = await pending.catch(() => undefined);
      s?.close();
    }
    this.streams.clear();
    const child = this.child;
    if (child === undefined) return;
    await new Promise<void>((resolve) => {
      // Closing the IPC channel makes the preloaded hook exit(0), which lets the process flush
      // (e.g. --cpu-prof output); SIGTERM and then SIGKILL follow if it does not.
      const term = setTimeout(() => child.kill('SIGTERM'), 1_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
      child.once('exit', () => {
        clearTimeout(term);
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
    });
  }
}
