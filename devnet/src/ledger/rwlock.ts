/**
 * A fair readers-writer lock. Simulations hold it shared for their whole run so that every read
 * of one simulation (and of the per-organisation re-runs of one proposal) sees the same committed
 * state, as Fabric's tx simulator does under its commit lock; the committer takes it exclusively
 * only while it applies a block. Once a writer waits, new readers queue behind it, so commits
 * cannot starve.
 */
export class RwLock {
  private readers = 0;
  private writer = false;
  private readonly queue: { write: boolean; grant: () => void }[] = [];

  /** Acquires a shared hold; resolves to its release function. */
  read(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.readers++;
        resolve(() => {
          this.readers--;
          this.drain();
        });
      };
      if (!this.writer && this.queue.length === 0) grant();
      else this.queue.push({ write: false, grant });
    });
  }

  /** Acquires the exclusive hold; resolves to its release function. */
  write(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.writer = true;
        resolve(() => {
          this.writer = false;
          this.drain();
        });
      };
      if (!this.writer && this.readers === 0 && this.queue.length === 0) grant();
      else this.queue.push({ write: true, grant });
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.writer) {
      const next = this.queue[0];
      if (next === undefined) return;
      if (next.write) {
        if (this.readers > 0) return;
        this.queue.shift();
        next.grant();
        return;
      }
      this.queue.shift();
      next.grant();
    }
  }
}
