/**
 * CertificateContract (`certificate`, the default contract of chaincode `ctl`): the registry of
 * certificate types, issuance (single and in batches), suspension, reinstatement, revocation,
 * and the reads a verifier needs (record, status at a time, history).
 */
import { Contract, Info, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { ANY_MEMBER, authorize, type Actor } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { CtlContext } from '../shared/context';
import { Input } from '../shared/input';
import type { ActorRef, HistoryEntry } from '../shared/models';
import { networkRoles } from '../shared/network';
import { arrayOf, DescribedParameters, ReturnsJson } from '../shared/schema';
import { parseTypeDefinition } from './definition';
import type {
  CertificateBatch,
  CertificateBatchPart,
  CertificateBatchStatus,
  CertificateBatchView,
  CertificateRecord,
  CertificateStatus,
  CertificateType,
  StatusChange,
} from './models';
import {
  CERTIFICATE_BATCH_HEADER,
  CERTIFICATE_BATCH_PART,
  CERTIFICATE_BATCH_STATUS,
  CERTIFICATE_BATCH_VIEW,
  CERTIFICATE_HISTORY,
  CERTIFICATE_RECORD,
  CERTIFICATE_STATUS_AT,
  CERTIFICATE_TYPE,
} from './schema';
import { effectiveRecord, statusAt } from './status';

/** Most certificates in one `IssueBatch` transaction. */
export const MAX_BATCH = 1000;
/** Most documents under one batch root (issued in parts of at most 1,000). */
export const MAX_BATCH_SIZE = 100_000;
/** Longest `IssueBatch` argument, in characters (1,000 entries of about 300 characters). */
export const MAX_BATCH_JSON = 400_000;
/** Longest `OpenBatch` argument, in characters. */
const MAX_HEADER_JSON = 1_000;

const TYPE = 'certType';
const TYPE_VERSION = 'certTypeVersion';
const CERT = 'cert';
const BATCH = 'certBatch';
const BATCH_PART = 'certBatchPart';
const BATCH_STATUS = 'certBatchStatus';
const DAY_MS = 86_400_000;

/** What a caller asks to issue: one certificate, before the ledger fills in the rest. */
interface IssueRequest {
  readonly id: string;
  readonly typeCode: string;
  readonly subjectRef: string;
  readonly documentHash: string;
  readonly validUntil: string;
}

function actorRef(actor: Actor): ActorRef {
  return { msp: actor.msp, cn: actor.cn };
}

function versionAttr(version: number): string {
  return String(version).padStart(6, '0');
}

/** Which status changes may follow which stored status (per scope: certificate or batch). */
const ALLOWED_FROM: Readonly<Record<CertificateStatus, readonly CertificateStatus[]>> = {
  SUSPENDED: ['ISSUED'],
  ISSUED: ['SUSPENDED'],
  REVOKED: ['ISSUED', 'SUSPENDED'],
};

function verbOf(target: CertificateStatus): string {
  return target === 'REVOKED' ? 'revoke' : target === 'SUSPENDED' ? 'suspend' : 'reinstate';
}

const PARAMETERS = {
  typeJson: 'certificate type definition, JSON {code, name, allowedIssuerMsps, validityDays, fields}',
  code: 'certificate type code: upper-case A-Z 0-9 _, at most 64',
  version: 'type version number, decimal digits',
  id: 'certificate id: 1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit',
  typeCode: 'certificate type code: upper-case A-Z 0-9 _, at most 64',
  subjectRef: "keyed hash of the holder's identity number: 0x + 64 lowercase hex",
  documentHash: "the document's targetHash: 0x + 64 lowercase hex",
  validUntil: "ISO 8601 UTC end of validity, or '' for the type's validity period",
  batchJson: 'JSON {batchId, batchRoot, certificates: [{id, typeCode, subjectRef, documentHash, validUntil}]} (1-1,000 entries), plus batchSize, partSize, part for a batch in parts',
  headerJson: 'JSON {batchId, batchRoot, batchSize, partSize} of a batch issued in parts (partSize at most 1,000)',
  batchId: 'batch id: 1-128 characters of A-Z a-z 0-9 . _ : -',
  reasonCode: 'upper-case reason code, e.g. ISSUED_IN_ERROR',
  reasonText: 'free text, 0-500 characters, no control characters and no personal data',
  effectiveAt: "ISO 8601 UTC time the change takes effect, or '' for the transaction time",
  at: 'ISO 8601 UTC instant',
};

/** The ledger's rules for e-certificates. */
@Info({ title: 'CertificateContract', description: 'E-certificate types, issuance, status changes and verification reads' })
@DescribedParameters(PARAMETERS)
export class CertificateContract extends Contract {
  constructor() {
    super('certificate');
  }

  /** @returns the context with our helpers */
  override createContext(): CtlContext {
    return new CtlContext();
  }

  /**
   * Registers a certificate type. Registering an identical definition again returns the
   * registered type and writes nothing, so bootstrap scripts can run repeatedly. Later changes
   * to the type need the endorsement of the registering street office and of every issuer.
   *
   * @param ctx - transaction context
   * @param typeJson - `{code, name, allowedIssuerMsps, validityDays, fields}`
   * @returns the type record as JSON
   * @throws ChaincodeError `AUTH.DENIED` unless the caller is an admin of a street office;
   *   `CERT.INVALID_ARGUMENT` for a malformed definition; `CERT.ALREADY_EXISTS` when the code
   *   is registered with a different definition (use `UpdateType`)
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_TYPE)
  async RegisterType(ctx: CtlContext, typeJson: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'register certificate types such as', 'a certificate type', { roles: ['admin'], msps: networkRoles().streetOfficeMsps });
    const { definition, definitionHash } = parseTypeDefinition(typeJson);
    const key = ctx.key(TYPE, definition.code);
    const existing = await ctx.getJson<CertificateType>(key);
    if (existing !== undefined) {
      if (existing.definitionHash === definitionHash) return canonicalJson(existing);
      throw new ChaincodeError(
        'CERT.ALREADY_EXISTS',
        definition.code,
        `certificate type ${definition.code} is registered with a different definition; use UpdateType`,
      );
    }
    const now = ctx.now();
    const type: CertificateType = {
      ...definition,
      version: 1,
      definitionHash,
      registrarMsp: actor.msp,
      registeredAt: now,
      registeredBy: actorRef(actor),
      updatedAt: now,
      updatedBy: actorRef(actor),
    };
    await this.storeType(ctx, type);
    ctx.emit('CertificateTypeRegistered', type);
    return canonicalJson(type);
  }

  /**
   * Changes a registered type (name, issuers, validity, fields). The version goes up by one;
   * certificates keep the version they were issued under, and every version stays readable.
   * An identical definition is a no-op.
   *
   * @param ctx - transaction context
   * @param typeJson - the complete new definition, same `code`
   * @returns the updated type record as JSON
   * @throws ChaincodeError `AUTH.DENIED` unless the caller is an admin of a street office;
   *   `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND` when the code is not registered
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_TYPE)
  async UpdateType(ctx: CtlContext, typeJson: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'update certificate types such as', 'a certificate type', { roles: ['admin'], msps: networkRoles().streetOfficeMsps });
    const { definition, definitionHash } = parseTypeDefinition(typeJson);
    const existing = await this.loadType(ctx, definition.code);
    if (existing.definitionHash === definitionHash) return canonicalJson(existing);
    const type: CertificateType = {
      ...existing,
      ...definition,
      version: existing.version + 1,
      definitionHash,
      updatedAt: ctx.now(),
      updatedBy: actorRef(actor),
    };
    await this.storeType(ctx, type);
    ctx.emit('CertificateTypeUpdated', type);
    return canonicalJson(type);
  }

  /**
   * @param ctx - transaction context
   * @param code - type code
   * @returns the current type record as JSON
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT` for a malformed code; `CERT.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_TYPE)
  async GetType(ctx: CtlContext, code: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate type ${code}`, { roles: [ANY_MEMBER] });
    const valid = new Input('CERT', `certificate type ${code}`).codeValue('code', code);
    return canonicalJson(await this.loadType(ctx, valid));
  }

  /**
   * @param ctx - transaction context
   * @param code - type code
   * @param version - a version number, as issued certificates record it
   * @returns that version of the type as JSON
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_TYPE)
  async GetTypeVersion(ctx: CtlContext, code: string, version: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate type ${code}`, { roles: [ANY_MEMBER] });
    const input = new Input('CERT', `certificate type ${code}`);
    const validCode = input.codeValue('code', code);
    const n = input.integerArg('version', version, 1, 999_999);
    const type = await ctx.getJson<CertificateType>(ctx.key(TYPE_VERSION, validCode, versionAttr(n)));
    if (type === undefined) throw new ChaincodeError('CERT.NOT_FOUND', validCode, `certificate type ${validCode} has no version ${n}`);
    return canonicalJson(type);
  }

  /**
   * @param ctx - transaction context
   * @returns every registered type (current versions) as a JSON array, ordered by code
   */
  @Transaction(false)
  @ReturnsJson(arrayOf(CERTIFICATE_TYPE, 'current versions, by code'))
  async ListTypes(ctx: CtlContext): Promise<string> {
    authorize(ctx.actor(), 'list', 'certificate types', { roles: [ANY_MEMBER] });
    const entries = await ctx.list<CertificateType>(TYPE, []);
    return canonicalJson(entries.map((e) => e.value));
  }

  /**
   * Issues one e-certificate. The batch root of a certificate issued on its own is its
   * document hash.
   *
   * @param ctx - transaction context
   * @param id - certificate id chosen by the issuer
   * @param typeCode - a registered type the caller's organisation may issue
   * @param subjectRef - keyed hash of the holder (`0x` + 64 hex)
   * @param documentHash - the document's targetHash (`0x` + 64 hex)
   * @param validUntil - ISO 8601 UTC end of validity, or '' for the type's validity period
   * @returns the certificate record as JSON; event `CertificateIssued` carries the same record
   * @throws ChaincodeError `AUTH.DENIED` unless the caller has role `officer`;
   *   `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND` for an unknown type; `CERT.NOT_ALLOWED` when the
   *   caller's organisation may not issue the type; `CERT.ALREADY_EXISTS` for a used id
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_RECORD)
  async IssueCertificate(ctx: CtlContext, id: string, typeCode: string, subjectRef: string, documentHash: string, validUntil: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'issue certificates such as', id, { roles: ['officer'] });
    const types = new Map<string, CertificateType>();
    const record = await this.prepareIssue(ctx, actor, types, { id, typeCode, subjectRef, documentHash, validUntil }, null, documentHash, '');
    await ctx.putJson(ctx.key(CERT, record.id), record);
    ctx.emit('CertificateIssued', record);
    return canonicalJson(record);
  }

  /**
   * Issues up to 1,000 certificates in one transaction, all under one batch root (the Merkle
   * root the anchorer publishes). Either every certificate of the transaction is issued or none
   * is. A batch of more documents is issued in parts: every part names the same `batchId`,
   * `batchRoot`, `batchSize` and `partSize`, and its `part` number; the parts then add up to
   * exactly `batchSize` documents.
   *
   * @param ctx - transaction context
   * @param batchJson - `{batchId, batchRoot, certificates: [{id, typeCode, subjectRef, documentHash, validUntil}]}`,
   *   plus for a batch in parts `batchSize`, `partSize` and `part` (defaults: one part holding them all)
   * @returns the part record as JSON; event `CertificateBatchIssued` carries `{batch: part, certificates}`
   * @throws ChaincodeError `AUTH.DENIED` unless role `officer`; `CERT.INVALID_ARGUMENT` (with the
   *   index of the entry) for malformed entries, repeated ids or document hashes, more than 1,000
   *   entries, a part of the wrong size, or a part that disagrees with the batch's root or sizes;
   *   `CERT.NOT_FOUND`, `CERT.NOT_ALLOWED`, `CERT.ALREADY_EXISTS` as for `IssueCertificate`;
   *   `CERT.NOT_ALLOWED` for a part of another organisation's batch; `CERT.ALREADY_EXISTS` for a
   *   part already issued
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_BATCH_PART)
  async IssueBatch(ctx: CtlContext, batchJson: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'issue certificates in', 'a batch', { roles: ['officer'] });
    const probe = new Input('CERT', 'batch');
    const raw = probe.object('batchJson', probe.json('batchJson', batchJson, MAX_BATCH_JSON), ['batchId', 'batchRoot', 'certificates'], ['batchSize', 'partSize', 'part']);
    const batchId = probe.id('batchId', raw.batchId);
    const input = new Input('CERT', `batch ${batchId}`);
    const batchRoot = input.hash('batchRoot', raw.batchRoot);
    const entries = input.array('certificates', raw.certificates, MAX_BATCH, 1);
    const batchSize = raw.batchSize === undefined ? entries.length : input.integer('batchSize', raw.batchSize, 1, MAX_BATCH_SIZE);
    const partSize = raw.partSize === undefined ? batchSize : input.integer('partSize', raw.partSize, 1, MAX_BATCH);
    const partCount = Math.ceil(batchSize / partSize);
    const part = raw.part === undefined ? 1 : input.integer('part', raw.part, 1, partCount);
    const expected = part < partCount ? partSize : batchSize - (partCount - 1) * partSize;
    if (partSize > MAX_BATCH) input.fail(`a batch of ${batchSize} documents must be issued in parts of at most ${MAX_BATCH} (give partSize and part)`);
    if (entries.length !== expected) input.fail(`part ${part} of ${partCount} must hold ${expected} certificates, got ${entries.length}`);
    const requests: IssueRequest[] = entries.map((entry, i) => {
      const e = input.object(`certificates[${i}]`, entry, ['id', 'typeCode', 'subjectRef', 'documentHash', 'validUntil']);
      return {
        id: input.string(`certificates[${i}].id`, e.id),
        typeCode: input.string(`certificates[${i}].typeCode`, e.typeCode),
        subjectRef: input.string(`certificates[${i}].subjectRef`, e.subjectRef),
        documentHash: input.string(`certificates[${i}].documentHash`, e.documentHash),
        validUntil: input.string(`certificates[${i}].validUntil`, e.validUntil),
      };
    });
    const ids = new Set<string>();
    const documents = new Set<string>();
    requests.forEach((r, i) => {
      if (ids.has(r.id)) input.fail(`certificates[${i}].id ${r.id} appears twice in the batch`);
      if (documents.has(r.documentHash)) input.fail(`certificates[${i}].documentHash appears twice in the batch`);
      ids.add(r.id);
      documents.add(r.documentHash);
    });

    const partKey = ctx.key(BATCH_PART, batchId, String(part).padStart(6, '0'));
    if ((await ctx.getJson<CertificateBatchPart>(partKey)) !== undefined) {
      throw new ChaincodeError('CERT.ALREADY_EXISTS', batchId, partCount === 1 ? `batch ${batchId} already exists` : `part ${part} of batch ${batchId} already exists`);
    }
    const headerKey = ctx.key(BATCH, batchId);
    const header = await ctx.getJson<CertificateBatch>(headerKey);
    if (header !== undefined) this.checkHeader(header, actor, input, { batchRoot, batchSize, partSize }, 'this part');
    const batchStatus = await this.findBatchStatus(ctx, batchId);
    if (batchStatus?.status === 'REVOKED') throw new ChaincodeError('CERT.INVALID_STATE', batchId, `batch ${batchId} is revoked; no more parts can be issued under it`);
    const types = new Map<string, CertificateType>();
    const records: CertificateRecord[] = [];
    for (const [i, request] of requests.entries()) {
      records.push(await this.prepareIssue(ctx, actor, types, request, batchId, batchRoot, `certificates[${i}].`));
    }
    for (const record of records) await ctx.putJson(ctx.key(CERT, record.id), record);
    if (header === undefined) {
      const opened: CertificateBatch = { batchId, batchRoot, issuerMsp: actor.msp, batchSize, partSize, partCount, openedAt: ctx.now(), openedBy: actorRef(actor) };
      await ctx.putJson(headerKey, opened);
    }
    const issued: CertificateBatchPart = {
      batchId,
      batchRoot,
      issuerMsp: actor.msp,
      part,
      partCount,
      batchSize,
      issuedBy: actorRef(actor),
      issuedAt: ctx.now(),
      count: records.length,
      certificateIds: records.map((r) => r.id),
      txId: ctx.txId(),
    };
    await ctx.putJson(partKey, issued);
    ctx.emit('CertificateBatchIssued', { batch: issued, certificates: records.map((r) => effectiveRecord(r, batchStatus)) });
    return canonicalJson(issued);
  }

  /**
   * Opens a batch that will be issued in parts: records its header (root, size, part size)
   * before any part, so that the parts can then be submitted side by side without conflicting
   * over it. Opening an open batch again with the same values changes nothing; `IssueBatch`
   * still opens the batch itself when this was not called.
   *
   * @param ctx - transaction context
   * @param headerJson - `{batchId, batchRoot, batchSize, partSize}`
   * @returns the batch header as JSON (`GetBatch` without parts and status)
   * @throws ChaincodeError `AUTH.DENIED` unless role `officer`; `CERT.INVALID_ARGUMENT` for
   *   malformed values, a part size over 1,000, or a batch already open with other values;
   *   `CERT.NOT_ALLOWED` for another organisation's batch; `CERT.INVALID_STATE` for a revoked batch
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_BATCH_HEADER)
  async OpenBatch(ctx: CtlContext, headerJson: string): Promise<string> {
    const actor = ctx.actor();
    authorize(actor, 'open', 'a batch', { roles: ['officer'] });
    const probe = new Input('CERT', 'batch');
    const raw = probe.object('headerJson', probe.json('headerJson', headerJson, MAX_HEADER_JSON), ['batchId', 'batchRoot', 'batchSize', 'partSize']);
    const batchId = probe.id('batchId', raw.batchId);
    const input = new Input('CERT', `batch ${batchId}`);
    const batchRoot = input.hash('batchRoot', raw.batchRoot);
    const batchSize = input.integer('batchSize', raw.batchSize, 1, MAX_BATCH_SIZE);
    const partSize = input.integer('partSize', raw.partSize, 1, MAX_BATCH);
    const headerKey = ctx.key(BATCH, batchId);
    const existing = await ctx.getJson<CertificateBatch>(headerKey);
    if (existing !== undefined) {
      this.checkHeader(existing, actor, input, { batchRoot, batchSize, partSize }, 'this request');
      return canonicalJson(existing);
    }
    if ((await this.findBatchStatus(ctx, batchId))?.status === 'REVOKED') {
      throw new ChaincodeError('CERT.INVALID_STATE', batchId, `batch ${batchId} is revoked; it cannot be opened again`);
    }
    const opened: CertificateBatch = {
      batchId,
      batchRoot,
      issuerMsp: actor.msp,
      batchSize,
      partSize,
      partCount: Math.ceil(batchSize / partSize),
      openedAt: ctx.now(),
      openedBy: actorRef(actor),
    };
    await ctx.putJson(headerKey, opened);
    return canonicalJson(opened);
  }

  /**
   * Refuses a batch header that belongs to another organisation or disagrees with the root and
   * sizes a request names.
   *
   * @throws ChaincodeError `CERT.NOT_ALLOWED`; `CERT.INVALID_ARGUMENT`
   */
  private checkHeader(header: CertificateBatch, actor: Actor, input: Input, asked: { batchRoot: string; batchSize: number; partSize: number }, who: string): void {
    if (header.issuerMsp !== actor.msp) throw new ChaincodeError('CERT.NOT_ALLOWED', header.batchId, `batch ${header.batchId} belongs to ${header.issuerMsp}`);
    if (header.batchRoot !== asked.batchRoot || header.batchSize !== asked.batchSize || header.partSize !== asked.partSize) {
      input.fail(`batch ${header.batchId} has root ${header.batchRoot}, ${header.batchSize} documents in parts of ${header.partSize}; ${who} says otherwise`);
    }
  }

  /**
   * Suspends a valid certificate, from now or from an earlier effective time.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @param reasonCode - upper-case reason code, e.g. `UNDER_REVIEW`
   * @param reasonText - up to 500 characters, no personal data
   * @param effectiveAt - ISO 8601 UTC, or '' for the transaction time; not before issuance or
   *   the latest change, not after the transaction time
   * @returns the updated record as JSON; event `CertificateSuspended`
   * @throws ChaincodeError `AUTH.DENIED` unless role `officer`; `CERT.INVALID_ARGUMENT`;
   *   `CERT.NOT_FOUND`; `CERT.NOT_ALLOWED` unless the caller's organisation issued it;
   *   `CERT.INVALID_STATE` unless the certificate is ISSUED and not expired
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_RECORD)
  async SuspendCertificate(ctx: CtlContext, id: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeStatus(ctx, 'SUSPENDED', id, reasonCode, reasonText, effectiveAt);
  }

  /**
   * Lifts a suspension.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @param reasonCode - upper-case reason code, e.g. `REVIEW_CLEARED`
   * @param reasonText - up to 500 characters
   * @param effectiveAt - ISO 8601 UTC or ''; not before the suspension took effect
   * @returns the updated record as JSON; event `CertificateReinstated`
   * @throws ChaincodeError as `SuspendCertificate`; `CERT.INVALID_STATE` unless SUSPENDED
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_RECORD)
  async ReinstateCertificate(ctx: CtlContext, id: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeStatus(ctx, 'ISSUED', id, reasonCode, reasonText, effectiveAt);
  }

  /**
   * Revokes a certificate from the transaction time. Revocation is final.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @param reasonCode - upper-case reason code, e.g. `ISSUED_IN_ERROR`
   * @param reasonText - up to 500 characters
   * @returns the updated record as JSON; event `CertificateRevoked`
   * @throws ChaincodeError as `RevokeCertificateAt`
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_RECORD)
  async RevokeCertificate(ctx: CtlContext, id: string, reasonCode: string, reasonText: string): Promise<string> {
    return this.changeStatus(ctx, 'REVOKED', id, reasonCode, reasonText, '');
  }

  /**
   * Revokes a certificate from a given time, which may lie before earlier suspensions (the
   * date a fraud was committed, for example) but not before issuance or after the transaction.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @param reasonCode - upper-case reason code
   * @param reasonText - up to 500 characters
   * @param effectiveAt - ISO 8601 UTC, or '' for the transaction time
   * @returns the updated record as JSON; event `CertificateRevoked`
   * @throws ChaincodeError `AUTH.DENIED`; `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND`;
   *   `CERT.NOT_ALLOWED`; `CERT.INVALID_STATE` when already revoked
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_RECORD)
  async RevokeCertificateAt(ctx: CtlContext, id: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeStatus(ctx, 'REVOKED', id, reasonCode, reasonText, effectiveAt);
  }

  /**
   * @param ctx - transaction context
   * @param id - certificate id
   * @returns the certificate record as JSON
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_RECORD)
  async GetCertificate(ctx: CtlContext, id: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    return canonicalJson(await this.effective(ctx, await this.loadCertificate(ctx, new Input('CERT', id).id('id', id))));
  }

  /**
   * The status a certificate had at a time, as known now (see README: backdated revocations count).
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @param at - ISO 8601 UTC instant
   * @returns `{id, at, status, since, reasonCode, reasonText, issuedAt, validUntil}` as JSON, where
   *   status is ISSUED, SUSPENDED, REVOKED, EXPIRED or NOT_YET_ISSUED
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_STATUS_AT)
  async GetCertificateStatusAt(ctx: CtlContext, id: string, at: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    const input = new Input('CERT', id);
    const validId = input.id('id', id);
    const instant = input.time('at', at);
    return canonicalJson(statusAt(await this.effective(ctx, await this.loadCertificate(ctx, validId)), instant));
  }

  /**
   * Every committed change of a certificate: each version of its record, and each change of its
   * batch's status after it was issued, oldest first (by transaction time), each with the
   * effective record after it.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @returns a JSON array of `{txId, scope, timestamp, isDelete, value}`
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND` when the key never existed
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_HISTORY)
  async GetCertificateHistory(ctx: CtlContext, id: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    const validId = new Input('CERT', id).id('id', id);
    const versions = await this.history<CertificateRecord>(ctx, ctx.key(CERT, validId));
    const first = versions[0];
    if (first === undefined || first.value === null) throw new ChaincodeError('CERT.NOT_FOUND', validId, `certificate ${validId} does not exist`);
    const batchVersions = first.value.batchId === null ? [] : await this.history<CertificateBatchStatus>(ctx, ctx.key(BATCH_STATUS, first.value.batchId));
    // Merge the two keys' versions by transaction time; a certificate version goes first on a tie.
    const changes = [
      ...versions.map((v) => ({ ...v, scope: 'CERTIFICATE' as const })),
      ...batchVersions.filter((v) => v.timestamp > first.timestamp).map((v) => ({ ...v, scope: 'BATCH' as const })),
    ].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.scope === b.scope ? 0 : a.scope === 'CERTIFICATE' ? -1 : 1));
    let record: CertificateRecord | null = null;
    let batch: CertificateBatchStatus | undefined;
    for (const v of batchVersions) if (v.timestamp <= first.timestamp) batch = v.value ?? undefined;
    const entries: HistoryEntry<CertificateRecord>[] = changes.map((change) => {
      if (change.scope === 'CERTIFICATE') record = change.value;
      else batch = change.value ?? undefined;
      return { txId: change.txId, scope: change.scope, timestamp: change.timestamp, isDelete: change.isDelete, value: record === null ? null : effectiveRecord(record, batch) };
    });
    return canonicalJson(entries);
  }

  /**
   * A batch and the parts issued so far.
   *
   * @param ctx - transaction context
   * @param batchId - batch id
   * @returns `{batchId, batchRoot, issuerMsp, batchSize, partSize, partCount, openedAt, openedBy,
   *   parts, issuedCount, complete}` as JSON
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND`
   */
  @Transaction(false)
  @ReturnsJson(CERTIFICATE_BATCH_VIEW)
  async GetBatch(ctx: CtlContext, batchId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `batch ${batchId}`, { roles: [ANY_MEMBER] });
    const validId = new Input('CERT', batchId).id('batchId', batchId);
    const header = await ctx.getJson<CertificateBatch>(ctx.key(BATCH, validId));
    if (header === undefined) throw new ChaincodeError('CERT.NOT_FOUND', validId, `batch ${validId} does not exist`);
    const parts = (await ctx.list<CertificateBatchPart>(BATCH_PART, [validId])).map((e) => e.value);
    const issuedCount = parts.reduce((sum, p) => sum + p.count, 0);
    const status = await this.findBatchStatus(ctx, validId);
    const view: CertificateBatchView = {
      ...header,
      parts,
      issuedCount,
      complete: parts.length === header.partCount,
      status: status?.status ?? 'ISSUED',
      revocation: status?.revocation ?? null,
      suspension: status?.suspension ?? null,
      statusChanges: status?.statusChanges ?? [],
    };
    return canonicalJson(view);
  }

  /**
   * Suspends every certificate of a batch with one write: the batch's status record, which every
   * read of its certificates consults. A certificate's own suspension or revocation stays in
   * force whatever happens to the batch.
   *
   * @param ctx - transaction context
   * @param batchId - batch id
   * @param reasonCode - upper-case reason code, e.g. `UNDER_REVIEW`
   * @param reasonText - up to 500 characters, no personal data
   * @param effectiveAt - ISO 8601 UTC, or '' for the transaction time; not before the batch was
   *   opened or its latest batch-level change, not after the transaction time
   * @returns the batch status as JSON; event `CertificateBatchSuspended` with the same
   * @throws ChaincodeError `AUTH.DENIED` unless role `officer`; `CERT.INVALID_ARGUMENT`;
   *   `CERT.NOT_FOUND`; `CERT.NOT_ALLOWED` unless the caller's organisation issued the batch;
   *   `CERT.INVALID_STATE` unless the batch is ISSUED
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_BATCH_STATUS)
  async SuspendBatch(ctx: CtlContext, batchId: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeBatchStatus(ctx, 'SUSPENDED', batchId, reasonCode, reasonText, effectiveAt);
  }

  /**
   * Lifts a batch-level suspension. Certificates suspended on their own stay suspended.
   *
   * @param ctx - transaction context
   * @param batchId - batch id
   * @param reasonCode - upper-case reason code, e.g. `REVIEW_CLEARED`
   * @param reasonText - up to 500 characters
   * @param effectiveAt - ISO 8601 UTC or ''; not before the suspension took effect
   * @returns the batch status as JSON; event `CertificateBatchReinstated`
   * @throws ChaincodeError as `SuspendBatch`; `CERT.INVALID_STATE` unless the batch is SUSPENDED
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_BATCH_STATUS)
  async ReinstateBatch(ctx: CtlContext, batchId: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeBatchStatus(ctx, 'ISSUED', batchId, reasonCode, reasonText, effectiveAt);
  }

  /**
   * Revokes every certificate of a batch, finally, with one write. The revocation may be
   * backdated (not before the batch was opened); no more parts can be issued under the batch.
   *
   * @param ctx - transaction context
   * @param batchId - batch id
   * @param reasonCode - upper-case reason code, e.g. `ISSUED_IN_ERROR`
   * @param reasonText - up to 500 characters
   * @param effectiveAt - ISO 8601 UTC, or '' for the transaction time
   * @returns the batch status as JSON; event `CertificateBatchRevoked`
   * @throws ChaincodeError as `SuspendBatch`; `CERT.INVALID_STATE` when already revoked
   */
  @Transaction()
  @ReturnsJson(CERTIFICATE_BATCH_STATUS)
  async RevokeBatch(ctx: CtlContext, batchId: string, reasonCode: string, reasonText: string, effectiveAt: string): Promise<string> {
    return this.changeBatchStatus(ctx, 'REVOKED', batchId, reasonCode, reasonText, effectiveAt);
  }

  private async loadType(ctx: CtlContext, code: string): Promise<CertificateType> {
    const type = await ctx.getJson<CertificateType>(ctx.key(TYPE, code));
    if (type === undefined) throw new ChaincodeError('CERT.NOT_FOUND', code, `certificate type ${code} does not exist`);
    return type;
  }

  private async storeType(ctx: CtlContext, type: CertificateType): Promise<void> {
    const key = ctx.key(TYPE, type.code);
    await ctx.putJson(key, type);
    await ctx.putJson(ctx.key(TYPE_VERSION, type.code, versionAttr(type.version)), type);
    // The registry is kept by the street office with the issuing departments' agreement:
    // from now on a change to the type needs all of their peers' endorsements.
    await ctx.requireEndorsers(key, [type.registrarMsp, ...type.allowedIssuerMsps]);
  }

  private async loadCertificate(ctx: CtlContext, id: string): Promise<CertificateRecord> {
    const record = await ctx.getJson<CertificateRecord>(ctx.key(CERT, id));
    if (record === undefined) throw new ChaincodeError('CERT.NOT_FOUND', id, `certificate ${id} does not exist`);
    return record;
  }

  /** Validates one request and builds its record; writes nothing. */
  private async prepareIssue(
    ctx: CtlContext,
    actor: Actor,
    types: Map<string, CertificateType>,
    request: IssueRequest,
    batchId: string | null,
    batchRoot: string,
    prefix: string,
  ): Promise<CertificateRecord> {
    const probe = new Input('CERT', 'certificate');
    const id = probe.id(`${prefix}id`, request.id);
    const input = new Input('CERT', `certificate ${id}`);
    const typeCode = input.codeValue(`${prefix}typeCode`, request.typeCode);
    const subjectRef = input.hash(`${prefix}subjectRef`, request.subjectRef);
    const documentHash = input.hash(`${prefix}documentHash`, request.documentHash);
    const requestedUntil = input.optionalTime(`${prefix}validUntil`, request.validUntil);
    let type = types.get(typeCode);
    if (type === undefined) {
      type = await this.loadType(ctx, typeCode);
      types.set(typeCode, type);
    }
    if (!type.allowedIssuerMsps.includes(actor.msp)) {
      throw new ChaincodeError('CERT.NOT_ALLOWED', id, `${actor.msp} may not issue certificate type ${typeCode} (certificate ${id})`);
    }
    if ((await ctx.getJson<CertificateRecord>(ctx.key(CERT, id))) !== undefined) {
      throw new ChaincodeError('CERT.ALREADY_EXISTS', id, `certificate ${id} already exists`);
    }
    const issuedAt = ctx.now();
    const longest = type.validityDays === 0 ? null : new Date(Date.parse(issuedAt) + type.validityDays * DAY_MS).toISOString();
    let validUntil = longest;
    if (requestedUntil !== null) {
      if (requestedUntil <= issuedAt) input.fail(`${prefix}validUntil ${requestedUntil} is not after the issue time ${issuedAt}`);
      if (longest !== null && requestedUntil > longest) {
        input.fail(`${prefix}validUntil ${requestedUntil} is beyond the ${type.validityDays}-day validity of type ${typeCode}`);
      }
      validUntil = requestedUntil;
    }
    return {
      id,
      typeCode,
      typeVersion: type.version,
      issuerMsp: actor.msp,
      subjectRef,
      documentHash,
      batchId,
      batchRoot,
      status: 'ISSUED',
      issuedAt,
      validUntil,
      revocation: null,
      suspension: null,
      statusChanges: [],
      issuedBy: actorRef(actor),
      txId: ctx.txId(),
      updatedAt: issuedAt,
    };
  }

  private async findBatchStatus(ctx: CtlContext, batchId: string): Promise<CertificateBatchStatus | undefined> {
    return ctx.getJson<CertificateBatchStatus>(ctx.key(BATCH_STATUS, batchId));
  }

  /** The record as reads return it: combined with its batch's status (one more read). */
  private async effective(ctx: CtlContext, record: CertificateRecord): Promise<CertificateRecord> {
    return effectiveRecord(record, record.batchId === null ? undefined : await this.findBatchStatus(ctx, record.batchId));
  }

  /** Every committed version of a key, oldest first (Fabric's history database answers newest first). */
  private async history<T>(ctx: CtlContext, key: string): Promise<Omit<HistoryEntry<T>, 'scope'>[]> {
    const entries: Omit<HistoryEntry<T>, 'scope'>[] = [];
    for await (const mod of ctx.stub.getHistoryForKey(key)) {
      const seconds = Number(mod.timestamp.seconds.toString());
      entries.push({
        txId: mod.txId,
        timestamp: new Date(seconds * 1000 + Math.floor(mod.timestamp.nanos / 1e6)).toISOString(),
        isDelete: mod.isDelete,
        value: mod.isDelete ? null : (JSON.parse(Buffer.from(mod.value).toString('utf8')) as T),
      });
    }
    return entries.reverse();
  }

  /**
   * Checks a requested change against one timeline (a certificate's own changes, or its
   * batch's) and builds it.
   */
  private statusChange(
    ctx: CtlContext,
    input: Input,
    subject: string,
    current: { readonly status: CertificateStatus; readonly since: string; readonly sinceLabel: string; readonly changes: readonly StatusChange[] },
    target: CertificateStatus,
    reason: { readonly reasonCode: string; readonly reasonText: string; readonly effectiveAt: string },
    scope: Pick<StatusChange, 'scope' | 'batchId'>,
  ): StatusChange {
    const verb = verbOf(target);
    if (!ALLOWED_FROM[target].includes(current.status)) {
      throw new ChaincodeError('CERT.INVALID_STATE', input.subject, `${subject} is ${current.status}; cannot ${verb} it`);
    }
    const now = ctx.now();
    const requested = input.optionalTime('effectiveAt', reason.effectiveAt) ?? now;
    if (requested > now) input.fail(`effectiveAt ${requested} is after the transaction time ${now}`);
    if (requested < current.since) input.fail(`effectiveAt ${requested} is before ${current.sinceLabel} ${current.since}`);
    const latest = current.changes.reduce((max, c) => (c.effectiveAt > max ? c.effectiveAt : max), current.since);
    // Revocation is final, so it may be backdated past earlier changes; a suspension or a
    // reinstatement before the latest change would make the timeline ambiguous.
    if (target !== 'REVOKED' && requested < latest) input.fail(`effectiveAt ${requested} is before the latest status change at ${latest}`);
    const actor = ctx.actor();
    return {
      status: target,
      reasonCode: input.codeValue('reasonCode', reason.reasonCode),
      reasonText: input.text('reasonText', reason.reasonText, 0),
      effectiveAt: requested,
      recordedAt: now,
      txId: ctx.txId(),
      by: actorRef(actor),
      ...scope,
    };
  }

  private async changeStatus(
    ctx: CtlContext,
    target: CertificateStatus,
    id: string,
    reasonCode: string,
    reasonText: string,
    effectiveAt: string,
  ): Promise<string> {
    const verb = verbOf(target);
    const actor = ctx.actor();
    authorize(actor, verb, `certificate ${id}`, { roles: ['officer'] });
    const input = new Input('CERT', id);
    const validId = input.id('id', id);
    input.codeValue('reasonCode', reasonCode);
    input.text('reasonText', reasonText, 0);
    input.optionalTime('effectiveAt', effectiveAt);
    const record = await this.loadCertificate(ctx, validId);
    if (record.issuerMsp !== actor.msp) {
      throw new ChaincodeError('CERT.NOT_ALLOWED', validId, `only officers of ${record.issuerMsp} may ${verb} certificate ${validId}`);
    }
    const batch = record.batchId === null ? undefined : await this.findBatchStatus(ctx, record.batchId);
    if (batch?.status === 'REVOKED') {
      throw new ChaincodeError('CERT.INVALID_STATE', validId, `certificate ${validId} belongs to batch ${batch.batchId}, which is revoked; cannot ${verb} it`);
    }
    const now = ctx.now();
    if (target === 'SUSPENDED' && record.validUntil !== null && record.validUntil <= now) {
      throw new ChaincodeError('CERT.INVALID_STATE', validId, `certificate ${validId} expired at ${record.validUntil}; cannot suspend it`);
    }
    const own = record.statusChanges.map((c) => ({ ...c, scope: 'CERTIFICATE' as const }));
    const change = this.statusChange(
      ctx,
      input,
      `certificate ${validId}`,
      { status: record.status, since: record.issuedAt, sinceLabel: 'the issue time', changes: own },
      target,
      { reasonCode, reasonText, effectiveAt },
      { scope: 'CERTIFICATE' },
    );
    const reason = { reasonCode: change.reasonCode, reasonText: change.reasonText, effectiveAt: change.effectiveAt };
    const updated: CertificateRecord = {
      ...record,
      status: target,
      revocation: target === 'REVOKED' ? reason : null,
      suspension: target === 'SUSPENDED' ? reason : null,
      statusChanges: [...own, change],
      updatedAt: now,
    };
    await ctx.putJson(ctx.key(CERT, validId), updated);
    const view = effectiveRecord(updated, batch);
    ctx.emit(target === 'REVOKED' ? 'CertificateRevoked' : target === 'SUSPENDED' ? 'CertificateSuspended' : 'CertificateReinstated', view);
    return canonicalJson(view);
  }

  private async changeBatchStatus(
    ctx: CtlContext,
    target: CertificateStatus,
    batchId: string,
    reasonCode: string,
    reasonText: string,
    effectiveAt: string,
  ): Promise<string> {
    const verb = verbOf(target);
    const actor = ctx.actor();
    authorize(actor, verb, `batch ${batchId}`, { roles: ['officer'] });
    const input = new Input('CERT', batchId);
    const validId = input.id('batchId', batchId);
    input.codeValue('reasonCode', reasonCode);
    input.text('reasonText', reasonText, 0);
    input.optionalTime('effectiveAt', effectiveAt);
    const header = await ctx.getJson<CertificateBatch>(ctx.key(BATCH, validId));
    if (header === undefined) throw new ChaincodeError('CERT.NOT_FOUND', validId, `batch ${validId} does not exist`);
    if (header.issuerMsp !== actor.msp) {
      throw new ChaincodeError('CERT.NOT_ALLOWED', validId, `only officers of ${header.issuerMsp} may ${verb} batch ${validId}`);
    }
    const current = await this.findBatchStatus(ctx, validId);
    const changes = current?.statusChanges ?? [];
    const change = this.statusChange(
      ctx,
      input,
      `batch ${validId}`,
      { status: current?.status ?? 'ISSUED', since: header.openedAt, sinceLabel: 'the opening of the batch at', changes },
      target,
      { reasonCode, reasonText, effectiveAt },
      { scope: 'BATCH', batchId: validId },
    );
    const reason = { reasonCode: change.reasonCode, reasonText: change.reasonText, effectiveAt: change.effectiveAt };
    const status: CertificateBatchStatus = {
      batchId: validId,
      batchRoot: header.batchRoot,
      issuerMsp: header.issuerMsp,
      batchSize: header.batchSize,
      status: target,
      revocation: target === 'REVOKED' ? reason : null,
      suspension: target === 'SUSPENDED' ? reason : null,
      statusChanges: [...changes, change],
      updatedAt: ctx.now(),
    };
    await ctx.putJson(ctx.key(BATCH_STATUS, validId), status);
    ctx.emit(target === 'REVOKED' ? 'CertificateBatchRevoked' : target === 'SUSPENDED' ? 'CertificateBatchSuspended' : 'CertificateBatchReinstated', status);
    return canonicalJson(status);
  }
}

