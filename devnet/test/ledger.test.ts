/**
 * The ledger's durability mechanics on a real block file in a temporary folder: a block counts
 * only once its fsync has completed, appends never overlap, state snapshots are written in the
 * background without leaving partial files behind, and commit-status waiters can be cancelled.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { common } from '@hyperledger/fabric-protos';
import { BlockStore } from '../src/ledger/blockstore';
import { Ledger } from '../src/ledger/ledger';
import { CommitNotifier } from '../src/gateway/notifier';
import { signLowS } from '../src/msp/ecdsa';
import { LedgerCorruptError } from '../src/errors';
import { tempDir } from './helpers';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = { serialized: Buffer.from('orderer'), sign: (m: Uint8Array) => signLowS(privateKey, m) };
const genesis = (): Uint8Array => new common.Envelope().serializeBinary();

async function emptyBlock(ledger: Ledger): Promise<void> {
  await ledger.commit([], new Uint8Array(0), { writes: [], txIds: [] });
}

describe('devnet ledger', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const dir = (): string => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('counts and serves a block only after its fsync completed, and refuses overlapping appends', async () => {
    const store = new BlockStore(join(dir(), 'blocks.bin'));
    try {
      const pending = store.append(Buffer.from('block 0'));
      expect(store.height).to.equal(0);
      expect(() => store.read(0)).to.throw(RangeError);
      let overlap: unknown;
      await store.append(Buffer.from('block 1')).catch((err: unknown) => {
        overlap = err;
      });
      expect(overlap).to.be.instanceOf(LedgerCorruptError);
      await pending;
      expect(store.height).to.equal(1);
      expect(store.read(0).toString()).to.equal('block 0');
      await store.append(Buffer.from('block 1'));
      expect(store.read(1).toString()).to.equal('block 1');
    } finally {
      store.close();
    }
  });

  it('reopens with every appended block, and drops a torn record after them', async () => {
    const file = join(dir(), 'blocks.bin');
    const store = new BlockStore(file);
    await store.append(Buffer.from('first'));
    store.appendSync(Buffer.from('second'));
    store.close();
    writeFileSync(file, Buffer.from([0, 0, 0, 99, 1, 2]), { flag: 'a' });
    const reopened = new BlockStore(file);
    try {
      expect(reopened.height).to.equal(2);
      expect(reopened.read(1).toString()).to.equal('second');
    } finally {
      reopened.close();
    }
  });

  it('writes state snapshots in the background and leaves no temporary file behind', async () => {
    const ledgerDir = dir();
    const ledger = Ledger.open(ledgerDir, signer, genesis);
    await emptyBlock(ledger);
    // The first commit five seconds after the ledger opened takes the next snapshot.
    await new Promise((r) => setTimeout(r, 5_100));
    await emptyBlock(ledger);
    const snapshot = join(ledgerDir, 'state.snapshot');
    const deadline = Date.now() + 10_000;
    while (!existsSync(snapshot) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(snapshot)).to.equal(true);
    ledger.close();
    expect(readdirSync(ledgerDir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const reopened = Ledger.open(ledgerDir, signer, genesis);
    try {
      expect(reopened.height).to.equal(3);
      expect(reopened.state.height).to.equal(3);
    } finally {
      reopened.close();
    }
  });

  it('removes a snapshot left half-written by a stopped process when it opens', () => {
    const ledgerDir = dir();
    Ledger.open(ledgerDir, signer, genesis).close();
    writeFileSync(join(ledgerDir, 'state.snapshot.7.tmp'), 'partial');
    const ledger = Ledger.open(ledgerDir, signer, genesis);
    ledger.close();
    expect(existsSync(join(ledgerDir, 'state.snapshot.7.tmp'))).to.equal(false);
  });

  it('answers a commit-status waiter when its transaction commits, or with nothing once cancelled', async () => {
    const ledger = Ledger.open(dir(), signer, genesis);
    const notifier = new CommitNotifier(ledger);
    try {
      const committed = notifier.wait('tx-a');
      const cancelled = notifier.wait('tx-b');
      cancelled.cancel();
      expect(await cancelled.result).to.equal(undefined);
      await ledger.commit([], new Uint8Array([0, 11]), { writes: [], txIds: [{ txId: 'tx-a', tx: 0, code: 0 }, { txId: 'tx-b', tx: 1, code: 11 }] }, ['tx-a', 'tx-b']);
      expect(await committed.result).to.deep.equal({ code: 0, blockNumber: 1 });
      committed.cancel();
      // Already committed: answered at once from the txid index.
      const later = notifier.wait('tx-b');
      expect(await later.result).to.deep.equal({ code: 11, blockNumber: 1 });
    } finally {
      notifier.close();
      ledger.close();
    }
  });
});
