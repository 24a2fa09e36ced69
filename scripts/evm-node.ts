// The embedded EVM node: the Hardhat network (EDR) served over JSON-RPC, with its chain kept
// across restarts.
//
// The Hardhat network lives in memory. This node journals every state-changing request it
// accepted (with the blocks it produced, their timestamps and hashes) under a data directory, and
// replays the journal at start with each block's timestamp forced to the recorded one, so block
// numbers, timestamps, hashes, addresses and state come back identical. A replay that produces a
// different block hash stops the start rather than serving a different chain.
//
//   npx ts-node --transpile-only scripts/evm-node.ts [--port 8545] [--host 127.0.0.1] [--data-dir .data/evm]
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { InternalError, MethodNotSupportedError } from "hardhat/internal/core/providers/errors";
import { JsonRpcHandler } from "hardhat/internal/hardhat-network/jsonrpc/handler";
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

/** Chain id of the embedded chain (Hardhat network default, fixed in hardhat.config.ts). */
export const EMBEDDED_CHAIN_ID = 31337;

/** Default JSON-RPC port of the embedded node. */
export const DEFAULT_EVM_PORT = 8545;

/** Default data directory of the embedded node, relative to the repository root. */
export const DEFAULT_EVM_DATA_DIR = path.join(__dirname, "..", ".data", "evm");

const JOURNAL_FILE = "journal.jsonl";
const LOCK_FILE = "LOCK";
const JOURNAL_FORMAT = "ctl-evm-journal/1";

/** Stable codes of {@link EvmNodeError}. */
export type EvmNodeErrorCode = "EVM.JOURNAL_CORRUPT" | "EVM.JOURNAL_MISMATCH" | "EVM.DATA_DIR_LOCKED" | "EVM.BAD_ARGUMENT";

/** Why the embedded node could not start or serve. */
export class EvmNodeError extends Error {
  readonly code: EvmNodeErrorCode;

  constructor(code: EvmNodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = EvmNodeError.name;
    this.code = code;
  }
}

/** Requests that change the chain, the mempool or the clock: these are journaled. */
const STATE_CHANGING = new Set([
  "eth_sendRawTransaction",
  "eth_sendTransaction",
  "evm_mine",
  "hardhat_mine",
  "evm_increaseTime",
  "evm_setNextBlockTimestamp",
  "evm_setAutomine",
  "evm_snapshot",
  "evm_revert",
  "evm_setBlockGasLimit",
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setNonce",
  "hardhat_setStorageAt",
  "hardhat_impersonateAccount",
  "hardhat_stopImpersonatingAccount",
  "hardhat_setNextBlockBaseFeePerGas",
  "hardhat_setCoinbase",
  "hardhat_setPrevRandao",
  "hardhat_setMinGasPrice",
  "hardhat_dropTransaction",
]);

/**
 * Requests whose effect a replay could not reproduce (a timer, a new genesis, a remote fork):
 * the embedded node refuses them.
 */
const REFUSED = new Set(["evm_setIntervalMining", "hardhat_reset"]);

/** Requests that only move the clock: a replay skips them because it forces every block's timestamp. */
const CLOCK_ONLY = new Set(["evm_increaseTime", "evm_setNextBlockTimestamp"]);

interface JournalHeader {
  format: typeof JOURNAL_FORMAT;
  chainId: number;
  genesisTimestamp: number;
}

interface JournalBlock {
  number: number;
  timestamp: number;
  hash: string;
}

interface JournalEntry {
  method: string;
  params: unknown;
  /** The first and last blocks mined while serving the request (one if only one, none if none). */
  blocks: JournalBlock[];
  /** The node's clock offset (seconds) after the request, as `evm_increaseTime(0)` reports it. */
  offset: number;
}

