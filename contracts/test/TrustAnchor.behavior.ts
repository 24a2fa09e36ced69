// Behaviour suites of ITrustAnchor, run against any fixture that provides the same actors.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IssuerRegistry, TrustAnchor } from "../../typechain-types";
import { DEPT_A, DEPT_B } from "./helpers/fixtures";
import { leafAt, leavesBelow, leavesOf, nodeProof } from "./helpers/merkle";

export interface TrustAnchorContext {
  anchor: TrustAnchor;
  registry: IssuerRegistry;
  admin: HardhatEthersSigner;
  issuerA: HardhatEthersSigner;
  issuerA2: HardhatEthersSigner;
  issuerB: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  homeless: HardhatEthersSigner;
  ISSUER_ROLE: string;
}

/** A document's targetHash, made up for the test. */
export const doc = (n: number): string => keccak256(toUtf8Bytes(`document ${n}`));

export function batchOf(count: number, from = 0): SimpleMerkleTree {
  return SimpleMerkleTree.of(Array.from({ length: count }, (_, i) => doc(from + i)));
}

const REASON_SUPERSEDED = 4;
const REASON_KEY_COMPROMISE = 1;

export function shouldBehaveLikeTrustAnchorIssuance(fixture: () => Promise<TrustAnchorContext>): void {
  describe("issue", function () {
    it("anchors a root, records issuer, department and time, and emits RootIssued", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const root = batchOf(4).root;
      const tx = anchor.connect(issuerA).issue(root);
      await expect(tx).to.emit(anchor, "RootIssued").withArgs(root, issuerA.address, await nextTimestamp(tx));
      const at = await time.latest();
      expect(await anchor.issuedAt(root)).to.equal(at);
      expect(await anchor["isIssued(bytes32)"](root)).to.be.true;
      expect(await anchor["isActive(bytes32)"](root)).to.be.true;
      expect(await anchor.issuerOf(root)).to.deep.equal([issuerA.address, DEPT_A.id]);
    });

    it("answers never-issued for an unknown root", async function () {
      const { anchor } = await loadFixture(fixture);
      const root = batchOf(2).root;
      expect(await anchor.issuedAt(root)).to.equal(0);
      expect(await anchor["isIssued(bytes32)"](root)).to.be.false;
      expect(await anchor["isActive(bytes32)"](root)).to.be.false;
      expect(await anchor.issuerOf(root)).to.deep.equal([ZeroAddress, ZeroHash]);
    });

    it("reverts on a zero root", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      await expect(anchor.connect(issuerA).issue(ZeroHash)).to.be.revertedWithCustomError(anchor, "TrustAnchorZeroRoot").withArgs();
    });

    it("reverts on a re-issue, by any issuer, naming the first issue time", async function () {
      const { anchor, issuerA, issuerB } = await loadFixture(fixture);
      const root = batchOf(3).root;
      await anchor.connect(issuerA).issue(root);
      const at = await time.latest();
      await expect(anchor.connect(issuerA).issue(root))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorRootAlreadyIssued")
        .withArgs(root, at);
      await expect(anchor.connect(issuerB).issue(root))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorRootAlreadyIssued")
        .withArgs(root, at);
    });

    it("reverts for an account without ISSUER_ROLE", async function () {
      const { anchor, outsider, ISSUER_ROLE } = await loadFixture(fixture);
      await expect(anchor.connect(outsider).issue(doc(1)))
        .to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ISSUER_ROLE);
    });

    it("reverts for an issuer that belongs to no registered department", async function () {
      const { anchor, homeless } = await loadFixture(fixture);
      await expect(anchor.connect(homeless).issue(doc(1)))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorUnregisteredIssuer")
        .withArgs(homeless.address);
    });

    it("treats a batch of one as root == leaf with an empty proof", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const leaf = doc(7);
      await anchor.connect(issuerA).issue(leaf);
      expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](leaf, leaf, [])).to.be.true;
      expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](leaf, leaf, [])).to.be.true;
    });
  });
}

