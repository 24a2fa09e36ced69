/**
 * Batch issuance of e-certificates (up to 10,000 under one Merkle root): every row validated
 * before anything is written, the documents wrapped with the verification library, stored in the
 * read model, recorded on Fabric with `certificate:IssueBatch` in parts of at most 1,000 (a batch
 * in parts is first opened with `certificate:OpenBatch`, so its parts can go side by side), and the
 * root anchored on TrustAnchor through the outbox. Progress streams as NDJSON lines. A retry
 * under the same Idempotency-Key resumes the same batch (same ids, same documents): parts
 * already committed are found, never issued twice.
 */
import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError, type ValidationIssue } from '../errors';
import type { IdempotencyHandle } from '../http/app';
import type { EmitLine } from '../http/route';
import type { Principal } from '../identity/principal';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import { AnchorRepository } from '../repositories/anchor.repository';
import { CertificateRepository } from '../repositories/certificate.repository';
import { DocumentRepository, type BatchPlan, type NewDocument, type RecordedPart } from '../repositories/document.repository';
import { issuesOf } from '../validation-issues';
import { BatchError, draftProblems, fieldProblems, wrapBatch, type CertificateDraft, type CertificateTypeDefinition } from '../verification';
import { HOLDER_NAME_FIELD, holderAndValidity, isoSeconds, nowSeconds, validityEnd, type CertificateServiceDependencies } from './certificate.service';
import { FieldValuesSchema, HolderSchema } from './certificate-input';
import { actorFor } from './ledger-actor';
import { LedgerBatchSchema, parseLedgerJson, type LedgerCertificateType } from './ledger-models';
import { subjectRefOf } from './subject-ref';

/** Most certificates in one batch (one Merkle root). */
export const MAX_BATCH_ITEMS = 10_000;
/** Most certificates per Fabric transaction (the chaincode's limit). */
const PART_SIZE = 1_000;
/** The chaincode refuses a batch argument larger than this; parts are made smaller to fit. */
const MAX_PART_JSON = 380_000;
/** Parts recorded at once after the first (which creates the batch header alone). */
const PART_CONCURRENCY = 3;
/** How long the answer waits for the root to be anchored before saying it is not yet. */
const ANCHOR_WAIT_MS = 30_000;

const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,100}$/;
const TYPE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** One row problem, 1-based (`row` 0 is the CSV header or the request as a whole). */
export interface RowProblem extends ValidationIssue {
  readonly row: number;
}

/** One item of a JSON batch. */
export const BatchItemSchema = z.strictObject({
  holder: HolderSchema,
  fields: FieldValuesSchema,
  validUntil: z.iso.datetime({ offset: true }).optional(),
});
type BatchItem = z.output<typeof BatchItemSchema>;

/** The JSON body of `POST /api/certificate-batches` (documentation; rows are checked one by one). */
export const BatchIssueRequestSchema = z
  .strictObject({
    typeCode: z.string().regex(TYPE_CODE, 'must be an upper-case type code'),
    batchId: z.string().regex(BATCH_ID).optional().meta({ description: 'Optional batch id chosen by the client; a used one is refused with 409' }),
    items: z.array(BatchItemSchema).min(1).max(MAX_BATCH_ITEMS),
  })
  .meta({ id: 'BatchIssueRequest', description: 'Up to 10,000 certificates of one type, issued under one Merkle root' });

/** What a batch upload is, once read (JSON or CSV). */
export interface BatchUpload {
  readonly typeCode: string;
  readonly batchId: string | undefined;
  readonly items: readonly unknown[];
  /** Problems found while reading (CSV syntax, header), as row problems. */
  readonly readProblems: readonly RowProblem[];
  readonly format: 'json' | 'csv';
}

/** What a retry of the same batch needs (saved under the idempotency key before any ledger call). */
interface BatchContext {
  readonly batchId: string;
}

function isBatchContext(value: unknown): value is BatchContext {
  return typeof value === 'object' && value !== null && typeof (value as { batchId?: unknown }).batchId === 'string';
}

