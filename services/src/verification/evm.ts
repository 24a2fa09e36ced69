/**
 * ethers implementations of the anchor reader (TrustAnchor) and the issuer directory
 * (IssuerRegistry), written against human-readable ABI fragments so the library does not depend
 * on typechain output and stays small in the browser. Each question is one `eth_call`: several
 * reads of TrustAnchor go through its `multicall`.
 */
import { Interface, JsonRpcApiProvider, JsonRpcProvider, Network, getAddress, type Provider } from 'ethers';
import { VerificationOptionsError, PortUnavailableError } from './errors';
import { isEvmAddress } from './format';
import { isHex32, type Hex32 } from './hash';
import type { AnchorNetwork, AnchorReader, IssuerDirectory, NodeRevocation, RootInfo } from './ports';

/** The TrustAnchor views the verifier reads (contracts/interfaces/ITrustAnchor.sol). */
export const TRUST_ANCHOR_ABI = [
  'function issuedAt(bytes32 root) view returns (uint64)',
  'function issuerOf(bytes32 root) view returns (address account, bytes32 departmentId)',
  'function revokedAt(bytes32 node) view returns (uint64 at, uint16 reasonCode)',
  'function multicall(bytes[] data) returns (bytes[] results)',
  'event RootRevoked(bytes32 indexed root, bytes32 indexed node, uint16 reasonCode, uint64 revokedAt)',
] as const;

/** The IssuerRegistry views the verifier reads (contracts/interfaces/IIssuerRegistry.sol). */
export const ISSUER_REGISTRY_ABI = [
  'function isAuthorized(bytes32 departmentId, bytes32 certType, uint64 at) view returns (bool)',
  'function isRegistered(bytes32 departmentId) view returns (bool)',
] as const;

const trustAnchor = new Interface(TRUST_ANCHOR_ABI);
const issuerRegistry = new Interface(ISSUER_REGISTRY_ABI);

/** One deployed contract in a deployment file. */
export interface DeployedContract {
  readonly address: string;
  readonly blockNumber?: number;
  readonly transactionHash?: string;
}

/** A deployment file (`deployments/<chainId>.json`): the chain and its contracts by name. */
export interface Deployment {
  readonly chainId: number;
  readonly contracts: Readonly<Record<string, DeployedContract>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed deployment file; it must name TrustAnchor and IssuerRegistry.
 *
 * @throws {@link VerificationOptionsError} naming what is missing or malformed
 */
export function parseDeployment(json: unknown): Deployment {
  if (!isObject(json) || typeof json.chainId !== 'number' || !Number.isSafeInteger(json.chainId) || json.chainId <= 0 || !isObject(json.contracts)) {
    throw new VerificationOptionsError('the deployment file needs a positive "chainId" and a "contracts" object', 'deployment');
  }
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, entry] of Object.entries(json.contracts)) {
    if (!isObject(entry) || !isEvmAddress(entry.address)) throw new VerificationOptionsError(`contract ${name} in the deployment file has no valid address`, `deployment.contracts.${name}`);
    contracts[name] = {
      address: entry.address,
      ...(typeof entry.blockNumber === 'number' ? { blockNumber: entry.blockNumber } : {}),
      ...(typeof entry.transactionHash === 'string' ? { transactionHash: entry.transactionHash } : {}),
    };
  }
  for (const required of ['TrustAnchor', 'IssuerRegistry']) {
    if (!(required in contracts)) throw new VerificationOptionsError(`the deployment file does not list ${required}`, `deployment.contracts.${required}`);
  }
  return { chainId: json.chainId, contracts };
}

