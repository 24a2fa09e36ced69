/**
 * The one error type of the services. Every failure the API reports to a client is an
 * {@link AppError} (or is turned into one by the error middleware), carrying a stable `code`
 * that clients branch on and the HTTP status it maps to. Messages are written for the client
 * and must never contain personal data, tokens or internals.
 */
import type { IssueCode, IssueParams } from './verification/issue-codes';

/** Extra members an error adds to its problem+json body (RFC 9457 extension members). */
export type ProblemExtensions = Readonly<Record<string, unknown>>;

/** Options shared by every {@link AppError}. */
export interface AppErrorOptions {
  /** Underlying error, kept for logs only; never serialised to the client. */
  readonly cause?: unknown;
  /** Members added to the problem body, e.g. validation `errors`. */
  readonly extensions?: ProblemExtensions;
  /** Response headers the error needs, e.g. `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An error with a stable machine-readable code and the HTTP status it maps to. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extensions: ProblemExtensions;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = AppError.name;
    this.status = status;
    this.code = code;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** One failed constraint of a request, as reported in a validation problem. */
export interface ValidationIssue {
  /** Where in the request: `body.holder.name`, `query.minBlock`, `header.idempotency-key`. */
  readonly path: string;
  /** In English, for people reading the answer. */
  readonly message: string;
  /** What is wrong, for clients that word it themselves (absent when no code fits). */
  readonly code?: IssueCode;
  /** Values the client's wording of `code` needs, e.g. `{ max: 100 }`. */
  readonly params?: IssueParams;
}

/** The request does not match its schema (wrong type, unknown field, missing value). */
export class ValidationError extends AppError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], message = 'The request is not valid') {
    super(400, 'REQUEST.VALIDATION_FAILED', message, { extensions: { errors: issues } });
    this.name = ValidationError.name;
    this.issues = issues;
  }
}

/** A resource that does not exist (or that the caller may not know exists). */
export class NotFoundError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(404, code, message, options);
    this.name = NotFoundError.name;
  }
}

/** The request conflicts with the current state (duplicate, reused key, concurrent change). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(409, code, message, options);
    this.name = ConflictError.name;
  }
}

/** No valid credentials (missing, malformed, expired or untrusted token). */
export class UnauthenticatedError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(401, code, message, {
      ...options,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token"`, ...options?.headers },
    });
    this.name = UnauthenticatedError.name;
  }
}

/** Valid credentials, but the caller's roles or organisation do not allow the action. */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(403, code, message, options);
    this.name = ForbiddenError.name;
  }
}

/** A dependency (ledger, database) cannot serve the request now; the client may retry. */
export class UnavailableError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions & { retryAfterSeconds?: number }) {
    const retry = options?.retryAfterSeconds;
    super(503, code, message, {
      ...options,
      headers: retry === undefined ? options?.headers : { 'Retry-After': String(retry), ...options?.headers },
    });
    this.name = UnavailableError.name;
  }
}

/** Whether a value is an {@link AppError}; narrows `unknown` in catch blocks. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
