/**
 * Certificates, their event history and the type catalogue in the read model. Written only by
 * the projector (from ledger events); read by the API.
 */
import { sql, type Kysely } from 'kysely';
import type { LedgerCertificateRecord, LedgerCertificateType } from '../domain/ledger-models';
import { toBlockNumber, type Database } from '../readmodel/schema';

/** Where an event sits on the ledger. */
export interface LedgerPosition {
  readonly transactionId: string;
  readonly blockNumber: number;
  readonly eventName: string;
}

/** A certificate row as the API reports it. */
export interface CertificateView {
  readonly id: string;
  readonly typeCode: string;
  readonly issuerMsp: string;
  readonly subjectRef: string;
  readonly documentHash: string;
  readonly batchRoot: string | null;
  readonly status: string;
  readonly issuedAt: string;
  readonly validUntil: string | null;
  readonly revokedAt: string | null;
  readonly revocationReasonCode: string | null;
  readonly issueTransactionId: string;
  readonly issueBlock: number;
  readonly lastTransactionId: string;
  readonly lastBlock: number;
  /** The ledger record as last projected (chaincode field names). */
  readonly record: Record<string, unknown>;
}

/** Rows per statement when a batch writes many. */
const CHUNK = 500;

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** The columns a record's status and its latest transaction set (at issue and at every change). */
function statusColumns(record: LedgerCertificateRecord, at: LedgerPosition) {
  return {
    status: record.status,
    valid_until: record.validUntil,
    revoked_at: record.revocation?.effectiveAt ?? null,
    revocation_reason_code: record.revocation?.reasonCode ?? null,
    last_tx_id: at.transactionId,
    last_block: at.blockNumber,
    record: JSON.stringify(record),
  };
}

/** The read-model row of a certificate as its issue event records it. */
function issuedRow(record: LedgerCertificateRecord, at: LedgerPosition) {
  return {
    id: record.id,
    type_code: record.typeCode,
    issuer_msp: record.issuerMsp,
    subject_ref: record.subjectRef,
    document_hash: record.documentHash,
    batch_root: record.batchRoot,
    issued_at: record.issuedAt,
    issue_tx_id: at.transactionId,
    issue_block: at.blockNumber,
    batch_id: record.batchId ?? null,
    ...statusColumns(record, at),
  };
}

