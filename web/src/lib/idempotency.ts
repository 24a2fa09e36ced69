// Idempotency keys for write requests: a retry of the same submission reuses its key, so the
// API answers with the first result instead of issuing twice.

/**
 * A fresh random key (UUID v4). `crypto.randomUUID` exists only in secure contexts, and a
 * service centre may open the portal over plain HTTP on its LAN, so fall back to
 * `getRandomValues`, which every context has.
 */
export function newIdempotencyKey(source: Pick<Crypto, 'getRandomValues'> & Partial<Pick<Crypto, 'randomUUID'>> = crypto): string {
  if (typeof source.randomUUID === 'function') return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Keys for one form's writes: see {@link contentKeys}. */
export interface ContentKeys {
  /** The key for this content: the last one while the content is unchanged (a retry), else a new one. */
  for(content: unknown): string;
  /** Forget the last content, so the next write gets a new key even with the same content. */
  reset(): void;
}

/**
 * Ties Idempotency-Keys to what is sent: sending the same content again (a retry after a lost
 * answer) reuses the key, so the API answers with the first result instead of writing twice.
 */
export function contentKeys(fresh: () => string = newIdempotencyKey): ContentKeys {
  let last: string | undefined;
  let key = '';
  return {
    for(content) {
      const serialised = JSON.stringify(content);
      if (serialised !== last) {
        last = serialised;
        key = fresh();
      }
      return key;
    },
    reset() {
      last = undefined;
    },
  };
}
