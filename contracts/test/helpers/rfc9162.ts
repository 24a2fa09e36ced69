// Reference RFC 9162 Merkle tree (SHA-256) straight from the RFC's recursive definitions
// (§2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF), used to check the on-chain verifier.
import { createHash } from "node:crypto";

const sha256 = (...parts: Buffer[]): Buffer => createHash("sha256").update(Buffer.concat(parts)).digest();
const hex = (b: Buffer): string => "0x" + b.toString("hex");
const buf = (h: string): Buffer => Buffer.from(h.slice(2), "hex");

/** SHA-256(0x00 ‖ data). */
export function leafHash(data: string | Uint8Array): string {
  const bytes = typeof data === "string" ? buf(data) : Buffer.from(data);
  return hex(sha256(Buffer.from([0]), bytes));
}

export function nodeHash(left: string, right: string): string {
  return hex(sha256(Buffer.from([1]), buf(left), buf(right)));
}

/** Largest power of two strictly below n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes. */
export function root(leaves: readonly string[]): string {
  if (leaves.length === 0) return hex(sha256(Buffer.alloc(0)));
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(root(leaves.slice(0, k)), root(leaves.slice(k)));
}

/** PATH(m, D[n]): the inclusion proof of leaf m. */
export function inclusionProof(m: number, leaves: readonly string[]): string[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...inclusionProof(m, leaves.slice(0, k)), root(leaves.slice(k))]
    : [...inclusionProof(m - k, leaves.slice(k)), root(leaves.slice(0, k))];
}

function subproof(m: number, leaves: readonly string[], complete: boolean): string[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [root(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), root(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), root(leaves.slice(0, k))];
}

/** PROOF(m, D[n]): the consistency proof from the first m leaves to all n. */
export function consistencyProof(m: number, leaves: readonly string[]): string[] {
  if (m === 0 || m === leaves.length) return [];
  return subproof(m, leaves, true);
}
