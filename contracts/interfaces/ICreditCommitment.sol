// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWitnessQuorum} from "./IWitnessQuorum.sol";

/**
 * @dev Per-epoch commitments to every time-bank balance: the root of a Merkle-sum tree over
 * `(accountRef, balance)` leaves and the total outstanding, cosigned by a quorum of witness
 * departments (see {IWitnessQuorum}). A resident proves their balance with {verifyBalance}; anyone
 * reads the total owed. Balances are in minutes of credit (1 credit = 60).
 *
 * Tree: a leaf is `(keccak256(0x00 ‖ accountRef ‖ uint64 balance), balance)`; a parent of `a` and
 * `b`, ordered so that `a.hash <= b.hash`, is `(keccak256(0x01 ‖ a.hash ‖ uint64 a.sum ‖ b.hash ‖
 * uint64 b.sum), a.sum + b.sum)`. Committing to each child's sum (not only their total) keeps a
 * prover from moving value between siblings. The witnesses sign
 * `"CTL-CREDIT-COMMITMENT-V1" ‖ uint64 epoch ‖ root ‖ uint64 totalOutstanding`.
 */
interface ICreditCommitment is IWitnessQuorum {
    /// @dev A node of the Merkle-sum tree, as proofs carry siblings.
    struct SumNode {
        bytes32 hash;
        uint64 sum;
    }

    /// @dev A stored commitment; `committedAt` is the block timestamp.
    struct Commitment {
        bytes32 root;
        uint64 totalOutstanding;
        uint64 committedAt;
    }

    /// @dev The root is the zero hash, which no tree produces.
    error CreditCommitmentZeroRoot();

    /// @dev Epochs must grow: `epoch` is not above the latest committed `latestEpoch`.
    error CreditCommitmentEpochNotIncreasing(uint64 latestEpoch, uint64 epoch);

    /// @dev No commitment for `epoch`.
    error CreditCommitmentUnknownEpoch(uint64 epoch);

    /// @dev Emitted when the balances of `epoch` are committed; `witnesses` are the departments that cosigned.
    event BalancesCommitted(uint64 indexed epoch, bytes32 root, uint64 totalOutstanding, bytes32[] witnesses);

    /**
     * @dev Commits the balances of `epoch`.
     *
     * Requirements:
     *
     * - `root` is not zero; `epoch` is greater than the latest committed epoch (the first may be any);
     * - `signatures` hold valid signatures of `commitmentMessage(...)` by at least the registry's
     *   threshold of distinct witness departments, each with a current registered key.
     *
     * Emits a {BalancesCommitted} event.
     */
    function commit(
        uint64 epoch,
        bytes32 root,
        uint64 totalOutstanding,
        WitnessSignature[] calldata signatures
    ) external;

    /**
     * @dev Whether `proof` (the siblings from the leaf up) proves that `accountRef` held `balance`
     * in the commitment of `epoch`: the path must reach both the root and the total outstanding.
     * Reverts if `epoch` was not committed.
     */
    function verifyBalance(
        uint64 epoch,
        bytes32 accountRef,
        uint64 balance,
        SumNode[] calldata proof
    ) external view returns (bool);

    /// @dev The commitment of `epoch`; reverts if there is none.
    function commitmentOf(uint64 epoch) external view returns (Commitment memory);

    /// @dev The latest committed epoch and whether there is any.
    function latestEpoch() external view returns (uint64 epoch, bool exists);

    /// @dev The bytes the witnesses sign for a commitment.
    function commitmentMessage(uint64 epoch, bytes32 root, uint64 totalOutstanding) external pure returns (bytes memory);

    /// @dev The hash of the leaf for `accountRef` holding `balance`.
    function leafHash(bytes32 accountRef, uint64 balance) external pure returns (bytes32);

    /// @dev The parent of two nodes (in either order).
    function parentOf(SumNode calldata a, SumNode calldata b) external pure returns (SumNode memory);
}
