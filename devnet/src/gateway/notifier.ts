/**
 * Commit notifications for CommitStatus. A waiter is registered before the ledger is checked, so
 * a commit landing between the two cannot be missed.
 */
import type { Ledger } from '../ledger/ledger';

/** A transaction's final status. */
export interface TxStatus {
  code: number;
  blockNumber: number;
}

/** Resolves waiters when their transaction commits. */
export class CommitNotifier {
  private readonly waiters = new Map<string, Set<(s: TxStatus) => void>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly ledger: Ledger) {
    this.unsubscribe = ledger.onBlock(({ number, txFilter, txIds }) => {
      if (this.waiters.size === 0) return;
      txIds.forEach((txId, i) => {
        const set = this.waiters.get(txId);
        if (set === undefined) return;
        // A later duplicate does not change the status of the first commit.
        const committed = this.ledger.state.transaction(txId);
        const status = committed !== undefined ? { code: committed.code, blockNumber: committed.block } : { code: txFilter[i] ?? 255, blockNumber: number };
        this.waiters.delete(txId);
        for (const resolve of set) resolve(status);
      });
    });
  }

  /**
   * Resolves with the transaction's status once it is committed (at once if it already is).
   * `signal` aborts the wait, e.g. when the client cancels its call.
   */
  wait(txId: string, signal: AbortSignal): Promise<TxStatus | undefined> {
    return new Promise((resolve) => {
      let set = this.waiters.get(txId);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(txId, set);
      }
      const waiter = (s: TxStatus): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(s);
      };
      const onAbort = (): void => {
        const current = this.waiters.get(txId);
        current?.delete(waiter);
        if (current?.size === 0) this.waiters.delete(txId);
        resolve(undefined);
      };
      set.add(waiter);
      signal.addEventListener('abort', onAbort);
      const committed = this.ledger.state.transaction(txId);
      if (committed !== undefined) {
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(txId);
        signal.removeEventListener('abort', onAbort);
        resolve({ code: committed.code, blockNumber: committed.block });
      }
    });
  }

  /** Stops listening to the ledger. */
  close(): void {
    this.unsubscribe();
    this.waiters.clear();
  }
}
