// Test-side Merkle helpers: proofs for intermediate nodes of OpenZeppelin's SimpleMerkleTree.
import type { SimpleMerkleTree } from "@openzeppelin/merkle-tree";

/**
 * The node at heap position `index` of `tree` and its sorted-pair proof up to the root (the
 * siblings of the node and of each of its ancestors). OpenZeppelin's tree stores nodes in heap
 * order: the root at 0, the children of i at 2i+1 and 2i+2.
 */
export function nodeProof(tree: SimpleMerkleTree, index: number): { node: string; proof: string[] } {
  const nodes = tree.dump().tree;
  const node = nodes[index];
  if (node === undefined) throw new RangeError(`no node ${index}`);
  const proof: string[] = [];
  for (let i = index; i > 0; i = Math.floor((i - 1) / 2)) {
    const sibling = nodes[i % 2 === 1 ? i + 1 : i - 1];
    if (sibling === undefined) throw new RangeError(`node ${i} has no sibling`);
    proof.push(sibling);
  }
  return { node, proof };
}

/** Heap positions of the leaves below the node at `index`. */
export function leavesBelow(tree: SimpleMerkleTree, index: number): number[] {
  const size = tree.dump().tree.length;
  const below: number[] = [];
  const walk = (i: number): void => {
    if (i >= size) return;
    const left = 2 * i + 1;
    if (left >= size) below.push(i);
    else {
      walk(left);
      walk(left + 1);
    }
  };
  walk(index);
  return below;
}

/** The leaf at `index` (in the tree's sorted order) as the hex string it was built from. */
export function leafAt(tree: SimpleMerkleTree, index: number): string {
  const value = tree.at(index);
  if (typeof value !== "string") throw new RangeError(`no leaf ${index}`);
  return value;
}

/** Every leaf, in the tree's sorted order. */
export function leavesOf(tree: SimpleMerkleTree): string[] {
  return Array.from({ length: tree.length }, (_, i) => leafAt(tree, i));
}
