/**
 * Per-request context: the request id (accepted from `X-Request-Id` when well-formed, else
 * generated), echoed on every response and bound into a child logger so every log line of the
 * request carries it.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Principal } from '../identity/principal';
import type { Logger } from '../logger';

/** What the middlewares learn about a request. */
export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
  principal: Principal | undefined;
}

const contexts = new WeakMap<Request, RequestContext>();
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The context of a request.
 *
 * @throws Error when {@link requestContext} was not mounted before the caller (a wiring defect).
 */
export function contextOf(req: Request): RequestContext {
  const context = contexts.get(req);
  if (context === undefined) throw new Error('request has no context; mount requestContext() first');
  return context;
}

/** Middleware that creates the request's context and sets `X-Request-Id` on the response. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    // The child logger is made on first use: most requests log nothing below the configured level.
    let log: Logger | undefined;
    contexts.set(req, {
      requestId,
      get log() {
        return (log ??= logger.child({ requestId }));
      },
      principal: undefined,
    });
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
