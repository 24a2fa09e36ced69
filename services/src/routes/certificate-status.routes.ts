/**
 * A certificate's public ledger record (what verifiers read), its status changes (officers of
 * the issuing department) and its printable forms (holder or issuing department).
 */
import type { z } from 'zod';
import { z as zod } from 'zod';
import type { CertificateStatusService } from '../domain/certificate-status.service';
import type { VerificationService } from '../domain/verification.service';
import type { WalletService } from '../domain/wallet.service';
import { ForbiddenError } from '../errors';
import type { IdempotentHandlerInput } from '../http/app';
import { defineRoute, type RouteDefinition } from '../http/route';
import { PUBLIC, allow, type Principal } from '../identity/principal';
import { CertificateIdParamsSchema, LedgerRecordSchema, StatusChangeRequestSchema } from './schemas';

function signedIn(principal: Principal | undefined): Principal {
  if (principal === undefined) throw new ForbiddenError('AUTH.FORBIDDEN', 'Sign in first');
  return principal;
}

/** What these routes need. */
export interface CertificateStatusRouteServices {
  readonly status: Pick<CertificateStatusService, 'changeCertificate'>;
  readonly verification: Pick<VerificationService, 'publicRecord'>;
  readonly wallet: Pick<WalletService, 'print'>;
}

/** Status and printing routes of one certificate. */
export function certificateStatusRoutes(services: CertificateStatusRouteServices): RouteDefinition[] {
  const print = (format: 'pdf' | 'png'): RouteDefinition =>
    defineRoute({
      operationId: format === 'pdf' ? 'getCertificatePdf' : 'getCertificatePng',
      method: 'get',
      path: `/api/certificates/:id/document.${format}`,
      summary:
        format === 'pdf'
          ? 'A printable certificate (A4 PDF) with a QR code carrying its offline verification payload (holder or issuing department)'
          : 'The certificate\'s QR code (PNG) carrying its offline verification payload (holder or issuing department)',
      tags: ['certificates'],
      access: allow(['resident', 'officer']),
      request: { params: CertificateIdParamsSchema },
      responses: { 200: { description: format === 'pdf' ? 'PDF' : 'PNG', schema: zod.string().meta({ format: 'binary' }), contentType: format === 'pdf' ? 'application/pdf' : 'image/png' } },
      problems: [404, 503],
      handler: async ({ principal, params }) => ({
        status: 200,
        headers: { 'Content-Disposition': `inline; filename="${params.id}.${format}"`, 'Cache-Control': 'private, no-store' },
        binary: { contentType: format === 'pdf' ? 'application/pdf' : 'image/png', data: await services.wallet.print(signedIn(principal), params.id, format) },
      }),
    });
  return [
    defineRoute({
      operationId: 'getCertificateStatus',
      method: 'get',
      path: '/api/certificates/:id/status',
      summary: "A certificate's ledger record without the holder reference (public): what the verifier's ledgerRecord and notRevoked checks read",
      tags: ['verification'],
      access: PUBLIC,
      request: { params: CertificateIdParamsSchema },
      responses: { 200: { description: 'The record', schema: LedgerRecordSchema } },
      problems: [404, 502, 503, 504],
      handler: async ({ params }) => ({ status: 200, body: await services.verification.publicRecord(params.id), headers: { 'Cache-Control': 'no-cache' } }),
    }),
    defineRoute({
      operationId: 'changeCertificateStatus',
      method: 'post',
      path: '/api/certificates/:id/status',
      summary: 'Suspend, reinstate or revoke one certificate (officers of the issuing department); a revocation also goes to TrustAnchor through the outbox',
      tags: ['certificates'],
      access: allow(['officer']),
      idempotent: true,
      request: { params: CertificateIdParamsSchema, body: StatusChangeRequestSchema },
      responses: { 200: { description: 'The updated record', schema: LedgerRecordSchema } },
      problems: [404, 409, 502, 503, 504],
      handler: async (input) => {
        const { principal, params, body, idempotency } = input as IdempotentHandlerInput<z.output<typeof CertificateIdParamsSchema>, undefined, z.output<typeof StatusChangeRequestSchema>>;
        return { status: 200, body: await services.status.changeCertificate(signedIn(principal), params.id, body, idempotency) };
      },
    }),
    print('pdf'),
    print('png'),
  ];
}
