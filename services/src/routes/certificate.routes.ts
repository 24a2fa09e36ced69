/**
 * E-certificate routes: the type catalogue, issuance and reads. Each parses its input and calls
 * the certificate service, which holds the rules.
 */
import { z } from 'zod';
import type { CertificateService } from '../domain/certificate.service';
import { ForbiddenError } from '../errors';
import type { IdempotentHandlerInput } from '../http/app';
import { defineRoute, type RouteDefinition } from '../http/route';
import { allow, type Principal } from '../identity/principal';
import {
  CertificateIdParamsSchema,
  CertificateRecordSchema,
  CertificateTypeSchema,
  IssueCertificateRequestSchema,
  IssueCertificateResponseSchema,
  MinBlockQuerySchema,
} from './schemas';

function signedIn(principal: Principal | undefined): Principal {
  if (principal === undefined) throw new ForbiddenError('AUTH.FORBIDDEN', 'Sign in first');
  return principal;
}

/** The certificate routes: catalogue, issuance (officer, idempotent) and reads (officer, auditor, admin). */
export function certificateRoutes(certificates: Pick<CertificateService, 'listTypes' | 'issue' | 'get'>): RouteDefinition[] {
  return [
    defineRoute({
      operationId: 'listCertificateTypes',
      method: 'get',
      path: '/api/certificate-types',
      summary: "Certificate types registered on the ledger; an officer sees those their organisation may issue",
      tags: ['certificates'],
      access: allow(['officer', 'coordinator', 'auditor', 'admin']),
      responses: { 200: { description: 'The types, by code', schema: z.array(CertificateTypeSchema) } },
      handler: async ({ principal }) => ({ status: 200, body: await certificates.listTypes(signedIn(principal)) }),
    }),
    defineRoute({
      operationId: 'issueCertificate',
      method: 'post',
      path: '/api/certificates',
      summary: 'Issue one e-certificate (role officer): recorded on Fabric, anchored on the EVM chain shortly after',
      description:
        'Builds the certificate document (salted field hashes, targetHash), records it with certificate:IssueCertificate as the officer\'s organisation and answers the document with its ledger reference. Only the holder\'s keyed hash (subjectRef) and the document hash reach the ledger.',
      tags: ['certificates'],
      access: allow(['officer']),
      idempotent: true,
      request: { body: IssueCertificateRequestSchema },
      responses: { 201: { description: 'Issued and committed', schema: IssueCertificateResponseSchema } },
      problems: [502, 503, 504],
      handler: async (input) => {
        const { principal, body, idempotency } = input as IdempotentHandlerInput<undefined, undefined, z.output<typeof IssueCertificateRequestSchema>>;
        const issued = await certificates.issue(signedIn(principal), body, idempotency);
        return { status: 201, body: issued, headers: { Location: `/api/certificates/${issued.certificateId}` } };
      },
    }),
    defineRoute({
      operationId: 'getCertificate',
      method: 'get',
      path: '/api/certificates/:id',
      summary: "A certificate's record from the read model, with its anchor (minBlock for read-your-writes)",
      tags: ['certificates'],
      access: allow(['officer', 'auditor', 'admin']),
      request: { params: CertificateIdParamsSchema, query: MinBlockQuerySchema },
      responses: { 200: { description: 'The record', schema: CertificateRecordSchema } },
      problems: [404, 503],
      handler: async ({ params, query, signal }) => ({ status: 200, body: await certificates.get(params.id, query.minBlock, signal) }),
    }),
  ];
}
