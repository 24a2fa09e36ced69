// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @dev Public anchor of e-certificate issuance batches (DocumentStore-style).
 *
 * A batch is the root of an OpenZeppelin sorted-pair keccak-256 Merkle tree whose leaves are the
 * documents' `targetHash` values; a batch of one has root == leaf and an empty proof. Revoking a
 * node (a leaf, an intermediate node or the root) revokes every document below it. Times are
 * unix seconds (block timestamps). Together, {issuedAt} and {revocationOf} answer "was this
 * document valid at time T?".
 */
interface ITrustAnchor {
    /// @dev The root is the zero hash, which no Merkle tree produces.
    error TrustAnchorZeroRoot();

    /// @dev The node to revoke is the zero hash.
    error TrustAnchorZeroNode();

    /// @dev `root` was already issued (at `issuedAt`); a batch is anchored once.
    error TrustAnchorRootAlreadyIssued(bytes32 root, uint64 issuedAt);

    /// @dev `root` was never issued.
    error TrustAnchorRootNotIssued(bytes32 root);

    /// @dev `node` was already revoked (at `revokedAt`); a revocation is recorded once.
    error TrustAnchorNodeAlreadyRevoked(bytes32 node, uint64 revokedAt);

    /// @dev `proof` does not place `node` in the batch `root`.
    error TrustAnchorInvalidProof(bytes32 root, bytes32 node);

    /// @dev `account` holds the issuer role but belongs to no registered department.
    error TrustAnchorUnregisteredIssuer(address account);

    /// @dev `account` (of `departmentId`) may not revoke `root`, which another department issued.
    error TrustAnchorNotIssuingDepartment(bytes32 root, address account, bytes32 departmentId);

    /// @dev Emitted when `issuer` anchors the batch `root`.
    event RootIssued(bytes32 indexed root, address indexed issuer, uint64 issuedAt);

    /// @dev Emitted when `node` (the root itself, or a node inside the batch `root`) is revoked.
    event RootRevoked(bytes32 indexed root, bytes32 indexed node, uint16 reasonCode, uint64 revokedAt);

    /**
     * @dev Anchors the batch `root`, recording the caller's department.
     *
     * Requirements:
     *
     * - the caller has `ISSUER_ROLE` and is an account of a registered department;
     * - `root` is not zero and was never issued.
     *
     * Emits a {RootIssued} event.
     */
    function issue(bytes32 root) external;

    /**
     * @dev Revokes the whole batch `root` with `reasonCode`.
     *
     * Requirements:
     *
     * - the caller has `ISSUER_ROLE` and belongs to the department that issued `root`;
     * - `root` is issued and not already revoked.
     *
     * Emits a {RootRevoked} event with `node == root`.
     */
    function revoke(bytes32 root, uint16 reasonCode) external;

    /**
     * @dev Revokes `node` (a leaf or an intermediate node) of the batch `root`, and so every
     * document below it. `proof` is the sorted-pair path from `node` up to `root`.
     *
     * Requirements:
     *
     * - the caller has `ISSUER_ROLE` and belongs to the department that issued `root`;
     * - `root` is issued, `node` is not zero, `proof` places `node` in `root`;
     * - `node` is not already revoked.
     *
     * Emits a {RootRevoked} event.
     */
    function revoke(bytes32 root, bytes32 node, bytes32[] calldata proof, uint16 reasonCode) external;

    /// @dev Whether `root` was issued.
    function isIssued(bytes32 root) external view returns (bool);

    /// @dev Whether `root` was issued and `proof` places `leaf` in it.
    function isIssued(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @dev Whether the whole batch `root` was revoked.
    function isRevoked(bytes32 root) external view returns (bool);

    /**
     * @dev Whether `proof` places `leaf` in `root` and the leaf, a node on its path, or the root
     * was revoked. An invalid proof answers false (see {isIssued} for membership).
     */
    function isRevoked(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @dev Whether `root` is issued and not revoked.
    function isActive(bytes32 root) external view returns (bool);

    /// @dev Whether `leaf` is in the issued batch `root` and neither it nor any node on its path is revoked.
    function isActive(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @dev When `root` was issued; 0 if never.
    function issuedAt(bytes32 root) external view returns (uint64);

    /// @dev When `node` itself was revoked and why; `at` is 0 if it was not.
    function revokedAt(bytes32 node) external view returns (uint64 at, uint16 reasonCode);

    /**
     * @dev The earliest revocation that covers `leaf` in `root`: of the leaf, of a node on its
     * path, or of the root. `node` is the revoked node and `at` is 0 if none (or if `proof` does
     * not place `leaf` in `root`).
     */
    function revocationOf(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (bytes32 node, uint64 at, uint16 reasonCode);

    /**
     * @dev Whether `leaf` of `root` was valid at time `at`: issued at or before `at`, and not
     * revoked at or before `at`.
     */
    function wasActiveAt(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint64 at) external view returns (bool);

    /// @dev The account that issued `root` and its department; zeros if never issued.
    function issuerOf(bytes32 root) external view returns (address account, bytes32 departmentId);

    /// @dev Executes several calls to this contract in one transaction, as their sender (see OpenZeppelin `Multicall`).
    function multicall(bytes[] calldata data) external returns (bytes[] memory);
}
