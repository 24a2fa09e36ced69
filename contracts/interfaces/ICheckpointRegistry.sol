// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWitnessQuorum} from "./IWitnessQuorum.sol";

/**
 * @dev Checkpoints of append-only transparency logs (RFC 9162 Merkle trees, SHA-256), each
 * accepted only when cosigned by a quorum of witness departments (see {IWitnessQuorum}).
 *
 * The witnesses sign `checkpointMessage(logId, treeSize, rootHash, timestamp)`:
 * `"CTL-CHECKPOINT-V1" ‖ logId (32 bytes) ‖ treeSize (8 bytes, big-endian) ‖ rootHash (32 bytes) ‖
 * timestamp (8 bytes, big-endian)`, the same bytes an offline verifier checks. Anyone may submit a
 * cosigned checkpoint; the signatures are the authority.
 */
interface ICheckpointRegistry is IWitnessQuorum {
    /// @dev A stored checkpoint. `timestamp` is the log's (unix seconds); `acceptedAt` the block's.
    struct Checkpoint {
        bytes32 rootHash;
        uint64 treeSize;
        uint64 timestamp;
        uint64 acceptedAt;
    }

    /// @dev The log id is zero.
    error CheckpointRegistryZeroLogId();

    /// @dev The tree size must grow: `treeSize` is not above the latest accepted `latestTreeSize`.
    error CheckpointRegistryTreeSizeNotIncreasing(bytes32 logId, uint64 latestTreeSize, uint64 treeSize);

    /// @dev The log's clock went back: `timestamp` is before the latest checkpoint's `latestTimestamp`.
    error CheckpointRegistryTimestampDecreasing(bytes32 logId, uint64 latestTimestamp, uint64 timestamp);

    /// @dev No checkpoint of `logId` with `treeSize` was accepted.
    error CheckpointRegistryUnknownCheckpoint(bytes32 logId, uint64 treeSize);

    /// @dev Emitted when a checkpoint is accepted; `witnesses` are the departments that cosigned it.
    event CheckpointAccepted(
        bytes32 indexed logId,
        uint64 indexed treeSize,
        bytes32 rootHash,
        uint64 timestamp,
        bytes32[] witnesses
    );

    /**
     * @dev Accepts a checkpoint of `logId`.
     *
     * Requirements:
     *
     * - `logId` is not zero;
     * - `treeSize` is greater than the latest accepted tree size of `logId`, and `timestamp` is not
     *   before the latest accepted checkpoint's;
     * - `signatures` hold valid signatures of `checkpointMessage(...)` by at least the registry's
     *   threshold of distinct witness departments, each with a current registered key.
     *
     * Emits a {CheckpointAccepted} event.
     */
    function submitCheckpoint(
        bytes32 logId,
        uint64 treeSize,
        bytes32 rootHash,
        uint64 timestamp,
        WitnessSignature[] calldata signatures
    ) external;

    /// @dev The latest accepted checkpoint of `logId`; reverts if there is none.
    function latest(bytes32 logId) external view returns (Checkpoint memory);

    /// @dev The latest accepted tree size of `logId`; 0 if none.
    function latestTreeSize(bytes32 logId) external view returns (uint64);

    /// @dev The accepted checkpoint of `logId` with `treeSize`; reverts if there is none.
    function checkpointAt(bytes32 logId, uint64 treeSize) external view returns (Checkpoint memory);

    /**
     * @dev Whether `proof` (an RFC 9162 inclusion path) proves that the leaf whose hash is
     * `leafHash` (`SHA-256(0x00 ‖ data)`) sits at `leafIndex` in the accepted checkpoint of `logId`
     * with `treeSize`. Reverts if that checkpoint was not accepted.
     */
    function verifyInclusion(
        bytes32 logId,
        uint64 treeSize,
        uint64 leafIndex,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) external view returns (bool);

    /**
     * @dev Whether `proof` (an RFC 9162 consistency path) proves that the accepted checkpoint of
     * `logId` at `treeSize2` extends the one at `treeSize1`. Reverts if either was not accepted.
     */
    function verifyConsistency(
        bytes32 logId,
        uint64 treeSize1,
        uint64 treeSize2,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @dev The bytes the witnesses sign for a checkpoint.
    function checkpointMessage(
        bytes32 logId,
        uint64 treeSize,
        bytes32 rootHash,
        uint64 timestamp
    ) external pure returns (bytes memory);
}
