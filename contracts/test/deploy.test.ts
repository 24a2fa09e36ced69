// scripts/deploy.ts against the embedded node over JSON-RPC: deploys, grants, and re-runs as a no-op.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Network, id } from "ethers";
import { DeployError, deploy, p256KeyFromPem, readDeployConfig, type DeploymentFile } from "../../scripts/deploy";
import { startEvmNode, type EvmNode } from "../../scripts/evm-node";
import { IssuerRegistry__factory, TrustAnchor__factory } from "../../typechain-types";
import { generateP256Key } from "./helpers/p256";

const ISSUER_A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ISSUER_B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("deployment (scripts/deploy.ts)", function () {
  let dir: string;
  let node: EvmNode;
  let rpc: JsonRpcProvider;

  function writeConfig(overrides: Record<string, unknown> = {}): string {
    const file = path.join(dir, "deploy.config.json");
    fs.writeFileSync(path.join(dir, "types.json"), JSON.stringify({ types: [{ code: "RESIDENCE_PROOF", allowedIssuerMsps: ["StreetOfficeMSP", "NotDeployedMSP"] }] }));
    fs.writeFileSync(
      file,
      JSON.stringify({
        adminDelaySeconds: 3600,
        certificateTypesFile: "types.json",
        departments: [
          { mspId: "StreetOfficeMSP", name: "Street Office", issuers: [ISSUER_A], certTypes: ["VOLUNTEER_SERVICE_RECORD"], witness: true },
          { mspId: "HealthMSP", name: "Health", issuers: [ISSUER_B], certTypes: [], witness: true },
          { mspId: "AuditOfficeMSP", name: "Audit Office", issuers: [], certTypes: [], witness: false },
        ],
        witnessThreshold: 2,
        ...overrides,
      }),
    );
    return file;
  }

  beforeEach(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-deploy-"));
    node = await startEvmNode({ dataDir: path.join(dir, "evm"), port: 0 });
    rpc = new JsonRpcProvider(node.url, Network.from(node.chainId), { staticNetwork: true });
  });

  afterEach(async function () {
    rpc.destroy();
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deploys the four contracts, registers departments and grants roles, then writes <chainId>.json", async function () {
    const outDir = path.join(dir, "deployments");
    const result = await deploy({ rpcUrl: node.url, configFile: writeConfig(), outDir });
    expect(result.file).to.equal(path.join(outDir, "31337.json"));
    expect(result.deployed).to.deep.equal(["IssuerRegistry", "TrustAnchor", "CheckpointRegistry", "CreditCommitment"]);
    const file = JSON.parse(fs.readFileSync(result.file, "utf8")) as DeploymentFile;
    expect(file.chainId).to.equal(31337);
    for (const name of ["IssuerRegistry", "TrustAnchor", "CheckpointRegistry", "CreditCommitment"] as const) {
      const entry = file.contracts[name]!;
      expect(entry.address).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(await rpc.getCode(entry.address)).to.not.equal("0x");
      const receipt = await rpc.getTransactionReceipt(entry.transactionHash);
      expect(receipt?.blockNumber).to.equal(entry.blockNumber);
      expect(receipt?.contractAddress).to.equal(entry.address);
    }
    expect(file.departments.StreetOfficeMSP).to.deep.equal({ departmentId: id("StreetOfficeMSP"), issuers: [ISSUER_A] });

    const registry = IssuerRegistry__factory.connect(file.contracts.IssuerRegistry!.address, rpc);
    const anchor = TrustAnchor__factory.connect(file.contracts.TrustAnchor!.address, rpc);
    expect(await registry.departmentOf(ISSUER_A)).to.equal(id("StreetOfficeMSP"));
    expect(await registry.departmentOf(ISSUER_B)).to.equal(id("HealthMSP"));
    expect(await anchor.hasRole(await anchor.ISSUER_ROLE(), ISSUER_A)).to.be.true;
    expect(await anchor.hasRole(await anchor.ISSUER_ROLE(), ISSUER_B)).to.be.true;
    const now = (await rpc.getBlock("latest"))!.timestamp;
    expect(await registry.isAuthorized(id("StreetOfficeMSP"), id("VOLUNTEER_SERVICE_RECORD"), now)).to.be.true;
    expect(await registry.isAuthorized(id("StreetOfficeMSP"), id("RESIDENCE_PROOF"), now)).to.be.true;
    expect(await registry.isAuthorized(id("HealthMSP"), id("RESIDENCE_PROOF"), now)).to.be.false;
    expect(await registry.witnessThreshold()).to.equal(2);
    expect(await registry.isWitness(id("HealthMSP"))).to.be.true;
    expect(await registry.isWitness(id("AuditOfficeMSP"))).to.be.false;
    expect(await anchor.defaultAdminDelay()).to.equal(3600);
  });

  it("is idempotent: a re-run reuses every contract and sends nothing", async function () {
    const outDir = path.join(dir, "deployments");
    const configFile = writeConfig();
    const first = await deploy({ rpcUrl: node.url, configFile, outDir });
    const head = await rpc.getBlockNumber();
    const second = await deploy({ rpcUrl: node.url, configFile, outDir });
    expect(second.deployed).to.deep.equal([]);
    expect(second.transactions).to.equal(0);
    expect(await rpc.getBlockNumber()).to.equal(head);
    expect(second.deployment.contracts).to.deep.equal(first.deployment.contracts);
  });

  it("adds only what the configuration gained since the last run", async function () {
    const outDir = path.join(dir, "deployments");
    await deploy({ rpcUrl: node.url, configFile: writeConfig(), outDir });
    const key = generateP256Key();
    const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
    const configFile = writeConfig({ witnessThreshold: 1 });
    const result = await deploy({ rpcUrl: node.url, configFile, outDir, signingKeys: { HealthMSP: [pem] } });
    expect(result.deployed).to.deep.equal([]);
    expect(result.transactions).to.equal(2);
    const registry = IssuerRegistry__factory.connect(result.deployment.contracts.IssuerRegistry!.address, rpc);
    expect(await registry.witnessThreshold()).to.equal(1);
    expect(await registry.signingKeyIds(id("HealthMSP"))).to.deep.equal([key.keyId]);
    const again = await deploy({ rpcUrl: node.url, configFile, outDir, signingKeys: { HealthMSP: [pem] } });
    expect(again.transactions).to.equal(0);
  });

  it("redeploys a contract whose recorded address holds no code (a new chain)", async function () {
    const outDir = path.join(dir, "deployments");
    fs.mkdirSync(outDir);
    const stale = { address: "0x000000000000000000000000000000000000dEaD", blockNumber: 1, transactionHash: "0x" + "11".repeat(32) };
    fs.writeFileSync(path.join(outDir, "31337.json"), JSON.stringify({ chainId: 31337, contracts: { IssuerRegistry: stale }, departments: {} }));
    const result = await deploy({ rpcUrl: node.url, configFile: writeConfig(), outDir });
    expect(result.deployed).to.include("IssuerRegistry");
    expect(result.deployment.contracts.IssuerRegistry?.address).to.not.equal(stale.address);
  });

  it("refuses a recorded address whose code is another contract", async function () {
    const outDir = path.join(dir, "deployments");
    const configFile = writeConfig();
    const first = await deploy({ rpcUrl: node.url, configFile, outDir });
    const swapped = { ...first.deployment, contracts: { ...first.deployment.contracts, TrustAnchor: first.deployment.contracts.IssuerRegistry } };
    fs.writeFileSync(first.file, JSON.stringify(swapped));
    const err = await deploy({ rpcUrl: node.url, configFile, outDir }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError).with.property("code", "DEPLOY.NOT_OURS");
  });

  it("refuses an issuer account that already belongs to another department", async function () {
    const outDir = path.join(dir, "deployments");
    await deploy({ rpcUrl: node.url, configFile: writeConfig(), outDir });
    const moved = writeConfig({
      departments: [
        { mspId: "StreetOfficeMSP", name: "Street Office", issuers: [], certTypes: [], witness: true },
        { mspId: "HealthMSP", name: "Health", issuers: [ISSUER_A], certTypes: [], witness: true },
      ],
    });
    const err = await deploy({ rpcUrl: node.url, configFile: moved, outDir }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError).with.property("code", "DEPLOY.CONFLICT");
  });

  describe("configuration", function () {
    it("accepts the repository's contracts/deploy.config.json", function () {
      const config = readDeployConfig(path.join(__dirname, "..", "deploy.config.json"));
      expect(config.departments.map((d) => d.mspId)).to.include.members(["StreetOfficeMSP", "AuditOfficeMSP"]);
    });

    it("names the problem in a bad file", function () {
      const bad = writeConfig({ witnessThreshold: 5 });
      expect(() => readDeployConfig(bad)).to.throw(DeployError, /witnessThreshold 5/);
      const unknownField = writeConfig({ extra: true });
      expect(() => readDeployConfig(unknownField)).to.throw(DeployError, /extra/);
      const twice = writeConfig({
        departments: [
          { mspId: "HealthMSP", name: "Health", issuers: [ISSUER_A], certTypes: [], witness: true },
          { mspId: "CivilAffairsMSP", name: "Civil", issuers: [ISSUER_A], certTypes: [], witness: true },
        ],
      });
      expect(() => readDeployConfig(twice)).to.throw(DeployError, /issuer of two departments/);
    });

    it("reads P-256 keys from a certificate or public key PEM and refuses others", function () {
      const key = generateP256Key();
      const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
      expect(p256KeyFromPem(pem)).to.deep.equal({ qx: key.qx, qy: key.qy, keyId: key.keyId });
      const ed = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
      expect(() => p256KeyFromPem(ed)).to.throw(DeployError, /not a P-256 key/);
    });
  });
});
