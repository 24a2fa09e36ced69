/**
 * The Express 5 application: request context, security headers, rate limit, JSON body limit,
 * the route table (authenticate → authorise → validate → idempotency → handler), the OpenAPI
 * document and its reference page, metrics, the built portal with SPA fallback, and the one
 * error middleware. It holds no state of its own: everything lives in the database and ledgers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { z } from 'zod';
import { AppError, ConflictError, ForbiddenError, UnauthenticatedError, ValidationError, isAppError, type ValidationIssue } from '../errors';
import { isAllowed, type Principal } from '../identity/principal';
import type { TokenVerifier } from '../identity/token-verifier';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { IdempotencyKeyRef, IdempotencyRepository } from '../repositories/idempotency.repository';
import { issuesOf } from '../validation-issues';
import { errorMiddleware, problemBody, sendProblem } from './problem';
import { renderReferencePage } from './reference-page';
import { contextOf, requestContext } from './request-context';
import type { HandlerInput, HandlerResult, RouteDefinition } from './route';

/** What an idempotent handler can do with its key. */
export interface IdempotencyHandle {
  /** Context a previous attempt with this key saved, when it failed part-way. */
  readonly resumed: Record<string, unknown> | null;
  /** Saves context a retry needs to finish the same work (call before reaching a ledger). */
  save(context: Record<string, unknown>): Promise<void>;
}

/** Handler input of idempotent routes: the base input plus the idempotency handle. */
export type IdempotentHandlerInput<P, Q, B> = HandlerInput<P, Q, B> & { readonly idempotency: IdempotencyHandle };

