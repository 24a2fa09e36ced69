/**
 * `npm run bench:devnet`: committed transactions per second and submit→commit latency with
 * two-organisation endorsement at 1, 16 and 64 concurrent clients, evaluations per second and
 * their latency at the same levels, CPU time per transaction of each process, start-up time of
 * `npm run devnet`, and the goals of issue 3 against the figures. Prints figures, the machine and
 * its load average; asserts nothing.
 *
 * Environment: BENCH_DURATION_MS (per step, default 5000), BENCH_CLIENTS (default "1,16,64"),
 * BENCH_WARMUP_MS (default 3000), BENCH_EVALUATE=0 (skip evaluations), BENCH_STARTUPS (timed
 * restarts, default 3), BENCH_SIGNER=gateway (clients sign with fabric-gateway's default signer
 * instead of node:crypto), BENCH_CPU_PROF_DIR (the devnet and chaincode processes write V8 CPU
 * profiles there; summarise them with devnet/bench/cpuprofile-summary.ts).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { connectClient, FIXTURE_CC, tempDir, type TestClient } from '../test/helpers';
import type { Devnet } from '../src/index';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const LEVELS = (process.env.BENCH_CLIENTS ?? '1,16,64').split(',').map(Number);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3_000);
const EVALUATE = process.env.BENCH_EVALUATE !== '0';
const STARTUPS = Number(process.env.BENCH_STARTUPS ?? 3);
const NODE_SIGNER = process.env.BENCH_SIGNER !== 'gateway';
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
const ROOT = resolve(__dirname, '..', '..');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

interface SubmitResult {
  tps: number;
  p50: number;
  p99: number;
  count: number;
  failed: number;
}

async function submitLoad(clients: TestClient[], concurrency: number, durationMs: number): Promise<SubmitResult> {
  const latencies: number[] = [];
  let failed = 0;
  let seq = 0;
  const until = Date.now() + durationMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const client = clients[worker % clients.length];
      if (client === undefined) return;
      while (Date.now() < until) {
        const key = `bench-${concurrency}-${worker}-${seq++}`;
        const t0 = performance.now();
        try {
          const commit = await client.contract.submitAsync('Put', { arguments: [key, 'x'.repeat(100)] });
          const status = await commit.getStatus();
          if (status.successful) latencies.push(performance.now() - t0);
          else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { tps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length, failed };
}

async function evaluateLoad(client: TestClient, concurrency: number): Promise<{ eps: number; count: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const until = Date.now() + DURATION_MS;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        await client.contract.evaluateTransaction('Get', 'bench-1-0-0');
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { eps: latencies.length / ((Date.now() - started) / 1000), count: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function ticksOf(stat: string): { parent: number; ms: number } {
  const fields = stat.split(') ')[1]?.split(' ') ?? [];
  return { parent: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 };
}

/** CPU time (user + system, ms) of a process and, separately, of its children, from /proc; undefined elsewhere. */
function cpuMs(pid: number): { own: number; children: number } | undefined {
  try {
    const own = ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;
    let children = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const t = ticksOf(readFileSync(`/proc/${entry}/stat`, 'utf8'));
        if (t.parent === pid) children += t.ms;
      } catch {
        // The process ended while we looked.
      }
    }
    return { own, children };
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of a process and all its live descendants, from /proc; NaN elsewhere. */
function treeCpuMs(pid: number): number {
  const stats = new Map<number, { parent: number; ms: number }>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        stats.set(Number(entry), ticksOf(readFileSync(`/proc/${entry}/stat`, 'utf8')));
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    return NaN;
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop() ?? 0;
    total += stats.get(current)?.ms ?? 0;
    for (const [child, stat] of stats) if (stat.parent === current) pending.push(child);
  }
  return total;
}

