import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import fc from "fast-check";
import { ZeroHash, hexlify } from "ethers";
import { trustAnchorFixture } from "./helpers/fixtures";
import { leafAt, leavesOf } from "./helpers/merkle";
import {
  shouldBehaveLikeTrustAnchorHistory,
  shouldBehaveLikeTrustAnchorIssuance,
  shouldBehaveLikeTrustAnchorMulticall,
  shouldBehaveLikeTrustAnchorRevocation,
} from "./TrustAnchor.behavior";

describe("TrustAnchor", function () {
  shouldBehaveLikeTrustAnchorIssuance(trustAnchorFixture);
  shouldBehaveLikeTrustAnchorRevocation(trustAnchorFixture);
  shouldBehaveLikeTrustAnchorHistory(trustAnchorFixture);
  shouldBehaveLikeTrustAnchorMulticall(trustAnchorFixture);

  describe("administration", function () {
    it("starts with the deployer as default admin and the registry it was given", async function () {
      const { anchor, registry, admin } = await loadFixture(trustAnchorFixture);
      expect(await anchor.defaultAdmin()).to.equal(admin.address);
      expect(await anchor.registry()).to.equal(await registry.getAddress());
    });

    it("lets only the admin grant ISSUER_ROLE", async function () {
      const { anchor, outsider, ISSUER_ROLE } = await loadFixture(trustAnchorFixture);
      await expect(anchor.connect(outsider).grantRole(ISSUER_ROLE, outsider.address))
        .to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("property: OpenZeppelin merkle-tree batches", function () {
    const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
    const batch = fc.uniqueArray(bytes32, { minLength: 1, maxLength: 40 });

    it("every leaf of a random issued batch verifies, and any altered leaf, proof or root does not", async function () {
      const { anchor, issuerA } = await loadFixture(trustAnchorFixture);
      await fc.assert(
        fc.asyncProperty(batch, fc.nat(), bytes32, fc.nat(), async (leaves, pick, noise, position) => {
          const tree = SimpleMerkleTree.of(leaves);
          if (!(await anchor["isIssued(bytes32)"](tree.root))) await anchor.connect(issuerA).issue(tree.root);
          const index = pick % leaves.length;
          const leaf = leafAt(tree, index);
          const proof = tree.getProof(index);
          expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](tree.root, leaf, proof)).to.be.true;
          expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](tree.root, leaf, proof)).to.be.true;
          if (leaves.includes(noise)) return;
          // An altered leaf.
          expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](tree.root, noise, proof)).to.be.false;
          // An altered proof element (when there is one).
          if (proof.length > 0) {
            const altered = [...proof];
            altered[position % proof.length] = noise;
            expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](tree.root, leaf, altered)).to.be.false;
          }
          // An altered root: not issued.
          expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](noise, leaf, proof)).to.be.false;
        }),
        { numRuns: 40 },
      );
    });

    it("revoking a random leaf revokes that leaf and no other", async function () {
      const { anchor, issuerA } = await loadFixture(trustAnchorFixture);
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(bytes32, { minLength: 2, maxLength: 16 }), fc.nat(), async (leaves, pick) => {
          const tree = SimpleMerkleTree.of(leaves);
          if (await anchor["isIssued(bytes32)"](tree.root)) return;
          await anchor.connect(issuerA).issue(tree.root);
          const target = pick % leaves.length;
          await anchor.connect(issuerA)["revoke(bytes32,bytes32,bytes32[],uint16)"](tree.root, leafAt(tree, target), tree.getProof(target), 1);
          for (const [i, leaf] of leavesOf(tree).entries()) {
            expect(await anchor["isRevoked(bytes32,bytes32,bytes32[])"](tree.root, leaf, tree.getProof(i))).to.equal(i === target);
          }
        }),
        { numRuns: 15 },
      );
    });
  });
});
