/**
 * The chaincode's records as the services read them (chaincode/README.md), validated with zod
 * whenever they cross from a ledger into the services: a transaction result or an event payload
 * is `unknown` until it parses. Extra members are kept, so a newer chaincode can add fields.
 */
import { z } from 'zod';
import { AppError } from '../errors';

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'must be 0x and 64 lowercase hex digits');
const IsoTime = z.string().refine((v) => Number.isFinite(Date.parse(v)), 'must be an ISO 8601 time');

export const FieldDefinitionSchema = z
  .object({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
    label: z.string().min(1).max(200),
    type: z.enum(['string', 'date', 'number', 'boolean']),
    required: z.boolean(),
    personal: z.boolean().optional(),
  })
  .meta({ id: 'FieldDefinition' });

/** A certificate type as `certificate:RegisterType` takes it (no ledger-added members). */
export const CertificateTypeInputSchema = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  name: z.string().min(1).max(200),
  allowedIssuerMsps: z.array(z.string().min(1)).min(1),
  validityDays: z.number().int().min(0).max(36_500),
  fields: z.array(FieldDefinitionSchema),
});
export type CertificateTypeInput = z.infer<typeof CertificateTypeInputSchema>;

/** A certificate type as the chaincode stores and returns it. */
export const LedgerCertificateTypeSchema = z.looseObject({
  code: z.string(),
  name: z.string(),
  allowedIssuerMsps: z.array(z.string()),
  validityDays: z.number().int().min(0),
  fields: z.array(FieldDefinitionSchema),
  version: z.number().int().min(1),
});
export type LedgerCertificateType = z.infer<typeof LedgerCertificateTypeSchema>;

const CertificateStatusSchema = z.enum(['ISSUED', 'SUSPENDED', 'REVOKED']);

const StatusChangeSchema = z.looseObject({
  status: CertificateStatusSchema,
  reasonCode: z.string(),
  reasonText: z.string(),
  effectiveAt: IsoTime,
});

const ReasonSchema = z.looseObject({ reasonCode: z.string(), reasonText: z.string(), effectiveAt: IsoTime }).nullable().optional();

/** A certificate record (`certificate:GetCertificate`, event payloads). */
export const LedgerCertificateRecordSchema = z.looseObject({
  id: z.string().min(1),
  typeCode: z.string().min(1),
  issuerMsp: z.string().min(1),
  subjectRef: Hex32,
  documentHash: Hex32,
  batchId: z.string().nullable().optional(),
  batchRoot: Hex32,
  status: CertificateStatusSchema,
  issuedAt: IsoTime,
  validUntil: IsoTime.nullable(),
  revocation: ReasonSchema,
  suspension: ReasonSchema,
  statusChanges: z.array(StatusChangeSchema),
  txId: z.string().min(1),
});
export type LedgerCertificateRecord = z.infer<typeof LedgerCertificateRecordSchema>;

/** `CertificateBatchIssued`'s payload. */
export const BatchIssuedPayloadSchema = z.looseObject({
  batch: z.looseObject({ batchId: z.string(), batchRoot: Hex32, issuerMsp: z.string() }),
  certificates: z.array(LedgerCertificateRecordSchema),
});

/** A batch's batch-level status (`CertificateBatch{Suspended,Reinstated,Revoked}` payloads, `SuspendBatch`… results). */
export const BatchStatusPayloadSchema = z.looseObject({
  batchId: z.string().min(1),
  batchRoot: Hex32,
  issuerMsp: z.string().min(1),
  batchSize: z.number().int().min(1),
  status: CertificateStatusSchema,
  revocation: ReasonSchema,
  suspension: ReasonSchema,
  statusChanges: z.array(StatusChangeSchema),
});
export type BatchStatusPayload = z.infer<typeof BatchStatusPayloadSchema>;

/** `certificate:GetBatch`'s result. */
export const LedgerBatchSchema = z.looseObject({
  batchId: z.string(),
  batchRoot: Hex32,
  issuerMsp: z.string(),
  batchSize: z.number().int(),
  partSize: z.number().int(),
  partCount: z.number().int(),
  parts: z.array(z.looseObject({ part: z.number().int(), count: z.number().int(), txId: z.string(), certificateIds: z.array(z.string()) })),
  issuedCount: z.number().int(),
  complete: z.boolean(),
  status: CertificateStatusSchema,
});

/** Parses ledger bytes (a result or event payload) as JSON, or throws with what was expected. */
export function parseLedgerJson<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new LedgerDataError(`${what} is not JSON`, err);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new LedgerDataError(`${what} does not have the expected shape: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A ledger returned data the services cannot read: a contract mismatch between versions. */
export class LedgerDataError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(502, 'LEDGER.UNEXPECTED_DATA', message, { cause });
    this.name = LedgerDataError.name;
  }
}