/** Certificates, their history and the type catalogue (written by the Fabric projector only). */
export class CertificateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a newly issued certificate and its first history row. */
  async insertIssued(record: LedgerCertificateRecord, at: LedgerPosition): Promise<void> {
    await this.insertIssuedMany([record], at);
  }

  /** Inserts a batch part's certificates, in chunks (a part holds up to 1,000). */
  async insertIssuedMany(records: readonly LedgerCertificateRecord[], at: LedgerPosition): Promise<void> {
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      await this.db
        .insertInto('certificates')
        .values(chunk.map((record) => issuedRow(record, at)))
        .execute();
      await this.addEvents(chunk, at);
    }
  }

  /**
   * Applies the effective records a batch-level change gave every certificate of the batch, in
   * chunks of one statement each.
   */
  async applyStatusMany(records: readonly LedgerCertificateRecord[], at: LedgerPosition): Promise<void> {
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      const values = sql.join(
        chunk.map(
          (r) =>
            sql`(${r.id}, ${r.status}, ${r.validUntil}::timestamptz, ${r.revocation?.effectiveAt ?? null}::timestamptz, ${r.revocation?.reasonCode ?? null}, ${JSON.stringify(r)}::jsonb)`,
        ),
      );
      await sql`update certificates as c set status = v.status, valid_until = v.valid_until, revoked_at = v.revoked_at,
          revocation_reason_code = v.reason, record = v.record, last_tx_id = ${at.transactionId}, last_block = ${at.blockNumber}
        from (values ${values}) as v(id, status, valid_until, revoked_at, reason, record) where c.id = v.id`.execute(this.db);
      await this.addEvents(chunk, at);
    }
  }

  /** The ledger records of a batch's certificates as last projected. */
  async batchMembers(batchId: string): Promise<LedgerCertificateRecord[]> {
    const rows = await this.db.selectFrom('certificates').select('record').where('batch_id', '=', batchId).orderBy('id').execute();
    return rows.map((r) => r.record as LedgerCertificateRecord);
  }

  /** How many of a batch's certificates are projected, and when the first was issued. */
  async batchSummary(batchId: string): Promise<{ count: number; firstIssuedAt: string | undefined }> {
    const row = await this.db
      .selectFrom('certificates')
      .select([sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(issued_at)`.as('first')])
      .where('batch_id', '=', batchId)
      .executeTakeFirst();
    const first: unknown = row?.first;
    return { count: row?.n ?? 0, firstIssuedAt: first instanceof Date ? first.toISOString() : typeof first === 'string' ? new Date(first).toISOString() : undefined };
  }

  /** Inserts or replaces a batch's batch-level status. */
  async upsertBatchStatus(status: { batchId: string; batchRoot: string; issuerMsp: string; status: string } & Record<string, unknown>, at: LedgerPosition): Promise<void> {
    const values = {
      batch_id: status.batchId,
      batch_root: status.batchRoot,
      issuer_msp: status.issuerMsp,
      status: status.status,
      record: JSON.stringify(status),
      last_tx_id: at.transactionId,
      last_block: at.blockNumber,
    };
    await this.db
      .insertInto('batch_statuses')
      .values(values)
      .onConflict((oc) => oc.column('batch_id').doUpdateSet({ status: values.status, record: values.record, last_tx_id: values.last_tx_id, last_block: values.last_block }))
      .execute();
  }

  /** A batch's batch-level status record, when it has had a batch-level change. */
  async findBatchStatus(batchId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.selectFrom('batch_statuses').select('record').where('batch_id', '=', batchId).executeTakeFirst();
    return row?.record;
  }

  private async addEvents(records: readonly LedgerCertificateRecord[], at: LedgerPosition): Promise<void> {
    if (records.length === 0) return;
    await this.db
      .insertInto('certificate_events')
      .values(
        records.map((record) => ({
          tx_id: at.transactionId,
          certificate_id: record.id,
          event_name: at.eventName,
          block_number: at.blockNumber,
          payload: JSON.stringify(record),
        })),
      )
      .execute();
  }

  /**
   * Applies a status change (suspension, reinstatement, revocation) carried by an event.
   *
   * @returns false when the certificate is not in the read model (its issue event was missed).
   */
  async applyStatus(record: LedgerCertificateRecord, at: LedgerPosition): Promise<boolean> {
    const result = await this.db
      .updateTable('certificates')
      .set(statusColumns(record, at))
      .where('id', '=', record.id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await this.addEvent(record.id, record, at);
    return true;
  }

  private async addEvent(certificateId: string, payload: Record<string, unknown>, at: LedgerPosition): Promise<void> {
    await this.db
      .insertInto('certificate_events')
      .values({
        tx_id: at.transactionId,
        certificate_id: certificateId,
        event_name: at.eventName,
        block_number: at.blockNumber,
        payload: JSON.stringify(payload),
      })
      .execute();
  }

  /** Inserts or replaces a certificate type (registration or update). */
  async upsertType(type: LedgerCertificateType, at: LedgerPosition): Promise<void> {
    const values = {
      code: type.code,
      name: type.name,
      version: type.version,
      definition: JSON.stringify(type),
      last_tx_id: at.transactionId,
      last_block: at.blockNumber,
    };
    await this.db
      .insertInto('certificate_types')
      .values(values)
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: values.name, version: values.version, definition: values.definition, last_tx_id: values.last_tx_id, last_block: values.last_block }))
      .execute();
  }

  async findById(id: string): Promise<CertificateView | undefined> {
    const row = await this.db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      typeCode: row.type_code,
      issuerMsp: row.issuer_msp,
      subjectRef: row.subject_ref,
      documentHash: row.document_hash,
      batchRoot: row.batch_root,
      status: row.status,
      issuedAt: row.issued_at.toISOString(),
      validUntil: iso(row.valid_until),
      revokedAt: iso(row.revoked_at),
      revocationReasonCode: row.revocation_reason_code,
      issueTransactionId: row.issue_tx_id,
      issueBlock: toBlockNumber(row.issue_block),
      lastTransactionId: row.last_tx_id,
      lastBlock: toBlockNumber(row.last_block),
      record: row.record,
    };
  }

  /** Every registered type, by code. */
  async listTypes(): Promise<LedgerCertificateType[]> {
    const rows = await this.db.selectFrom('certificate_types').select('definition').orderBy('code').execute();
    return rows.map((r) => r.definition as LedgerCertificateType);
  }

  async findType(code: string): Promise<LedgerCertificateType | undefined> {
    const row = await this.db.selectFrom('certificate_types').select('definition').where('code', '=', code).executeTakeFirst();
    return row?.definition as LedgerCertificateType | undefined;
  }
}
