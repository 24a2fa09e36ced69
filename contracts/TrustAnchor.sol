// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";
import {ITrustAnchor} from "./interfaces/ITrustAnchor.sol";

/**
 * @dev Implementation of {ITrustAnchor}. Issuers are accounts with `ISSUER_ROLE` that belong to a
 * department of the {IIssuerRegistry}; only the department that issued a batch may revoke in it.
 */
contract TrustAnchor is ITrustAnchor, AccessControlDefaultAdminRules, Multicall {
    /// @dev Anchors batches and revokes in the batches of its own department.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    struct Batch {
        uint64 issuedAt;
        address issuer;
        bytes32 departmentId;
    }

    struct Revocation {
        uint64 at;
        uint16 reasonCode;
    }

    IIssuerRegistry private immutable _registry;
    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 node => Revocation) private _revocations;

    /**
     * @dev Sets the default admin, the delay of its transfers, and the registry that says which
     * department an issuer account belongs to.
     */
    constructor(
        uint48 initialAdminDelay,
        address initialAdmin,
        IIssuerRegistry registry_
    ) AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin) {
        _registry = registry_;
    }

    /// @dev The registry of departments this anchor consults.
    function registry() external view returns (IIssuerRegistry) {
        return _registry;
    }

    /// @inheritdoc ITrustAnchor
    function issue(bytes32 root) external onlyRole(ISSUER_ROLE) {
        if (root == bytes32(0)) revert TrustAnchorZeroRoot();
        uint64 previous = _batches[root].issuedAt;
        if (previous != 0) revert TrustAnchorRootAlreadyIssued(root, previous);
        bytes32 departmentId = _registry.departmentOf(msg.sender);
        if (departmentId == bytes32(0)) revert TrustAnchorUnregisteredIssuer(msg.sender);
        uint64 now_ = uint64(block.timestamp);
        _batches[root] = Batch({issuedAt: now_, issuer: msg.sender, departmentId: departmentId});
        emit RootIssued(root, msg.sender, now_);
    }

    /// @inheritdoc ITrustAnchor
    function revoke(bytes32 root, uint16 reasonCode) external onlyRole(ISSUER_ROLE) {
        _requireIssuingDepartment(root);
        _revoke(root, root, reasonCode);
    }

    /// @inheritdoc ITrustAnchor
    function revoke(
        bytes32 root,
        bytes32 node,
        bytes32[] calldata proof,
        uint16 reasonCode
    ) external onlyRole(ISSUER_ROLE) {
        _requireIssuingDepartment(root);
        if (node == bytes32(0)) revert TrustAnchorZeroNode();
        if (_processProof(node, proof) != root) revert TrustAnchorInvalidProof(root, node);
        _revoke(root, node, reasonCode);
    }

    /// @inheritdoc ITrustAnchor
    function isIssued(bytes32 root) public view returns (bool) {
        return _batches[root].issuedAt != 0;
    }

    /// @inheritdoc ITrustAnchor
    function isIssued(bytes32 root, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        return isIssued(root) && _processProof(leaf, proof) == root;
    }

    /// @inheritdoc ITrustAnchor
    function isRevoked(bytes32 root) public view returns (bool) {
        return _revocations[root].at != 0;
    }

    /// @inheritdoc ITrustAnchor
    function isRevoked(bytes32 root, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        (, uint64 at, ) = revocationOf(root, leaf, proof);
        return at != 0;
    }

    /// @inheritdoc ITrustAnchor
    function isActive(bytes32 root) external view returns (bool) {
        return isIssued(root) && !isRevoked(root);
    }

    /// @inheritdoc ITrustAnchor
    function isActive(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        if (!isIssued(root)) return false;
        (bytes32 computed, , uint64 at, ) = _walk(leaf, proof);
        return computed == root && at == 0;
    }

    /// @inheritdoc ITrustAnchor
    function issuedAt(bytes32 root) external view returns (uint64) {
        return _batches[root].issuedAt;
    }

    /// @inheritdoc ITrustAnchor
    function revokedAt(bytes32 node) external view returns (uint64 at, uint16 reasonCode) {
        Revocation storage r = _revocations[node];
        return (r.at, r.reasonCode);
    }

    /// @inheritdoc ITrustAnchor
    function revocationOf(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) public view returns (bytes32 node, uint64 at, uint16 reasonCode) {
        bytes32 computed;
        (computed, node, at, reasonCode) = _walk(leaf, proof);
        if (computed != root) return (bytes32(0), 0, 0);
    }

    /// @inheritdoc ITrustAnchor
    function wasActiveAt(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint64 at) external view returns (bool) {
        uint64 issued = _batches[root].issuedAt;
        if (issued == 0 || issued > at) return false;
        (bytes32 computed, , uint64 revoked, ) = _walk(leaf, proof);
        return computed == root && (revoked == 0 || revoked > at);
    }

    /// @inheritdoc ITrustAnchor
    function issuerOf(bytes32 root) external view returns (address account, bytes32 departmentId) {
        Batch storage b = _batches[root];
        return (b.issuer, b.departmentId);
    }

    /// @inheritdoc ITrustAnchor
    function multicall(bytes[] calldata data) public override(ITrustAnchor, Multicall) returns (bytes[] memory) {
        return super.multicall(data);
    }

    function _revoke(bytes32 root, bytes32 node, uint16 reasonCode) private {
        uint64 previous = _revocations[node].at;
        if (previous != 0) revert TrustAnchorNodeAlreadyRevoked(node, previous);
        uint64 now_ = uint64(block.timestamp);
        _revocations[node] = Revocation({at: now_, reasonCode: reasonCode});
        emit RootRevoked(root, node, reasonCode, now_);
    }

    function _requireIssuingDepartment(bytes32 root) private view {
        Batch storage b = _batches[root];
        if (b.issuedAt == 0) revert TrustAnchorRootNotIssued(root);
        bytes32 callerDepartment = _registry.departmentOf(msg.sender);
        if (callerDepartment != b.departmentId) {
            revert TrustAnchorNotIssuingDepartment(root, msg.sender, callerDepartment);
        }
    }

    /// @dev The root `proof` leads to from `node` (OpenZeppelin `MerkleProof`'s sorted-pair hashing).
    function _processProof(bytes32 node, bytes32[] calldata proof) private pure returns (bytes32 computed) {
        computed = node;
        for (uint256 i = 0; i < proof.length; ++i) {
            computed = Hashes.commutativeKeccak256(computed, proof[i]);
        }
    }

    /**
     * @dev Walks from `leaf` up `proof`, returning the root it reaches and the earliest revocation
     * among the leaf, the nodes on the path and that root. Ties keep the node nearest the leaf.
     */
    function _walk(
        bytes32 leaf,
        bytes32[] calldata proof
    ) private view returns (bytes32 computed, bytes32 node, uint64 at, uint16 reasonCode) {
        computed = leaf;
        uint256 length = proof.length;
        for (uint256 i = 0; ; ++i) {
            Revocation storage r = _revocations[computed];
            uint64 rAt = r.at;
            if (rAt != 0 && (at == 0 || rAt < at)) {
                (node, at, reasonCode) = (computed, rAt, r.reasonCode);
            }
            if (i == length) break;
            computed = Hashes.commutativeKeccak256(computed, proof[i]);
        }
    }
}