/** A batch as `GET /api/certificate-batches/:batchId` reports it. */
export interface BatchView {
  readonly batchId: string;
  readonly typeCode: string;
  readonly issuerMsp: string;
  readonly root: string;
  readonly count: number;
  readonly recordedCount: number;
  readonly status: string;
  readonly issuedAt: string;
  readonly anchor: { readonly anchored: boolean; readonly transactionHash?: string; readonly blockNumber?: number; readonly anchoredAt?: string };
  readonly revocation?: { readonly reasonCode: string; readonly reasonText: string; readonly revokedAt: string };
  readonly statusChanges: readonly { readonly status: string; readonly reasonCode: string; readonly reasonText: string; readonly effectiveAt: string }[];
}

export interface CertificateBatchServiceDependencies extends CertificateServiceDependencies {
  /** How long the answer waits for anchoring (default 30 s). */
  readonly anchorWaitMs?: number;
}

function cellValue(type: LedgerCertificateType, key: string, text: string): string | number | boolean | undefined {
  const field = type.fields.find((f) => f.key === key);
  if (text === '') return undefined;
  switch (field?.type) {
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== '' ? n : text;
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(lower)) return true;
      if (['false', 'no', '0'].includes(lower)) return false;
      return text;
    }
    default:
      return text;
  }
}

/**
 * Reads a CSV upload: header `idNumber,name,<field keys…>,validUntil` (validUntil optional), one
 * certificate per row. Cells are typed by the certificate type's field definitions.
 */
function itemsFromCsv(text: string, type: LedgerCertificateType | undefined): { items: unknown[]; problems: RowProblem[] } {
  let records: string[][];
  try {
    const parsed: unknown = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true, max_record_size: 64 * 1024 });
    records = parsed as string[][];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      return { items: [], problems: [{ row: line === undefined ? 0 : Math.max(0, line - 1), path: 'csv', message: err.message, code: 'CSV_SYNTAX' }] };
    }
    throw err;
  }
  const [header, ...rows] = records;
  if (header === undefined) return { items: [], problems: [{ row: 0, path: 'csv', message: 'is empty: send a header row and one row per certificate', code: 'CSV_EMPTY' }] };
  const problems: RowProblem[] = [];
  if (header[0] !== 'idNumber' || header[1] !== 'name') problems.push({ row: 0, path: 'header', message: 'must start with idNumber,name', code: 'CSV_HEADER_START' });
  const fieldKeys = header.slice(2).filter((k) => k !== 'validUntil');
  const seen = new Set<string>();
  for (const key of header) {
    if (seen.has(key)) problems.push({ row: 0, path: `header.${key}`, message: 'appears twice', code: 'CSV_COLUMN_TWICE' });
    seen.add(key);
  }
  if (type !== undefined) {
    for (const key of fieldKeys) {
      if (key === HOLDER_NAME_FIELD) problems.push({ row: 0, path: `header.${key}`, message: 'comes from the name column; do not send it twice', code: 'NAME_TWICE' });
      else if (!type.fields.some((f) => f.key === key)) problems.push({ row: 0, path: `header.${key}`, message: `is not a field of type ${type.code}`, code: 'NOT_IN_TYPE', params: { type: type.code } });
    }
  }
  if (problems.length > 0) return { items: [], problems };
  const validUntilAt = header.indexOf('validUntil');
  const items = rows.map((cells) => {
    const fields: Record<string, string | number | boolean> = {};
    header.forEach((key, i) => {
      if (i < 2 || i === validUntilAt) return;
      const value = type === undefined ? cells[i] : cellValue(type, key, cells[i] ?? '');
      if (value !== undefined) fields[key] = value;
    });
    const validUntil = validUntilAt >= 0 ? cells[validUntilAt] : undefined;
    return { holder: { idNumber: cells[0] ?? '', name: cells[1] ?? '' }, fields, ...(validUntil === undefined || validUntil === '' ? {} : { validUntil }) };
  });
  return { items, problems: [] };
}

/**
 * Reads the request body of a batch upload (JSON object or CSV text with `?typeCode=`).
 *
 * @throws {@link ValidationError} when the body is not a batch at all (no type, no items).
 * @throws {@link AppError} `BATCH.TOO_LARGE` (413) above {@link MAX_BATCH_ITEMS} items.
 */
