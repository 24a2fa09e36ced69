/**
 * The resident's wallet, disclosures and share links, offline bundles, consents; the public
 * share page's document; the department's zero-material fetch.
 */
import type { z } from 'zod';
import type { WalletService } from '../domain/wallet.service';
import { ForbiddenError } from '../errors';
import type { IdempotentHandlerInput } from '../http/app';
import { defineRoute, type RouteDefinition } from '../http/route';
import { PUBLIC, allow, type Principal } from '../identity/principal';
import {
  CertificateDocumentSchema,
  CertificateIdParamsSchema,
  ConsentRequestSchema,
  ConsentSchema,
  DisclosureIdParamsSchema,
  DisclosureRequestSchema,
  DisclosureSchema,
  OfflineBundleSchema,
  ShareTokenParamsSchema,
  WalletCertificateDetailSchema,
  WalletCertificateSchema,
  ZeroMaterialFetchRequestSchema,
  ZeroMaterialFetchResponseSchema,
} from './schemas';
import { z as zod } from 'zod';

function signedIn(principal: Principal | undefined): Principal {
  if (principal === undefined) throw new ForbiddenError('AUTH.FORBIDDEN', 'Sign in first');
  return principal;
}

/** The wallet and zero-material routes. */
export function walletRoutes(wallet: Pick<WalletService, 'list' | 'detail' | 'createDisclosure' | 'bundle' | 'revokeDisclosure' | 'share' | 'grantConsent' | 'zeroMaterialFetch' | 'shareUrl'>): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'listWalletCertificates',
      method: 'get',
      path: '/api/wallet/certificates',
      summary: "The caller's certificates (holder reference from the sign-in's identity number)",
      tags: ['wallet'],
      access: allow(['resident']),
      responses: { 200: { description: 'Newest first', schema: zod.array(WalletCertificateSchema) } },
      handler: async ({ principal }) => ({ status: 200, body: await wallet.list(signedIn(principal)), headers: { 'Cache-Control': 'private, no-store' } }),
    }),
    defineRoute({
      operationId: 'getWalletCertificate',
      method: 'get',
      path: '/api/wallet/certificates/:id',
      summary: "One of the caller's certificates: the document, its status and ledger record (another person's: 404)",
      tags: ['wallet'],
      access: allow(['resident']),
      request: { params: CertificateIdParamsSchema },
      responses: { 200: { description: 'The certificate', schema: WalletCertificateDetailSchema } },
      problems: [404],
      handler: async ({ principal, params }) => ({ status: 200, body: await wallet.detail(signedIn(principal), params.id), headers: { 'Cache-Control': 'private, no-store' } }),
    }),
    defineRoute({
      operationId: 'createDisclosure',
      method: 'post',
      path: '/api/wallet/certificates/:id/disclosures',
      summary: 'Disclose a certificate with chosen personal fields hidden, with a share link that expires (60 s to 30 days)',
      tags: ['wallet'],
      access: allow(['resident']),
      idempotent: true,
      request: { params: CertificateIdParamsSchema, body: DisclosureRequestSchema },
      responses: { 201: { description: 'The disclosure', schema: DisclosureSchema } },
      problems: [404, 422],
      // The share token is derived from the disclosure id; the idempotency store keeps neither.
      storedAnswer: {
        strip: (body) => ({ ...(body as Record<string, unknown>), shareUrl: null }),
        restore: (body) => {
          const stored = body as Record<string, unknown>;
          return { ...stored, shareUrl: wallet.shareUrl(String(stored.disclosureId)) };
        },
      },
      handler: async (input) => {
        const { principal, params, body } = input as IdempotentHandlerInput<z.output<typeof CertificateIdParamsSchema>, undefined, z.output<typeof DisclosureRequestSchema>>;
        return { status: 201, body: await wallet.createDisclosure(signedIn(principal), params.id, body) };
      },
    }),
    defineRoute({
      operationId: 'getOfflineBundle',
      method: 'get',
      path: '/api/wallet/certificates/:id/bundle',
      summary: "The offline bundle of one of the caller's certificates (document, signed status snapshot, department keys), as a file",
      tags: ['wallet'],
      access: allow(['resident']),
      request: { params: CertificateIdParamsSchema },
      responses: { 200: { description: 'The bundle', schema: OfflineBundleSchema } },
      problems: [404, 503],
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await wallet.bundle(signedIn(principal), params.id),
        headers: { 'Content-Disposition': `attachment; filename="${params.id}.ctl-bundle.json"`, 'Cache-Control': 'private, no-store' },
      }),
    }),
    defineRoute({
      operationId: 'revokeDisclosure',
      method: 'delete',
      path: '/api/wallet/disclosures/:disclosureId',
      summary: 'Withdraw a share link before it expires',
      tags: ['wallet'],
      access: allow(['resident']),
      idempotent: true,
      request: { params: DisclosureIdParamsSchema },
      responses: { 204: { description: 'Withdrawn' } },
      problems: [404],
      handler: async ({ principal, params }) => {
        await wallet.revokeDisclosure(signedIn(principal), params.disclosureId);
        return { status: 204 };
      },
    }),
    defineRoute({
      operationId: 'getShare',
      method: 'get',
      path: '/api/shares/:token',
      summary: 'The disclosed document behind a share link, while it is valid (public)',
      tags: ['wallet'],
      access: PUBLIC,
      request: { params: ShareTokenParamsSchema },
      responses: { 200: { description: 'The disclosed document', schema: CertificateDocumentSchema } },
      problems: [404, 410],
      handler: async ({ params }) => ({ status: 200, body: await wallet.share(params.token), headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } }),
    }),
    defineRoute({
      operationId: 'grantConsent',
      method: 'post',
      path: '/api/wallet/consents',
      summary: 'Let one department fetch your valid certificates of these types, once (zero-material application)',
      tags: ['wallet'],
      access: allow(['resident']),
      idempotent: true,
      request: { body: ConsentRequestSchema },
      responses: { 201: { description: 'The consent', schema: ConsentSchema } },
      handler: async (input) => {
        const { principal, body } = input as IdempotentHandlerInput<undefined, undefined, z.output<typeof ConsentRequestSchema>>;
        return { status: 201, body: await wallet.grantConsent(signedIn(principal), body) };
      },
    }),
    defineRoute({
      operationId: 'zeroMaterialFetch',
      method: 'post',
      path: '/api/zero-material/fetch',
      summary: "With a resident's consent, fetch and verify their valid certificates of the required types (officers of the consent's department; uses the consent up; audited)",
      tags: ['wallet'],
      access: allow(['officer']),
      idempotent: true,
      request: { body: ZeroMaterialFetchRequestSchema },
      responses: { 200: { description: 'Certificates and missing types', schema: ZeroMaterialFetchResponseSchema } },
      problems: [404, 410],
      handler: async (input) => {
        const { principal, body } = input as IdempotentHandlerInput<undefined, undefined, z.output<typeof ZeroMaterialFetchRequestSchema>>;
        return { status: 200, body: await wallet.zeroMaterialFetch(signedIn(principal), body), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
