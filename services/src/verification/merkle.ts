/**
 * Batch inclusion: OpenZeppelin `MerkleProof` sorted-pair keccak-256 proofs, where the leaves are
 * the documents' `targetHash` values used directly as bytes32 (`SimpleMerkleTree`). Verification
 * needs only this module; building trees is in `batch.ts`.
 */
import { compareBytes, fromHex32, toHex, type Hex32, type Keccak256 } from './hash';

/** keccak-256 of the two nodes in ascending order (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function pairHash(k: Keccak256, a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? k.bytes(a, b) : k.bytes(b, a);
}

/**
 * Every node on the path from `leaf` up, leaf first and the computed root last (so a batch of
 * one gives `[leaf]`). The document is in the batch when the last node is its `merkleRoot`; the
 * nodes are also what a revocation can name (TrustAnchor revokes a leaf, an inner node or the root).
 *
 * @throws RangeError when a hash is not bytes32 wire hex.
 */
export function pathNodes(k: Keccak256, leaf: Hex32, proof: readonly Hex32[]): Hex32[] {
  const nodes: Hex32[] = [leaf];
  let current = fromHex32(leaf);
  for (const sibling of proof) {
    current = pairHash(k, current, fromHex32(sibling));
    nodes.push(toHex(current));
  }
  return nodes;
}

/**
 * The root that `proof` leads to from `leaf`.
 *
 * @throws RangeError when a hash is not bytes32 wire hex.
 */
export function processProof(k: Keccak256, leaf: Hex32, proof: readonly Hex32[]): Hex32 {
  const nodes = pathNodes(k, leaf, proof);
  return nodes[nodes.length - 1] ?? leaf;
}
