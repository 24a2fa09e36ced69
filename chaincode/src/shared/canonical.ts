/**
 * Deterministic serialisation. Every endorsing peer must produce the same bytes for the same
 * state, so values go to the ledger with their object keys sorted (by UTF-16 code units, as
 * RFC 8785 orders them), without whitespace, and with numbers in ECMAScript form. For the
 * plain data the chaincode stores (strings, safe integers, booleans, null, arrays, objects)
 * the output is RFC 8785 (JCS) canonical JSON.
 */

/**
 * Serialises a value with sorted keys. Properties whose value is `undefined` are left out,
 * as `JSON.stringify` does, so optional fields never change the bytes.
 *
 * @param value - plain data: objects, arrays, strings, finite numbers, booleans, null
 * @returns the canonical JSON text
 * @throws Error when the value holds a non-finite number, a bigint, a function or a symbol,
 *   which have no canonical JSON form (a defect in the caller, never user input)
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}

/**
 * Canonical JSON as UTF-8 bytes, the form written to the ledger and into events.
 *
 * @param value - plain data (see {@link canonicalJson})
 * @returns the bytes
 * @throws Error as {@link canonicalJson}
 */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
