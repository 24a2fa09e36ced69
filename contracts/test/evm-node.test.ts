// The embedded EVM node over real JSON-RPC: its chain survives a restart block for block.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet, id, parseEther } from "ethers";
import { EvmNodeError, startEvmNode, type EvmNode } from "../../scripts/evm-node";
import { IssuerRegistry__factory } from "../../typechain-types";

// Hardhat's well-known first default account (mnemonic "test test ... junk").
const DEFAULT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("embedded EVM node (scripts/evm-node.ts)", function () {
  let dataDir: string;
  const open: EvmNode[] = [];
  const providers: JsonRpcProvider[] = [];

  async function start(): Promise<{ node: EvmNode; rpc: JsonRpcProvider }> {
    const node = await startEvmNode({ dataDir, port: 0 });
    open.push(node);
    const rpc = new JsonRpcProvider(node.url, Network.from(node.chainId), { staticNetwork: true, cacheTimeout: -1 });
    providers.push(rpc);
    return { node, rpc };
  }

  async function stop(node: EvmNode): Promise<void> {
    for (const rpc of providers.splice(0)) rpc.destroy();
    await node.close();
    open.splice(open.indexOf(node), 1);
  }

  beforeEach(function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-evm-node-"));
  });

  afterEach(async function () {
    for (const rpc of providers.splice(0)) rpc.destroy();
    for (const node of open.splice(0)) await node.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the Hardhat network on an ephemeral port with chainId 31337 and the default accounts", async function () {
    const { node, rpc } = await start();
    expect(node.port).to.be.greaterThan(0);
    expect(node.url).to.equal(`http://127.0.0.1:${node.port}`);
    expect((await rpc.getNetwork()).chainId).to.equal(31337n);
    const accounts = (await rpc.send("eth_accounts", [])) as string[];
    expect(accounts).to.have.length(20);
    expect(accounts[0]?.toLowerCase()).to.equal(new Wallet(DEFAULT_KEY).address.toLowerCase());
  });

  it("brings back block numbers, hashes, timestamps, addresses and state after a restart", async function () {
    let { node, rpc } = await start();
    const deployer = new Wallet(DEFAULT_KEY, rpc);
    // A signed (raw) transaction: a contract deployment.
    const registry = await new IssuerRegistry__factory(deployer).deploy(0, deployer.address);
    await registry.waitForDeployment();
    const registryAddress = await registry.getAddress();
    await (await registry.grantRole(await registry.REGISTRAR_ROLE(), deployer.address)).wait();
    await (await registry.registerDepartment("CivilAffairsMSP", "Civil Affairs")).wait();
    // An unsigned transaction sent through the node's own accounts.
    await rpc.send("eth_sendTransaction", [{ from: deployer.address, to: OTHER, value: "0x2a" }]);
    // Time travel: the offset and the mined block must both survive.
    await rpc.send("evm_increaseTime", [3600]);
    await rpc.send("evm_mine", []);
    const before = await rpc.getBlock("latest");
    const otherBalance = await rpc.getBalance(OTHER);
    await stop(node);

    ({ node, rpc } = await start());
    expect(node.replayed).to.be.greaterThan(0);
    const after = await rpc.getBlock("latest");
    expect(after?.number).to.equal(before?.number);
    expect(after?.hash).to.equal(before?.hash);
    expect(after?.timestamp).to.equal(before?.timestamp);
    expect(await rpc.getBalance(OTHER)).to.equal(otherBalance);
    const restored = IssuerRegistry__factory.connect(registryAddress, rpc);
    const [mspId, name] = await restored.department(id("CivilAffairsMSP"));
    expect([mspId, name]).to.deep.equal(["CivilAffairsMSP", "Civil Affairs"]);

    // The chain goes on: the next block follows the restored one, and the clock kept its offset.
    const wallet = new Wallet(DEFAULT_KEY, rpc);
    await (await wallet.sendTransaction({ to: OTHER, value: parseEther("1") })).wait();
    const next = await rpc.getBlock("latest");
    expect(next?.number).to.equal((before?.number ?? 0) + 1);
    expect(next?.timestamp).to.be.at.least(Math.floor(Date.now() / 1000) + 3600 - 5);
  });

  it("keeps the chain's clock on the wall's through a burst of blocks, and a restart replays blocks that share a second", async function () {
    let { node, rpc } = await start();
    const wallet = new Wallet(DEFAULT_KEY, rpc);
    let nonce = await wallet.getNonce();
    for (let i = 0; i < 30; i++) await (await wallet.sendTransaction({ to: OTHER, value: 1n, nonce: nonce++ })).wait();
    const latest = await rpc.getBlock("latest");
    expect(latest?.number).to.be.at.least(30);
    // One block per second each would put the clock about 30 s ahead.
    expect(latest?.timestamp).to.be.at.most(Math.floor(Date.now() / 1000) + 2);
    await stop(node);
    ({ node, rpc } = await start());
    expect((await rpc.getBlock("latest"))?.hash).to.equal(latest?.hash);
  });

  it("journals a reverted transaction that was mined, so the restart keeps its block", async function () {
    let { node, rpc } = await start();
    const deployer = new Wallet(DEFAULT_KEY, rpc);
    const registry = await new IssuerRegistry__factory(deployer).deploy(0, deployer.address);
    await registry.waitForDeployment();
    const mined = await rpc.getBlockNumber();
    // No REGISTRAR_ROLE: the call reverts, but with an explicit gas limit it is still mined.
    const tx = await registry.registerDepartment("HealthMSP", "Health", { gasLimit: 500_000 }).catch((err: unknown) => err);
    expect(tx).to.be.instanceOf(Error);
    const head = await rpc.getBlock("latest");
    expect(head?.number).to.equal(mined + 1);
    await stop(node);

    ({ node, rpc } = await start());
    expect((await rpc.getBlock("latest"))?.hash).to.equal(head?.hash);
  });

  it("replays snapshots and reverts, multi-block mining and manual mining", async function () {
    let { node, rpc } = await start();
    const from = new Wallet(DEFAULT_KEY).address;
    const snapshot = (await rpc.send("evm_snapshot", [])) as string;
    await rpc.send("hardhat_mine", ["0x5", "0x3c"]);
    await rpc.send("evm_revert", [snapshot]);
    await rpc.send("hardhat_mine", ["0x3"]);
    await rpc.send("evm_setAutomine", [false]);
    const pending = (await rpc.send("eth_sendTransaction", [{ from, to: OTHER, value: "0x7" }])) as string;
    await rpc.send("evm_mine", []);
    await rpc.send("evm_setAutomine", [true]);
    const head = await rpc.getBlock("latest");
    expect(head?.number).to.equal(4);
    expect(head?.transactions).to.deep.equal([pending]);
    await stop(node);

    ({ node, rpc } = await start());
    const restored = await rpc.getBlock("latest");
    expect(restored?.hash).to.equal(head?.hash);
    expect((await rpc.getTransactionReceipt(pending))?.blockNumber).to.equal(4);
    // Automine is back on, as it was when the node stopped.
    await rpc.send("eth_sendTransaction", [{ from, to: OTHER, value: "0x1" }]);
    expect(await rpc.getBlockNumber()).to.equal(5);
  });

  it("restarts an empty chain with the same genesis block", async function () {
    let { node, rpc } = await start();
    const genesis = await rpc.getBlock(0);
    await stop(node);
    ({ node, rpc } = await start());
    expect((await rpc.getBlock(0))?.hash).to.equal(genesis?.hash);
    expect(node.replayed).to.equal(0);
  });

  it("drops a torn last journal line left by a crash and keeps the rest", async function () {
    let { node, rpc } = await start();
    await rpc.send("evm_mine", []);
    const head = await rpc.getBlock("latest");
    await stop(node);
    fs.appendFileSync(path.join(dataDir, "journal.jsonl"), '{"method":"evm_mi');

    ({ node, rpc } = await start());
    expect((await rpc.getBlock("latest"))?.hash).to.equal(head?.hash);
    expect(fs.readFileSync(path.join(dataDir, "journal.jsonl"), "utf8").endsWith("\n")).to.be.true;
  });

  it("keeps a complete last record whose newline was lost, and appends after it", async function () {
    let { node, rpc } = await start();
    await rpc.send("evm_mine", []);
    await stop(node);
    const file = path.join(dataDir, "journal.jsonl");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").trimEnd());

    ({ node, rpc } = await start());
    await rpc.send("evm_mine", []);
    const head = await rpc.getBlock("latest");
    expect(head?.number).to.equal(2);
    await stop(node);
    ({ node, rpc } = await start());
    expect((await rpc.getBlock("latest"))?.hash).to.equal(head?.hash);
  });

  it("refuses a journal damaged in the middle", async function () {
    const { node, rpc } = await start();
    await rpc.send("evm_mine", []);
    await rpc.send("evm_mine", []);
    await stop(node);
    const file = path.join(dataDir, "journal.jsonl");
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines[1] = "not json";
    fs.writeFileSync(file, lines.join("\n"));
    const err = await startEvmNode({ dataDir, port: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EvmNodeError).with.property("code", "EVM.JOURNAL_CORRUPT");
  });

  it("refuses a journal whose replay gives a different chain", async function () {
    const { node, rpc } = await start();
    await rpc.send("evm_mine", []);
    await stop(node);
    const file = path.join(dataDir, "journal.jsonl");
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    const entry = JSON.parse(lines[1] ?? "") as { blocks: { hash: string }[] };
    entry.blocks[0]!.hash = "0x" + "00".repeat(32);
    lines[1] = JSON.stringify(entry);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const err = await startEvmNode({ dataDir, port: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EvmNodeError).with.property("code", "EVM.JOURNAL_MISMATCH");
  });

  it("refuses a second node on the same data directory", async function () {
    await start();
    const err = await startEvmNode({ dataDir, port: 0 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EvmNodeError).with.property("code", "EVM.DATA_DIR_LOCKED");
  });

  it("refuses requests a replay could not reproduce", async function () {
    const { rpc } = await start();
    const err: unknown = await rpc.send("hardhat_reset", []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
    expect(String(err)).to.match(/hardhat_reset/);
  });
});
