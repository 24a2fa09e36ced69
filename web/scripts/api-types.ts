// `npm run api:types`: regenerates the portal's typed API client (web/src/api/schema.d.ts)
// from the portal's copy of the API's OpenAPI document (web/src/api/openapi.json).
//
//   npm run api:types                          regenerate from the copy; when the root package has
//                                              an `openapi` script printing the services' document,
//                                              refresh the copy from it first
//   npm run api:types -- --from <url|file>     refresh the copy from a running API
//                                              (http://127.0.0.1:8080/api/openapi.json) or a file
//   npm run api:types -- --check               fail if schema.d.ts is not up to date
//
// The copy is committed so the portal builds without the services, and an API change shows up
// as a reviewed diff of that file. Routes the portal needs before the services publish them are
// written by hand in web/src/api/openapi.contract.json (the issue 7 contract): each of its paths
// (and the schemas they name) is added to the copy only while the services' document lacks that
// path, and the script lists which ones it had to add.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const COPY = join(ROOT, 'web/src/api/openapi.json');
const CONTRACT = join(ROOT, 'web/src/api/openapi.contract.json');
const TYPES = join(ROOT, 'web/src/api/schema.d.ts');
const GENERATOR = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');

class ApiTypesError extends Error {
  constructor(
    readonly code: 'SOURCE.UNREADABLE' | 'SOURCE.NOT_OPENAPI' | 'GENERATE.FAILED',
    message: string,
  ) {
    super(message);
    this.name = ApiTypesError.name;
  }
}

/**
 * Parses text as an OpenAPI 3.1 document.
 *
 * @throws {ApiTypesError} `SOURCE.NOT_OPENAPI` when it is not JSON or not OpenAPI 3.1.
 */
function parseDocument(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiTypesError('SOURCE.NOT_OPENAPI', `${source} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || typeof (value as { openapi?: unknown }).openapi !== 'string') {
    throw new ApiTypesError('SOURCE.NOT_OPENAPI', `${source} is not an OpenAPI document`);
  }
  const version = (value as { openapi: string }).openapi;
  if (!version.startsWith('3.1')) throw new ApiTypesError('SOURCE.NOT_OPENAPI', `${source} is OpenAPI ${version}, expected 3.1`);
  return value as Record<string, unknown>;
}

/**
 * Reads the document from a URL or a file.
 *
 * @throws {ApiTypesError} `SOURCE.UNREADABLE` when it cannot be fetched or read.
 */
async function readSource(from: string): Promise<string> {
  if (/^https?:\/\//.test(from)) {
    const response = await fetch(from, { signal: AbortSignal.timeout(10_000) }).catch((cause: unknown) => {
      throw new ApiTypesError('SOURCE.UNREADABLE', `cannot fetch ${from}: ${String(cause)}`);
    });
    if (!response.ok) throw new ApiTypesError('SOURCE.UNREADABLE', `${from} answered ${response.status}`);
    return response.text();
  }
  try {
    return readFileSync(resolve(from), 'utf8');
  } catch (cause) {
    throw new ApiTypesError('SOURCE.UNREADABLE', `cannot read ${from}: ${String(cause)}`);
  }
}

/** The services' document from `npm run openapi`, when that script exists and prints one. */
function fromServicesScript(): string | undefined {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts;
  if (scripts?.openapi === undefined) return undefined;
  const run = spawnSync('npm', ['run', '--silent', 'openapi'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) {
    console.warn(`api:types: npm run openapi failed (${String(run.status)}); keeping the current copy\n${run.stderr}`);
    return undefined;
  }
  return run.stdout;
}

type Json = Record<string, unknown>;

function objectAt(document: Json, ...keys: string[]): Json {
  let node: unknown = document;
  for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Json)[key] : undefined;
  return typeof node === 'object' && node !== null ? (node as Json) : {};
}

/**
 * Adds the contract's paths the document lacks, and the contract's schemas it lacks (a schema
 * the services define wins, so their shapes are the ones the portal is typed against).
 * Returns the paths it added.
 */
function mergeContract(document: Json, contract: Json): string[] {
  const paths = { ...objectAt(document, 'paths') };
  const schemas = { ...objectAt(document, 'components', 'schemas') };
  const added: string[] = [];
  for (const [path, item] of Object.entries(objectAt(contract, 'paths'))) {
    if (path in paths) continue;
    paths[path] = item;
    added.push(path);
  }
  for (const [name, schema] of Object.entries(objectAt(contract, 'components', 'schemas'))) {
    if (!(name in schemas)) schemas[name] = schema;
  }
  const components = objectAt(document, 'components');
  const securitySchemes = { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, ...objectAt(components, 'securitySchemes') };
  document.paths = paths;
  document.components = { ...components, securitySchemes, schemas };
  return added;
}

async function main(args: readonly string[]): Promise<void> {
  const fromIndex = args.indexOf('--from');
  const from = fromIndex >= 0 ? args[fromIndex + 1] : undefined;
  const check = args.includes('--check');
  if (!check) {
    const text = from !== undefined ? await readSource(from) : fromServicesScript();
    if (text !== undefined) {
      const document = parseDocument(text, from ?? 'npm run openapi');
      const added = mergeContract(document, parseDocument(readFileSync(CONTRACT, 'utf8'), CONTRACT));
      writeFileSync(COPY, `${JSON.stringify(document, null, 2)}\n`);
      console.log(`api:types: refreshed ${COPY} from ${from ?? 'npm run openapi'}`);
      if (added.length > 0) console.log(`api:types: not yet in the services' document, added from the contract: ${added.join(', ')}`);
    }
  }
  parseDocument(readFileSync(COPY, 'utf8'), COPY);
  const generate = spawnSync(process.execPath, [GENERATOR, COPY, '-o', TYPES, ...(check ? ['--check'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (generate.status !== 0) throw new ApiTypesError('GENERATE.FAILED', `openapi-typescript exited with ${String(generate.status)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof ApiTypesError ? `api:types: ${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
