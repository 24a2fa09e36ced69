// P-256 keys and signatures as the departments' Fabric identities make them (node:crypto).
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { AbiCoder, keccak256 } from "ethers";

/** Order of the P-256 group. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export interface P256Key {
  privateKey: KeyObject;
  publicKey: KeyObject;
  qx: string;
  qy: string;
  /** keccak256(abi.encode(qx, qy)), the registry's key id. */
  keyId: string;
}

export function generateP256Key(): P256Key {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = publicKey.export({ format: "jwk" });
  const qx = "0x" + Buffer.from(jwk.x ?? "", "base64url").toString("hex");
  const qy = "0x" + Buffer.from(jwk.y ?? "", "base64url").toString("hex");
  return { privateKey, publicKey, qx, qy, keyId: keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [qx, qy])) };
}

const hex32 = (n: bigint): string => "0x" + n.toString(16).padStart(64, "0");

/**
 * ECDSA P-256 over SHA-256 of `message`, with `s` normalised to the lower half of the order, as
 * Fabric signers do and OpenZeppelin's P256 requires.
 */
export function signP256(key: P256Key, message: string | Uint8Array): { keyId: string; r: string; s: string } {
  const bytes = typeof message === "string" ? Buffer.from(message.slice(2), "hex") : Buffer.from(message);
  const raw = sign("sha256", bytes, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  const r = BigInt("0x" + raw.subarray(0, 32).toString("hex"));
  let s = BigInt("0x" + raw.subarray(32).toString("hex"));
  if (s > P256_N / 2n) s = P256_N - s;
  return { keyId: key.keyId, r: hex32(r), s: hex32(s) };
}

/** The high-s twin of a signature: valid ECDSA, but malleable, so the contracts refuse it. */
export function highS(signature: { keyId: string; r: string; s: string }): { keyId: string; r: string; s: string } {
  return { ...signature, s: hex32(P256_N - BigInt(signature.s)) };
}

export function sha256Hex(message: string): string {
  return "0x" + createHash("sha256").update(Buffer.from(message.slice(2), "hex")).digest("hex");
}