/** What the app needs. */
export interface AppDependencies {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly tokenVerifier: TokenVerifier;
  readonly routes: readonly RouteDefinition[];
  readonly idempotency: IdempotencyRepository;
  readonly openapi: () => unknown;
  readonly bodyLimitBytes: number;
  readonly rateLimitPerMinute: number;
  readonly metricsEnabled: boolean;
  /** Bearer token `/metrics` requires; undefined: open. */
  readonly metricsToken?: string | undefined;
  /** What `/metrics` answers (default: this instance's registry; several instances: all of them). */
  readonly metricsText?: () => Promise<string>;
  /** Directory of the built portal; served when it has an index.html. */
  readonly webDist?: string;
  /** Express `trust proxy` setting, for client addresses behind a load balancer. */
  readonly trustProxy?: boolean | number | string;
  /**
   * Endpoints besides this origin that the portal's scripts call: the public EVM JSON-RPC URL
   * the browser verifies against (`GET /api/public/config`). Only their origins enter the CSP.
   */
  readonly browserConnectUrls?: readonly string[];
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
/** How long a claimed idempotency key blocks a concurrent retry; longer than the slowest commit. */
const IDEMPOTENCY_LOCK_MS = 120_000;

/**
 * Helmet's strict defaults, opened exactly as far as in-browser verification needs: the public
 * JSON-RPC endpoint in `connect-src`, and `'wasm-unsafe-eval'` in `script-src` so hash-wasm can
 * compile its keccak WebAssembly (no `'unsafe-eval'`: JavaScript eval stays blocked).
 */
function contentSecurityPolicy(connectUrls: readonly string[]): Parameters<typeof helmet>[0] {
  const origins = [...new Set(connectUrls.map((url) => new URL(url).origin))];
  return { contentSecurityPolicy: { directives: { connectSrc: ["'self'", ...origins], scriptSrc: ["'self'", "'wasm-unsafe-eval'"] } } };
}

/**
 * The route label for metrics and logs: `/api/certificates/:id`, never the id itself; `static`
 * for the portal's files. Read when the answer is finished, so from the original URL (a mounted
 * router rewrites `req.url` while it runs).
 */
function routeLabel(req: Request): string {
  const pathname = req.originalUrl.split('?', 1)[0] ?? '';
  if (!pathname.startsWith('/api/') && pathname !== '/metrics') return 'static';
  const route: unknown = (req as { route?: unknown }).route;
  const pattern = typeof route === 'object' && route !== null ? (route as { path?: unknown }).path : undefined;
  if (typeof pattern !== 'string') return 'unmatched';
  // `req.baseUrl` is gone once the API router has returned; its mount point is known.
  return pathname.startsWith('/api/') ? `/api${pattern}` : pattern;
}

/** Constant-time comparison of a presented bearer token with the expected one. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const presented = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(expected);
  return presented.length === wanted.length && timingSafeEqual(presented, wanted);
}

async function authenticate(req: Request, verifier: TokenVerifier, required: boolean): Promise<Principal | undefined> {
  const header = req.get('authorization');
  if (header === undefined || header === '') {
    if (required) throw new UnauthenticatedError('AUTH.TOKEN_MISSING', 'This operation needs a bearer token');
    return undefined;
  }
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (match?.[1] === undefined) {
    if (required) throw new UnauthenticatedError('AUTH.TOKEN_INVALID', 'The Authorization header is not a bearer token');
    return undefined;
  }
  try {
    return await verifier.verify(match[1]);
  } catch (err) {
    // A public route answers the same with or without a (stale) token.
    if (required) throw err;
    return undefined;
  }
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string, issues: ValidationIssue[]): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  issues.push(...issuesOf(result.error, where));
  return undefined;
}

function requestHash(route: RouteDefinition, params: unknown, body: unknown): string {
  const canonical = canonicalize({ operation: route.operationId, params: params ?? null, body: body ?? null }) ?? '';
  return createHash('sha256').update(canonical).digest('hex');
}

function describeAccess(route: RouteDefinition): string {
  if (route.access.kind === 'public') return 'everyone';
  const roles = route.access.roles.join(', ');
  return route.access.orgs === undefined ? `the roles ${roles}` : `the roles ${roles} of ${route.access.orgs.join(', ')}`;
}

/** Runs one route: the pipeline every operation goes through. */
async function runRoute(route: RouteDefinition, deps: AppDependencies, req: Request, res: Response): Promise<void> {
  const context = contextOf(req);
  const principal = await authenticate(req, deps.tokenVerifier, route.access.kind !== 'public');
  context.principal = principal;
  if (!isAllowed(route.access, principal)) {
    throw new ForbiddenError('AUTH.FORBIDDEN', `This operation is open to ${describeAccess(route)}`);
  }

  const issues: ValidationIssue[] = [];
  const hasBody = route.request?.body !== undefined;
  const bodyTypes = route.request?.bodyTypes ?? ['application/json'];
  if (hasBody && !req.is([...bodyTypes])) {
    throw new AppError(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', `Send the request body as ${bodyTypes.join(' or ')}`);
  }
  const params = parsePart(route.request?.params, req.params, 'params', issues);
  const query = parsePart(route.request?.query, { ...(req.query as Record<string, unknown>) }, 'query', issues);
  const body = route.request?.bodyCheckedByHandler === true ? (req.body as unknown) : parsePart(route.request?.body, req.body, 'body', issues);
  let keyRef: IdempotencyKeyRef | undefined;
  if (route.idempotent === true) {
    const key = req.get('idempotency-key');
    if (key === undefined) issues.push({ path: 'header.idempotency-key', message: 'is required: a unique key per intended write (e.g. a UUID)' });
    else if (!IDEMPOTENCY_KEY.test(key)) issues.push({ path: 'header.idempotency-key', message: 'must be 1 to 128 letters, digits or . _ : -' });
    else keyRef = { principal: principal?.userId ?? 'anonymous', key };
  }
  if (issues.length > 0) throw new ValidationError(issues);

  // The abort signal is made when a handler first asks for it: most never wait on anything long.
  let controller: AbortController | undefined;
  const signal = (): AbortSignal => {
    if (controller === undefined) {
      const made = new AbortController();
      controller = made;
      if (res.destroyed && !res.writableFinished) made.abort();
      else {
        res.on('close', () => {
          if (!res.writableFinished) made.abort();
        });
      }
    }
    return controller.signal;
  };
  const input: HandlerInput<unknown, unknown, unknown> = {
    params,
    query,
    body,
    principal,
    requestId: context.requestId,
    get log() {
      return context.log;
    },
    get signal() {
      return signal();
    },
    req,
  };

  if (keyRef === undefined) {
    const result = await route.handler(input);
    if (result.ndjson !== undefined) {
      await streamNdjson(req, res, result, undefined, () => Promise.resolve());
      return;
    }
    sendResult(res, result);
    return;
  }

  const ref = keyRef;
  const claim = await deps.idempotency.claim(ref, route.operationId, requestHash(route, params, body), IDEMPOTENCY_LOCK_MS);
  switch (claim.kind) {
    case 'mismatch':
      throw new ConflictError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used for a different request; use a new key for a new write');
    case 'in-progress':
      throw new ConflictError('IDEMPOTENCY.IN_PROGRESS', 'A request with this Idempotency-Key is still in progress', { headers: { 'Retry-After': '1' } });
    case 'replay': {
      for (const [name, value] of Object.entries(claim.headers)) res.setHeader(name, value);
      res.setHeader('Idempotent-Replayed', 'true');
      const lines = ndjsonLinesOf(claim.body);
      if (lines !== undefined) {
        res.status(claim.status).type('application/x-ndjson').send(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      } else if (claim.body === null) res.status(claim.status).end();
      else res.status(claim.status).json(route.storedAnswer === undefined ? claim.body : route.storedAnswer.restore(claim.body));
      return;
    }
    case 'fresh':
    case 'resumed':
      break;
  }
  const handle: IdempotencyHandle = {
    resumed: claim.kind === 'resumed' ? claim.context : null,
    save: (saved) => deps.idempotency.saveContext(ref, saved),
  };
  const release = async (): Promise<void> => {
    await deps.idempotency.fail(ref).catch((cleanup: unknown) => {
      context.log.error({ err: cleanup }, 'could not release an idempotency key');
    });
  };
  let result;
  try {
    result = await route.handler({ ...input, idempotency: handle } as IdempotentHandlerInput<unknown, unknown, unknown>);
  } catch (err) {
    await release();
    throw err;
  }
  if (result.ndjson !== undefined) {
    await streamNdjson(req, res, result, (lines) => deps.idempotency.complete(ref, 200, { [NDJSON_KEY]: lines }, result.headers), release);
    return;
  }
  await deps.idempotency.complete(ref, result.status, route.storedAnswer === undefined || result.body === undefined ? result.body : route.storedAnswer.strip(result.body), result.headers);
  sendResult(res, result);
}

/** Where a completed NDJSON answer keeps its lines in the idempotency store. */
const NDJSON_KEY = 'ndjson';

function ndjsonLinesOf(body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const lines = (body as Record<string, unknown>)[NDJSON_KEY];
  return Object.keys(body).length === 1 && Array.isArray(lines) ? lines : undefined;
}

function sendResult(res: Response, result: HandlerResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.binary !== undefined) {
    res.status(result.status).type(result.binary.contentType).send(Buffer.from(result.binary.data));
  } else if (result.body === undefined) res.status(result.status).end();
  else res.status(result.status).json(result.body);
}

/**
 * Streams an NDJSON answer: headers first, one line per emitted object. The work goes on when
 * the client goes away (a batch half-recorded is worse than one nobody watches finish). A
 * failure becomes a last `error` line carrying the problem; `failed` then keeps the idempotency
 * key resumable, `completed` stores the lines for replays.
 */
async function streamNdjson(
  req: Request,
  res: Response,
  result: HandlerResult,
  /** Stores the lines for replays (idempotent routes); undefined: nothing is kept. */
  completed: ((lines: unknown[]) => Promise<void>) | undefined,
  failed: () => Promise<void>,
): Promise<void> {
  const produce = result.ndjson;
  if (produce === undefined) return;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(200).type('application/x-ndjson');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  const lines: unknown[] = [];
  const emit = (line: Readonly<Record<string, unknown>>): void => {
    if (completed !== undefined) lines.push(line);
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(line)}\n`);
  };
  try {
    await produce(emit);
    await completed?.(lines);
  } catch (err) {
    const error = isAppError(err) ? err : new AppError(500, 'INTERNAL', 'An unexpected error occurred; it has been logged with the request id');
    const { log } = contextOf(req);
    if (error.status >= 500) log.error({ err, code: error.code }, 'streamed request failed');
    else log.info({ code: error.code, status: error.status }, 'streamed request refused');
    emit({ type: 'error', problem: problemBody(req, error) });
    await failed();
  } finally {
    if (!res.writableEnded) res.end();
  }
}

/**
 * Builds the application. Mount order matters: context first (every line and answer carries
 * the request id), the error middleware last.
 */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag on API answers: no client sends If-None-Match to them, and hashing every JSON body
  // costs each request. Static files keep theirs (express.static sets its own).
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');

  app.use(requestContext(deps.logger));
  app.use(helmet(contentSecurityPolicy(deps.browserConnectUrls ?? [])));
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeLabel(req);
      end({ method: req.method, route });
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      if (deps.logger.isLevelEnabled('info')) {
        contextOf(req).log.info(
          { method: req.method, route, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
          'request',
        );
      }
    });
    next();
  });

  if (deps.metricsEnabled) {
    const token = deps.metricsToken;
    app.get('/metrics', (req, res, next) => {
      if (token !== undefined && !bearerMatches(req.get('authorization'), token)) {
        next(new UnauthenticatedError('AUTH.TOKEN_INVALID', 'Metrics need the bearer token configured in METRICS_TOKEN'));
        return;
      }
      (deps.metricsText ?? (() => deps.metrics.registry.metrics()))()
        .then((text) => {
          res.type(deps.metrics.registry.contentType).send(text);
        })
        .catch(next);
    });
  }

  const api = express.Router();
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // Load balancers poll health; they must never be locked out.
      skip: (req) => req.path === '/health',
      handler: (req, res, _next, options) => {
        const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = reset === undefined ? Math.ceil(options.windowMs / 1000) : Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000));
        sendProblem(req, res, new AppError(429, 'REQUEST.RATE_LIMITED', 'Too many requests from this client; slow down', { headers: { 'Retry-After': String(seconds) } }));
      },
    }),
  );
  // Routes that take large uploads parse them first, with their own limit; the API-wide parser
  // then skips a body already read.
  for (const route of deps.routes) {
    const limit = route.request?.bodyLimitBytes;
    if (limit === undefined) continue;
    const relative = route.path.replace(/^\/api/, '') || '/';
    api[route.method](relative, express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] }));
    if (route.request?.bodyTypes?.includes('text/csv') === true) api[route.method](relative, express.text({ limit, type: 'text/csv' }));
  }
  api.use(express.json({ limit: deps.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));

  for (const route of deps.routes) {
    const relative = route.path.replace(/^\/api/, '') || '/';
    api[route.method](relative, (req: Request, res: Response, next: NextFunction) => {
      runRoute(route, deps, req, res).catch(next);
    });
  }
  api.get('/docs', (_req, res) => {
    res.type('html').send(renderReferencePage(deps.openapi()));
  });
  api.use((req, _res, next) => {
    next(new AppError(404, 'ROUTE.NOT_FOUND', `No operation ${req.method} ${req.baseUrl}${req.path}`));
  });
  app.use('/api', api);

  const webDist = deps.webDist;
  if (webDist !== undefined && existsSync(path.join(webDist, 'index.html'))) {
    app.use(express.static(webDist, { index: false, maxAge: '1h' }));
    // SPA fallback: every other GET that accepts HTML is a portal route.
    app.get(/^(?!\/api\/|\/metrics$).*/, (req, res, next) => {
      if (!req.accepts('html')) {
        next();
        return;
      }
      res.sendFile(path.join(webDist, 'index.html'));
    });
  }
  app.use((req, _res, next) => {
    next(new AppError(404, 'ROUTE.NOT_FOUND', `Nothing at ${req.path}`));
  });
  app.use(errorMiddleware());
  return app;
}

/** Whether an error is an {@link AppError} with one of these codes. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return isAppError(err) && codes.includes(err.code);
}
