/**
 * Starting the services for a test: a temporary data directory, an ephemeral port, a fresh
 * database on the given backend, logs captured in memory (so tests can assert what is logged).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config';
import { startServices, type ServicesHandle, type StartOptions } from '../../src/main';
import type { TestBackend } from './databases';

export interface TestServices {
  readonly services: ServicesHandle;
  readonly url: string;
  readonly dataDir: string;
  /** Every log line written so far. */
  logs(): string[];
  close(): Promise<void>;
}

/** Starts the services with `env` on top of test defaults (port 0, temporary DATA_DIR). */
export async function startTestServices(backend: TestBackend, env: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Promise<TestServices> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctl-services-test-'));
  const { settings, drop } = await backend.create();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...env });
  let services: ServicesHandle;
  try {
    services = await startServices(config, { logDestination: sink, database: settings, ...options });
  } catch (err) {
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    services,
    url: services.url,
    dataDir,
    logs: () => [...lines],
    async close() {
      await services.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON request to the API; `rawBody` sends text or bytes as they are. */
export async function api(
  base: string,
  method: string,
  urlPath: string,
  options: { token?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}${urlPath}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Signs in a demo user through the development identity provider. */
export async function signIn(base: string, userId: string): Promise<string> {
  const response = await api(base, 'POST', '/api/auth/dev/sign-in', { body: { userId } });
  if (response.status !== 200) throw new Error(`sign-in of ${userId} answered ${String(response.status)}: ${response.text}`);
  return (response.body as { token: string }).token;
}
