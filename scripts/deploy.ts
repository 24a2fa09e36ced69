// Idempotent deployment of the trust contracts to any JSON-RPC chain, and the roles of
// contracts/deploy.config.json.
//
//   EVM_RPC_URL=http://127.0.0.1:8545 DEPLOYER_PRIVATE_KEY=0x... \
//     npx ts-node --transpile-only scripts/deploy.ts [--config contracts/deploy.config.json] [--out deployments]
//
// A re-run reads deployments/<chainId>.json, reuses every contract whose recorded address still
// holds code that answers as expected, deploys what is missing, and only sends the role and
// registry transactions whose effect is not already on chain.
import fs from "node:fs";
import path from "node:path";
import { X509Certificate, createPublicKey } from "node:crypto";
import {
  AbiCoder,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  getAddress,
  id,
  keccak256,
  type ContractTransactionResponse,
  type Provider,
  type TransactionReceipt,
} from "ethers";
import { z } from "zod";
import {
  CheckpointRegistry__factory,
  CreditCommitment__factory,
  IssuerRegistry__factory,
  TrustAnchor__factory,
  type IssuerRegistry,
  type TrustAnchor,
} from "../typechain-types";

/** Hardhat's first default account; used only when the chain is the embedded one (31337). */
export const EMBEDDED_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** The repository's role configuration. */
export const DEFAULT_DEPLOY_CONFIG = path.join(__dirname, "..", "contracts", "deploy.config.json");

/** Where deployment files go unless told otherwise. */
export const DEFAULT_DEPLOYMENTS_DIR = path.join(__dirname, "..", "deployments");

const EMBEDDED_CHAIN_ID = 31337n;

