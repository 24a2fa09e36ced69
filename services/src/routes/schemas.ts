/**
 * Request and response schemas of the API (zod 4 with OpenAPI metadata): the single source of
 * the validation, the handlers' types and the OpenAPI document's components.
 */
import { z } from 'zod';
import { FieldDefinitionSchema } from '../domain/ledger-models';
import { ROLES } from '../identity/principal';

export const RoleSchema = z.enum(ROLES).meta({ id: 'Role' });

export const DevUserSchema = z
  .object({ id: z.string(), name: z.string(), roles: z.array(RoleSchema), org: z.string() })
  .meta({ id: 'DevUser', description: 'A seeded demo user of the development identity provider' });

export const DevSignInRequestSchema = z.strictObject({ userId: z.string().min(1).max(128) }).meta({ id: 'DevSignInRequest' });

export const TokenResponseSchema = z
  .object({ token: z.string(), expiresAt: z.string(), user: DevUserSchema })
  .meta({ id: 'TokenResponse', description: 'A bearer token (JWT) for the Authorization header' });

export const MeSchema = z
  .object({ userId: z.string(), roles: z.array(RoleSchema), org: z.string().nullable() })
  .meta({ id: 'Me', description: 'The caller as the API sees them' });

export const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'JsonWebKeySet' });

export const CertificateTypeSchema = z
  .looseObject({
    code: z.string(),
    name: z.string(),
    allowedIssuerMsps: z.array(z.string()),
    validityDays: z.number().int().min(0).meta({ description: 'Validity from issue in days; 0 means it does not expire' }),
    fields: z.array(FieldDefinitionSchema),
    version: z.number().int(),
  })
  .meta({ id: 'CertificateType', description: 'A certificate type as registered on the ledger (GB/T 36903 metadata)' });

const FieldValue = z.union([z.string().max(500), z.number(), z.boolean()]);

export const IssueCertificateRequestSchema = z
  .strictObject({
    typeCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an upper-case type code'),
    holder: z.strictObject({
      idNumber: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .meta({ description: 'Identity number; only its keyed hash (subjectRef) reaches a ledger' }),
      name: z.string().trim().min(1).max(100).meta({ description: "Holder's name, written into the document's holderName field" }),
    }),
    fields: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'field keys are letters, digits and _'), FieldValue)
      .refine((f) => Object.keys(f).length <= 64, 'at most 64 fields')
      .meta({ description: "The type's fields by key (holderName comes from holder.name)" }),
    validUntil: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "dateTimeStamp with a time zone; absent for the type's full validity" }),
  })
  .meta({ id: 'IssueCertificateRequest' });

export const CertificateDocumentSchema = z
  .looseObject({
    '@context': z.array(z.string()),
    type: z.array(z.string()),
    id: z.string(),
    issuer: z.object({ id: z.string(), name: z.string() }),
    validFrom: z.string(),
    validUntil: z.string().optional(),
    credentialSubject: z.record(z.string(), z.unknown()),
    proof: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CertificateDocument', description: 'A W3C VC 2.0 envelope with salted field hashes, targetHash, batch proof and ledger reference (services/src/verification/README.md)' });

export const IssueCertificateResponseSchema = z
  .object({
    certificateId: z.string(),
    certificate: CertificateDocumentSchema,
    transactionId: z.string(),
    blockNumber: z.number().int().min(0),
  })
  .meta({ id: 'IssueCertificateResponse' });

export const AnchorSchema = z
  .object({
    root: z.string(),
    issuer: z.string(),
    issuedAt: z.string(),
    blockNumber: z.number().int(),
    transactionHash: z.string(),
    revokedAt: z.string().nullable(),
    revocationReasonCode: z.number().int().nullable(),
  })
  .meta({ id: 'Anchor', description: 'The batch root as anchored on TrustAnchor' });

export const CertificateRecordSchema = z
  .object({
    id: z.string(),
    typeCode: z.string(),
    issuerMsp: z.string(),
    subjectRef: z.string(),
    documentHash: z.string(),
    batchRoot: z.string().nullable(),
    status: z.string().meta({ description: 'ISSUED, SUSPENDED or REVOKED' }),
    issuedAt: z.string(),
    validUntil: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revocationReasonCode: z.string().nullable(),
    issueTransactionId: z.string(),
    issueBlock: z.number().int(),
    lastTransactionId: z.string(),
    lastBlock: z.number().int(),
    record: z.record(z.string(), z.unknown()).meta({ description: 'The Fabric record as last projected' }),
    anchor: AnchorSchema.nullable(),
    asOfBlock: z.number().int().meta({ description: 'The last Fabric block the read model has fully projected' }),
  })
  .meta({ id: 'CertificateRecord' });

export const CertificateIdParamsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'is not a certificate id'),
});

export const MinBlockQuerySchema = z.strictObject({
  minBlock: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Read-your-writes: wait (bounded) until the read model has projected this Fabric block' }),
});

export const VerifyQuerySchema = z.strictObject({
  asOf: z.iso.datetime({ offset: true }).optional().meta({ description: 'Answer "was it valid at this instant?" (default now)' }),
});

export const VerifyRequestSchema = z.record(z.string(), z.unknown()).meta({ id: 'VerifyRequest', description: 'The certificate document (JSON object) as the holder has it' });

export const VerificationCheckSchema = z
  .object({
    name: z.string(),
    ok: z.boolean(),
    code: z.string().meta({ description: 'Why it passed or failed (OK, UNAVAILABLE, CHANGED, REVOKED, ...), stable for translations' }),
    detail: z.string(),
    facts: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .meta({ id: 'VerificationCheck' });

export const VerificationResultSchema = z
  .object({ valid: z.boolean(), asOf: z.string(), checks: z.array(VerificationCheckSchema) })
  .meta({ id: 'VerificationResult' });

const DependencySchema = z.looseObject({ status: z.enum(['up', 'down']), detail: z.string().optional() });

export const HealthSchema = z
  .object({
    status: z.enum(['up', 'down']),
    checkedAt: z.string(),
    database: DependencySchema,
    fabric: DependencySchema,
    evm: DependencySchema,
    projector: DependencySchema,
    outbox: DependencySchema,
  })
  .meta({ id: 'Health' });

export const OutboxEntrySchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    dedupeKey: z.string(),
    payload: z.record(z.string(), z.unknown()),
    status: z.enum(['pending', 'done', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    sourceTransactionId: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'OutboxEntry' });

export const OutboxIdParamsSchema = z.strictObject({ id: z.coerce.number().int().positive() });
