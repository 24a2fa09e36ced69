/**
 * ECDSA P-256 signatures the way Fabric makes and checks them: SHA-256 over the message, DER
 * encoding, and S in the lower half of the curve order (fabric-lib-go bccsp/sw/ecdsa.go rejects
 * high-S, and node's crypto.sign does not normalise it). Every transaction passes through these
 * functions several times, so S is compared and normalised on bytes rather than big integers.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const SCALAR_BYTES = 32;

function scalarBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(2 * SCALAR_BYTES, '0'), 'hex');
}

/** ⌊n/2⌋: the largest S Fabric accepts. */
const HALF_N = scalarBytes(P256_N >> 1n);

interface DerSignature {
  r: bigint;
  s: bigint;
}

/** The unsigned big-endian magnitude of one DER INTEGER, or undefined when malformed or not positive. */
function readDerInteger(der: Uint8Array, offset: number): { magnitude: Uint8Array; next: number } | undefined {
  if (der[offset] !== 0x02) return undefined;
  const length = der[offset + 1];
  if (length === undefined || length === 0 || length > SCALAR_BYTES + 1) return undefined;
  const start = offset + 2;
  const end = start + length;
  if (end > der.length) return undefined;
  // A set top bit is a negative number; Go's asn1 and OpenSSL refuse those as ECDSA scalars.
  if (((der[start] ?? 0) & 0x80) !== 0) return undefined;
  let first = start;
  while (first < end && der[first] === 0) first++;
  if (first === end) return undefined;
  return { magnitude: der.subarray(first, end), next: end };
}

function compareMagnitude(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  return Buffer.compare(a, b);
}

function splitDer(der: Uint8Array): { r: Uint8Array; s: Uint8Array } | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const r = readDerInteger(der, 2);
  if (r === undefined) return undefined;
  const s = readDerInteger(der, r.next);
  if (s?.next !== der.length) return undefined;
  return { r: r.magnitude, s: s.magnitude };
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Parses a DER ECDSA signature; undefined when it is not a well-formed SEQUENCE of two positive INTEGERs. */
export function parseDerSignature(der: Uint8Array): DerSignature | undefined {
  const parts = splitDer(der);
  return parts === undefined ? undefined : { r: toBigInt(parts.r), s: toBigInt(parts.s) };
}

/** Appends the DER INTEGER of a 32-byte unsigned big-endian scalar. */
function derInteger(scalar: Uint8Array): Buffer {
  let first = 0;
  while (first < scalar.length - 1 && scalar[first] === 0) first++;
  const body = scalar.subarray(first);
  const pad = ((body[0] ?? 0) & 0x80) !== 0 ? 1 : 0;
  const out = Buffer.allocUnsafe(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  if (pad === 1) out[2] = 0;
  out.set(body, 2 + pad);
  return out;
}

/**
 * Signs `message` with ECDSA-SHA256 and returns a DER signature whose S is in the lower half of
 * the order, as every Fabric signer does.
 */
export function signLowS(privateKey: KeyObject, message: Uint8Array): Buffer {
  const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const r = raw.subarray(0, SCALAR_BYTES);
  let s: Uint8Array = raw.subarray(SCALAR_BYTES);
  if (Buffer.compare(s, HALF_N) > 0) s = scalarBytes(P256_N - toBigInt(s));
  const encodedR = derInteger(r);
  const encodedS = derInteger(s);
  return Buffer.concat([Buffer.from([0x30, encodedR.length + encodedS.length]), encodedR, encodedS]);
}

/**
 * Verifies a DER ECDSA-SHA256 signature over `message`, rejecting malformed DER and high-S values
 * the way Fabric's BCCSP does. Returns false instead of throwing on any malformed input.
 */
export function verifyLowS(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const parts = splitDer(signature);
  if (parts === undefined || compareMagnitude(parts.s, HALF_N) > 0) return false;
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