export function readBatchUpload(body: unknown, query: { typeCode?: string; batchId?: string }, type: (code: string) => LedgerCertificateType | undefined): BatchUpload {
  let upload: BatchUpload;
  if (typeof body === 'string') {
    if (query.typeCode === undefined) throw new ValidationError([{ path: 'query.typeCode', message: 'is required with a text/csv body', code: 'REQUIRED' }]);
    const { items, problems } = itemsFromCsv(body, type(query.typeCode));
    upload = { typeCode: query.typeCode, batchId: query.batchId, items, readProblems: problems, format: 'csv' };
  } else {
    const shape = z
      .strictObject({ typeCode: z.string().regex(TYPE_CODE, 'must be an upper-case type code'), batchId: z.string().regex(BATCH_ID, 'must be 1 to 101 letters, digits or . _ : -').optional(), items: z.array(z.unknown()).min(1, 'must hold at least one certificate') })
      .safeParse(body, { reportInput: true });
    if (!shape.success) throw new ValidationError(issuesOf(shape.error, 'body'));
    upload = { typeCode: shape.data.typeCode, batchId: shape.data.batchId, items: shape.data.items, readProblems: [], format: 'json' };
  }
  if (upload.items.length > MAX_BATCH_ITEMS) {
    throw new AppError(413, 'BATCH.TOO_LARGE', `The batch has ${String(upload.items.length)} certificates; at most ${String(MAX_BATCH_ITEMS)} are issued under one root. Split it; nothing was issued.`);
  }
  if (upload.items.length === 0 && upload.readProblems.length === 0) throw new ValidationError([{ path: 'body', message: 'holds no certificates', code: 'TOO_FEW', params: { min: 1 } }]);
  return upload;
}

/**
 * What a row's schema errors kept from being checked: its field values against the type, and its
 * validity end, each when that part is well-formed itself. So an officer sees every problem of a
 * row at once instead of one layer per upload.
 */
function hiddenRowProblems(type: LedgerCertificateType, raw: unknown, known: readonly ValidationIssue[], validFrom: Date): ValidationIssue[] {
  const item = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const flagged = (part: string): boolean => known.some((issue) => issue.path === part || issue.path.startsWith(`${part}.`));
  const found: ValidationIssue[] = [];
  const fields = FieldValuesSchema.safeParse(item.fields);
  if (fields.success && !flagged('fields')) {
    // The holder's name field is filled from holder.name, whose own problem is already listed.
    found.push(...fieldProblems(type, fields.data).filter((problem) => problem.path !== `fields.${HOLDER_NAME_FIELD}`));
  }
  if (typeof item.validUntil === 'string' && !flagged('validUntil')) {
    found.push(...validityEnd(type, item.validUntil, validFrom).issues);
  }
  return found;
}

function invalidRows(problems: readonly RowProblem[], total: number): AppError {
  const rows = new Set(problems.map((p) => p.row)).size;
  return new AppError(422, 'BATCH.INVALID_ROWS', `${String(rows)} of ${String(total)} rows are not valid; nothing was issued`, {
    extensions: { errors: problems.slice(0, 1_000) },
  });
}

/** The batch issuance rules; routes parse and call these. */
export class CertificateBatchService {
  constructor(private readonly deps: CertificateBatchServiceDependencies) {}

