// Fixtures shared by the contract suites: each deploys a fresh set through loadFixture.
import { ethers } from "hardhat";
import { id } from "ethers";
import {
  CheckpointRegistry__factory,
  CreditCommitment__factory,
  IssuerRegistry__factory,
  TrustAnchor__factory,
} from "../../../typechain-types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { generateP256Key, type P256Key } from "./p256";

/** The first `count` of Hardhat's funded accounts. */
async function signers(count: number): Promise<HardhatEthersSigner[]> {
  const all = await ethers.getSigners();
  if (all.length < count) throw new Error(`the test network has ${all.length} accounts, ${count} needed`);
  return all.slice(0, count);
}

export const DEPT_A = { mspId: "CivilAffairsMSP", name: "Civil Affairs", id: id("CivilAffairsMSP") };
export const DEPT_B = { mspId: "HealthMSP", name: "Health", id: id("HealthMSP") };
export const DEPT_C = { mspId: "StreetOfficeMSP", name: "Street Office", id: id("StreetOfficeMSP") };
export const DEPT_D = { mspId: "AuditOfficeMSP", name: "Audit Office", id: id("AuditOfficeMSP") };

type Six = [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner];

/** A registry with a registrar and nothing registered. */
export async function registryFixture() {
  const [admin, registrar, other, ...rest] = (await signers(8)) as [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, ...HardhatEthersSigner[]];
  const registry = await new IssuerRegistry__factory(admin).deploy(3 * 24 * 3600, admin.address);
  await registry.grantRole(await registry.REGISTRAR_ROLE(), registrar.address);
  return { registry, admin, registrar, other, rest, asRegistrar: registry.connect(registrar) };
}

/** A TrustAnchor with departments A (two issuers) and B (one), and an issuer with no department. */
export async function trustAnchorFixture() {
  const [admin, issuerA, issuerA2, issuerB, outsider, homeless] = (await signers(6)) as Six;
  const registry = await new IssuerRegistry__factory(admin).deploy(0, admin.address);
  await registry.grantRole(await registry.REGISTRAR_ROLE(), admin.address);
  await registry.registerDepartment(DEPT_A.mspId, DEPT_A.name);
  await registry.registerDepartment(DEPT_B.mspId, DEPT_B.name);
  await registry.assignAccount(DEPT_A.id, issuerA.address);
  await registry.assignAccount(DEPT_A.id, issuerA2.address);
  await registry.assignAccount(DEPT_B.id, issuerB.address);
  const anchor = await new TrustAnchor__factory(admin).deploy(0, admin.address, await registry.getAddress());
  const ISSUER_ROLE = await anchor.ISSUER_ROLE();
  for (const signer of [issuerA, issuerA2, issuerB, homeless]) await anchor.grantRole(ISSUER_ROLE, signer.address);
  return { anchor, registry, admin, issuerA, issuerA2, issuerB, outsider, homeless, ISSUER_ROLE };
}

/** Four departments, each with a P-256 key; A, B and C are witnesses with threshold `k`. */
async function witnessSetup(k: number) {
  const [admin, submitter, other] = (await signers(3)) as Six;
  const registry = await new IssuerRegistry__factory(admin).deploy(0, admin.address);
  await registry.grantRole(await registry.REGISTRAR_ROLE(), admin.address);
  const departments = [DEPT_A, DEPT_B, DEPT_C, DEPT_D];
  const keys: Record<string, P256Key> = {};
  for (const d of departments) {
    await registry.registerDepartment(d.mspId, d.name);
    const key = generateP256Key();
    await registry.addSigningKey(d.id, key.qx, key.qy);
    keys[d.mspId] = key;
  }
  for (const d of [DEPT_A, DEPT_B, DEPT_C]) await registry.addWitness(d.id);
  await registry.setWitnessThreshold(k);
  return { registry, admin, submitter, other, keys };
}

/** A CheckpointRegistry whose registry has witnesses A, B, C (k = 3) and a non-witness D. */
export async function checkpointFixture() {
  const setup = await witnessSetup(3);
  const checkpoints = await new CheckpointRegistry__factory(setup.admin).deploy(await setup.registry.getAddress());
  return { ...setup, checkpoints };
}

/** A CreditCommitment whose registry has witnesses A, B, C (k = 2) and a non-witness D. */
export async function creditFixture() {
  const setup = await witnessSetup(2);
  const credits = await new CreditCommitment__factory(setup.admin).deploy(await setup.registry.getAddress());
  return { ...setup, credits };
}
