/**
 * `npm run devnet` (devnet/launch.cjs) runs the CLI compiled to dist/devnet, compiling it first
 * when a source is newer; the compiled code finds the files it does not compile (the default
 * network file and the chaincode preload) in the source folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { connectClient, FIXTURE_CC, tempDir, utf8 } from './helpers';
import { DEVNET_DIR } from '../src/paths';
import type { Devnet } from '../src/index';

const ROOT = resolve(__dirname, '..', '..');
const LAUNCHER = join(ROOT, 'devnet', 'launch.cjs');
const COMPILED_CLI = join(ROOT, 'dist', 'devnet', 'src', 'cli.js');

describe('devnet launcher (npm run devnet)', function () {
  // The first run after a source change compiles dist/devnet with tsc.
  this.timeout(180_000);

  it('runs the compiled CLI, which is then at least as new as the sources', () => {
    const dataDir = tempDir();
    try {
      const run = spawnSync(process.execPath, [LAUNCHER, 'status', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('running: no').and.contain('not initialised');
      expect(statSync(COMPILED_CLI).mtimeMs).to.be.at.least(statSync(join(ROOT, 'devnet', 'src', 'cli.ts')).mtimeMs);
      const again = spawnSync(process.execPath, [LAUNCHER, 'status', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
      expect(again.stderr).to.not.contain('compiling');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('resolves the devnet folder from the sources and from the compiled code alike', () => {
    expect(DEVNET_DIR).to.equal(join(ROOT, 'devnet'));
    const compiled = spawnSync(process.execPath, ['-p', `require(${JSON.stringify(join(ROOT, 'dist', 'devnet', 'src', 'paths.js'))}).DEVNET_DIR`], { encoding: 'utf8' });
    expect(compiled.stdout.trim()).to.equal(join(ROOT, 'devnet'));
  });

  it('starts a network from the compiled code that commits transactions', async () => {
    const dataDir = tempDir();
    const configFile = join(dataDir, 'network.test.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        channel: 'testchannel',
        organizations: [
          { mspId: 'Org1MSP', name: 'One' },
          { mspId: 'Org2MSP', name: 'Two' },
        ],
        chaincodes: [{ name: 'asset', version: '1.0', path: FIXTURE_CC, endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" }],
      }),
    );
    const child = spawn(process.execPath, [LAUNCHER, '--data-dir', dataDir, '--config', configFile, '--base-port', '0', '--chaincode-port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const connectionPath = await new Promise<string>((resolveReady, reject) => {
        let out = '';
        const onData = (chunk: Buffer): void => {
          out += chunk.toString();
          const m = /connection file: (.+)\n/.exec(out);
          if (m?.[1] !== undefined) resolveReady(m[1]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => {
          reject(new Error(`devnet exited (${String(code)}) before it was ready: ${out}`));
        });
      });
      const devnet = { dataDir, connection: JSON.parse(readFileSync(connectionPath, 'utf8')) as Devnet['connection'] } as Devnet;
      const client = connectClient(devnet, 'Org1MSP');
      try {
        expect(utf8(await client.contract.submitTransaction('Put', 'compiled', 'yes'))).to.equal('yes');
        expect(utf8(await client.contract.evaluateTransaction('Get', 'compiled'))).to.equal('yes');
      } finally {
        client.close();
      }
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
