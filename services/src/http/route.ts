/**
 * The route table: every API operation is one {@link RouteDefinition} that states its method,
 * path, who may call it, its zod schemas and its handler. The app mounts the table, the
 * OpenAPI document is generated from it, and the authorisation-matrix test iterates it, so the
 * three can never disagree.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import type { Principal, Access } from '../identity/principal';
import type { Logger } from '../logger';

/** HTTP methods the API uses. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A documented response: its status, description and body schema (none for 204). */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Media type of the body (default `application/json`); e.g. `application/x-ndjson`, `application/pdf`. */
  readonly contentType?: string;
}

/** What a handler receives: validated input and the caller. */
export interface HandlerInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The verified caller; undefined on public routes called without a token. */
  readonly principal: Principal | undefined;
  readonly requestId: string;
  readonly log: Logger;
  /** Aborts when the client goes away; long waits should stop. */
  readonly signal: AbortSignal;
  readonly req: Request;
}

/** Writes one NDJSON line of a streamed answer. */
export type EmitLine = (line: Readonly<Record<string, unknown>>) => void;

/**
 * What a handler answers: a status, a JSON body and extra headers; or a streamed NDJSON body
 * (`ndjson`, status 200: the producer runs after the headers are sent, and an error it throws
 * becomes a final `{"type":"error","problem":…}` line); or a binary body (`binary`).
 */
export interface HandlerResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly ndjson?: (emit: EmitLine) => Promise<void>;
  readonly binary?: { readonly contentType: string; readonly data: Uint8Array };
}

/** What a route accepts. */
export interface RequestSpec {
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Media types the body may have (default `application/json` only); `text/csv` arrives as a string. */
  readonly bodyTypes?: readonly ('application/json' | 'text/csv')[];
  /**
   * The handler validates the body itself (row-level errors of a batch); `body` then only
   * documents it, and the handler receives the parsed JSON or the text as sent.
   */
  readonly bodyCheckedByHandler?: boolean;
  /** A larger body limit than the API-wide one (batch uploads). */
  readonly bodyLimitBytes?: number;
}

/** One API operation. */
export interface RouteDefinition {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** Express-style path, e.g. `/api/certificates/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly access: Access;
  /** Writes must name an `Idempotency-Key`; a replay answers the first answer. */
  readonly idempotent?: boolean;
  /** Exists only while the embedded development identity provider is on. */
  readonly devOnly?: boolean;
  readonly request?: RequestSpec;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Secrets in the answer the idempotency store must not keep (a share token): `strip` runs on
   * the answer before it is stored, `restore` on a stored answer before it is replayed.
   */
  readonly storedAnswer?: { readonly strip: (body: unknown) => unknown; readonly restore: (body: unknown) => unknown };
  /** Problem statuses this route can answer besides the generic ones (400, 401, 403, 413, 429). */
  readonly problems?: readonly number[];
  readonly handler: (input: HandlerInput<unknown, unknown, unknown>) => Promise<HandlerResult>;
}

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

/**
 * Declares a route with handler input typed from its schemas.
 *
 * @param definition - the route; `handler` gets `params`, `query` and `body` as the schemas output them.
 */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  definition: Omit<RouteDefinition, 'request' | 'handler'> & {
    readonly request?: Omit<RequestSpec, 'params' | 'query' | 'body'> & { readonly params?: P; readonly query?: Q; readonly body?: B };
    readonly handler: (input: HandlerInput<Infer<P>, Infer<Q>, Infer<B>>) => Promise<HandlerResult>;
  },
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
