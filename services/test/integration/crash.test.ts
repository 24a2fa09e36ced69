/**
 * Crash safety: the worker process (projectors + anchorer) is killed with SIGKILL between the
 * steps of projection and outbox handling at random points, and restarted, over many rounds
 * while certificates keep being issued. Afterwards the read model equals a fresh rebuild from
 * the ledgers, every root is anchored exactly once, and no anchoring transaction was repeated.
 *
 * Runs on PostgreSQL when TEST_DATABASE_URL is set (the worker is a separate process), else on
 * an on-disk PGlite directory that test and worker open in turn.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { JsonRpcProvider, id } from 'ethers';
import { sql } from 'kysely';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { loadCatalogue, seedCatalogue } from '../../src/domain/catalogue';
import { openFabricLedger, type FabricLedger } from '../../src/ledger/fabric/fabric-ledger';
import { createLogger } from '../../src/logger';
import { openLedgers, readerActor } from '../../src/main';
import { ServiceMetrics } from '../../src/metrics';
import { openDatabase, type DatabaseSettings } from '../../src/readmodel/database';
import { rebuildReadModel } from '../../src/readmodel/rebuild';
import { OUTBOX_ANCHOR_ROOT } from '../../src/workers/certificate-projection';
import { testBackends } from '../support/databases';
import { expectSameProjections, projectionSnapshot } from '../support/read-model';
import { startLedgerStack, type LedgerStack } from '../support/stack';

const POINTS = ['projector.beforeCommit', 'projector.afterCommit', 'anchorer.beforeSend', 'anchorer.afterSend', 'anchorer.afterDone'] as const;
/** Every kill point four times by default: 20 kills (CTL_CRASH_ROUNDS for a longer soak). */
const ROUNDS = Math.max(POINTS.length, Number(process.env.CTL_CRASH_ROUNDS ?? 4 * POINTS.length));
const CIVIL_AFFAIRS_ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

