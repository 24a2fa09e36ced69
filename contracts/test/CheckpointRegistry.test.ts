import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroHash, concat, id, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import { CheckpointRegistry__factory, IssuerRegistry__factory } from "../../typechain-types";
import { DEPT_A, DEPT_B, DEPT_C, checkpointFixture } from "./helpers/fixtures";
import { networkWithHardfork } from "./helpers/networks";
import { generateP256Key, sha256Hex, signP256 } from "./helpers/p256";
import { consistencyProof, inclusionProof, leafHash, root } from "./helpers/rfc9162";
import { RFC9162_VECTORS as V } from "./helpers/rfc9162-vectors";
import { shouldBehaveLikeWitnessQuorum } from "./WitnessQuorum.behavior";

const LOG = id("ctl/records/v1");
const OTHER_LOG = id("ctl/other/v1");
const WITNESSES = [DEPT_A, DEPT_B, DEPT_C];

type Ctx = Awaited<ReturnType<typeof checkpointFixture>>;

async function cosign(ctx: Ctx, logId: string, size: number, rootHash: string, timestamp: number, signers = WITNESSES) {
  const message = await ctx.checkpoints.checkpointMessage(logId, size, rootHash, timestamp);
  return signers.map((d) => signP256(ctx.keys[d.mspId]!, message));
}

async function post(ctx: Ctx, logId: string, size: number, rootHash: string, timestamp: number) {
  return ctx.checkpoints.submitCheckpoint(logId, size, rootHash, timestamp, await cosign(ctx, logId, size, rootHash, timestamp));
}

