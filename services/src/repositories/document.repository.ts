/**
 * Issued certificate documents and batch plans. Documents hold the holder's name, so they never
 * leave the read model except through the access checks of the certificate and wallet services.
 * Written by the API at issuance (not a projection: a rebuild keeps them).
 */
import { sql, type Kysely } from 'kysely';
import { toBlockNumber, type Database } from '../readmodel/schema';

/** Rows per statement when a batch writes many. */
const CHUNK = 500;

/** A stored document and what the access checks need to know about it. */
export interface StoredDocument {
  readonly certificateId: string;
  readonly batchId: string | null;
  readonly issuerMsp: string;
  readonly typeCode: string;
  readonly subjectRef: string;
  readonly targetHash: string;
  readonly position: number;
  /** The wrapped document without `proof.record`. */
  readonly document: Record<string, unknown>;
  /** The Fabric transaction that recorded it, once committed. */
  readonly record: { readonly txId: string; readonly blockNumber: number } | null;
}

/** A document to store before it is recorded. */
export type NewDocument = Omit<StoredDocument, 'record'>;

/** The row of a document not yet recorded. */
function unrecordedRow(d: NewDocument) {
  return {
    certificate_id: d.certificateId,
    batch_id: d.batchId,
    issuer_msp: d.issuerMsp,
    type_code: d.typeCode,
    subject_ref: d.subjectRef,
    target_hash: d.targetHash,
    position: d.position,
    document: JSON.stringify(d.document),
    record_tx_id: null,
    record_block: null,
  };
}

/** A batch's plan: what was wrapped and how it is recorded in parts. */
export interface BatchPlan {
  readonly batchId: string;
  readonly typeCode: string;
  readonly issuerMsp: string;
  readonly root: string;
  readonly count: number;
  readonly partSize: number;
  readonly partCount: number;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** A recorded part of a batch. */
export interface RecordedPart {
  readonly part: number;
  readonly txId: string;
  readonly blockNumber: number;
}

type DocumentRow = {
  certificate_id: string;
  batch_id: string | null;
  issuer_msp: string;
  type_code: string;
  subject_ref: string;
  target_hash: string;
  position: number;
  document: Record<string, unknown>;
  record_tx_id: string | null;
  record_block: string | number | bigint | null;
};

function toDocument(row: DocumentRow): StoredDocument {
  return {
    certificateId: row.certificate_id,
    batchId: row.batch_id,
    issuerMsp: row.issuer_msp,
    typeCode: row.type_code,
    subjectRef: row.subject_ref,
    targetHash: row.target_hash,
    position: row.position,
    document: row.document,
    record: row.record_tx_id === null || row.record_block === null ? null : { txId: row.record_tx_id, blockNumber: toBlockNumber(row.record_block) },
  };
}

/** Documents and batch plans (written by the issuing API). */
export class DocumentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores wrapped documents, in chunks. */
  async insertDocuments(documents: readonly NewDocument[]): Promise<void> {
    for (let i = 0; i < documents.length; i += CHUNK) {
      await this.db
        .insertInto('certificate_documents')
        .values(documents.slice(i, i + CHUNK).map(unrecordedRow))
        .execute();
    }
  }

  /** Stores one document unless it is already stored (a resumed single issuance). */
  async insertDocumentOnce(document: NewDocument): Promise<void> {
    await this.db
      .insertInto('certificate_documents')
      .values(unrecordedRow(document))
      .onConflict((oc) => oc.column('certificate_id').doNothing())
      .execute();
  }

  /** Drops a document the ledger refused (never recorded, so nobody could hold it). */
  async deleteUnrecorded(certificateId: string): Promise<void> {
    await this.db.deleteFrom('certificate_documents').where('certificate_id', '=', certificateId).where('record_tx_id', 'is', null).execute();
  }

