/**
 * Key ordering. Fabric (Go, LevelDB) orders keys by their UTF-8 bytes; JavaScript's `<` orders by
 * UTF-16 code units, which disagrees for U+E000–U+FFFF versus characters above U+FFFF. Every
 * range scan, rwset sort and composite-key bound here goes through {@link compareKeys}.
 */

function rank(unit: number): number {
  // Surrogates encode code points above U+FFFF, which sort after every BMP character in UTF-8.
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

/** Compares two strings in UTF-8 byte order; negative, zero or positive like a sort comparator. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return rank(ca) - rank(cb);
  }
  return a.length - b.length;
}

/** A sorted set of keys (UTF-8 order) with binary-search insertion and range lookup. */
export class SortedKeys {
  private readonly keys: string[];

  constructor(keys: string[] = []) {
    this.keys = keys;
  }

  /** Builds the set from keys in any order (one sort instead of n insertions). */
  static from(keys: Iterable<string>): SortedKeys {
    return new SortedKeys([...new Set(keys)].sort(compareKeys));
  }

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid] ?? '', key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  at(index: number): string | undefined {
    return this.keys[index];
  }

  /** Keys in `[start, end)`; an empty `end` means unbounded. */
  *range(start: string, end: string): Generator<string, void, undefined> {
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const key = this.keys[i] ?? '';
      if (end !== '' && compareKeys(key, end) >= 0) return;
      yield key;
    }
  }
}
