// Turns what a person pasted or uploaded into a certificate document, or into a message that
// says exactly what is wrong with it. Pure, so it is unit-tested without a browser.
import type { Message, MessageKey } from '../i18n/translate';
import { jsonErrorOffset } from './json-error';

/** The largest document the portal sends; the API enforces its own limit as well. */
export const MAX_CERTIFICATE_BYTES = 1024 * 1024;

export type ParsedInput =
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly message: Message };

/** Formats a byte count for people, in the portal's language. */
export function formatBytes(bytes: number, locale: string): string {
  const kilobytes = bytes / 1024;
  // Kilobytes up to 10 MB, so a size just over the 1 MB limit does not read as "1 MB".
  if (kilobytes < 10 * 1024) {
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(Math.ceil(kilobytes));
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(kilobytes / 1024);
}

/** Line and column (1-based) of a character offset, for pointing at a JSON syntax error. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function syntaxErrorMessage(text: string): Message {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return { key: 'input.notJson' };
  if (offset >= text.length) return { key: 'input.notJsonEnd' };
  return { key: 'input.notJsonAt', params: lineAndColumn(text, offset) };
}

function kindOf(value: unknown): MessageKey {
  if (value === null) return 'input.kindNull';
  if (Array.isArray(value)) return 'input.kindArray';
  if (typeof value === 'string') return 'input.kindString';
  if (typeof value === 'number') return 'input.kindNumber';
  return 'input.kindBoolean';
}

/**
 * Parses pasted or uploaded text as a certificate document. Checks only what the portal can
 * judge (size, JSON syntax, that it is an object); whether it is a genuine certificate is
 * the verifier's answer, check by check.
 */
export function parseCertificateInput(text: string, locale: string): ParsedInput {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_CERTIFICATE_BYTES) {
    return {
      ok: false,
      message: { key: 'input.tooLarge', params: { size: formatBytes(bytes, locale), max: formatBytes(MAX_CERTIFICATE_BYTES, locale) } },
    };
  }
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: { key: 'input.empty' } };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, message: syntaxErrorMessage(trimmed) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: { key: 'input.notObject', keyParams: { kind: kindOf(value) } } };
  }
  return { ok: true, document: value as Record<string, unknown> };
}

/** True when a chosen file looks like JSON by its name or its media type. */
export function isJsonFile(name: string, type: string): boolean {
  return name.toLowerCase().endsWith('.json') || type === 'application/json' || type.endsWith('+json');
}