  /**
   * Validates a batch upload completely and returns the NDJSON producer that issues it. Every
   * refusal happens here, before anything is written or streamed.
   *
   * @throws {@link ValidationError} for a body that is not a batch; {@link AppError}
   *   `BATCH.TOO_LARGE` 413, `BATCH.INVALID_ROWS` 422 (every row's problems, 1-based `row`),
   *   `CERT.UNKNOWN_TYPE` 400; {@link ConflictError} `BATCH.DUPLICATE_ROWS` or `BATCH.ID_USED`
   *   409; {@link ForbiddenError} `CERT.NOT_ALLOWED` when the organisation may not issue the type.
   */
  async prepare(principal: Principal, body: unknown, query: { typeCode?: string; batchId?: string }, idempotency: IdempotencyHandle): Promise<(emit: EmitLine) => Promise<void>> {
    const org = principal.org;
    if (org === null) throw new ForbiddenError('CERT.NOT_ALLOWED', 'Only an officer of an organisation can issue certificates');
    const documents = new DocumentRepository(this.deps.db);
    if (isBatchContext(idempotency.resumed)) {
      const plan = await documents.findBatch(idempotency.resumed.batchId);
      if (plan !== undefined) return (emit) => this.record(principal, plan, emit, true);
    }
    const types = await new CertificateRepository(this.deps.db).listTypes();
    const typeOf = (code: string): LedgerCertificateType | undefined => types.find((t) => t.code === code);
    const upload = readBatchUpload(body, query, typeOf);
    const type = typeOf(upload.typeCode);
    if (type === undefined) {
      throw new AppError(400, 'CERT.UNKNOWN_TYPE', `There is no certificate type ${upload.typeCode} on the ledger`, {
        extensions: { errors: [{ path: upload.format === 'csv' ? 'query.typeCode' : 'body.typeCode', message: 'is not a registered certificate type' }] },
      });
    }
    if (!type.allowedIssuerMsps.includes(org)) throw new ForbiddenError('CERT.NOT_ALLOWED', `${org} may not issue ${type.code} certificates`);
    if (upload.readProblems.length > 0) throw invalidRows(upload.readProblems, upload.items.length);

    const batchId = upload.batchId ?? `b-${randomUUID()}`;
    const drafts = this.draftsOf(org, type, batchId, upload.items);
    if (upload.batchId !== undefined && ((await documents.findBatch(batchId)) !== undefined || (await this.batchOnLedger(principal, batchId)))) {
      throw new ConflictError('BATCH.ID_USED', `Batch id ${batchId} is already used; nothing was issued`);
    }
    const plan = { batchId, typeCode: type.code, issuerMsp: org, createdBy: principal.userId };
    return async (emit) => {
      emit({ type: 'progress', phase: 'validated', done: drafts.length, total: drafts.length });
      const stored = await this.wrapAndStore(plan, type, drafts);
      emit({ type: 'progress', phase: 'wrapped', done: drafts.length, total: drafts.length });
      // From here a ledger may be reached: a retry resumes this batch instead of starting another.
      await idempotency.save({ batchId });
      await this.record(principal, stored, emit, false);
    };
  }

  /** Validates every row; builds the drafts. @throws as {@link CertificateBatchService.prepare}. */
  private draftsOf(org: string, type: LedgerCertificateType, batchId: string, items: readonly unknown[]): CertificateDraft[] {
    const problems: RowProblem[] = [];
    const drafts: CertificateDraft[] = [];
    const typeMap = new Map<string, CertificateTypeDefinition>([[type.code, type]]);
    const validFrom = nowSeconds();
    const issuer = { mspId: org, name: this.deps.organisationNames.get(org) ?? org };
    const seen = new Map<string, number>();
    const duplicates: RowProblem[] = [];
    items.forEach((raw, index) => {
      const row = index + 1;
      const parsed = BatchItemSchema.safeParse(raw, { reportInput: true });
      if (!parsed.success) {
        const issues = issuesOf(parsed.error, '');
        for (const issue of issues) problems.push({ ...issue, row, path: issue.path === '' ? '(row)' : issue.path });
        for (const issue of hiddenRowProblems(type, raw, issues, validFrom)) problems.push({ ...issue, row });
        return;
      }
      const item: BatchItem = parsed.data;
      const { fields, validUntil, issues } = holderAndValidity(type, { holderName: item.holder.name, fields: item.fields, validUntil: item.validUntil }, validFrom);
      for (const issue of issues) problems.push({ ...issue, row });
      const subjectRef = subjectRefOf(this.deps.subjectRefSecret, item.holder.idNumber);
      const draft: CertificateDraft = {
        certificateId: `${batchId}-${String(row).padStart(5, '0')}`,
        typeCode: type.code,
        issuer,
        subjectRef,
        validFrom: isoSeconds(validFrom),
        validUntil,
        fields,
      };
      for (const { index: _index, ...issue } of draftProblems(draft, typeMap, index)) problems.push({ ...issue, row });
      const key = canonicalize({ subjectRef, typeCode: type.code, fields }) ?? '';
      const first = seen.get(key);
      if (first === undefined) seen.set(key, row);
      else duplicates.push({ row, path: '(row)', message: `the same holder, type and fields as row ${String(first)}`, code: 'DUPLICATE_ROW', params: { row: first } });
      drafts.push(draft);
    });
    if (problems.length > 0) throw invalidRows(problems, items.length);
    if (duplicates.length > 0) {
      throw new ConflictError('BATCH.DUPLICATE_ROWS', `${String(duplicates.length)} rows repeat an earlier row (same holder, type and fields); nothing was issued`, {
        extensions: { errors: duplicates.slice(0, 1_000) },
      });
    }
    return drafts;
  }

