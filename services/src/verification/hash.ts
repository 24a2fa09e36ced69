/**
 * keccak-256 and the byte/hex helpers the format needs. Hashes travel as `0x` + 64 lowercase hex
 * (the project's wire form for bytes32).
 *
 * Why WebAssembly: verification hashes every field of every document, and on the project's
 * 2-core machines the pure-JavaScript keccak in ethers manages ~38,000 hashes/s, which caps a
 * verifier at ~2,000 documents/s; hash-wasm's keccak is ~11x faster. It is the same function
 * (tests compare it with ethers on random inputs), and when WebAssembly is unavailable (a strict
 * Content-Security-Policy in a browser) the library falls back to ethers' keccak256.
 */
import { createKeccak, type IHasher } from 'hash-wasm';
import { keccak256 as ethersKeccak256 } from 'ethers';

/** A 32-byte value as `0x` + 64 lowercase hex. */
export type Hex32 = `0x${string}`;

/** Whether `value` is a bytes32 in the wire form (`0x` + 64 lowercase hex). */
export function isHex32(value: unknown): value is Hex32 {
  if (typeof value !== 'string' || value.length !== 66 || value.charCodeAt(0) !== 48 || value.charCodeAt(1) !== 120) return false;
  // A loop over the digits: a document has a dozen of these, and it costs a third of the regex.
  for (let i = 2; i < 66; i++) {
    const c = value.charCodeAt(i);
    if ((c < 48 || c > 57) && (c < 97 || c > 102)) return false;
  }
  return true;
}

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS.charAt(i >> 4) + HEX_DIGITS.charAt(i & 15));
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX_DIGITS.charCodeAt(i)] = i;

/** `0x`-prefixed lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): Hex32 {
  let out = '0x';
  for (const b of bytes) out += BYTE_TO_HEX[b] ?? '';
  return out as Hex32;
}

/**
 * Decodes a `0x`-prefixed lowercase hex string into `out` at `offset`.
 *
 * @throws RangeError when the string is not lowercase hex of the expected length.
 */
export function hexInto(hex: string, out: Uint8Array, offset = 0): void {
  const n = (hex.length - 2) >> 1;
  if (hex.length !== 2 + 2 * n || !hex.startsWith('0x') || offset + n > out.length) throw new RangeError('bad hex length');
  for (let i = 0; i < n; i++) {
    const hi = HEX_VALUE[hex.charCodeAt(2 + 2 * i)] ?? -1;
    const lo = HEX_VALUE[hex.charCodeAt(3 + 2 * i)] ?? -1;
    if (hi < 0 || lo < 0) throw new RangeError('bad hex digit');
    out[offset + i] = (hi << 4) | lo;
  }
}

/**
 * Decodes a bytes32 in wire form.
 *
 * @throws RangeError when `hex` is not `0x` + 64 lowercase hex.
 */
export function fromHex32(hex: string): Uint8Array {
  if (hex.length !== 66) throw new RangeError('bad bytes32 length');
  const out = new Uint8Array(32);
  hexInto(hex, out);
  return out;
}

/** Lexicographic order of two byte strings of equal length (-1, 0, 1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A synchronous keccak-256 over bytes or a string (UTF-8). */
export interface Keccak256 {
  /** keccak-256 of the concatenation of `parts`, as bytes. */
  bytes(...parts: Uint8Array[]): Uint8Array;
  /** keccak-256 of the UTF-8 encoding of `text`, as wire hex. */
  text(text: string): Hex32;
  /** keccak-256 of the UTF-8 encoding of `text`, as bytes (for hashes that are hashed again). */
  textBytes(text: string): Uint8Array;
  /** Which implementation answers: `wasm` or `js` (ethers). */
  readonly implementation: 'wasm' | 'js';
}

const encoder = new TextEncoder();
/** Where {@link Keccak256.text} encodes the strings it hashes; longer ones are encoded on their own. */
const scratch = new Uint8Array(4096);

function ethersKeccak(): Keccak256 {
  return {
    implementation: 'js',
    bytes(...parts) {
      const data = parts.length === 1 && parts[0] !== undefined ? parts[0] : concatBytes(parts);
      return fromHex32(ethersKeccak256(data));
    },
    text(text) {
      return ethersKeccak256(encoder.encode(text)) as Hex32;
    },
    textBytes(text) {
      return fromHex32(ethersKeccak256(encoder.encode(text)));
    },
  };
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Starts a hash of `text`'s UTF-8 bytes. */
function updateText(hasher: IHasher, text: string): void {
  hasher.init();
  // hash-wasm encodes a string into a new buffer per call; encoding into one reused buffer saves
  // about a third of a field hash. TextEncoder and hash-wasm's encoder both write UTF-8 with
  // U+FFFD for a lone surrogate, so the bytes are the same.
  const { read, written } = encoder.encodeInto(text, scratch);
  hasher.update(read === text.length ? scratch.subarray(0, written) : text);
}

let ready: Promise<Keccak256> | undefined;
let current: Keccak256 | undefined;

/**
 * The keccak-256 implementation, loading the WebAssembly one on first use. Concurrent callers
 * share one instance: the hasher is used synchronously (init, update, digest with no await in
 * between), so JavaScript's single thread keeps calls from interleaving.
 */
export function keccak(): Promise<Keccak256> {
  ready ??= createKeccak(256).then(
    (hasher): Keccak256 => ({
      implementation: 'wasm',
      bytes(...parts) {
        hasher.init();
        for (const p of parts) hasher.update(p);
        return hasher.digest('binary');
      },
      text(text) {
        updateText(hasher, text);
        return `0x${hasher.digest('hex')}`;
      },
      textBytes(text) {
        updateText(hasher, text);
        return hasher.digest('binary');
      },
    }),
    () => ethersKeccak(),
  ).then((k) => (current = k));
  return ready;
}

/** The WebAssembly (or fallback) keccak once {@link keccak} has loaded it, else undefined; lets hot paths skip an await. */
export function keccakIfLoaded(): Keccak256 | undefined {
  return current;
}

/**
 * The loaded keccak-256, or the JavaScript one when {@link keccak} has not finished loading yet;
 * for synchronous helpers that cannot await.
 */
export function keccakSync(): Keccak256 {
  return current ?? ethersKeccak();
}

/** keccak-256 of a string's UTF-8 bytes as wire hex, e.g. `departmentId = keccak256(bytes(mspId))`. */
export function keccakText(text: string): Hex32 {
  return keccakSync().text(text);
}
