/**
 * The holder's rows: the wallet listing (certificates joined with their documents and type
 * names), disclosures with the hash of their share token, consents and the audit rows of
 * zero-material fetches.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../readmodel/schema';

/** A wallet entry as listed. */
export interface WalletRow {
  readonly id: string;
  readonly typeCode: string;
  readonly typeName: string;
  readonly issuerMsp: string;
  readonly issuedAt: string;
  readonly validUntil: string | null;
  readonly status: string;
}

/** A disclosure as stored. */
export interface DisclosureRow {
  readonly id: string;
  readonly certificateId: string;
  readonly subjectRef: string;
  readonly document: Record<string, unknown>;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** A consent as stored. */
export interface ConsentRow {
  readonly id: string;
  readonly subjectRef: string;
  readonly audienceMsp: string;
  readonly typeCodes: readonly string[];
  readonly purpose: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

/** Wallet listing, disclosures, consents and the zero-material audit. */
export class WalletRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Certificates whose holder is `subjectRef` and whose document the read model holds, newest first. */
  async walletOf(subjectRef: string): Promise<WalletRow[]> {
    const rows = await this.db
      .selectFrom('certificates as c')
      .innerJoin('certificate_documents as d', 'd.certificate_id', 'c.id')
      .leftJoin('certificate_types as t', 't.code', 'c.type_code')
      .select(['c.id', 'c.type_code', 't.name', 'c.issuer_msp', 'c.issued_at', 'c.valid_until', 'c.status'])
      .where('c.subject_ref', '=', subjectRef)
      .where('d.subject_ref', '=', subjectRef)
      .orderBy('c.issued_at', 'desc')
      .orderBy('c.id')
      .limit(1_000)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      typeCode: r.type_code,
      typeName: r.name ?? r.type_code,
      issuerMsp: r.issuer_msp,
      issuedAt: r.issued_at.toISOString(),
      validUntil: r.valid_until === null ? null : r.valid_until.toISOString(),
      status: r.status,
    }));
  }

  async insertDisclosure(row: { id: string; certificateId: string; subjectRef: string; tokenHash: string; hiddenFields: string[]; document: Record<string, unknown>; expiresAt: Date }): Promise<void> {
    await this.db
      .insertInto('disclosures')
      .values({
        id: row.id,
        certificate_id: row.certificateId,
        subject_ref: row.subjectRef,
        token_hash: row.tokenHash,
        hidden_fields: JSON.stringify(row.hiddenFields),
        document: JSON.stringify(row.document),
        expires_at: row.expiresAt,
        revoked_at: null,
      })
      .execute();
  }

  async findDisclosureByTokenHash(tokenHash: string): Promise<DisclosureRow | undefined> {
    const row = await this.db.selectFrom('disclosures').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      certificateId: row.certificate_id,
      subjectRef: row.subject_ref,
      document: row.document,
      expiresAt: row.expires_at.toISOString(),
      revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
    };
  }

  /** Revokes the holder's disclosure; false when they have no such disclosure. Revoking twice is fine. */
  async revokeDisclosure(id: string, subjectRef: string): Promise<boolean> {
    const result = await this.db
      .updateTable('disclosures')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .where('subject_ref', '=', subjectRef)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async insertConsent(row: { id: string; subjectRef: string; audienceMsp: string; typeCodes: string[]; purpose: string; expiresAt: Date }): Promise<void> {
    await this.db
      .insertInto('consents')
      .values({
        id: row.id,
        subject_ref: row.subjectRef,
        audience_msp: row.audienceMsp,
        type_codes: JSON.stringify(row.typeCodes),
        purpose: row.purpose,
        expires_at: row.expiresAt,
        used_at: null,
        used_by: null,
      })
      .execute();
  }

  async findConsent(id: string): Promise<ConsentRow | undefined> {
    const row = await this.db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      subjectRef: row.subject_ref,
      audienceMsp: row.audience_msp,
      typeCodes: row.type_codes,
      purpose: row.purpose,
      expiresAt: row.expires_at.toISOString(),
      usedAt: row.used_at === null ? null : row.used_at.toISOString(),
    };
  }

  /** Uses a consent up, once: false when it was already used (a concurrent fetch lost the race). */
  async useConsent(id: string, usedBy: string): Promise<boolean> {
    const result = await this.db
      .updateTable('consents')
      .set({ used_at: sql<Date>`now()`, used_by: usedBy })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async insertFetch(row: {
    id: string;
    consentId: string;
    officer: string;
    audienceMsp: string;
    matterCode: string | null;
    requiredTypes: string[];
    certificateIds: string[];
    missing: string[];
    results: Record<string, unknown>[];
  }): Promise<void> {
    await this.db
      .insertInto('zero_material_fetches')
      .values({
        id: row.id,
        consent_id: row.consentId,
        officer: row.officer,
        audience_msp: row.audienceMsp,
        matter_code: row.matterCode,
        required_types: JSON.stringify(row.requiredTypes),
        certificate_ids: JSON.stringify(row.certificateIds),
        missing: JSON.stringify(row.missing),
        results: JSON.stringify(row.results),
      })
      .execute();
  }

  /** The audit rows of a consent's fetches. */
  async fetchesOf(consentId: string): Promise<{ officer: string; certificateIds: string[]; missing: string[]; matterCode: string | null }[]> {
    const rows = await this.db.selectFrom('zero_material_fetches').selectAll().where('consent_id', '=', consentId).orderBy('fetched_at').execute();
    return rows.map((r) => ({ officer: r.officer, certificateIds: r.certificate_ids, missing: r.missing, matterCode: r.matter_code }));
  }
}