  private async batchOnLedger(principal: Principal, batchId: string): Promise<boolean> {
    try {
      await this.deps.fabric.evaluate(actorFor(this.deps.fabric, principal, 'officer'), 'certificate:GetBatch', [batchId]);
      return true;
    } catch (err) {
      if (err instanceof ChaincodeRejectedError && err.code === 'CERT.NOT_FOUND') return false;
      throw err;
    }
  }

  /** Wraps the drafts and stores the documents and the plan in one transaction. */
  private async wrapAndStore(plan: Omit<BatchPlan, 'root' | 'count' | 'partSize' | 'partCount' | 'createdAt'>, type: LedgerCertificateType, drafts: readonly CertificateDraft[]): Promise<BatchPlan> {
    const deployment = this.deps.evm.deployment;
    let wrapped;
    try {
      wrapped = await wrapBatch(drafts, { anchor: { chainId: deployment.chainId, trustAnchor: deployment.trustAnchor.address }, types: [type] });
    } catch (err) {
      if (err instanceof BatchError && err.rows.length > 0) throw invalidRows(err.rows.map(({ index, ...issue }) => ({ ...issue, row: index + 1 })), drafts.length);
      throw err;
    }
    const partSize = this.partSizeFor(drafts);
    const full: BatchPlan = {
      ...plan,
      root: wrapped.merkleRoot,
      count: drafts.length,
      partSize,
      partCount: Math.ceil(drafts.length / partSize),
      createdAt: new Date().toISOString(),
    };
    const rows: NewDocument[] = wrapped.documents.map((document, i) => {
      const draft = drafts[i] as CertificateDraft;
      return {
        certificateId: draft.certificateId,
        batchId: plan.batchId,
        issuerMsp: plan.issuerMsp,
        typeCode: draft.typeCode,
        subjectRef: draft.subjectRef,
        targetHash: wrapped.targetHashes[i] ?? '',
        position: i + 1,
        document: document as unknown as Record<string, unknown>,
      };
    });
    await this.deps.db.transaction().execute(async (trx) => {
      const repository = new DocumentRepository(trx);
      if (!(await repository.insertBatch(full))) throw new ConflictError('BATCH.ID_USED', `Batch id ${plan.batchId} is already used; nothing was issued`);
      await repository.insertDocuments(rows);
    });
    return full;
  }

  /** Part size: 1,000, smaller when ids are long enough that a part would exceed the chaincode's argument limit. */
  private partSizeFor(drafts: readonly CertificateDraft[]): number {
    const longest = drafts.reduce((n, d) => Math.max(n, d.certificateId.length + d.typeCode.length + (d.validUntil?.length ?? 0)), 0);
    const perEntry = longest + 66 * 2 + 90;
    return Math.max(1, Math.min(PART_SIZE, Math.floor(MAX_PART_JSON / perEntry)));
  }

