/**
 * Durability: state survives a clean restart; after `kill -9` of a devnet process under load,
 * every transaction reported VALID is present and none is half-applied; a deleted state snapshot
 * is rebuilt from the block file; chaincode event listeners resume from a checkpoint after a
 * restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { connectClient, destroy, FIXTURE_CC, startTestDevnet, tempDir, testConfig, utf8 } from './helpers';
import { startDevnet, type Devnet } from '../src/index';

const ROOT = resolve(__dirname, '..', '..');

function startCliProcess(dataDir: string, configFile: string): Promise<{ child: ChildProcess; connectionPath: string }> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join('devnet', 'src', 'cli.ts'), '--data-dir', dataDir, '--config', configFile, '--base-port', '0', '--chaincode-port', '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /connection file: (.+)\n/.exec(out);
      if (m?.[1] !== undefined) resolveStart({ child, connectionPath: m[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      reject(new Error(`devnet process exited early (${String(code)}): ${out}`));
    });
  });
}

describe('devnet durability', function () {
  this.timeout(120_000);

  it('keeps committed state and the txid index across a clean restart', async () => {
    const dataDir = tempDir();
    const config = testConfig({ orgs: 2 });
    let devnet: Devnet | undefined = await startTestDevnet(config, { dataDir });
    let proposalBytes: Uint8Array;
    try {
      const c = connectClient(devnet, 'Org1MSP');
      const proposal = c.contract.newProposal('Put', { arguments: ['kept', 'yes'] });
      const commit = await (await proposal.endorse()).submit();
      expect((await commit.getStatus()).successful).to.be.true;
      proposalBytes = proposal.getBytes();
      c.close();
    } finally {
      await devnet.close();
    }
    const heightBefore = devnet.height();
    devnet = await startDevnet({ dataDir, config, basePort: 0, chaincodePort: 0 });
    try {
      expect(devnet.height()).to.equal(heightBefore);
      const c = connectClient(devnet, 'Org2MSP');
      expect(utf8(await c.contract.evaluateTransaction('Get', 'kept'))).to.equal('yes');
      // The txid index survived: replaying the committed proposal is refused as a duplicate.
      const replay = await c.gateway
        .newProposal(proposalBytes)
        .endorse()
        .then(
          () => undefined,
          (e: unknown) => e as { details: { message: string }[] },
        );
      expect(replay?.details[0]?.message).to.match(/^duplicate transaction found/);
      c.close();
    } finally {
      await destroy(devnet);
    }
  });

  it('rebuilds world state and history from the blocks when the state snapshot is deleted', async () => {
    const dataDir = tempDir();
    const config = testConfig({ orgs: 2 });
    let devnet: Devnet = await startTestDevnet(config, { dataDir });
    const c1 = connectClient(devnet, 'Org1MSP');
    await c1.contract.submitTransaction('Put', 'rebuilt', 'one');
    await c1.contract.submitTransaction('Put', 'rebuilt', 'two');
    c1.close();
    await devnet.close();
    rmSync(join(dataDir, 'ledger', 'testchannel', 'state.snapshot'));
    devnet = await startDevnet({ dataDir, config, basePort: 0, chaincodePort: 0 });
    try {
      const c = connectClient(devnet, 'Org1MSP');
      expect(utf8(await c.contract.evaluateTransaction('Get', 'rebuilt'))).to.equal('two');
      const history = JSON.parse(utf8(await c.contract.evaluateTransaction('History', 'rebuilt'))) as { value: string }[];
      expect(history.map((h) => h.value)).to.deep.equal(['two', 'one']);
      c.close();
    } finally {
      await destroy(devnet);
    }
  });

  it('after kill -9 under load, has every transaction reported VALID and none half-applied', async () => {
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
        chaincodes: [{ name: 'asset', version: '1.0', path: FIXTURE_CC, endorsementPolicy: 'MAJORITY Endorsement' }],
      }),
    );
    const { child, connectionPath } = await startCliProcess(dataDir, configFile);
    const fakeDevnet = {
      dataDir,
      connection: JSON.parse((await import('node:fs')).readFileSync(connectionPath, 'utf8')) as Devnet['connection'],
    } as Devnet;
    const client = connectClient(fakeDevnet, 'Org1MSP');
    const valid: number[] = [];
    let stop = false;
    let seq = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const n = seq++;
        try {
          const commit = await client.contract.submitAsync('PutPair', { arguments: [`pair-${n}-a`, `pair-${n}-b`, String(n)] });
          if ((await commit.getStatus()).successful) valid.push(n);
        } catch {
          // Calls in flight when the process dies fail; only VALID reports are promises.
        }
      }
    });
    while (valid.length < 40) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    stop = true;
    await exited;
    await Promise.all(workers);
    client.close();
    const reported = [...valid];
    const attempted = seq;

    const devnet = await startDevnet({ dataDir, config: configFile, basePort: 0, chaincodePort: 0 });
    try {
      const c = connectClient(devnet, 'Org2MSP');
      for (const n of reported) {
        expect(utf8(await c.contract.evaluateTransaction('Get', `pair-${n}-a`)), `pair ${n}`).to.equal(String(n));
      }
      for (let n = 0; n < attempted; n++) {
        const [a, b] = await Promise.all([c.contract.evaluateTransaction('Get', `pair-${n}-a`), c.contract.evaluateTransaction('Get', `pair-${n}-b`)]);
        expect(utf8(a), `pair ${n} is all or nothing`).to.equal(utf8(b));
      }
      c.close();
    } finally {
      await destroy(devnet);
    }
  });

  it('resumes chaincode events from a checkpoint after a restart', async () => {
    const dataDir = tempDir();
    const config = testConfig({ orgs: 2 });
    let devnet: Devnet = await startTestDevnet(config, { dataDir });
    const checkpointer = checkpointers.inMemory();
    let c = connectClient(devnet, 'Org1MSP');
    const first = await c.contract.submitAsync('Put', { arguments: ['ev-1', 'a'] });
    const firstStatus = await first.getStatus();
    await c.contract.submitTransaction('Put', 'ev-2', 'b');
    const events = await c.network.getChaincodeEvents('asset', { startBlock: firstStatus.blockNumber });
    for await (const event of events) {
      expect(event.eventName).to.equal('Put');
      expect(event.transactionId).to.equal(first.getTransactionId());
      await checkpointer.checkpointChaincodeEvent(event);
      break;
    }
    events.close();
    c.close();
    await devnet.close();

    devnet = await startDevnet({ dataDir, config, basePort: 0, chaincodePort: 0 });
    try {
      c = connectClient(devnet, 'Org2MSP');
      await c.contract.submitTransaction('Put', 'ev-3', 'c');
      const resumed = await c.network.getChaincodeEvents('asset', { checkpoint: checkpointer });
      const seen: string[] = [];
      for await (const event of resumed) {
        seen.push((JSON.parse(utf8(event.payload)) as { key: string }).key);
        if (seen.length === 2) break;
      }
      resumed.close();
      expect(seen).to.deep.equal(['ev-2', 'ev-3']);
      c.close();
    } finally {
      await destroy(devnet);
    }
  });
});
