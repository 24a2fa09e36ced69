// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @dev Public directory of the departments that take part in the ledger: their Fabric MSP ids,
 * the P-256 public keys of their signing identities, their EVM accounts, the certificate types
 * each may issue (with validity windows), and which departments witness checkpoints, with the
 * threshold k of witness signatures a checkpoint needs.
 *
 * A department is identified by `departmentId = keccak256(bytes(mspId))` and a certificate type
 * by `certType = keccak256(bytes(typeCode))`. A signing key is identified by
 * `keyId = keccak256(abi.encode(qx, qy))`. Windows and key lifetimes are kept as history, never
 * rewritten, so "was department X allowed to issue type T at time t?" keeps its answer.
 */
interface IIssuerRegistry {
    /// @dev A validity window `[validFrom, validUntil)` in unix seconds; `validUntil == 0` is open-ended.
    struct Window {
        uint64 validFrom;
        uint64 validUntil;
    }

    /// @dev A department signing key (P-256) and its lifetime; `revokedAt == 0` while it is in use.
    struct SigningKey {
        bytes32 departmentId;
        bytes32 qx;
        bytes32 qy;
        uint64 addedAt;
        uint64 revokedAt;
    }

    /// @dev `mspId` is empty or longer than 64 bytes.
    error IssuerRegistryInvalidMspId(string mspId);

    /// @dev `name` is empty or longer than 128 bytes.
    error IssuerRegistryInvalidName(string name);

    /// @dev A department with this id is already registered.
    error IssuerRegistryDepartmentAlreadyRegistered(bytes32 departmentId);

    /// @dev No department with this id is registered.
    error IssuerRegistryUnknownDepartment(bytes32 departmentId);

    /// @dev The zero address cannot be a department account.
    error IssuerRegistryZeroAccount();

    /// @dev `account` already belongs to `departmentId`.
    error IssuerRegistryAccountAlreadyAssigned(address account, bytes32 departmentId);

    /// @dev `account` belongs to no department.
    error IssuerRegistryAccountNotAssigned(address account);

    /// @dev `(qx, qy)` is not a point of the P-256 curve.
    error IssuerRegistryInvalidPublicKey(bytes32 qx, bytes32 qy);

    /// @dev The key was registered before (keys are never re-registered, even after revocation).
    error IssuerRegistryKeyAlreadyRegistered(bytes32 keyId);

    /// @dev No key with this id was registered.
    error IssuerRegistryUnknownKey(bytes32 keyId);

    /// @dev The key was revoked at `revokedAt`.
    error IssuerRegistryKeyRevoked(bytes32 keyId, uint64 revokedAt);

    /// @dev The window is empty (`validUntil <= validFrom`) or starts before the current block (`now`).
    error IssuerRegistryInvalidWindow(uint64 validFrom, uint64 validUntil, uint64 now);

    /// @dev The new window starts before the previous window for this department and type ends.
    error IssuerRegistryOverlappingWindow(bytes32 departmentId, bytes32 certType, uint64 previousUntil);

    /// @dev There is no window for this department and type that is still running at or after `until`.
    error IssuerRegistryNoWindowToEnd(bytes32 departmentId, bytes32 certType, uint64 until);

    /// @dev The department is already a witness.
    error IssuerRegistryAlreadyWitness(bytes32 departmentId);

    /// @dev The department is not a witness.
    error IssuerRegistryNotWitness(bytes32 departmentId);

    /// @dev The threshold must be at least 1 and at most the number of witnesses.
    error IssuerRegistryInvalidThreshold(uint16 threshold, uint16 witnessCount);

    /// @dev Emitted when a department is registered.
    event DepartmentRegistered(bytes32 indexed departmentId, string mspId, string name);

    /// @dev Emitted when a department's display name changes.
    event DepartmentRenamed(bytes32 indexed departmentId, string name);

    /// @dev Emitted when `account` becomes an account of `departmentId`.
    event AccountAssigned(address indexed account, bytes32 indexed departmentId);

    /// @dev Emitted when `account` stops being an account of `departmentId`.
    event AccountUnassigned(address indexed account, bytes32 indexed departmentId);

    /// @dev Emitted when a P-256 signing key is added to a department.
    event SigningKeyAdded(bytes32 indexed keyId, bytes32 indexed departmentId, bytes32 qx, bytes32 qy);

    /// @dev Emitted when a signing key is revoked.
    event SigningKeyRevoked(bytes32 indexed keyId, bytes32 indexed departmentId, uint64 revokedAt);

    /// @dev Emitted when a department may issue `certType` during a new window.
    event CertTypeAuthorized(bytes32 indexed departmentId, bytes32 indexed certType, uint64 validFrom, uint64 validUntil);

    /// @dev Emitted when the current window of a department and type is cut short to end at `validUntil`.
    event CertTypeAuthorizationEnded(bytes32 indexed departmentId, bytes32 indexed certType, uint64 validUntil);

    /// @dev Emitted when a department joins the witness set.
    event WitnessAdded(bytes32 indexed departmentId);

    /// @dev Emitted when a department leaves the witness set.
    event WitnessRemoved(bytes32 indexed departmentId);