  /** Records every part not yet recorded, then waits (bounded) for the anchor and says done. */
  private async record(principal: Principal, plan: BatchPlan, emit: EmitLine, resumed: boolean): Promise<void> {
    const documents = new DocumentRepository(this.deps.db);
    const actor = actorFor(this.deps.fabric, principal, 'officer');
    if (resumed) {
      emit({ type: 'progress', phase: 'validated', done: plan.count, total: plan.count });
      emit({ type: 'progress', phase: 'wrapped', done: plan.count, total: plan.count });
    }
    const recorded = new Map((await documents.parts(plan.batchId)).map((p) => [p.part, p]));
    const done = (): number => [...recorded.keys()].reduce((n, part) => n + this.partCount(plan, part), 0);
    if (recorded.size > 0) emit({ type: 'progress', phase: 'recorded', done: done(), total: plan.count });
    const pending = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((part) => !recorded.has(part));
    const recordOne = async (part: number): Promise<void> => {
      const result = await this.recordPart(actor, principal, plan, part);
      recorded.set(part, result);
      emit({ type: 'progress', phase: 'recorded', done: done(), total: plan.count });
    };
    // A batch in parts is opened first, in one small transaction (idempotent, so a resumed batch
    // may open it again): its parts then go side by side without conflicting over the header.
    // A batch of one part opens itself.
    if (plan.partCount > 1 && pending.length > 0) await this.openBatch(actor, plan);
    let failure: Error | undefined;
    const queue = [...pending];
    await Promise.all(
      Array.from({ length: Math.min(PART_CONCURRENCY, queue.length) }, async () => {
        for (let part = queue.shift(); part !== undefined && failure === undefined; part = queue.shift()) {
          try {
            await recordOne(part);
          } catch (err) {
            failure ??= err instanceof Error ? err : new Error(String(err));
          }
        }
      }),
    );
    if (failure !== undefined) throw failure;

    const anchors = new AnchorRepository(this.deps.db);
    let anchored = (await anchors.find(plan.root)) !== undefined;
    if (!anchored) {
      anchored = await this.deps.watcher.waitUntil(async () => (await anchors.find(plan.root)) !== undefined, this.deps.anchorWaitMs ?? ANCHOR_WAIT_MS);
    }
    if (anchored) emit({ type: 'progress', phase: 'anchored', done: plan.count, total: plan.count });
    const parts = [...recorded.values()].sort((a, b) => a.part - b.part);
    emit({
      type: 'done',
      batchId: plan.batchId,
      root: plan.root,
      count: plan.count,
      transactionIds: parts.map((p) => p.txId),
      blockNumber: parts.reduce((n, p) => Math.max(n, p.blockNumber), 0),
      anchored,
    });
  }

  private partCount(plan: BatchPlan, part: number): number {
    return part < plan.partCount ? plan.partSize : plan.count - (plan.partCount - 1) * plan.partSize;
  }

  /** Records the batch header on Fabric (`certificate:OpenBatch`); nothing changes when it is already there. */
  private async openBatch(actor: ReturnType<typeof actorFor>, plan: BatchPlan): Promise<void> {
    const header = { batchId: plan.batchId, batchRoot: plan.root, batchSize: plan.count, partSize: plan.partSize };
    await this.deps.fabric.submit(actor, 'certificate:OpenBatch', [JSON.stringify(header)]);
  }

  /** Records one part; a part the ledger already holds (a resumed batch) is looked up instead. */
  private async recordPart(actor: ReturnType<typeof actorFor>, principal: Principal, plan: BatchPlan, part: number): Promise<RecordedPart> {
    const documents = new DocumentRepository(this.deps.db);
    const from = (part - 1) * plan.partSize;
    const rows = await documents.batchDocuments(plan.batchId, from, this.partCount(plan, part));
    const certificates = rows.map((row) => ({
      id: row.certificateId,
      typeCode: row.typeCode,
      subjectRef: row.subjectRef,
      documentHash: row.targetHash,
      validUntil: typeof row.document.validUntil === 'string' ? row.document.validUntil : '',
    }));
    const batchJson = plan.partCount === 1 ? { batchId: plan.batchId, batchRoot: plan.root, certificates } : { batchId: plan.batchId, batchRoot: plan.root, certificates, batchSize: plan.count, partSize: plan.partSize, part };
    let result: RecordedPart;
    try {
      const outcome = await this.deps.fabric.submit(actor, 'certificate:IssueBatch', [JSON.stringify(batchJson)]);
      result = { part, txId: outcome.transactionId, blockNumber: outcome.blockNumber };
    } catch (err) {
      if (!(err instanceof ChaincodeRejectedError && err.code === 'CERT.ALREADY_EXISTS')) throw err;
      result = await this.committedPart(principal, plan, part, certificates[0]?.id);
    }
    await documents.setRecorded(
      certificates.map((c) => c.id),
      result.txId,
      result.blockNumber,
    );
    await documents.recordPart(plan.batchId, result);
    return result;
  }

