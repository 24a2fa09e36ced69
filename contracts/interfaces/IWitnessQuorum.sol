// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./IIssuerRegistry.sol";

/**
 * @dev Statements accepted only when cosigned by at least k distinct witness departments of the
 * {IIssuerRegistry}, each with one of its current P-256 signing keys (the keys of its Fabric
 * identities). A signature is ECDSA P-256 over SHA-256 of the statement's message, with `s` in the
 * lower half of the curve order (as Fabric signers produce), given as `(keyId, r, s)`.
 */
interface IWitnessQuorum {
    /// @dev One witness signature: the registry key that made it and the ECDSA `(r, s)` pair.
    struct WitnessSignature {
        bytes32 keyId;
        bytes32 r;
        bytes32 s;
    }

    /// @dev The registry has no witness threshold yet, so nothing can be cosigned.
    error WitnessQuorumNoThreshold();

    /// @dev `signatures` were given but `threshold` distinct witnesses are needed.
    error WitnessQuorumNotReached(uint256 signatures, uint16 threshold);

    /// @dev The key is not registered in the registry.
    error WitnessQuorumUnknownKey(bytes32 keyId);

    /// @dev The key was revoked at `revokedAt`.
    error WitnessQuorumKeyRevoked(bytes32 keyId, uint64 revokedAt);

    /// @dev The key's department is not a witness.
    error WitnessQuorumNotWitness(bytes32 keyId, bytes32 departmentId);

    /// @dev The department signed twice (with the same or another of its keys).
    error WitnessQuorumDuplicateWitness(bytes32 departmentId);

    /// @dev The signature made with `keyId` does not verify.
    error WitnessQuorumInvalidSignature(bytes32 keyId);

    /// @dev The registry whose witnesses, keys and threshold this contract trusts.
    function registry() external view returns (IIssuerRegistry);
}