function toSeconds(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a time: ${String(value)}`);
  return n;
}

/** TrustAnchor read over JSON-RPC. */
export class EthersAnchorReader implements AnchorReader {
  private readonly address: string;
  private confirmed: Promise<AnchorNetwork> | undefined;

  /**
   * @param provider - any ethers provider (JSON-RPC, browser wallet)
   * @param address - the TrustAnchor address
   * @param chainId - the chain the deployment is on; the endpoint is checked to serve it
   * @param fromBlock - the contract's deployment block, where event searches start
   */
  constructor(
    private readonly provider: Provider,
    address: string,
    private readonly chainId: number,
    private readonly fromBlock = 0,
  ) {
    this.address = getAddress(address);
  }

  /**
   * The chain and contract, after confirming (once) that the endpoint serves that chain.
   *
   * @throws {@link PortUnavailableError} when the endpoint serves another chain; any ethers error when it fails
   */
  network(): Promise<AnchorNetwork> {
    this.confirmed ??= this.confirmChain().catch((err: unknown) => {
      this.confirmed = undefined;
      throw err;
    });
    return this.confirmed;
  }

  private async confirmChain(): Promise<AnchorNetwork> {
    // A provider pinned to a static network answers getNetwork() without asking the endpoint.
    const served =
      this.provider instanceof JsonRpcApiProvider ? BigInt(String(await this.provider.send('eth_chainId', []))) : (await this.provider.getNetwork()).chainId;
    if (served !== BigInt(this.chainId)) {
      throw new PortUnavailableError('anchor', `the JSON-RPC endpoint serves chain ${served}, not chain ${this.chainId}`);
    }
    return { chainId: this.chainId, trustAnchor: this.address };
  }

  private async multicall(calls: readonly string[]): Promise<string[]> {
    const data = trustAnchor.encodeFunctionData('multicall', [calls]);
    const raw = await this.provider.call({ to: this.address, data });
    const [results] = trustAnchor.decodeFunctionResult('multicall', raw);
    return (results as unknown[]).map(String);
  }

  /**
   * `issuedAt(root)` and `issuerOf(root)` in one `eth_call` (TrustAnchor's multicall).
   *
   * @throws any ethers error when the endpoint fails; the verifier reports the check as unavailable
   */
  async rootInfo(root: Hex32): Promise<RootInfo> {
    const [issued, issuer] = await this.multicall([trustAnchor.encodeFunctionData('issuedAt', [root]), trustAnchor.encodeFunctionData('issuerOf', [root])]);
    if (issued === undefined || issuer === undefined) throw new Error('multicall returned too few results');
    const [issuedAt] = trustAnchor.decodeFunctionResult('issuedAt', issued);
    const [account, departmentId] = trustAnchor.decodeFunctionResult('issuerOf', issuer);
    const dept = String(departmentId);
    if (!isHex32(dept)) throw new Error('issuerOf returned a malformed department id');
    return { issuedAt: toSeconds(issuedAt), issuerAccount: String(account), departmentId: dept };
  }

  /**
   * Every revoked node of a batch, from its `RootRevoked` events (one `eth_getLogs` from the
   * contract's deployment block).
   *
   * @throws any ethers error when the endpoint fails
   */
  async revokedNodesIn(root: Hex32): Promise<ReadonlyMap<string, NodeRevocation>> {
    const event = trustAnchor.getEvent('RootRevoked');
    if (event === null) throw new Error('RootRevoked is not in the ABI');
    const logs = await this.provider.getLogs({ address: this.address, topics: [event.topicHash, root], fromBlock: this.fromBlock, toBlock: 'latest' });
    const revoked = new Map<string, NodeRevocation>();
    for (const log of logs) {
      const parsed = trustAnchor.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) continue;
      const node = String(parsed.args.node).toLowerCase();
      const at = toSeconds(parsed.args.revokedAt);
      const known = revoked.get(node);
      // TrustAnchor records a node's revocation once; keep the earliest should a chain say otherwise.
      if (known === undefined || at < known.at) revoked.set(node, { at, reasonCode: Number(parsed.args.reasonCode) });
    }
    return revoked;
  }

  /**
   * `revokedAt(node)` of every node, in one `eth_call` (TrustAnchor's multicall).
   *
   * @throws any ethers error when the endpoint fails, or Error when the answer is malformed
   */
  async revocations(nodes: readonly Hex32[]): Promise<readonly NodeRevocation[]> {
    if (nodes.length === 0) return [];
    const results = await this.multicall(nodes.map((n) => trustAnchor.encodeFunctionData('revokedAt', [n])));
    if (results.length !== nodes.length) throw new Error('multicall returned the wrong number of results');
    return results.map((r) => {
      const [at, reasonCode] = trustAnchor.decodeFunctionResult('revokedAt', r);
      return { at: toSeconds(at), reasonCode: Number(reasonCode) };
    });
  }
}

/** IssuerRegistry read over JSON-RPC. */
export class EthersIssuerDirectory implements IssuerDirectory {
  private readonly address: string;

  constructor(
    private readonly provider: Provider,
    address: string,
  ) {
    this.address = getAddress(address);
  }

  private async read(name: 'isAuthorized' | 'isRegistered', args: readonly unknown[]): Promise<boolean> {
    const raw = await this.provider.call({ to: this.address, data: issuerRegistry.encodeFunctionData(name, args) });
    const [answer] = issuerRegistry.decodeFunctionResult(name, raw);
    if (typeof answer !== 'boolean') throw new Error(`${name} did not return a boolean`);
    return answer;
  }

  /**
   * IssuerRegistry `isRegistered(departmentId)`.
   *
   * @throws any ethers error when the endpoint fails
   */
  isRegistered(departmentId: Hex32): Promise<boolean> {
    return this.read('isRegistered', [departmentId]);
  }

  /**
   * IssuerRegistry `isAuthorized(departmentId, certType, at)`.
   *
   * @throws any ethers error when the endpoint fails
   */
  isAuthorized(departmentId: Hex32, certType: Hex32, at: number): Promise<boolean> {
    return this.read('isAuthorized', [departmentId, certType, at]);
  }
}

/** The EVM ports of one deployment and the provider behind them. */
export interface EvmPorts {
  readonly anchor: EthersAnchorReader;
  readonly issuers: EthersIssuerDirectory;
  readonly provider: Provider;
  /** Stops the provider (closes its connections); the ports are unusable after. */
  destroy(): void;
}

/**
 * Connects the anchor reader and issuer directory of a deployment. With `rpcUrl`, a JSON-RPC
 * provider pinned to the deployment's chain (it never polls or retries in the background).
 *
 * @throws {@link VerificationOptionsError} when the deployment is malformed or neither `rpcUrl` nor `provider` is given
 */
export function createEvmPorts(options: { readonly deployment: unknown; readonly rpcUrl?: string; readonly provider?: Provider }): EvmPorts {
  const deployment = parseDeployment(options.deployment);
  let provider: Provider;
  let destroy: () => void = () => undefined;
  if (options.provider !== undefined) {
    provider = options.provider;
  } else if (options.rpcUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.rpcUrl);
    } catch (err) {
      throw new VerificationOptionsError(`${options.rpcUrl} is not a URL`, 'rpcUrl', err);
    }
    const network = Network.from(deployment.chainId);
    // ethers' own 250 ms response cache would hide a fresh revocation; cache.ts is the one cache policy.
    const rpc = new JsonRpcProvider(url.toString(), network, { staticNetwork: network, cacheTimeout: -1 });
    provider = rpc;
    destroy = () => {
      rpc.destroy();
    };
  } else {
    throw new VerificationOptionsError('give an rpcUrl or a provider', 'rpcUrl');
  }
  const anchorAddress = deployment.contracts.TrustAnchor?.address ?? '';
  const registryAddress = deployment.contracts.IssuerRegistry?.address ?? '';
  return {
    anchor: new EthersAnchorReader(provider, anchorAddress, deployment.chainId, deployment.contracts.TrustAnchor?.blockNumber ?? 0),
    issuers: new EthersIssuerDirectory(provider, registryAddress),
    provider,
    destroy,
  };
}
