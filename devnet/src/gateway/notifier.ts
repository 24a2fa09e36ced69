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
   * Waits for a transaction's status: `result` resolves once it is committed (at once if it
   * already is), or with undefined after `cancel`, e.g. when the client cancels its call.
   * Cancelling after the result is a no-op (grpc-js reports every finished call as cancelled).
   */
  wait(txId: string): { result: Promise<TxStatus | undefined>; cancel: () => void } {
    let cancel: () => void = () => undefined;
    const result = new Promise<TxStatus | undefined>((resolve) => {
      let set = this.waiters.get(txId);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(txId, set);
      }
      const waiter = (s: TxStatus): void => {
        cancel = () => undefined;
        resolve(s);
      };
      const unregister = (): void => {
        const current = this.waiters.get(txId);
        current?.delete(waiter);
        if (current?.size === 0) this.waiters.delete(txId);
      };
      set.add(waiter);
      cancel = () => {
        unregister();
        resolve(undefined);
      };
      const committed = this.ledger.state.transaction(txId);
      if (committed !== undefined) {
        unregister();
        waiter({ code: committed.code, blockNumber: committed.block });
      }
    });
    return {
      result,
      cancel: () => {
        cancel();
      },
    };
  }

  /** Stops listening to the ledger. */
  close(): void {
    this.unsubscribe();
    this.waiters.clear();
  }
}
