/**
 * Validation of transaction arguments. Every argument reaches the chaincode as a string
 * chosen by a client; each is checked here before anything is read or written, and a
 * failure is a `<DOMAIN>.INVALID_ARGUMENT` error naming the argument and the id involved.
 */
import { ChaincodeError, type ErrorCode } from '../errors';

/** The domains whose errors carry their own prefix. */
export type Domain = 'CERT' | 'EVIDENCE' | 'TIMEBANK';

/** A hash on the wire: `0x` and 64 lowercase hex digits (32 bytes). */
export const HASH_PATTERN = /^0x[0-9a-f]{64}$/;
/** The previous hash of a chain's first element. */
export const ZERO_HASH = `0x${'0'.repeat(64)}`;
/** Ids chosen by clients: printable ASCII without spaces, the key delimiter or slashes. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Codes (certificate types, reasons, service types, step types): upper-case words. */
export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Fabric MSP ids. */
export const MSP_PATTERN = /^[A-Za-z][A-Za-z0-9.-]{0,63}$/;
/** ISO 8601 UTC with seconds and optional milliseconds; other offsets are refused. */
const ISO_UTC_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/** Longest free text accepted anywhere (reason texts, names). */
export const MAX_TEXT = 500;

// Resident identity numbers (15 or 18 characters) and mainland mobile numbers: what personal
// data most often looks like when it is typed where an opaque id or a reason belongs.
const IDENTITY_NUMBER = /(?:^|[^0-9])(?:\d{17}[\dXx]|\d{15})(?:$|[^0-9])/;
const MOBILE_NUMBER = /(?:^|[^0-9])1[3-9]\d{9}(?:$|[^0-9])/;

/**
 * Whether a text contains something shaped like a resident identity number or a mobile number.
 *
 * @param text - any text
 * @returns true when it should not go to the ledger
 */
export function looksPersonal(text: string): boolean {
  return IDENTITY_NUMBER.test(text) || MOBILE_NUMBER.test(text);
}

function describe(value: unknown): string {
  // Rejected input is echoed for the caller, but long digit runs are masked: a refused value
  // may be exactly the identity number that must not travel further (logs, error details).
  if (typeof value === 'string') return JSON.stringify((value.length > 80 ? `${value.slice(0, 80)}…` : value).replace(/\d{6,}/g, '…'));
  if (value === undefined) return 'nothing';
  return typeof value;
}

/**
 * Checks the arguments of one transaction. It knows the domain, for the error code, and the
 * id the transaction is about, which every error names.
 */
export class Input {
  private readonly code: ErrorCode;

  /**
   * @param domain - prefix of the error codes
   * @param subject - the id the transaction is about (certificate, case, account...)
   */
  constructor(
    readonly domain: Domain,
    readonly subject: string,
  ) {
    this.code = `${domain}.INVALID_ARGUMENT`;
  }

  /**
   * Rejects the request.
   *
   * @param text - what is wrong, naming the argument
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT`, always
   */
  fail(text: string): never {
    throw new ChaincodeError(this.code, this.subject, `${text} (${this.subject})`);
  }

  /**
   * @param name - argument name, for the message
   * @param value - candidate string
   * @returns the value when it is a string
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  string(name: string, value: unknown): string {
    if (typeof value !== 'string') this.fail(`${name} must be a string, got ${describe(value)}`);
    return value;
  }

  /**
   * @returns `value` when it matches {@link ID_PATTERN}
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  id(name: string, value: unknown): string {
    const s = this.string(name, value);
    if (!ID_PATTERN.test(s)) {
      this.fail(`${name} must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit, got ${describe(s)}`);
    }
    // Only a whole id is checked: hex ids may contain long digit runs by chance.
    if (/^(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})$/.test(s)) this.fail(`${name} looks like an identity or phone number; ids on the ledger must be opaque`);
    return s;
  }

  /**
   * @returns `value` when it is `0x` + 64 lowercase hex digits
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise (upper case, missing prefix, wrong length...)
   */
  hash(name: string, value: unknown): string {
    const s = this.string(name, value);
    if (!HASH_PATTERN.test(s)) this.fail(`${name} must be 0x followed by 64 lowercase hex digits, got ${describe(s)}`);
    return s;
  }

  /**
   * @returns `value` when it matches {@link CODE_PATTERN}
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  codeValue(name: string, value: unknown): string {
    const s = this.string(name, value);
    if (!CODE_PATTERN.test(s)) this.fail(`${name} must be an upper-case code (A-Z, 0-9, _; at most 64), got ${describe(s)}`);
    return s;
  }

  /**
   * @returns `value` when it looks like an MSP id
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  msp(name: string, value: unknown): string {
    const s = this.string(name, value);
    if (!MSP_PATTERN.test(s)) this.fail(`${name} must be an MSP id, got ${describe(s)}`);
    return s;
  }

  /**
   * Free text of bounded length without control characters.
   *
   * @returns the text
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` when too short, too long or holding control characters
   */
  text(name: string, value: unknown, min = 1, max = MAX_TEXT): string {
    const s = this.string(name, value);
    if (s.length < min || s.length > max) this.fail(`${name} must be ${min}-${max} characters, got ${s.length}`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(s)) this.fail(`${name} must not contain control characters`);
    if (looksPersonal(s)) this.fail(`${name} seems to contain an identity or phone number; no personal data goes to the ledger`);
    return s;
  }

