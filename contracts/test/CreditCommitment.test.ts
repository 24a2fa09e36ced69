import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { ZeroHash, concat, hexlify, id, toBeHex, toUtf8Bytes } from "ethers";
import { CreditCommitment__factory, IssuerRegistry__factory } from "../../typechain-types";
import { DEPT_A, DEPT_B, creditFixture } from "./helpers/fixtures";
import { MerkleSumTree, sumLeaf, sumParent } from "./helpers/merkle-sum";
import { signP256 } from "./helpers/p256";
import { shouldBehaveLikeWitnessQuorum } from "./WitnessQuorum.behavior";

type Ctx = Awaited<ReturnType<typeof creditFixture>>;

const account = (n: number): string => id(`subjectRef ${n}`);

function bank(balances: number[]) {
  const entries = balances.map((balance, i) => ({ accountRef: account(i), balance: BigInt(balance) }));
  return { entries, tree: new MerkleSumTree(entries) };
}

async function commit(ctx: Ctx, epoch: number, root: string, total: bigint) {
  const message = await ctx.credits.commitmentMessage(epoch, root, total);
  const signatures = [DEPT_A, DEPT_B].map((d) => signP256(ctx.keys[d.mspId]!, message));
  return ctx.credits.commit(epoch, root, total, signatures);
}

