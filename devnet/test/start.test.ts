/**
 * Start-up: chaincode servers are spawned before the rest of the network loads; a chaincode that
 * cannot be launched fails the start with a typed error and leaves nothing running or locked.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { destroy, startTestDevnet, tempDir, testConfig } from './helpers';
import { DevnetError, parseNetworkConfig } from '../src/index';

describe('devnet start-up', function () {
  this.timeout(60_000);

  it('refuses a chaincode folder without a package, then starts in the same data folder', async () => {
    const dataDir = tempDir();
    const emptyFolder = join(dataDir, 'no-chaincode');
    mkdirSync(emptyFolder);
    const broken = parseNetworkConfig(
      {
        channel: 'testchannel',
        organizations: [{ mspId: 'Org1MSP', name: 'One' }],
        chaincodes: [{ name: 'missing', version: '1.0', path: emptyFolder }],
      },
      dataDir,
    );
    let failure: unknown;
    try {
      await startTestDevnet(broken, { dataDir });
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(DevnetError);
    expect((failure as DevnetError).code).to.equal('DEVNET.CHAINCODE_UNAVAILABLE');
    expect((failure as Error).message).to.contain('has no package.json');
    expect(existsSync(join(dataDir, 'devnet.lock'))).to.equal(false);
    const devnet = await startTestDevnet(testConfig({ orgs: 1, policy: "OR('Org1MSP.peer')" }), { dataDir });
    try {
      expect(devnet.height()).to.equal(1);
    } finally {
      await destroy(devnet);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