/** Options of {@link startEvmNode}. */
export interface EvmNodeOptions {
  /** Where the journal lives; created if missing. Default `.data/evm` at the repository root. */
  dataDir?: string;
  /** TCP port; 0 picks a free one. Default 8545. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
}

/** A running embedded node. */
export interface EvmNode {
  /** The JSON-RPC URL, e.g. `http://127.0.0.1:8545`. */
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  /** The in-process provider behind the URL (requests through it are journaled too). */
  readonly provider: EIP1193Provider;
  /** How many journal entries were replayed at start. */
  readonly replayed: number;
  /** Stops serving, finishes pending writes and releases the data directory. */
  close(): Promise<void>;
}

interface RpcBlock {
  number: string;
  timestamp: string;
  hash: string;
}

/** Serialises the journaled requests so each one's blocks are attributed to it alone. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

class Journal {
  private readonly fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Reads the journal at `file`, dropping a torn last line a crash may have left. */
  static read(file: string): { header: JournalHeader | undefined; entries: JournalEntry[] } {
    if (!fs.existsSync(file)) return { header: undefined, entries: [] };
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    const entries: JournalEntry[] = [];
    let header: JournalHeader | undefined;
    let validLength = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? "";
      const isLast = i === lines.length - 1;
      if (line === "") {
        if (!isLast) throw new EvmNodeError("EVM.JOURNAL_CORRUPT", `${file}: empty line ${i + 1}`);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (err) {
        // Only an unterminated last line can come from a crash mid-write; anything else is damage.
        if (isLast) break;
        throw new EvmNodeError("EVM.JOURNAL_CORRUPT", `${file}: line ${i + 1} is not JSON`, { cause: err });
      }
      if (i === 0) header = parseHeader(parsed, file);
      else entries.push(parseEntry(parsed, file, i + 1));
      validLength += Buffer.byteLength(line, "utf8") + 1;
    }
    const length = Buffer.byteLength(text, "utf8");
    if (validLength < length) fs.truncateSync(file, validLength);
    // A complete last record whose newline was lost: restore it so the next append starts a line.
    else if (validLength > length) fs.appendFileSync(file, "\n");
    return { header, entries };
  }

  static open(file: string): Journal {
    return new Journal(fs.openSync(file, "a"));
  }

