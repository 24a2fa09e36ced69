/**
 * The anchorer with its EVM port replaced by a scripted double (unit test), on a real database:
 * success, backoff after failures, dead letters, and retrying a dead letter.
 */
import { expect } from 'chai';
import { sql } from 'kysely';
import { LedgerError } from '../../src/ledger/ledger-errors';
import { createLogger } from '../../src/logger';
import { openDatabase, type ReadModelDatabase } from '../../src/readmodel/database';
import { OutboxRepository } from '../../src/repositories/outbox.repository';
import { Anchorer } from '../../src/workers/anchorer';
import { OUTBOX_ANCHOR_ROOT } from '../../src/workers/certificate-projection';
import { testBackends } from '../support/databases';
import { ScriptedEvmLedger } from '../support/fake-ledgers';
import { hash } from '../support/fixtures';

const log = createLogger('silent');
const unavailable = () => new LedgerError('evm', 503, 'EVM.UNAVAILABLE', 'node down');

for (const backend of testBackends()) {
  describe(`anchorer on ${backend.name} (EVM port replaced)`, function () {
    this.timeout(60_000);
    let database: ReadModelDatabase;
    let drop: () => Promise<void>;

    beforeEach(async () => {
      const created = await backend.create();
      drop = created.drop;
      database = await openDatabase(created.settings);
      await database.migrate();
      await new OutboxRepository(database.db).enqueue(OUTBOX_ANCHOR_ROOT, `${OUTBOX_ANCHOR_ROOT}:${hash('2')}`, { root: hash('2'), issuerMsp: 'CivilAffairsMSP' }, 'tx1');
    });
    afterEach(async () => {
      await database.close();
      await drop();
    });

    /** Makes every pending entry due now, as if its backoff had passed. */
    const fastForward = () => sql`update outbox set next_attempt_at = now() - interval '1 second' where status = 'pending'`.execute(database.db);

    it('anchors a root with the issuing department and marks the entry done; "already anchored" counts as done', async () => {
      const evm = new ScriptedEvmLedger((n) => ({ root: hash('2'), alreadyIssued: n > 1, transactionHash: n > 1 ? undefined : '0xabc', blockNumber: n > 1 ? undefined : 9 }));
      const anchorer = new Anchorer({ db: database.db, evm, maxAttempts: 3, pollMs: 10, log });
      expect(await anchorer.step()).to.equal(1);
      expect(evm.calls).to.deep.equal([{ root: hash('2'), issuerMsp: 'CivilAffairsMSP' }]);
      const entry = await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('2')}`);
      expect(entry).to.deep.include({ status: 'done', attempts: 1, lastError: null });
      expect(entry?.result).to.deep.include({ transactionHash: '0xabc', alreadyIssued: false });
      expect(await anchorer.step()).to.equal(0);
    });

    it('backs off after a failure, succeeds on a later attempt', async () => {
      const evm = new ScriptedEvmLedger((n) => (n === 1 ? unavailable() : { root: hash('2'), alreadyIssued: false, transactionHash: '0x1', blockNumber: 1 }));
      const anchorer = new Anchorer({ db: database.db, evm, maxAttempts: 3, pollMs: 10, log });
      await anchorer.step();
      const failed = await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('2')}`);
      expect(failed).to.deep.include({ status: 'pending', attempts: 1 });
      expect(failed?.lastError).to.include('node down');
      expect(Date.parse(failed?.nextAttemptAt ?? '')).to.be.greaterThan(Date.now());
      expect(await anchorer.step()).to.equal(0);
      await fastForward();
      await anchorer.step();
      expect((await new OutboxRepository(database.db).findByKey(`${OUTBOX_ANCHOR_ROOT}:${hash('2')}`))?.status).to.equal('done');
    });

    it('turns an entry that keeps failing into a dead letter, which an administrator can queue again', async () => {
      const evm = new ScriptedEvmLedger(() => unavailable());
      const anchorer = new Anchorer({ db: database.db, evm, maxAttempts: 3, pollMs: 10, log });
      for (let i = 0; i < 3; i++) {
        await fastForward();
        await anchorer.step();
      }
      const outbox = new OutboxRepository(database.db);
      const dead = await outbox.deadLetters(10);
      expect(dead.map((d) => [d.dedupeKey, d.attempts])).to.deep.equal([[`${OUTBOX_ANCHOR_ROOT}:${hash('2')}`, 3]]);
      expect(evm.calls).to.have.length(3);
      expect(await outbox.retry(dead[0]?.id ?? 0)).to.equal(true);
      expect((await outbox.counts()).pending).to.equal(1);
    });

    it('anchors the due roots of one department in one call, and other departments apart', async () => {
      const outbox = new OutboxRepository(database.db);
      await outbox.enqueue(OUTBOX_ANCHOR_ROOT, `${OUTBOX_ANCHOR_ROOT}:${hash('3')}`, { root: hash('3'), issuerMsp: 'CivilAffairsMSP' }, 'tx2');
      await outbox.enqueue(OUTBOX_ANCHOR_ROOT, `${OUTBOX_ANCHOR_ROOT}:${hash('4')}`, { root: hash('4'), issuerMsp: 'HealthMSP' }, 'tx3');
      const evm = new ScriptedEvmLedger((n) => ({ root: hash('0'), alreadyIssued: false, transactionHash: `0x${String(n)}`, blockNumber: n }));
      expect(await new Anchorer({ db: database.db, evm, maxAttempts: 3, pollMs: 10, log }).step()).to.equal(3);
      expect(evm.batches).to.have.deep.members([[hash('2'), hash('3')], [hash('4')]]);
      expect((await outbox.counts()).done).to.equal(3);
    });

    it('dead-letters an entry it cannot execute at once, without calling the chain', async () => {
      await new OutboxRepository(database.db).enqueue('mystery', 'mystery:1', {}, null);
      await sql`update outbox set status = 'done' where kind = ${OUTBOX_ANCHOR_ROOT}`.execute(database.db);
      const evm = new ScriptedEvmLedger(() => unavailable());
      await new Anchorer({ db: database.db, evm, maxAttempts: 5, pollMs: 10, log }).step();
      expect((await new OutboxRepository(database.db).findByKey('mystery:1'))?.status).to.equal('dead');
      expect(evm.calls).to.deep.equal([]);
    });
  });
}
