/**
 * A chaincode definition with an `address`: the devnet dials a chaincode server someone else runs
 * (here the fixture under the real `fabric-chaincode-node server`), as a Fabric peer does with a
 * chaincode-as-a-service package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { parseNetworkConfig, type Devnet } from '../src/index';
import { freePort } from '../src/chaincode/launcher';
import { connectClient, destroy, FIXTURE_CC, startTestDevnet, utf8 } from './helpers';

describe('devnet with an external chaincode server', function () {
  this.timeout(60_000);
  let server: ChildProcess | undefined;
  let devnet: Devnet | undefined;

  after(async () => {
    await destroy(devnet);
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('dials the given address and runs transactions on it', async () => {
    const port = await freePort('127.0.0.1');
    const cli = join(dirname(require.resolve('fabric-shim/package.json')), 'cli.js');
    server = spawn(process.execPath, [cli, 'server', '--chaincode-address', `127.0.0.1:${port}`, '--chaincode-id', 'external_1.0:abc', '--module-path', FIXTURE_CC], {
      cwd: FIXTURE_CC,
      stdio: 'ignore',
      env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING' },
    });
    const config = parseNetworkConfig(
      {
        channel: 'testchannel',
        organizations: [{ mspId: 'Org1MSP', name: 'One' }],
        chaincodes: [{ name: 'external', version: '1.0', address: `127.0.0.1:${port}`, endorsementPolicy: "OR('Org1MSP.peer')" }],
      },
      __dirname,
    );
    devnet = await startTestDevnet(config);
    const c = connectClient(devnet, 'Org1MSP', 'user', 'external');
    try {
      await c.contract.submitTransaction('Put', 'ext', 'yes');
      expect(utf8(await c.contract.evaluateTransaction('Get', 'ext'))).to.equal('yes');
    } finally {
      c.close();
    }
  });
});