  /** Appends one record and waits until it is on disk: a client is answered only after that. */
  append(record: JournalHeader | JournalEntry): void {
    fs.writeSync(this.fd, JSON.stringify(record) + "\n");
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseHeader(value: unknown, file: string): JournalHeader {
  if (
    !isRecord(value) ||
    value.format !== JOURNAL_FORMAT ||
    typeof value.chainId !== "number" ||
    typeof value.genesisTimestamp !== "number"
  ) {
    throw new EvmNodeError("EVM.JOURNAL_CORRUPT", `${file}: the first line is not a ${JOURNAL_FORMAT} header`);
  }
  return { format: JOURNAL_FORMAT, chainId: value.chainId, genesisTimestamp: value.genesisTimestamp };
}

function parseEntry(value: unknown, file: string, line: number): JournalEntry {
  if (
    !isRecord(value) ||
    typeof value.method !== "string" ||
    !Array.isArray(value.blocks) ||
    typeof value.offset !== "number" ||
    !value.blocks.every(
      (b) => isRecord(b) && typeof b.number === "number" && typeof b.timestamp === "number" && typeof b.hash === "string",
    )
  ) {
    throw new EvmNodeError("EVM.JOURNAL_CORRUPT", `${file}: line ${line} is not a journal entry`);
  }
  return { method: value.method, params: value.params, blocks: value.blocks as JournalBlock[], offset: value.offset };
}

/** Takes the data directory for this process; a live other owner makes the start fail. */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return () => {
        fs.rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new EvmNodeError("EVM.DATA_DIR_LOCKED", `${dataDir} is in use by process ${owner}`);
      }
      if (owner === process.pid) {
        throw new EvmNodeError("EVM.DATA_DIR_LOCKED", `${dataDir} is already served by this process`);
      }
      // The owner died without cleaning up: the lock is stale.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new EvmNodeError("EVM.DATA_DIR_LOCKED", `could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates a fresh in-memory Hardhat network with the project's rules and the given genesis time. */
async function createHardhatNetwork(genesisTimestamp: number): Promise<EIP1193Provider> {
  // Loading Hardhat outside a Hardhat task needs the project's config, whatever the caller's cwd.
  process.env.HARDHAT_CONFIG ??= path.join(__dirname, "..", "hardhat.config.ts");
  const { default: hre } = await import("hardhat");
  const { createProvider } = await import("hardhat/internal/core/providers/construction.js");
  const config = structuredClone(hre.config);
  const network = config.networks.hardhat;
  network.initialDate = new Date(genesisTimestamp * 1000).toISOString();
  network.loggingEnabled = false;
  network.mining = { ...network.mining, auto: true, interval: 0 };
  // Blocks mined within one second keep that second (as on a real chain) instead of each taking
  // the next one: otherwise a burst of transactions runs the chain's clock ahead of the wall's.
  network.allowBlocksWithSameTimestamp = true;
  return createProvider(config, "hardhat");
}

async function latestBlock(provider: EIP1193Provider): Promise<JournalBlock> {
  return blockAt(provider, "latest");
}

async function blockAt(provider: EIP1193Provider, tag: string): Promise<JournalBlock> {
  const block = (await provider.request({ method: "eth_getBlockByNumber", params: [tag, false] })) as RpcBlock;
  return { number: Number(block.number), timestamp: Number(block.timestamp), hash: block.hash };
}

async function clockOffset(provider: EIP1193Provider): Promise<number> {
  return Number(await provider.request({ method: "evm_increaseTime", params: [0] }));
}

/**
 * The provider the server exposes: forwards every request, refuses those a replay could not
 * reproduce, and journals the state-changing ones (with the blocks they produced) before answering.
 */
class JournalingProvider {
  private readonly mutex = new Mutex();
  private closed = false;

  constructor(
    private readonly inner: EIP1193Provider,
    private readonly journal: Journal,
  ) {}

  async request(args: RequestArguments): Promise<unknown> {
    if (REFUSED.has(args.method)) {
      throw new MethodNotSupportedError(`${args.method} (the embedded node journals its chain and cannot replay it)`);
    }
    if (!STATE_CHANGING.has(args.method)) return this.inner.request(args);
    return this.mutex.run(async () => {
      if (this.closed) throw new InternalError("the embedded EVM node is shutting down");
      const before = await latestBlock(this.inner);
      let result: unknown;
      let failure: unknown;
      let failed = false;
      try {
        result = await this.inner.request(args);
      } catch (err) {
        failed = true;
        failure = err;
      }
      const after = await latestBlock(this.inner);
      // A request that failed without mining anything changed nothing; one that failed after
      // mining (a reverted transaction with an explicit gas limit) did change the chain.
      if (!failed || after.hash !== before.hash) {
        // The first and the last block pin a run of mined blocks (hardhat_mine may add millions).
        const blocks: JournalBlock[] = [];
        if (after.number > before.number) {
          if (after.number > before.number + 1) blocks.push(await blockAt(this.inner, `0x${(before.number + 1).toString(16)}`));
          blocks.push(after);
        }
        this.journal.append({ method: args.method, params: args.params ?? [], blocks, offset: await clockOffset(this.inner) });
      }
      if (failed) throw failure;
      return result;
    });
  }

  /** Waits for journaled requests in flight, then refuses new ones. */
  async drain(): Promise<void> {
    await this.mutex.run(() => {
      this.closed = true;
      return Promise.resolve();
    });
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.inner.on(event, listener);
    return this;
  }

  addListener(event: string, listener: (...args: unknown[]) => void): this {
    this.inner.addListener(event, listener);
    return this;
  }

  removeListener(event: string, listener: (...args: unknown[]) => void): this {
    this.inner.removeListener(event, listener);
    return this;
  }
}

/** Re-applies the journal to a fresh network, checking that every block comes back identical. */
async function replay(provider: EIP1193Provider, entries: JournalEntry[], file: string): Promise<void> {
  for (const [index, entry] of entries.entries()) {
    if (CLOCK_ONLY.has(entry.method)) continue;
    const first = entry.blocks[0];
    if (first !== undefined) {
      await provider.request({ method: "evm_setNextBlockTimestamp", params: [first.timestamp] });
    }
    try {
      await provider.request({ method: entry.method, params: entry.params as unknown[] });
    } catch (err) {
      // The original failed after mining too (its entry has blocks); anything else is a divergence.
      if (entry.blocks.length === 0) {
        throw new EvmNodeError("EVM.JOURNAL_MISMATCH", `${file}: entry ${index + 1} (${entry.method}) failed on replay`, {
          cause: err,
        });
      }
    }
    for (const expected of entry.blocks) {
      const actual = await blockAt(provider, `0x${expected.number.toString(16)}`).catch(() => undefined);
      if (actual?.hash !== expected.hash || actual.timestamp !== expected.timestamp) {
        throw new EvmNodeError(
          "EVM.JOURNAL_MISMATCH",
          `${file}: entry ${index + 1} (${entry.method}) replayed block ${expected.number} as ` +
            `${actual?.hash ?? "nothing"} instead of ${expected.hash}; the chain cannot be restored ` +
            `(remove the data directory to start a new chain)`,
        );
      }
    }
  }
  // Give the clock back the offset it had, so new blocks keep following wall-clock time (plus
  // any time the chain was moved forward) instead of resuming where the replay left them.
  const wanted = entries.length === 0 ? 0 : (entries[entries.length - 1]?.offset ?? 0);
  const current = await clockOffset(provider);
  if (wanted > current) await provider.request({ method: "evm_increaseTime", params: [wanted - current] });
}

/**
 * Starts the embedded EVM node: replays the journal in `dataDir` (creating a new chain if there is
 * none), then serves JSON-RPC on `host:port` exactly as `hardhat node` does.
 *
 * @throws {EvmNodeError} `EVM.DATA_DIR_LOCKED` if another live process serves `dataDir`;
 *   `EVM.JOURNAL_CORRUPT` if the journal cannot be read; `EVM.JOURNAL_MISMATCH` if replaying it
 *   does not give back the recorded chain; `EVM.BAD_ARGUMENT` for an invalid port.
 */
export async function startEvmNode(options: EvmNodeOptions = {}): Promise<EvmNode> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_EVM_DATA_DIR);
  const port = options.port ?? DEFAULT_EVM_PORT;
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EvmNodeError("EVM.BAD_ARGUMENT", `port must be an integer from 0 to 65535, got ${port}`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  let journal: Journal | undefined;
  try {
    const file = path.join(dataDir, JOURNAL_FILE);
    const { header, entries } = Journal.read(file);
    if (header !== undefined && header.chainId !== EMBEDDED_CHAIN_ID) {
      throw new EvmNodeError("EVM.JOURNAL_CORRUPT", `${file} holds chain ${header.chainId}, not ${EMBEDDED_CHAIN_ID}`);
    }
    const genesisTimestamp = header?.genesisTimestamp ?? Math.floor(Date.now() / 1000);
    const inner = await createHardhatNetwork(genesisTimestamp);
    await replay(inner, entries, file);
    journal = Journal.open(file);
    if (header === undefined) journal.append({ format: JOURNAL_FORMAT, chainId: EMBEDDED_CHAIN_ID, genesisTimestamp });
    const provider = new JournalingProvider(inner, journal);
    // Hardhat's own handler gives clients exactly the responses and error shapes of `hardhat node`.
    const handler = new JsonRpcHandler(provider as unknown as EIP1193Provider);
    const server = http.createServer((req, res) => {
      void handler.handleHttp(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const actualPort = (server.address() as AddressInfo).port;
    const openJournal = journal;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${actualPort}`,
      port: actualPort,
      chainId: EMBEDDED_CHAIN_ID,
      provider: provider as unknown as EIP1193Provider,
      replayed: entries.length,
      close: () => {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
            server.closeAllConnections();
          });
          await provider.drain();
          openJournal.close();
          unlock();
        })();
        return closing;
      },
    };
  } catch (err) {
    journal?.close();
    unlock();
    throw err;
  }
}

function parseArgs(argv: string[]): EvmNodeOptions {
  const options: EvmNodeOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new EvmNodeError("EVM.BAD_ARGUMENT", `${flag ?? ""} needs a value`);
    switch (flag) {
      case "--port":
        options.port = Number(value);
        break;
      case "--host":
        options.host = value;
        break;
      case "--data-dir":
        options.dataDir = value;
        break;
      default:
        throw new EvmNodeError("EVM.BAD_ARGUMENT", `unknown option ${flag ?? ""} (use --port, --host, --data-dir)`);
    }
    i++;
  }
  return options;
}

async function main(): Promise<void> {
  const node = await startEvmNode(parseArgs(process.argv.slice(2)));
  console.log(`EVM node (Hardhat network, chainId ${node.chainId}) listening on ${node.url}; replayed ${node.replayed} journal entries`);
  const stop = (): void => {
    void node.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
