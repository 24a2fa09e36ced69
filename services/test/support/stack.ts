/**
 * The real ledgers for integration tests: the devnet (our Fabric-protocol network running the
 * real chaincode through fabric-shim) and the embedded EVM node (Hardhat network) with the
 * contracts deployed, on ephemeral ports in a temporary folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevnet } from '../../../devnet/src/index';
import { startEvmNode } from '../../../scripts/evm-node';
import { REPO_ROOT } from '../../src/config/config';

type Deploy = typeof import('../../../scripts/deploy').deploy;

/** scripts/deploy.ts needs the compiled contracts (typechain-types), so it loads only when used. */
function loadDeploy(): Deploy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build artefact, loaded on demand
  return (require('../../../scripts/deploy') as { deploy: Deploy }).deploy;
}

export interface LedgerStack {
  readonly dataDir: string;
  readonly connectionFile: string;
  readonly evmUrl: string;
  readonly deploymentFile: string;
  /** The services' settings that point at this stack (`FABRIC_CONNECTION`, `EVM_RPC_URL`, `EVM_DEPLOYMENT`). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts the devnet and the EVM node and deploys the contracts.
 *
 * @throws with instructions when the chaincode or the contracts are not built.
 */
export async function startLedgerStack(): Promise<LedgerStack> {
  if (!existsSync(path.join(REPO_ROOT, 'chaincode', 'dist', 'index.js'))) {
    throw new Error('the chaincode is not built: run `npm run build:chaincode` first');
  }
  if (!existsSync(path.join(REPO_ROOT, 'typechain-types', 'index.ts'))) {
    throw new Error('the contracts are not compiled: run `npm run compile` first');
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctl-services-stack-'));
  const deploy = loadDeploy();
  const closers: (() => Promise<void>)[] = [];
  try {
    const devnet = await startDevnet({ dataDir: path.join(dataDir, 'devnet'), basePort: 0, chaincodePort: 0 });
    closers.push(() => devnet.close());
    const evm = await startEvmNode({ dataDir: path.join(dataDir, 'evm'), port: 0 });
    closers.push(() => evm.close());
    const deployed = await deploy({ rpcUrl: evm.url, outDir: path.join(dataDir, 'evm', 'deployments') });
    return {
      dataDir,
      connectionFile: devnet.connectionPath,
      evmUrl: evm.url,
      deploymentFile: deployed.file,
      env: { FABRIC_CONNECTION: devnet.connectionPath, EVM_RPC_URL: evm.url, EVM_DEPLOYMENT: deployed.file },
      async close() {
        for (const close of closers.reverse()) await close().catch(() => undefined);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