  /** Notes the Fabric transaction that recorded these certificates. */
  async setRecorded(certificateIds: readonly string[], txId: string, blockNumber: number): Promise<void> {
    for (let i = 0; i < certificateIds.length; i += CHUNK) {
      await this.db
        .updateTable('certificate_documents')
        .set({ record_tx_id: txId, record_block: blockNumber })
        .where('certificate_id', 'in', certificateIds.slice(i, i + CHUNK))
        .execute();
    }
  }

  async find(certificateId: string): Promise<StoredDocument | undefined> {
    const row = await this.db.selectFrom('certificate_documents').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst();
    return row === undefined ? undefined : toDocument(row);
  }

  /** The stored Merkle proof of a certificate's document (undefined when the document is not here). */
  async merkleProofOf(certificateId: string): Promise<string[] | undefined> {
    const row = await this.db
      .selectFrom('certificate_documents')
      .select(sql`document->'proof'->'merkleProof'`.as('proof'))
      .where('certificate_id', '=', certificateId)
      .executeTakeFirst();
    const proof = row?.proof;
    return Array.isArray(proof) && proof.every((p) => typeof p === 'string') ? (proof) : undefined;
  }

  /** A batch's documents in upload order, `limit` at a time after `afterPosition`. */
  async batchDocuments(batchId: string, afterPosition: number, limit: number): Promise<StoredDocument[]> {
    const rows = await this.db
      .selectFrom('certificate_documents')
      .selectAll()
      .where('batch_id', '=', batchId)
      .where('position', '>', afterPosition)
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map(toDocument);
  }

  /** Certificate ids of a batch in upload order. */
  async batchCertificateIds(batchId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('certificate_documents').select('certificate_id').where('batch_id', '=', batchId).orderBy('position').execute();
    return rows.map((r) => r.certificate_id);
  }

  /** Stored documents of a holder, optionally of some types only. */
  async forSubject(subjectRef: string, typeCodes?: readonly string[]): Promise<StoredDocument[]> {
    let query = this.db.selectFrom('certificate_documents').selectAll().where('subject_ref', '=', subjectRef);
    if (typeCodes !== undefined) {
      if (typeCodes.length === 0) return [];
      query = query.where('type_code', 'in', [...typeCodes]);
    }
    const rows = await query.orderBy('created_at', 'desc').execute();
    return rows.map(toDocument);
  }

  /** Stores a batch's plan; false when the batch id is taken. */
  async insertBatch(plan: Omit<BatchPlan, 'createdAt'>): Promise<boolean> {
    const inserted = await this.db
      .insertInto('certificate_batches')
      .values({
        batch_id: plan.batchId,
        type_code: plan.typeCode,
        issuer_msp: plan.issuerMsp,
        root: plan.root,
        count: plan.count,
        part_size: plan.partSize,
        part_count: plan.partCount,
        created_by: plan.createdBy,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('batch_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findBatch(batchId: string): Promise<BatchPlan | undefined> {
    const row = await this.db.selectFrom('certificate_batches').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      batchId: row.batch_id,
      typeCode: row.type_code,
      issuerMsp: row.issuer_msp,
      root: row.root,
      count: row.count,
      partSize: row.part_size,
      partCount: row.part_count,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Notes a recorded part (idempotent). */
  async recordPart(batchId: string, part: RecordedPart): Promise<void> {
    await this.db
      .insertInto('certificate_batch_parts')
      .values({ batch_id: batchId, part: part.part, tx_id: part.txId, block_number: part.blockNumber })
      .onConflict((oc) => oc.columns(['batch_id', 'part']).doNothing())
      .execute();
  }

  async parts(batchId: string): Promise<RecordedPart[]> {
    const rows = await this.db.selectFrom('certificate_batch_parts').selectAll().where('batch_id', '=', batchId).orderBy('part').execute();
    return rows.map((r) => ({ part: r.part, txId: r.tx_id, blockNumber: toBlockNumber(r.block_number) }));
  }
}
