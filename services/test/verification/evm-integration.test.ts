/**
 * Integration: the verifier's ethers ports against the real TrustAnchor and IssuerRegistry,
 * deployed by scripts/deploy.ts on the embedded EVM node (scripts/evm-node.ts) over JSON-RPC,
 * on an ephemeral port with a temporary data directory. The Fabric record reader stays an
 * in-test map (the services implement it from Fabric; that is not this library's part).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { JsonRpcProvider, Network, Wallet, type Provider } from 'ethers';
import { deploy } from '../../../scripts/deploy';
import { startEvmNode, type EvmNode } from '../../../scripts/evm-node';
import { IssuerRegistry__factory, TrustAnchor__factory } from '../../../typechain-types';
import {
  cachedAnchorReader,
  cachedIssuerDirectory,
  createEvmPorts,
  createOfflineBundle,
  encodeQrPayload,
  keyIdOf,
  keccakText,
  verify,
  withLedgerRecord,
  wrapBatch,
  type CertificateDocument,
  type CertificateDraft,
  type EvmPorts,
  type LedgerCertificateRecord,
  type LedgerRecordReader,
  type VerificationPorts,
  type VerificationResult,
} from '../../src/verification';
import { pathNodes } from '../../src/verification/merkle';
import { keccak } from '../../src/verification/hash';
import { TYPES, residenceDraft, txIdOf } from './support';

const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const CIVIL_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const SECURITY_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

function codeOf(result: VerificationResult, name: string): string {
  return result.checks.find((c) => c.name === name)?.code ?? 'missing';
}

describe('verification: against the real contracts on the embedded EVM node', function () {
  this.timeout(300_000);
  let dir: string;
  let node: EvmNode;
  let rpc: JsonRpcProvider;
  let deployment: { chainId: number; contracts: Record<string, { address: string }> };
  let evm: EvmPorts;
  const records = new Map<string, LedgerCertificateRecord>();
  const ledger: LedgerRecordReader = { getCertificate: (q) => Promise.resolve(records.get(q.certificateId) ?? null) };
  let batches = 0;

  async function chainNow(provider: Provider = rpc): Promise<number> {
    const block = await provider.getBlock('latest');
    if (block === null) throw new Error('no block');
    return block.timestamp;
  }

  function ports(extra: Partial<VerificationPorts> = {}): VerificationPorts {
    return { anchor: evm.anchor, issuers: evm.issuers, ledger, ...extra };
  }

  /** Wraps, anchors with `anchorKey`'s account, records in the in-test ledger map. */
  async function issue(drafts: CertificateDraft[], anchorKey = CIVIL_KEY): Promise<CertificateDocument[]> {
    const batch = await wrapBatch(drafts, { anchor: { chainId: deployment.chainId, trustAnchor: deployment.contracts.TrustAnchor?.address ?? '' }, types: TYPES });
    const anchor = TrustAnchor__factory.connect(deployment.contracts.TrustAnchor?.address ?? '', new Wallet(anchorKey, rpc));
    const receipt = await (await anchor.issue(batch.merkleRoot)).wait();
    batches += 1;
    const txId = txIdOf(1000 + batches);
    return batch.documents.map((doc, i) => {
      const d = drafts[i] as CertificateDraft;
      records.set(d.certificateId, {
        id: d.certificateId,
        typeCode: d.typeCode,
        issuerMsp: d.issuer.mspId,
        subjectRef: d.subjectRef,
        documentHash: batch.targetHashes[i] ?? '',
        batchRoot: batch.merkleRoot,
        status: 'ISSUED',
        issuedAt: new Date().toISOString(),
        validUntil: d.validUntil === undefined || d.validUntil === null ? null : new Date(d.validUntil).toISOString(),
        statusChanges: [],
        txId,
      });
      return withLedgerRecord(doc, { channel: 'community', chaincode: 'ctl', certificateId: d.certificateId, txId, blockNumber: receipt?.blockNumber ?? 0 });
    });
  }

  async function drafts(n: number, from: number, issuer = { mspId: 'CivilAffairsMSP', name: 'Civil Affairs' }): Promise<CertificateDraft[]> {
    const now = await chainNow();
    return Array.from({ length: n }, (_, i) =>
      residenceDraft(from + i, { issuer, validFrom: new Date((now - 86_400) * 1000).toISOString(), validUntil: new Date((now + 365 * 86_400) * 1000).toISOString() }),
    );
  }

  async function check(doc: unknown, extra: Partial<VerificationPorts> = {}, asOf?: number): Promise<VerificationResult> {
    const now = new Date(((await chainNow()) + 1) * 1000);
    return verify(doc, ports(extra), { now, ...(asOf === undefined ? {} : { asOf: new Date(asOf * 1000) }) });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-verification-'));
    node = await startEvmNode({ dataDir: path.join(dir, 'evm'), port: 0 });
    // No response cache: each new Wallet must see the nonce its previous transaction used.
    rpc = new JsonRpcProvider(node.url, Network.from(node.chainId), { staticNetwork: true, cacheTimeout: -1 });
    const configFile = path.join(dir, 'deploy.config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        adminDelaySeconds: 3600,
        departments: [
          { mspId: 'CivilAffairsMSP', name: 'Civil Affairs', issuers: [new Wallet(CIVIL_KEY).address], certTypes: ['RESIDENCE_PROOF', 'ELDERLY_CARE'], witness: true },
          { mspId: 'PublicSecurityMSP', name: 'Public Security', issuers: [new Wallet(SECURITY_KEY).address], certTypes: [], witness: false },
        ],
        witnessThreshold: 1,
      }),
    );
    const result = await deploy({ rpcUrl: node.url, privateKey: DEPLOYER_KEY, configFile, outDir: path.join(dir, 'deployments') });
    deployment = JSON.parse(fs.readFileSync(result.file, 'utf8')) as typeof deployment;
    evm = createEvmPorts({ deployment, rpcUrl: node.url });
  });

  after(async () => {
    evm.destroy();
    rpc.destroy();
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a certificate anchored on chain, and the contract agrees on its status', async () => {
    const docs = await issue(await drafts(5, 1));
    const doc = docs[2] as CertificateDocument;
    const result = await check(doc);
    expect(result.valid, JSON.stringify(result.checks, null, 1)).to.equal(true);
    const anchor = TrustAnchor__factory.connect(deployment.contracts.TrustAnchor?.address ?? '', rpc);
    expect(await anchor['isActive(bytes32,bytes32,bytes32[])'](doc.proof.merkleRoot, doc.proof.targetHash, [...doc.proof.merkleProof])).to.equal(true);
  });

  it('reports revocations of one certificate, an inner node and the whole batch, with reasons', async () => {
    const docs = await issue(await drafts(8, 100));
    const doc = docs[5] as CertificateDocument;
    const anchor = TrustAnchor__factory.connect(deployment.contracts.TrustAnchor?.address ?? '', new Wallet(CIVIL_KEY, rpc));
    const k = await keccak();
    const nodes = pathNodes(k, doc.proof.targetHash, doc.proof.merkleProof);

    await (await anchor['revoke(bytes32,bytes32,bytes32[],uint16)'](doc.proof.merkleRoot, doc.proof.targetHash, [...doc.proof.merkleProof], 5)).wait();
    let result = await check(doc);
    expect(codeOf(result, 'notRevoked')).to.equal('REVOKED');
    expect(result.checks.find((c) => c.name === 'notRevoked')?.facts).to.include({ scope: 'certificate', reason: 'FRAUD' });
    expect((await check(docs[4])).valid, 'its sibling stays valid').to.equal(true);

    const sibling = docs[0] as CertificateDocument;
    const siblingNodes = pathNodes(k, sibling.proof.targetHash, sibling.proof.merkleProof);
    await (await anchor['revoke(bytes32,bytes32,bytes32[],uint16)'](sibling.proof.merkleRoot, siblingNodes[1] as string, [...sibling.proof.merkleProof.slice(1)], 2)).wait();
    result = await check(sibling);
    expect(result.checks.find((c) => c.name === 'notRevoked')?.facts).to.include({ scope: 'group', reason: 'SUPERSEDED' });
    expect(nodes).to.have.length(4);

    await (await anchor['revoke(bytes32,uint16)'](doc.proof.merkleRoot, 1)).wait();
    const untouched = docs.find((d) => d !== doc && !pathNodes(k, d.proof.targetHash, d.proof.merkleProof).includes(siblingNodes[1] as `0x${string}`));
    result = await check(untouched);
    expect(result.checks.find((c) => c.name === 'notRevoked')?.facts).to.include({ scope: 'batch', reason: 'ISSUED_IN_ERROR' });
  });

  it('rejects another chain id, another contract, and an unreachable node', async () => {
    const [doc] = await issue(await drafts(1, 300));
    const other = JSON.parse(JSON.stringify(doc)) as { proof: { anchor: { chainId: number; trustAnchor: string } } };
    other.proof.anchor.chainId = 1;
    expect(codeOf(await check(other), 'anchored')).to.equal('WRONG_CHAIN');
    other.proof.anchor.chainId = deployment.chainId;
    other.proof.anchor.trustAnchor = deployment.contracts.IssuerRegistry?.address ?? '';
    expect(codeOf(await check(other), 'anchored')).to.equal('WRONG_CONTRACT');
    const dead = createEvmPorts({ deployment, rpcUrl: 'http://127.0.0.1:9' });
    try {
      const result = await verify(doc, { anchor: dead.anchor, issuers: dead.issuers, ledger }, { now: new Date(((await chainNow()) + 1) * 1000), portTimeoutMs: 5_000 });
      for (const name of ['anchored', 'notRevoked', 'issuerAllowed']) expect(codeOf(result, name), name).to.equal('UNAVAILABLE');
      expect(codeOf(result, 'ledgerRecord')).to.equal('OK');
    } finally {
      dead.destroy();
    }
  });

  it('rejects an unknown issuer, a department not allowed for the type, and a batch anchored by another department', async () => {
    const [fake] = await issue(await drafts(1, 400, { mspId: 'FakeMSP', name: 'Fake' }));
    expect(codeOf(await check(fake), 'issuerAllowed')).to.equal('UNKNOWN_ISSUER');
    const [notAllowed] = await issue(await drafts(1, 401, { mspId: 'PublicSecurityMSP', name: 'Public Security' }), SECURITY_KEY);
    expect(codeOf(await check(notAllowed), 'issuerAllowed')).to.equal('NOT_AUTHORIZED');
    const [byOther] = await issue(await drafts(1, 402), SECURITY_KEY);
    expect(codeOf(await check(byOther), 'issuerAllowed')).to.equal('ANCHORED_BY_OTHER');
  });

  it('verifies through the caching wrappers with the same answers, revocations read from events', async () => {
    const docs = await issue(await drafts(4, 600));
    const cached = { anchor: cachedAnchorReader(evm.anchor), issuers: cachedIssuerDirectory(evm.issuers) };
    for (const doc of [...docs, ...docs]) expect((await check(doc, cached)).valid).to.equal(true);
    const doc = docs[1] as CertificateDocument;
    const anchor = TrustAnchor__factory.connect(deployment.contracts.TrustAnchor?.address ?? '', new Wallet(CIVIL_KEY, rpc));
    await (await anchor['revoke(bytes32,bytes32,bytes32[],uint16)'](doc.proof.merkleRoot, doc.proof.targetHash, [...doc.proof.merkleProof], 4)).wait();
    const listed = await evm.anchor.revokedNodesIn(doc.proof.merkleRoot);
    const [direct] = await evm.anchor.revocations([doc.proof.targetHash]);
    expect(listed.get(doc.proof.targetHash)).to.deep.equal(direct);
    expect(direct?.reasonCode).to.equal(4);
    const fresh = { anchor: cachedAnchorReader(evm.anchor), issuers: cachedIssuerDirectory(evm.issuers) };
    const results = await Promise.all(docs.map((d) => check(d, fresh)));
    expect(results.map((r) => codeOf(r, 'notRevoked'))).to.deep.equal(['OK', 'REVOKED', 'OK', 'OK']);
  });

  describe('the CLI (npm run verify)', () => {
    let api: http.Server;
    let apiUrl: string;
    const repo = path.join(__dirname, '..', '..', '..');

    /** Runs scripts/verify.ts as a child process; resolves with its exit code and output. */
    function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(repo, 'scripts', 'verify.ts'), ...args], { cwd: repo, timeout: 120_000 }, (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout, stderr });
        });
      });
    }

    function write(name: string, content: unknown): string {
      const file = path.join(dir, name);
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    }

    before(async () => {
      // Stands in for the services' GET /api/certificates/{id}/status, serving the in-test records.
      api = http.createServer((req, res) => {
        const id = decodeURIComponent((req.url ?? '').replace('/api/certificates/', '').replace(/\/status$/, ''));
        const record = records.get(id);
        res.writeHead(record === undefined ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(record ?? { code: 'CERT.NOT_FOUND' }));
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise<void>((resolve) => {
        api.close(() => {
          resolve();
        });
      });
    });

    it('prints every check and exits 0 for a valid certificate, 1 for a changed one', async () => {
      const [doc] = await issue(await drafts(1, 700));
      const deploymentFile = path.join(dir, 'deployments', '31337.json');
      const online = ['--rpc', node.url, '--deployment', deploymentFile, '--api', apiUrl];
      const ok = await cli([write('valid.json', doc), ...online]);
      expect(ok.code, ok.stderr + ok.stdout).to.equal(0);
      expect(ok.stdout.match(/^✔ /gm)).to.have.length(7);
      expect(ok.stdout).to.include('VALID as of');
      const changed = JSON.parse(JSON.stringify(doc)) as { credentialSubject: Record<string, unknown> };
      changed.credentialSubject.community = 'Elsewhere';
      const bad = await cli([write('changed.json', changed), ...online, '--json']);
      expect(bad.code).to.equal(1);
      const result = JSON.parse(bad.stdout) as VerificationResult;
      expect(result.checks.find((c) => c.name === 'integrity')).to.include({ ok: false, code: 'CHANGED' });
      const noApi = await cli([write('valid.json', doc), '--rpc', node.url, '--deployment', deploymentFile]);
      expect(noApi.code, 'the ledger record is never silently skipped').to.equal(1);
      expect(noApi.stdout).to.include('give --api');
    });

    it('verifies an offline bundle and its QR payload with --offline and the trusted key ids', async () => {
      const [doc] = await issue(await drafts(1, 701));
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const privateJwk = await exportJWK(privateKey);
      const { d: _d, ...publicJwk } = privateJwk;
      const bundle = await createOfflineBundle(doc as CertificateDocument, ports(), { signers: [{ mspId: 'CivilAffairsMSP', privateJwk }] });
      const keys = write('keys.json', [keyIdOf(publicJwk)]);
      const fromFile = await cli([write('bundle.json', bundle), '--offline', '--trusted-keys', keys]);
      expect(fromFile.code, fromFile.stderr + fromFile.stdout).to.equal(0);
      expect(fromFile.stdout).to.include('signed by CivilAffairsMSP');
      const fromQr = await cli([write('bundle.qr', await encodeQrPayload(bundle)), '--offline', '--trusted-keys', keys]);
      expect(fromQr.code, fromQr.stderr + fromQr.stdout).to.equal(0);
      const untrusted = await cli([write('bundle.json', bundle), '--offline']);
      expect(untrusted.code).to.equal(1);
      expect(untrusted.stdout).to.include('not trusted');
    });

    it('exits 2 with the usage for a bad command line', async () => {
      const none = await cli([]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('usage: npm run verify');
      const unknown = await cli(['x.json', '--frobnicate']);
      expect(unknown.code).to.equal(2);
      const missing = await cli([path.join(dir, 'missing.json')]);
      expect(missing.code).to.equal(2);
    });
  });

  // Last: these move the chain's clock ahead of the wall clock, which the CLI (wall-clock now) would see.
  describe('with the chain clock moved forward', () => {
    it('answers for a date before the batch was anchored (anchored)', async () => {
      const before = await chainNow();
      await rpc.send('evm_increaseTime', [60]);
      const [doc] = await issue(await drafts(1, 200));
      expect(codeOf(await check(doc, {}, before), 'anchored')).to.equal('NOT_YET_ANCHORED');
    });

    it('rejects a department allowed for the type only after the issue time (issuerAllowed)', async () => {
      const registry = IssuerRegistry__factory.connect(deployment.contracts.IssuerRegistry?.address ?? '', new Wallet(DEPLOYER_KEY, rpc));
      const from = (await chainNow()) + 3_600;
      await (await registry.authorizeCertType(keccakText('PublicSecurityMSP'), keccakText('ELDERLY_CARE'), from, 0)).wait();
      const security = { mspId: 'PublicSecurityMSP', name: 'Public Security' };
      const early = (await drafts(1, 500, security)).map((d) => ({ ...d, typeCode: 'ELDERLY_CARE', fields: { holderName: 'A', ageBand: '80+' } }));
      const [earlyDoc] = await issue(early, SECURITY_KEY);
      expect(codeOf(await check(earlyDoc), 'issuerAllowed')).to.equal('NOT_AUTHORIZED');
      await rpc.send('evm_increaseTime', [7_200]);
      await rpc.send('evm_mine', []);
      const late = (await drafts(1, 501, security)).map((d) => ({ ...d, typeCode: 'ELDERLY_CARE', fields: { holderName: 'B', ageBand: '80+' } }));
      const [lateDoc] = await issue(late, SECURITY_KEY);
      const result = await check(lateDoc);
      expect(result.valid, JSON.stringify(result.checks, null, 1)).to.equal(true);
      expect(codeOf(await check(earlyDoc), 'issuerAllowed'), 'the early one stays refused').to.equal('NOT_AUTHORIZED');
    });
  });
});
