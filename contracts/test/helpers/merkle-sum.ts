// Reference Merkle-sum tree of time-bank balances, as ICreditCommitment documents it: leaves
// (keccak256(0x00 ‖ accountRef ‖ uint64 balance), balance); parents over hash-ordered children
// keccak256(0x01 ‖ a.hash ‖ uint64 a.sum ‖ b.hash ‖ uint64 b.sum) with sum a.sum + b.sum. A level
// with an odd node carries it up unchanged.
import { solidityPackedKeccak256 } from "ethers";

export interface SumNode {
  hash: string;
  sum: bigint;
}

export function sumLeaf(accountRef: string, balance: bigint): SumNode {
  return { hash: solidityPackedKeccak256(["bytes1", "bytes32", "uint64"], ["0x00", accountRef, balance]), sum: balance };
}

export function sumParent(a: SumNode, b: SumNode): SumNode {
  const [x, y] = BigInt(a.hash) <= BigInt(b.hash) ? [a, b] : [b, a];
  return {
    hash: solidityPackedKeccak256(["bytes1", "bytes32", "uint64", "bytes32", "uint64"], ["0x01", x.hash, x.sum, y.hash, y.sum]),
    sum: a.sum + b.sum,
  };
}

export class MerkleSumTree {
  /** levels[0] are the leaves; the last level holds the root alone. */
  private readonly levels: SumNode[][];

  constructor(balances: readonly { accountRef: string; balance: bigint }[]) {
    if (balances.length === 0) throw new RangeError("a Merkle-sum tree needs at least one account");
    this.levels = [balances.map((b) => sumLeaf(b.accountRef, b.balance))];
    for (let level = this.levels[0]!; level.length > 1; ) {
      const next: SumNode[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const right = level[i + 1];
        next.push(right === undefined ? level[i]! : sumParent(level[i]!, right));
      }
      this.levels.push(next);
      level = next;
    }
  }

  get root(): SumNode {
    return this.levels[this.levels.length - 1]![0]!;
  }

  /** Siblings from the leaf at `index` up to the root. */
  proof(index: number): SumNode[] {
    const proof: SumNode[] = [];
    let i = index;
    for (const level of this.levels.slice(0, -1)) {
      const sibling = level[i % 2 === 0 ? i + 1 : i - 1];
      if (sibling !== undefined) proof.push(sibling);
      i = Math.floor(i / 2);
    }
    return proof;
  }
}
