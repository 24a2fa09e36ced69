/**
 * Public verification: anyone, signed in or not, may verify a certificate document.
 */
import type { VerificationService } from '../domain/verification.service';
import { defineRoute, type RouteDefinition } from '../http/route';
import { PUBLIC } from '../identity/principal';
import { PublicConfigSchema, VerificationResultSchema, VerifyQuerySchema, VerifyRequestSchema } from './schemas';

/** What the browser verifier is told (`GET /api/public/config`). */
export interface PublicConfig {
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly trustAnchor: string;
  readonly issuerRegistry: string;
  readonly apiBase: string;
}

/** The public verification routes. */
export function verifyRoutes(verification: Pick<VerificationService, 'verify'>, publicConfig: () => PublicConfig): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'getPublicConfig',
      method: 'get',
      path: '/api/public/config',
      summary: 'What the browser verifier needs: the EVM chain, its public JSON-RPC endpoint, the contracts and the API base (public)',
      tags: ['verification'],
      access: PUBLIC,
      responses: { 200: { description: 'The configuration', schema: PublicConfigSchema } },
      problems: [503],
      handler: () => Promise.resolve({ status: 200, body: publicConfig(), headers: { 'Cache-Control': 'public, max-age=60' } }),
    }),
    defineRoute({
      operationId: 'verifyCertificate',
      method: 'post',
      path: '/api/verify',
      summary: 'Verify a certificate document (public): every check and the verdict',
      description:
        'Runs the seven checks (integrity, batchInclusion, anchored, notRevoked, notExpired, issuerAllowed, ledgerRecord) on a document, on an offline bundle\'s document, or on `{ "qr": "CTL1:…" }` (a scanned QR payload). A changed or malformed document is not an error: it is answered 200 with valid false and the failing check. `?asOf=` answers "was it valid then?". Status answers are cached for a short TTL (VERIFY_CACHE_TTL_MS); a revocation this instance projects clears them at once.',
      tags: ['verification'],
      access: PUBLIC,
      request: { query: VerifyQuerySchema, body: VerifyRequestSchema },
      responses: { 200: { description: 'Each check and the verdict', schema: VerificationResultSchema } },
      handler: async ({ body, query }) => ({ status: 200, body: await verification.verify(body, query.asOf) }),
    }),
  ];
}
