// Verifies a certificate from the command line with the same library as POST /api/verify and the
// portal, printing each check; exits 0 when valid, 1 when not, 2 when it could not run.
//
//   npm run verify -- <file> [--rpc URL] [--deployment path] [--api URL [--token T]]
//                            [--offline [--trusted-keys file]] [--as-of DATE] [--json]
//
// <file> holds a certificate document (JSON), an offline bundle (JSON), or a QR payload (CTL1:…).
// Online (the default), the anchor and issuer checks read TrustAnchor and IssuerRegistry over
// JSON-RPC (--rpc, default EVM_RPC_URL or http://127.0.0.1:8545) at the addresses of the
// deployment file (--deployment, default .data/evm/deployments/31337.json, then
// deployments/31337.json); the ledger record check asks the services (--api URL). --offline uses
// no network: a bundle's status snapshot counts when signed by a key listed in --trusted-keys (a
// JSON list of IssuerRegistry key ids, or {"keyIds": [...]}).
import fs from 'node:fs';
import path from 'node:path';
import {
  VerificationLibraryError,
  createEvmPorts,
  decodeQrPayload,
  httpLedgerRecordReader,
  parseBundle,
  verify,
  verifyOfflineBundle,
  type EvmPorts,
  type VerificationPorts,
  type VerificationResult,
} from '../services/src/verification';

const ROOT = path.join(__dirname, '..');
const DEFAULT_DEPLOYMENTS = [path.join(ROOT, '.data', 'evm', 'deployments', '31337.json'), path.join(ROOT, 'deployments', '31337.json')];

/** A command-line mistake: printed with the usage, exit code 2. */
class UsageError extends Error {
  readonly code = 'CLI.USAGE';

  constructor(message: string) {
    super(message);
    this.name = UsageError.name;
  }
}

interface Options {
  file: string;
  rpc: string;
  deployment: string | undefined;
  api: string | undefined;
  token: string | undefined;
  offline: boolean;
  trustedKeys: string | undefined;
  asOf: string | undefined;
  json: boolean;
}

const USAGE = 'usage: npm run verify -- <file> [--rpc URL] [--deployment path] [--api URL [--token T]] [--offline [--trusted-keys file]] [--as-of DATE] [--json]';

/**
 * Parses the command line.
 *
 * @throws UsageError for an unknown flag, a flag without its value, or no file
 */
function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    file: '',
    rpc: process.env.EVM_RPC_URL ?? 'http://127.0.0.1:8545',
    deployment: undefined,
    api: undefined,
    token: undefined,
    offline: false,
    trustedKeys: undefined,
    asOf: undefined,
    json: false,
  };
  const valueOf = (i: number, flag: string): string => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    switch (arg) {
      case '--rpc':
        options.rpc = valueOf(i++, arg);
        break;
      case '--deployment':
        options.deployment = valueOf(i++, arg);
        break;
      case '--api':
        options.api = valueOf(i++, arg);
        break;
      case '--token':
        options.token = valueOf(i++, arg);
        break;
      case '--trusted-keys':
        options.trustedKeys = valueOf(i++, arg);
        break;
      case '--as-of':
        options.asOf = valueOf(i++, arg);
        break;
      case '--offline':
        options.offline = true;
        break;
      case '--json':
        options.json = true;
        break;
      default:
        if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
        if (options.file !== '') throw new UsageError('give one file');
        options.file = arg;
    }
  }
  if (options.file === '') throw new UsageError('give the file to verify');
  return options;
}

/**
 * Reads the file as a document or a bundle.
 *
 * @throws UsageError when it cannot be read or is neither JSON nor a QR payload
 */
async function readInput(file: string): Promise<{ kind: 'document'; document: unknown } | { kind: 'bundle'; bundle: unknown }> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text.startsWith('CTL1:')) return { kind: 'bundle', bundle: await decodeQrPayload(text) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is neither JSON nor a QR payload (CTL1:…)`);
  }
  if (typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'ctl-offline-bundle/1') return { kind: 'bundle', bundle: json };
  return { kind: 'document', document: json };
}

/**
 * The trusted key ids of --trusted-keys.
 *
 * @throws UsageError when the file is missing or not a list of key ids
 */
function readTrustedKeys(file: string | undefined): string[] {
  if (file === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the trusted keys ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const list: unknown = Array.isArray(json) ? json : (json as { keyIds?: unknown } | null)?.keyIds;
  if (!Array.isArray(list) || !list.every((k): k is string => typeof k === 'string' && /^0x[0-9a-fA-F]{64}$/.test(k))) {
    throw new UsageError(`${file} must be a JSON list of key ids (0x + 64 hex), or {"keyIds": [...]}`);
  }
  return list;
}

/**
 * The deployment file's parsed JSON.
 *
 * @throws UsageError when none is found or it is not JSON
 */
function readDeployment(file: string | undefined): unknown {
  const candidates = file === undefined ? DEFAULT_DEPLOYMENTS : [file];
  const found = candidates.find((f) => fs.existsSync(f));
  if (found === undefined) throw new UsageError(`no deployment file (looked for ${candidates.join(', ')}); give --deployment, or --offline`);
  try {
    return JSON.parse(fs.readFileSync(found, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the deployment file ${found}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function print(result: VerificationResult, extra: string | undefined): void {
  for (const check of result.checks) {
    console.log(`${check.ok ? '✔' : '✘'} ${check.name.padEnd(14)} ${check.detail}`);
  }
  if (extra !== undefined) console.log(extra);
  const failed = result.checks.filter((c) => !c.ok).length;
  console.log(result.valid ? `VALID as of ${result.asOf}` : `NOT VALID as of ${result.asOf}: ${failed} of ${result.checks.length} checks failed`);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const input = await readInput(options.file);
  const asOf = options.asOf;
  let evm: EvmPorts | undefined;
  try {
    let result: VerificationResult;
    let extra: string | undefined;
    if (options.offline) {
      if (input.kind === 'bundle') {
        const bundleResult = await verifyOfflineBundle(input.bundle, { trustedKeyIds: readTrustedKeys(options.trustedKeys), asOf });
        result = bundleResult;
        const s = bundleResult.snapshot;
        extra = s.trusted ? `status snapshot of ${s.takenAt}, signed by ${s.signedBy.join(', ')}` : `status snapshot of ${s.takenAt} not trusted (give --trusted-keys with its signers' key ids)`;
      } else {
        result = await verify(input.document, {}, { asOf });
        extra = 'offline: only the document itself was checked';
      }
    } else {
      const document = input.kind === 'bundle' ? parseBundle(input.bundle).document : input.document;
      evm = createEvmPorts({ deployment: readDeployment(options.deployment), rpcUrl: options.rpc });
      const ports: VerificationPorts = {
        anchor: evm.anchor,
        issuers: evm.issuers,
        ledger: options.api === undefined ? undefined : httpLedgerRecordReader({ baseUrl: options.api, ...(options.token === undefined ? {} : { token: options.token }) }),
      };
      result = await verify(document, ports, { asOf });
      if (options.api === undefined) extra = 'the ledger record was not consulted: give --api URL of the services';
    }
    if (options.json) console.log(JSON.stringify(result, null, 2));
    else print(result, extra);
    return result.valid ? 0 : 1;
  } finally {
    evm?.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
    } else if (err instanceof VerificationLibraryError) {
      console.error(`${err.code}: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exitCode = 2;
  },
);