    /// @dev Emitted when the number of witness signatures a checkpoint needs changes.
    event WitnessThresholdChanged(uint16 previousThreshold, uint16 newThreshold);

    /**
     * @dev Registers the department whose Fabric MSP id is `mspId`, with a display `name`.
     *
     * Requirements:
     *
     * - the caller has `REGISTRAR_ROLE`;
     * - `mspId` is 1 to 64 bytes and `name` 1 to 128 bytes;
     * - no department with the same MSP id is registered.
     *
     * Emits a {DepartmentRegistered} event.
     */
    function registerDepartment(string calldata mspId, string calldata name) external returns (bytes32 departmentId);

    /**
     * @dev Changes the display name of a department.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the department is registered; `name` is 1 to 128 bytes.
     *
     * Emits a {DepartmentRenamed} event.
     */
    function renameDepartment(bytes32 departmentId, string calldata name) external;

    /**
     * @dev Makes `account` an EVM account of `departmentId`.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the department is registered; `account` is
     * not zero and belongs to no department.
     *
     * Emits an {AccountAssigned} event.
     */
    function assignAccount(bytes32 departmentId, address account) external;

    /**
     * @dev Removes `account` from its department.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; `account` belongs to a department.
     *
     * Emits an {AccountUnassigned} event.
     */
    function unassignAccount(address account) external;

    /**
     * @dev Adds the P-256 public key `(qx, qy)` of one of the department's signing identities.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the department is registered; the key is a
     * point of P-256 and was never registered.
     *
     * Emits a {SigningKeyAdded} event.
     */
    function addSigningKey(bytes32 departmentId, bytes32 qx, bytes32 qy) external returns (bytes32 keyId);

    /**
     * @dev Revokes a signing key from now on; signatures by it no longer count.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the key is registered and not revoked.
     *
     * Emits a {SigningKeyRevoked} event.
     */
    function revokeSigningKey(bytes32 keyId) external;

    /**
     * @dev Allows the department to issue `certType` during `[validFrom, validUntil)`.
     * `validFrom == 0` means "from the current block"; `validUntil == 0` means open-ended.
     *
     * Requirements:
     *
     * - the caller has `REGISTRAR_ROLE`; the department is registered;
     * - the window is not empty and does not start before the current block (history is not rewritten);
     * - the previous window for this department and type has ended by `validFrom`.
     *
     * Emits a {CertTypeAuthorized} event.
     */
    function authorizeCertType(bytes32 departmentId, bytes32 certType, uint64 validFrom, uint64 validUntil) external;

    /**
     * @dev Ends the department's latest window for `certType` at `until` (or at the current block
     * if `until` is earlier), so that the past keeps its answer.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the latest window for this department and
     * type is still running at that time and would end later (or never).
     *
     * Emits a {CertTypeAuthorizationEnded} event.
     */
    function endCertTypeAuthorization(bytes32 departmentId, bytes32 certType, uint64 until) external;

    /**
     * @dev Adds a department to the checkpoint witness set.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the department is registered and not a witness.
     *
     * Emits a {WitnessAdded} event.
     */
    function addWitness(bytes32 departmentId) external;

    /**
     * @dev Removes a department from the witness set.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; the department is a witness; the remaining
     * witnesses are still at least the threshold.
     *
     * Emits a {WitnessRemoved} event.
     */
    function removeWitness(bytes32 departmentId) external;

    /**
     * @dev Sets the number k of distinct witness signatures a checkpoint needs.
     *
     * Requirements: the caller has `REGISTRAR_ROLE`; `1 <= threshold <= witnessCount()`.
     *
     * Emits a {WitnessThresholdChanged} event.
     */
    function setWitnessThreshold(uint16 threshold) external;

    /// @dev Whether department `departmentId` may issue `certType` at time `at`.
    function isAuthorized(bytes32 departmentId, bytes32 certType, uint64 at) external view returns (bool);

    /// @dev The department of `account`; zero if none.
    function departmentOf(address account) external view returns (bytes32);

    /// @dev Whether a department with this id is registered.
    function isRegistered(bytes32 departmentId) external view returns (bool);

    /// @dev A department's MSP id, display name and registration time; reverts if unknown.
    function department(
        bytes32 departmentId
    ) external view returns (string memory mspId, string memory name, uint64 registeredAt);

    /// @dev Every registered department id, in registration order.
    function departmentIds() external view returns (bytes32[] memory);

    /// @dev The key ids (current and revoked) of a department, in the order they were added.
    function signingKeyIds(bytes32 departmentId) external view returns (bytes32[] memory);

    /// @dev A signing key; reverts if unknown.
    function signingKey(bytes32 keyId) external view returns (SigningKey memory);

    /// @dev Every authorization window of a department for `certType`, oldest first.
    function certTypeWindows(bytes32 departmentId, bytes32 certType) external view returns (Window[] memory);

    /// @dev Whether the department is a checkpoint witness.
    function isWitness(bytes32 departmentId) external view returns (bool);

    /// @dev The current witness departments (order not significant).
    function witnesses() external view returns (bytes32[] memory);

    /// @dev The number of distinct witness signatures a checkpoint needs (0 until set).
    function witnessThreshold() external view returns (uint16);
}
