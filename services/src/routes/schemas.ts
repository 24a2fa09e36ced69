/**
 * Request and response schemas of the API (zod 4 with OpenAPI metadata): the single source of
 * the validation, the handlers' types and the OpenAPI document's components.
 */
import { z } from 'zod';
import { FieldValuesSchema, HolderSchema } from '../domain/certificate-input';
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

export const IssueCertificateRequestSchema = z
  .strictObject({
    typeCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an upper-case type code'),
    holder: HolderSchema,
    fields: FieldValuesSchema.meta({ description: "The type's fields by key (holderName comes from holder.name)" }),
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

export const VerifyRequestSchema = z
  .record(z.string(), z.unknown())
  .meta({ id: 'VerifyRequest', description: 'The certificate document (JSON object) as the holder has it, an offline bundle, or { "qr": "CTL1:…" }' });

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

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'is not a valid id');
const ReasonCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an upper-case code, e.g. ISSUED_IN_ERROR');

export const BatchIdParamsSchema = z.strictObject({ batchId: Id });
export const DisclosureIdParamsSchema = z.strictObject({ disclosureId: Id });
export const ShareTokenParamsSchema = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'is not a share token') });

export const BatchUploadQuerySchema = z.strictObject({
  typeCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional().meta({ description: 'The type of every row of a text/csv body' }),
  batchId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,100}$/)
    .optional()
    .meta({ description: 'Optional batch id for a text/csv body (JSON bodies carry it as batchId)' }),
});

export const BatchProgressEventSchema = z
  .object({ type: z.literal('progress'), phase: z.enum(['validated', 'wrapped', 'recorded', 'anchored']), done: z.number().int(), total: z.number().int() })
  .meta({ id: 'BatchProgressEvent' });
export const BatchDoneEventSchema = z
  .object({
    type: z.literal('done'),
    batchId: z.string(),
    root: z.string(),
    count: z.number().int(),
    transactionIds: z.array(z.string()),
    blockNumber: z.number().int(),
    anchored: z.boolean(),
  })
  .meta({ id: 'BatchDoneEvent' });
export const BatchErrorEventSchema = z.object({ type: z.literal('error'), problem: z.record(z.string(), z.unknown()) }).meta({ id: 'BatchErrorEvent' });
export const BatchStreamLineSchema = z
  .union([BatchProgressEventSchema, BatchDoneEventSchema, BatchErrorEventSchema])
  .meta({ description: 'One JSON object per line: progress (validated, wrapped, recorded, anchored), then done or error' });

export const StatusChangeSchema = z
  .object({ status: z.enum(['ISSUED', 'SUSPENDED', 'REVOKED']), reasonCode: z.string(), reasonText: z.string(), effectiveAt: z.string() })
  .meta({ id: 'StatusChange' });

export const CertificateBatchSchema = z
  .object({
    batchId: z.string(),
    typeCode: z.string(),
    issuerMsp: z.string(),
    root: z.string(),
    count: z.number().int(),
    recordedCount: z.number().int().meta({ description: 'Certificates of the batch the read model has projected' }),
    status: z.string(),
    issuedAt: z.string(),
    anchor: z.object({ anchored: z.boolean(), transactionHash: z.string().optional(), blockNumber: z.number().int().optional(), anchoredAt: z.string().optional() }),
    revocation: z.object({ reasonCode: z.string(), reasonText: z.string(), revokedAt: z.string() }).optional(),
    statusChanges: z.array(StatusChangeSchema),
    change: z.object({ transactionId: z.string(), blockNumber: z.number().int() }).nullable().optional().meta({ description: 'Where a status change was recorded (status changes only)' }),
  })
  .meta({ id: 'CertificateBatch' });

export const StatusChangeRequestSchema = z
  .strictObject({
    action: z.enum(['suspend', 'reinstate', 'revoke']),
    reasonCode: ReasonCode,
    reasonText: z.string().max(500),
    effectiveAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it takes effect (default now); a revocation may be backdated' }),
  })
  .meta({ id: 'StatusChangeRequest' });

