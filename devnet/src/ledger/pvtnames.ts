/**
 * Where private data lives in the state store, with Fabric's namespace naming: the hashes every
 * organisation holds under `<ns>$$h<collection>` (keyed by the hex SHA-256 of the key, valued by
 * the SHA-256 of the value), and the values themselves under `<ns>$$p<collection>`, which only
 * member organisations' peers may read.
 */
import { createHash } from 'node:crypto';

/** Namespace of a collection's hashed state. */
export function hashedNamespace(namespace: string, collection: string): string {
  return `${namespace}$$h${collection}`;
}

/** Namespace of a collection's private values. */
export function privateNamespace(namespace: string, collection: string): string {
  return `${namespace}$$p${collection}`;
}

/** SHA-256 of a key or value, as Fabric hashes private data. */
export function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Hashed-state key of a private key: the hex SHA-256 of its UTF-8 bytes. */
export function hashedKey(key: string): string {
  return sha256(key).toString('hex');
}