describe("CheckpointRegistry", function () {
  shouldBehaveLikeWitnessQuorum(
    checkpointFixture,
    async (ctx) => {
      const rootHash = V.roots[7]!;
      const message = await ctx.checkpoints.checkpointMessage(LOG, 8, rootHash, 1_700_000_000);
      return {
        contract: ctx.checkpoints,
        message,
        submit: (signatures) => ctx.checkpoints.connect(ctx.submitter).submitCheckpoint(LOG, 8, rootHash, 1_700_000_000, signatures),
      };
    },
    3,
  );

  it("trusts the registry it was deployed with", async function () {
    const { checkpoints, registry } = await loadFixture(checkpointFixture);
    expect(await checkpoints.registry()).to.equal(await registry.getAddress());
  });

  describe("checkpoint format", function () {
    it("signs the documented bytes: tag, log id, size, root, timestamp (big-endian)", async function () {
      const { checkpoints } = await loadFixture(checkpointFixture);
      const expected = concat([toUtf8Bytes("CTL-CHECKPOINT-V1"), LOG, toBeHex(8, 8), V.roots[7]!, toBeHex(1_700_000_000, 8)]);
      expect(await checkpoints.checkpointMessage(LOG, 8, V.roots[7]!, 1_700_000_000)).to.equal(expected);
    });
  });

  describe("submitCheckpoint", function () {
    it("stores a cosigned checkpoint and emits CheckpointAccepted with the cosigning departments", async function () {
      const ctx = await loadFixture(checkpointFixture);
      const signatures = await cosign(ctx, LOG, 8, V.roots[7]!, 1_700_000_000);
      // Anyone may relay it: the signatures are the authority.
      const tx = ctx.checkpoints.connect(ctx.other).submitCheckpoint(LOG, 8, V.roots[7]!, 1_700_000_000, signatures);
      await expect(tx)
        .to.emit(ctx.checkpoints, "CheckpointAccepted")
        .withArgs(LOG, 8, V.roots[7]!, 1_700_000_000, WITNESSES.map((d) => d.id));
      const acceptedAt = await time.latest();
      const expected = [V.roots[7], 8n, 1_700_000_000n, BigInt(acceptedAt)];
      expect(await ctx.checkpoints.latest(LOG)).to.deep.equal(expected);
      expect(await ctx.checkpoints.checkpointAt(LOG, 8)).to.deep.equal(expected);
      expect(await ctx.checkpoints.latestTreeSize(LOG)).to.equal(8);
      expect(await ctx.checkpoints.latestTreeSize(OTHER_LOG)).to.equal(0);
    });

    it("keeps every accepted size of a log and each log apart", async function () {
      const ctx = await loadFixture(checkpointFixture);
      await post(ctx, LOG, 3, V.roots[2]!, 100);
      await post(ctx, LOG, 8, V.roots[7]!, 200);
      await post(ctx, OTHER_LOG, 1, V.roots[0]!, 50);
      expect((await ctx.checkpoints.checkpointAt(LOG, 3)).rootHash).to.equal(V.roots[2]);
      expect((await ctx.checkpoints.latest(LOG)).treeSize).to.equal(8);
      expect((await ctx.checkpoints.latest(OTHER_LOG)).rootHash).to.equal(V.roots[0]);
    });

    it("accepts an equal timestamp but reverts on a tree size that does not grow", async function () {
      const ctx = await loadFixture(checkpointFixture);
      await post(ctx, LOG, 5, V.roots[4]!, 100);
      await expect(post(ctx, LOG, 5, V.roots[4]!, 100))
        .to.be.revertedWithCustomError(ctx.checkpoints, "CheckpointRegistryTreeSizeNotIncreasing")
        .withArgs(LOG, 5, 5);
      await expect(post(ctx, LOG, 4, V.roots[3]!, 100))
        .to.be.revertedWithCustomError(ctx.checkpoints, "CheckpointRegistryTreeSizeNotIncreasing")
        .withArgs(LOG, 5, 4);
      await expect(post(ctx, LOG, 6, V.roots[5]!, 100)).to.emit(ctx.checkpoints, "CheckpointAccepted");
    });

    it("reverts on a first checkpoint of size 0", async function () {
      const ctx = await loadFixture(checkpointFixture);
      await expect(post(ctx, LOG, 0, V.emptyRoot, 100))
        .to.be.revertedWithCustomError(ctx.checkpoints, "CheckpointRegistryTreeSizeNotIncreasing")
        .withArgs(LOG, 0, 0);
    });

    it("reverts when the log's timestamp goes back", async function () {
      const ctx = await loadFixture(checkpointFixture);
      await post(ctx, LOG, 5, V.roots[4]!, 100);
      await expect(post(ctx, LOG, 6, V.roots[5]!, 99))
        .to.be.revertedWithCustomError(ctx.checkpoints, "CheckpointRegistryTimestampDecreasing")
        .withArgs(LOG, 100, 99);
    });

    it("reverts on a zero log id", async function () {
      const ctx = await loadFixture(checkpointFixture);
      await expect(post(ctx, ZeroHash, 1, V.roots[0]!, 1)).to.be.revertedWithCustomError(ctx.checkpoints, "CheckpointRegistryZeroLogId").withArgs();
    });

    it("reverts on signatures made for another size, root or log", async function () {
      const ctx = await loadFixture(checkpointFixture);
      const signatures = await cosign(ctx, LOG, 8, V.roots[7]!, 100);
      const firstKey = ctx.keys[DEPT_A.mspId]!.keyId;
      for (const [logId, size, rootHash, ts] of [
        [LOG, 7, V.roots[7]!, 100],
        [LOG, 8, V.roots[6]!, 100],
        [OTHER_LOG, 8, V.roots[7]!, 100],
        [LOG, 8, V.roots[7]!, 101],
      ] as const) {
        await expect(ctx.checkpoints.submitCheckpoint(logId, size, rootHash, ts, signatures))
          .to.be.revertedWithCustomError(ctx.checkpoints, "WitnessQuorumInvalidSignature")
          .withArgs(firstKey);
      }
    });

    it("reverts while the registry has no witness threshold", async function () {
      const [admin] = await ethers.getSigners();
      const registry = await new IssuerRegistry__factory(admin).deploy(0, admin!.address);
      const checkpoints = await new CheckpointRegistry__factory(admin).deploy(await registry.getAddress());
      await expect(checkpoints.submitCheckpoint(LOG, 1, V.roots[0]!, 1, [])).to.be.revertedWithCustomError(checkpoints, "WitnessQuorumNoThreshold").withArgs();
    });

    it("verifies signatures as node:crypto (Fabric's signer) makes them: ECDSA P-256 over SHA-256 of the message", async function () {
      const ctx = await loadFixture(checkpointFixture);
      const message = await ctx.checkpoints.checkpointMessage(LOG, 1, V.roots[0]!, 1);
      const digest = sha256Hex(message);
      expect(digest).to.match(/^0x[0-9a-f]{64}$/);
      const key = generateP256Key();
      await ctx.registry.addSigningKey(DEPT_C.id, key.qx, key.qy);
      const signatures = [signP256(ctx.keys[DEPT_A.mspId]!, message), signP256(ctx.keys[DEPT_B.mspId]!, message), signP256(key, message)];
      await expect(ctx.checkpoints.submitCheckpoint(LOG, 1, V.roots[0]!, 1, signatures)).to.emit(ctx.checkpoints, "CheckpointAccepted");
    });
  });

  describe("without the P-256 precompile (prague)", function () {
    it("verifies with OpenZeppelin's Solidity fallback: accepts a quorum, refuses a bad signature", async function () {
      const { provider, signer } = await networkWithHardfork("prague");
      try {
        const registry = await new IssuerRegistry__factory(signer).deploy(0, await signer.getAddress());
        await (await registry.grantRole(await registry.REGISTRAR_ROLE(), await signer.getAddress())).wait();
        const keys = [DEPT_A, DEPT_B, DEPT_C].map(() => generateP256Key());
        for (const [i, d] of WITNESSES.entries()) {
          await (await registry.registerDepartment(d.mspId, d.name)).wait();
          await (await registry.addSigningKey(d.id, keys[i]!.qx, keys[i]!.qy)).wait();
          await (await registry.addWitness(d.id)).wait();
        }
        await (await registry.setWitnessThreshold(3)).wait();
        const checkpoints = await new CheckpointRegistry__factory(signer).deploy(await registry.getAddress());
        const message = await checkpoints.checkpointMessage(LOG, 8, V.roots[7]!, 100);
        const signatures = keys.map((k) => signP256(k, message));
        const bad = [signatures[0]!, signP256(keys[1]!, "0x00"), signatures[2]!];
        await expect(checkpoints.submitCheckpoint(LOG, 8, V.roots[7]!, 100, bad))
          .to.be.revertedWithCustomError(checkpoints, "WitnessQuorumInvalidSignature")
          .withArgs(keys[1]!.keyId);
        const receipt = await (await checkpoints.submitCheckpoint(LOG, 8, V.roots[7]!, 100, signatures)).wait();
        expect((await checkpoints.latest(LOG)).rootHash).to.equal(V.roots[7]);
        // The Solidity verifier costs far more than the precompile: proof that it was the one used.
        expect(receipt?.gasUsed).to.be.greaterThan(300_000n);
      } finally {
        provider.destroy();
      }
    });
  });

  describe("reads of unknown checkpoints", function () {
    it("reverts latest, checkpointAt and the proofs for a size never accepted", async function () {
      const ctx = await loadFixture(checkpointFixture);
      const c = ctx.checkpoints;
      await expect(c.latest(LOG)).to.be.revertedWithCustomError(c, "CheckpointRegistryUnknownCheckpoint").withArgs(LOG, 0);
      await post(ctx, LOG, 8, V.roots[7]!, 100);
      await expect(c.checkpointAt(LOG, 7)).to.be.revertedWithCustomError(c, "CheckpointRegistryUnknownCheckpoint").withArgs(LOG, 7);
      await expect(c.verifyInclusion(LOG, 7, 0, ZeroHash, [])).to.be.revertedWithCustomError(c, "CheckpointRegistryUnknownCheckpoint").withArgs(LOG, 7);
      await expect(c.verifyConsistency(LOG, 3, 8, [])).to.be.revertedWithCustomError(c, "CheckpointRegistryUnknownCheckpoint").withArgs(LOG, 3);
      await expect(c.verifyConsistency(LOG, 8, 9, [])).to.be.revertedWithCustomError(c, "CheckpointRegistryUnknownCheckpoint").withArgs(LOG, 9);
    });
  });

  describe("proofs against stored checkpoints (RFC 9162 vectors)", function () {
    async function posted() {
      const ctx = await loadFixture(checkpointFixture);
      for (let size = 1; size <= 8; size++) await post(ctx, LOG, size, V.roots[size - 1]!, 1000 + size);
      return ctx;
    }

    it("verifies the published inclusion proofs against the accepted checkpoints", async function () {
      const { checkpoints } = await posted();
      const hashes = V.leaves.map((l) => leafHash(l));
      for (const { index, size, proof } of V.inclusion) {
        expect(await checkpoints.verifyInclusion(LOG, size, index, hashes[index]!, proof)).to.be.true;
        expect(await checkpoints.verifyInclusion(LOG, size, index, hashes[(index + 1) % 8]!, proof)).to.be.false;
      }
    });

    it("verifies the published consistency proofs between accepted checkpoints", async function () {
      const { checkpoints } = await posted();
      for (const { size1, size2, proof } of V.consistency) {
        expect(await checkpoints.verifyConsistency(LOG, size1, size2, proof)).to.be.true;
      }
      expect(await checkpoints.verifyConsistency(LOG, 6, 8, [ZeroHash])).to.be.false;
    });

    it("proves that a checkpoint of a rewritten log is not consistent with the history", async function () {
      const ctx = await loadFixture(checkpointFixture);
      const honest = Array.from({ length: 12 }, (_, i) => leafHash(zeroPadValue(toBeHex(i), 4)));
      const rewritten = [...honest.slice(0, 4), leafHash("0xbad0"), ...honest.slice(5)];
      await post(ctx, LOG, 6, root(honest.slice(0, 6)), 1);
      await post(ctx, LOG, 12, root(rewritten), 2);
      expect(await ctx.checkpoints.verifyConsistency(LOG, 6, 12, consistencyProof(6, rewritten))).to.be.false;
      expect(await ctx.checkpoints.verifyConsistency(LOG, 6, 12, consistencyProof(6, honest))).to.be.false;
      expect(await ctx.checkpoints.verifyInclusion(LOG, 12, 4, honest[4]!, inclusionProof(4, rewritten))).to.be.false;
      expect(await ctx.checkpoints.verifyInclusion(LOG, 12, 7, honest[7]!, inclusionProof(7, rewritten))).to.be.true;
    });
  });
});
