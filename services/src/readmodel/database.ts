/**
 * Opens the read model: PostgreSQL through `pg`, or PGlite (embedded Postgres in WebAssembly)
 * under the data directory. Both sit behind the same Kysely instance, migrations and advisory
 * locks, so nothing above this file knows which one runs.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type MigrationResultSet,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { Pool } from 'pg';
import { MIGRATIONS } from './migrations';
import type { Database } from './schema';

/** How the read model is stored. */
export type DatabaseSettings =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  /** In memory; `template` (a `dumpDataDir()` image) skips PGlite's slow initdb in tests. */
  | { readonly kind: 'pglite-memory'; readonly template?: Blob };

/** The read model could not be opened or migrated. */
export class DatabaseError extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = DatabaseError.name;
    this.code = code;
  }
}

/** An open read model. */
export interface ReadModelDatabase {
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` while holding the named lock, one holder across all processes (Postgres advisory
   * lock) or within this process (PGlite, which only one process may open). Returns false
   * without running `fn` when another holder has it. `signal` passed to `fn` aborts if the lock
   * is lost (the lock's connection died).
   */
  withLock(name: string, fn: (signal: AbortSignal) => Promise<void>): Promise<boolean>;
  /** Applies every pending migration. */
  migrate(): Promise<MigrationResultSet>;
  close(): Promise<void>;
}

/** A 63-bit advisory lock key derived from the lock name, stable across versions and hosts. */
function lockKey(name: string): bigint {
  return createHash('sha256').update(`ctl:${name}`).digest().readBigInt64BE(0);
}

/**
 * kysely-pglite hands back PGlite's own result, whose row count is `affectedRows`; Kysely reads
 * `numAffectedRows`, so without this every UPDATE and DELETE would report zero rows.
 */
function withAffectedRows(connection: DatabaseConnection): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery) {
      const result = (await connection.executeQuery<R>(query)) as QueryResult<R> & { affectedRows?: number };
      if (result.numAffectedRows !== undefined || result.affectedRows === undefined) return result;
      return { ...result, numAffectedRows: BigInt(result.affectedRows) };
    },
    streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
  };
}

/**
 * Serialises access to a single-connection driver. PGlite has one session: without this,
 * statements of two concurrent Kysely transactions would interleave inside one BEGIN…COMMIT.
 */
class SerialDriver implements Driver {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return withAffectedRows(await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      const release = this.#release;
      this.#release = undefined;
      release?.();
    }
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function serialDialect(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new SerialDriver(inner.createDriver()),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
  };
}

/**
 * Takes the PGlite directory for this process. PGlite has no cross-process locking, and two
 * processes writing one directory corrupt it, so a second opener fails with a clear message.
 */
function claimPgliteDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        rmSync(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (alive) {
        throw new DatabaseError(
          'DATABASE.PGLITE_IN_USE',
          `The embedded read model ${dataDir} is open in process ${String(pid)}; PGlite serves one process. ` +
            'Stop that process, or set DATABASE_URL to a PostgreSQL server to run several processes.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new DatabaseError('DATABASE.PGLITE_IN_USE', `cannot claim ${lockFile}`);
}

/**
 * Opens the read model. Does not migrate; call {@link ReadModelDatabase.migrate}.
 *
 * @throws {@link DatabaseError} `DATABASE.PGLITE_IN_USE` when another live process holds the
 *   PGlite directory, `DATABASE.UNREACHABLE` when PostgreSQL does not answer.
 */
export async function openDatabase(settings: DatabaseSettings): Promise<ReadModelDatabase> {
  if (settings.kind === 'postgres') return openPostgres(settings.url, settings.poolSize);
  return settings.kind === 'pglite' ? openPglite(settings.dataDir, undefined) : openPglite(undefined, settings.template);
}

/** The read model's migrator (timestamped migrations of `./migrations`), e.g. to migrate down. */
export function readModelMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...MIGRATIONS }) },
    migrationTableName: 'readmodel_migrations',
    migrationLockTableName: 'readmodel_migrations_lock',
  });
}

async function runMigrations(db: Kysely<Database>): Promise<MigrationResultSet> {
  const result = await readModelMigrator(db).migrateToLatest();
  if (result.error !== undefined) {
    throw new DatabaseError('DATABASE.MIGRATION_FAILED', 'read model migration failed', result.error);
  }
  return result;
}

async function openPostgres(url: string, poolSize: number): Promise<ReadModelDatabase> {
  const pool = new Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash the process; the next query fails instead.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new DatabaseError('DATABASE.UNREACHABLE', 'cannot connect to the PostgreSQL read model', err);
  }
  return {
    db,
    kind: 'postgres',
    async withLock(name, fn) {
      const key = lockKey(name);
      return db.connection().execute(async (conn) => {
        const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}) as locked`.execute(conn);
        if (rows[0]?.locked !== true) return false;
        const lost = new AbortController();
        // A session lock dies with its connection; probe it so a worker stops when it has no lock.
        const heartbeat = setInterval(() => {
          sql`select 1`.execute(conn).catch(() => {
            lost.abort(new DatabaseError('DATABASE.LOCK_LOST', `lost the lock ${name}`));
          });
        }, 10_000);
        try {
          await fn(lost.signal);
        } finally {
          clearInterval(heartbeat);
          await sql`select pg_advisory_unlock(${key})`.execute(conn).catch(() => undefined);
        }
        return true;
      });
    },
    migrate: () => runMigrations(db),
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string | undefined, template: Blob | undefined): Promise<ReadModelDatabase> {
  const releaseDir = dataDir === undefined ? () => undefined : claimPgliteDir(dataDir);
  let db: Kysely<Database>;
  let client: { closed: boolean; close(): Promise<void> };
  try {
    // kysely-pglite is ESM-only; a dynamic import loads it from this CommonJS package.
    const { KyselyPGlite } = await import('kysely-pglite');
    const instance =
      dataDir !== undefined
        ? await KyselyPGlite.create(dataDir)
        : await KyselyPGlite.create(template === undefined ? {} : { loadDataDir: template });
    client = instance.client;
    // kysely-pglite types its dialect against Kysely's ESM build; the objects are the same shape
    // at runtime (the dialect only builds SQL), so only the static type needs bridging.
    db = new Kysely<Database>({ dialect: serialDialect(instance.dialect as unknown as Dialect) });
  } catch (err) {
    releaseDir();
    throw new DatabaseError('DATABASE.PGLITE_OPEN_FAILED', `cannot open the embedded read model ${dataDir ?? '(memory)'}`, err);
  }
  const held = new Set<string>();
  return {
    db,
    kind: 'pglite',
    async withLock(name, fn) {
      if (held.has(name)) return false;
      held.add(name);
      try {
        await fn(new AbortController().signal);
      } finally {
        held.delete(name);
      }
      return true;
    },
    migrate: () => runMigrations(db),
    async close() {
      try {
        await db.destroy();
        // Kysely only destroys a driver it has initialised; a never-queried PGlite stays open
        // and keeps the process alive.
        if (!client.closed) await client.close();
      } finally {
        releaseDir();
      }
    },
  };
}