export function shouldBehaveLikeTrustAnchorRevocation(fixture: () => Promise<TrustAnchorContext>): void {
  async function issued() {
    const ctx = await loadFixture(fixture);
    const tree = batchOf(8);
    await ctx.anchor.connect(ctx.issuerA).issue(tree.root);
    return { ...ctx, tree, root: tree.root };
  }

  describe("revoke a whole batch", function () {
    it("revokes the root with its reason and time and emits RootRevoked(root, root, ...)", async function () {
      const { anchor, issuerA, root, tree } = await issued();
      const tx = anchor.connect(issuerA)["revoke(bytes32,uint16)"](root, REASON_SUPERSEDED);
      await expect(tx).to.emit(anchor, "RootRevoked").withArgs(root, root, REASON_SUPERSEDED, await nextTimestamp(tx));
      const at = await time.latest();
      expect(await anchor.revokedAt(root)).to.deep.equal([BigInt(at), BigInt(REASON_SUPERSEDED)]);
      expect(await anchor["isRevoked(bytes32)"](root)).to.be.true;
      expect(await anchor["isActive(bytes32)"](root)).to.be.false;
      expect(await anchor["isIssued(bytes32)"](root)).to.be.true;
      for (const [i, leaf] of leavesOf(tree).entries()) {
        const proof = tree.getProof(i);
        expect(await anchor["isRevoked(bytes32,bytes32,bytes32[])"](root, leaf, proof)).to.be.true;
        expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](root, leaf, proof)).to.be.false;
        expect(await anchor.revocationOf(root, leaf, proof)).to.deep.equal([root, BigInt(at), BigInt(REASON_SUPERSEDED)]);
      }
    });

    it("lets another account of the issuing department revoke", async function () {
      const { anchor, issuerA2, root } = await issued();
      await expect(anchor.connect(issuerA2)["revoke(bytes32,uint16)"](root, 0)).to.emit(anchor, "RootRevoked");
    });

    it("reverts for an unknown root", async function () {
      const { anchor, issuerA } = await issued();
      const unknown = doc(999);
      await expect(anchor.connect(issuerA)["revoke(bytes32,uint16)"](unknown, 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorRootNotIssued")
        .withArgs(unknown);
    });

    it("reverts when revoked twice, naming the first revocation time", async function () {
      const { anchor, issuerA, root } = await issued();
      await anchor.connect(issuerA)["revoke(bytes32,uint16)"](root, 1);
      const at = await time.latest();
      await expect(anchor.connect(issuerA)["revoke(bytes32,uint16)"](root, 2))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorNodeAlreadyRevoked")
        .withArgs(root, at);
    });

    it("reverts for an issuer of another department", async function () {
      const { anchor, issuerB, root } = await issued();
      await expect(anchor.connect(issuerB)["revoke(bytes32,uint16)"](root, 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorNotIssuingDepartment")
        .withArgs(root, issuerB.address, DEPT_B.id);
    });

    it("reverts for an account without ISSUER_ROLE", async function () {
      const { anchor, outsider, root, ISSUER_ROLE } = await issued();
      await expect(anchor.connect(outsider)["revoke(bytes32,uint16)"](root, 1))
        .to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ISSUER_ROLE);
    });
  });

  describe("revoke inside a batch", function () {
    const revokeNode = "revoke(bytes32,bytes32,bytes32[],uint16)" as const;

    it("revokes one document and leaves its neighbours active", async function () {
      const { anchor, issuerA, root, tree } = await issued();
      const leaf = leafAt(tree, 3);
      const tx = anchor.connect(issuerA)[revokeNode](root, leaf, tree.getProof(3), REASON_KEY_COMPROMISE);
      await expect(tx).to.emit(anchor, "RootRevoked").withArgs(root, leaf, REASON_KEY_COMPROMISE, await nextTimestamp(tx));
      for (const [i, value] of leavesOf(tree).entries()) {
        const revoked = i === 3;
        expect(await anchor["isRevoked(bytes32,bytes32,bytes32[])"](root, value, tree.getProof(i))).to.equal(revoked);
        expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](root, value, tree.getProof(i))).to.equal(!revoked);
      }
      expect(await anchor["isRevoked(bytes32)"](root)).to.be.false;
      expect(await anchor["isActive(bytes32)"](root)).to.be.true;
    });

    it("revokes an intermediate node and with it exactly the documents below it", async function () {
      const { anchor, issuerA, root, tree } = await issued();
      const { node, proof } = nodeProof(tree, 1);
      await expect(anchor.connect(issuerA)[revokeNode](root, node, proof, 5)).to.emit(anchor, "RootRevoked");
      const below = new Set(leavesBelow(tree, 1));
      expect(below.size).to.equal(4);
      for (const { value, treeIndex } of tree.dump().values) {
        if (typeof value !== "string") throw new TypeError("leaves are hex strings");
        const leafProof = tree.getProof(value);
        expect(await anchor["isRevoked(bytes32,bytes32,bytes32[])"](root, value, leafProof)).to.equal(below.has(treeIndex));
      }
    });

    it("accepts the root itself with an empty proof, like revoking the batch", async function () {
      const { anchor, issuerA, root } = await issued();
      await anchor.connect(issuerA)[revokeNode](root, root, [], 3);
      expect(await anchor["isRevoked(bytes32)"](root)).to.be.true;
    });

    it("reverts on a wrong proof", async function () {
      const { anchor, issuerA, root, tree } = await issued();
      const leaf = leafAt(tree, 2);
      await expect(anchor.connect(issuerA)[revokeNode](root, leaf, tree.getProof(5), 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorInvalidProof")
        .withArgs(root, leaf);
      await expect(anchor.connect(issuerA)[revokeNode](root, doc(1234), tree.getProof(2), 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorInvalidProof")
        .withArgs(root, doc(1234));
    });

    it("reverts on a zero node", async function () {
      const { anchor, issuerA, root } = await issued();
      await expect(anchor.connect(issuerA)[revokeNode](root, ZeroHash, [], 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorZeroNode")
        .withArgs();
    });

    it("reverts inside an unknown batch", async function () {
      const { anchor, issuerA } = await issued();
      const other = batchOf(4, 100);
      await expect(anchor.connect(issuerA)[revokeNode](other.root, leafAt(other, 0), other.getProof(0), 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorRootNotIssued")
        .withArgs(other.root);
    });

    it("reverts when the same document is revoked twice", async function () {
      const { anchor, issuerA, root, tree } = await issued();
      const leaf = leafAt(tree, 0);
      await anchor.connect(issuerA)[revokeNode](root, leaf, tree.getProof(0), 1);
      const at = await time.latest();
      await expect(anchor.connect(issuerA)[revokeNode](root, leaf, tree.getProof(0), 2))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorNodeAlreadyRevoked")
        .withArgs(leaf, at);
    });

    it("reverts for an account without ISSUER_ROLE", async function () {
      const { anchor, outsider, root, tree, ISSUER_ROLE } = await issued();
      await expect(anchor.connect(outsider)[revokeNode](root, leafAt(tree, 0), tree.getProof(0), 1))
        .to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ISSUER_ROLE);
    });

    it("reverts for an issuer of another department", async function () {
      const { anchor, issuerB, root, tree } = await issued();
      await expect(anchor.connect(issuerB)[revokeNode](root, leafAt(tree, 0), tree.getProof(0), 1))
        .to.be.revertedWithCustomError(anchor, "TrustAnchorNotIssuingDepartment")
        .withArgs(root, issuerB.address, DEPT_B.id);
    });
  });
}

export function shouldBehaveLikeTrustAnchorHistory(fixture: () => Promise<TrustAnchorContext>): void {
  describe("validity over time", function () {
    it("answers wasActiveAt before issue, while active, and from the revocation on", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const tree = batchOf(4);
      const leaf = leafAt(tree, 1);
      const proof = tree.getProof(1);
      await anchor.connect(issuerA).issue(tree.root);
      const issuedAt = await time.latest();
      await time.increase(100);
      await anchor.connect(issuerA)["revoke(bytes32,bytes32,bytes32[],uint16)"](tree.root, leaf, proof, 2);
      const revokedAt = await time.latest();
      const at = (t: number) => anchor.wasActiveAt(tree.root, leaf, proof, t);
      expect(await at(issuedAt - 1)).to.be.false;
      expect(await at(issuedAt)).to.be.true;
      expect(await at(revokedAt - 1)).to.be.true;
      expect(await at(revokedAt)).to.be.false;
      // A sibling never revoked stays valid; a wrong proof is never valid.
      expect(await anchor.wasActiveAt(tree.root, leafAt(tree, 0), tree.getProof(0), revokedAt + 10)).to.be.true;
      expect(await anchor.wasActiveAt(tree.root, leaf, tree.getProof(0), issuedAt)).to.be.false;
      expect(await anchor.wasActiveAt(doc(555), doc(555), [], revokedAt)).to.be.false;
    });

    it("reports the earliest revocation on the path, whichever node it hit", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const revokeNode = "revoke(bytes32,bytes32,bytes32[],uint16)" as const;
      const tree = batchOf(4);
      await anchor.connect(issuerA).issue(tree.root);
      // Leaf first, then the batch: the leaf's revocation is the earlier one.
      await anchor.connect(issuerA)[revokeNode](tree.root, leafAt(tree, 0), tree.getProof(0), 7);
      const leafRevokedAt = await time.latest();
      await anchor.connect(issuerA)["revoke(bytes32,uint16)"](tree.root, 9);
      expect(await anchor.revocationOf(tree.root, leafAt(tree, 0), tree.getProof(0))).to.deep.equal([
        leafAt(tree, 0),
        BigInt(leafRevokedAt),
        7n,
      ]);

      // Batch first, then a leaf: the batch's revocation is the earlier one.
      const second = batchOf(4, 50);
      await anchor.connect(issuerA).issue(second.root);
      await anchor.connect(issuerA)["revoke(bytes32,uint16)"](second.root, 3);
      const rootAt = await time.latest();
      await anchor.connect(issuerA)[revokeNode](second.root, leafAt(second, 2), second.getProof(2), 8);
      expect(await anchor.revocationOf(second.root, leafAt(second, 2), second.getProof(2))).to.deep.equal([
        second.root,
        BigInt(rootAt),
        3n,
      ]);
    });

    it("reports nothing for a proof that does not lead to the root", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const tree = batchOf(4);
      await anchor.connect(issuerA).issue(tree.root);
      await anchor.connect(issuerA)["revoke(bytes32,uint16)"](tree.root, 1);
      expect(await anchor.revocationOf(tree.root, doc(77), tree.getProof(0))).to.deep.equal([ZeroHash, 0n, 0n]);
      expect(await anchor["isRevoked(bytes32,bytes32,bytes32[])"](tree.root, doc(77), tree.getProof(0))).to.be.false;
      expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](tree.root, doc(77), tree.getProof(0))).to.be.false;
      expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](tree.root, doc(77), tree.getProof(0))).to.be.false;
    });

    it("never calls a document of an unissued batch active", async function () {
      const { anchor } = await loadFixture(fixture);
      const tree = batchOf(2);
      expect(await anchor["isIssued(bytes32,bytes32,bytes32[])"](tree.root, leafAt(tree, 0), tree.getProof(0))).to.be.false;
      expect(await anchor["isActive(bytes32,bytes32,bytes32[])"](tree.root, leafAt(tree, 0), tree.getProof(0))).to.be.false;
    });
  });
}

