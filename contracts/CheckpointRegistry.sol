// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";
import {ICheckpointRegistry} from "./interfaces/ICheckpointRegistry.sol";
import {RFC9162} from "./utils/RFC9162.sol";
import {WitnessQuorum} from "./utils/WitnessQuorum.sol";

/// @dev Implementation of {ICheckpointRegistry}.
contract CheckpointRegistry is ICheckpointRegistry, WitnessQuorum {
    bytes private constant DOMAIN = "CTL-CHECKPOINT-V1";

    mapping(bytes32 logId => mapping(uint64 treeSize => Checkpoint)) private _checkpoints;
    mapping(bytes32 logId => uint64 treeSize) private _latestTreeSize;

    /// @dev Trusts the witnesses, keys and threshold of `registry_`.
    constructor(IIssuerRegistry registry_) WitnessQuorum(registry_) {}

    /// @inheritdoc ICheckpointRegistry
    function submitCheckpoint(
        bytes32 logId,
        uint64 treeSize,
        bytes32 rootHash,
        uint64 timestamp,
        WitnessSignature[] calldata signatures
    ) external {
        if (logId == bytes32(0)) revert CheckpointRegistryZeroLogId();
        uint64 latestSize = _latestTreeSize[logId];
        if (treeSize <= latestSize) revert CheckpointRegistryTreeSizeNotIncreasing(logId, latestSize, treeSize);
        if (latestSize != 0) {
            uint64 latestTimestamp = _checkpoints[logId][latestSize].timestamp;
            if (timestamp < latestTimestamp) revert CheckpointRegistryTimestampDecreasing(logId, latestTimestamp, timestamp);
        }
        bytes32[] memory witnesses = _requireQuorum(
            sha256(checkpointMessage(logId, treeSize, rootHash, timestamp)),
            signatures
        );
        _checkpoints[logId][treeSize] = Checkpoint({
            rootHash: rootHash,
            treeSize: treeSize,
            timestamp: timestamp,
            acceptedAt: uint64(block.timestamp)
        });
        _latestTreeSize[logId] = treeSize;
        emit CheckpointAccepted(logId, treeSize, rootHash, timestamp, witnesses);
    }

    /// @inheritdoc ICheckpointRegistry
    function latest(bytes32 logId) external view returns (Checkpoint memory) {
        return _checkpoint(logId, _latestTreeSize[logId]);
    }

    /// @inheritdoc ICheckpointRegistry
    function latestTreeSize(bytes32 logId) external view returns (uint64) {
        return _latestTreeSize[logId];
    }

    /// @inheritdoc ICheckpointRegistry
    function checkpointAt(bytes32 logId, uint64 treeSize) external view returns (Checkpoint memory) {
        return _checkpoint(logId, treeSize);
    }

    /// @inheritdoc ICheckpointRegistry
    function verifyInclusion(
        bytes32 logId,
        uint64 treeSize,
        uint64 leafIndex,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 rootHash = _checkpoint(logId, treeSize).rootHash;
        return RFC9162.verifyInclusion(leafIndex, treeSize, leafHash, proof, rootHash);
    }

    /// @inheritdoc ICheckpointRegistry
    function verifyConsistency(
        bytes32 logId,
        uint64 treeSize1,
        uint64 treeSize2,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root1 = _checkpoint(logId, treeSize1).rootHash;
        bytes32 root2 = _checkpoint(logId, treeSize2).rootHash;
        return RFC9162.verifyConsistency(treeSize1, treeSize2, root1, root2, proof);
    }

    /// @inheritdoc ICheckpointRegistry
    function checkpointMessage(
        bytes32 logId,
        uint64 treeSize,
        bytes32 rootHash,
        uint64 timestamp
    ) public pure returns (bytes memory) {
        return abi.encodePacked(DOMAIN, logId, treeSize, rootHash, timestamp);
    }

    function _checkpoint(bytes32 logId, uint64 treeSize) private view returns (Checkpoint storage checkpoint) {
        checkpoint = _checkpoints[logId][treeSize];
        if (checkpoint.treeSize == 0) revert CheckpointRegistryUnknownCheckpoint(logId, treeSize);
    }
}
