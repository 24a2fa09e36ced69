/**
 * Batch issuance and batch reads/status: the officer's side of issue 7. The upload is read and
 * every row validated before the answer starts; progress then streams as NDJSON.
 */
import { z } from 'zod';
import type { CertificateBatchService } from '../domain/certificate-batch.service';
import { BatchIssueRequestSchema } from '../domain/certificate-batch.service';
import type { CertificateStatusService } from '../domain/certificate-status.service';
import { composeDocument } from '../domain/wallet.service';
import { ForbiddenError } from '../errors';
import type { IdempotentHandlerInput } from '../http/app';
import { defineRoute, type RouteDefinition } from '../http/route';
import { allow, type Principal } from '../identity/principal';
import type { FabricLedger } from '../ledger/fabric/fabric-ledger';
import { DocumentRepository } from '../repositories/document.repository';
import type { Kysely } from 'kysely';
import type { Database } from '../readmodel/schema';
import { BatchIdParamsSchema, BatchStreamLineSchema, BatchUploadQuerySchema, CertificateBatchSchema, StatusChangeRequestSchema } from './schemas';

function signedIn(principal: Principal | undefined): Principal {
  if (principal === undefined) throw new ForbiddenError('AUTH.FORBIDDEN', 'Sign in first');
  return principal;
}

/** Body limit of a batch upload: 10,000 rows of up to ~1.6 KiB. */
export const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** What the batch routes need. */
export interface BatchRouteServices {
  readonly batches: Pick<CertificateBatchService, 'prepare' | 'get' | 'ownPlan'>;
  readonly status: Pick<CertificateStatusService, 'changeBatch'>;
  readonly documents: { readonly db: Kysely<Database>; readonly fabric: Pick<FabricLedger, 'channel' | 'chaincode'> };
}

/** The batch routes. */
export function certificateBatchRoutes(services: BatchRouteServices): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'issueCertificateBatch',
      method: 'post',
      path: '/api/certificate-batches',
      summary: 'Issue up to 10,000 certificates under one Merkle root (role officer), with streamed progress',
      description:
        'JSON `{ typeCode, items: [{ holder: { idNumber, name }, fields, validUntil? }] }` or text/csv (header `idNumber,name,<field keys…>,validUntil`, with `?typeCode=`; UTF-8 unless the Content-Type names another charset, e.g. `text/csv; charset=gb18030` for Excel’s Chinese CSV). Every row is validated first (text holding U+FFFD, the mark of a wrong encoding, fails): failing rows → 422 BATCH.INVALID_ROWS with `errors: [{ row, path, message }]` (row 1 is the first item or CSV data row), duplicate rows (same holder, type and fields) → 409 BATCH.DUPLICATE_ROWS, a used batch id → 409 BATCH.ID_USED, over 10,000 → 413 BATCH.TOO_LARGE; nothing is issued then. Otherwise the answer is 200 application/x-ndjson: progress lines (validated, wrapped, recorded…, anchored) then `done`, or `error` with the problem if a ledger fails mid-way (a retry with the same Idempotency-Key resumes; nothing is issued twice). The anchored phase waits up to 30 s for TrustAnchor.',
      tags: ['certificates'],
      access: allow(['officer']),
      idempotent: true,
      request: { query: BatchUploadQuerySchema, body: BatchIssueRequestSchema, bodyTypes: ['application/json', 'text/csv'], bodyCheckedByHandler: true, bodyLimitBytes: BATCH_BODY_LIMIT_BYTES },
      responses: { 200: { description: 'One JSON object per line: BatchProgressEvent…, then BatchDoneEvent or BatchErrorEvent', schema: BatchStreamLineSchema, contentType: 'application/x-ndjson' } },
      problems: [404, 409, 413, 422, 502, 503, 504],
      handler: async (input) => {
        const { principal, body, query, idempotency } = input as IdempotentHandlerInput<undefined, z.output<typeof BatchUploadQuerySchema>, unknown>;
        const produce = await services.batches.prepare(signedIn(principal), body, query, idempotency);
        return { status: 200, ndjson: produce };
      },
    }),
    defineRoute({
      operationId: 'getCertificateBatch',
      method: 'get',
      path: '/api/certificate-batches/:batchId',
      summary: "A batch: root, count, status and anchor (officers of the issuing department, auditors, administrators)",
      tags: ['certificates'],
      access: allow(['officer', 'auditor', 'admin']),
      request: { params: BatchIdParamsSchema },
      responses: { 200: { description: 'The batch', schema: CertificateBatchSchema } },
      problems: [404],
      handler: async ({ principal, params }) => ({ status: 200, body: await services.batches.get(signedIn(principal), params.batchId) }),
    }),
    defineRoute({
      operationId: 'getCertificateBatchDocuments',
      method: 'get',
      path: '/api/certificate-batches/:batchId/documents',
      summary: "The batch's wrapped documents, one per line, for printing or delivery (officers of the issuing department)",
      tags: ['certificates'],
      access: allow(['officer']),
      request: { params: BatchIdParamsSchema },
      responses: { 200: { description: 'One CertificateDocument per line (application/x-ndjson)', schema: z.string(), contentType: 'application/x-ndjson' } },
      problems: [404],
      handler: async ({ principal, params }) => {
        const plan = await services.batches.ownPlan(signedIn(principal), params.batchId);
        const repository = new DocumentRepository(services.documents.db);
        return {
          status: 200,
          headers: { 'Content-Disposition': `attachment; filename="${plan.batchId}.ndjson"` },
          ndjson: async (emit) => {
            for (let after = 0; ; ) {
              const page = await repository.batchDocuments(plan.batchId, after, 500);
              for (const stored of page) emit(composeDocument(stored, services.documents.fabric) as unknown as Record<string, unknown>);
              const last = page[page.length - 1];
              if (last === undefined || page.length < 500) return;
              after = last.position;
            }
          },
        };
      },
    }),
    defineRoute({
      operationId: 'changeCertificateBatchStatus',
      method: 'post',
      path: '/api/certificate-batches/:batchId/status',
      summary: "Suspend, reinstate or revoke a whole batch (officers of the issuing department); a revocation also goes to TrustAnchor (revoke(root, reasonCode))",
      tags: ['certificates'],
      access: allow(['officer']),
      idempotent: true,
      request: { params: BatchIdParamsSchema, body: StatusChangeRequestSchema },
      responses: { 200: { description: 'The updated batch', schema: CertificateBatchSchema } },
      problems: [404, 409, 502, 503, 504],
      handler: async (input) => {
        const { principal, params, body, idempotency } = input as IdempotentHandlerInput<z.output<typeof BatchIdParamsSchema>, undefined, z.output<typeof StatusChangeRequestSchema>>;
        return { status: 200, body: await services.status.changeBatch(signedIn(principal), params.batchId, body, idempotency) };
      },
    }),
  ];
}
