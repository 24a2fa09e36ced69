/**
 * Public verification: anyone, signed in or not, may verify a certificate document.
 */
import type { VerificationService } from '../domain/verification.service';
import { defineRoute, type RouteDefinition } from '../http/route';
import { PUBLIC } from '../identity/principal';
import { VerificationResultSchema, VerifyQuerySchema, VerifyRequestSchema } from './schemas';

/** The public verification route. */
export function verifyRoutes(verification: Pick<VerificationService, 'verify'>): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'verifyCertificate',
      method: 'post',
      path: '/api/verify',
      summary: 'Verify a certificate document (public): every check and the verdict',
      description:
        'Runs the seven checks (integrity, batchInclusion, anchored, notRevoked, notExpired, issuerAllowed, ledgerRecord). A changed or malformed document is not an error: it is answered 200 with valid false and the failing check.',
      tags: ['verification'],
      access: PUBLIC,
      request: { query: VerifyQuerySchema, body: VerifyRequestSchema },
      responses: { 200: { description: 'Each check and the verdict', schema: VerificationResultSchema } },
      handler: async ({ body, query }) => ({ status: 200, body: await verification.verify(body, query.asOf) }),
    }),
  ];
}
