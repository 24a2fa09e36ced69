// What an officer uploads or pastes for a batch issue, read far enough to preview it: the format,
// how many rows, the columns and the first rows. The API validates every row again and its
// row-level answer is final; the portal only refuses what cannot be a batch at all. Pure, so it
// is unit-tested without a browser.
import type { Message } from '../i18n/translate';

/** The API's limit on one batch (issue 7). */
export const MAX_BATCH_ROWS = 10_000;
/** The largest file the portal reads for a batch; 10,000 rows of a wide type fit well inside. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Rows shown in the preview. */
export const PREVIEW_ROWS = 5;
/** The columns a CSV must have, besides the type's field keys and the optional `validUntil`. */
export const REQUIRED_CSV_COLUMNS = ['idNumber', 'name'] as const;

export type BatchFormat = 'csv' | 'json';

/** A batch ready to send, with what the preview shows. */
export interface BatchPreview {
  readonly format: BatchFormat;
  /** The type code a JSON batch names (a CSV batch takes the one chosen on the form). */
  readonly typeCode: string | undefined;
  readonly rowCount: number;
  readonly columns: readonly string[];
  /** The first rows, as text, in the order of `columns`; identity numbers masked. */
  readonly rows: readonly (readonly string[])[];
  /** What is sent: the CSV text as it is, or the parsed JSON. */
  readonly body: string | Record<string, unknown>;
}

export type ParsedBatch = { readonly ok: true; readonly batch: BatchPreview } | { readonly ok: false; readonly message: Message };

/**
 * Splits RFC 4180 CSV into rows of cells: quoted cells may hold commas, doubled quotes and line
 * breaks; CRLF and LF both end a row; a leading byte-order mark is dropped; blank lines are skipped.
 *
 * @throws {SyntaxError} when a quoted cell is never closed.
 */
export function parseCsv(text: string): string[][] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let touched = false;
  const endRow = (): void => {
    if (touched || row.length > 0) rows.push([...row, cell]);
    row = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < source.length; i += 1) {
    const c = source.charAt(i);
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      touched = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i += 1;
      endRow();
    } else {
      cell += c;
      touched = true;
    }
  }
  if (quoted) throw new SyntaxError('unclosed quoted cell');
  endRow();
  return rows;
}

/** An identity number with all but its first 4 and last 4 characters hidden, for previews. */
export function maskIdNumber(value: string): string {
  if (value.length <= 8) return '•'.repeat(value.length);
  return `${value.slice(0, 4)}${'•'.repeat(value.length - 8)}${value.slice(-4)}`;
}

/** A batch file's text, and the encoding it was read in. */
export interface DecodedBatchFile {
  readonly text: string;
  readonly encoding: 'utf-8' | 'gb18030';
}

/**
 * Reads a batch file's bytes as text. UTF-8 first (a byte-order mark, as Excel's "CSV UTF-8"
 * writes, is dropped); a file that is not valid UTF-8 is read as GB18030, the superset of GBK
 * that Excel uses for "CSV" on Chinese Windows. Returns undefined when the bytes are neither, so
 * nothing is previewed or sent with characters lost (the browser's `file.text()` would replace
 * them with U+FFFD silently).
 */
export function decodeBatchFile(bytes: Uint8Array): DecodedBatchFile | undefined {
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    try {
      return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
    } catch {
      // not this encoding: try the next
    }
  }
  return undefined;
}

/** Whether a file looks like CSV (by name or media type) rather than JSON. */
export function batchFormatOf(name: string, type: string, text: string): BatchFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv') || type === 'text/csv') return 'csv';
  if (lower.endsWith('.json') || type.endsWith('json')) return 'json';
  return text.trimStart().startsWith('{') ? 'json' : 'csv';
}

function tooMany(count: number): Message {
  return { key: 'batch.tooMany', params: { count, max: MAX_BATCH_ROWS } };
}

function previewCsv(text: string): ParsedBatch {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch {
    return { ok: false, message: { key: 'batch.csvUnclosed' } };
  }
  const [header, ...rows] = table;
  if (header === undefined) return { ok: false, message: { key: 'batch.empty' } };
  const columns = header.map((name) => name.trim());
  const missing = REQUIRED_CSV_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) return { ok: false, message: { key: 'batch.csvMissingColumns', params: { columns: missing.join(', ') } } };
  if (rows.length === 0) return { ok: false, message: { key: 'batch.empty' } };
  if (rows.length > MAX_BATCH_ROWS) return { ok: false, message: tooMany(rows.length) };
  const id = columns.indexOf('idNumber');
  const shown = rows.slice(0, PREVIEW_ROWS).map((row) => columns.map((_, i) => (i === id ? maskIdNumber(row[i] ?? '') : (row[i] ?? ''))));
  return { ok: true, batch: { format: 'csv', typeCode: undefined, rowCount: rows.length, columns, rows: shown, body: text } };
}

function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function previewJson(text: string): ParsedBatch {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: { key: 'input.notJson' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: { key: 'batch.jsonShape' } };
  const body = value as Record<string, unknown>;
  const items = body.items;
  if (typeof body.typeCode !== 'string' || !Array.isArray(items)) return { ok: false, message: { key: 'batch.jsonShape' } };
  if (items.length === 0) return { ok: false, message: { key: 'batch.empty' } };
  if (items.length > MAX_BATCH_ROWS) return { ok: false, message: tooMany(items.length) };
  const records = items.map((item) => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {}));
  const holderOf = (r: Record<string, unknown>): Record<string, unknown> =>
    typeof r.holder === 'object' && r.holder !== null ? (r.holder as Record<string, unknown>) : {};
  const fieldsOf = (r: Record<string, unknown>): Record<string, unknown> =>
    typeof r.fields === 'object' && r.fields !== null ? (r.fields as Record<string, unknown>) : {};
  const fieldKeys = [...new Set(records.slice(0, PREVIEW_ROWS).flatMap((r) => Object.keys(fieldsOf(r))))];
  const columns = ['idNumber', 'name', ...fieldKeys, 'validUntil'];
  const rows = records.slice(0, PREVIEW_ROWS).map((r) => [
    maskIdNumber(cellText(holderOf(r).idNumber)),
    cellText(holderOf(r).name),
    ...fieldKeys.map((key) => cellText(fieldsOf(r)[key])),
    cellText(r.validUntil),
  ]);
  return { ok: true, batch: { format: 'json', typeCode: body.typeCode, rowCount: items.length, columns, rows, body } };
}

/**
 * Reads a batch for the preview. Checks only what makes it no batch at all (unreadable, no rows,
 * missing identity or name column, over the row limit); every row is validated by the API.
 */
export function parseBatchInput(text: string, format: BatchFormat): ParsedBatch {
  if (new TextEncoder().encode(text).length > MAX_BATCH_BYTES) return { ok: false, message: { key: 'batch.tooLarge' } };
  if (text.trim() === '') return { ok: false, message: { key: 'batch.empty' } };
  return format === 'csv' ? previewCsv(text) : previewJson(text.trim());
}
