// Newline-delimited JSON read from a streamed response, one value per line as it arrives, and the
// events of a batch issue (POST /api/certificate-batches) read from those values.

/** The longest line accepted; a batch's last line lists at most 10,000 transaction ids. */
export const MAX_NDJSON_LINE = 4 * 1024 * 1024;

/** A stream that did not carry NDJSON. `code` is stable. */
export class NdjsonError extends Error {
  readonly code: 'NDJSON.BAD_LINE' | 'NDJSON.LINE_TOO_LONG';
  readonly line: number;

  constructor(code: NdjsonError['code'], line: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = NdjsonError.name;
    this.code = code;
    this.line = line;
  }
}

/**
 * Yields each line's JSON value as soon as the line is complete; blank lines are skipped and a
 * last line without a newline still counts.
 *
 * @throws {NdjsonError} `NDJSON.BAD_LINE` for a line that is not JSON, `NDJSON.LINE_TOO_LONG`
 *   for a line over {@link MAX_NDJSON_LINE} characters.
 */
export async function* readNdjson(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown, void, undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let lineNumber = 0;
  const parse = (line: string): unknown => {
    lineNumber += 1;
    try {
      return JSON.parse(line);
    } catch (cause) {
      throw new NdjsonError('NDJSON.BAD_LINE', lineNumber, `line ${lineNumber} is not JSON`, { cause });
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n');
      while (end >= 0) {
        const line = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        if (line !== '') yield parse(line);
        end = buffer.indexOf('\n');
      }
      if (buffer.length > MAX_NDJSON_LINE) throw new NdjsonError('NDJSON.LINE_TOO_LONG', lineNumber + 1, `line ${lineNumber + 1} is too long`);
    }
    const last = (buffer + decoder.decode()).trim();
    if (last !== '') yield parse(last);
  } finally {
    // Stops the download when the reader gives up early (an error line, a page left).
    await reader.cancel().catch(() => undefined);
  }
}

/** The phases of a batch issue, in order. */
export const BATCH_PHASES = ['validated', 'wrapped', 'recorded', 'anchored'] as const;
export type BatchPhase = (typeof BATCH_PHASES)[number];

export interface BatchProgress {
  readonly type: 'progress';
  readonly phase: BatchPhase;
  readonly done: number;
  readonly total: number;
}

export interface BatchDone {
  readonly type: 'done';
  readonly batchId: string;
  readonly root: string;
  readonly count: number;
  readonly transactionIds: readonly string[];
  readonly blockNumber: number;
  readonly anchored: boolean;
}

export interface BatchFailure {
  readonly type: 'error';
  readonly problem: Record<string, unknown>;
}

export type BatchEvent = BatchProgress | BatchDone | BatchFailure;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads one line of a batch issue's answer; undefined for a line the portal does not know (skipped, never guessed at). */
export function batchEventOf(value: unknown): BatchEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.type === 'progress' && (BATCH_PHASES as readonly unknown[]).includes(v.phase) && isCount(v.done) && isCount(v.total)) {
    return { type: 'progress', phase: v.phase as BatchPhase, done: v.done, total: v.total };
  }
  if (
    v.type === 'done' &&
    typeof v.batchId === 'string' &&
    typeof v.root === 'string' &&
    isCount(v.count) &&
    Array.isArray(v.transactionIds) &&
    v.transactionIds.every((id) => typeof id === 'string') &&
    isCount(v.blockNumber) &&
    typeof v.anchored === 'boolean'
  ) {
    return { type: 'done', batchId: v.batchId, root: v.root, count: v.count, transactionIds: v.transactionIds, blockNumber: v.blockNumber, anchored: v.anchored };
  }
  if (v.type === 'error' && typeof v.problem === 'object' && v.problem !== null) return { type: 'error', problem: v.problem as Record<string, unknown> };
  return undefined;
}

/** Overall progress from 0 to 1: each phase is a quarter, filled by its done/total. */
export function batchFraction(progress: BatchProgress): number {
  const index = BATCH_PHASES.indexOf(progress.phase);
  const within = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 1;
  return (index + within) / BATCH_PHASES.length;
}