/** Names of the deployed contracts, in deployment order. */
export const CONTRACT_NAMES = ["IssuerRegistry", "TrustAnchor", "CheckpointRegistry", "CreditCommitment"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Where one contract lives. */
export interface DeployedContract {
  address: string;
  blockNumber: number;
  transactionHash: string;
}

/** The file `deployments/<chainId>.json`. */
export interface DeploymentFile {
  chainId: number;
  contracts: Partial<Record<ContractName, DeployedContract>>;
  /** Per MSP id: the department id on chain and its issuer accounts, as configured. */
  departments: Record<string, { departmentId: string; issuers: string[] }>;
}

/** Stable codes of {@link DeployError}. */
export type DeployErrorCode = "DEPLOY.CONFIG_INVALID" | "DEPLOY.NO_KEY" | "DEPLOY.CONFLICT" | "DEPLOY.NOT_OURS";

/** The deployment could not proceed; nothing further was sent. */
export class DeployError extends Error {
  readonly code: DeployErrorCode;

  constructor(code: DeployErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = DeployError.name;
    this.code = code;
  }
}

const address = z.string().refine((value) => /^0x[0-9a-fA-F]{40}$/.test(value), "must be a 0x-prefixed 20-byte address");

const configSchema = z.strictObject({
  $comment: z.string().optional(),
  adminDelaySeconds: z.number().int().min(0).max(2 ** 48 - 1),
  certificateTypesFile: z.string().optional(),
  departments: z
    .array(
      z.strictObject({
        mspId: z.string().min(1).max(64),
        name: z.string().min(1).max(128),
        issuers: z.array(address),
        certTypes: z.array(z.string().min(1).max(64)),
        witness: z.boolean(),
      }),
    )
    .min(1),
  witnessThreshold: z.number().int().min(0).max(65535),
});

/** The parsed role configuration. */
export type DeployConfig = z.infer<typeof configSchema>;

const certificateType = z.looseObject({ code: z.string().min(1).max(64), allowedIssuerMsps: z.array(z.string()) });
const certificateTypesSchema = z.union([
  z.array(certificateType),
  z.looseObject({ types: z.array(certificateType) }).transform((file) => file.types),
  z.looseObject({ certificateTypes: z.array(certificateType) }).transform((file) => file.certificateTypes),
]);

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** JSON-RPC URL; default `EVM_RPC_URL` or http://127.0.0.1:8545. Ignored when `provider` is given. */
  rpcUrl?: string;
  /** A provider to use instead of `rpcUrl`. */
  provider?: Provider;
  /** Deployer key; default `DEPLOYER_PRIVATE_KEY`, or Hardhat's first account on chain 31337. */
  privateKey?: string;
  /** Role configuration file; default contracts/deploy.config.json. */
  configFile?: string;
  /** Directory of `<chainId>.json`; default `deployments/`. */
  outDir?: string;
  /**
   * P-256 signing keys (PEM certificates or public keys) of the departments' Fabric identities, by
   * MSP id, to register in the IssuerRegistry (keys already registered are skipped).
   */
  signingKeys?: Record<string, string[]>;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

/** What {@link deploy} did. */
export interface DeployResult {
  file: string;
  deployment: DeploymentFile;
  /** Contracts deployed by this run (the others were reused). */
  deployed: ContractName[];
  /** Transactions this run sent, deployments included. */
  transactions: number;
}

/**
 * Parses and checks a role configuration file, adding the issuer MSPs of the certificate-types
 * file it names (when that file exists) to each department's `certTypes`.
 *
 * @throws {DeployError} `DEPLOY.CONFIG_INVALID` naming the file and the first problems found.
 */
export function readDeployConfig(file: string): DeployConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DeployError("DEPLOY.CONFIG_INVALID", `${file}: cannot read JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new DeployError("DEPLOY.CONFIG_INVALID", `${file}: ${problems}`);
  }
  const config = parsed.data;
  const mspIds = new Set<string>();
  for (const d of config.departments) {
    if (mspIds.has(d.mspId)) throw new DeployError("DEPLOY.CONFIG_INVALID", `${file}: department ${d.mspId} is listed twice`);
    mspIds.add(d.mspId);
  }
  const issuers = config.departments.flatMap((d) => d.issuers.map((a) => getAddress(a)));
  const duplicate = issuers.find((a, i) => issuers.indexOf(a) !== i);
  if (duplicate !== undefined) {
    throw new DeployError("DEPLOY.CONFIG_INVALID", `${file}: account ${duplicate} is an issuer of two departments`);
  }
  const witnesses = config.departments.filter((d) => d.witness).length;
  if (config.witnessThreshold > witnesses || (witnesses > 0 && config.witnessThreshold === 0)) {
    throw new DeployError(
      "DEPLOY.CONFIG_INVALID",
      `${file}: witnessThreshold ${config.witnessThreshold} must be from 1 to the ${witnesses} witnesses`,
    );
  }
  if (config.certificateTypesFile !== undefined) {
    const typesFile = path.resolve(path.dirname(file), config.certificateTypesFile);
    if (fs.existsSync(typesFile)) addCertificateTypes(config, typesFile, mspIds);
  }
  return config;
}

function addCertificateTypes(config: DeployConfig, typesFile: string, mspIds: Set<string>): void {
  let parsed: z.output<typeof certificateTypesSchema>;
  try {
    parsed = certificateTypesSchema.parse(JSON.parse(fs.readFileSync(typesFile, "utf8")));
  } catch (err) {
    throw new DeployError(
      "DEPLOY.CONFIG_INVALID",
      `${typesFile}: expected a list of { code, allowedIssuerMsps } (or { types: [...] })`,
      { cause: err },
    );
  }
  for (const type of parsed) {
    for (const mspId of type.allowedIssuerMsps) {
      if (!mspIds.has(mspId)) continue;
      const department = config.departments.find((d) => d.mspId === mspId);
      if (department !== undefined && !department.certTypes.includes(type.code)) department.certTypes.push(type.code);
    }
  }
}

/**
 * The `(qx, qy)` coordinates of a P-256 key given as a PEM certificate or public key, as the
 * IssuerRegistry stores them, and its `keyId = keccak256(abi.encode(qx, qy))`.
 *
 * @throws {DeployError} `DEPLOY.CONFIG_INVALID` if the PEM is not a P-256 key or certificate.
 */
export function p256KeyFromPem(pem: string): { qx: string; qy: string; keyId: string } {
  try {
    const key = pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    const jwk = key.export({ format: "jwk" });
    if (jwk.kty !== "EC" || jwk.crv !== "P-256" || jwk.x === undefined || jwk.y === undefined) {
      throw new Error(`not a P-256 key (${jwk.kty ?? "?"} ${jwk.crv ?? ""})`);
    }
    const qx = "0x" + Buffer.from(jwk.x, "base64url").toString("hex");
    const qy = "0x" + Buffer.from(jwk.y, "base64url").toString("hex");
    return { qx, qy, keyId: keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [qx, qy])) };
  } catch (err) {
    throw new DeployError("DEPLOY.CONFIG_INVALID", `signing key: ${(err as Error).message}`, { cause: err });
  }
}

function readDeploymentFile(file: string, chainId: number): DeploymentFile {
  if (!fs.existsSync(file)) return { chainId, contracts: {}, departments: {} };
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<DeploymentFile>;
  return { chainId, contracts: parsed.contracts ?? {}, departments: parsed.departments ?? {} };
}

function writeDeploymentFile(file: string, deployment: DeploymentFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole then renamed, so a crash never leaves half a file behind.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(deployment, null, 2) + "\n");
  fs.renameSync(temporary, file);
}

/**
 * Deploys (or finds) IssuerRegistry, TrustAnchor, CheckpointRegistry and CreditCommitment on the
 * chain behind `rpcUrl`, brings the registry and roles in line with the configuration, and writes
 * `<outDir>/<chainId>.json`. Running it again changes nothing that is already in place.
 *
 * @throws {DeployError} `DEPLOY.CONFIG_INVALID` for a bad configuration; `DEPLOY.NO_KEY` without a
 *   deployer key on a chain other than 31337; `DEPLOY.NOT_OURS` if a recorded address holds code
 *   that does not answer as the recorded contract; `DEPLOY.CONFLICT` if an issuer account already
 *   belongs to another department.
 */
export async function deploy(options: DeployOptions = {}): Promise<DeployResult> {
  const log = options.log ?? (() => undefined);
  const config = readDeployConfig(options.configFile ?? DEFAULT_DEPLOY_CONFIG);
  const ownProvider = options.provider === undefined;
  // No response cache: every check must see the transactions this run just sent.
  const provider =
    options.provider ??
    new JsonRpcProvider(options.rpcUrl ?? process.env.EVM_RPC_URL ?? "http://127.0.0.1:8545", undefined, { cacheTimeout: -1 });
  try {
    const chainId = (await provider.getNetwork()).chainId;
    const key = options.privateKey ?? process.env.DEPLOYER_PRIVATE_KEY ?? (chainId === EMBEDDED_CHAIN_ID ? EMBEDDED_DEPLOYER_KEY : undefined);
    if (key === undefined) {
      throw new DeployError("DEPLOY.NO_KEY", `chain ${chainId} is not the embedded chain: set DEPLOYER_PRIVATE_KEY`);
    }
    const wallet = new Wallet(key, provider);
    // Counts nonces locally so consecutive transactions never reuse one a node has not reported yet.
    const deployer = new NonceManager(wallet);
    const file = path.join(options.outDir ?? DEFAULT_DEPLOYMENTS_DIR, `${chainId}.json`);
    const deployment = readDeploymentFile(file, Number(chainId));
    const deployed: ContractName[] = [];
    let transactions = 0;

    const send = async (label: string, tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> => {
      const receipt = await (await tx).wait();
      if (receipt === null) throw new Error(`${label}: no receipt`);
      transactions++;
      log(`  ${label} (${receipt.hash})`);
      return receipt;
    };

    /** Reuses the recorded contract if its code still answers `probe`, else deploys a new one. */
    const ensure = async <T>(
      name: ContractName,
      attach: (address: string) => T,
      probe: (contract: T) => Promise<boolean>,
      create: () => Promise<{ contract: T; receipt: TransactionReceipt }>,
    ): Promise<T> => {
      const recorded = deployment.contracts[name];
      if (recorded !== undefined && (await provider.getCode(recorded.address)) !== "0x") {
        const contract = attach(recorded.address);
        const ours = await probe(contract).catch(() => false);
        if (!ours) throw new DeployError("DEPLOY.NOT_OURS", `${name} at ${recorded.address} (from ${file}) is not the expected contract`);
        log(`${name} reused at ${recorded.address}`);
        return contract;
      }
      const { contract, receipt } = await create();
      const address = receipt.contractAddress;
      if (address === null) throw new Error(`${name}: the deployment receipt has no contract address`);
      deployment.contracts[name] = { address, blockNumber: receipt.blockNumber, transactionHash: receipt.hash };
      writeDeploymentFile(file, deployment);
      deployed.push(name);
      transactions++;
      log(`${name} deployed at ${address}`);
      return contract;
    };

    const deployed_ = async <T extends { deploymentTransaction(): ContractTransactionResponse | null }>(
      pending: Promise<T>,
    ): Promise<{ contract: T; receipt: TransactionReceipt }> => {
      const contract = await pending;
      const receipt = await contract.deploymentTransaction()?.wait();
      if (receipt === undefined || receipt === null) throw new Error("deployment sent no transaction");
      return { contract, receipt };
    };

    const delay = config.adminDelaySeconds;
    const registry: IssuerRegistry = await ensure(
      "IssuerRegistry",
      (a) => IssuerRegistry__factory.connect(a, deployer),
      async (c) => (await c.REGISTRAR_ROLE()) === id("REGISTRAR_ROLE"),
      () => deployed_(new IssuerRegistry__factory(deployer).deploy(delay, wallet.address)),
    );
    const registryAddress = await registry.getAddress();
    const anchor: TrustAnchor = await ensure(
      "TrustAnchor",
      (a) => TrustAnchor__factory.connect(a, deployer),
      async (c) => (await c.registry()) === registryAddress,
      () => deployed_(new TrustAnchor__factory(deployer).deploy(delay, wallet.address, registryAddress)),
    );
    await ensure(
      "CheckpointRegistry",
      (a) => CheckpointRegistry__factory.connect(a, deployer),
      async (c) => (await c.registry()) === registryAddress,
      () => deployed_(new CheckpointRegistry__factory(deployer).deploy(registryAddress)),
    );
    await ensure(
      "CreditCommitment",
      (a) => CreditCommitment__factory.connect(a, deployer),
      async (c) => (await c.registry()) === registryAddress,
      () => deployed_(new CreditCommitment__factory(deployer).deploy(registryAddress)),
    );

    const registrar = await registry.REGISTRAR_ROLE();
    if (!(await registry.hasRole(registrar, wallet.address))) {
      await send("grant REGISTRAR_ROLE to the deployer", registry.grantRole(registrar, wallet.address));
    }
    const issuerRole = await anchor.ISSUER_ROLE();
    const now = BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);
    for (const d of config.departments) {
      const departmentId = id(d.mspId);
      if (!(await registry.isRegistered(departmentId))) {
        await send(`register ${d.mspId}`, registry.registerDepartment(d.mspId, d.name));
      } else {
        const [, name] = await registry.department(departmentId);
        if (name !== d.name) await send(`rename ${d.mspId}`, registry.renameDepartment(departmentId, d.name));
      }
      for (const account of d.issuers) {
        const current = await registry.departmentOf(account);
        if (current === "0x" + "00".repeat(32)) {
          await send(`assign ${account} to ${d.mspId}`, registry.assignAccount(departmentId, account));
        } else if (current !== departmentId) {
          throw new DeployError("DEPLOY.CONFLICT", `${account} already belongs to department ${current}, not ${d.mspId}`);
        }
        if (!(await anchor.hasRole(issuerRole, account))) {
          await send(`grant ISSUER_ROLE to ${account}`, anchor.grantRole(issuerRole, account));
        }
      }
      for (const code of d.certTypes) {
        const windows = await registry.certTypeWindows(departmentId, id(code));
        // Only a type never authorised gets a window: governance may have ended one on purpose.
        if (windows.length === 0 && !(await registry.isAuthorized(departmentId, id(code), now))) {
          await send(`authorise ${d.mspId} for ${code}`, registry.authorizeCertType(departmentId, id(code), 0, 0));
        }
      }
      if (d.witness && !(await registry.isWitness(departmentId))) {
        await send(`add witness ${d.mspId}`, registry.addWitness(departmentId));
      }
      for (const pem of options.signingKeys?.[d.mspId] ?? []) {
        const { qx, qy, keyId } = p256KeyFromPem(pem);
        const known = await registry.signingKeyIds(departmentId);
        if (!known.includes(keyId)) await send(`add signing key ${keyId} to ${d.mspId}`, registry.addSigningKey(departmentId, qx, qy));
      }
      deployment.departments[d.mspId] = { departmentId, issuers: d.issuers.map((a) => getAddress(a)) };
    }
    if (config.witnessThreshold !== 0 && Number(await registry.witnessThreshold()) !== config.witnessThreshold) {
      await send(`set witness threshold ${config.witnessThreshold}`, registry.setWitnessThreshold(config.witnessThreshold));
    }
    writeDeploymentFile(file, deployment);
    return { file, deployment, deployed, transactions };
  } finally {
    if (ownProvider) provider.destroy();
  }
}

function parseArgs(argv: string[]): DeployOptions {
  const options: DeployOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new DeployError("DEPLOY.CONFIG_INVALID", `${flag ?? ""} needs a value`);
    if (flag === "--config") options.configFile = value;
    else if (flag === "--out") options.outDir = value;
    else throw new DeployError("DEPLOY.CONFIG_INVALID", `unknown option ${flag ?? ""} (use --config, --out)`);
  }
  return options;
}

if (require.main === module) {
  deploy({ ...parseArgs(process.argv.slice(2)), log: (line) => {
      console.log(line);
    } })
    .then((result) => {
      console.log(`${result.file}: ${result.deployed.length} deployed, ${result.transactions} transactions sent`);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
