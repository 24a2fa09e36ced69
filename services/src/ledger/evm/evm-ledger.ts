/**
 * The EVM port and its adapter over ethers 6: anchoring batch roots in TrustAnchor with the
 * issuing department's account, reading its logs for the projector, and the deployment file.
 * Sends go through one NonceManager per account so concurrent sends never reuse a nonce;
 * every send waits for the configured confirmations; reverts are decoded from the contracts'
 * custom errors. Written against human-readable ABI fragments of `contracts/interfaces/`, so it
 * does not need generated typechain code to build.
 */
import { readFileSync } from 'node:fs';
import {
  Contract,
  HDNodeWallet,
  Interface,
  JsonRpcProvider,
  Mnemonic,
  Network,
  NonceManager,
  Wallet,
  getAddress,
  isError,
  type ContractTransactionResponse,
  type Log,
} from 'ethers';
import { z } from 'zod';
import { parseDeployment } from '../../verification/evm';
import type { ServiceMetrics } from '../../metrics';
import { LedgerError } from '../ledger-errors';

/** TrustAnchor as the services use it (contracts/interfaces/ITrustAnchor.sol). */
export const TRUST_ANCHOR_WRITE_ABI = [
  'function issue(bytes32 root)',
  'function revoke(bytes32 root, uint16 reasonCode)',
  'function issuedAt(bytes32 root) view returns (uint64)',
  'function revokedAt(bytes32 node) view returns (uint64 at, uint16 reasonCode)',
  'function multicall(bytes[] data) returns (bytes[] results)',
  'function issuerOf(bytes32 root) view returns (address account, bytes32 departmentId)',
  'event RootIssued(bytes32 indexed root, address indexed issuer, uint64 issuedAt)',
  'event RootRevoked(bytes32 indexed root, bytes32 indexed node, uint16 reasonCode, uint64 revokedAt)',
  'error TrustAnchorZeroRoot()',
  'error TrustAnchorZeroNode()',
  'error TrustAnchorRootAlreadyIssued(bytes32 root, uint64 issuedAt)',
  'error TrustAnchorRootNotIssued(bytes32 root)',
  'error TrustAnchorNodeAlreadyRevoked(bytes32 node, uint64 revokedAt)',
  'error TrustAnchorInvalidProof(bytes32 root, bytes32 node)',
  'error TrustAnchorUnregisteredIssuer(address account)',
  'error TrustAnchorNotIssuingDepartment(bytes32 root, address account, bytes32 departmentId)',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
] as const;

const trustAnchorInterface = new Interface(TRUST_ANCHOR_WRITE_ABI);

/** Hardhat's public development mnemonic: the embedded chain's accounts, never a real secret. */
const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';
const EMBEDDED_CHAIN_ID = 31337;

/** The deployment file with the departments' issuer accounts (scripts/deploy.ts writes it). */
export interface EvmDeployment {
  readonly chainId: number;
  readonly trustAnchor: { readonly address: string; readonly blockNumber: number };
  readonly issuerRegistry: { readonly address: string };
  /** The raw file contents, for the verification library's ports. */
  readonly raw: unknown;
  /** Issuer accounts per MSP id. */
  readonly departments: ReadonlyMap<string, readonly string[]>;
}

const DepartmentsSchema = z.record(z.string(), z.object({ issuers: z.array(z.string()) })).optional();

/**
 * Reads and validates the deployment file.
 *
 * @throws {@link LedgerError} `EVM.DEPLOYMENT_MISSING` or `EVM.DEPLOYMENT_INVALID`.
 */
export function loadDeployment(file: string): EvmDeployment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LedgerError('evm', 503, 'EVM.DEPLOYMENT_MISSING', `The EVM deployment file ${file} cannot be read (deploy the contracts, or set EVM_DEPLOYMENT)`, { cause: err });
  }
  let deployment: ReturnType<typeof parseDeployment>;
  try {
    deployment = parseDeployment(raw);
  } catch (err) {
    throw new LedgerError('evm', 503, 'EVM.DEPLOYMENT_INVALID', `The EVM deployment file ${file} is not valid: ${(err as Error).message}`, { cause: err });
  }
  const departments = DepartmentsSchema.safeParse((raw as { departments?: unknown }).departments);
  const anchor = deployment.contracts.TrustAnchor;
  const registry = deployment.contracts.IssuerRegistry;
  if (anchor === undefined || registry === undefined) {
    throw new LedgerError('evm', 503, 'EVM.DEPLOYMENT_INVALID', `The EVM deployment file ${file} lacks TrustAnchor or IssuerRegistry`);
  }
  return {
    chainId: deployment.chainId,
    trustAnchor: { address: getAddress(anchor.address), blockNumber: anchor.blockNumber ?? 0 },
    issuerRegistry: { address: getAddress(registry.address) },
    raw,
    departments: new Map(
      Object.entries(departments.success ? (departments.data ?? {}) : {}).map(([msp, d]) => [msp, d.issuers.map((a) => getAddress(a))]),
    ),
  };
}