export const LedgerRecordSchema = z
  .object({
    id: z.string(),
    typeCode: z.string(),
    issuerMsp: z.string(),
    documentHash: z.string(),
    batchId: z.string().nullable(),
    batchRoot: z.string(),
    status: z.enum(['ISSUED', 'SUSPENDED', 'REVOKED']),
    issuedAt: z.string(),
    validUntil: z.string().nullable(),
    statusChanges: z.array(StatusChangeSchema),
    txId: z.string(),
    blockNumber: z.number().int().optional(),
    change: z.object({ transactionId: z.string(), blockNumber: z.number().int() }).nullable().optional().meta({ description: 'Where a status change was recorded (status changes only)' }),
  })
  .meta({ id: 'LedgerRecord', description: 'certificate:GetCertificate without subjectRef (what the verifier reads)' });

export const WalletCertificateSchema = z
  .object({
    id: z.string(),
    typeCode: z.string(),
    typeName: z.string(),
    issuerMsp: z.string(),
    issuedAt: z.string(),
    validUntil: z.string().nullable(),
    status: z.string(),
  })
  .meta({ id: 'WalletCertificate' });

export const WalletCertificateDetailSchema = z
  .object({ certificate: CertificateDocumentSchema, status: z.string(), record: LedgerRecordSchema })
  .meta({ id: 'WalletCertificateDetail' });

export const DisclosureRequestSchema = z
  .strictObject({
    hideFields: z.array(z.string().max(64)).max(64),
    expiresInSeconds: z.number().int().min(60).max(30 * 24 * 60 * 60),
  })
  .meta({ id: 'DisclosureRequest' });

export const DisclosureSchema = z
  .object({
    disclosureId: z.string(),
    document: CertificateDocumentSchema,
    shareUrl: z.string().meta({ description: '/s/<token>: the portal page that shows the shared document (GET /api/shares/<token>)' }),
    expiresAt: z.string(),
    qrPayload: z.string().meta({ description: 'CTL1: payload of the disclosed document\'s offline bundle (or the share link when no bundle can be signed)' }),
  })
  .meta({ id: 'Disclosure' });

export const OfflineBundleSchema = z
  .looseObject({
    format: z.literal('ctl-offline-bundle/1'),
    document: CertificateDocumentSchema,
    snapshot: z.record(z.string(), z.unknown()),
    signatures: z.array(z.record(z.string(), z.unknown())),
    keys: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'OfflineBundle' });

export const PublicConfigSchema = z
  .object({ chainId: z.number().int(), rpcUrl: z.string(), trustAnchor: z.string(), issuerRegistry: z.string(), apiBase: z.string() })
  .meta({ id: 'PublicConfig', description: 'What the browser verifier needs' });

export const ConsentRequestSchema = z
  .strictObject({
    audienceMsp: z.string().min(1).max(64),
    typeCodes: z.array(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/)).min(1).max(20),
    purpose: z.string().trim().min(1).max(200),
    expiresInSeconds: z.number().int().min(60).max(7 * 24 * 60 * 60),
  })
  .meta({ id: 'ConsentRequest' });

export const ConsentSchema = z.object({ consentId: z.string(), expiresAt: z.string() }).meta({ id: 'Consent' });

export const ZeroMaterialFetchRequestSchema = z
  .strictObject({
    consentId: Id,
    matterCode: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/).optional(),
    requiredTypes: z.array(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/)).min(1).max(20),
  })
  .meta({ id: 'ZeroMaterialFetchRequest' });

export const ZeroMaterialFetchResponseSchema = z
  .object({
    certificates: z.array(z.object({ typeCode: z.string(), certificate: CertificateDocumentSchema, verification: VerificationResultSchema })),
    missing: z.array(z.string()),
  })
  .meta({ id: 'ZeroMaterialFetchResponse' });
