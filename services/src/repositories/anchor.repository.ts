/**
 * TrustAnchor's anchors and revocations in the read model, written by the EVM projector.
 */
import type { Kysely } from 'kysely';
import type { TrustAnchorLog } from '../ledger/evm/evm-ledger';
import { toBlockNumber, type Database } from '../readmodel/schema';

/** An anchored batch root as the API reports it. */
export interface AnchorView {
  readonly root: string;
  readonly issuer: string;
  readonly issuedAt: string;
  readonly blockNumber: number;
  readonly transactionHash: string;
  readonly revokedAt: string | null;
  readonly revocationReasonCode: number | null;
}

function seconds(unix: number): Date {
  return new Date(unix * 1000);
}

/** Anchors and revocations of TrustAnchor roots (written by the EVM projector only). */
export class AnchorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertIssued(log: Extract<TrustAnchorLog, { kind: 'RootIssued' }>): Promise<void> {
    await this.db
      .insertInto('anchors')
      .values({
        root: log.root,
        issuer: log.issuer,
        issued_at: seconds(log.issuedAt),
        issue_block: log.blockNumber,
        issue_tx_hash: log.transactionHash,
        revoked_at: null,
        revocation_reason_code: null,
      })
      .execute();
  }

  async insertRevocation(log: Extract<TrustAnchorLog, { kind: 'RootRevoked' }>): Promise<void> {
    await this.db
      .insertInto('anchor_revocations')
      .values({
        tx_hash: log.transactionHash,
        log_index: log.logIndex,
        root: log.root,
        node: log.node,
        reason_code: log.reasonCode,
        revoked_at: seconds(log.revokedAt),
        block_number: log.blockNumber,
      })
      .execute();
    if (log.node === log.root) {
      await this.db
        .updateTable('anchors')
        .set({ revoked_at: seconds(log.revokedAt), revocation_reason_code: log.reasonCode })
        .where('root', '=', log.root)
        .execute();
    }
  }

  async find(root: string): Promise<AnchorView | undefined> {
    const row = await this.db.selectFrom('anchors').selectAll().where('root', '=', root).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      root: row.root,
      issuer: row.issuer,
      issuedAt: row.issued_at.toISOString(),
      blockNumber: toBlockNumber(row.issue_block),
      transactionHash: row.issue_tx_hash,
      revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
      revocationReasonCode: row.revocation_reason_code,
    };
  }
}
