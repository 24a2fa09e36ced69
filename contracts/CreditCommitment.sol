// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";
import {ICreditCommitment} from "./interfaces/ICreditCommitment.sol";
import {WitnessQuorum} from "./utils/WitnessQuorum.sol";

/// @dev Implementation of {ICreditCommitment}.
contract CreditCommitment is ICreditCommitment, WitnessQuorum {
    bytes private constant DOMAIN = "CTL-CREDIT-COMMITMENT-V1";

    mapping(uint64 epoch => Commitment) private _commitments;
    uint64 private _latestEpoch;
    bool private _hasEpoch;

    /// @dev Trusts the witnesses, keys and threshold of `registry_`.
    constructor(IIssuerRegistry registry_) WitnessQuorum(registry_) {}

    /// @inheritdoc ICreditCommitment
    function commit(
        uint64 epoch,
        bytes32 root,
        uint64 totalOutstanding,
        WitnessSignature[] calldata signatures
    ) external {
        if (root == bytes32(0)) revert CreditCommitmentZeroRoot();
        if (_hasEpoch && epoch <= _latestEpoch) revert CreditCommitmentEpochNotIncreasing(_latestEpoch, epoch);
        bytes32[] memory witnesses = _requireQuorum(sha256(commitmentMessage(epoch, root, totalOutstanding)), signatures);
        _commitments[epoch] = Commitment({
            root: root,
            totalOutstanding: totalOutstanding,
            committedAt: uint64(block.timestamp)
        });
        _latestEpoch = epoch;
        _hasEpoch = true;
        emit BalancesCommitted(epoch, root, totalOutstanding, witnesses);
    }

    /// @inheritdoc ICreditCommitment
    function verifyBalance(
        uint64 epoch,
        bytes32 accountRef,
        uint64 balance,
        SumNode[] calldata proof
    ) external view returns (bool) {
        Commitment storage commitment = _commitment(epoch);
        bytes32 hash = leafHash(accountRef, balance);
        // Accumulated in 256 bits so that a proof whose sums overflow 64 bits fails instead of wrapping.
        uint256 sum = balance;
        for (uint256 i = 0; i < proof.length; ++i) {
            SumNode calldata sibling = proof[i];
            sum += sibling.sum;
            if (sum > type(uint64).max) return false;
            hash = _parentHash(hash, uint64(sum - sibling.sum), sibling.hash, sibling.sum);
        }
        return hash == commitment.root && sum == commitment.totalOutstanding;
    }

    /// @inheritdoc ICreditCommitment
    function commitmentOf(uint64 epoch) external view returns (Commitment memory) {
        return _commitment(epoch);
    }

    /// @inheritdoc ICreditCommitment
    function latestEpoch() external view returns (uint64 epoch, bool exists) {
        return (_latestEpoch, _hasEpoch);
    }

    /// @inheritdoc ICreditCommitment
    function commitmentMessage(uint64 epoch, bytes32 root, uint64 totalOutstanding) public pure returns (bytes memory) {
        return abi.encodePacked(DOMAIN, epoch, root, totalOutstanding);
    }

    /// @inheritdoc ICreditCommitment
    function leafHash(bytes32 accountRef, uint64 balance) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), accountRef, balance));
    }

    /// @inheritdoc ICreditCommitment
    function parentOf(SumNode calldata a, SumNode calldata b) external pure returns (SumNode memory) {
        return SumNode({hash: _parentHash(a.hash, a.sum, b.hash, b.sum), sum: a.sum + b.sum});
    }

    /// @dev Children are ordered by hash so that proofs need no left/right flags.
    function _parentHash(bytes32 hashA, uint64 sumA, bytes32 hashB, uint64 sumB) private pure returns (bytes32) {
        return
            hashA <= hashB
                ? keccak256(abi.encodePacked(bytes1(0x01), hashA, sumA, hashB, sumB))
                : keccak256(abi.encodePacked(bytes1(0x01), hashB, sumB, hashA, sumA));
    }

    function _commitment(uint64 epoch) private view returns (Commitment storage commitment) {
        commitment = _commitments[epoch];
        if (commitment.committedAt == 0) revert CreditCommitmentUnknownEpoch(epoch);
    }
}
