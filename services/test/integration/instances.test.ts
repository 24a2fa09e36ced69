/**
 * Several API instances on one port (`API_INSTANCES`, node:cluster), run as `npm run api` runs
 * them: the program forks its instances, they share the development identity provider's key and
 * the subject reference secret, `/metrics` counts every instance's requests, a killed instance is
 * replaced, and SIGTERM stops them all. Needs PostgreSQL (TEST_DATABASE_URL): PGlite belongs to
 * one process, which the configuration test covers.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/config/config';
import { testBackends } from '../support/databases';
import { api, signIn } from '../support/services';
import { startLedgerStack, type LedgerStack } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * A port nothing listens on. A fixed one, not 0: when every instance has died the primary closes
 * the shared socket, and the replacements would get a new random port from 0.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** The pids of the instances the primary runs (its child processes). */
function instancePids(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** A request on a connection of its own, so the primary hands it to the next instance. */
async function fresh(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), connection: 'close' } });
}

function requestsCounted(metrics: string, route: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('ctl_http_requests_total{') && line.includes(`route="${route}"`)) total += Number(line.split(' ').pop());
  }
  return total;
}

describe('several API instances on one port (API_INSTANCES)', function () {
  this.timeout(300_000);
  const backend = testBackends().find((b) => b.name === 'PostgreSQL');
  let stack: LedgerStack | undefined;
  let child: ChildProcess | undefined;
  let exited: Promise<number | null>;
  let url: string;
  let drop: () => Promise<void> = () => Promise.resolve();
  let dataDir: string | undefined;
  let output = '';

  before(async function () {
    if (backend === undefined) {
      console.warn('\n  !!! SKIPPED: several API instances need PostgreSQL; set TEST_DATABASE_URL (CI does)\n');
      this.skip();
    }
    stack = await startLedgerStack();
    const created = await backend.create();
    drop = created.drop;
    const settings = created.settings;
    if (settings.kind !== 'postgres') throw new Error('expected PostgreSQL settings');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctl-instances-'));
    const started = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'services', 'src', 'main.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...stack.env, DATABASE_URL: settings.url, API_INSTANCES: '2', PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => {
      started.on('exit', (code) => {
        resolve(code);
      });
    });
    url = await waitFor('the instances to listen', () => /services listening on (\S+) \(2 instances\)/.exec(output)?.[1], 90_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; output:\n${output}`);
    });
  });

  after(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await drop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    await stack?.close();
  });

  it('runs two instance processes that answer on the one port, with a token any of them issued', async () => {
    const pid = child?.pid ?? 0;
    expect(instancePids(pid)).to.have.length(2);
    // Tokens from one instance verify on the other: they share the development IdP's key.
    const token = await signIn(url, 'officer-civil-affairs');
    for (let i = 0; i < 8; i++) {
      const response = await fresh(`${url}/api/certificate-types`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, `request ${String(i)}`).to.equal(200);
    }
  });

  it('answers /metrics with the requests of every instance together', async () => {
    const before = requestsCounted(await (await fresh(`${url}/metrics`)).text(), '/api/public/config');
    for (let i = 0; i < 10; i++) expect((await fresh(`${url}/api/public/config`)).status).to.equal(200);
    const after = requestsCounted(await (await fresh(`${url}/metrics`)).text(), '/api/public/config');
    expect(after - before).to.equal(10);
  });

  it('replaces an instance that dies, and keeps answering meanwhile', async () => {
    const pid = child?.pid ?? 0;
    const [victim] = instancePids(pid);
    expect(victim).to.be.a('number');
    process.kill(victim as number, 'SIGKILL');
    const replaced = await waitFor(
      'a replacement instance',
      () => {
        const pids = instancePids(pid);
        return pids.length === 2 && !pids.includes(victim as number) ? pids : undefined;
      },
      60_000,
    );
    expect(replaced).to.have.length(2);
    await waitFor('the replacement to listen', () => (/listening \(a replacement\)/.test(output) ? true : undefined), 60_000);
    for (let i = 0; i < 6; i++) expect((await fresh(`${url}/api/health`)).status).to.be.oneOf([200, 503]);
    const answer = await api(url, 'GET', '/api/public/config');
    expect(answer.status).to.equal(200);
  });

  it('replaces every instance when all die at once, and answers again', async () => {
    const pid = child?.pid ?? 0;
    const victims = instancePids(pid);
    expect(victims).to.have.length(2);
    for (const victim of victims) process.kill(victim, 'SIGKILL');
    await waitFor(
      'two new instances',
      () => {
        const pids = instancePids(pid);
        return pids.length === 2 && pids.every((p) => !victims.includes(p)) ? pids : undefined;
      },
      60_000,
    );
    expect(child?.exitCode, 'the primary is still running').to.equal(null);
    await waitFor('both to listen', () => ((output.match(/listening \(a replacement\)/g) ?? []).length >= 3 ? true : undefined), 60_000);
    const answer = await waitFor('an answer from the new instances', async () => {
      const response = await fresh(`${url}/api/public/config`).catch(() => undefined);
      return response?.status === 200 ? response : undefined;
    });
    expect(answer.status).to.equal(200);
  });

  it('stops every instance on SIGTERM and exits 0', async () => {
    const pid = child?.pid ?? 0;
    const pids = instancePids(pid);
    child?.kill('SIGTERM');
    expect(await exited).to.equal(0);
    for (const p of pids) expect(() => process.kill(p, 0), `instance ${String(p)}`).to.throw();
  });
});
