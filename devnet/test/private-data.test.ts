/**
 * Private data collections: values only at member organisations' peers, their hashes on the
 * channel for everyone (GetPrivateDataHash), member-only reads, no plaintext in blocks, MVCC on
 * private keys, and private values that survive a restart and a rebuild from the block file.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { connectClient, destroy, startTestDevnet, tempDir, testConfig, utf8, type TestClient } from './helpers';
import { startDevnet, type Devnet } from '../src/index';

const config = testConfig({
  orgs: 3,
  policy: "OR('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')",
  collections: [{ name: 'shared', policy: "OR('Org1MSP.member','Org2MSP.member')", memberOnlyRead: true, memberOnlyWrite: true }],
});

const transient = (value: string): Record<string, Uint8Array> => ({ value: Buffer.from(value) });

async function failure(promise: Promise<unknown>): Promise<{ code: number; details: { message: string }[] }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; details: { message: string }[] };
  }
  throw new Error('expected the call to fail');
}

describe('devnet private data collections', function () {
  this.timeout(90_000);
  let devnet: Devnet | undefined;
  let org1: TestClient | undefined;
  let org2: TestClient | undefined;
  let org3: TestClient | undefined;
  const dataDir = tempDir();

  before(async () => {
    devnet = await startTestDevnet(config, { dataDir });
    org1 = connectClient(devnet, 'Org1MSP');
    org2 = connectClient(devnet, 'Org2MSP');
    org3 = connectClient(devnet, 'Org3MSP');
  });
  after(async () => {
    for (const c of [org1, org2, org3]) c?.close();
    await destroy(devnet);
  });

  it('keeps the value at members and only its hash on the channel', async () => {
    const commit = await org1!.contract.submitAsync('PutPrivate', { arguments: ['shared', 'patient-1'], transientData: transient('diabetes') });
    const status = await commit.getStatus();
    expect(status.successful).to.be.true;
    expect(utf8(await org1!.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-1'))).to.equal('diabetes');
    expect(utf8(await org2!.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-1'))).to.equal('diabetes');
    const hash = utf8(await org3!.contract.evaluateTransaction('GetPrivateHash', 'shared', 'patient-1'));
    expect(hash).to.equal(createHash('sha256').update('diabetes').digest('hex'));

    const events = await org1!.network.getBlockEvents({ startBlock: status.blockNumber });
    for await (const block of events) {
      const bytes = Buffer.from(block.serializeBinary());
      // The key is a plain argument of the proposal, as on Fabric; the value travelled as transient data.
      expect(bytes.includes(Buffer.from('diabetes'))).to.be.false;
      break;
    }
    events.close();
  });

  it('refuses a read by a client of a non-member organisation, as memberOnlyRead requires', async () => {
    const err = await failure(org3!.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-1'));
    expect(err.details[0]!.message).to.contain('tx creator does not have read access permission on privatedata in chaincodeName:asset collectionName: shared');
  });

  it('fails a member client\'s read endorsed on a non-member peer, which holds only the hash', async () => {
    // A member's client on the non-member organisation's gateway: that peer has no value to read.
    const org1OnOrg3 = connectClient({ ...devnet!, connection: { ...devnet!.connection, organizations: { ...devnet!.connection.organizations, Org1MSP: { ...devnet!.connection.organizations.Org1MSP!, gateway: devnet!.gateways.Org3MSP! } } } }, 'Org1MSP');
    try {
      const err = await failure(org1OnOrg3.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-1'));
      expect(err.details[0]!.message).to.contain('private data matching public hash version is not available');
    } finally {
      org1OnOrg3.close();
    }
  });

  it('ranges over private values at a member', async () => {
    await org2!.contract.submit('PutPrivate', { arguments: ['shared', 'patient-2'], transientData: transient('asthma') });
    const found = JSON.parse(utf8(await org1!.contract.evaluateTransaction('PrivateRange', 'shared', 'patient-', 'patient-~'))) as { key: string; value: string }[];
    expect(found).to.deep.equal([
      { key: 'patient-1', value: 'diabetes' },
      { key: 'patient-2', value: 'asthma' },
    ]);
  });

  it('marks a stale read of a private key MVCC_READ_CONFLICT', async () => {
    const stale = await org1!.contract.newProposal('ReadWritePrivate', { arguments: ['shared', 'patient-1'], transientData: transient('v-stale') }).endorse();
    await org2!.contract.submit('ReadWritePrivate', { arguments: ['shared', 'patient-1'], transientData: transient('v-first') });
    const status = await (await stale.submit()).getStatus();
    expect(status.code).to.equal(11);
    expect(utf8(await org2!.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-1'))).to.equal('v-first');
  });

  it('keeps private values across a restart and a rebuild from the block file', async () => {
    for (const c of [org1, org2, org3]) c?.close();
    await devnet!.close();
    rmSync(join(dataDir, 'ledger', 'testchannel', 'state.snapshot'));
    devnet = await startDevnet({ dataDir, config, basePort: 0, chaincodePort: 0 });
    org1 = connectClient(devnet, 'Org1MSP');
    org2 = connectClient(devnet, 'Org2MSP');
    org3 = connectClient(devnet, 'Org3MSP');
    expect(utf8(await org1.contract.evaluateTransaction('GetPrivate', 'shared', 'patient-2'))).to.equal('asthma');
    expect(utf8(await org3.contract.evaluateTransaction('GetPrivateHash', 'shared', 'patient-2'))).to.equal(createHash('sha256').update('asthma').digest('hex'));
  });
});