/** The outcome of anchoring a root: sent now, or found already anchored. */
export interface AnchorOutcome {
  readonly root: string;
  readonly alreadyIssued: boolean;
  /** The transaction that anchored it, when this call sent it. */
  readonly transactionHash: string | undefined;
  readonly blockNumber: number | undefined;
}

/** The outcome of revoking a root. */
export interface RevokeOutcome {
  readonly root: string;
  readonly alreadyRevoked: boolean;
  readonly transactionHash: string | undefined;
  readonly blockNumber: number | undefined;
}

/** A TrustAnchor log, decoded. */
export type TrustAnchorLog =
  | { readonly kind: 'RootIssued'; readonly root: string; readonly issuer: string; readonly issuedAt: number; readonly blockNumber: number; readonly transactionHash: string; readonly logIndex: number }
  | {
      readonly kind: 'RootRevoked';
      readonly root: string;
      readonly node: string;
      readonly reasonCode: number;
      readonly revokedAt: number;
      readonly blockNumber: number;
      readonly transactionHash: string;
      readonly logIndex: number;
    };

/** What the services ask of the EVM chain. */
export interface EvmLedger {
  /** The deployment; reading it before the deployment file exists throws a 503 {@link LedgerError}. */
  readonly deployment: EvmDeployment;
  /**
   * Anchors `root` on TrustAnchor with an account of `issuerMsp`. Idempotent: a root already
   * anchored (before or by a concurrent send) is reported as `alreadyIssued`, never an error.
   *
   * @throws {@link LedgerError} `EVM.NO_SIGNER` (no account for the department), `EVM.REVERTED`
   *   with the decoded custom error, `EVM.UNAVAILABLE`, `EVM.TIMEOUT`.
   */
  anchorRoot(root: string, issuerMsp: string): Promise<AnchorOutcome>;
  /**
   * Anchors several roots of one department in one transaction (TrustAnchor's `multicall`),
   * skipping those already anchored. Idempotent like {@link EvmLedger.anchorRoot}; answers one
   * outcome per root, in order.
   *
   * @throws {@link LedgerError} as {@link EvmLedger.anchorRoot}.
   */
  anchorRoots(roots: readonly string[], issuerMsp: string): Promise<AnchorOutcome[]>;
  /**
   * Revokes a whole batch `root` with a uint16 reason, as an account of `issuerMsp`.
   * Idempotent: a root already revoked is reported as `alreadyRevoked`.
   *
   * @throws {@link LedgerError} as {@link EvmLedger.anchorRoot}; `EVM.REVERTED` with
   *   `TrustAnchorRootNotIssued` while the root is not anchored yet (retry later).
   */
  revokeRoot(root: string, reasonCode: number, issuerMsp: string): Promise<RevokeOutcome>;
  /** The latest block number the chain reports. @throws {@link LedgerError} `EVM.UNAVAILABLE`. */
  blockNumber(): Promise<number>;
  /** The chain id the endpoint serves. @throws {@link LedgerError} `EVM.UNAVAILABLE`. */
  chainId(): Promise<number>;
  /** TrustAnchor logs in the inclusive block range, in chain order. */
  trustAnchorLogs(fromBlock: number, toBlock: number): Promise<TrustAnchorLog[]>;
  close(): void;
}

/** Options of {@link openEvmLedger}. */
export interface EvmLedgerOptions {
  readonly rpcUrl: string;
  /** The deployment file (read on first use), or an already loaded deployment. */
  readonly deploymentFile?: string;
  readonly deployment?: EvmDeployment;
  /** The default signer (embedded: Hardhat account #0, which deploy.config gives the street office). */
  readonly signerKey: string;
  /** Explicit keys per MSP id (production); take precedence over the embedded accounts. */
  readonly departmentKeys?: Readonly<Record<string, string>>;
  readonly confirmations: number;
  readonly txTimeoutMs: number;
  readonly metrics?: ServiceMetrics;
}

/**
 * Decodes a revert into its custom error, e.g. `TrustAnchorRootAlreadyIssued(0x…, 1712345678)`.
 * Returns undefined when the error carries no revert data this ABI knows.
 */
