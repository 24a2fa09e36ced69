/**
 * TEST DOUBLES for unit tests of services with their ports replaced (STYLE.md): scripted
 * implementations of the Fabric and EVM ports. Integration tests use the real devnet and EVM
 * node instead (test/integration).
 */
import { LedgerError } from '../../src/ledger/ledger-errors';
import type { AnchorOutcome, EvmDeployment, EvmLedger, RevokeOutcome, TrustAnchorLog } from '../../src/ledger/evm/evm-ledger';
import type { EventStream, FabricActor, FabricLedger, SubmitOutcome } from '../../src/ledger/fabric/fabric-ledger';

export const FAKE_DEPLOYMENT: EvmDeployment = {
  chainId: 31337,
  trustAnchor: { address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', blockNumber: 1 },
  issuerRegistry: { address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
  raw: {},
  departments: new Map(),
};

/** An EVM port whose anchorRoot answers from a script: an outcome, or an error to throw. */
export class ScriptedEvmLedger implements EvmLedger {
  readonly deployment = FAKE_DEPLOYMENT;
  readonly calls: { root: string; issuerMsp: string }[] = [];
  /** Each anchorRoots call: the roots sent together. */
  readonly batches: string[][] = [];

  constructor(private readonly script: (call: number) => AnchorOutcome | Error) {}

  anchorRoot(root: string, issuerMsp: string): Promise<AnchorOutcome> {
    this.calls.push({ root, issuerMsp });
    const answer = this.script(this.calls.length);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  async anchorRoots(roots: readonly string[], issuerMsp: string): Promise<AnchorOutcome[]> {
    this.batches.push([...roots]);
    const outcomes: AnchorOutcome[] = [];
    for (const root of roots) outcomes.push(await this.anchorRoot(root, issuerMsp));
    return outcomes;
  }

  revokeRoot(root: string): Promise<RevokeOutcome> {
    return Promise.resolve({ root, alreadyRevoked: false, transactionHash: '0x01', blockNumber: 1 });
  }

  revokeLeaf(root: string): Promise<RevokeOutcome> {
    return Promise.resolve({ root, alreadyRevoked: false, transactionHash: '0x02', blockNumber: 1 });
  }

  blockNumber(): Promise<number> {
    return Promise.resolve(1);
  }

  chainId(): Promise<number> {
    return Promise.resolve(31337);
  }

  trustAnchorLogs(): Promise<TrustAnchorLog[]> {
    return Promise.resolve([]);
  }

  close(): void {
    // nothing to release
  }
}

/** A Fabric port whose submit answers from a script; it holds every identity. */
export class ScriptedFabricLedger implements FabricLedger {
  readonly channel = 'community';
  readonly chaincode = 'ctl';
  readonly submits: { actor: FabricActor; transaction: string; args: readonly string[] }[] = [];

  constructor(private readonly script: (call: number, args: readonly string[]) => SubmitOutcome | Error) {}

  organisations(): string[] {
    return ['CivilAffairsMSP', 'StreetOfficeMSP'];
  }

  hasIdentity(): boolean {
    return true;
  }

  evaluate(): Promise<Uint8Array> {
    return Promise.reject(new LedgerError('fabric', 503, 'LEDGER.UNAVAILABLE', 'scripted'));
  }

  submit(actor: FabricActor, transaction: string, args: readonly string[]): Promise<SubmitOutcome> {
    this.submits.push({ actor, transaction, args });
    const answer = this.script(this.submits.length, args);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  chaincodeEvents(): Promise<EventStream<never>> {
    return Promise.reject(new Error('not scripted'));
  }

  filteredBlocks(): Promise<EventStream<never>> {
    return Promise.reject(new Error('not scripted'));
  }

  close(): void {
    // nothing to release
  }
}
