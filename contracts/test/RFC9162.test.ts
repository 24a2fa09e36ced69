// The RFC 9162 verifier against the published test vectors and against random trees built
// from the RFC's own definitions.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { hexlify } from "ethers";
import { RFC9162Harness__factory } from "../../typechain-types";
import { consistencyProof, inclusionProof, leafHash, root } from "./helpers/rfc9162";
import { RFC9162_VECTORS as V } from "./helpers/rfc9162-vectors";

async function harnessFixture() {
  const [deployer] = await ethers.getSigners();
  return new RFC9162Harness__factory(deployer).deploy();
}

describe("RFC9162 (transparency log proofs)", function () {
  describe("published test vectors", function () {
    it("hashes the eight reference leaves to the published roots of every prefix", async function () {
      const harness = await loadFixture(harnessFixture);
      const hashes = await Promise.all(V.leaves.map((l) => harness.hashLeaf(l)));
      expect(hashes).to.deep.equal(V.leaves.map((l) => leafHash(l)));
      expect(await harness.hashChildren(hashes[0]!, hashes[1]!)).to.equal(V.roots[1]);
      for (let size = 1; size <= 8; size++) expect(root(hashes.slice(0, size))).to.equal(V.roots[size - 1]);
      expect(root([])).to.equal(V.emptyRoot);
    });

    it("verifies the published inclusion proofs, and the reference builds the same proofs", async function () {
      const harness = await loadFixture(harnessFixture);
      const hashes = V.leaves.map((l) => leafHash(l));
      for (const { index, size, proof } of V.inclusion) {
        expect(inclusionProof(index, hashes.slice(0, size))).to.deep.equal(proof);
        expect(await harness.verifyInclusion(index, size, hashes[index]!, proof, V.roots[size - 1]!)).to.be.true;
        expect(await harness.rootFromInclusionProof(index, size, hashes[index]!, proof)).to.deep.equal([true, V.roots[size - 1]]);
      }
    });

    it("rejects each published inclusion proof once anything about it is wrong", async function () {
      const harness = await loadFixture(harnessFixture);
      const hashes = V.leaves.map((l) => leafHash(l));
      for (const { index, size, proof } of V.inclusion) {
        const rootHash = V.roots[size - 1]!;
        const leaf = hashes[index]!;
        const bad = async (i: number, n: number, l: string, p: readonly string[], r: string) =>
          expect(await harness.verifyInclusion(i, n, l, [...p], r), `index ${i} size ${n}`).to.be.false;
        if (index > 0) await bad(index - 1, size, leaf, proof, rootHash);
        await bad(index + 1, size, leaf, proof, rootHash);
        await bad(index ^ 2, size, leaf, proof, rootHash);
        await bad(index, size * 2, leaf, proof, rootHash);
        if (size > 1) await bad(index, Math.floor(size / 2), leaf, proof, rootHash);
        await bad(index, size, leafHash("0x57726f6e674c656166"), proof, rootHash);
        await bad(index, size, leaf, proof, V.emptyRoot);
        for (let i = 0; i < proof.length; i++) {
          const altered = [...proof];
          altered[i] = V.emptyRoot;
          await bad(index, size, leaf, altered, rootHash);
        }
        await bad(index, size, leaf, [...proof, V.emptyRoot], rootHash);
        await bad(index, size, leaf, [...proof, rootHash], rootHash);
        if (proof.length > 0) await bad(index, size, leaf, proof.slice(0, -1), rootHash);
        await bad(index, size, leaf, [rootHash, ...proof], rootHash);
      }
    });

    it("refuses a leaf index outside the tree", async function () {
      const harness = await loadFixture(harnessFixture);
      expect(await harness.rootFromInclusionProof(0, 0, V.emptyRoot, [])).to.deep.equal([false, ethers.ZeroHash]);
      expect(await harness.rootFromInclusionProof(2, 1, V.emptyRoot, [])).to.deep.equal([false, ethers.ZeroHash]);
    });

    it("verifies the published consistency proofs and rejects altered ones", async function () {
      const harness = await loadFixture(harnessFixture);
      const hashes = V.leaves.map((l) => leafHash(l));
      for (const { size1, size2, proof } of V.consistency) {
        const r1 = V.roots[size1 - 1]!;
        const r2 = V.roots[size2 - 1]!;
        expect(consistencyProof(size1, hashes.slice(0, size2))).to.deep.equal(proof);
        expect(await harness.verifyConsistency(size1, size2, r1, r2, proof), `${size1} -> ${size2}`).to.be.true;
        if (proof.length === 0) continue;
        const bad = async (a: number, b: number, x: string, y: string, p: readonly string[]) =>
          expect(await harness.verifyConsistency(a, b, x, y, [...p]), `${a} -> ${b}`).to.be.false;
        await bad(size1 - 1, size2, r1, r2, proof);
        await bad(size1 + 1, size2, r1, r2, proof);
        await bad(size1 ^ 2, size2, r1, r2, proof);
        await bad(size1, size2 * 2, r1, r2, proof);
        await bad(size1, Math.floor(size2 / 2), r1, r2, proof);
        await bad(size1, size2, V.emptyRoot, r2, proof);
        await bad(size1, size2, r1, V.emptyRoot, proof);
        await bad(size1, size2, r2, r1, proof);
        await bad(size1, size2, r1, r2, []);
        for (let i = 0; i < proof.length; i++) {
          const altered = [...proof];
          altered[i] = V.emptyRoot;
          await bad(size1, size2, r1, r2, altered);
        }
        await bad(size1, size2, r1, r2, [...proof, V.emptyRoot]);
        await bad(size1, size2, r1, r2, proof.slice(0, -1));
        await bad(size1, size2, r1, r2, [proof[0]!, ...proof]);
      }
    });

    it("handles the trivial and impossible consistency cases as RFC 9162 implementations do", async function () {
      const harness = await loadFixture(harnessFixture);
      const [r1, r2] = [V.roots[0]!, V.roots[1]!];
      expect(await harness.verifyConsistency(0, 0, r1, r1, [])).to.be.true;
      expect(await harness.verifyConsistency(0, 5, r1, r2, [])).to.be.true;
      expect(await harness.verifyConsistency(1, 1, r1, r1, [])).to.be.true;
      expect(await harness.verifyConsistency(1, 1, r1, r2, [])).to.be.false;
      expect(await harness.verifyConsistency(1, 1, r1, r1, [r1])).to.be.false;
      expect(await harness.verifyConsistency(0, 1, r1, r2, [r1])).to.be.false;
      expect(await harness.verifyConsistency(2, 1, r1, r2, [])).to.be.false;
      expect(await harness.verifyConsistency(1, 2, r1, r2, [])).to.be.false;
    });
  });

  describe("property: random logs", function () {
    const leaves = fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 70 });

    it("every inclusion proof of a random tree verifies; an altered leaf, element or depth does not", async function () {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(leaves, fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (data, pick, noiseBytes) => {
          const hashes = data.map((d) => leafHash(d));
          const size = hashes.length;
          const index = pick % size;
          const rootHash = root(hashes);
          const proof = inclusionProof(index, hashes);
          expect(await harness.verifyInclusion(index, size, hashes[index]!, proof, rootHash)).to.be.true;
          const noise = hexlify(noiseBytes);
          if (hashes.includes(noise)) return;
          expect(await harness.verifyInclusion(index, size, noise, proof, rootHash)).to.be.false;
          if (proof.length > 0) {
            const altered = [...proof];
            altered[pick % proof.length] = noise;
            expect(await harness.verifyInclusion(index, size, hashes[index]!, altered, rootHash)).to.be.false;
          }
          // Doubling the size always changes the path length (the size is bound only through it).
          expect(await harness.verifyInclusion(index, size * 2, hashes[index]!, proof, rootHash)).to.be.false;
        }),
        { numRuns: 60 },
      );
    });

    it("every consistency proof between two random prefixes verifies; a different older root does not", async function () {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(leaves, fc.nat(), async (data, pick) => {
          const hashes = data.map((d) => leafHash(d));
          const size2 = hashes.length;
          const size1 = 1 + (pick % size2);
          const r1 = root(hashes.slice(0, size1));
          const r2 = root(hashes);
          const proof = consistencyProof(size1, hashes);
          expect(await harness.verifyConsistency(size1, size2, r1, r2, proof)).to.be.true;
          if (size1 < size2) {
            const forged = root([...hashes.slice(0, size1 - 1), leafHash("0xdead")]);
            expect(await harness.verifyConsistency(size1, size2, forged, r2, proof)).to.be.false;
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});
