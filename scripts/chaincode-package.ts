/**
 * `npm run chaincode:package`: builds the two Fabric 2.5 chaincode packages of a Node chaincode
 * folder (default `chaincode/`), in the format `peer lifecycle chaincode package` writes: a
 * gzipped tar holding `metadata.json` and `code.tar.gz`.
 *
 * - `<label>-ccaas.tar.gz`: type `ccaas`; code.tar.gz holds `connection.json` with the chaincode
 *   server's address, for Fabric's built-in chaincode-as-a-service builder. This is the path the
 *   devnet exercises.
 * - `<label>-node.tar.gz`: type `node`; code.tar.gz holds the folder under `src/` (package.json,
 *   build output, sources; no node_modules, tests or benchmarks). The peer's Node builder runs
 *   `npm install` and `npm start`.
 *
 * The archives are reproducible: entries are sorted, times are zero and owners are root. The
 * package ids printed are `<label>:<sha256 of the file>`, as `peer lifecycle chaincode
 * calculatepackageid` prints them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

interface TarEntry {
  name: string;
  data: Buffer;
  mode?: number;
}

/** Thrown for bad arguments or a chaincode folder that cannot be packaged. */
export class ChaincodePackageError extends Error {
  readonly code = 'PACKAGE.INVALID';

  constructor(message: string) {
    super(message);
    this.name = ChaincodePackageError.name;
  }
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

function tarHeader(name: string, size: number, mode: number): Buffer {
  const header = Buffer.alloc(512, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new ChaincodePackageError(`path too long for a tar entry: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  header.write(base, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii');
  header.write(octal(0, 8), 116, 8, 'ascii');
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(0, 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return header;
}

/** A deterministic gzipped ustar archive of `entries` (sorted by name). */
export function tarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    parts.push(tarHeader(entry.name, entry.data.length, entry.mode ?? 0o644), entry.data);
    const pad = (512 - (entry.data.length % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

const EXCLUDED = new Set(['node_modules', 'test', 'bench', 'coverage', '.git']);

function collect(folder: string, dir = folder): TarEntry[] {
  const out: TarEntry[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (EXCLUDED.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(folder, path));
    else if (entry.isFile()) out.push({ name: `src/${relative(folder, path).split('\\').join('/')}`, data: readFileSync(path), mode: statSync(path).mode & 0o777 });
  }
  return out;
}

/**
 * Builds the CCaaS and node packages of `folder` into `out`; returns their paths and package ids.
 * `requireStart: false` skips the check for a `start` script (only the node builder needs it).
 *
 * @throws ChaincodePackageError when the folder has no package.json, its main file is not built,
 * it lacks a start script, or the label has characters Fabric does not allow.
 */
export function buildPackages(options: { folder: string; out: string; label: string; address: string; requireStart?: boolean }): { file: string; packageId: string }[] {
  const pkgFile = join(options.folder, 'package.json');
  if (!existsSync(pkgFile)) throw new ChaincodePackageError(`${options.folder} has no package.json`);
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: string; scripts?: Record<string, string> };
  const main = join(options.folder, pkg.main ?? 'index.js');
  if (!existsSync(main)) throw new ChaincodePackageError(`${main} does not exist; build the chaincode first (npm run build -w chaincode)`);
  if (options.requireStart !== false && pkg.scripts?.start === undefined) throw new ChaincodePackageError(`${pkgFile} needs a "start" script (fabric-chaincode-node start) for the node builder`);
  if (!/^[A-Za-z0-9_.+-]+$/.test(options.label)) throw new ChaincodePackageError(`label ${options.label} may only contain letters, digits, _ . + -`);
  mkdirSync(options.out, { recursive: true });
  const connection = { address: options.address, dial_timeout: '10s', tls_required: false };
  const packages = [
    {
      file: join(options.out, `${options.label}-ccaas.tar.gz`),
      metadata: { type: 'ccaas', label: options.label },
      code: tarGz([{ name: 'connection.json', data: Buffer.from(`${JSON.stringify(connection, null, 2)}\n`) }]),
    },
    {
      file: join(options.out, `${options.label}-node.tar.gz`),
      metadata: { type: 'node', label: options.label },
      code: tarGz(collect(options.folder)),
    },
  ];
  return packages.map((p) => {
    const archive = tarGz([
      { name: 'metadata.json', data: Buffer.from(JSON.stringify(p.metadata)) },
      { name: 'code.tar.gz', data: p.code },
    ]);
    writeFileSync(p.file, archive);
    return { file: p.file, packageId: `${options.label}:${createHash('sha256').update(archive).digest('hex')}` };
  });
}

function main(): void {
  const { values } = parseArgs({
    options: {
      path: { type: 'string', default: 'chaincode' },
      out: { type: 'string', default: join('dist', 'chaincode-packages') },
      label: { type: 'string' },
      address: { type: 'string', default: 'ctl-chaincode:9999' },
    },
  });
  const folder = resolve(values.path);
  const version = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  const label = values.label ?? `ctl_${version}`;
  for (const p of buildPackages({ folder, out: resolve(values.out), label, address: values.address })) {
    process.stdout.write(`${p.file}\n  package id ${p.packageId}\n`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`chaincode:package: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