interface RunningDevnet {
  devnet: Devnet;
  /** From spawning the command until it printed its connection file. */
  readyMs: number;
  /** CPU time all its processes (npm, devnet, chaincode servers) had used by then. */
  readyCpuMs: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs the devnet as its own process, as developers do: `node devnet/launch.cjs` (what `npm run
 * devnet` runs) or, with `viaNpm`, the npm script itself; clients and devnet do not share an
 * event loop.
 */
async function startDevnetProcess(dataDir: string, configFile: string, viaNpm: boolean): Promise<RunningDevnet> {
  const args = ['--data-dir', dataDir, '--config', configFile, '--base-port', '0', '--chaincode-port', '0'];
  const profiling = PROFILE_DIR !== undefined && !viaNpm;
  const env = profiling ? { ...process.env, DEVNET_CHAINCODE_NODE_ARGS: `--cpu-prof --cpu-prof-dir ${join(PROFILE_DIR, 'chaincode')}` } : process.env;
  const t0 = performance.now();
  const child = viaNpm
    ? spawn('npm', ['run', '--silent', 'devnet', '--', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
    : spawn(process.execPath, [...(profiling ? ['--cpu-prof', '--cpu-prof-dir', join(PROFILE_DIR, 'devnet')] : []), join('devnet', 'launch.cjs'), ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      done();
    });
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /connection file: (.+)\n/.exec(out);
      if (m?.[1] === undefined) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const readyMs = performance.now() - t0;
      const readyCpuMs = treeCpuMs(child.pid ?? 0);
      const connection = JSON.parse(readFileSync(m[1], 'utf8')) as Devnet['connection'];
      resolveStart({
        devnet: { dataDir, connection, connectionPath: m[1] } as Devnet,
        readyMs,
        readyCpuMs,
        pid: child.pid ?? 0,
        stop: async () => {
          // npm runs the CLI under a shell: signal the whole group it leads.
          if (viaNpm && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
          else child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      if (!out.includes('connection file')) reject(new Error(`devnet exited with ${String(code)} before it was ready`));
    });
  });
}

function perTx(ms: number, count: number): string {
  return count === 0 ? 'n/a' : (ms / count).toFixed(2);
}

/**
 * The goals of issue 3 against this run: throughput and evaluations at the best level measured
 * (a capacity), the p99 at every level, the median start-up.
 */
function printGoals(submits: readonly { concurrency: number; tps: number; p99: number }[], evaluations: readonly number[], startupMs: number): void {
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  const best = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : Math.max(...values));
  const tps = best(submits.map((r) => r.tps));
  const eps = best(evaluations);
  const worstP99 = submits.length === 0 ? undefined : Math.max(...submits.map((r) => r.p99));
  const lines = [
    ['committed tx/s, 2-org endorsement', 'goal ≥ 500', tps === undefined ? '—' : `${tps.toFixed(0)} at best`, verdict(tps === undefined ? undefined : tps >= 500)],
    ['p99 submit → commit, every level', 'goal ≤ 250 ms', worstP99 === undefined ? '—' : `${worstP99.toFixed(1)} ms at worst`, verdict(worstP99 === undefined ? undefined : worstP99 <= 250)],
    ['evaluations per second', 'goal ≥ 2,000', eps === undefined ? '—' : `${eps.toFixed(0)} at best`, verdict(eps === undefined ? undefined : eps >= 2_000)],
    ['start-up of npm run devnet (median)', 'goal < 2 s', Number.isNaN(startupMs) ? '—' : `${startupMs.toFixed(0)} ms`, verdict(Number.isNaN(startupMs) ? undefined : startupMs < 2_000)],
  ];
  process.stdout.write('goals of issue 3:\n');
  for (const [what, goal, measured, result] of lines) process.stdout.write(`  ${(what ?? '').padEnd(38)} ${(goal ?? '').padEnd(15)} ${(measured ?? '').padEnd(18)} ${result ?? ''}\n`);
}

async function main(): Promise<void> {
  const cpu = cpus();
  process.stdout.write(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${load()}\n`);
  process.stdout.write(
    `load: fixture chaincode Put of a 100-byte value, policy AND('Org1MSP.peer','Org2MSP.peer'), batch timeout 10 ms, ${DURATION_MS} ms per step; ` +
      `devnet in its own process (node devnet/launch.cjs, as npm run devnet), clients in this one signing with ${NODE_SIGNER ? 'node:crypto' : "fabric-gateway's default signer"}\n`,
  );
  const dataDir = tempDir();
  const configFile = join(dataDir, 'bench-network.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      channel: 'bench',
      organizations: [
        { mspId: 'Org1MSP', name: 'One' },
        { mspId: 'Org2MSP', name: 'Two' },
      ],
      chaincodes: [{ name: 'asset', version: '1.0', path: FIXTURE_CC, endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" }],
      orderer: { batchSize: 500, batchTimeoutMs: 10 },
    }),
  );
  const first = await startDevnetProcess(dataDir, configFile, false);
  await first.stop();
  const startups: number[] = [];
  const startupCpu: number[] = [];
  for (let i = 0; i < STARTUPS; i++) {
    const again = await startDevnetProcess(dataDir, configFile, true);
    startups.push(again.readyMs);
    startupCpu.push(again.readyCpuMs);
    await again.stop();
  }
  const running = await startDevnetProcess(dataDir, configFile, false);
  const submits: { concurrency: number; tps: number; p99: number }[] = [];
  const evaluations: number[] = [];
  const clients: [TestClient, TestClient] = [
    connectClient(running.devnet, 'Org1MSP', 'user', 'asset', { nodeSigner: NODE_SIGNER }),
    connectClient(running.devnet, 'Org2MSP', 'user', 'asset', { nodeSigner: NODE_SIGNER }),
  ];
  try {
    const warm = await submitLoad(clients, 4, WARMUP_MS);
    process.stdout.write(`warm-up: ${warm.count} committed in ${WARMUP_MS} ms\n`);
    process.stdout.write('clients  committed tx/s  p50 ms  p99 ms  committed  failed  CPU ms/tx: devnet  chaincode  client  load average\n');
    for (const concurrency of LEVELS) {
      const server0 = cpuMs(running.pid);
      const client0 = process.cpuUsage();
      const r = await submitLoad(clients, concurrency, DURATION_MS);
      submits.push({ concurrency, tps: r.tps, p99: r.p99 });
      const server = cpuMs(running.pid);
      const client = process.cpuUsage(client0);
      const devnetMs = server !== undefined && server0 !== undefined ? perTx(server.own - server0.own, r.count) : 'n/a';
      const chaincodeMs = server !== undefined && server0 !== undefined ? perTx(server.children - server0.children, r.count) : 'n/a';
      process.stdout.write(
        `${String(concurrency).padStart(7)}  ${r.tps.toFixed(1).padStart(15)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${String(r.count).padStart(9)}  ${String(r.failed).padStart(6)}  ${devnetMs.padStart(17)}  ${chaincodeMs.padStart(9)}  ${perTx((client.user + client.system) / 1000, r.count).padStart(6)}  ${load()}\n`,
      );
    }
    if (EVALUATE) {
      process.stdout.write('clients  evaluate/s  p50 ms  p99 ms  evaluated  CPU ms each: devnet  chaincode  client  load average\n');
      for (const concurrency of LEVELS) {
        const server0 = cpuMs(running.pid);
        const client0 = process.cpuUsage();
        const r = await evaluateLoad(clients[0], concurrency);
        const server = cpuMs(running.pid);
        const client = process.cpuUsage(client0);
        evaluations.push(r.eps);
        const devnetMs = server !== undefined && server0 !== undefined ? perTx(server.own - server0.own, r.count) : 'n/a';
        const chaincodeMs = server !== undefined && server0 !== undefined ? perTx(server.children - server0.children, r.count) : 'n/a';
        process.stdout.write(
          `${String(concurrency).padStart(7)}  ${r.eps.toFixed(0).padStart(10)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${String(r.count).padStart(9)}  ${devnetMs.padStart(19)}  ${chaincodeMs.padStart(9)}  ${perTx((client.user + client.system) / 1000, r.count).padStart(6)}  ${load()}\n`,
        );
      }
    }
  } finally {
    for (const c of clients) c.close();
    await running.stop();
  }
  const sorted = [...startups].sort((a, b) => a - b);
  const cpuSorted = [...startupCpu].sort((a, b) => a - b);
  const later =
    sorted.length === 0
      ? 'not timed (BENCH_STARTUPS=0)'
      : `${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${percentile(sorted, 50).toFixed(0)}), having used ${percentile(cpuSorted, 50).toFixed(0)} ms of CPU in all its processes (median)`;
  process.stdout.write(
    `start-up until ready (connection file written): first run ${first.readyMs.toFixed(0)} ms (creates crypto material${first.readyMs > 5_000 ? ', may compile dist/devnet' : ''}); ` +
      `npm run devnet afterwards: ${later}\n`,
  );
  printGoals(submits, evaluations, percentile(sorted, 50));
  process.stdout.write(`load average after the run: ${load()}\n`);
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
