/**
 * Projector checkpoints: how far each projector has read its ledger. Written in the same
 * transaction as the rows an event produces, so a crash never loses or repeats an event.
 */
import type { Kysely } from 'kysely';
import { toBlockNumber, type Database } from '../readmodel/schema';

/**
 * A projector's position. `transactionId` (Fabric) or `logIndex` (EVM) set: the block is done up
 * to and including that entry; both null: the whole block is done.
 */
export interface Checkpoint {
  readonly blockNumber: number;
  readonly transactionId: string | null;
  readonly logIndex: number | null;
}

/** Reads and writes projector checkpoints; write them in the transaction of the rows they cover. */
export class CheckpointRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(projector: string): Promise<Checkpoint | undefined> {
    const row = await this.db.selectFrom('projector_checkpoints').selectAll().where('projector', '=', projector).executeTakeFirst();
    if (row === undefined) return undefined;
    return { blockNumber: toBlockNumber(row.block_number), transactionId: row.transaction_id, logIndex: row.log_index };
  }

  async set(projector: string, checkpoint: Checkpoint): Promise<void> {
    const values = {
      projector,
      block_number: checkpoint.blockNumber,
      transaction_id: checkpoint.transactionId,
      log_index: checkpoint.logIndex,
      updated_at: new Date(),
    };
    await this.db
      .insertInto('projector_checkpoints')
      .values(values)
      .onConflict((oc) =>
        oc.column('projector').doUpdateSet({
          block_number: values.block_number,
          transaction_id: values.transaction_id,
          log_index: values.log_index,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }
}

/** The last block a checkpoint has fully projected (-1 before the first). */
export function projectedThrough(checkpoint: Checkpoint | undefined): number {
  if (checkpoint === undefined) return -1;
  return checkpoint.transactionId === null && checkpoint.logIndex === null ? checkpoint.blockNumber : checkpoint.blockNumber - 1;
}
