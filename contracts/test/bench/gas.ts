// Gas report for the operations issue 5 names: `npm run bench:gas`.
// Runs on the Hardhat network (osaka, as the embedded chain) and, for the checkpoint, also on
// prague, where P-256 falls back to Solidity. Transaction figures are receipt gasUsed (intrinsic
// 21,000 and calldata included); view figures are eth_estimateGas of the same call.
import os from "node:os";
import { ethers } from "hardhat";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { id, keccak256, toUtf8Bytes, type ContractTransactionResponse, type Signer } from "ethers";
import {
  CheckpointRegistry__factory,
  CreditCommitment__factory,
  IssuerRegistry__factory,
  TrustAnchor__factory,
} from "../../../typechain-types";
import { networkWithHardfork } from "../helpers/networks";
import { generateP256Key, signP256 } from "../helpers/p256";
import { MerkleSumTree } from "../helpers/merkle-sum";
import { leafAt } from "../helpers/merkle";

const rows: [string, bigint][] = [];

async function gasOf(label: string, tx: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error(`${label}: no receipt`);
  rows.push([label, receipt.gasUsed]);
}

const docs = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => keccak256(toUtf8Bytes(`doc ${from + i}`)));

async function witnessRegistry(signer: Signer, k: number) {
  const address = await signer.getAddress();
  const registry = await new IssuerRegistry__factory(signer).deploy(0, address);
  await (await registry.grantRole(await registry.REGISTRAR_ROLE(), address)).wait();
  const keys = [];
  for (let i = 0; i < k; i++) {
    const mspId = `Witness${i}MSP`;
    await (await registry.registerDepartment(mspId, `Witness ${i}`)).wait();
    const key = generateP256Key();
    await (await registry.addSigningKey(id(mspId), key.qx, key.qy)).wait();
    await (await registry.addWitness(id(mspId))).wait();
    keys.push(key);
  }
  await (await registry.setWitnessThreshold(k)).wait();
  return { registry, keys };
}

async function checkpointGas(signer: Signer, label: string): Promise<void> {
  const { registry, keys } = await witnessRegistry(signer, 3);
  const checkpoints = await new CheckpointRegistry__factory(signer).deploy(await registry.getAddress());
  const log = id("ctl/records/v1");
  for (const [size, ts] of [
    [100, 1_000],
    [200, 2_000],
  ] as const) {
    const root = id(`root ${size}`);
    const message = await checkpoints.checkpointMessage(log, size, root, ts);
    const signatures = keys.map((key) => signP256(key, message));
    await gasOf(`${label} (${size === 100 ? "first of a log" : "next of a log"})`, checkpoints.submitCheckpoint(log, size, root, ts, signatures));
  }
}

async function main(): Promise<void> {
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("no account");

  // TrustAnchor
  const registry = await new IssuerRegistry__factory(admin).deploy(0, admin.address);
  await (await registry.grantRole(await registry.REGISTRAR_ROLE(), admin.address)).wait();
  await (await registry.registerDepartment("CivilAffairsMSP", "Civil Affairs")).wait();
  await (await registry.assignAccount(id("CivilAffairsMSP"), admin.address)).wait();
  const anchor = await new TrustAnchor__factory(admin).deploy(0, admin.address, await registry.getAddress());
  await (await anchor.grantRole(await anchor.ISSUER_ROLE(), admin.address)).wait();

  const batch = SimpleMerkleTree.of(docs(1024));
  await gasOf("TrustAnchor.issue (batch root)", anchor.issue(batch.root));
  const single = docs(1, 5000)[0]!;
  await gasOf("TrustAnchor.issue (batch of one)", anchor.issue(single));
  await gasOf("TrustAnchor.revoke (whole batch)", anchor["revoke(bytes32,uint16)"](single, 1));
  await gasOf(
    "TrustAnchor.revoke (one document in a batch of 1024, proof of 10)",
    anchor["revoke(bytes32,bytes32,bytes32[],uint16)"](batch.root, leafAt(batch, 7), batch.getProof(7), 1),
  );
  const ten = Array.from({ length: 10 }, (_, i) => SimpleMerkleTree.of(docs(4, 10_000 + 4 * i)).root);
  await gasOf("TrustAnchor.multicall (issue 10 roots)", anchor.multicall(ten.map((r) => anchor.interface.encodeFunctionData("issue", [r]))));
  rows.push([
    "TrustAnchor.isActive (view, leaf of 1024, proof of 10)",
    await anchor["isActive(bytes32,bytes32,bytes32[])"].estimateGas(batch.root, leafAt(batch, 9), batch.getProof(9)),
  ]);

  // CheckpointRegistry, k = 3, with the P-256 precompile (osaka) and without it (prague).
  await checkpointGas(admin, "CheckpointRegistry.submitCheckpoint, k=3, osaka precompile");
  const prague = await networkWithHardfork("prague");
  try {
    await checkpointGas(prague.signer, "CheckpointRegistry.submitCheckpoint, k=3, prague Solidity fallback");
  } finally {
    prague.provider.destroy();
  }

  // CreditCommitment: 1,000 accounts (proof of 10), k = 3.
  const { registry: witnesses, keys } = await witnessRegistry(admin, 3);
  const credits = await new CreditCommitment__factory(admin).deploy(await witnesses.getAddress());
  const entries = Array.from({ length: 1000 }, (_, i) => ({ accountRef: id(`account ${i}`), balance: BigInt(60 * (i % 40)) }));
  const tree = new MerkleSumTree(entries);
  const message = await credits.commitmentMessage(1, tree.root.hash, tree.root.sum);
  await gasOf("CreditCommitment.commit, k=3", credits.commit(1, tree.root.hash, tree.root.sum, keys.map((k) => signP256(k, message))));
  const proof = tree.proof(123);
  const entry = entries[123]!;
  rows.push([
    `CreditCommitment.verifyBalance (view, 1000 accounts, proof of ${proof.length})`,
    await credits.verifyBalance.estimateGas(1, entry.accountRef, entry.balance, proof),
  ]);

  const cpus = os.cpus();
  console.log(`Gas report — Hardhat network (EDR), ethers ${ethers.version}, solc 0.8.28 viaIR optimizer 200 runs, evmVersion prague`);
  console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, gas] of rows) console.log(`${label.padEnd(width)}  ${gas.toLocaleString("en-US").padStart(10)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
