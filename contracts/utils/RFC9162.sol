// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @dev Verification of RFC 9162 (Certificate Transparency 2.0) Merkle tree proofs with SHA-256:
 * a leaf hash is `SHA-256(0x00 ‖ data)` and an interior node `SHA-256(0x01 ‖ left ‖ right)`.
 * The algorithms are those of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
 */
library RFC9162 {
    /// @dev The hash of a leaf holding `data`.
    function hashLeaf(bytes memory data) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), data));
    }

    /// @dev The hash of an interior node.
    function hashChildren(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /**
     * @dev The root that `proof` leads to from the leaf `leafHash` at `index` in a tree of `size`
     * leaves; `ok` is false if the proof has the wrong length for that position.
     */
    function rootFromInclusionProof(
        uint256 index,
        uint256 size,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) internal pure returns (bool ok, bytes32 root) {
        if (index >= size) return (false, bytes32(0));
        uint256 fn = index;
        uint256 sn = size - 1;
        root = leafHash;
        for (uint256 i = 0; i < proof.length; ++i) {
            if (sn == 0) return (false, bytes32(0));
            if (fn & 1 == 1 || fn == sn) {
                root = hashChildren(proof[i], root);
                // The node was the last of its level with no right sibling: climb to where it has one.
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                root = hashChildren(root, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return (sn == 0, root);
    }

    /// @dev Whether `proof` proves the leaf `leafHash` at `index` of the tree of `size` leaves with `root`.
    function verifyInclusion(
        uint256 index,
        uint256 size,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 root
    ) internal pure returns (bool) {
        (bool ok, bytes32 computed) = rootFromInclusionProof(index, size, leafHash, proof);
        return ok && computed == root;
    }

    /// @dev Whether `proof` proves that the tree of `size2` leaves with `root2` extends the one of `size1` with `root1`.
    function verifyConsistency(
        uint256 size1,
        uint256 size2,
        bytes32 root1,
        bytes32 root2,
        bytes32[] calldata proof
    ) internal pure returns (bool) {
        if (size1 > size2) return false;
        if (size1 == size2) return proof.length == 0 && root1 == root2;
        // Every tree extends the empty one.
        if (size1 == 0) return proof.length == 0;
        if (proof.length == 0) return false;

        // When size1 is a power of two, the old root is itself a node of the new tree and the
        // proof omits it: start from it.
        bool startsAtOldRoot = size1 & (size1 - 1) == 0;
        uint256 next = startsAtOldRoot ? 0 : 1;
        bytes32 seed = startsAtOldRoot ? root1 : proof[0];
        uint256 fn = size1 - 1;
        uint256 sn = size2 - 1;
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        bytes32 fr = seed;
        bytes32 sr = seed;
        for (uint256 i = next; i < proof.length; ++i) {
            bytes32 c = proof[i];
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                fr = hashChildren(c, fr);
                sr = hashChildren(c, sr);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = hashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return fr == root1 && sr == root2 && sn == 0;
    }
}
