/**
 * The OpenAPI 3.1 document, generated from the route table's zod schemas (zod-to-openapi 8 reads
 * zod 4's `.meta()`), so the document, the validation and the handlers' types are one source.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ProblemSchema } from './problem';
import type { RouteDefinition } from './route';

/** The generated document's type (as zod-to-openapi declares it). */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const GENERIC_PROBLEMS: Readonly<Record<number, string>> = {
  400: 'The request is malformed or invalid (problem+json, code REQUEST.*)',
  401: 'No valid bearer token (AUTH.TOKEN_MISSING, AUTH.TOKEN_INVALID, AUTH.TOKEN_EXPIRED)',
  403: "The caller's roles or organisation do not allow this (AUTH.FORBIDDEN)",
  404: 'Not found',
  409: 'Conflict',
  413: 'The body is larger than the API accepts (REQUEST.BODY_TOO_LARGE)',
  415: 'The body is not application/json',
  429: 'Rate limit exceeded; see Retry-After (REQUEST.RATE_LIMITED)',
  500: 'Unexpected error (INTERNAL)',
  502: 'A ledger refused or failed the operation (LEDGER.*, EVM.*)',
  503: 'A dependency is unavailable; see Retry-After',
  504: 'A ledger did not answer in time',
};

/** Express `:id` → OpenAPI `{id}`. */
function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Generates the document for a route table.
 *
 * @param routes - the routes the app mounts (dev-only routes included only when mounted).
 * @param info - title, version and description.
 */
export function generateOpenApiDocument(routes: readonly RouteDefinition[], info: { title: string; version: string; description: string }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  // Schemas with a `.meta({ id })` become components wherever they are used.
  const problem = ProblemSchema;

  for (const route of routes) {
    const statuses = new Set<number>(route.problems ?? []);
    if (route.request !== undefined) statuses.add(400);
    if (route.request?.body !== undefined) {
      statuses.add(413);
      statuses.add(415);
    }
    if (route.access.kind !== 'public') {
      statuses.add(401);
      statuses.add(403);
    }
    if (route.idempotent === true) statuses.add(409);
    statuses.add(429);
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = spec.schema === undefined ? { description: spec.description } : { description: spec.description, content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } };
    }
    for (const status of [...statuses].sort((a, b) => a - b)) {
      responses[String(status)] ??= { description: GENERIC_PROBLEMS[status] ?? 'Error', content: { 'application/problem+json': { schema: problem } } };
    }
    const request: Parameters<typeof registry.registerPath>[0]['request'] = {};
    if (route.request?.params !== undefined) request.params = route.request.params;
    if (route.request?.query !== undefined) request.query = route.request.query;
    if (route.idempotent === true) {
      request.headers = z.object({
        'Idempotency-Key': z
          .string()
          .regex(/^[A-Za-z0-9._:-]{1,128}$/)
          .meta({ description: 'Unique per intended write (e.g. a UUID). A replay with the same body answers the first answer; a different body is refused with 409.' }),
      });
    }
    if (route.request?.body !== undefined) {
      const content: Record<string, { schema: z.ZodType }> = {};
      for (const type of route.request.bodyTypes ?? ['application/json']) {
        content[type] = { schema: type === 'text/csv' ? z.string().meta({ description: 'CSV text with a header row' }) : route.request.body };
      }
      request.body = { required: true, content };
    }
    const access = route.access;
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: [...route.tags],
      ...(access.kind === 'public' ? {} : { security: [{ bearer: [] }] }),
      'x-access': access.kind === 'public' ? { public: true } : { roles: [...access.roles], ...(access.orgs === undefined ? {} : { orgs: [...access.orgs] }) },
      ...(route.idempotent === true ? { 'x-idempotent': true } : {}),
      request,
      responses,
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
  });
}
