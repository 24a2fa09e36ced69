/**
 * Operational routes: health, the OpenAPI document, and the outbox's dead letters.
 */
import { z } from 'zod';
import type { HealthService } from '../domain/health.service';
import { NotFoundError } from '../errors';
import { defineRoute, type RouteDefinition } from '../http/route';
import { PUBLIC, allow } from '../identity/principal';
import type { OutboxRepository } from '../repositories/outbox.repository';
import { HealthSchema, OutboxEntrySchema, OutboxIdParamsSchema } from './schemas';

/** The operational routes: health, the OpenAPI document, the outbox's dead letters. */
export function systemRoutes(health: Pick<HealthService, 'report'>, outbox: Pick<OutboxRepository, 'deadLetters' | 'retry'>, openapi: () => unknown): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'getHealth',
      method: 'get',
      path: '/api/health',
      summary: 'State of the database, Fabric, the EVM chain and the projector; 200 only when all are up',
      tags: ['system'],
      access: PUBLIC,
      responses: { 200: { description: 'Everything is up', schema: HealthSchema }, 503: { description: 'Something is down (same body)', schema: HealthSchema } },
      handler: async () => {
        const report = await health.report();
        return { status: report.status === 'up' ? 200 : 503, body: report, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      operationId: 'getOpenApi',
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      tags: ['system'],
      access: PUBLIC,
      responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
      handler: () => Promise.resolve({ status: 200, body: openapi() }),
    }),
    defineRoute({
      operationId: 'listDeadLetters',
      method: 'get',
      path: '/api/admin/outbox/dead-letters',
      summary: 'Cross-ledger actions that kept failing and wait for a person',
      tags: ['system'],
      access: allow(['admin', 'auditor']),
      responses: { 200: { description: 'The dead letters, oldest first', schema: z.array(OutboxEntrySchema) } },
      handler: async () => ({ status: 200, body: await outbox.deadLetters(500) }),
    }),
    defineRoute({
      operationId: 'retryDeadLetter',
      method: 'post',
      path: '/api/admin/outbox/:id/retry',
      summary: 'Put a dead letter back in the queue',
      tags: ['system'],
      access: allow(['admin']),
      idempotent: true,
      request: { params: OutboxIdParamsSchema },
      responses: { 202: { description: 'Queued again' } },
      problems: [404],
      handler: async ({ params }) => {
        if (!(await outbox.retry(params.id))) throw new NotFoundError('OUTBOX.NOT_FOUND', `There is no dead letter ${String(params.id)}`);
        return { status: 202 };
      },
    }),
  ];
}
