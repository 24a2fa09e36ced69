/**
 * `npm run bench:devnet`: committed transactions per second and submit→commit latency with
 * two-organisation endorsement at 1, 16 and 64 concurrent clients, evaluations per second, and
 * start-up time. Prints figures and the machine; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { connectClient, FIXTURE_CC, tempDir, type TestClient } from '../test/helpers';
import type { Devnet } from '../src/index';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function submitLoad(clients: TestClient[], concurrency: number): Promise<{ tps: number; p50: number; p99: number; count: number; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  let seq = 0;
  const until = Date.now() + DURATION_MS;
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

async function evaluateLoad(client: TestClient, concurrency: number): Promise<number> {
  let done = 0;
  const until = Date.now() + DURATION_MS;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await client.contract.evaluateTransaction('Get', 'bench-1-0-0');
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

interface CliDevnet {
  devnet: Devnet;
  /** From spawning the process until it printed its connection file. */
  readyMs: number;
  /** What the process reported for startDevnet alone (after its modules loaded). */
  startMs: number;
  pid: number;
  stop(): Promise<void>;
}

/** CPU time (user + system, ms) of a process and its children, from /proc; undefined elsewhere. */
function cpuMs(pid: number): number | undefined {
  try {
    const own = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    let ticks = Number(own[11]) + Number(own[12]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // The process ended while we looked.
      }
    }
    return (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Runs the devnet CLI as its own process (as developers do), so clients and devnet do not share an event loop. */
async function startCli(dataDir: string, configFile: string): Promise<CliDevnet> {
  const root = resolve(__dirname, '..', '..');
  return new Promise((resolveStart, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join('devnet', 'src', 'cli.ts'), '--data-dir', dataDir, '--config', configFile, '--base-port', '0', '--chaincode-port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const exited = new Promise<void>((done) => {
      child.once('exit', () => {
        done();
      });
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /connection file: (.+)\n/.exec(out);
      if (m?.[1] === undefined) return;
      const readyMs = performance.now() - t0;
      const connection = JSON.parse(readFileSync(m[1], 'utf8')) as Devnet['connection'];
      const devnet = { dataDir, connection, connectionPath: m[1] } as Devnet;
      resolveStart({
        devnet,
        readyMs,
        startMs: Number(/devnet ready in (\d+) ms/.exec(out)?.[1] ?? NaN),
        pid: child.pid ?? 0,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      if (!out.includes('connection file')) reject(new Error(`devnet exited with ${String(code)} before it was ready`));
    });
  });
}

async function main(): Promise<void> {
  const cpu = cpus();
  process.stdout.write(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`load: fixture chaincode Put of a 100-byte value, policy AND('Org1MSP.peer','Org2MSP.peer'), batch timeout 10 ms, ${DURATION_MS} ms per step; devnet in its own process (npm run devnet), clients in this one with a node:crypto signer\n`);
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
  const first = await startCli(dataDir, configFile);
  await first.stop();
  const running = await startCli(dataDir, configFile);
  const clients: [TestClient, TestClient] = [
    connectClient(running.devnet, 'Org1MSP', 'user', 'asset', { nodeSigner: true }),
    connectClient(running.devnet, 'Org2MSP', 'user', 'asset', { nodeSigner: true }),
  ];
  try {
    await submitLoad(clients, 4);
    process.stdout.write('clients  committed tx/s  p50 ms  p99 ms  committed  failed  CPU ms/tx: devnet+chaincode  client\n');
    for (const concurrency of [1, 16, 64]) {
      const serverCpu0 = cpuMs(running.pid);
      const clientCpu0 = process.cpuUsage();
      const r = await submitLoad(clients, concurrency);
      const serverCpu = cpuMs(running.pid);
      const clientCpu = process.cpuUsage(clientCpu0);
      const perTx = (ms: number | undefined): string => (ms === undefined || r.count === 0 ? 'n/a' : (ms / r.count).toFixed(2));
      process.stdout.write(
        `${String(concurrency).padStart(7)}  ${r.tps.toFixed(1).padStart(15)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${String(r.count).padStart(9)}  ${String(r.failed).padStart(6)}  ${perTx(serverCpu !== undefined && serverCpu0 !== undefined ? serverCpu - serverCpu0 : undefined).padStart(26)}  ${perTx((clientCpu.user + clientCpu.system) / 1000).padStart(6)}\n`,
      );
    }
    const evalCpu0 = cpuMs(running.pid);
    const eps = await evaluateLoad(clients[0], 16);
    const evalCpu = cpuMs(running.pid);
    const evalCpuPer = evalCpu !== undefined && evalCpu0 !== undefined ? ` (devnet+chaincode CPU ${((evalCpu - evalCpu0) / (eps * (DURATION_MS / 1000))).toFixed(2)} ms each)` : '';
    process.stdout.write(`evaluate/s (16 clients): ${eps.toFixed(0)}${evalCpuPer}\n`);
  } finally {
    for (const c of clients) c.close();
    await running.stop();
  }
  process.stdout.write(
    `start-up of the devnet process until ready: first run ${first.readyMs.toFixed(0)} ms (creates crypto material), later run ${running.readyMs.toFixed(0)} ms, of which startDevnet ${running.startMs} ms and the rest loading modules through ts-node\n`,
  );
  process.stdout.write(`load average after the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