export function decodeRevert(err: unknown): { name: string; args: readonly unknown[] } | undefined {
  const data = findRevertData(err);
  if (data === undefined) return undefined;
  try {
    const parsed = trustAnchorInterface.parseError(data);
    return parsed === null ? undefined : { name: parsed.name, args: [...parsed.args] };
  } catch {
    return undefined;
  }
}

function findRevertData(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const record = err as { data?: unknown; error?: unknown; info?: unknown; cause?: unknown };
  if (typeof record.data === 'string' && /^0x[0-9a-fA-F]{8}/.test(record.data)) return record.data;
  return findRevertData(record.error, depth + 1) ?? findRevertData(record.info, depth + 1) ?? findRevertData(record.cause, depth + 1);
}

function unavailable(err: unknown, what: string): LedgerError {
  if (err instanceof LedgerError) return err;
  if (isError(err, 'TIMEOUT')) return new LedgerError('evm', 504, 'EVM.TIMEOUT', `${what} timed out`, { cause: err });
  return new LedgerError('evm', 503, 'EVM.UNAVAILABLE', `The EVM node cannot be reached (${what})`, { cause: err, retryAfterSeconds: 2 });
}

interface Connection {
  readonly deployment: EvmDeployment;
  readonly provider: JsonRpcProvider;
  readonly reader: Contract;
}

class EthersEvmLedger implements EvmLedger {
  /** One nonce manager per account: concurrent sends from one account get consecutive nonces. */
  readonly #signers = new Map<string, NonceManager>();
  readonly #keysByAddress = new Map<string, string>();
  readonly #departmentKeys: Map<string, string>;
  #connection: Connection | undefined;
  #lastAttempt = 0;
  #lastError: LedgerError | undefined;

  constructor(private readonly options: EvmLedgerOptions) {
    this.#keysByAddress.set(new Wallet(options.signerKey).address, options.signerKey);
    this.#departmentKeys = new Map(Object.entries(options.departmentKeys ?? {}));
  }

