/**
 * Block structure as the real client receives it through Deliver: header number and
 * previous-hash chain (ASN.1 DER header hash), data hash, TRANSACTIONS_FILTER, the orderer's
 * signature over the header, and block 0 as a CONFIG block listing the organisations' MSPs.
 */
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { common, msp } from '@hyperledger/fabric-protos';
import { blockHeaderBytes, blockHeaderHash } from '../src/ledger/block';
import { connectClient, destroy, startTestDevnet, testConfig, type TestClient } from './helpers';
import type { Devnet } from '../src/index';

describe('devnet blocks', function () {
  this.timeout(60_000);
  let devnet: Devnet | undefined;
  let client: TestClient | undefined;

  before(async () => {
    devnet = await startTestDevnet(testConfig({ orgs: 2 }));
    client = connectClient(devnet, 'Org1MSP');
    await client.contract.submitTransaction('Put', 'b1', 'x');
    await client.contract.submitTransaction('Put', 'b2', 'y');
  });
  after(async () => {
    client?.close();
    await destroy(devnet);
  });

  it('encodes the header as Go asn1.Marshal does (unit)', () => {
    expect(blockHeaderBytes(0, new Uint8Array(0), new Uint8Array(0)).toString('hex')).to.equal('3007020100040004' + '00');
    expect(blockHeaderBytes(128, Buffer.alloc(1), Buffer.alloc(1)).toString('hex')).to.equal('300a0202008004010004010' + '0');
  });

  it('chains headers by hash, hashes the data, and filters each transaction', async () => {
    const height = devnet!.height();
    const events = await client!.network.getBlockEvents({ startBlock: 0n });
    const blocks: common.Block[] = [];
    try {
      for await (const block of events) {
        blocks.push(block);
        if (blocks.length === height) break;
      }
    } finally {
      events.close();
    }
    blocks.forEach((block, n) => {
      const header = block.getHeader()!;
      expect(header.getNumber()).to.equal(n);
      const data = block.getData()!.getDataList_asU8();
      expect(Buffer.from(header.getDataHash_asU8()).equals(createHash('sha256').update(Buffer.concat(data)).digest())).to.be.true;
      if (n > 0) expect(Buffer.from(header.getPreviousHash_asU8()).equals(blockHeaderHash(blocks[n - 1]!.getHeader()!))).to.be.true;
      const filter = block.getMetadata()!.getMetadataList_asU8()[2]!;
      expect(filter.length).to.equal(data.length);
    });
  });

  it('carries the orderer\'s signature over metadata value, signature header and header DER', async () => {
    const events = await client!.network.getBlockEvents({ startBlock: 1n });
    let block: common.Block | undefined;
    for await (const b of events) {
      block = b;
      break;
    }
    events.close();
    const meta = common.Metadata.deserializeBinary(block!.getMetadata()!.getMetadataList_asU8()[0]!);
    const sig = meta.getSignaturesList()[0]!;
    const creator = msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(sig.getSignatureHeader_asU8()).getCreator_asU8());
    expect(creator.getMspid()).to.equal('OrdererMSP');
    const header = block!.getHeader()!;
    const signed = Buffer.concat([meta.getValue_asU8(), sig.getSignatureHeader_asU8(), blockHeaderBytes(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8())]);
    const key = createPublicKey(new X509Certificate(Buffer.from(creator.getIdBytes_asU8())).publicKey.export({ format: 'pem', type: 'spki' }));
    expect(verify('sha256', signed, key, sig.getSignature_asU8())).to.be.true;
  });

  it('starts with a CONFIG block listing each organisation\'s MSP', async () => {
    const events = await client!.network.getBlockEvents({ startBlock: 0n });
    let genesis: common.Block | undefined;
    for await (const b of events) {
      genesis = b;
      break;
    }
    events.close();
    const envelope = common.Envelope.deserializeBinary(genesis!.getData()!.getDataList_asU8()[0]!);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
    expect(ch.getType()).to.equal(common.HeaderType.CONFIG);
    expect(ch.getChannelId()).to.equal('testchannel');
    const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()!;
    const application = config.getChannelGroup()!.getGroupsMap().get('Application')!;
    expect([...application.getGroupsMap().keys()].sort()).to.deep.equal(['Org1MSP', 'Org2MSP']);
  });
});
