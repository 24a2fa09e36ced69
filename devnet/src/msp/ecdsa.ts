/**
 * ECDSA P-256 signatures the way Fabric makes and checks them: SHA-256 over the message, DER
 * encoding, and S in the lower half of the curve order (fabric-lib-go bccsp/sw/ecdsa.go rejects
 * high-S, and node's crypto.sign does not normalise it).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_N = P256_N >> 1n;

interface DerSignature {
  r: bigint;
  s: bigint;
}

function readDerInteger(der: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  if (der[offset] !== 0x02) return undefined;
  const length = der[offset + 1];
  if (length === undefined || length === 0 || length > 33) return undefined;
  const start = offset + 2;
  const end = start + length;
  if (end > der.length) return undefined;
  let value = 0n;
  for (let i = start; i < end; i++) value = (value << 8n) | BigInt(der[i] ?? 0);
  return { value, next: end };
}

/** Parses a DER ECDSA signature; undefined when it is not a well-formed SEQUENCE of two INTEGERs. */
export function parseDerSignature(der: Uint8Array): DerSignature | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const r = readDerInteger(der, 2);
  if (r === undefined) return undefined;
  const s = readDerInteger(der, r.next);
  if (s?.next !== der.length) return undefined;
  return { r: r.value, s: s.value };
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function encodeDerSignature({ r, s }: DerSignature): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * Signs `message` with ECDSA-SHA256 and returns a DER signature whose S is in the lower half of
 * the order, as every Fabric signer does.
 */
export function signLowS(privateKey: KeyObject, message: Uint8Array): Buffer {
  const der = sign('sha256', message, privateKey);
  const parsed = parseDerSignature(der);
  if (parsed === undefined || parsed.s <= P256_HALF_N) return der;
  return encodeDerSignature({ r: parsed.r, s: P256_N - parsed.s });
}

/**
 * Verifies a DER ECDSA-SHA256 signature over `message`, rejecting malformed DER and high-S values
 * the way Fabric's BCCSP does. Returns false instead of throwing on any malformed input.
 */
export function verifyLowS(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const parsed = parseDerSignature(signature);
  if (parsed === undefined || parsed.s > P256_HALF_N || parsed.s === 0n || parsed.r === 0n) return false;
  try {
    return verify('sha256', message, publicKey, signature);
  } catch {
    return false;
  }
}

/** Extracts the public key of a PEM or DER certificate/key as a KeyObject. */
export function publicKeyOf(pem: string | Buffer): KeyObject {
  return createPublicKey(pem);
}