describe("CreditCommitment", function () {
  shouldBehaveLikeWitnessQuorum(
    creditFixture,
    async (ctx) => {
      const { tree } = bank([60, 120, 30]);
      const message = await ctx.credits.commitmentMessage(1, tree.root.hash, tree.root.sum);
      return {
        contract: ctx.credits,
        message,
        submit: (signatures) => ctx.credits.connect(ctx.submitter).commit(1, tree.root.hash, tree.root.sum, signatures),
      };
    },
    2,
  );

  it("trusts the registry it was deployed with", async function () {
    const { credits, registry } = await loadFixture(creditFixture);
    expect(await credits.registry()).to.equal(await registry.getAddress());
  });

  describe("tree format", function () {
    it("hashes leaves and parents as documented, with children ordered by hash", async function () {
      const { credits } = await loadFixture(creditFixture);
      const a = sumLeaf(account(1), 90n);
      const b = sumLeaf(account(2), 15n);
      expect(await credits.leafHash(account(1), 90)).to.equal(a.hash);
      expect(await credits.parentOf(a, b)).to.deep.equal([sumParent(a, b).hash, 105n]);
      expect(await credits.parentOf(b, a)).to.deep.equal([sumParent(a, b).hash, 105n]);
      expect(await credits.commitmentMessage(7, a.hash, 105)).to.equal(
        concat([toUtf8Bytes("CTL-CREDIT-COMMITMENT-V1"), toBeHex(7, 8), a.hash, toBeHex(105, 8)]),
      );
    });
  });

  describe("commit", function () {
    it("stores the root and total outstanding of an epoch and emits BalancesCommitted", async function () {
      const ctx = await loadFixture(creditFixture);
      const { tree } = bank([60, 120, 30, 0, 45]);
      await expect(commit(ctx, 1, tree.root.hash, tree.root.sum))
        .to.emit(ctx.credits, "BalancesCommitted")
        .withArgs(1, tree.root.hash, 255, [DEPT_A.id, DEPT_B.id]);
      const at = await time.latest();
      expect(await ctx.credits.commitmentOf(1)).to.deep.equal([tree.root.hash, 255n, BigInt(at)]);
      expect(await ctx.credits.latestEpoch()).to.deep.equal([1n, true]);
    });

    it("starts with no epoch", async function () {
      const { credits } = await loadFixture(creditFixture);
      expect(await credits.latestEpoch()).to.deep.equal([0n, false]);
    });

    it("accepts epoch 0 first, then only growing epochs", async function () {
      const ctx = await loadFixture(creditFixture);
      const { tree } = bank([10]);
      await commit(ctx, 0, tree.root.hash, 10n);
      await expect(commit(ctx, 0, tree.root.hash, 10n))
        .to.be.revertedWithCustomError(ctx.credits, "CreditCommitmentEpochNotIncreasing")
        .withArgs(0, 0);
      await commit(ctx, 5, tree.root.hash, 10n);
      await expect(commit(ctx, 4, tree.root.hash, 10n))
        .to.be.revertedWithCustomError(ctx.credits, "CreditCommitmentEpochNotIncreasing")
        .withArgs(5, 4);
    });

    it("reverts on a zero root", async function () {
      const ctx = await loadFixture(creditFixture);
      await expect(commit(ctx, 1, ZeroHash, 0n)).to.be.revertedWithCustomError(ctx.credits, "CreditCommitmentZeroRoot").withArgs();
    });

    it("reverts on signatures made for another total", async function () {
      const ctx = await loadFixture(creditFixture);
      const { tree } = bank([60, 60]);
      const message = await ctx.credits.commitmentMessage(1, tree.root.hash, 120);
      const signatures = [DEPT_A, DEPT_B].map((d) => signP256(ctx.keys[d.mspId]!, message));
      await expect(ctx.credits.commit(1, tree.root.hash, 119, signatures))
        .to.be.revertedWithCustomError(ctx.credits, "WitnessQuorumInvalidSignature")
        .withArgs(ctx.keys[DEPT_A.mspId]!.keyId);
    });

    it("reverts while the registry has no witness threshold", async function () {
      const [admin] = await ethers.getSigners();
      const registry = await new IssuerRegistry__factory(admin).deploy(0, admin!.address);
      const credits = await new CreditCommitment__factory(admin).deploy(await registry.getAddress());
      await expect(credits.commit(1, id("root"), 1, [])).to.be.revertedWithCustomError(credits, "WitnessQuorumNoThreshold").withArgs();
    });
  });

  describe("verifyBalance", function () {
    async function committed(balances: number[]) {
      const ctx = await loadFixture(creditFixture);
      const b = bank(balances);
      await commit(ctx, 3, b.tree.root.hash, b.tree.root.sum);
      return { ...ctx, ...b };
    }

    it("proves every account's balance in the committed epoch", async function () {
      const { credits, entries, tree } = await committed([60, 120, 30, 0, 45, 600, 1]);
      for (const [i, e] of entries.entries()) {
        expect(await credits.verifyBalance(3, e.accountRef, e.balance, tree.proof(i))).to.be.true;
      }
    });

    it("proves a single account whose leaf is the root", async function () {
      const { credits, entries } = await committed([75]);
      expect(await credits.verifyBalance(3, entries[0]!.accountRef, 75, [])).to.be.true;
      expect(await credits.verifyBalance(3, entries[0]!.accountRef, 74, [])).to.be.false;
    });

    it("refuses a wrong balance, a wrong account, a wrong sibling and a proof for another account", async function () {
      const { credits, entries, tree } = await committed([60, 120, 30, 45]);
      const proof = tree.proof(1);
      expect(await credits.verifyBalance(3, entries[1]!.accountRef, 121, proof)).to.be.false;
      expect(await credits.verifyBalance(3, account(99), 120, proof)).to.be.false;
      expect(await credits.verifyBalance(3, entries[1]!.accountRef, 120, tree.proof(2))).to.be.false;
      const altered = proof.map((n, i) => (i === 0 ? { ...n, hash: id("forged") } : n));
      expect(await credits.verifyBalance(3, entries[1]!.accountRef, 120, altered)).to.be.false;
    });

    it("refuses to move value between siblings: the parent commits to each child's sum", async function () {
      const { credits, entries, tree } = await committed([60, 120, 30, 45]);
      // Claim 10 more minutes and take them from the sibling: the total still matches, the hash does not.
      const proof = tree.proof(1);
      const shifted = proof.map((n, i) => (i === 0 ? { ...n, sum: n.sum - 10n } : n));
      expect(await credits.verifyBalance(3, entries[1]!.accountRef, 130, shifted)).to.be.false;
    });

    it("refuses a proof whose sums overflow 64 bits instead of wrapping", async function () {
      const { credits, entries, tree } = await committed([60, 120]);
      const proof = tree.proof(0).map((n) => ({ ...n, sum: 2n ** 64n - 1n }));
      expect(await credits.verifyBalance(3, entries[0]!.accountRef, 60, proof)).to.be.false;
    });

    it("reverts for an epoch never committed", async function () {
      const { credits, entries, tree } = await committed([60, 120]);
      await expect(credits.verifyBalance(4, entries[0]!.accountRef, 60, tree.proof(0)))
        .to.be.revertedWithCustomError(credits, "CreditCommitmentUnknownEpoch")
        .withArgs(4);
      await expect(credits.commitmentOf(2)).to.be.revertedWithCustomError(credits, "CreditCommitmentUnknownEpoch").withArgs(2);
    });

    it("property: random balances all verify; any altered balance, sibling or total does not", async function () {
      const ctx = await loadFixture(creditFixture);
      let epoch = 0;
      const minutes = fc.bigInt({ min: 0n, max: 10n ** 9n });
      await fc.assert(
        fc.asyncProperty(fc.array(minutes, { minLength: 1, maxLength: 33 }), fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (balances, pick, noise) => {
          const entries = balances.map((balance, i) => ({ accountRef: account(i + 1000 * epoch), balance }));
          const tree = new MerkleSumTree(entries);
          epoch++;
          await commit(ctx, epoch, tree.root.hash, tree.root.sum);
          const index = pick % entries.length;
          const e = entries[index]!;
          const proof = tree.proof(index);
          expect(await ctx.credits.verifyBalance(epoch, e.accountRef, e.balance, proof)).to.be.true;
          expect(await ctx.credits.verifyBalance(epoch, e.accountRef, e.balance + 1n, proof)).to.be.false;
          if (proof.length > 0) {
            const which = pick % proof.length;
            const hashAltered = proof.map((n, i) => (i === which ? { ...n, hash: hexlify(noise) } : n));
            expect(await ctx.credits.verifyBalance(epoch, e.accountRef, e.balance, hashAltered)).to.be.false;
            const sumAltered = proof.map((n, i) => (i === which ? { ...n, sum: n.sum + 1n } : n));
            expect(await ctx.credits.verifyBalance(epoch, e.accountRef, e.balance, sumAltered)).to.be.false;
          }
        }),
        { numRuns: 25 },
      );
    });
  });
});
