/**
 * Field hashing (README.md §3). A document's fields are its header (everything except the proof
 * and the disclosable claims, which must always be shown) and each disclosable claim of
 * `credentialSubject`. A field's hash is keccak-256 over the UTF-8 bytes of the RFC 8785
 * canonical form of `{"path": <JSON Pointer>, "salt": <0x hex>, "value": <JSON>}`; the
 * `targetHash` is keccak-256 over the field hashes (as 32-byte values) in ascending order.
 */
import canonicalize from 'canonicalize';
import { CLAIM_PATH_PREFIX, HEADER_PATH, type ReadDocument } from './format';
import { compareBytes, fromHex32, toHex, type Hex32, type Keccak256 } from './hash';

/**
 * The RFC 8785 canonical form of `{path, salt, value}`: built directly, as JCS orders the three
 * keys as written here and serialises strings and numbers exactly as JSON.stringify does (tests
 * compare this with `canonicalize` on random values).
 *
 * @throws Error when `value` holds something JSON cannot express (NaN, Infinity).
 */
export function fieldPreimage(path: string, salt: Hex32, value: unknown): string {
  return preimageOf(path, salt, canonicalOf(value));
}

/**
 * RFC 8785 of a value; a string's is JSON.stringify's (which `canonicalize` itself calls), so
 * the most common claim skips the library's type checks.
 */
function canonicalOf(value: unknown): string | undefined {
  return typeof value === 'string' ? JSON.stringify(value) : canonicalize(value);
}

function preimageOf(path: string, salt: Hex32, canonical: string | undefined): string {
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

/**
 * RFC 8785 of the header, written straight from the document: the same text as
 * `canonicalize(headerOf(doc, claims))` (members sorted, `undefined` and symbol members left
 * out, every value serialised by `canonicalize`) without building the header object first. A
 * document or subject that answers to `toJSON`, which `canonicalize` would call, takes that path.
 */
export function headerCanonical(doc: Readonly<Record<string, unknown>>, claims: ReadonlySet<string>): string | undefined {
  const value = doc.credentialSubject;
  const subject = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Readonly<Record<string, unknown>>) : undefined;
  if ('toJSON' in doc || (subject !== undefined && 'toJSON' in subject)) return canonicalize(headerOf(doc, claims));
  return membersCanonical(
    doc,
    (key) => key === 'proof',
    (key, member) => (key === 'credentialSubject' && subject !== undefined ? membersCanonical(subject, (name) => claims.has(name)) : canonicalize(member)),
  );
}

/** `canonicalize`'s serialisation of an object, without the members `skip` names. */
function membersCanonical(
  object: Readonly<Record<string, unknown>>,
  skip: (key: string) => boolean,
  serialize: (key: string, value: unknown) => string | undefined = (_, value) => canonicalize(value),
): string {
  let out = '';
  for (const key of Object.keys(object).sort()) {
    if (skip(key)) continue;
    const value = object[key];
    if (value === undefined || typeof value === 'symbol') continue;
    // As canonicalize does, a value with no JSON form (a function) is written as "undefined".
    out += `${out.length === 0 ? '' : ','}${JSON.stringify(key)}:${String(serialize(key, value))}`;
  }
  return `{${out}}`;
}

/** keccak-256 over the field hashes in ascending order. */
export function targetHashOf(k: Keccak256, fieldHashes: readonly Hex32[]): Hex32 {
  return targetHashOfBytes(k, fieldHashes.map(fromHex32));
}

/** {@link targetHashOf} over field hashes given as bytes (the verifier's path: no hex round trip). */
export function targetHashOfBytes(k: Keccak256, fieldHashes: readonly Uint8Array[]): Hex32 {
  const sorted = [...fieldHashes].sort(compareBytes);
  const data = new Uint8Array(32 * sorted.length);
  sorted.forEach((h, i) => {
    data.set(h, 32 * i);
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
  return visibleFieldHashBytes(k, read).map(toHex);
}

/**
 * {@link visibleFieldHashes} as bytes, which the verifier hashes again into the `targetHash`.
 *
 * @throws Error when a value is not JSON or nests too deeply for the canonicaliser.
 */
export function visibleFieldHashBytes(k: Keccak256, read: ReadDocument): Uint8Array[] {
  const headerSalt = read.salts.get(HEADER_PATH);
  if (headerSalt === undefined) throw new Error('the header has no salt');
  const subject = read.raw.credentialSubject as Record<string, unknown>;
  const hashes: Uint8Array[] = [k.textBytes(preimageOf(HEADER_PATH, headerSalt, headerCanonical(read.raw, new Set(read.claims))))];
  for (const name of read.claims) {
    const path = claimPath(name);
    const salt = read.salts.get(path);
    if (salt === undefined) throw new Error(`claim ${name} has no salt`);
    hashes.push(k.textBytes(fieldPreimage(path, salt, subject[name])));
  }
  return hashes;
}
