// The portal's one error type for API calls: RFC 9457 problem details from the API, or a
// network failure, with a stable code the pages can branch on.

/** Codes the portal itself assigns; every other code comes from the API's problem document. */
export const CLIENT_CODES = {
  network: 'CLIENT.NETWORK',
  badResponse: 'CLIENT.BAD_RESPONSE',
  unexpected: 'CLIENT.UNEXPECTED',
} as const;

/** One field-level complaint, when the API lists them. */
export interface FieldProblem {
  readonly path: string;
  /** The API's English wording. */
  readonly message: string;
  /** The row of a batch the problem is in, when the API names one (BATCH.INVALID_ROWS). */
  readonly row?: number;
  /** What is wrong as the API's issue code, which the portal words in the person's language. */
  readonly code?: string;
  /** Values for that wording (numbers and short texts only). */
  readonly params?: Readonly<Record<string, string | number>>;
}

/** An API call that did not succeed. `status` is 0 when no HTTP answer arrived. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly fieldProblems: readonly FieldProblem[];

  constructor(init: {
    code: string;
    status: number;
    title: string;
    detail?: string | undefined;
    requestId?: string | undefined;
    fieldProblems?: readonly FieldProblem[];
    cause?: unknown;
  }) {
    super(init.detail ?? init.title, { cause: init.cause });
    this.name = ApiError.name;
    this.code = init.code;
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.fieldProblems = init.fieldProblems ?? [];
  }

  /** True when no HTTP answer arrived (offline, DNS, refused connection). */
  get isNetwork(): boolean {
    return this.code === CLIENT_CODES.network;
  }
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The string and number members of an issue's `params`; anything else the API might send is dropped. */
function paramsOf(value: unknown): Record<string, string | number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const params: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) params[name] = v;
  }
  return params;
}

function fieldProblemsOf(value: unknown): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  const problems: FieldProblem[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    const message = stringField(record, 'message') ?? stringField(record, 'detail');
    const rawPath = record.path ?? record.pointer;
    const path = Array.isArray(rawPath) ? rawPath.map(String).join('.') : typeof rawPath === 'string' ? rawPath : '';
    const row = record.row;
    const code = stringField(record, 'code');
    const params = paramsOf(record.params);
    if (message !== undefined) {
      problems.push({
        path,
        message,
        ...(typeof row === 'number' && Number.isSafeInteger(row) ? { row } : {}),
        ...(code === undefined ? {} : { code }),
        ...(params === undefined ? {} : { params }),
      });
    }
  }
  return problems;
}

/**
 * Builds the error for a non-2xx answer from whatever body came back: a problem document
 * when the API sent one, otherwise a generic error carrying the HTTP status.
 */
export function apiErrorFromResponse(status: number, body: unknown, requestIdHeader?: string | null): ApiError {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    return new ApiError({
      code: stringField(record, 'code') ?? `HTTP.${status}`,
      status,
      title: stringField(record, 'title') ?? `HTTP ${status}`,
      detail: stringField(record, 'detail'),
      requestId: stringField(record, 'requestId') ?? requestIdHeader ?? undefined,
      fieldProblems: fieldProblemsOf(record.errors ?? record.issues),
    });
  }
  return new ApiError({
    code: `HTTP.${status}`,
    status,
    title: `HTTP ${status}`,
    requestId: requestIdHeader ?? undefined,
  });
}

/** Turns anything a call threw into an ApiError, keeping the original as `cause`. */
export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  if (thrown instanceof TypeError) {
    // fetch rejects with a TypeError exactly when no HTTP answer arrived.
    return new ApiError({ code: CLIENT_CODES.network, status: 0, title: 'Network error', detail: thrown.message, cause: thrown });
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new ApiError({ code: CLIENT_CODES.unexpected, status: 0, title: 'Unexpected error', detail: message, cause: thrown });
}
