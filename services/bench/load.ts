/**
 * HTTP load for the benchmarks: wrk (Debian's `wrk` package, a C program that needs a fraction
 * of the CPU the API does) when it is installed, else autocannon (in a worker thread of the
 * benchmark process: on a 2-core machine it takes CPU from the API it measures, so its figures
 * are lower). Both run a closed loop: a fixed number of connections, each sending its next
 * request when the last one is answered, so the latency is that of saturation. With `rate`, wrk
 * offers that many requests per second on a fixed schedule instead (open loop).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

/** What one load run measured. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** One load run: `connections` connections for `durationS` seconds. */
export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  readonly connections: number;
  readonly durationS: number;
  /**
   * Requests per second to offer on a fixed schedule, instead of each connection sending its
   * next request as soon as the last is answered: the latency at that load rather than at
   * saturation. wrk only. Latency still counts from each actual send (wrk2 would count from the
   * scheduled time), so it is understated only while every connection is busy.
   */
  readonly rate?: number;
}

/** The load generators. */
export type LoadTool = 'wrk' | 'autocannon';

/** wrk when it is on the PATH, else autocannon. */
export function defaultLoadTool(): LoadTool {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (err) {
    // wrk --version prints its banner and exits 1; only a missing program is ENOENT.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'autocannon' : 'wrk';
  }
}

/** Milliseconds of a wrk duration such as `681.00us`, `3.38ms`, `1.20s` or `1.01m`. */
function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (match === null) throw new Error(`wrk printed a latency I cannot read: ${text}`);
  const value = Number(match[1]);
  const unit = match[2];
  return unit === 'us' ? value / 1000 : unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
}

/**
 * Parses wrk's report (with `--latency`).
 *
 * @throws Error when a figure is missing
 */
export function parseWrk(report: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(report)?.[1];
  const p50 = /^\s+50%\s+(\S+)/m.exec(report)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(report)?.[1];
  if (rps === undefined || p50 === undefined || p99 === undefined) throw new Error(`wrk's report lacks a figure:\n${report}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(report)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  const errors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return { requestsPerSecond: Number(rps), p50Ms: wrkMs(p50), p99Ms: wrkMs(p99), non2xx, errors };
}

/**
 * wrk's `delay()` hook for an offered rate: every request takes the next slot of one schedule
 * (`1000 / rate` ms apart, read from a monotonic clock through LuaJIT's FFI) and waits for it, so
 * the idle connections keep sending on time while a slow answer holds one of them.
 */
function rateScript(rate: number): string {
  return `local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } ctl_timespec;
int clock_gettime(int clk_id, ctl_timespec *tp);
]]
local ts = ffi.new("ctl_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval = ${String(1000 / rate)}
local next_send = nil
function delay()
  local t = now_ms()
  if next_send == nil or next_send < t - 1000 then next_send = t end
  next_send = next_send + interval
  local d = next_send - t
  if d < 0 then return 0 end
  return math.floor(d)
end
`;
}

function runWrk(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-wrk-'));
  const args = ['-t1', `-c${String(options.connections)}`, `-d${String(options.durationS)}s`, '--latency'];
  let script = '';
  if (options.method === 'POST') {
    const bodyFile = path.join(dir, 'body.json');
    writeFileSync(bodyFile, options.body ?? '');
    // The body is read from a file: no quoting of the document inside Lua source.
    script += `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))\nwrk.body = f:read("*a")\nf:close()\n`;
  }
  if (options.rate !== undefined) script += rateScript(options.rate);
  if (script !== '') {
    const file = path.join(dir, 'load.lua');
    writeFileSync(file, script);
    args.push('-s', file);
  }
  args.push(options.url);
  return new Promise<LoadResult>((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (err !== null) reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
      else {
        try {
          resolve(parseWrk(stdout));
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      }
    });
  });
}

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    ...(options.body === undefined ? {} : { body: options.body, headers: { 'content-type': 'application/json' } }),
    connections: options.connections,
    duration: options.durationS,
    workers: 1,
  } as autocannon.Options);
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/**
 * Runs one load with the tool given.
 *
 * @throws Error when wrk fails or prints no figures, or a rate is asked of autocannon
 */
export function runLoad(tool: LoadTool, options: LoadOptions): Promise<LoadResult> {
  // autocannon's rate spends each connection's budget at the start of every second: bursts at
  // saturation, not a schedule.
  if (options.rate !== undefined && tool !== 'wrk') return Promise.reject(new Error('an offered rate needs wrk (apt-get install wrk)'));
  return tool === 'wrk' ? runWrk(options) : runAutocannon(options);
}

/**
 * The same loads against `floor-server.ts` (a bare Express 5 app in its own process answering a
 * constant): what this machine reaches at this moment with nothing behind the HTTP framework.
 * A warm-up of `warmupS` seconds (the first load, closed loop) runs first, as for the route it
 * is compared with; then each load in turn, against the one server.
 *
 * @throws Error when the floor server does not start or the load tool fails
 */
export async function runFloorLoads(tool: LoadTool, loads: readonly Omit<LoadOptions, 'url'>[], warmupS: number): Promise<LoadResult[]> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'floor-server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout });
    const listening = await Promise.race([
      once(lines, 'line').then(([line]) => String(line)),
      once(child, 'exit').then(([code]) => Promise.reject(new Error(`the floor server exited (${String(code)}) before listening`))),
    ]);
    const { port } = JSON.parse(listening) as { port: number };
    const url = `http://127.0.0.1:${String(port)}/floor`;
    const [first] = loads;
    if (first === undefined) return [];
    await runLoad(tool, { ...first, rate: undefined, url, durationS: warmupS });
    const results: LoadResult[] = [];
    for (const options of loads) results.push(await runLoad(tool, { ...options, url }));
    return results;
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
  }
}
