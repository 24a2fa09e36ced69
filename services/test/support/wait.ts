/**
 * Polling for the integration tests: what the ledgers, the projector or a forked process do
 * happens after the call that caused it returns.
 */

/**
 * Asks `probe` every 100 ms until it answers something other than undefined, and returns that.
 *
 * @throws Error naming `what` when `timeoutMs` pass first
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
