// `npm start`: the whole embedded stack on one machine. `prestart` has built the contracts, the
// chaincode and the portal; this starts, in order:
//   1. the devnet (our Fabric-protocol network, with the chaincode as a service) and the
//      embedded EVM node (Hardhat network on 127.0.0.1:8545), side by side;
//   2. the contract deployment (idempotent: a restart reuses what is deployed), with the
//      departments' P-256 keys taken from their Fabric peer certificates;
//   3. the API with its in-process workers, serving the built portal.
// Data lives under DATA_DIR (default .data) and survives restarts. Ctrl-C stops every child.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deploy } from './deploy';
import { Supervisor, waitFor, type ChildSpec } from './supervisor';

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.DATA_DIR ?? '.data');
const port = process.env.PORT ?? '8080';
const evmPort = process.env.EVM_PORT ?? '8545';
const evmUrl = `http://127.0.0.1:${evmPort}`;
const apiUrl = `http://localhost:${port}`;
const devnetDir = path.join(dataDir, 'devnet');
const connectionPath = path.join(devnetDir, 'connection.json');
const deploymentsDir = path.join(dataDir, 'evm', 'deployments');
const READY_TIMEOUT_MS = 120_000;

/** Runs a TypeScript entry point with the repository's one loader. */
function tsNode(script: string, ...args: string[]): Pick<ChildSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['-r', 'ts-node/register/transpile-only', path.join(root, script), ...args] };
}

async function rpcAnswers(url: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  if (!response.ok) throw new Error(`JSON-RPC answered ${response.status}`);
}

async function apiAnswers(url: string): Promise<void> {
  const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`health answered ${response.status}: ${await response.text()}`);
}

interface ConnectionFile {
  organizations: Record<string, { peerCert?: string; identities: Record<string, { cert: string }> }>;
}

/** The P-256 signing keys (as certificates) each department uses on Fabric, for IssuerRegistry. */
function departmentSigningKeys(): Record<string, string[]> {
  const connection = JSON.parse(readFileSync(connectionPath, 'utf8')) as ConnectionFile;
  const keys: Record<string, string[]> = {};
  for (const [msp, org] of Object.entries(connection.organizations)) {
    const certPath = org.peerCert ?? org.identities.admin?.cert;
    if (certPath === undefined) continue;
    keys[msp] = [readFileSync(path.resolve(devnetDir, certPath), 'utf8')];
  }
  return keys;
}

async function printWelcome(): Promise<void> {
  const response = await fetch(`${apiUrl}/api/auth/dev/users`);
  const users = response.ok ? ((await response.json()) as { id: string; name: string; roles: string[]; org: string }[]) : [];
  const lines = [
    '',
    `Community Trust Ledger is running: ${apiUrl}`,
    `  API reference  ${apiUrl}/api/docs    EVM JSON-RPC ${evmUrl}    Fabric connection ${connectionPath}`,
  ];
  if (users.length > 0) {
    lines.push('  Demo users (sign in on the portal, or POST /api/auth/dev/sign-in {"userId"}):');
    const width = (values: string[]): number => Math.max(...values.map((v) => v.length));
    const [idWidth, rolesWidth, orgWidth] = [width(users.map((u) => u.id)), width(users.map((u) => u.roles.join(','))), width(users.map((u) => u.org))];
    for (const user of users) lines.push(`    ${user.id.padEnd(idWidth)}  ${user.roles.join(',').padEnd(rolesWidth)}  ${user.org.padEnd(orgWidth)}  ${user.name}`);
  }
  lines.push('Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n'));
}

async function main(): Promise<void> {
  const started = Date.now();
  const supervisor = new Supervisor();
  let stopping = false;
  const stop = async (exitCode: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await supervisor.stop();
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void supervisor.broken.then((error) => {
    process.stderr.write(`start: ${error.message}; stopping the stack\n`);
    void stop(1);
  });

  try {
    await Promise.all([
      supervisor.start({
        name: 'devnet',
        // The devnet's launcher runs its compiled CLI (compiling it first when a source changed).
        command: process.execPath,
        args: [path.join(root, 'devnet', 'launch.cjs'), 'start', '--data-dir', devnetDir],
        ready: async (_signal, lines) => {
          await lines.next(/^devnet ready/);
        },
      }),
      supervisor.start({
        name: 'evm',
        ...tsNode('scripts/evm-node.ts', '--port', evmPort, '--data-dir', path.join(dataDir, 'evm')),
        ready: (signal) => waitFor(() => rpcAnswers(evmUrl), READY_TIMEOUT_MS, signal),
      }),
    ]);
    await deploy({
      rpcUrl: evmUrl,
      outDir: deploymentsDir,
      signingKeys: departmentSigningKeys(),
      log: (line: string) => process.stdout.write(`[deploy]   ${line}\n`),
    });
    await supervisor.start({
      name: 'api',
      ...tsNode('services/src/main.ts'),
      env: {
        PORT: port,
        DATA_DIR: dataDir,
        FABRIC_CONNECTION: connectionPath,
        EVM_RPC_URL: evmUrl,
        EVM_DEPLOYMENT: path.join(deploymentsDir, '31337.json'),
        WEB_DIST: path.join(root, 'web', 'dist'),
      },
      ready: (signal) => waitFor(() => apiAnswers(apiUrl), READY_TIMEOUT_MS, signal),
    });
    process.stdout.write(`[start]    stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    await printWelcome();
  } catch (error) {
    process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

void main();
