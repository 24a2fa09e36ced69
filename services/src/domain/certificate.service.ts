/**
 * E-certificates: the type catalogue, issuance (document built with the verification library,
 * recorded on Fabric, anchored later through the outbox), reads from the read model with
 * read-your-writes, and verification. The rules and access checks live here; routes only parse.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, ForbiddenError, NotFoundError, UnavailableError, ValidationError, type ValidationIssue } from '../errors';
import type { IdempotencyHandle } from '../http/app';
import type { Principal } from '../identity/principal';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { FabricLedger } from '../ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import type { Database } from '../readmodel/schema';
import { AnchorRepository, type AnchorView } from '../repositories/anchor.repository';
import { CertificateRepository, type CertificateView } from '../repositories/certificate.repository';
import { CheckpointRepository, projectedThrough } from '../repositories/checkpoint.repository';
import { DocumentRepository } from '../repositories/document.repository';
import { BatchError, wrapBatch, withLedgerRecord, type CertificateDocument, type CertificateDraft } from '../verification';
import { FABRIC_PROJECTOR } from '../workers/fabric-projector';
import type { ProjectionWatcher } from '../workers/projection-watcher';
import { actorFor } from './ledger-actor';
import { LedgerCertificateRecordSchema, parseLedgerJson, type LedgerCertificateType } from './ledger-models';
import { subjectRefOf } from './subject-ref';

/** What an officer submits to issue one certificate. */
export interface IssueCertificateInput {
  readonly typeCode: string;
  readonly holder: { readonly idNumber: string; readonly name: string };
  readonly fields: Readonly<Record<string, string | number | boolean>>;
  readonly validUntil?: string | undefined;
}

/** The answer to an issuance. */
export interface IssuedCertificate {
  readonly certificateId: string;
  readonly certificate: CertificateDocument;
  readonly transactionId: string;
  readonly blockNumber: number;
}

/** A certificate as `GET /api/certificates/:id` reports it. */
export interface CertificateDetails extends CertificateView {
  readonly anchor: AnchorView | null;
  /** The last Fabric block the read model has fully projected. */
  readonly asOfBlock: number;
}

/** What a retry of the same issuance needs to finish it (saved under the idempotency key). */
interface IssuanceContext {
  readonly certificateId: string;
  readonly document: CertificateDocument;
  readonly validUntil: string | null;
}

/** The field of a type that carries the holder's name (filled from `holder.name`). */
export const HOLDER_NAME_FIELD = 'holderName';
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateServiceDependencies {
  readonly db: Kysely<Database>;
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly watcher: ProjectionWatcher;
  readonly subjectRefSecret: string;
  /** Display names of organisations by MSP id (the document's issuer name). */
  readonly organisationNames: ReadonlyMap<string, string>;
  readonly readWaitMaxMs: number;
}

function isIssuanceContext(value: unknown): value is IssuanceContext {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.certificateId === 'string' && typeof v.document === 'object' && v.document !== null && (typeof v.validUntil === 'string' || v.validUntil === null);
}

