/**
 * `npm run bench:services`: the API's throughput and latency against the real ledgers (devnet,
 * embedded EVM node) on the embedded read model: certificate issuance through the whole stack
 * at several concurrencies, issuance to "anchored on the EVM chain", verification (seven
 * checks, Fabric and EVM lookups), and reads from the read model. Prints figures and the
 * machine; asserts nothing. BENCH_DURATION_MS sets each load phase (default 5000).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { testBackends } from '../test/support/databases';
import { api, signIn, startTestServices } from '../test/support/services';
import { startLedgerStack } from '../test/support/stack';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const LEVELS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);

const CARD = {
  typeCode: 'SENIOR_CARE_CARD',
  holder: { idNumber: '110101195001011239', name: 'Wang Fang' },
  fields: { eligibleFrom: '2025-01-01', greenLane: true },
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(label: string, figures: Record<string, string | number>): void {
  process.stdout.write(`${label.padEnd(38)} ${Object.entries(figures).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : v}`).join('  ')}\n`);
}

async function main(): Promise<void> {
  const cpu = cpus();
  process.stdout.write(`machine: ${String(cpu.length)} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const started = Date.now();
  const stack = await startLedgerStack();
  const backend = testBackends()[0];
  if (backend === undefined) throw new Error('no read-model backend');
  const t = await startTestServices(backend, {
    ...stack.env,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  try {
    await t.services.catalogueSeeded;
    line('start-up (ledgers + services + catalogue)', { seconds: (Date.now() - started) / 1000 });
    const token = await signIn(t.url, 'officer-civil-affairs');
    let sequence = 0;
    const issue = async (): Promise<{ ms: number; ok: boolean; body: unknown }> => {
      const t0 = performance.now();
      const response = await api(t.url, 'POST', '/api/certificates', { token, headers: { 'idempotency-key': `bench-${String(sequence++)}` }, body: CARD });
      return { ms: performance.now() - t0, ok: response.status === 201, body: response.body };
    };
    await issue();

    let sample: { certificateId: string; certificate: unknown } | undefined;
    for (const clients of LEVELS) {
      const latencies: number[] = [];
      let failed = 0;
      const until = Date.now() + DURATION_MS;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (Date.now() < until) {
            const result = await issue();
            if (result.ok) {
              latencies.push(result.ms);
              sample ??= result.body as { certificateId: string; certificate: unknown };
            } else failed++;
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      line(`POST /api/certificates, ${String(clients)} clients`, {
        'issued/s': (latencies.length * 1000) / (Date.now() - t0),
        'p50 ms': percentile(latencies, 50),
        'p99 ms': percentile(latencies, 99),
        failed,
      });
    }
    if (sample === undefined) throw new Error('no certificate was issued');

    // Issue → anchored on TrustAnchor (projector, outbox, anchorer, EVM projector).
    const anchorTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const result = await issue();
      const id = (result.body as { certificateId: string }).certificateId;
      for (;;) {
        const body = (await api(t.url, 'GET', `/api/certificates/${id}`, { token })).body as { anchor: unknown } | undefined;
        if (body?.anchor !== null && body?.anchor !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      anchorTimes.push(performance.now() - t0);
    }
    anchorTimes.sort((a, b) => a - b);
    line('issue → anchored (sequential, 5 runs)', { 'p50 ms': percentile(anchorTimes, 50), 'max ms': anchorTimes[anchorTimes.length - 1] ?? Number.NaN });

    const cannon = async (label: string, options: autocannon.Options): Promise<void> => {
      const result = await autocannon({ duration: DURATION_MS / 1000, ...options });
      line(label, {
        'req/s': result.requests.average,
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    };
    await cannon('POST /api/verify, 16 connections', {
      url: `${t.url}/api/verify`,
      method: 'POST',
      connections: 16,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sample.certificate),
    });
    await cannon('GET /api/certificates/:id, 16 connections', {
      url: `${t.url}/api/certificates/${sample.certificateId}`,
      connections: 16,
      headers: { authorization: `Bearer ${token}` },
    });
    await cannon('GET /api/health, 16 connections', { url: `${t.url}/api/health`, connections: 16 });
    process.stdout.write(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  } finally {
    await t.close();
    await stack.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:services: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