/** A small deterministic generator, so a failing run can be repeated from its printed seed. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('crash safety of projection and outbox', function () {
  this.timeout(1_200_000);
  let stack: LedgerStack;
  let dataDir: string;
  let settings: DatabaseSettings;
  let dropDatabase: () => Promise<void> = () => Promise.resolve();
  let env: NodeJS.ProcessEnv;
  let fabric: FabricLedger;

  before(async () => {
    stack = await startLedgerStack();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctl-crash-'));
    const postgres = testBackends().find((b) => b.name === 'PostgreSQL');
    if (postgres !== undefined) {
      const created = await postgres.create();
      settings = created.settings;
      dropDatabase = created.drop;
    } else {
      settings = { kind: 'pglite', dataDir: path.join(dataDir, 'readmodel') };
    }
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      ...stack.env,
      LOG_LEVEL: 'warn',
      ...(settings.kind === 'postgres' ? { DATABASE_URL: settings.url } : {}),
    };
    const config = loadConfig(env);
    fabric = openFabricLedger({ connectionFile: stack.connectionFile, chaincode: 'ctl', timeouts: config.fabric.timeouts, mvccRetries: 4 });
    await seedCatalogue(fabric, { mspId: 'StreetOfficeMSP', identity: 'admin' }, loadCatalogue(config.certificateTypesFile), createLogger('silent'));
  });

  after(async () => {
    fabric.close();
    await dropDatabase();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the worker process until it crashes, or for `runMs` and then stops it gracefully. */
  function runWorker(crash: { point: string; after: number } | undefined, runMs: number): Promise<'crashed' | 'stopped'> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'services', 'test', 'support', 'crash-worker.ts')], {
        cwd: REPO_ROOT,
        env: { ...env, ...(crash === undefined ? {} : { CTL_CRASH_POINT: crash.point, CTL_CRASH_AFTER: String(crash.after) }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const timer = setTimeout(() => child.kill('SIGTERM'), runMs);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL') resolve('crashed');
        // Stopped before it had installed its handler (still starting): nothing ran, fine too.
        else if (code === 0 || signal === 'SIGTERM') resolve('stopped');
        else reject(new Error(`worker exited with ${String(code ?? signal)}: ${stderr.slice(-2000)}`));
      });
    });
  }

  it(`loses and repeats nothing when the worker is killed at ${String(ROUNDS)} random points`, async () => {
    const seed = Number(process.env.CTL_CRASH_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    const officer = { mspId: 'CivilAffairsMSP', identity: 'officer' };
    const roots: string[] = [];
    const issueOne = async (): Promise<void> => {
      const root = `0x${randomBytes(32).toString('hex')}`;
      await fabric.submit(officer, 'certificate:IssueCertificate', [`c-crash-${String(roots.length)}`, 'SENIOR_CARE_CARD', `0x${'1'.repeat(64)}`, root, '']);
      roots.push(root);
    };
    const outcomes: string[] = [];
    const start = Math.floor(random() * POINTS.length);
    for (let round = 0; round < ROUNDS; round++) {
      await issueOne();
      // Cycle through the kill points from a random start, so each is hit in every run.
      const point = POINTS[(start + round) % POINTS.length] ?? POINTS[0];
      const after = 1;
      outcomes.push(`${point}#${String(after)}:${await runWorker({ point, after }, 90_000)}`);
    }
    const crashed = outcomes.filter((o) => o.endsWith(':crashed')).length;
     
    console.log(`      crash seed ${String(seed)}: ${String(crashed)} crashes in ${String(ROUNDS)} rounds (${outcomes.join(', ')})`);
    expect(crashed).to.be.at.least(Math.ceil(ROUNDS * 0.8));

    // A last run without crashes until everything is projected and anchored.
    let done = false;
    for (let attempt = 0; attempt < 6 && !done; attempt++) {
      await runWorker(undefined, 20_000);
      const database = await openDatabase(settings);
      try {
        const pending = await database.db.selectFrom('outbox').select('status').where('status', '!=', 'done').execute();
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates where id like 'c-crash-%'`.execute(database.db);
        const anchored = await database.db.selectFrom('anchors').select('root').where('root', 'in', roots).execute();
        done = pending.length === 0 && rows[0]?.n === roots.length && anchored.length === roots.length;
      } finally {
        await database.close();
      }
    }
    expect(done, 'the worker did not finish the work after the crashes').to.equal(true);

    const database = await openDatabase(settings);
    let live: Record<string, string[]>;
    try {
      live = await projectionSnapshot(database.db);
      const entries = await database.db.selectFrom('outbox').select(['dedupe_key', 'status']).where('kind', '=', OUTBOX_ANCHOR_ROOT).execute();
      const anchoredRoots = entries.map((e) => e.dedupe_key.slice(OUTBOX_ANCHOR_ROOT.length + 1));
      expect(anchoredRoots).to.include.members(roots);
      expect(new Set(anchoredRoots).size).to.equal(anchoredRoots.length);
    } finally {
      await database.close();
    }

    // On the chain: every root anchored exactly once, and no transaction of the department's
    // account reverted (a repeated anchoring would revert with TrustAnchorRootAlreadyIssued).
    const provider = new JsonRpcProvider(stack.evmUrl, undefined, { cacheTimeout: -1 });
    try {
      const deployment = JSON.parse(readFileSync(stack.deploymentFile, 'utf8')) as { contracts: { TrustAnchor: { address: string } } };
      const rootIssued = id('RootIssued(bytes32,address,uint64)');
      const logs = await provider.getLogs({ address: deployment.contracts.TrustAnchor.address, topics: [rootIssued], fromBlock: 0, toBlock: 'latest' });
      const anchoredOnChain = logs.map((l) => l.topics[1]);
      for (const root of roots) expect(anchoredOnChain.filter((r) => r === root), root).to.have.length(1);
      const head = await provider.getBlockNumber();
      let sent = 0;
      for (let n = 0; n <= head; n++) {
        const block = await provider.getBlock(n, true);
        for (const tx of block?.prefetchedTransactions ?? []) {
          if (tx.from !== CIVIL_AFFAIRS_ACCOUNT) continue;
          sent++;
          expect((await provider.getTransactionReceipt(tx.hash))?.status, tx.hash).to.equal(1);
        }
      }
      expect(sent).to.be.within(1, roots.length);
    } finally {
      provider.destroy();
    }

    // A fresh read model rebuilt from the ledgers equals the one built through the crashes.
    // On the same kind of database as the live one: drivers differ in how they return int8.
    const fresh = testBackends().find((b) => b.name === (settings.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'));
    if (fresh === undefined) throw new Error('no test backend');
    const created = await fresh.create();
    const rebuiltDb = await openDatabase(created.settings);
    const metrics = new ServiceMetrics();
    const config = loadConfig(env);
    const ledgers = openLedgers(config, metrics);
    try {
      await rebuiltDb.migrate();
      await rebuildReadModel({ database: rebuiltDb, fabric: ledgers.fabric, evm: ledgers.evm, reader: readerActor(config), confirmations: 1, log: createLogger('silent'), idleMs: 1_500 });
      const rebuilt = await projectionSnapshot(rebuiltDb.db);
      expectSameProjections(live, rebuilt);
    } finally {
      ledgers.fabric.close();
      ledgers.evm.close();
      await rebuiltDb.close();
      await created.drop();
    }
  });
});
