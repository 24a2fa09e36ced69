/**
 * Field hashing (README.md §3). A document's fields are its header (everything except the proof
 * and the disclosable claims, which must always be shown) and each disclosable claim of
 * `credentialSubject`. A field's hash is keccak-256 over the UTF-8 bytes of the RFC 8785
 * canonical form of `{"path": <JSON Pointer>, "salt": <0x hex>, "value": <JSON>}`; the
 * `targetHash` is keccak-256 over the field hashes (as 32-byte values) in ascending order.
 */
import canonicalize from 'canonicalize';
import { CLAIM_PATH_PREFIX, HEADER_PATH, type ReadDocument } from './format';
import { hexInto, toHex, type Hex32, type Keccak256 } from './hash';

/**
 * The RFC 8785 canonical form of `{path, salt, value}`: built directly, as JCS orders the three
 * keys as written here and serialises strings and numbers exactly as JSON.stringify does (tests
 * compare this with `canonicalize` on random values).
 *
 * @throws Error when `value` holds something JSON cannot express (NaN, Infinity).
 */
export function fieldPreimage(path: string, salt: Hex32, value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new Error(`field ${path} has no JSON value`);
  return `{"path":${JSON.stringify(path)},"salt":"${salt}","value":${canonical}}`;
}

/**
 * The field hash of one field.
 *
 * @throws Error when `value` is not JSON (see {@link fieldPreimage}).
 */
export function fieldHash(k: Keccak256, path: string, salt: Hex32, value: unknown): Hex32 {
  return k.text(fieldPreimage(path, salt, value));
}

/** The JSON Pointer of a disclosable claim. */
export function claimPath(name: string): string {
  return CLAIM_PATH_PREFIX + name;
}

/**
 * The header: the document without `proof` and without the disclosable claims (the members of
 * `credentialSubject` that have their own salt).
 */
export function headerOf(doc: Readonly<Record<string, unknown>>, claims: ReadonlySet<string>): Record<string, unknown> {
  // Object.fromEntries defines properties, so a "__proto__" key stays data, never a prototype.
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([key]) => key !== 'proof')
      .map(([key, value]) =>
        key === 'credentialSubject' && typeof value === 'object' && value !== null && !Array.isArray(value)
          ? [key, Object.fromEntries(Object.entries(value).filter(([name]) => !claims.has(name)))]
          : [key, value],
      ),
  );
}

/** keccak-256 over the field hashes in ascending order. */
export function targetHashOf(k: Keccak256, fieldHashes: readonly Hex32[]): Hex32 {
  // Fixed-length lowercase hex sorts exactly as the bytes do.
  const sorted = [...fieldHashes].sort();
  const data = new Uint8Array(32 * sorted.length);
  sorted.forEach((h, i) => {
    hexInto(h, data, 32 * i);
  });
  return toHex(k.bytes(data));
}

/**
 * The field hashes of a document's visible fields (header first, then the claims in the order
 * they were read).
 *
 * @throws Error when a value is not JSON or nests too deeply for the canonicaliser.
 */
export function visibleFieldHashes(k: Keccak256, read: ReadDocument): Hex32[] {
  const headerSalt = read.salts.get(HEADER_PATH);
  if (headerSalt === undefined) throw new Error('the header has no salt');
  const subject = read.raw.credentialSubject as Record<string, unknown>;
  const hashes: Hex32[] = [fieldHash(k, HEADER_PATH, headerSalt, headerOf(read.raw, new Set(read.claims)))];
  for (const name of read.claims) {
    const path = claimPath(name);
    const salt = read.salts.get(path);
    if (salt === undefined) throw new Error(`claim ${name} has no salt`);
    hashes.push(fieldHash(k, path, salt, subject[name]));
  }
  return hashes;
}
