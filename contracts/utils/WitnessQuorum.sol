// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {IIssuerRegistry} from "../interfaces/IIssuerRegistry.sol";
import {IWitnessQuorum} from "../interfaces/IWitnessQuorum.sol";

/**
 * @dev Checks witness cosignatures against an {IIssuerRegistry} (see {IWitnessQuorum}). P-256
 * signatures are verified with OpenZeppelin `P256`: the EIP-7951 precompile where the chain has it
 * (osaka), the Solidity implementation elsewhere.
 */
abstract contract WitnessQuorum is IWitnessQuorum {
    IIssuerRegistry private immutable _registry;

    constructor(IIssuerRegistry registry_) {
        _registry = registry_;
    }

    /// @inheritdoc IWitnessQuorum
    function registry() public view returns (IIssuerRegistry) {
        return _registry;
    }

    /**
     * @dev Reverts unless `signatures` over `digest` come from at least the threshold of distinct
     * witness departments with current keys; returns those departments in signature order.
     */
    function _requireQuorum(
        bytes32 digest,
        WitnessSignature[] calldata signatures
    ) internal view returns (bytes32[] memory departments) {
        uint16 threshold = _registry.witnessThreshold();
        if (threshold == 0) revert WitnessQuorumNoThreshold();
        uint256 count = signatures.length;
        if (count < threshold) revert WitnessQuorumNotReached(count, threshold);
        departments = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            WitnessSignature calldata signature = signatures[i];
            IIssuerRegistry.SigningKey memory key = _keyOf(signature.keyId);
            if (key.revokedAt != 0) revert WitnessQuorumKeyRevoked(signature.keyId, key.revokedAt);
            if (!_registry.isWitness(key.departmentId)) revert WitnessQuorumNotWitness(signature.keyId, key.departmentId);
            // Quadratic, but k is a handful of departments and a set in memory would cost more.
            for (uint256 j = 0; j < i; ++j) {
                if (departments[j] == key.departmentId) revert WitnessQuorumDuplicateWitness(key.departmentId);
            }
            if (!P256.verify(digest, signature.r, signature.s, key.qx, key.qy)) {
                revert WitnessQuorumInvalidSignature(signature.keyId);
            }
            departments[i] = key.departmentId;
        }
    }

    function _keyOf(bytes32 keyId) private view returns (IIssuerRegistry.SigningKey memory key) {
        try _registry.signingKey(keyId) returns (IIssuerRegistry.SigningKey memory found) {
            return found;
        } catch {
            revert WitnessQuorumUnknownKey(keyId);
        }
    }
}
