/**
 * CertificateContract (`certificate`, the default contract of chaincode `ctl`): the registry of
 * certificate types, issuance (single and in batches), suspension, reinstatement, revocation,
 * and the reads a verifier needs (record, status at a time, history).
 */
import { Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { ANY_MEMBER, authorize, type Actor } from '../shared/access';
import { canonicalJson } from '../shared/canonical';
import { CtlContext } from '../shared/context';
import { Input } from '../shared/input';
import type { ActorRef, HistoryEntry } from '../shared/models';
import { networkRoles } from '../shared/network';
import { parseTypeDefinition } from './definition';
import type { CertificateBatch, CertificateBatchPart, CertificateBatchView, CertificateRecord, CertificateStatus, CertificateType, StatusChange } from './models';
import './schema';
import { statusAt } from './status';

/** Most certificates in one `IssueBatch` transaction. */
export const MAX_BATCH = 1000;
/** Most documents under one batch root (issued in parts of at most 1,000). */
export const MAX_BATCH_SIZE = 100_000;
/** Longest `IssueBatch` argument, in characters (1,000 entries of about 300 characters). */
export const MAX_BATCH_JSON = 400_000;

const TYPE = 'certType';
const TYPE_VERSION = 'certTypeVersion';
const CERT = 'cert';
const BATCH = 'certBatch';
const BATCH_PART = 'certBatchPart';
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

/** The ledger's rules for e-certificates. */
@Info({ title: 'CertificateContract', description: 'E-certificate types, issuance, status changes and verification reads' })
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
    if (header !== undefined) {
      if (header.issuerMsp !== actor.msp) throw new ChaincodeError('CERT.NOT_ALLOWED', batchId, `batch ${batchId} belongs to ${header.issuerMsp}`);
      if (header.batchRoot !== batchRoot || header.batchSize !== batchSize || header.partSize !== partSize) {
        input.fail(`batch ${batchId} has root ${header.batchRoot}, ${header.batchSize} documents in parts of ${header.partSize}; this part says otherwise`);
      }
    }
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
    ctx.emit('CertificateBatchIssued', { batch: issued, certificates: records });
    return canonicalJson(issued);
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
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
  @Returns('string')
  async GetCertificate(ctx: CtlContext, id: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    return canonicalJson(await this.loadCertificate(ctx, new Input('CERT', id).id('id', id)));
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
  @Returns('string')
  async GetCertificateStatusAt(ctx: CtlContext, id: string, at: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    const input = new Input('CERT', id);
    const validId = input.id('id', id);
    const instant = input.time('at', at);
    return canonicalJson(statusAt(await this.loadCertificate(ctx, validId), instant));
  }

  /**
   * Every version of a certificate record the ledger committed, oldest first.
   *
   * @param ctx - transaction context
   * @param id - certificate id
   * @returns a JSON array of `{txId, timestamp, isDelete, value}`
   * @throws ChaincodeError `CERT.INVALID_ARGUMENT`; `CERT.NOT_FOUND` when the key never existed
   */
  @Transaction(false)
  @Returns('string')
  async GetCertificateHistory(ctx: CtlContext, id: string): Promise<string> {
    authorize(ctx.actor(), 'read', `certificate ${id}`, { roles: [ANY_MEMBER] });
    const validId = new Input('CERT', id).id('id', id);
    const entries: HistoryEntry<CertificateRecord>[] = [];
    for await (const mod of ctx.stub.getHistoryForKey(ctx.key(CERT, validId))) {
      const seconds = Number(mod.timestamp.seconds.toString());
      entries.push({
        txId: mod.txId,
        timestamp: new Date(seconds * 1000 + Math.floor(mod.timestamp.nanos / 1e6)).toISOString(),
        isDelete: mod.isDelete,
        value: mod.isDelete ? null : (JSON.parse(Buffer.from(mod.value).toString('utf8')) as CertificateRecord),
      });
    }
    if (entries.length === 0) throw new ChaincodeError('CERT.NOT_FOUND', validId, `certificate ${validId} does not exist`);
    // Fabric's history database answers newest first.
    return canonicalJson(entries.reverse());
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
  @Returns('string')
  async GetBatch(ctx: CtlContext, batchId: string): Promise<string> {
    authorize(ctx.actor(), 'read', `batch ${batchId}`, { roles: [ANY_MEMBER] });
    const validId = new Input('CERT', batchId).id('batchId', batchId);
    const header = await ctx.getJson<CertificateBatch>(ctx.key(BATCH, validId));
    if (header === undefined) throw new ChaincodeError('CERT.NOT_FOUND', validId, `batch ${validId} does not exist`);
    const parts = (await ctx.list<CertificateBatchPart>(BATCH_PART, [validId])).map((e) => e.value);
    const issuedCount = parts.reduce((sum, p) => sum + p.count, 0);
    const view: CertificateBatchView = { ...header, parts, issuedCount, complete: parts.length === header.partCount };
    return canonicalJson(view);
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

  private async changeStatus(
    ctx: CtlContext,
    target: CertificateStatus,
    id: string,
    reasonCode: string,
    reasonText: string,
    effectiveAt: string,
  ): Promise<string> {
    const verb = target === 'REVOKED' ? 'revoke' : target === 'SUSPENDED' ? 'suspend' : 'reinstate';
    const actor = ctx.actor();
    authorize(actor, verb, `certificate ${id}`, { roles: ['officer'] });
    const input = new Input('CERT', id);
    const validId = input.id('id', id);
    const code = input.codeValue('reasonCode', reasonCode);
    const text = input.text('reasonText', reasonText, 0);
    const now = ctx.now();
    const requested = input.optionalTime('effectiveAt', effectiveAt) ?? now;
    const record = await this.loadCertificate(ctx, validId);
    if (record.issuerMsp !== actor.msp) {
      throw new ChaincodeError('CERT.NOT_ALLOWED', validId, `only officers of ${record.issuerMsp} may ${verb} certificate ${validId}`);
    }
    const allowedFrom: Record<CertificateStatus, readonly CertificateStatus[]> = {
      SUSPENDED: ['ISSUED'],
      ISSUED: ['SUSPENDED'],
      REVOKED: ['ISSUED', 'SUSPENDED'],
    };
    if (!allowedFrom[target].includes(record.status)) {
      throw new ChaincodeError('CERT.INVALID_STATE', validId, `certificate ${validId} is ${record.status}; cannot ${verb} it`);
    }
    if (target === 'SUSPENDED' && record.validUntil !== null && record.validUntil <= now) {
      throw new ChaincodeError('CERT.INVALID_STATE', validId, `certificate ${validId} expired at ${record.validUntil}; cannot suspend it`);
    }
    if (requested > now) input.fail(`effectiveAt ${requested} is after the transaction time ${now}`);
    if (requested < record.issuedAt) input.fail(`effectiveAt ${requested} is before the issue time ${record.issuedAt}`);
    const latest = record.statusChanges.reduce((max, c) => (c.effectiveAt > max ? c.effectiveAt : max), record.issuedAt);
    // Revocation is final, so it may be backdated past earlier changes; a suspension or a
    // reinstatement before the latest change would make the timeline ambiguous.
    if (target !== 'REVOKED' && requested < latest) input.fail(`effectiveAt ${requested} is before the latest status change at ${latest}`);
    const change: StatusChange = {
      status: target,
      reasonCode: code,
      reasonText: text,
      effectiveAt: requested,
      recordedAt: now,
      txId: ctx.txId(),
      by: actorRef(actor),
    };
    const reason = { reasonCode: code, reasonText: text, effectiveAt: requested };
    const updated: CertificateRecord = {
      ...record,
      status: target,
      revocation: target === 'REVOKED' ? reason : null,
      suspension: target === 'SUSPENDED' ? reason : null,
      statusChanges: [...record.statusChanges, change],
      updatedAt: now,
    };
    await ctx.putJson(ctx.key(CERT, validId), updated);
    ctx.emit(target === 'REVOKED' ? 'CertificateRevoked' : target === 'SUSPENDED' ? 'CertificateSuspended' : 'CertificateReinstated', updated);
    return canonicalJson(updated);
  }
}

