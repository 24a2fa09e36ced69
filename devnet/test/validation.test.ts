/**
 * One test per transaction validation code the committer assigns, each driven through the real
 * fabric-gateway client and checked in the block's TRANSACTIONS_FILTER (via DeliverFiltered) and
 * in the client's commit status.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { signers, type Gateway } from '@hyperledger/fabric-gateway';
import { common, gateway as gw } from '@hyperledger/fabric-protos';
import { blockCodes, connectClient, destroy, startTestDevnet, testConfig, utf8, type TestClient } from './helpers';
import type { Devnet } from '../src/index';

const VALID = 0;
const BAD_CREATOR_SIGNATURE = 4;
const BAD_PROPOSAL_TXID = 8;
const DUPLICATE_TXID = 9;
const ENDORSEMENT_POLICY_FAILURE = 10;
const MVCC_READ_CONFLICT = 11;
const PHANTOM_READ_CONFLICT = 12;

async function signatureOf(devnet: Devnet, digest: Uint8Array): Promise<Uint8Array> {
  const files = devnet.connection.organizations.Org1MSP!.identities.user!;
  return signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(devnet.dataDir, files.key))))(digest);
}

function resubmit(gateway: Gateway, preparedBytes: Uint8Array, signature: Uint8Array): ReturnType<Gateway['newSignedTransaction']> {
  return gateway.newSignedTransaction(preparedBytes, signature);
}

describe('devnet transaction validation codes', function () {
  this.timeout(60_000);

  describe('with a faulty orderer that does not filter signatures', () => {
    let devnet: Devnet | undefined;
    let client: TestClient | undefined;
    before(async () => {
      devnet = await startTestDevnet(testConfig({ orgs: 2, policy: "OR('Org1MSP.peer','Org2MSP.peer')" }), { ordererChecksSignatures: false });
      client = connectClient(devnet, 'Org1MSP');
    });
    after(async () => {
      client?.close();
      await destroy(devnet);
    });

    it('marks a transaction whose envelope signature was tampered with BAD_CREATOR_SIGNATURE', async () => {
      const tx = await client!.contract.newProposal('Put', { arguments: ['sig', 'x'] }).endorse();
      const badSignature = Buffer.from(await signatureOf(devnet!, tx.getDigest()));
      badSignature[badSignature.length - 3] = (badSignature[badSignature.length - 3] ?? 0) ^ 0xff;
      const commit = await resubmit(client!.gateway, tx.getBytes(), badSignature).submit();
      const status = await commit.getStatus();
      expect(status.code).to.equal(BAD_CREATOR_SIGNATURE);
      expect(utf8(await client!.contract.evaluateTransaction('Get', 'sig'))).to.equal('');
    });

    it('marks a transaction whose txid does not match nonce and creator with BAD_PROPOSAL_TXID', async () => {
      const tx = await client!.contract.newProposal('Put', { arguments: ['txid', 'x'] }).endorse();
      const prepared = gw.PreparedTransaction.deserializeBinary(tx.getBytes());
      const envelope = prepared.getEnvelope()!;
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      const header = payload.getHeader()!;
      const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
      const forgedTxId = createHash('sha256').update('forged').digest('hex');
      channelHeader.setTxId(forgedTxId);
      header.setChannelHeader(channelHeader.serializeBinary());
      payload.setHeader(header);
      const payloadBytes = payload.serializeBinary();
      const forged = new common.Envelope();
      forged.setPayload(payloadBytes);
      const forgedPrepared = new gw.PreparedTransaction();
      forgedPrepared.setTransactionId(forgedTxId);
      forgedPrepared.setEnvelope(forged);
      const files = devnet!.connection.organizations.Org1MSP!.identities.user!;
      const sign = signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(devnet!.dataDir, files.key))));
      const signature = await sign(createHash('sha256').update(payloadBytes).digest());
      const status = await (await resubmit(client!.gateway, forgedPrepared.serializeBinary(), signature).submit()).getStatus();
      expect(status.transactionId).to.equal(forgedTxId);
      expect(status.code).to.equal(BAD_PROPOSAL_TXID);
    });
  });

  describe('with the default orderer', () => {
    let devnet: Devnet | undefined;
    let org1: TestClient | undefined;
    let org2: TestClient | undefined;
    before(async () => {
      devnet = await startTestDevnet(testConfig({ orgs: 3, policy: "AND('Org1MSP.peer','Org2MSP.peer')", batchTimeoutMs: 150 }));
      org1 = connectClient(devnet, 'Org1MSP');
      org2 = connectClient(devnet, 'Org2MSP');
    });
    after(async () => {
      org1?.close();
      org2?.close();
      await destroy(devnet);
    });

    it('refuses a tampered envelope signature at submit, as Fabric orderers do', async () => {
      const tx = await org1!.contract.newProposal('Put', { arguments: ['forbidden', 'x'] }).endorse();
      const bad = Buffer.from(await signatureOf(devnet!, tx.getDigest()));
      bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 0xff;
      const err = await resubmit(org1!.gateway, tx.getBytes(), bad)
        .submit()
        .then(
          () => undefined,
          (e: unknown) => e as { code: number; message: string; details: { message: string; mspId: string }[] },
        );
      expect(err?.code).to.equal(10);
      expect(err?.message).to.contain('received unsuccessful response from orderer: FORBIDDEN');
      expect(err?.details[0]?.mspId).to.equal('OrdererMSP');
    });

    it('marks a resubmitted transaction DUPLICATE_TXID in the block and keeps the first status', async () => {
      const tx = await org1!.contract.newProposal('Put', { arguments: ['dup', '1'] }).endorse();
      const first = await tx.submit();
      const firstStatus = await first.getStatus();
      expect(firstStatus.code).to.equal(VALID);
      const again = await resubmit(org1!.gateway, tx.getBytes(), await signatureOf(devnet!, tx.getDigest())).submit();
      const againStatus = await again.getStatus();
      expect(againStatus.code).to.equal(VALID);
      expect(againStatus.blockNumber).to.equal(firstStatus.blockNumber);
      // The copy lands in a later block, where the filter says DUPLICATE_TXID; a transaction
      // submitted after it commits no earlier than the copy (the orderer keeps arrival order).
      const marker = await (await org1!.contract.submitAsync('Put', { arguments: ['dup-marker', '1'] })).getStatus();
      const height = marker.blockNumber + 1n;
      let found: number | undefined;
      for (let n = firstStatus.blockNumber + 1n; n < height && found === undefined; n++) {
        found = (await blockCodes(org1!.network, n)).find((t) => t.txId === tx.getTransactionId())?.code;
      }
      expect(found).to.equal(DUPLICATE_TXID);
    });

    it('marks a transaction endorsed by too few organisations ENDORSEMENT_POLICY_FAILURE', async () => {
      const tx = await org1!.contract.newProposal('Put', { arguments: ['policy', 'x'], endorsingOrganizations: ['Org1MSP'] }).endorse();
      const status = await (await tx.submit()).getStatus();
      expect(status.code).to.equal(ENDORSEMENT_POLICY_FAILURE);
    });

    it('lets the gateway pick the organisations the policy needs, so the same write is VALID', async () => {
      const status = await (await org1!.contract.submitAsync('Put', { arguments: ['policy', 'y'] })).getStatus();
      expect(status.code).to.equal(VALID);
    });

    it('commits one of two conflicting transactions in one block and marks the other MVCC_READ_CONFLICT', async () => {
      await org1!.contract.submitTransaction('Put', 'counter', '0');
      const [a, b] = await Promise.all([
        org1!.contract.newProposal('ReadWrite', { arguments: ['counter', 'a'] }).endorse(),
        org2!.contract.newProposal('ReadWrite', { arguments: ['counter', 'b'] }).endorse(),
      ]);
      const [ca, cb] = await Promise.all([a.submit(), b.submit()]);
      const [sa, sb] = await Promise.all([ca.getStatus(), cb.getStatus()]);
      expect(sa.blockNumber).to.equal(sb.blockNumber);
      expect([sa.code, sb.code].sort()).to.deep.equal([VALID, MVCC_READ_CONFLICT]);
      const winner = sa.code === VALID ? 'a' : 'b';
      expect(utf8(await org1!.contract.evaluateTransaction('Get', 'counter'))).to.equal(winner);
    });

    it('marks a transaction whose read was overwritten by a committed block MVCC_READ_CONFLICT', async () => {
      await org1!.contract.submitTransaction('Put', 'stale', '0');
      const late = await org1!.contract.newProposal('ReadWrite', { arguments: ['stale', 'late'] }).endorse();
      await org2!.contract.submitTransaction('Put', 'stale', 'early');
      const status = await (await late.submit()).getStatus();
      expect(status.code).to.equal(MVCC_READ_CONFLICT);
      expect(utf8(await org1!.contract.evaluateTransaction('Get', 'stale'))).to.equal('early');
    });

    it('marks a transaction whose range query gained a key PHANTOM_READ_CONFLICT', async () => {
      await org1!.contract.submitTransaction('Put', 'range-a', '1');
      await org1!.contract.submitTransaction('Put', 'range-c', '3');
      const scan = await org1!.contract.newProposal('RangeThenWrite', { arguments: ['range-', 'range-~', 'range-summary', 'two'] }).endorse();
      expect(JSON.parse(utf8(scan.getResult()))).to.have.length(2);
      await org2!.contract.submitTransaction('Put', 'range-b', '2');
      const status = await (await scan.submit()).getStatus();
      expect(status.code).to.equal(PHANTOM_READ_CONFLICT);
    });

    it('marks a range query that conflicts with an earlier transaction of the same block PHANTOM_READ_CONFLICT', async () => {
      const [scan, insert] = await Promise.all([
        org1!.contract.newProposal('RangeThenWrite', { arguments: ['same-', 'same-~', 'same-summary', 'x'] }).endorse(),
        org2!.contract.newProposal('Put', { arguments: ['same-new', 'x'] }).endorse(),
      ]);
      const insertCommit = await insert.submit();
      const scanCommit = await scan.submit();
      const [si, ss] = await Promise.all([insertCommit.getStatus(), scanCommit.getStatus()]);
      expect(si.code).to.equal(VALID);
      expect(ss.blockNumber).to.equal(si.blockNumber);
      expect(ss.code).to.equal(PHANTOM_READ_CONFLICT);
    });
  });

  describe('key-level endorsement policies', () => {
    let devnet: Devnet | undefined;
    let org1: TestClient | undefined;
    before(async () => {
      devnet = await startTestDevnet(testConfig({ orgs: 3, policy: "OR('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')" }));
      org1 = connectClient(devnet, 'Org1MSP');
    });
    after(async () => {
      org1?.close();
      await destroy(devnet);
    });

    it('validates writes to a key with a validation parameter against that policy, not the chaincode policy', async () => {
      await org1!.contract.submitTransaction('Put', 'sbe', 'v0');
      await org1!.contract.submitTransaction('SetEndorsers', 'sbe', 'Org3MSP');
      expect(JSON.parse(utf8(await org1!.contract.evaluateTransaction('Endorsers', 'sbe')))).to.deep.equal(['Org3MSP']);
      const onlyOrg1 = await org1!.contract.newProposal('Put', { arguments: ['sbe', 'v1'], endorsingOrganizations: ['Org1MSP'] }).endorse();
      expect((await (await onlyOrg1.submit()).getStatus()).code).to.equal(ENDORSEMENT_POLICY_FAILURE);
      // Without a list the gateway includes Org3, whose endorsement the key requires.
      expect((await (await org1!.contract.submitAsync('Put', { arguments: ['sbe', 'v2'] })).getStatus()).code).to.equal(VALID);
      expect(utf8(await org1!.contract.evaluateTransaction('Get', 'sbe'))).to.equal('v2');
    });
  });
});
