import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_MIGRATIONS, sql } from 'kysely';
import { openDatabase, readModelMigrator, type ReadModelDatabase } from '../../src/readmodel/database';
import { MIGRATIONS } from '../../src/readmodel/migrations';
import { testBackends } from '../support/databases';

for (const backend of testBackends()) {
  describe(`read model database on ${backend.name}`, function () {
    this.timeout(60_000);
    let database: ReadModelDatabase;
    let drop: () => Promise<void>;

    beforeEach(async () => {
      const created = await backend.create();
      drop = created.drop;
      database = await openDatabase(created.settings);
    });

    afterEach(async () => {
      await database.close();
      await drop();
    });

    const names = Object.keys(MIGRATIONS);

    it('applies every migration once and a second run is a no-op', async () => {
      const first = await database.migrate();
      expect(first.results?.map((r) => [r.migrationName, r.status])).to.deep.equal(names.map((n) => [n, 'Success']));
      const second = await database.migrate();
      expect(second.results).to.deep.equal([]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates`.execute(database.db);
      expect(rows[0]?.n).to.equal(0);
    });

    it('migrates every step down and up again', async () => {
      await database.migrate();
      const down = await readModelMigrator(database.db).migrateTo(NO_MIGRATIONS);
      expect(down.error).to.equal(undefined);
      expect(down.results?.map((r) => [r.migrationName, r.direction])).to.deep.equal(names.toReversed().map((n) => [n, 'Down']));
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name).filter((n) => !n.startsWith('readmodel_migrations'))).to.deep.equal([]);
      const up = await database.migrate();
      expect(up.results?.map((r) => [r.migrationName, r.status])).to.deep.equal(names.map((n) => [n, 'Success']));
    });

    it('keeps concurrent transactions apart (a rolled-back one leaves nothing)', async () => {
      await database.migrate();
      const insert = (key: string) =>
        database.db
          .insertInto('outbox')
          .values({ kind: 'test', dedupe_key: key, payload: '{}', status: 'pending', last_error: null, result: null, source_tx_id: null, completed_at: null })
          .execute();
      const failing = database.db.transaction().execute(async (trx) => {
        await trx.insertInto('outbox').values({ kind: 'test', dedupe_key: 'rolled-back', payload: '{}', status: 'pending', last_error: null, result: null, source_tx_id: null, completed_at: null }).execute();
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('abort');
      });
      const ok = database.db.transaction().execute(async (trx) => {
        await trx.insertInto('outbox').values({ kind: 'test', dedupe_key: 'kept', payload: '{}', status: 'pending', last_error: null, result: null, source_tx_id: null, completed_at: null }).execute();
      });
      const results = await Promise.allSettled([failing, ok, insert('plain')]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'fulfilled', 'fulfilled']);
      const keys = (await database.db.selectFrom('outbox').select('dedupe_key').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);
      expect(keys).to.deep.equal(['kept', 'plain']);
    });

    it('grants a named lock to one holder at a time', async () => {
      await database.migrate();
      let inner: boolean | undefined;
      const outer = await database.withLock('projector', async () => {
        inner = await database.withLock('projector', () => Promise.resolve());
      });
      expect(outer).to.equal(true);
      expect(inner).to.equal(false);
      expect(await database.withLock('projector', () => Promise.resolve())).to.equal(true);
    });
  });
}

describe('embedded read model directory', function () {
  this.timeout(60_000);
  it('refuses a second opener of the same PGlite directory while the first is open', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-pglite-'));
    try {
      const first = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'readmodel') });
      try {
        // Same process counts as a second opener too: PGlite would corrupt the directory either way.
        let error: unknown;
        try {
          await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'readmodel') });
        } catch (err) {
          error = err;
        }
        expect(error).to.have.property('code', 'DATABASE.PGLITE_IN_USE');
      } finally {
        await first.close();
      }
      const again = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'readmodel') });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
