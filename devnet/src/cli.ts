/**
 * `npm run devnet [-- <command>]`: runs the devnet in the foreground (default), or `status`,
 * `reset` and `enroll <MSP> <name> --role <role> [--attr key=value]...`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BlockStore } from './ledger/blockstore';
import { DEFAULT_NETWORK_FILE, loadNetworkConfig, type NetworkConfig } from './config';
import { DevnetError } from './errors';
import { startDevnet } from './network';

const USAGE = `usage: npm run devnet -- [start|status|reset|enroll] [options]

  start (default)            run the network in the foreground until Ctrl-C / SIGTERM
  status                     show whether it runs, its gateways and the block height
  reset [--ledger-only]      delete the data folder (or only blocks and state)
  enroll <MSP> <name> [--role <role>] [--attr key=value]... [--admin]
                             issue another identity from the organisation's CA

options:
  --data-dir <dir>           default .data/devnet
  --config <file>            default devnet/network.json
  --host <host>              default 127.0.0.1
  --base-port <port>         first gateway port (then +100 per organisation); default 7051
  --chaincode-port <port>    first chaincode server port; default 9999`;

function fail(message: string): never {
  process.stderr.write(`devnet: ${message}\n`);
  process.exit(1);
}

function runningPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'devnet.lock');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function ensureChaincodeBuilt(config: NetworkConfig): void {
  for (const cc of config.chaincodes) {
    if (cc.path === undefined || !existsSync(join(cc.path, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(cc.path, 'package.json'), 'utf8')) as { main?: string; scripts?: Record<string, string> };
    const main = join(cc.path, pkg.main ?? 'index.js');
    if (existsSync(main) || pkg.scripts?.build === undefined) continue;
    process.stdout.write(`devnet: building chaincode ${cc.name} (${cc.path})\n`);
    const result = spawnSync('npm', ['run', 'build'], { cwd: cc.path, stdio: 'inherit' });
    if (result.status !== 0) fail(`building chaincode ${cc.name} failed`);
  }
}

async function start(values: Record<string, string | boolean | string[] | undefined>, dataDir: string): Promise<void> {
  const configFile = typeof values.config === 'string' ? resolve(values.config) : DEFAULT_NETWORK_FILE;
  const config = loadNetworkConfig(configFile);
  ensureChaincodeBuilt(config);
  const started = Date.now();
  const devnet = await startDevnet({
    dataDir,
    config,
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    ...(typeof values['base-port'] === 'string' ? { basePort: Number(values['base-port']) } : {}),
    ...(typeof values['chaincode-port'] === 'string' ? { chaincodePort: Number(values['chaincode-port']) } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    [
      `devnet ready in ${Date.now() - started} ms: channel ${config.channel}, chaincodes ${config.chaincodes.map((c) => `${c.name}@${c.version}`).join(', ')}`,
      ...Object.entries(devnet.gateways).map(([msp, address]) => `  ${msp.padEnd(24)} ${address}`),
      `connection file: ${devnet.connectionPath}`,
      'press Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`devnet: ${signal}, stopping\n`);
    devnet.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`devnet: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

function status(dataDir: string): void {
  const pid = runningPid(dataDir);
  const connectionFile = join(dataDir, 'connection.json');
  process.stdout.write(`data folder: ${dataDir}\n`);
  process.stdout.write(pid !== undefined ? `running: yes (pid ${pid})\n` : 'running: no\n');
  if (!existsSync(connectionFile)) {
    process.stdout.write('not initialised (no connection.json)\n');
    return;
  }
  const connection = JSON.parse(readFileSync(connectionFile, 'utf8')) as { channel: string; chaincodes: string[]; organizations: Record<string, { gateway: string; identities: Record<string, unknown> }> };
  const height = BlockStore.count(join(dataDir, 'ledger', connection.channel, 'blocks.bin'));
  process.stdout.write(`channel: ${connection.channel}, block height ${height}, chaincodes ${connection.chaincodes.join(', ')}\n`);
  for (const [msp, org] of Object.entries(connection.organizations)) {
    process.stdout.write(`  ${msp.padEnd(24)} ${org.gateway.padEnd(18)} identities: ${Object.keys(org.identities).join(', ')}\n`);
  }
}

function reset(dataDir: string, ledgerOnly: boolean): void {
  const pid = runningPid(dataDir);
  if (pid !== undefined) fail(`the devnet (pid ${pid}) is running; stop it first`);
  if (ledgerOnly) {
    rmSync(join(dataDir, 'ledger'), { recursive: true, force: true });
    process.stdout.write(`devnet: removed the ledger under ${dataDir}; identities kept\n`);
  } else {
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`devnet: removed ${dataDir}\n`);
  }
}

async function enroll(positionals: string[], values: Record<string, string | boolean | string[] | undefined>, dataDir: string): Promise<void> {
  const [mspId, name] = positionals;
  if (mspId === undefined || name === undefined) fail('enroll needs <MSP> <name>');
  const attrs: Record<string, string> = {};
  for (const pair of Array.isArray(values.attr) ? values.attr : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`--attr ${pair}: expected key=value`);
    attrs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  // Loaded here: the start path must not wait for the protobuf code it pulls in (network.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate on-demand load in CommonJS
  const { enrollIdentity } = require('./bootstrap') as typeof import('./bootstrap');
  const files = await enrollIdentity(dataDir, mspId, name, {
    ...(typeof values.role === 'string' ? { role: values.role } : {}),
    attrs,
    type: values.admin === true ? 'admin' : 'client',
  });
  process.stdout.write(`devnet: enrolled ${name} in ${mspId}\n  cert ${files.cert}\n  key  ${files.key}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      host: { type: 'string' },
      'base-port': { type: 'string' },
      'chaincode-port': { type: 'string' },
      role: { type: 'string' },
      attr: { type: 'string', multiple: true },
      admin: { type: 'boolean' },
      'ledger-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = resolve(values['data-dir'] ?? join('.data', 'devnet'));
  const [command = 'start', ...rest] = positionals;
  switch (command) {
    case 'start':
      await start(values, dataDir);
      break;
    case 'status':
      status(dataDir);
      break;
    case 'reset':
      reset(dataDir, values['ledger-only'] === true);
      break;
    case 'enroll':
      await enroll(rest, values, dataDir);
      break;
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof DevnetError) fail(`${err.code}: ${err.message}`);
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
