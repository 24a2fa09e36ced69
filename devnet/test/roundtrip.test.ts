import { expect } from 'chai';
import { connectClient, destroy, startTestDevnet, testConfig, utf8, type TestClient } from './helpers';
import type { Devnet } from '../src/index';

describe('devnet round trip with the real fabric-gateway client', function () {
  this.timeout(60_000);
  let devnet: Devnet | undefined;
  let client: TestClient | undefined;

  before(async () => {
    devnet = await startTestDevnet(testConfig({ orgs: 2 }));
    client = connectClient(devnet, 'Org1MSP');
  });

  after(async () => {
    client?.close();
    await destroy(devnet);
  });

  it('submits a transaction and evaluates its result', async () => {
    const contract = client!.contract;
    const result = await contract.submitTransaction('Put', 'k1', 'v1');
    expect(utf8(result)).to.equal('v1');
    expect(utf8(await contract.evaluateTransaction('Get', 'k1'))).to.equal('v1');
  });

  it('reports the commit status and block number of a submitted transaction', async () => {
    const commit = await client!.contract.submitAsync('Put', { arguments: ['k2', 'v2'] });
    const status = await commit.getStatus();
    expect(status.successful).to.be.true;
    expect(status.code).to.equal(0);
    expect(Number(status.blockNumber)).to.be.greaterThan(0);
  });

  it('passes the client identity and its role attribute to the chaincode', async () => {
    const officer = connectClient(devnet!, 'Org2MSP', 'officer');
    try {
      const who = JSON.parse(utf8(await officer.contract.evaluateTransaction('Whoami'))) as { mspId: string; role: string | null; id: string };
      expect(who.mspId).to.equal('Org2MSP');
      expect(who.role).to.equal('officer');
      expect(who.id).to.match(/^x509::.*CN=officer.*::.*CN=ca\.org2\.ctl\.local/);
    } finally {
      officer.close();
    }
  });

  it('restarts a chaincode server that crashed and serves transactions again', async () => {
    await client!.contract.evaluateTransaction('Crash');
    let value = '';
    for (let attempt = 0; attempt < 100 && value !== 'v1'; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      value = await client!.contract.evaluateTransaction('Get', 'k1').then(utf8, () => '');
    }
    expect(value).to.equal('v1');
    expect(utf8(await client!.contract.submitTransaction('Put', 'after-crash', 'ok'))).to.equal('ok');
  });
});
