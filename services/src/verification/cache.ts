/**
 * Caching wrappers for the status ports, so a verifier checking many documents of the same
 * batches asks the chain once per batch root and node, not once per document.
 *
 * What may be cached for how long follows from the contracts: an anchored root's time and
 * issuer never change, a revocation is never undone, and IssuerRegistry never rewrites the past,
 * so those answers are kept until evicted. Answers that can still change (a root not yet
 * anchored, a node not revoked, a ledger record) live `ttlMs`, which bounds how late a
 * revocation shows (the issue asks for "within seconds"). Failures are never cached.
 *
 * Refresh ahead: an answer asked for in the second half of its life is fetched again in the
 * background while the cached one keeps answering, so under steady traffic the entry is renewed
 * before it expires and no request waits for the ledgers (each expiry used to hold every request
 * for that batch for a round trip). Nothing older than `ttlMs` is ever served: a renewed answer
 * counts its age from when it was asked for, and once an entry has expired the next request
 * waits for a fresh one as before.
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
  /** Milliseconds clock from which a request starts a background renewal. */
  readonly refreshAt: number;
  /** Asks the question again (undefined: the entry is not renewed ahead of its expiry). */
  readonly reload: (() => Promise<V>) | undefined;
  readonly settled: (value: V) => boolean;
  /** Set once the answer has arrived, for synchronous peeks. */
  resolved?: { readonly value: V };
  /** A background renewal is under way. */
  refreshing?: boolean;
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
   * answer can never change. `now` lets a caller asking many questions read the clock once.
   */
  get(key: string, load: () => Promise<V>, settled: (value: V) => boolean, now = this.clock()): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > now) {
      this.refreshAhead(key, hit, now);
      return hit.value;
    }
    const value = load();
    this.put(key, value, settled, now, load);
    return value;
  }

  /** The fresh answer if it has already arrived, without waiting. */
  known(key: string, now = this.clock()): { readonly value: V } | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined || hit.expires <= now) return undefined;
    this.refreshAhead(key, hit, now);
    return hit.resolved;
  }

  /** Starts one background renewal of an answer in the second half of its life. */
  private refreshAhead(key: string, entry: Entry<V>, now: number): void {
    if (entry.reload === undefined || entry.resolved === undefined || entry.refreshing === true || now < entry.refreshAt || entry.expires === Number.POSITIVE_INFINITY) return;
    entry.refreshing = true;
    const reload = entry.reload;
    reload().then(
      (value) => {
        // Dropped when the entry was cleared or replaced meanwhile: a renewal started before a
        // clear() must not bring back what the clear was for.
        if (this.entries.get(key) !== entry) return;
        this.put(key, Promise.resolve(value), entry.settled, now, reload, { value });
      },
      () => {
        // The current answer serves until it expires; a later request tries again.
        entry.refreshing = false;
      },
    );
  }

  /** The fresh cached answer, or undefined. */
  fresh(key: string, now: number): Promise<V> | undefined {
    const hit = this.entries.get(key);
    return hit !== undefined && hit.expires > now ? hit.value : undefined;
  }

  put(key: string, value: Promise<V>, settled: (value: V) => boolean, now: number, reload?: () => Promise<V>, resolved?: { readonly value: V }): void {
    const entry: Entry<V> = { value, expires: now + this.ttlMs, refreshAt: now + this.ttlMs / 2, reload, settled, resolved };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    value.then(
      (v) => {
        entry.resolved = { value: v };
        if (settled(v)) entry.expires = Number.POSITIVE_INFINITY;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
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

const NOT_REVOKED: NodeRevocation = { at: 0, reasonCode: 0 };

/**
 * Wraps an anchor reader with a cache. When the inner reader can list a batch's revoked nodes
 * (`revokedNodesIn`), one question per batch root and TTL answers for every document of the
 * batch; otherwise each node is cached on its own, and the nodes without a fresh answer are
 * asked together in one call.
 */
export function cachedAnchorReader(inner: AnchorReader, options: CacheOptions = {}): CachedAnchorReader {
  const [ttl, max, clock] = settings(options);
  const network = new AnswerCache<AnchorNetwork>(ttl, 1, clock);
  const roots = new AnswerCache<RootInfo>(ttl, max, clock);
  const nodes = new AnswerCache<NodeRevocation>(ttl, max, clock);
  const batches = new AnswerCache<ReadonlyMap<string, NodeRevocation>>(ttl, max, clock);
  const listRevoked = inner.revokedNodesIn?.bind(inner);

  async function byNode(asked: readonly Hex32[]): Promise<readonly NodeRevocation[]> {
    const now = clock();
    const answers = asked.map((n) => nodes.fresh(n, now));
    const missing = [...new Set(asked.filter((_, i) => answers[i] === undefined))];
    if (missing.length > 0) {
      const batch = inner.revocations(missing).then((list) => {
        if (list.length !== missing.length) throw new Error(`asked about ${missing.length} nodes, got ${list.length} answers`);
        return list;
      });
      missing.forEach((node, i) => {
        nodes.put(node, batch.then((list) => list[i] ?? NOT_REVOKED), (r) => r.at !== 0, now);
      });
    }
    return Promise.all(asked.map((n, i) => answers[i] ?? nodes.get(n, () => inner.revocations([n]).then((a) => a[0] ?? NOT_REVOKED), (r) => r.at !== 0, now)));
  }

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
      const root = asked[asked.length - 1];
      if (listRevoked === undefined || root === undefined) return byNode(asked);
      const revoked = await batches.get(
        root,
        () => listRevoked(root),
        () => false,
      );
      return asked.map((n) => revoked.get(n) ?? NOT_REVOKED);
    },
    peekNetwork: () => network.known('network')?.value,
    peekRootInfo: (root) => roots.known(root)?.value,
    peekRevocations: (asked) => {
      const now = clock();
      const root = asked[asked.length - 1];
      if (listRevoked !== undefined && root !== undefined) {
        const revoked = batches.known(root, now)?.value;
        return revoked === undefined ? undefined : asked.map((n) => revoked.get(n) ?? NOT_REVOKED);
      }
      const answers: NodeRevocation[] = [];
      for (const n of asked) {
        const known = nodes.known(n, now);
        if (known === undefined) return undefined;
        answers.push(known.value);
      }
      return answers;
    },
    clear: () => {
      network.clear();
      roots.clear();
      nodes.clear();
      batches.clear();
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
    peekRegistered: (departmentId) => registered.known(departmentId)?.value,
    peekAuthorized: (departmentId, certType, at) => authorized.known(`${departmentId}:${certType}:${at}`)?.value,
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
  const keyOf = (query: LedgerRecordQuery): string => `${query.channel}\u0000${query.chaincode}\u0000${query.certificateId}`;
  const reader: CachedLedgerRecordReader = {
    getCertificate: (query: LedgerRecordQuery) =>
      records.get(
        keyOf(query),
        () => inner.getCertificate(query),
        () => false,
      ),
    peekCertificate: (query: LedgerRecordQuery) => {
      const known = records.known(keyOf(query));
      return known === undefined ? undefined : known.value;
    },
    clear: () => {
      records.clear();
    },
  };
  if (inner.observedAt !== undefined) Object.assign(reader, { observedAt: inner.observedAt });
  return reader;
}
