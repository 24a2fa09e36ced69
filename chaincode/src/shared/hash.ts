/** The one hashing helper of the chaincode: SHA-256, rendered as the wire form `0x` + hex. */
import { createHash } from 'node:crypto';
import { canonicalBytes } from './canonical';

/**
 * @param data - bytes or UTF-8 text
 * @returns `0x` + 64 lowercase hex digits
 */
export function sha256(data: string | Uint8Array): string {
  return `0x${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Hash of a value's canonical JSON, so equal values hash equally whatever their key order.
 *
 * @param value - plain data
 * @returns `0x` + 64 lowercase hex digits
 * @throws Error when the value has no canonical JSON form (see canonicalJson)
 */
export function sha256Canonical(value: unknown): string {
  return sha256(canonicalBytes(value));
}
