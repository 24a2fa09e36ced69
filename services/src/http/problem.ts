/**
 * RFC 9457 problem details: the one error middleware, which turns every error into a
 * problem+json answer with a stable `code`, logs it with the request id, and never leaks
 * internals (an unexpected error is answered as a bare 500 `INTERNAL`).
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError, isAppError } from '../errors';
import { issuesOf } from '../validation-issues';
import { ISSUE_CODES } from '../verification/issue-codes';
import { contextOf } from './request-context';

/** The problem body every error answer carries. */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'URI naming the problem type: `urn:ctl:problem:<code>`' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().meta({ description: 'The request path' }),
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. `CERT.NOT_FOUND`' }),
    requestId: z.string(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          code: z.enum(ISSUE_CODES).optional().meta({ description: 'What is wrong, for clients that word it in their own language' }),
          params: z.record(z.string(), z.union([z.string(), z.number()])).optional().meta({ description: 'Values the wording of `code` needs' }),
          row: z.number().int().optional().meta({ description: 'The batch row (1-based; 0: the CSV header or the batch as a whole)' }),
        }),
      )
      .optional()
      .meta({ description: 'Each failed constraint of an invalid request' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** Errors raised by Express's JSON body parser, mapped to their problems. */
function fromBodyParser(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  const type = err.type;
  switch (type) {
    case 'entity.parse.failed':
      return new AppError(400, 'REQUEST.MALFORMED_JSON', 'The request body is not valid JSON', { cause: err });
    case 'entity.too.large':
      return new AppError(413, 'REQUEST.BODY_TOO_LARGE', 'The request body is larger than this API accepts', { cause: err });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'REQUEST.UNSUPPORTED_ENCODING', 'The request body encoding is not supported (send UTF-8 JSON)', { cause: err });
    case 'request.aborted':
      return new AppError(400, 'REQUEST.ABORTED', 'The request was aborted', { cause: err });
    default:
      return undefined;
  }
}

/** The problem details of an {@link AppError} for this request. */
export function problemBody(req: Request, error: AppError): Record<string, unknown> {
  const { requestId } = contextOf(req);
  return {
    type: `urn:ctl:problem:${error.code}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    instance: req.path,
    code: error.code,
    requestId,
    ...error.extensions,
  };
}

/** Writes a problem answer for an {@link AppError}. */
export function sendProblem(req: Request, res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).type('application/problem+json').send(JSON.stringify(problemBody(req, error)));
}

/**
 * The error middleware. Client errors (4xx) are logged at `info` with their code; server errors
 * at `error` with the cause chain, which stays in the log and never reaches the client.
 */
export function errorMiddleware(): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = isAppError(err) ? err : (fromBodyParser(err) ?? (err instanceof z.ZodError ? new ValidationError(issuesOf(err, 'request')) : undefined));
    const error = known ?? new AppError(500, 'INTERNAL', 'An unexpected error occurred; it has been logged with the request id');
    const { log } = contextOf(req);
    if (error.status >= 500) {
      log.error({ err, code: error.code, status: error.status }, 'request failed');
    } else {
      log.info({ code: error.code, status: error.status }, 'request refused');
    }
    sendProblem(req, res, error);
  };
}
