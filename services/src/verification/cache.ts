/**
 * Caching wrappers for the status ports, so a verifier checking many documents of the same
 * batches asks the chain once per batch root and node, not once per document.
 *
 * What may be cached for how long follows from the contracts: an anchored root's time and
 * issuer never change, a revocation is never undone, and IssuerRegistry never rewrites the past,
 * so those answers are kept until evicted. Answers that can still change (a root not yet
 * anchored, a node not revoked, a ledger record) live `ttlMs`, which bounds how late a
 * revocation shows (the issue asks for "within seconds"). Failures are never cached.
 */
import type { Hex32 } from './hash';
import type {
  AnchorNetwork,
  AnchorReader,
  IssuerDirectory,
  LedgerCertificateRecord,
  LedgerRecordQuery,
  LedgerRecordReader,
  NodeRevocation,
  RootInfo,
} from './ports';

/** Options of the caching wrappers. */
export interface CacheOptions {
  /** How long an answer that can still change is kept (default 5,000 ms). */
  readonly ttlMs?: number;
  /** Most entries kept per kind of question; the oldest go first (default 100,000). */
  readonly maxEntries?: number;
  /** Milliseconds clock (default `Date.now`); for tests. */
  readonly clock?: () => number;
}

const DEFAULT_TTL_MS = 5_000;
const DEFAULT_MAX_ENTRIES = 100_000;
/** A past instant this far back is settled on chain (beyond any block-time skew). */
const SETTLED_AFTER_S = 120;

interface Entry<V> {
  readonly value: Promise<V>;
  /** Milliseconds clock after which the entry is stale; Infinity for settled answers. */
  expires: number;
}

/** A bounded map of promised answers with per-entry expiry. */
class AnswerCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  /**
   * The cached answer, or `load()`'s, cached once it succeeds; `settled` decides whether the
   * answer can never change.
   */
  get(key: string, load: () => Promise<V>, settled: (value: V) => boolean): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const value = load();
    const entry: Entry<V> = { value, expires: now + this.ttlMs };
    this.set(key, entry);
    value.then(
      (v) => {
        if (settled(v)) entry.expires = Number.POSITIVE_INFINITY;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  /** The cached answer if fresh and already known to have succeeded, else undefined. */
  peek(key: string): Entry<V> | undefined {
    const hit = this.entries.get(key);
    return hit !== undefined && hit.expires > this.clock() ? hit : undefined;
  }

  set(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

function settings(options: CacheOptions): [number, number, () => number] {
  return [options.ttlMs ?? DEFAULT_TTL_MS, options.maxEntries ?? DEFAULT_MAX_ENTRIES, options.clock ?? Date.now];
}

/** An {@link AnchorReader} that caches, with `clear()` to drop everything. */
export interface CachedAnchorReader extends AnchorReader {
  clear(): void;
}

/**
 * Wraps an anchor reader with a cache. Revocation questions about several nodes ask the inner
 * reader only for the nodes it has no fresh answer for, in one call.
 */
export function cachedAnchorReader(inner: AnchorReader, options: CacheOptions = {}): CachedAnchorReader {
  const [ttl, max, clock] = settings(options);
  const network = new AnswerCache<AnchorNetwork>(ttl, 1, clock);
  const roots = new AnswerCache<RootInfo>(ttl, max, clock);
  const nodes = new AnswerCache<NodeRevocation>(ttl, max, clock);
  const reader: CachedAnchorReader = {
    network: () =>
      network.get(
        'network',
        () => inner.network(),
        () => true,
      ),
    rootInfo: (root) =>
      roots.get(
        root,
        () => inner.rootInfo(root),
        (info) => info.issuedAt !== 0,
      ),
    revocations: async (asked: readonly Hex32[]) => {
      const missing = [...new Set(asked.filter((n) => nodes.peek(n) === undefined))];
      if (missing.length > 0) {
        const batch = inner.revocations(missing).then((answers) => {
          if (answers.length !== missing.length) throw new Error(`asked about ${missing.length} nodes, got ${answers.length} answers`);
          return answers;
        });
        missing.forEach((node, i) => {
          // Primes the cache; the Promise.all below awaits the same entries.
          void nodes.get(
            node,
            () => batch.then((answers) => answers[i] as NodeRevocation),
            (r) => r.at !== 0,
          );
        });
      }
      return Promise.all(asked.map((n) => nodes.get(n, () => inner.revocations([n]).then((a) => a[0] as NodeRevocation), (r) => r.at !== 0)));
    },
    clear: () => {
      network.clear();
      roots.clear();
      nodes.clear();
    },
  };
  if (inner.observedAt !== undefined) Object.assign(reader, { observedAt: inner.observedAt });
  return reader;
}

/** An {@link IssuerDirectory} that caches, with `clear()`. */
export interface CachedIssuerDirectory extends IssuerDirectory {
  clear(): void;
}

/** Wraps an issuer directory with a cache; answers about instants well in the past are settled. */
export function cachedIssuerDirectory(inner: IssuerDirectory, options: CacheOptions = {}): CachedIssuerDirectory {
  const [ttl, max, clock] = settings(options);
  const registered = new AnswerCache<boolean>(ttl, max, clock);
  const authorized = new AnswerCache<boolean>(ttl, max, clock);
  const directory: CachedIssuerDirectory = {
    isRegistered: (departmentId) =>
      registered.get(
        departmentId,
        () => inner.isRegistered(departmentId),
        () => false,
      ),
    isAuthorized: (departmentId, certType, at) => {
      const settled = at < clock() / 1000 - SETTLED_AFTER_S;
      return authorized.get(
        `${departmentId}:${certType}:${at}`,
        () => inner.isAuthorized(departmentId, certType, at),
        () => settled,
      );
    },
    clear: () => {
      registered.clear();
      authorized.clear();
    },
  };
  if (inner.observedAt !== undefined) Object.assign(directory, { observedAt: inner.observedAt });
  return directory;
}

/** A {@link LedgerRecordReader} that caches, with `clear()`. */
export interface CachedLedgerRecordReader extends LedgerRecordReader {
  clear(): void;
}

/** Wraps a ledger record reader with a cache; records can change status, so every answer lives `ttlMs`. */
export function cachedLedgerRecordReader(inner: LedgerRecordReader, options: CacheOptions = {}): CachedLedgerRecordReader {
  const [ttl, max, clock] = settings(options);
  const records = new AnswerCache<LedgerCertificateRecord | null>(ttl, max, clock);
  const reader: CachedLedgerRecordReader = {
    getCertificate: (query: LedgerRecordQuery) =>
      records.get(
        `${query.channel}\u0000${query.chaincode}\u0000${query.certificateId}`,
        () => inner.getCertificate(query),
        () => false,
      ),
    clear: () => {
      records.clear();
    },
  };
  if (inner.observedAt !== undefined) Object.assign(reader, { observedAt: inner.observedAt });
  return reader;
}