  /**
   * The deployment and provider, set up on first use: the API may start before the contracts
   * are deployed, and reports the EVM as down until the deployment file exists.
   */
  private get connection(): Connection {
    if (this.#connection !== undefined) return this.#connection;
    const now = Date.now();
    if (now - this.#lastAttempt >= 2_000 || this.#lastError === undefined) {
      this.#lastAttempt = now;
      try {
        const deployment = this.options.deployment ?? loadDeployment(this.options.deploymentFile ?? '');
        const network = Network.from(deployment.chainId);
        // No response cache: a projector reading the block number must see what was just mined.
        const provider = new JsonRpcProvider(this.options.rpcUrl, network, { staticNetwork: network, pollingInterval: 250, cacheTimeout: -1 });
        const reader = new Contract(deployment.trustAnchor.address, trustAnchorInterface, provider);
        if (deployment.chainId === EMBEDDED_CHAIN_ID) {
          // The embedded chain's department accounts are Hardhat's public development accounts.
          const mnemonic = Mnemonic.fromPhrase(HARDHAT_MNEMONIC);
          for (let i = 0; i < 20; i++) {
            const wallet = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${String(i)}`);
            this.#keysByAddress.set(wallet.address, wallet.privateKey);
          }
        }
        this.#connection = { deployment, provider, reader };
        this.#lastError = undefined;
        return this.#connection;
      } catch (err) {
        this.#lastError = err instanceof LedgerError ? err : new LedgerError('evm', 503, 'EVM.DEPLOYMENT_INVALID', (err as Error).message, { cause: err });
      }
    }
    throw this.#lastError;
  }

  get deployment(): EvmDeployment {
    return this.connection.deployment;
  }

  get #provider(): JsonRpcProvider {
    return this.connection.provider;
  }

  get #reader(): Contract {
    return this.connection.reader;
  }

  private timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.options.metrics === undefined ? call() : this.options.metrics.timeLedgerCall('evm', operation, call);
  }

  private signerFor(issuerMsp: string): NonceManager {
    let key = this.#departmentKeys.get(issuerMsp);
    if (key === undefined) {
      const accounts = this.deployment.departments.get(issuerMsp) ?? [];
      key = accounts.map((a) => this.#keysByAddress.get(a)).find((k) => k !== undefined);
    }
    if (key === undefined) {
      throw new LedgerError('evm', 503, 'EVM.NO_SIGNER', `No EVM account of ${issuerMsp} is configured to anchor its batches (EVM_ISSUER_KEYS_FILE)`);
    }
    const wallet = new Wallet(key);
    let signer = this.#signers.get(wallet.address);
    if (signer === undefined) {
      signer = new NonceManager(wallet.connect(this.#provider));
      this.#signers.set(wallet.address, signer);
    }
    return signer;
  }

  async issuedAt(root: string): Promise<number> {
    try {
      return Number(await this.#reader.getFunction('issuedAt').staticCall(root));
    } catch (err) {
      throw unavailable(err, 'TrustAnchor.issuedAt');
    }
  }

  async anchorRoot(root: string, issuerMsp: string): Promise<AnchorOutcome> {
    return this.timed('anchorRoot', async () => {
      if ((await this.issuedAt(root)) !== 0) return { root, alreadyIssued: true, transactionHash: undefined, blockNumber: undefined };
      const signer = this.signerFor(issuerMsp);
      const contract = new Contract(this.deployment.trustAnchor.address, trustAnchorInterface, signer);
      let response: ContractTransactionResponse;
      try {
        response = await contract.getFunction('issue').send(root);
      } catch (err) {
        // The nonce manager counted a send that never happened; ask the node again next time.
        signer.reset();
        return this.afterFailedSend(err, root);
      }
      try {
        const receipt = await response.wait(this.options.confirmations, this.options.txTimeoutMs);
        if (receipt === null) throw new LedgerError('evm', 504, 'EVM.TIMEOUT', `anchoring ${root} was not confirmed`, { transactionId: response.hash });
        return { root, alreadyIssued: false, transactionHash: receipt.hash, blockNumber: receipt.blockNumber };
      } catch (err) {
        if (err instanceof LedgerError) throw err;
        return this.afterFailedSend(err, root, response.hash);
      }
    });
  }

  async anchorRoots(roots: readonly string[], issuerMsp: string): Promise<AnchorOutcome[]> {
    if (roots.length <= 1) return Promise.all(roots.map((root) => this.anchorRoot(root, issuerMsp)));
    return this.timed('anchorRoots', async () => {
      const issued = await Promise.all(roots.map((root) => this.issuedAt(root)));
      const pending = roots.filter((_, i) => issued[i] === 0);
      const already = (root: string): AnchorOutcome => ({ root, alreadyIssued: true, transactionHash: undefined, blockNumber: undefined });
      if (pending.length === 0) return roots.map(already);
      if (pending.length === 1) {
        const single = await this.anchorRoot(pending[0] ?? '', issuerMsp);
        return roots.map((root) => (root === single.root ? single : already(root)));
      }
      const signer = this.signerFor(issuerMsp);
      const contract = new Contract(this.deployment.trustAnchor.address, trustAnchorInterface, signer);
      const calls = pending.map((root) => trustAnchorInterface.encodeFunctionData('issue', [root]));
      let receipt;
      try {
        const response = await contract.getFunction('multicall').send(calls);
        receipt = await response.wait(this.options.confirmations, this.options.txTimeoutMs);
      } catch (err) {
        signer.reset();
        // A root anchored meanwhile makes the whole call revert: fall back to one at a time.
        if (decodeRevert(err)?.name === 'TrustAnchorRootAlreadyIssued') {
          const outcomes: AnchorOutcome[] = [];
          for (const root of roots) outcomes.push(await this.anchorRoot(root, issuerMsp));
          return outcomes;
        }
        throw this.sendError(err, 'TrustAnchor.multicall(issue)');
      }
      if (receipt === null) throw new LedgerError('evm', 504, 'EVM.TIMEOUT', 'anchoring a batch of roots was not confirmed');
      const sent = new Set(pending);
      return roots.map((root) => (sent.has(root) ? { root, alreadyIssued: false, transactionHash: receipt.hash, blockNumber: receipt.blockNumber } : already(root)));
    });
  }

  async revokedAt(node: string): Promise<number> {
    try {
      const [at] = (await this.#reader.getFunction('revokedAt').staticCall(node)) as [bigint, bigint];
      return Number(at);
    } catch (err) {
      throw unavailable(err, 'TrustAnchor.revokedAt');
    }
  }

  async revokeRoot(root: string, reasonCode: number, issuerMsp: string): Promise<RevokeOutcome> {
    return this.timed('revokeRoot', async () => {
      const done = { root, alreadyRevoked: true, transactionHash: undefined, blockNumber: undefined };
      if ((await this.revokedAt(root)) !== 0) return done;
      const signer = this.signerFor(issuerMsp);
      const contract = new Contract(this.deployment.trustAnchor.address, trustAnchorInterface, signer);
      let response: ContractTransactionResponse;
      try {
        response = await contract.getFunction('revoke(bytes32,uint16)').send(root, reasonCode);
      } catch (err) {
        signer.reset();
        if (decodeRevert(err)?.name === 'TrustAnchorNodeAlreadyRevoked') return done;
        throw this.sendError(err, 'TrustAnchor.revoke');
      }
      try {
        const receipt = await response.wait(this.options.confirmations, this.options.txTimeoutMs);
        if (receipt === null) throw new LedgerError('evm', 504, 'EVM.TIMEOUT', `revoking ${root} was not confirmed`, { transactionId: response.hash });
        return { root, alreadyRevoked: false, transactionHash: receipt.hash, blockNumber: receipt.blockNumber };
      } catch (err) {
        if (err instanceof LedgerError) throw err;
        if (decodeRevert(err)?.name === 'TrustAnchorNodeAlreadyRevoked' || (await this.revokedAt(root)) !== 0) return done;
        throw this.sendError(err, 'TrustAnchor.revoke', response.hash);
      }
    });
  }

  private sendError(err: unknown, what: string, transactionHash?: string): LedgerError {
    const revert = decodeRevert(err);
    if (revert !== undefined) {
      return new LedgerError('evm', 502, 'EVM.REVERTED', `${what} reverted with ${revert.name}(${revert.args.map(String).join(', ')})`, { cause: err, transactionId: transactionHash });
    }
    if (isError(err, 'CALL_EXCEPTION')) return new LedgerError('evm', 502, 'EVM.REVERTED', `${what} reverted`, { cause: err, transactionId: transactionHash });
    return unavailable(err, what);
  }

  /** A send or its receipt failed: a revert saying "already issued" means done; else a typed error. */
  private async afterFailedSend(err: unknown, root: string, transactionHash?: string): Promise<AnchorOutcome> {
    const revert = decodeRevert(err);
    if (revert?.name === 'TrustAnchorRootAlreadyIssued') return { root, alreadyIssued: true, transactionHash: undefined, blockNumber: undefined };
    if (revert !== undefined) {
      throw new LedgerError('evm', 502, 'EVM.REVERTED', `TrustAnchor.issue reverted with ${revert.name}(${revert.args.map(String).join(', ')})`, {
        cause: err,
        transactionId: transactionHash,
      });
    }
    if (isError(err, 'CALL_EXCEPTION')) {
      // A revert without data we know: check whether a concurrent send anchored it after all.
      if ((await this.issuedAt(root)) !== 0) return { root, alreadyIssued: true, transactionHash: undefined, blockNumber: undefined };
      throw new LedgerError('evm', 502, 'EVM.REVERTED', 'TrustAnchor.issue reverted', { cause: err, transactionId: transactionHash });
    }
    throw unavailable(err, 'TrustAnchor.issue');
  }

  async blockNumber(): Promise<number> {
    try {
      return await this.#provider.getBlockNumber();
    } catch (err) {
      throw unavailable(err, 'eth_blockNumber');
    }
  }

  async chainId(): Promise<number> {
    try {
      return Number(BigInt(String(await this.#provider.send('eth_chainId', []))));
    } catch (err) {
      throw unavailable(err, 'eth_chainId');
    }
  }

  async trustAnchorLogs(fromBlock: number, toBlock: number): Promise<TrustAnchorLog[]> {
    let logs: Log[];
    try {
      logs = await this.#provider.getLogs({ address: this.deployment.trustAnchor.address, fromBlock, toBlock });
    } catch (err) {
      throw unavailable(err, 'eth_getLogs');
    }
    const out: TrustAnchorLog[] = [];
    for (const log of logs) {
      const parsed = trustAnchorInterface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) continue;
      const base = { blockNumber: log.blockNumber, transactionHash: log.transactionHash, logIndex: log.index };
      if (parsed.name === 'RootIssued') {
        out.push({ kind: 'RootIssued', root: String(parsed.args[0]), issuer: getAddress(String(parsed.args[1])), issuedAt: Number(parsed.args[2]), ...base });
      } else if (parsed.name === 'RootRevoked') {
        out.push({
          kind: 'RootRevoked',
          root: String(parsed.args[0]),
          node: String(parsed.args[1]),
          reasonCode: Number(parsed.args[2]),
          revokedAt: Number(parsed.args[3]),
          ...base,
        });
      }
    }
    return out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  }

  close(): void {
    this.#connection?.provider.destroy();
  }
}

/** Opens the EVM adapter; connects lazily. */
export function openEvmLedger(options: EvmLedgerOptions): EvmLedger {
  return new EthersEvmLedger(options);
}

