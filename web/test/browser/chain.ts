// The REAL public chain for the portal's browser tests: the embedded EVM node (Hardhat network)
// on an ephemeral port with TrustAnchor and IssuerRegistry deployed by scripts/deploy.ts, and
// certificates wrapped by the verification library and anchored by a registered department's
// account. The browser verifies against it locally (through the stub API's same-origin /rpc
// proxy); only the Fabric record is the stub's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contract, JsonRpcProvider, Network, Wallet, type ContractTransactionResponse } from 'ethers';
import type { EvmNode } from '../../../scripts/evm-node';
import { withLedgerRecord, wrapBatch, type CertificateDocument, type CertificateDraft } from '../../../services/src/verification';
import { TYPES, residenceDraft, txIdOf } from '../../../services/test/verification/support';

const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const CIVIL_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const TRUST_ANCHOR_ISSUE = ['function issue(bytes32 root)'];

/** The Fabric record the stub serves for a certificate (the contract's public shape: no subjectRef). */
export interface StubLedgerRecord {
  id: string;
  typeCode: string;
  issuerMsp: string;
  documentHash: string;
  batchId: string | null;
  batchRoot: string;
  status: 'ISSUED' | 'SUSPENDED' | 'REVOKED';
  statusChanges: { status: 'ISSUED' | 'SUSPENDED' | 'REVOKED'; reasonCode: string; reasonText: string; effectiveAt: string }[];
  txId: string;
  blockNumber: number;
  issuedAt: string;
  validUntil: string | null;
}

export interface IssuedOnChain {
  readonly document: CertificateDocument;
  readonly record: StubLedgerRecord;
}

export interface TestChain {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly trustAnchor: string;
  readonly issuerRegistry: string;
  /** Wraps residence certificates `from`…, anchors their root with Civil Affairs' account. */
  issue(count: number, from: number): Promise<IssuedOnChain[]>;
  close(): Promise<void>;
}

/**
 * Starts the node and deploys the contracts.
 *
 * @throws with instructions when the contracts are not compiled.
 */
export async function startTestChain(): Promise<TestChain> {
  const root = path.resolve(__dirname, '../../..');
  if (!fs.existsSync(path.join(root, 'typechain-types', 'index.ts'))) throw new Error('the contracts are not compiled: run `npm run compile` first');
  // Loaded here, not at the top: Hardhat and the compiled contracts are only needed by these tests.
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
  const { startEvmNode } = require('../../../scripts/evm-node') as typeof import('../../../scripts/evm-node');
  const { deploy } = require('../../../scripts/deploy') as typeof import('../../../scripts/deploy');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-web-chain-'));
  let node: EvmNode | undefined;
  try {
    node = await startEvmNode({ dataDir: path.join(dir, 'evm'), port: 0 });
    const configFile = path.join(dir, 'deploy.config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        adminDelaySeconds: 3600,
        departments: [{ mspId: 'CivilAffairsMSP', name: 'Civil Affairs', issuers: [new Wallet(CIVIL_KEY).address], certTypes: ['RESIDENCE_PROOF'], witness: true }],
        witnessThreshold: 1,
      }),
    );
    const deployed = await deploy({ rpcUrl: node.url, privateKey: DEPLOYER_KEY, configFile, outDir: path.join(dir, 'deployments') });
    const deployment = JSON.parse(fs.readFileSync(deployed.file, 'utf8')) as { chainId: number; contracts: Record<string, { address: string }> };
    const trustAnchor = deployment.contracts.TrustAnchor?.address ?? '';
    const issuerRegistry = deployment.contracts.IssuerRegistry?.address ?? '';
    const rpc = new JsonRpcProvider(node.url, Network.from(deployment.chainId), { staticNetwork: true, cacheTimeout: -1 });
    const civil = new Wallet(CIVIL_KEY, rpc);
    let batches = 0;
    const running = node;
    return {
      rpcUrl: node.url,
      chainId: deployment.chainId,
      trustAnchor,
      issuerRegistry,
      async issue(count, from) {
        const now = Math.floor(Date.now() / 1000);
        const drafts: CertificateDraft[] = Array.from({ length: count }, (_, i) =>
          residenceDraft(from + i, { validFrom: new Date((now - 86_400) * 1000).toISOString(), validUntil: new Date((now + 365 * 86_400) * 1000).toISOString() }),
        );
        const batch = await wrapBatch(drafts, { anchor: { chainId: deployment.chainId, trustAnchor }, types: TYPES });
        const anchor = new Contract(trustAnchor, TRUST_ANCHOR_ISSUE, civil);
        const sent = (await anchor.getFunction('issue')(batch.merkleRoot)) as ContractTransactionResponse;
        const receipt = await sent.wait();
        batches += 1;
        const txId = txIdOf(5000 + batches);
        const blockNumber = receipt?.blockNumber ?? 0;
        return batch.documents.map((doc, i) => {
          const draft = drafts[i] as CertificateDraft;
          const record: StubLedgerRecord = {
            id: draft.certificateId,
            typeCode: draft.typeCode,
            issuerMsp: draft.issuer.mspId,
            documentHash: batch.targetHashes[i] ?? '',
            batchId: `batch-${batches}`,
            batchRoot: batch.merkleRoot,
            status: 'ISSUED',
            statusChanges: [],
            txId,
            blockNumber,
            issuedAt: new Date().toISOString(),
            validUntil: draft.validUntil === undefined || draft.validUntil === null ? null : new Date(draft.validUntil).toISOString(),
          };
          const document = withLedgerRecord(doc, { channel: 'community', chaincode: 'ctl', certificateId: draft.certificateId, txId, blockNumber });
          return { document, record };
        });
      },
      async close() {
        rpc.destroy();
        await running.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await node?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
