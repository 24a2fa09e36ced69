/**
 * Building documents: from drafts (what an officer enters) to wrapped documents with salts,
 * targetHash and a Merkle proof to the batch root, ready for Fabric and TrustAnchor. All or
 * nothing: a batch with one bad row wraps nothing and reports every bad row.
 */
import { BatchError, DocumentFormatError, type BatchRowProblem } from './errors';
import {
  CERTIFICATE_ID,
  CERTIFICATE_URN_PREFIX,
  CERTIFICATE_VC_TYPE,
  CTL_CONTEXT_V1,
  HEADER_PATH,
  ISSUER_URN_PREFIX,
  LIMITS,
  MSP_ID,
  PROOF_TYPE,
  SUBJECT_URN_PREFIX,
  TYPE_CODE,
  VC_CONTEXT_V2,
  isEvmAddress,
  parseDateTimeStamp,
  readDocument,
  type AnchorReference,
  type CertificateDocument,
  type CertificateProof,
  type JsonValue,
  type LedgerRecordReference,
} from './format';
import { claimPath, fieldHash, headerOf, targetHashOf, visibleFieldHashes } from './fields';
import { isHex32, keccak, toHex, type Hex32, type Keccak256 } from './hash';
import { buildMerkleTree } from './merkle';

/** Types a certificate field may have (the chaincode's `FIELD_TYPES`). */
export type FieldType = 'string' | 'date' | 'number' | 'boolean';

/** One field of a certificate type, as the chaincode registers it (`FieldDefinition`). */
export interface FieldDefinition {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** Personal data: the holder may hide it in a disclosure. Other fields are always shown. */
  readonly personal?: boolean;
}

/** A certificate type (the chaincode's `CertificateTypeDefinition`; extra members are ignored). */
export interface CertificateTypeDefinition {
  readonly code: string;
  readonly name: string;
  readonly fields: readonly FieldDefinition[];
}

