/**
 * What the real fabric-gateway client sees when things go wrong, compared with what a Fabric 2.5
 * gateway answers (internal/pkg/gateway: evaluate.go, endorse.go, api.go, apiutils.go):
 * GatewayError/EndorseError/SubmitError codes, messages and ErrorDetail entries; and bad input
 * (tampered proposals, foreign and expired certificates, wrong channel or chaincode, replayed
 * transactions, oversized messages).
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { gateway as gw, peer } from '@hyperledger/fabric-protos';
import { connectClient, destroy, startTestDevnet, testConfig, type TestClient } from './helpers';
import { createCertificateAuthority, issueIdentity } from '../src/msp/ca';
import type { Devnet } from '../src/index';

interface ClientError {
  name: string;
  code: number;
  message: string;
  details: { address: string; mspId: string; message: string }[];
  transactionId?: string;
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail');
}

function gatewayWith(devnet: Devnet, mspId: string, certPem: string | Buffer, keyPem: string | Buffer): { gateway: Gateway; close(): void } {
  const org = devnet.connection.organizations[mspId]!;
  const client = new grpc.Client(org.gateway, grpc.credentials.createInsecure());
  const gateway = connect({
    client,
    identity: { mspId, credentials: Buffer.from(certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

describe('devnet errors as the fabric-gateway client sees them', function () {
  this.timeout(60_000);
  let devnet: Devnet | undefined;
  let org1: TestClient | undefined;

  before(async () => {
    devnet = await startTestDevnet(testConfig({ orgs: 2, policy: "AND('Org1MSP.peer','Org2MSP.peer')" }));
    org1 = connectClient(devnet, 'Org1MSP');
  });
  after(async () => {
    org1?.close();
    await destroy(devnet);
  });

  it('answers a chaincode error on evaluate with UNKNOWN and the chaincode response in the detail', async () => {
    const err = await failure(org1!.contract.evaluateTransaction('Fail', 'ASSET.BROKEN: it broke'));
    expect(err.name).to.equal('GatewayError');
    expect(err.code).to.equal(grpc.status.UNKNOWN);
    expect(err.message).to.equal('2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, ASSET.BROKEN: it broke');
    expect(err.details).to.have.length(1);
    expect(err.details[0]).to.include({ mspId: 'Org1MSP', message: 'chaincode response 500, ASSET.BROKEN: it broke' });
    expect(err.details[0]!.address).to.equal(devnet!.gateways.Org1MSP);
  });

  it('answers a chaincode error on submit with EndorseError ABORTED carrying the transaction id', async () => {
    const proposal = org1!.contract.newProposal('Fail', { arguments: ['ASSET.BROKEN: again'] });
    const err = await failure(proposal.endorse());
    expect(err.name).to.equal('EndorseError');
    expect(err.code).to.equal(grpc.status.ABORTED);
    expect(err.message).to.equal('10 ABORTED: failed to endorse transaction, see attached details for more info');
    expect(err.transactionId).to.equal(proposal.getTransactionId());
    expect(err.details[0]).to.include({ mspId: 'Org1MSP', message: 'chaincode response 500, ASSET.BROKEN: again' });
  });

  it('refuses to endorse non-deterministic chaincode because the payloads do not match', async () => {
    const err = await failure(org1!.contract.submitTransaction('Random', 'r'));
    expect(err.code).to.equal(grpc.status.ABORTED);
    expect(err.message).to.contain('failed to collect enough transaction endorsements');
    expect(err.details.map((d) => d.message)).to.include('ProposalResponsePayloads do not match');
  });

  it('answers a rich query as Fabric on LevelDB does', async () => {
    const err = await failure(org1!.contract.evaluateTransaction('RichQuery'));
    expect(err.code).to.equal(grpc.status.UNKNOWN);
    expect(err.details[0]!.message).to.contain('ExecuteQuery not supported for leveldb');
  });

  it('refuses a paginated query in a transaction that writes', async () => {
    const err = await failure(org1!.contract.evaluateTransaction('PagedThenWrite', 'a', 'z', 'k'));
    expect(err.details[0]!.message).to.match(/paginated/);
  });

  it('answers an unknown chaincode with FAILED_PRECONDITION', async () => {
    const err = await failure(org1!.network.getContract('nosuchcc').evaluateTransaction('Get', 'k'));
    expect(err.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(err.message).to.equal('9 FAILED_PRECONDITION: no peers available to evaluate chaincode nosuchcc in channel testchannel');
    const endorseErr = await failure(org1!.network.getContract('nosuchcc').submitTransaction('Put', 'k', 'v'));
    expect(endorseErr.code).to.equal(grpc.status.FAILED_PRECONDITION);
  });

  it('answers an unknown channel with FAILED_PRECONDITION', async () => {
    const err = await failure(org1!.gateway.getNetwork('nosuchchannel').getContract('asset').evaluateTransaction('Get', 'k'));
    expect(err.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(err.message).to.contain('in channel nosuchchannel');
  });

  it('denies a proposal whose signature does not match its bytes with Fabric\'s generic access denied', async () => {
    const proposal = org1!.contract.newProposal('Put', { arguments: ['tamper', 'x'] });
    const bytes = proposal.getBytes();
    const files = devnet!.connection.organizations.Org1MSP!.identities.user!;
    const sign = signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(devnet!.dataDir, files.key))));
    // Sign different bytes, so the proposal and its signature disagree.
    const signature = await sign(createHash('sha256').update('something else').digest());
    const err = await failure(org1!.gateway.newSignedProposal(bytes, signature).endorse());
    expect(err.code).to.equal(grpc.status.ABORTED);
    expect(err.details[0]!.message).to.equal('error validating proposal: access denied');
    const evalErr = await failure(org1!.gateway.newSignedProposal(bytes, signature).evaluate());
    expect(evalErr.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(evalErr.message).to.equal('9 FAILED_PRECONDITION: evaluate call to endorser returned error: error validating proposal: access denied');
  });

  it('denies an identity issued by a CA that is not a member of the channel', async () => {
    const foreignCa = await createCertificateAuthority('foreign.example.com');
    const foreign = await issueIdentity(foreignCa, { commonName: 'mallory', nodeOU: 'client' });
    const g = gatewayWith(devnet!, 'Org1MSP', foreign.certPem, foreign.keyPem);
    try {
      const err = await failure(g.gateway.getNetwork('testchannel').getContract('asset').evaluateTransaction('Get', 'k'));
      expect(err.code).to.equal(grpc.status.FAILED_PRECONDITION);
      expect(err.message).to.contain('access denied');
    } finally {
      g.close();
    }
  });

  it('denies an expired certificate of a channel member', async () => {
    const caDir = join(devnet!.dataDir, 'orgs', 'Org1MSP', 'ca');
    const ca = { certPem: readFileSync(join(caDir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(caDir, 'key.pem'), 'utf8'), domain: 'org1.ctl.local' };
    const expired = await issueIdentity(ca, {
      commonName: 'old',
      nodeOU: 'client',
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const g = gatewayWith(devnet!, 'Org1MSP', expired.certPem, expired.keyPem);
    try {
      const err = await failure(g.gateway.getNetwork('testchannel').getContract('asset').submitTransaction('Put', 'k', 'v'));
      expect(err.code).to.equal(grpc.status.ABORTED);
      expect(err.details[0]!.message).to.equal('error validating proposal: access denied');
    } finally {
      g.close();
    }
  });

  it('refuses to endorse a replayed proposal whose transaction is already committed', async () => {
    const proposal = org1!.contract.newProposal('Put', { arguments: ['replay', '1'] });
    const tx = await proposal.endorse();
    expect((await (await tx.submit()).getStatus()).successful).to.be.true;
    const replay = org1!.gateway.newProposal(proposal.getBytes());
    const err = await failure(replay.endorse());
    expect(err.code).to.equal(grpc.status.ABORTED);
    expect(err.details[0]!.message).to.match(new RegExp(`^duplicate transaction found \\[${proposal.getTransactionId()}\\]\\. Creator \\[[0-9a-f]+\\]$`));
  });

  it('refuses a message larger than the gateway accepts with RESOURCE_EXHAUSTED', async () => {
    const small = await startTestDevnet(
      { ...testConfig({ orgs: 1, policy: "OR('Org1MSP.peer')" }), limits: { maxMessageBytes: 64 * 1024, endorsementTimeoutMs: 30_000 } },
    );
    const c = connectClient(small, 'Org1MSP');
    try {
      const err = await failure(c.contract.submitTransaction('Put', 'big', 'x'.repeat(200 * 1024)));
      expect(err.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      c.close();
      await destroy(small);
    }
  });

  it('answers a malformed proposal with INVALID_ARGUMENT', async () => {
    // The client library refuses to build such a request, so speak the protocol directly.
    const raw = new gw.GatewayClient(devnet!.gateways.Org1MSP!, grpc.credentials.createInsecure());
    try {
      const signed = new peer.SignedProposal();
      signed.setProposalBytes(Buffer.from('not a proposal'));
      signed.setSignature(Buffer.from('x'));
      const request = new gw.EvaluateRequest();
      request.setChannelId('testchannel');
      request.setProposedTransaction(signed);
      const err = await new Promise<grpc.ServiceError | null>((resolve) => {
        raw.evaluate(request, (e) => {
          resolve(e);
        });
      });
      expect(err?.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(err?.details).to.match(/^failed to unpack transaction proposal/);
    } finally {
      raw.close();
    }
  });
});
