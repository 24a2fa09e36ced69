// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {RFC9162} from "../utils/RFC9162.sol";

/// @dev Test harness exposing the {RFC9162} library; never deployed outside tests.
contract RFC9162Harness {
    function hashLeaf(bytes calldata data) external pure returns (bytes32) {
        return RFC9162.hashLeaf(data);
    }

    function hashChildren(bytes32 left, bytes32 right) external pure returns (bytes32) {
        return RFC9162.hashChildren(left, right);
    }

    function rootFromInclusionProof(
        uint256 index,
        uint256 size,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) external pure returns (bool ok, bytes32 root) {
        return RFC9162.rootFromInclusionProof(index, size, leafHash, proof);
    }

    function verifyInclusion(
        uint256 index,
        uint256 size,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 root
    ) external pure returns (bool) {
        return RFC9162.verifyInclusion(index, size, leafHash, proof, root);
    }

    function verifyConsistency(
        uint256 size1,
        uint256 size2,
        bytes32 root1,
        bytes32 root2,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return RFC9162.verifyConsistency(size1, size2, root1, root2, proof);
    }
}