/** Now, to the second: the chaincode and the EVM keep seconds, and documents must match them. */
export function nowSeconds(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

/** An ISO 8601 UTC time without milliseconds, as documents carry them. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What a request's holder name and validity end make of a certificate, or what is wrong with them. */
export interface HolderAndValidity {
  /** The type's field values, with the holder's name in its field when the type has one. */
  readonly fields: Record<string, string | number | boolean>;
  /** The end of validity (to the second); null: it does not expire. */
  readonly validUntil: string | null;
  /** Problems, each at its path relative to the certificate request (`validUntil`, `fields.holderName`). */
  readonly issues: readonly ValidationIssue[];
}

/**
 * The end of validity a request asks for, checked against its type: in the future and within the
 * type's validity; without one, the type's default (null: it does not expire).
 */
export function validityEnd(type: Pick<LedgerCertificateType, 'validityDays'>, requested: string | undefined, validFrom: Date): Pick<HolderAndValidity, 'validUntil' | 'issues'> {
  const latest = type.validityDays > 0 ? validFrom.getTime() + type.validityDays * DAY_MS : undefined;
  if (requested === undefined) return { validUntil: latest === undefined ? null : isoSeconds(new Date(latest)), issues: [] };
  const until = Date.parse(requested);
  if (until <= validFrom.getTime()) return { validUntil: null, issues: [{ path: 'validUntil', message: 'must be in the future', code: 'NOT_IN_FUTURE' }] };
  if (latest !== undefined && until > latest) {
    return {
      validUntil: null,
      issues: [{ path: 'validUntil', message: `must be within the type's validity of ${String(type.validityDays)} days`, code: 'BEYOND_VALIDITY', params: { days: type.validityDays } }],
    };
  }
  return { validUntil: isoSeconds(new Date(Math.floor(until / 1000) * 1000)), issues: [] };
}

/**
 * Puts the holder's name into its field and works out the end of validity ({@link validityEnd}).
 * One rule for a single certificate and every row of a batch.
 */
export function holderAndValidity(
  type: Pick<LedgerCertificateType, 'fields' | 'validityDays'>,
  request: { readonly holderName: string; readonly fields: Readonly<Record<string, string | number | boolean>>; readonly validUntil: string | undefined },
  validFrom: Date,
): HolderAndValidity {
  const issues: ValidationIssue[] = [];
  const fields = { ...request.fields };
  if (type.fields.some((f) => f.key === HOLDER_NAME_FIELD)) {
    if (Object.hasOwn(fields, HOLDER_NAME_FIELD)) {
      issues.push({ path: `fields.${HOLDER_NAME_FIELD}`, message: 'comes from holder.name; do not send it twice', code: 'NAME_TWICE' });
    }
    fields[HOLDER_NAME_FIELD] = request.holderName;
  }
  const validity = validityEnd(type, request.validUntil, validFrom);
  return { fields, validUntil: validity.validUntil, issues: [...issues, ...validity.issues] };
}

/** E-certificate rules and access checks over the Fabric port, the EVM deployment and the read model. */
export class CertificateService {
  constructor(private readonly deps: CertificateServiceDependencies) {}

  /**
   * The types the caller may use: an officer sees those their organisation may issue, other
   * roles see the whole catalogue.
   */
  async listTypes(principal: Principal): Promise<LedgerCertificateType[]> {
    const types = await new CertificateRepository(this.deps.db).listTypes();
    const seesAll = principal.roles.some((role) => role === 'admin' || role === 'auditor' || role === 'coordinator');
    if (seesAll) return types;
    return types.filter((t) => principal.org !== null && t.allowedIssuerMsps.includes(principal.org));
  }

  /**
   * Issues one certificate: validates the input against its type, builds and wraps the document,
   * records it on Fabric as the officer's organisation and answers the document with its ledger
   * reference. Anchoring on TrustAnchor follows asynchronously (projector → outbox → anchorer).
   *
   * @throws {@link ValidationError} for input the type does not accept (nothing is written);
   *   {@link ForbiddenError} `CERT.NOT_ALLOWED` when the organisation may not issue the type;
   *   {@link AppError} `CERT.UNKNOWN_TYPE`; ledger errors as {@link FabricLedger.submit} throws them.
   */
  async issue(principal: Principal, input: IssueCertificateInput, idempotency: IdempotencyHandle): Promise<IssuedCertificate> {
    const org = principal.org;
    if (org === null) throw new ForbiddenError('CERT.NOT_ALLOWED', 'Only an officer of an organisation can issue certificates');
    // Input is checked before the ledger is touched: a bad request is a 400 even while Fabric is down.
    const context = isIssuanceContext(idempotency.resumed) ? idempotency.resumed : await this.prepare(org, input);
    const actor = actorFor(this.deps.fabric, principal, 'officer');
    if (!isIssuanceContext(idempotency.resumed)) await idempotency.save({ ...context });

    const subjectRef = subjectRefOf(this.deps.subjectRefSecret, input.holder.idNumber);
    // The document is kept (hidden until recorded) for the holder's wallet, prints and bundles,
    // as a batch's are; a batch of one has no batch id.
    const documents = new DocumentRepository(this.deps.db);
    await documents.insertDocumentOnce({
      certificateId: context.certificateId,
      batchId: null,
      issuerMsp: org,
      typeCode: input.typeCode,
      subjectRef,
      targetHash: context.document.proof.targetHash,
      position: 1,
      document: context.document as unknown as Record<string, unknown>,
    });
    let transactionId: string;
    let blockNumber: number;
    try {
      const outcome = await this.deps.fabric.submit(actor, 'certificate:IssueCertificate', [
        context.certificateId,
        input.typeCode,
        subjectRef,
        context.document.proof.targetHash,
        context.validUntil ?? '',
      ]);
      const record = parseLedgerJson(LedgerCertificateRecordSchema, outcome.result, 'the IssueCertificate result');
      if (record.documentHash !== context.document.proof.targetHash) {
        throw new AppError(502, 'LEDGER.UNEXPECTED_DATA', `The ledger recorded another document hash for ${context.certificateId}`);
      }
      transactionId = outcome.transactionId;
      blockNumber = outcome.blockNumber;
    } catch (err) {
      // A retry of an issuance whose commit went through before the answer was lost.
      if (!(err instanceof ChaincodeRejectedError && err.code === 'CERT.ALREADY_EXISTS' && isIssuanceContext(idempotency.resumed))) {
        // A refusal is final; anything else (a lost answer, a timeout) may still commit, and a retry resumes.
        if (err instanceof ChaincodeRejectedError) await documents.deleteUnrecorded(context.certificateId);
        throw err;
      }
      ({ transactionId, blockNumber } = await this.recoverCommitted(context));
    }
    await documents.setRecorded([context.certificateId], transactionId, blockNumber);
    const certificate = withLedgerRecord(context.document, {
      channel: this.deps.fabric.channel,
      chaincode: this.deps.fabric.chaincode,
      certificateId: context.certificateId,
      txId: transactionId,
      blockNumber,
    });
    return { certificateId: context.certificateId, certificate, transactionId, blockNumber };
  }

  /** Finds the committed record of a resumed issuance in the read model (bounded wait). */
  private async recoverCommitted(context: IssuanceContext): Promise<{ transactionId: string; blockNumber: number }> {
    const repository = new CertificateRepository(this.deps.db);
    let row: CertificateView | undefined;
    await this.deps.watcher.waitUntil(async () => {
      row = await repository.findById(context.certificateId);
      return row !== undefined;
    }, this.deps.readWaitMaxMs);
    if (row === undefined) {
      throw new UnavailableError('READMODEL.BEHIND', `Certificate ${context.certificateId} is on the ledger but not yet in the read model; retry`, { retryAfterSeconds: 1 });
    }
    if (row.documentHash !== context.document.proof.targetHash) {
      throw new AppError(409, 'CERT.ALREADY_EXISTS', `Certificate ${context.certificateId} exists with another document`);
    }
    return { transactionId: row.issueTransactionId, blockNumber: row.issueBlock };
  }

  /** Validates the input and builds the wrapped document; writes nothing. */
  private async prepare(org: string, input: IssueCertificateInput): Promise<IssuanceContext> {
    const type = await new CertificateRepository(this.deps.db).findType(input.typeCode);
    if (type === undefined) {
      throw new AppError(400, 'CERT.UNKNOWN_TYPE', `There is no certificate type ${input.typeCode} on the ledger`, {
        extensions: { errors: [{ path: 'body.typeCode', message: 'is not a registered certificate type' }] },
      });
    }
    if (!type.allowedIssuerMsps.includes(org)) {
      throw new ForbiddenError('CERT.NOT_ALLOWED', `${org} may not issue ${type.code} certificates`);
    }
    const validFrom = nowSeconds();
    const checked = holderAndValidity(type, { holderName: input.holder.name, fields: input.fields, validUntil: input.validUntil }, validFrom);
    const { fields, validUntil } = checked;
    const issues = checked.issues.map((issue) => ({ ...issue, path: `body.${issue.path}` }));
    if (issues.length > 0) throw new ValidationError(issues);

    const certificateId = `c-${randomUUID()}`;
    const draft: CertificateDraft = {
      certificateId,
      typeCode: type.code,
      issuer: { mspId: org, name: this.deps.organisationNames.get(org) ?? org },
      subjectRef: subjectRefOf(this.deps.subjectRefSecret, input.holder.idNumber),
      validFrom: isoSeconds(validFrom),
      validUntil,
      fields,
    };
    const deployment = this.deps.evm.deployment;
    try {
      const wrapped = await wrapBatch([draft], {
        anchor: { chainId: deployment.chainId, trustAnchor: deployment.trustAnchor.address },
        types: [type],
      });
      const document = wrapped.documents[0];
      if (document === undefined) throw new Error('wrapBatch returned no document');
      return { certificateId, document, validUntil };
    } catch (err) {
      if (err instanceof BatchError && err.rows.length > 0) {
        throw new ValidationError(err.rows.map(({ index: _index, ...issue }) => ({ ...issue, path: `body.${issue.path}` })));
      }
      throw err;
    }
  }

  /**
   * A certificate from the read model. With `minBlock`, waits (bounded) until the read model has
   * projected that block, so a client reads its own write.
   *
   * @throws {@link NotFoundError} `CERT.NOT_FOUND`; {@link UnavailableError} `READMODEL.BEHIND`
   *   when the read model has not reached `minBlock` within the wait.
   */
  async get(id: string, minBlock: number | undefined, signal?: AbortSignal): Promise<CertificateDetails> {
    const certificates = new CertificateRepository(this.deps.db);
    const checkpoints = new CheckpointRepository(this.deps.db);
    let row: CertificateView | undefined;
    let through = -1;
    const ready = async (): Promise<boolean> => {
      row = await certificates.findById(id);
      through = projectedThrough(await checkpoints.get(FABRIC_PROJECTOR));
      return minBlock === undefined || through >= minBlock || (row !== undefined && row.lastBlock >= minBlock);
    };
    if (!(await this.deps.watcher.waitUntil(ready, minBlock === undefined ? 0 : this.deps.readWaitMaxMs, signal))) {
      throw new UnavailableError('READMODEL.BEHIND', `The read model has not reached block ${String(minBlock)} yet (it is at ${String(through)}); retry`, {
        retryAfterSeconds: 1,
      });
    }
    const found = row;
    if (found === undefined) throw new NotFoundError('CERT.NOT_FOUND', `There is no certificate ${id}`);
    const anchor = found.batchRoot === null ? undefined : await new AnchorRepository(this.deps.db).find(found.batchRoot);
    return { ...found, anchor: anchor ?? null, asOfBlock: through };
  }
}
