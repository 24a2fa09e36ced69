/**
 * Batch inclusion: OpenZeppelin `MerkleProof` sorted-pair keccak-256 proofs, where the leaves are
 * the documents' `targetHash` values used directly as bytes32 — the tree of OpenZeppelin's
 * `SimpleMerkleTree` (leaves sorted, `tree[0]` the root, node i's children at 2i+1 and 2i+2).
 *
 * The tree is built here rather than with `@openzeppelin/merkle-tree`, which the tests keep as
 * the reference (same root, and it verifies every proof): on the project's machines its `of()`
 * and `getProof()` take 4.3 s for a 10,000-document batch, most of the 10 s the issue allows
 * for issuing one end to end; this builder takes a fraction of that.
 */
import { compareBytes, fromHex32, toHex, type Hex32, type Keccak256 } from './hash';

/** keccak-256 of the two nodes in ascending order (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function pairHash(k: Keccak256, a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? k.bytes(a, b) : k.bytes(b, a);
}

/**
 * Parents already computed, keyed by one child and remembering the sibling they were computed
 * with. Documents of one batch share the upper part of their paths, so a verifier checking many
 * of them hashes each inner node once; a memo of a pure function cannot change an answer, and a
 * different sibling simply misses. Bounded: emptied when full.
 */
const parents = new Map<string, { readonly sibling: string; readonly parent: Hex32 }>();
const MAX_MEMO = 200_000;

/**
 * The parent of two nodes given as wire hex (fixed-length lowercase hex sorts as its bytes do).
 *
 * @throws RangeError when a node is not bytes32 wire hex
 */
export function parentOf(k: Keccak256, child: Hex32, sibling: Hex32): Hex32 {
  const known = parents.get(child);
  if (known !== undefined && known.sibling === sibling) return known.parent;
  const parent = toHex(child <= sibling ? k.bytes(fromHex32(child), fromHex32(sibling)) : k.bytes(fromHex32(sibling), fromHex32(child)));
  if (parents.size >= MAX_MEMO) parents.clear();
  parents.set(child, { sibling, parent });
  return parent;
}

/**
 * Whole paths already computed, keyed by their leaf and remembering the proof they were computed
 * with. A verifier that sees the same documents again, each time as a new object (the API parses
 * every request), finds a path with one lookup and a comparison of the proofs instead of one
 * lookup per parent in a large map. Bounded: emptied when full.
 */
const paths = new Map<string, { readonly proof: readonly string[]; readonly nodes: readonly Hex32[] }>();
const MAX_PATHS = 20_000;

/**
 * Every node on the path from `leaf` up, leaf first and the computed root last (so a batch of
 * one gives `[leaf]`). The document is in the batch when the last node is its `merkleRoot`; the
 * nodes are also what a revocation can name (TrustAnchor revokes a leaf, an inner node or the root).
 *
 * @throws RangeError when a hash is not bytes32 wire hex.
 */
export function pathNodes(k: Keccak256, leaf: Hex32, proof: readonly Hex32[]): Hex32[] {
  const known = paths.get(leaf);
  // A copy: the caller (or a port it hands the nodes to) may change its array, never the memo's.
  if (known !== undefined && sameList(known.proof, proof)) return known.nodes.slice();
  const nodes: Hex32[] = [leaf];
  let current = leaf;
  for (const sibling of proof) {
    current = parentOf(k, current, sibling);
    nodes.push(current);
  }
  if (paths.size >= MAX_PATHS) paths.clear();
  paths.set(leaf, { proof: proof.slice(), nodes: nodes.slice() });
  return nodes;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A built tree: its root and each leaf's proof, in the order the leaves were given. */
export interface MerkleTree {
  readonly root: Hex32;
  readonly proofs: Hex32[][];
}

/**
 * Builds the tree OpenZeppelin `SimpleMerkleTree.of(leaves)` builds (leaves sorted ascending,
 * laid out from the end of the array) and every leaf's proof.
 *
 * @throws RangeError when there are no leaves or a leaf is not bytes32 wire hex
 */
export function buildMerkleTree(k: Keccak256, leaves: readonly Hex32[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
  const order = leaves.map((leaf, index) => ({ leaf, index })).sort((x, y) => (x.leaf < y.leaf ? -1 : x.leaf > y.leaf ? 1 : 0));
  const n = leaves.length;
  const nodes = new Array<Uint8Array>(2 * n - 1);
  order.forEach(({ leaf }, i) => {
    nodes[2 * n - 2 - i] = fromHex32(leaf);
  });
  for (let i = n - 2; i >= 0; i--) nodes[i] = pairHash(k, nodes[2 * i + 1] as Uint8Array, nodes[2 * i + 2] as Uint8Array);
  const hex = nodes.map((node) => toHex(node));
  const proofs = new Array<Hex32[]>(n);
  order.forEach(({ index }, i) => {
    const proof: Hex32[] = [];
    for (let at = 2 * n - 2 - i; at > 0; at = Math.floor((at - 1) / 2)) proof.push(hex[at % 2 === 1 ? at + 1 : at - 1] as Hex32);
    proofs[index] = proof;
  });
  return { root: hex[0] as Hex32, proofs };
}