  /**
   * An ISO 8601 UTC time, returned in the one form the chaincode stores
   * (`YYYY-MM-DDTHH:MM:SS.sssZ`), so that equal instants are equal strings.
   *
   * @returns the normalised time
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for any other form or an impossible date
   */
  time(name: string, value: unknown): string {
    const s = this.string(name, value);
    const m = ISO_UTC_PATTERN.exec(s);
    if (!m) this.fail(`${name} must be an ISO 8601 UTC time like 2025-01-31T09:30:00Z, got ${describe(s)}`);
    const [, y, mo, d, h, mi, se, ms] = m;
    const millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se), Number((ms ?? '0').padEnd(3, '0')));
    const date = new Date(millis);
    if (
      date.getUTCFullYear() !== Number(y) ||
      date.getUTCMonth() !== Number(mo) - 1 ||
      date.getUTCDate() !== Number(d) ||
      date.getUTCHours() !== Number(h) ||
      date.getUTCMinutes() !== Number(mi) ||
      date.getUTCSeconds() !== Number(se) ||
      Number(y) < 1970 ||
      Number(y) > 9999
    ) {
      this.fail(`${name} is not a real time: ${describe(s)}`);
    }
    return date.toISOString();
  }

  /**
   * Like {@link Input.time}, with `''` meaning "not given".
   *
   * @returns the normalised time or `null`
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` as {@link Input.time}
   */
  optionalTime(name: string, value: unknown): string | null {
    return value === '' ? null : this.time(name, value);
  }

  /**
   * A pagination bookmark as Fabric returns it (a state key, which may hold the composite-key
   * delimiter U+0000), or '' for the first page.
   *
   * @returns the bookmark
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` when not a string or longer than 1024 characters
   */
  bookmark(name: string, value: unknown): string {
    const s = this.string(name, value);
    if (s.length > 1024) this.fail(`${name} must be at most 1024 characters`);
    return s;
  }

  /**
   * A whole number in a range, from a JSON number (a JSON string is refused, so `"30"` in a
   * definition is an error rather than a silent conversion).
   *
   * @returns the number
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for non-numbers, fractions or values out of range
   */
  integer(name: string, value: unknown, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(`${name} must be a whole number, got ${describe(value)}`);
    if (value < min || value > max) this.fail(`${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    return value;
  }

  /**
   * A whole number in a range, from a transaction argument written in decimal digits.
   *
   * @returns the number
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for other text (signs, exponents, fractions) or values out of range
   */
  integerArg(name: string, value: unknown, min: number, max: number): number {
    const s = this.string(name, value);
    if (!/^-?\d{1,15}$/.test(s)) this.fail(`${name} must be a whole number in decimal digits, got ${describe(s)}`);
    return this.integer(name, Number(s), min, max);
  }

  /**
   * @returns `value` when it is a boolean
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  boolean(name: string, value: unknown): boolean {
    if (typeof value !== 'boolean') this.fail(`${name} must be true or false, got ${describe(value)}`);
    return value;
  }

  /**
   * @returns `value` when it is one of `options`
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  oneOf<T extends string>(name: string, value: unknown, options: readonly T[]): T {
    const s = this.string(name, value);
    if (!(options as readonly string[]).includes(s)) this.fail(`${name} must be one of ${options.join(', ')}, got ${describe(s)}`);
    return s as T;
  }

  /**
   * Parses a JSON argument, bounded in size so a transaction cannot be made arbitrarily heavy.
   *
   * @returns the parsed value
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` when the text is too long or not JSON
   */
  json(name: string, raw: string, maxLength: number): unknown {
    if (raw.length > maxLength) this.fail(`${name} must be at most ${maxLength} characters of JSON, got ${raw.length}`);
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return this.fail(`${name} is not valid JSON`);
    }
  }

  /**
   * A JSON object, whatever its keys (the caller checks them).
   *
   * @returns the object
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for arrays, null and non-objects
   */
  record(name: string, value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(`${name} must be a JSON object`);
    return value as Record<string, unknown>;
  }

  /**
   * A JSON object with exactly the allowed keys (the required ones present), so that a field a
   * client believes it sets is never silently ignored.
   *
   * @returns the object
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for non-objects, unknown or missing keys
   */
  object(name: string, value: unknown, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    const record = this.record(name, value);
    for (const key of Object.keys(record)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(`${name} has an unknown field ${JSON.stringify(key)}`);
    }
    for (const key of required) {
      if (!(key in record)) this.fail(`${name} lacks the field ${JSON.stringify(key)}`);
    }
    return record;
  }

  /**
   * @returns `value` when it is an array of at most `max` items
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` otherwise
   */
  array(name: string, value: unknown, max: number, min = 0): unknown[] {
    if (!Array.isArray(value)) this.fail(`${name} must be a JSON array`);
    const items = value as unknown[];
    if (items.length < min || items.length > max) this.fail(`${name} must hold ${min}-${max} items, got ${items.length}`);
    return items;
  }

  /**
   * A list of distinct MSP ids, returned sorted so the stored form does not depend on the order given.
   *
   * @returns the sorted list
   * @throws ChaincodeError `<DOMAIN>.INVALID_ARGUMENT` for duplicates or malformed ids
   */
  mspList(name: string, value: unknown, min: number, max: number): string[] {
    const items = this.array(name, value, max, min).map((item, i) => this.msp(`${name}[${i}]`, item));
    const sorted = [...items].sort();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) this.fail(`${name} lists ${String(sorted[i])} twice`);
    }
    return sorted;
  }
}
