import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ZeroAddress, ZeroHash, id } from "ethers";
import { DEPT_A, DEPT_B, DEPT_C, registryFixture } from "./helpers/fixtures";
import { generateP256Key } from "./helpers/p256";

const TYPE = id("RESIDENCE_PROOF");
const OTHER_TYPE = id("BUSINESS_LICENSE");

async function withDepartments() {
  const ctx = await loadFixture(registryFixture);
  await ctx.asRegistrar.registerDepartment(DEPT_A.mspId, DEPT_A.name);
  await ctx.asRegistrar.registerDepartment(DEPT_B.mspId, DEPT_B.name);
  return ctx;
}

describe("IssuerRegistry", function () {
  describe("administration", function () {
    it("gives the default admin to the deployer with a transfer delay, and REGISTRAR_ROLE by grant", async function () {
      const { registry, admin, registrar } = await loadFixture(registryFixture);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.defaultAdminDelay()).to.equal(3 * 24 * 3600);
      expect(await registry.hasRole(await registry.REGISTRAR_ROLE(), registrar.address)).to.be.true;
    });

    it("lets only registrars change the directory", async function () {
      const { registry, other } = await loadFixture(registryFixture);
      const role = await registry.REGISTRAR_ROLE();
      const asOther = registry.connect(other);
      for (const call of [
        () => asOther.registerDepartment(DEPT_A.mspId, DEPT_A.name),
        () => asOther.renameDepartment(DEPT_A.id, "x"),
        () => asOther.assignAccount(DEPT_A.id, other.address),
        () => asOther.unassignAccount(other.address),
        () => asOther.addSigningKey(DEPT_A.id, ZeroHash, ZeroHash),
        () => asOther.revokeSigningKey(ZeroHash),
        () => asOther.authorizeCertType(DEPT_A.id, TYPE, 0, 0),
        () => asOther.endCertTypeAuthorization(DEPT_A.id, TYPE, 0),
        () => asOther.addWitness(DEPT_A.id),
        () => asOther.removeWitness(DEPT_A.id),
        () => asOther.setWitnessThreshold(1),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(other.address, role);
      }
    });
  });

  describe("departments", function () {
    it("registers a department under keccak256(mspId) and emits DepartmentRegistered", async function () {
      const { registry, asRegistrar } = await loadFixture(registryFixture);
      await expect(asRegistrar.registerDepartment(DEPT_A.mspId, DEPT_A.name))
        .to.emit(registry, "DepartmentRegistered")
        .withArgs(DEPT_A.id, DEPT_A.mspId, DEPT_A.name);
      const at = await time.latest();
      expect(await registry.isRegistered(DEPT_A.id)).to.be.true;
      expect(await registry.department(DEPT_A.id)).to.deep.equal([DEPT_A.mspId, DEPT_A.name, BigInt(at)]);
      expect(await registry.departmentIds()).to.deep.equal([DEPT_A.id]);
    });

    it("reverts on a duplicate MSP id", async function () {
      const { registry, asRegistrar } = await withDepartments();
      await expect(asRegistrar.registerDepartment(DEPT_A.mspId, "Other name"))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryDepartmentAlreadyRegistered")
        .withArgs(DEPT_A.id);
    });

    it("reverts on an empty or over-long MSP id or name", async function () {
      const { registry, asRegistrar } = await loadFixture(registryFixture);
      const longMsp = "M".repeat(65);
      const longName = "N".repeat(129);
      await expect(asRegistrar.registerDepartment("", "Name")).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidMspId").withArgs("");
      await expect(asRegistrar.registerDepartment(longMsp, "Name")).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidMspId").withArgs(longMsp);
      await expect(asRegistrar.registerDepartment("OkMSP", "")).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidName").withArgs("");
      await expect(asRegistrar.registerDepartment("OkMSP", longName)).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidName").withArgs(longName);
      await expect(asRegistrar.registerDepartment("M".repeat(64), "N".repeat(128))).to.emit(registry, "DepartmentRegistered");
    });

    it("renames a department and emits DepartmentRenamed", async function () {
      const { registry, asRegistrar } = await withDepartments();
      await expect(asRegistrar.renameDepartment(DEPT_A.id, "Civil Affairs Bureau")).to.emit(registry, "DepartmentRenamed").withArgs(DEPT_A.id, "Civil Affairs Bureau");
      expect((await registry.department(DEPT_A.id))[1]).to.equal("Civil Affairs Bureau");
      await expect(asRegistrar.renameDepartment(DEPT_A.id, "")).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidName").withArgs("");
    });

    it("reverts on operations on an unknown department", async function () {
      const { registry, asRegistrar, other } = await withDepartments();
      const key = generateP256Key();
      const unknown = DEPT_C.id;
      for (const call of [
        () => asRegistrar.renameDepartment(unknown, "x"),
        () => asRegistrar.assignAccount(unknown, other.address),
        () => asRegistrar.addSigningKey(unknown, key.qx, key.qy),
        () => asRegistrar.authorizeCertType(unknown, TYPE, 0, 0),
        () => asRegistrar.addWitness(unknown),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(registry, "IssuerRegistryUnknownDepartment").withArgs(unknown);
      }
      await expect(registry.department(unknown)).to.be.revertedWithCustomError(registry, "IssuerRegistryUnknownDepartment").withArgs(unknown);
    });
  });

  describe("accounts", function () {
    it("assigns and unassigns an account, with events", async function () {
      const { registry, asRegistrar, other } = await withDepartments();
      await expect(asRegistrar.assignAccount(DEPT_A.id, other.address)).to.emit(registry, "AccountAssigned").withArgs(other.address, DEPT_A.id);
      expect(await registry.departmentOf(other.address)).to.equal(DEPT_A.id);
      await expect(asRegistrar.unassignAccount(other.address)).to.emit(registry, "AccountUnassigned").withArgs(other.address, DEPT_A.id);
      expect(await registry.departmentOf(other.address)).to.equal(ZeroHash);
    });

    it("reverts on the zero address, an account of another department, or unassigning a stranger", async function () {
      const { registry, asRegistrar, other, rest } = await withDepartments();
      await expect(asRegistrar.assignAccount(DEPT_A.id, ZeroAddress)).to.be.revertedWithCustomError(registry, "IssuerRegistryZeroAccount").withArgs();
      await asRegistrar.assignAccount(DEPT_A.id, other.address);
      await expect(asRegistrar.assignAccount(DEPT_B.id, other.address))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryAccountAlreadyAssigned")
        .withArgs(other.address, DEPT_A.id);
      await expect(asRegistrar.unassignAccount(rest[0]!.address))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryAccountNotAssigned")
        .withArgs(rest[0]!.address);
    });
  });

  describe("signing keys", function () {
    it("adds a P-256 key under keccak256(abi.encode(qx, qy)) and revokes it from now on", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const key = generateP256Key();
      await expect(asRegistrar.addSigningKey(DEPT_A.id, key.qx, key.qy)).to.emit(registry, "SigningKeyAdded").withArgs(key.keyId, DEPT_A.id, key.qx, key.qy);
      const addedAt = await time.latest();
      expect(await registry.signingKey(key.keyId)).to.deep.equal([DEPT_A.id, key.qx, key.qy, BigInt(addedAt), 0n]);
      expect(await registry.signingKeyIds(DEPT_A.id)).to.deep.equal([key.keyId]);
      await expect(asRegistrar.revokeSigningKey(key.keyId)).to.emit(registry, "SigningKeyRevoked");
      const revokedAt = await time.latest();
      expect((await registry.signingKey(key.keyId)).revokedAt).to.equal(revokedAt);
      await expect(asRegistrar.revokeSigningKey(key.keyId))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryKeyRevoked")
        .withArgs(key.keyId, revokedAt);
    });

    it("reverts on a point off the curve, a key registered before (even revoked), and an unknown key", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const key = generateP256Key();
      const offCurve = "0x" + (BigInt(key.qy) ^ 1n).toString(16).padStart(64, "0");
      await expect(asRegistrar.addSigningKey(DEPT_A.id, key.qx, offCurve))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidPublicKey")
        .withArgs(key.qx, offCurve);
      await asRegistrar.addSigningKey(DEPT_A.id, key.qx, key.qy);
      await asRegistrar.revokeSigningKey(key.keyId);
      await expect(asRegistrar.addSigningKey(DEPT_B.id, key.qx, key.qy))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryKeyAlreadyRegistered")
        .withArgs(key.keyId);
      const unknown = generateP256Key().keyId;
      await expect(registry.signingKey(unknown)).to.be.revertedWithCustomError(registry, "IssuerRegistryUnknownKey").withArgs(unknown);
      await expect(asRegistrar.revokeSigningKey(unknown)).to.be.revertedWithCustomError(registry, "IssuerRegistryUnknownKey").withArgs(unknown);
    });
  });

  describe("certificate types over time", function () {
    it("authorises from the current block when validFrom is 0, open-ended when validUntil is 0", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const tx = asRegistrar.authorizeCertType(DEPT_A.id, TYPE, 0, 0);
      await expect(tx).to.emit(registry, "CertTypeAuthorized");
      const from = await time.latest();
      expect(await registry.certTypeWindows(DEPT_A.id, TYPE)).to.deep.equal([[BigInt(from), 0n]]);
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, from - 1)).to.be.false;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, from)).to.be.true;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, 2n ** 63n)).to.be.true;
      expect(await registry.isAuthorized(DEPT_A.id, OTHER_TYPE, from)).to.be.false;
      expect(await registry.isAuthorized(DEPT_B.id, TYPE, from)).to.be.false;
    });

    it("keeps the answer for the past when an authorisation ends, and can grant again later", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const start = (await time.latest()) + 100;
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, start, 0);
      await time.increaseTo(start + 1000);
      await expect(asRegistrar.endCertTypeAuthorization(DEPT_A.id, TYPE, 0)).to.emit(registry, "CertTypeAuthorizationEnded");
      const ended = await time.latest();
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, start + 500)).to.be.true;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, ended)).to.be.false;
      const again = ended + 5000;
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, again, again + 100);
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, start + 500)).to.be.true;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, again - 1)).to.be.false;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, again + 99)).to.be.true;
      expect(await registry.isAuthorized(DEPT_A.id, TYPE, again + 100)).to.be.false;
      expect(await registry.certTypeWindows(DEPT_A.id, TYPE)).to.have.length(2);
    });

    it("ends a future window at a chosen time, and a window not yet started as empty", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const now = await time.latest();
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 10, 0);
      await expect(asRegistrar.endCertTypeAuthorization(DEPT_A.id, TYPE, now + 5000))
        .to.emit(registry, "CertTypeAuthorizationEnded")
        .withArgs(DEPT_A.id, TYPE, now + 5000);
      await asRegistrar.authorizeCertType(DEPT_B.id, TYPE, now + 10_000, 0);
      await asRegistrar.endCertTypeAuthorization(DEPT_B.id, TYPE, 0);
      expect(await registry.certTypeWindows(DEPT_B.id, TYPE)).to.deep.equal([[BigInt(now + 10_000), BigInt(now + 10_000)]]);
      expect(await registry.isAuthorized(DEPT_B.id, TYPE, now + 10_000)).to.be.false;
    });

    it("reverts on a window in the past, an empty window, and an overlap with the previous one", async function () {
      const { registry, asRegistrar } = await withDepartments();
      const now = await time.latest();
      await expect(asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now - 10, 0))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidWindow")
        .withArgs(now - 10, 0, now + 1);
      await expect(asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 50, now + 50))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidWindow")
        .withArgs(now + 50, now + 50, now + 2);
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 100, now + 200);
      await expect(asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 150, 0))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryOverlappingWindow")
        .withArgs(DEPT_A.id, TYPE, now + 200);
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 200, 0);
      await expect(asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 300, 0))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryOverlappingWindow")
        .withArgs(DEPT_A.id, TYPE, 0);
    });

    it("reverts on ending what never started or already ended", async function () {
      const { registry, asRegistrar } = await withDepartments();
      await expect(asRegistrar.endCertTypeAuthorization(DEPT_A.id, TYPE, 0)).to.be.revertedWithCustomError(registry, "IssuerRegistryNoWindowToEnd");
      const now = await time.latest();
      await asRegistrar.authorizeCertType(DEPT_A.id, TYPE, now + 10, now + 20);
      await expect(asRegistrar.endCertTypeAuthorization(DEPT_A.id, TYPE, now + 30))
        .to.be.revertedWithCustomError(registry, "IssuerRegistryNoWindowToEnd")
        .withArgs(DEPT_A.id, TYPE, now + 30);
    });
  });

  describe("witnesses", function () {
    it("adds and removes witnesses and sets the threshold within the witness count", async function () {
      const { registry, asRegistrar } = await withDepartments();
      expect(await registry.witnessThreshold()).to.equal(0);
      await expect(asRegistrar.addWitness(DEPT_A.id)).to.emit(registry, "WitnessAdded").withArgs(DEPT_A.id);
      await asRegistrar.addWitness(DEPT_B.id);
      expect(await registry.witnesses()).to.deep.equal([DEPT_A.id, DEPT_B.id]);
      expect(await registry.isWitness(DEPT_A.id)).to.be.true;
      await expect(asRegistrar.setWitnessThreshold(2)).to.emit(registry, "WitnessThresholdChanged").withArgs(0, 2);
      await expect(asRegistrar.setWitnessThreshold(3)).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidThreshold").withArgs(3, 2);
      await expect(asRegistrar.setWitnessThreshold(0)).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidThreshold").withArgs(0, 2);
      await expect(asRegistrar.removeWitness(DEPT_A.id)).to.be.revertedWithCustomError(registry, "IssuerRegistryInvalidThreshold").withArgs(2, 1);
      await asRegistrar.setWitnessThreshold(1);
      await expect(asRegistrar.removeWitness(DEPT_A.id)).to.emit(registry, "WitnessRemoved").withArgs(DEPT_A.id);
      expect(await registry.witnesses()).to.deep.equal([DEPT_B.id]);
    });

    it("reverts on adding a witness twice or removing a non-witness", async function () {
      const { registry, asRegistrar } = await withDepartments();
      await asRegistrar.addWitness(DEPT_A.id);
      await expect(asRegistrar.addWitness(DEPT_A.id)).to.be.revertedWithCustomError(registry, "IssuerRegistryAlreadyWitness").withArgs(DEPT_A.id);
      await expect(asRegistrar.removeWitness(DEPT_B.id)).to.be.revertedWithCustomError(registry, "IssuerRegistryNotWitness").withArgs(DEPT_B.id);
    });
  });
});