/** One certificate to issue. */
export interface CertificateDraft {
  readonly certificateId: string;
  readonly typeCode: string;
  readonly issuer: { readonly mspId: string; readonly name: string };
  /** `0x` + 64 hex HMAC of the holder's identity number; never the number. */
  readonly subjectRef: string;
  /** dateTimeStamp (a time zone is required). */
  readonly validFrom: string;
  /** dateTimeStamp, or absent/null when the certificate does not expire. */
  readonly validUntil?: string | null;
  /** The type's fields by key. */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** Options of {@link wrapBatch}. */
export interface WrapOptions {
  /** Where the batch root will be anchored. */
  readonly anchor: AnchorReference;
  /** The certificate types the drafts may use. */
  readonly types: readonly CertificateTypeDefinition[];
  /** Source of salts; `crypto.getRandomValues` unless a test fixes it. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** A wrapped batch. */
export interface WrappedBatch {
  readonly merkleRoot: Hex32;
  /** In the order of the drafts. */
  readonly documents: CertificateDocument[];
  /** Each document's targetHash, in the same order. */
  readonly targetHashes: Hex32[];
}

/** Members of `credentialSubject` the format itself uses; a type cannot define fields with these keys. */
export const RESERVED_FIELD_KEYS: readonly string[] = ['id', 'certificateType', 'certificateName'];

const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TEXT = 500;

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return out;
}

function isCalendarDate(value: string): boolean {
  return CALENDAR_DATE.test(value) && parseDateTimeStamp(`${value}T00:00:00Z`) !== undefined;
}

/**
 * Checks a certificate type definition's field list can be used by this format.
 *
 * @returns problems, empty when usable
 */
export function typeDefinitionProblems(type: CertificateTypeDefinition): string[] {
  const problems: string[] = [];
  if (!TYPE_CODE.test(type.code)) problems.push(`type code ${JSON.stringify(type.code)} is not an upper-case code`);
  if (type.name.length === 0 || type.name.length > 200) problems.push(`type ${type.code} needs a name of 1 to 200 characters`);
  const keys = new Set<string>();
  for (const field of type.fields) {
    if (!FIELD_KEY.test(field.key)) problems.push(`field key ${JSON.stringify(field.key)} of type ${type.code} is not a letter then letters, digits or _`);
    if (RESERVED_FIELD_KEYS.includes(field.key)) problems.push(`field key ${field.key} of type ${type.code} is reserved`);
    if (keys.has(field.key)) problems.push(`type ${type.code} defines field ${field.key} twice`);
    keys.add(field.key);
  }
  return problems;
}

type RowIssue = Omit<BatchRowProblem, 'index' | 'path'>;

function fieldValueProblem(field: FieldDefinition, value: unknown): RowIssue | undefined {
  switch (field.type) {
    case 'string': {
      const message = `must be text of 1 to ${MAX_TEXT} characters`;
      if (typeof value !== 'string') return { message, code: 'WRONG_TYPE', params: { expected: 'string' } };
      if (value.length === 0) return { message, code: 'REQUIRED' };
      return value.length <= MAX_TEXT ? undefined : { message, code: 'TOO_LONG', params: { max: MAX_TEXT } };
    }
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? undefined : { message: 'must be a date (YYYY-MM-DD)', code: 'NOT_A_DATE' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : { message: 'must be a number', code: 'NOT_A_NUMBER' };
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { message: 'must be true or false', code: 'NOT_A_BOOLEAN' };
  }
}

/**
 * Checks one draft against the format and its type.
 *
 * @returns the problems, empty when the draft can be wrapped
 */
export function draftProblems(draft: CertificateDraft, types: ReadonlyMap<string, CertificateTypeDefinition>, index = 0): BatchRowProblem[] {
  const problems: BatchRowProblem[] = [];
  const add = (path: string, message: string, reason: Omit<RowIssue, 'message'> = {}): void => {
    problems.push({ index, path, message, ...reason });
  };
  if (typeof draft.certificateId !== 'string' || !CERTIFICATE_ID.test(draft.certificateId)) add('certificateId', 'must be 1 to 128 letters, digits or . _ : - (starting with a letter or digit)');
  if (typeof draft.issuer.mspId !== 'string' || !MSP_ID.test(draft.issuer.mspId)) add('issuer.mspId', 'is not an MSP id');
  if (typeof draft.issuer.name !== 'string' || draft.issuer.name.length === 0 || draft.issuer.name.length > 200) add('issuer.name', 'must be 1 to 200 characters');
  if (!isHex32(draft.subjectRef)) add('subjectRef', 'must be 0x and 64 lowercase hex digits (the keyed hash, never an identity number)');
  const from = parseDateTimeStamp(draft.validFrom);
  if (from === undefined) add('validFrom', 'must be a date and time with a time zone, e.g. 2025-03-01T00:00:00Z');
  if (draft.validUntil !== undefined && draft.validUntil !== null) {
    const until = parseDateTimeStamp(draft.validUntil);
    if (until === undefined) add('validUntil', 'must be a date and time with a time zone', { code: 'NOT_A_DATETIME' });
    else if (from !== undefined && until <= from) add('validUntil', 'must be after validFrom', { code: 'BEFORE_VALID_FROM' });
  }
  const type = types.get(draft.typeCode);
  if (type === undefined) {
    add('typeCode', `is not a known certificate type (${JSON.stringify(draft.typeCode)})`);
    return problems;
  }
  for (const problem of fieldProblems(type, draft.fields)) problems.push({ index, ...problem });
  return problems;
}

/**
 * Checks field values against their type: every required field present, each value of its
 * field's kind, no field the type lacks.
 *
 * @returns the problems, each at `fields.<key>`; empty when the values fit the type
 */
export function fieldProblems(type: CertificateTypeDefinition, fields: Readonly<Record<string, unknown>>): Omit<BatchRowProblem, 'index'>[] {
  const problems: Omit<BatchRowProblem, 'index'>[] = [];
  for (const field of type.fields) {
    const value = Object.hasOwn(fields, field.key) ? fields[field.key] : undefined;
    if (value === undefined) {
      if (field.required) problems.push({ path: `fields.${field.key}`, message: `is required (${field.label})`, code: 'REQUIRED' });
      continue;
    }
    const problem = fieldValueProblem(field, value);
    if (problem !== undefined) problems.push({ path: `fields.${field.key}`, ...problem });
  }
  for (const key of Object.keys(fields)) {
    if (!type.fields.some((f) => f.key === key)) problems.push({ path: `fields.${key}`, message: `is not a field of type ${type.code}`, code: 'NOT_IN_TYPE', params: { type: type.code } });
  }
  return problems;
}

/** Builds the unwrapped document (no proof yet) and lists its disclosable claims. */
function documentBody(draft: CertificateDraft, type: CertificateTypeDefinition): { body: Record<string, JsonValue>; claims: string[] } {
  const subject: Record<string, JsonValue> = {
    id: `${SUBJECT_URN_PREFIX}${draft.subjectRef}`,
    certificateType: type.code,
    certificateName: type.name,
  };
  const claims: string[] = [];
  for (const field of type.fields) {
    const value = draft.fields[field.key];
    if (value === undefined) continue;
    subject[field.key] = value;
    if (field.personal === true) claims.push(field.key);
  }
  const body: Record<string, JsonValue> = {
    '@context': [VC_CONTEXT_V2, CTL_CONTEXT_V1],
    type: ['VerifiableCredential', CERTIFICATE_VC_TYPE],
    id: `${CERTIFICATE_URN_PREFIX}${draft.certificateId}`,
    issuer: { id: `${ISSUER_URN_PREFIX}${draft.issuer.mspId}`, name: draft.issuer.name },
    validFrom: draft.validFrom,
  };
  if (draft.validUntil !== undefined && draft.validUntil !== null) body.validUntil = draft.validUntil;
  body.credentialSubject = subject;
  return { body, claims };
}

/** Salts and field hashes of one document body; returns the salts map and its targetHash. */
function saltAndHash(k: Keccak256, body: Record<string, JsonValue>, claims: readonly string[], salts: Uint8Array): { salts: Record<string, Hex32>; targetHash: Hex32 } {
  const subject = body.credentialSubject as Record<string, JsonValue>;
  const saltOf = (i: number): Hex32 => toHex(salts.subarray(32 * i, 32 * i + 32));
  const map: Record<string, Hex32> = { [HEADER_PATH]: saltOf(0) };
  const hashes: Hex32[] = [fieldHash(k, HEADER_PATH, saltOf(0), headerOf(body, new Set(claims)))];
  claims.forEach((name, i) => {
    const path = claimPath(name);
    map[path] = saltOf(i + 1);
    hashes.push(fieldHash(k, path, saltOf(i + 1), subject[name]));
  });
  return { salts: map, targetHash: targetHashOf(k, hashes) };
}

/**
 * Wraps a batch of drafts: validates every draft, salts and hashes every field, builds the
 * Merkle tree over the targetHashes and attaches each document's proof. The batch of one has
 * root == targetHash and an empty proof. Nothing is returned unless every draft is valid.
 *
 * @throws {@link BatchError} `CERT_BATCH.EMPTY`, `CERT_BATCH.TOO_LARGE` (over 10,000),
 *   `CERT_BATCH.DUPLICATE_ID`, `CERT_BATCH.MIXED_ISSUERS` (one root is anchored by one department),
 *   or `CERT_BATCH.INVALID_ROWS` with every row's problems in `rows`
 * @throws {@link DocumentFormatError} when the anchor or a type definition is unusable
 */
export async function wrapBatch(drafts: readonly CertificateDraft[], options: WrapOptions): Promise<WrappedBatch> {
  if (drafts.length === 0) throw new BatchError('CERT_BATCH.EMPTY', 'The batch has no certificates.');
  if (drafts.length > LIMITS.maxBatchSize) throw new BatchError('CERT_BATCH.TOO_LARGE', `The batch has ${drafts.length} certificates; the limit is ${LIMITS.maxBatchSize}.`);
  const { anchor } = options;
  if (!Number.isSafeInteger(anchor.chainId) || anchor.chainId <= 0 || !isEvmAddress(anchor.trustAnchor)) {
    throw new DocumentFormatError('The anchor needs a positive chainId and a TrustAnchor address.', 'anchor');
  }
  const types = new Map<string, CertificateTypeDefinition>();
  for (const type of options.types) {
    const problems = typeDefinitionProblems(type);
    if (problems.length > 0) throw new DocumentFormatError(`Certificate type ${type.code} cannot be used: ${problems.join('; ')}.`, `types.${type.code}`);
    types.set(type.code, type);
  }
  const ids = new Map<string, number>();
  drafts.forEach((draft, index) => {
    const first = ids.get(draft.certificateId);
    if (first !== undefined) {
      throw new BatchError('CERT_BATCH.DUPLICATE_ID', `Certificate id ${draft.certificateId} appears in rows ${first} and ${index}.`, `[${index}].certificateId`);
    }
    ids.set(draft.certificateId, index);
  });
  const rows = drafts.flatMap((draft, index) => draftProblems(draft, types, index));
  if (rows.length > 0) throw new BatchError('CERT_BATCH.INVALID_ROWS', `${new Set(rows.map((r) => r.index)).size} of ${drafts.length} certificates are not valid; nothing was wrapped.`, undefined, rows);
  const issuer = drafts[0]?.issuer.mspId;
  const other = drafts.findIndex((d) => d.issuer.mspId !== issuer);
  if (other >= 0) throw new BatchError('CERT_BATCH.MIXED_ISSUERS', `Row ${other} is issued by ${drafts[other]?.issuer.mspId ?? '?'}, row 0 by ${issuer ?? '?'}: a batch has one issuing department.`, `[${other}].issuer.mspId`);

  const k = await keccak();
  const random = options.randomBytes ?? randomBytes;
  const bodies = drafts.map((draft) => documentBody(draft, types.get(draft.typeCode) as CertificateTypeDefinition));
  const saltCount = bodies.reduce((n, b) => n + 1 + b.claims.length, 0);
  const salts = random(32 * saltCount);
  let offset = 0;
  const hashed = bodies.map(({ body, claims }) => {
    const slice = salts.subarray(32 * offset, 32 * (offset + 1 + claims.length));
    offset += 1 + claims.length;
    return saltAndHash(k, body, claims, slice);
  });
  const targetHashes = hashed.map((h) => h.targetHash);
  const tree = buildMerkleTree(k, targetHashes);
  const merkleRoot = tree.root;
  const documents = bodies.map(({ body }, i) => {
    const h = hashed[i];
    if (h === undefined) throw new Error('unreachable: one hash per body');
    const proof: CertificateProof = {
      type: PROOF_TYPE,
      salts: h.salts,
      hidden: [],
      targetHash: h.targetHash,
      merkleRoot,
      merkleProof: tree.proofs[i] ?? [],
      anchor: { chainId: anchor.chainId, trustAnchor: anchor.trustAnchor },
    };
    return { ...body, proof } as unknown as CertificateDocument;
  });
  return { merkleRoot, documents, targetHashes };
}

const FABRIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,249}$/;
const TX_ID = /^[0-9a-f]{64}$/;

/**
 * Adds the Fabric record reference (known once the batch is committed) to a wrapped document.
 * The reference is outside the hashed fields; the `ledgerRecord` check confirms it.
 *
 * @throws {@link DocumentFormatError} when the reference is malformed or names another certificate
 */
export function withLedgerRecord(document: CertificateDocument, record: LedgerRecordReference): CertificateDocument {
  if (
    !FABRIC_NAME.test(record.channel) ||
    !FABRIC_NAME.test(record.chaincode) ||
    !TX_ID.test(record.txId) ||
    !Number.isSafeInteger(record.blockNumber) ||
    record.blockNumber < 0
  ) {
    throw new DocumentFormatError('The ledger record reference needs a channel, a chaincode, a 64-hex transaction id and a block number.', 'proof.record');
  }
  if (`${CERTIFICATE_URN_PREFIX}${record.certificateId}` !== document.id) {
    throw new DocumentFormatError(`The ledger record is for certificate ${record.certificateId}, not ${document.id}.`, 'proof.record.certificateId');
  }
  const { channel, chaincode, certificateId, txId, blockNumber } = record;
  return { ...document, proof: { ...document.proof, record: { channel, chaincode, certificateId, txId, blockNumber } } };
}

/**
 * Recomputes a document's targetHash from its contents (the value the chaincode records as
 * `documentHash` and TrustAnchor's tree uses as the leaf).
 *
 * @throws {@link DocumentFormatError} when the document is not in this format or its fields cannot be hashed
 */
export async function computeTargetHash(document: unknown): Promise<Hex32> {
  const k = await keccak();
  const read = readDocument(document);
  if ('unreadable' in read) throw new DocumentFormatError(read.unreadable.detail);
  if (read.integrityProblem !== undefined) throw new DocumentFormatError(read.integrityProblem.detail);
  try {
    return targetHashOf(k, [...visibleFieldHashes(k, read), ...read.hidden]);
  } catch (err) {
    throw new DocumentFormatError('The document contains values that cannot be hashed.', undefined, err);
  }
}
