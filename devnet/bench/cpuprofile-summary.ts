/**
 * Summarises V8 `.cpuprofile` files (from `node --cpu-prof --cpu-prof-dir <dir>`): self time by
 * module (npm package or source folder) and by function, and the inclusive time of chosen
 * functions, so the cost of a transaction can be attributed.
 *
 *   ts-node devnet/bench/cpuprofile-summary.ts <file|dir>... [--top N] [--per N] [--after S] [--before S] [--inclusive name,name]
 *
 * `--per` divides every figure by N (for example the number of committed transactions);
 * `--after`/`--before` keep only samples taken that many seconds after the profile started, to
 * leave start-up out; `--inclusive` prints the time spent in and below functions of those names.
 * Figures are sampled wall time of the profiled thread: on a loaded machine they exceed CPU time,
 * so read them as shares and compare with the CPU time the benchmark reports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

/** The module a script URL belongs to: the npm package, a folder of this repository, or a V8/Node category. */
function moduleOf(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
  }
  const parts = relative(process.cwd(), path).split('/');
  return parts.length > 2 ? parts.slice(0, 3).join('/') : parts.join('/');
}

function functionOf(node: ProfileNode): string {
  const f = node.callFrame;
  if (IDLE.has(f.functionName)) return f.functionName;
  return `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`;
}

function files(args: string[]): string[] {
  return args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(a, f)) : [a]));
}

function print(title: string, times: Map<string, number>, top: number, per: number, total: number): void {
  process.stdout.write(`  ${title}\n`);
  for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`    ${(ms / per).toFixed(3).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}\n`);
  }
}

function summarise(file: string, options: { top: number; per: number; after: number; before: number; inclusive: string[] }): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < options.after * 1000 || t > options.before * 1000) return;
    const node = byId.get(id);
    if (node === undefined) return;
    total += dt;
    const fn = functionOf(node);
    byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
    const mod = IDLE.has(node.callFrame.functionName) ? node.callFrame.functionName : moduleOf(node.callFrame.url);
    byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
    if (options.inclusive.length === 0) return;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)?.callFrame.functionName ?? '';
      if (options.inclusive.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
    }
  });
  const busy = total - (byModule.get('(idle)') ?? 0);
  process.stdout.write(`${file}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy${options.per !== 1 ? `; figures per ${options.per}` : ''}\n`);
  print('self time by module', byModule, options.top, options.per, total);
  print('self time by function', byFn, options.top, options.per, total);
  if (options.inclusive.length > 0) print('inclusive time', inclusive, options.inclusive.length, options.per, total);
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, per: { type: 'string' }, after: { type: 'string' }, before: { type: 'string' }, inclusive: { type: 'string' } },
  });
  const options = {
    top: Number(values.top ?? 25),
    per: Number(values.per ?? 1),
    after: Number(values.after ?? 0),
    before: Number(values.before ?? Infinity),
    inclusive: (values.inclusive ?? '').split(',').filter((s) => s !== ''),
  };
  for (const file of files(positionals)) summarise(file, options);
}

main();
