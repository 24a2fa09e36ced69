/**
 * Shapes shared by the domains. The contracts build plain objects of these shapes and return
 * them as canonical JSON strings; `schema.ts` files describe them to fabric-contract-api.
 */

/** The identity that acted: its organisation and certificate CN; never a person's name data. */
export interface ActorRef {
  readonly msp: string;
  readonly cn: string;
}

/** One version of a record from the ledger's history database (oldest first in our answers). */
export interface HistoryEntry<T> {
  readonly txId: string;
  /**
   * Which key the transaction changed: CERTIFICATE (the record itself) or BATCH (its batch's
   * status, which changes the certificate's effective status).
   */
  readonly scope: 'CERTIFICATE' | 'BATCH';
  /** Time of the transaction that wrote this version (ISO 8601 UTC). */
  readonly timestamp: string;
  readonly isDelete: boolean;
  /** The value written, decoded; null for a delete. */
  readonly value: T | null;
}