export function shouldBehaveLikeTrustAnchorMulticall(fixture: () => Promise<TrustAnchorContext>): void {
  describe("multicall", function () {
    it("issues several roots in one transaction, each with its event", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const roots = [batchOf(2, 0).root, batchOf(3, 10).root, batchOf(4, 20).root];
      const calls = roots.map((r) => anchor.interface.encodeFunctionData("issue", [r]));
      const tx = anchor.connect(issuerA).multicall(calls);
      for (const r of roots) await expect(tx).to.emit(anchor, "RootIssued").withArgs(r, issuerA.address, await nextTimestamp(tx));
      for (const r of roots) expect(await anchor["isIssued(bytes32)"](r)).to.be.true;
    });

    it("is all or nothing: one bad call reverts every call", async function () {
      const { anchor, issuerA } = await loadFixture(fixture);
      const good = batchOf(2).root;
      const calls = [good, ZeroHash].map((r) => anchor.interface.encodeFunctionData("issue", [r]));
      await expect(anchor.connect(issuerA).multicall(calls)).to.be.revertedWithCustomError(anchor, "TrustAnchorZeroRoot");
      expect(await anchor["isIssued(bytes32)"](good)).to.be.false;
    });
  });
}

async function nextTimestamp(tx: Promise<unknown>): Promise<number> {
  await tx.catch(() => undefined);
  return time.latest();
}
