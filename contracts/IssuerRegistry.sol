// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @dev Implementation of {IIssuerRegistry}. The default admin (with OpenZeppelin's two-step,
 * delayed transfer rules) grants `REGISTRAR_ROLE`, which manages departments, accounts, keys,
 * certificate types and witnesses.
 */
contract IssuerRegistry is IIssuerRegistry, AccessControlDefaultAdminRules {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @dev Manages the directory's entries.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    uint256 private constant MAX_MSP_ID_LENGTH = 64;
    uint256 private constant MAX_NAME_LENGTH = 128;

    struct Department {
        string mspId;
        string name;
        uint64 registeredAt;
    }

    mapping(bytes32 departmentId => Department) private _departments;
    bytes32[] private _departmentIds;
    mapping(address account => bytes32 departmentId) private _accountDepartment;
    mapping(bytes32 keyId => SigningKey) private _keys;
    mapping(bytes32 departmentId => bytes32[] keyIds) private _departmentKeys;
    mapping(bytes32 departmentId => mapping(bytes32 certType => Window[])) private _windows;
    EnumerableSet.Bytes32Set private _witnesses;
    uint16 private _witnessThreshold;

    /**
     * @dev Sets the default admin and the delay of its transfers (see OpenZeppelin
     * `AccessControlDefaultAdminRules`).
     */
    constructor(uint48 initialAdminDelay, address initialAdmin) AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin) {}

    modifier onlyRegistered(bytes32 departmentId) {
        _requireRegistered(departmentId);
        _;
    }

    /// @inheritdoc IIssuerRegistry
    function registerDepartment(
        string calldata mspId,
        string calldata name
    ) external onlyRole(REGISTRAR_ROLE) returns (bytes32 departmentId) {
        uint256 mspIdLength = bytes(mspId).length;
        if (mspIdLength == 0 || mspIdLength > MAX_MSP_ID_LENGTH) revert IssuerRegistryInvalidMspId(mspId);
        _requireValidName(name);
        departmentId = keccak256(bytes(mspId));
        if (_departments[departmentId].registeredAt != 0) revert IssuerRegistryDepartmentAlreadyRegistered(departmentId);
        _departments[departmentId] = Department({mspId: mspId, name: name, registeredAt: uint64(block.timestamp)});
        _departmentIds.push(departmentId);
        emit DepartmentRegistered(departmentId, mspId, name);
    }

    /// @inheritdoc IIssuerRegistry
    function renameDepartment(
        bytes32 departmentId,
        string calldata name
    ) external onlyRole(REGISTRAR_ROLE) onlyRegistered(departmentId) {
        _requireValidName(name);
        _departments[departmentId].name = name;
        emit DepartmentRenamed(departmentId, name);
    }

    /// @inheritdoc IIssuerRegistry
    function assignAccount(
        bytes32 departmentId,
        address account
    ) external onlyRole(REGISTRAR_ROLE) onlyRegistered(departmentId) {
        if (account == address(0)) revert IssuerRegistryZeroAccount();
        bytes32 current = _accountDepartment[account];
        if (current != bytes32(0)) revert IssuerRegistryAccountAlreadyAssigned(account, current);
        _accountDepartment[account] = departmentId;
        emit AccountAssigned(account, departmentId);
    }

    /// @inheritdoc IIssuerRegistry
    function unassignAccount(address account) external onlyRole(REGISTRAR_ROLE) {
        bytes32 departmentId = _accountDepartment[account];
        if (departmentId == bytes32(0)) revert IssuerRegistryAccountNotAssigned(account);
        delete _accountDepartment[account];
        emit AccountUnassigned(account, departmentId);
    }

    /// @inheritdoc IIssuerRegistry
    function addSigningKey(
        bytes32 departmentId,
        bytes32 qx,
        bytes32 qy
    ) external onlyRole(REGISTRAR_ROLE) onlyRegistered(departmentId) returns (bytes32 keyId) {
        if (!P256.isValidPublicKey(qx, qy)) revert IssuerRegistryInvalidPublicKey(qx, qy);
        keyId = keccak256(abi.encode(qx, qy));
        if (_keys[keyId].addedAt != 0) revert IssuerRegistryKeyAlreadyRegistered(keyId);
        _keys[keyId] = SigningKey({
            departmentId: departmentId,
            qx: qx,
            qy: qy,
            addedAt: uint64(block.timestamp),
            revokedAt: 0
        });
        _departmentKeys[departmentId].push(keyId);
        emit SigningKeyAdded(keyId, departmentId, qx, qy);
    }

    /// @inheritdoc IIssuerRegistry
    function revokeSigningKey(bytes32 keyId) external onlyRole(REGISTRAR_ROLE) {
        SigningKey storage key = _requireKey(keyId);
        if (key.revokedAt != 0) revert IssuerRegistryKeyRevoked(keyId, key.revokedAt);
        uint64 now_ = uint64(block.timestamp);
        key.revokedAt = now_;
        emit SigningKeyRevoked(keyId, key.departmentId, now_);
    }

    /// @inheritdoc IIssuerRegistry
    function authorizeCertType(
        bytes32 departmentId,
        bytes32 certType,
        uint64 validFrom,
        uint64 validUntil
    ) external onlyRole(REGISTRAR_ROLE) onlyRegistered(departmentId) {
        uint64 now_ = uint64(block.timestamp);
        if (validFrom == 0) validFrom = now_;
        if (validFrom < now_ || (validUntil != 0 && validUntil <= validFrom)) {
            revert IssuerRegistryInvalidWindow(validFrom, validUntil, now_);
        }
        Window[] storage windows = _windows[departmentId][certType];
        uint256 count = windows.length;
        if (count != 0) {
            uint64 previousUntil = windows[count - 1].validUntil;
            if (previousUntil == 0 || previousUntil > validFrom) {
                revert IssuerRegistryOverlappingWindow(departmentId, certType, previousUntil);
            }
        }
        windows.push(Window({validFrom: validFrom, validUntil: validUntil}));
        emit CertTypeAuthorized(departmentId, certType, validFrom, validUntil);
    }

    /// @inheritdoc IIssuerRegistry
    function endCertTypeAuthorization(
        bytes32 departmentId,
        bytes32 certType,
        uint64 until
    ) external onlyRole(REGISTRAR_ROLE) {
        uint64 now_ = uint64(block.timestamp);
        if (until < now_) until = now_;
        Window[] storage windows = _windows[departmentId][certType];
        uint256 count = windows.length;
        if (count == 0) revert IssuerRegistryNoWindowToEnd(departmentId, certType, until);
        Window storage last = windows[count - 1];
        // Only the future may change: the window must still be running at `until` and would end later.
        if ((last.validUntil != 0 && last.validUntil <= until)) {
            revert IssuerRegistryNoWindowToEnd(departmentId, certType, until);
        }
        // A window that has not started yet shrinks to empty rather than inverting.
        last.validUntil = until < last.validFrom ? last.validFrom : until;
        emit CertTypeAuthorizationEnded(departmentId, certType, last.validUntil);
    }

    /// @inheritdoc IIssuerRegistry
    function addWitness(bytes32 departmentId) external onlyRole(REGISTRAR_ROLE) onlyRegistered(departmentId) {
        if (!_witnesses.add(departmentId)) revert IssuerRegistryAlreadyWitness(departmentId);
        emit WitnessAdded(departmentId);
    }

    /// @inheritdoc IIssuerRegistry
    function removeWitness(bytes32 departmentId) external onlyRole(REGISTRAR_ROLE) {
        if (!_witnesses.contains(departmentId)) revert IssuerRegistryNotWitness(departmentId);
        // Checked before the write so a failed call changes nothing.
        uint16 remaining = uint16(_witnesses.length() - 1);
        if (remaining < _witnessThreshold) revert IssuerRegistryInvalidThreshold(_witnessThreshold, remaining);
        _witnesses.remove(departmentId);
        emit WitnessRemoved(departmentId);
    }

    /// @inheritdoc IIssuerRegistry
    function setWitnessThreshold(uint16 threshold) external onlyRole(REGISTRAR_ROLE) {
        uint16 count = uint16(_witnesses.length());
        if (threshold == 0 || threshold > count) revert IssuerRegistryInvalidThreshold(threshold, count);
        uint16 previous = _witnessThreshold;
        _witnessThreshold = threshold;
        emit WitnessThresholdChanged(previous, threshold);
    }

    /// @inheritdoc IIssuerRegistry
    function isAuthorized(bytes32 departmentId, bytes32 certType, uint64 at) external view returns (bool) {
        Window[] storage windows = _windows[departmentId][certType];
        // Newest first: the question is usually about a recent time.
        for (uint256 i = windows.length; i > 0; --i) {
            Window storage w = windows[i - 1];
            if (at >= w.validFrom) return w.validUntil == 0 || at < w.validUntil;
        }
        return false;
    }

    /// @inheritdoc IIssuerRegistry
    function departmentOf(address account) external view returns (bytes32) {
        return _accountDepartment[account];
    }

    /// @inheritdoc IIssuerRegistry
    function isRegistered(bytes32 departmentId) external view returns (bool) {
        return _departments[departmentId].registeredAt != 0;
    }

    /// @inheritdoc IIssuerRegistry
    function department(
        bytes32 departmentId
    ) external view onlyRegistered(departmentId) returns (string memory mspId, string memory name, uint64 registeredAt) {
        Department storage d = _departments[departmentId];
        return (d.mspId, d.name, d.registeredAt);
    }

    /// @inheritdoc IIssuerRegistry
    function departmentIds() external view returns (bytes32[] memory) {
        return _departmentIds;
    }

    /// @inheritdoc IIssuerRegistry
    function signingKeyIds(bytes32 departmentId) external view returns (bytes32[] memory) {
        return _departmentKeys[departmentId];
    }

    /// @inheritdoc IIssuerRegistry
    function signingKey(bytes32 keyId) external view returns (SigningKey memory) {
        return _requireKey(keyId);
    }

    /// @inheritdoc IIssuerRegistry
    function certTypeWindows(bytes32 departmentId, bytes32 certType) external view returns (Window[] memory) {
        return _windows[departmentId][certType];
    }

    /// @inheritdoc IIssuerRegistry
    function isWitness(bytes32 departmentId) external view returns (bool) {
        return _witnesses.contains(departmentId);
    }

    /// @inheritdoc IIssuerRegistry
    function witnesses() external view returns (bytes32[] memory) {
        return _witnesses.values();
    }

    /// @inheritdoc IIssuerRegistry
    function witnessThreshold() external view returns (uint16) {
        return _witnessThreshold;
    }

    function _requireRegistered(bytes32 departmentId) private view {
        if (_departments[departmentId].registeredAt == 0) revert IssuerRegistryUnknownDepartment(departmentId);
    }

    function _requireValidName(string calldata name) private pure {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert IssuerRegistryInvalidName(name);
    }

    function _requireKey(bytes32 keyId) private view returns (SigningKey storage key) {
        key = _keys[keyId];
        if (key.addedAt == 0) revert IssuerRegistryUnknownKey(keyId);
    }
}
