/**
 * The read-model backends every database test runs on: PGlite in memory always, and a real
 * PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Each Postgres test database is created
 * for the test and dropped afterwards, so parallel runs never share state.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DatabaseSettings } from '../../src/readmodel/database';

export interface TestBackend {
  readonly name: string;
  /** Creates a fresh, empty database and returns its settings and a function that drops it. */
  create(): Promise<{ settings: DatabaseSettings; drop: () => Promise<void> }>;
}

let template: Promise<Blob> | undefined;

/**
 * An empty PGlite image made once per test process: PGlite's initdb takes seconds, loading an
 * image a fraction of that.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    try {
      const image = await db.dumpDataDir('none');
      return image instanceof Blob ? image : new Blob([image]);
    } finally {
      await db.close();
    }
  })();
  return template;
}

const pglite: TestBackend = {
  name: 'PGlite',
  async create() {
    return { settings: { kind: 'pglite-memory', template: await pgliteTemplate() }, drop: () => Promise.resolve() };
  },
};

/**
 * PGlite with its files in a fresh temporary directory, as `npm start` runs it (on disk, not in
 * Emscripten's in-memory file system, whose files grow by copying). Opening it runs initdb, so it
 * is for benchmarks, not for every test.
 */
export const pgliteOnDisk: TestBackend = {
  name: 'PGlite on disk',
  create() {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctl-pglite-'));
    return Promise.resolve({
      settings: { kind: 'pglite', dataDir },
      drop: () => {
        rmSync(dataDir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
};

function postgres(adminUrl: string): TestBackend {
  return {
    name: 'PostgreSQL',
    async create() {
      const name = `ctl_test_${randomBytes(6).toString('hex')}`;
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        settings: { kind: 'postgres', url: url.toString(), poolSize: 5 },
        async drop() {
          const c = new Client({ connectionString: adminUrl });
          await c.connect();
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await c.end();
          }
        },
      };
    },
  };
}

/** PGlite, plus PostgreSQL when TEST_DATABASE_URL names a server. */
export function testBackends(): TestBackend[] {
  const url = process.env.TEST_DATABASE_URL;
  return url === undefined || url === '' ? [pglite] : [pglite, postgres(url)];
}