  /** A part committed before its answer was lost: its transaction from the ledger, its block from the read model. */
  private async committedPart(principal: Principal, plan: BatchPlan, part: number, firstId: string | undefined): Promise<RecordedPart> {
    const bytes = await this.deps.fabric.evaluate(actorFor(this.deps.fabric, principal, 'officer'), 'certificate:GetBatch', [plan.batchId]);
    const batch = parseLedgerJson(LedgerBatchSchema, bytes, 'the GetBatch result');
    const onLedger = batch.parts.find((p) => p.part === part);
    if (batch.batchRoot !== plan.root || onLedger === undefined || firstId === undefined || !onLedger.certificateIds.includes(firstId)) {
      throw new ConflictError('BATCH.ID_USED', `Batch ${plan.batchId} exists on the ledger with other contents`);
    }
    const repository = new CertificateRepository(this.deps.db);
    let block: number | undefined;
    await this.deps.watcher.waitUntil(async () => {
      block = (await repository.findById(firstId))?.issueBlock;
      return block !== undefined;
    }, this.deps.readWaitMaxMs);
    if (block === undefined) throw new UnavailableError('READMODEL.BEHIND', `Part ${String(part)} of batch ${plan.batchId} is on the ledger but not yet in the read model; retry`, { retryAfterSeconds: 1 });
    return { part, txId: onLedger.txId, blockNumber: block };
  }

  /**
   * A batch as the read model knows it.
   *
   * @throws {@link NotFoundError} `BATCH.NOT_FOUND`; {@link ForbiddenError} `CERT.NOT_ALLOWED`
   *   for an officer of another organisation.
   */
  async get(principal: Principal, batchId: string): Promise<BatchView> {
    const plan = await new DocumentRepository(this.deps.db).findBatch(batchId);
    if (plan === undefined) throw new NotFoundError('BATCH.NOT_FOUND', `There is no batch ${batchId}`);
    this.assertReader(principal, plan);
    return this.view(plan);
  }

  /** Officers see their own organisation's batches; auditors and administrators every batch. */
  assertReader(principal: Principal, plan: BatchPlan): void {
    const broad = principal.roles.some((r) => r === 'auditor' || r === 'admin');
    if (!broad && principal.org !== plan.issuerMsp) throw new ForbiddenError('CERT.NOT_ALLOWED', `Batch ${plan.batchId} belongs to ${plan.issuerMsp}`);
  }

  /** The plan of a batch the caller's organisation issued. @throws as {@link CertificateBatchService.get}. */
  async ownPlan(principal: Principal, batchId: string): Promise<BatchPlan> {
    const plan = await new DocumentRepository(this.deps.db).findBatch(batchId);
    if (plan === undefined) throw new NotFoundError('BATCH.NOT_FOUND', `There is no batch ${batchId}`);
    if (principal.org !== plan.issuerMsp) throw new ForbiddenError('CERT.NOT_ALLOWED', `Batch ${batchId} belongs to ${plan.issuerMsp}`);
    return plan;
  }

  async view(plan: BatchPlan): Promise<BatchView> {
    const certificates = new CertificateRepository(this.deps.db);
    const [status, anchor, summary] = await Promise.all([
      certificates.findBatchStatus(plan.batchId),
      new AnchorRepository(this.deps.db).find(plan.root),
      certificates.batchSummary(plan.batchId),
    ]);
    const changes = Array.isArray(status?.statusChanges) ? (status.statusChanges as BatchView['statusChanges']) : [];
    const revocation = status?.revocation as { reasonCode: string; reasonText: string; effectiveAt: string } | null | undefined;
    return {
      batchId: plan.batchId,
      typeCode: plan.typeCode,
      issuerMsp: plan.issuerMsp,
      root: plan.root,
      count: plan.count,
      recordedCount: summary.count,
      status: typeof status?.status === 'string' ? status.status : 'ISSUED',
      issuedAt: summary.firstIssuedAt ?? plan.createdAt,
      anchor: anchor === undefined ? { anchored: false } : { anchored: true, transactionHash: anchor.transactionHash, blockNumber: anchor.blockNumber, anchoredAt: anchor.issuedAt },
      ...(revocation === null || revocation === undefined ? {} : { revocation: { reasonCode: revocation.reasonCode, reasonText: revocation.reasonText, revokedAt: revocation.effectiveAt } }),
      statusChanges: changes.map((c) => ({ status: c.status, reasonCode: c.reasonCode, reasonText: c.reasonText, effectiveAt: c.effectiveAt })),
    };
  }
}
