/**
 * What chaincode can use through the devnet, exercised with the real fabric-shim runtime: ranges
 * (UTF-8 key order, batches over 100), pagination with bookmarks, partial composite keys, history
 * newest first, state metadata, deletes, the transaction timestamp, chaincode-to-chaincode calls.
 */
import { expect } from 'chai';
import { connectClient, destroy, startTestDevnet, testConfig, utf8, type TestClient } from './helpers';
import type { Devnet } from '../src/index';

describe('devnet chaincode API through the real shim', function () {
  this.timeout(60_000);
  let devnet: Devnet | undefined;
  let client: TestClient | undefined;

  before(async () => {
    devnet = await startTestDevnet(testConfig({ orgs: 2, policy: "OR('Org1MSP.peer','Org2MSP.peer')", extraChaincodes: [{ name: 'other' }] }));
    client = connectClient(devnet, 'Org1MSP');
  });
  after(async () => {
    client?.close();
    await destroy(devnet);
  });

  const json = async (fn: string, ...args: string[]): Promise<unknown> => JSON.parse(utf8(await client!.contract.evaluateTransaction(fn, ...args))) as unknown;

  it('returns range results in UTF-8 byte order, across batches of 100', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `r-${String(i).padStart(3, '0')}`);
    await Promise.all(keys.map((k) => client!.contract.submitTransaction('Put', k, k)));
    // U+FFFD sorts before U+1F600 in UTF-8 but after its surrogates in UTF-16.
    await client!.contract.submitTransaction('Put', 'r-\u{FFFD}', 'bmp');
    await client!.contract.submitTransaction('Put', 'r-\u{1F600}', 'astral');
    const found = (await json('Range', 'r-', 'r-\u{10FFFF}')) as { key: string }[];
    expect(found.map((r) => r.key)).to.deep.equal([...keys, 'r-\u{FFFD}', 'r-\u{1F600}']);
  });

  it('pages through a range with bookmarks', async () => {
    const first = (await json('Paged', 'r-', 'r-2', '60', '')) as { results: { key: string }[]; bookmark: string; count: number };
    expect(first.count).to.equal(60);
    expect(first.results[0]!.key).to.equal('r-000');
    expect(first.bookmark).to.equal('r-060');
    const second = (await json('Paged', 'r-', 'r-2', '100', first.bookmark)) as { results: { key: string }[]; bookmark: string; count: number };
    expect(second.count).to.equal(90);
    expect(second.results.at(-1)!.key).to.equal('r-149');
    expect(second.bookmark).to.equal('');
  });

  it('finds composite keys by partial key, and simple ranges exclude them', async () => {
    await client!.contract.submitTransaction('PutComposite', 'cert', 'dept-a', '1', 'one');
    await client!.contract.submitTransaction('PutComposite', 'cert', 'dept-a', '2', 'two');
    await client!.contract.submitTransaction('PutComposite', 'cert', 'dept-b', '1', 'three');
    const partial = (await json('ByPartial', 'cert', 'dept-a')) as { key: { objectType: string; attributes: string[] }; value: string }[];
    expect(partial.map((r) => r.value)).to.deep.equal(['one', 'two']);
    expect(partial[0]!.key).to.deep.equal({ objectType: 'cert', attributes: ['dept-a', '1'] });
    expect(((await json('ByPartial', 'cert', '')) as unknown[]).length).to.equal(3);
    const simple = (await json('Range', '', '')) as { key: string }[];
    expect(simple.some((r) => r.key.startsWith('\u0000'))).to.be.false;
  });

  it('returns a key history newest first, including deletes', async () => {
    const t1 = await client!.contract.submitAsync('Put', { arguments: ['h', 'one'] });
    await t1.getStatus();
    const t2 = await client!.contract.submitAsync('Put', { arguments: ['h', 'two'] });
    await t2.getStatus();
    const t3 = await client!.contract.submitAsync('Del', { arguments: ['h'] });
    await t3.getStatus();
    const history = (await json('History', 'h')) as { txId: string; isDelete: boolean; value: string }[];
    expect(history.map((h) => h.txId)).to.deep.equal([t3.getTransactionId(), t2.getTransactionId(), t1.getTransactionId()]);
    expect(history.map((h) => h.isDelete)).to.deep.equal([true, false, false]);
    expect(history[1]!.value).to.equal('two');
    expect(utf8(await client!.contract.evaluateTransaction('Get', 'h'))).to.equal('');
  });

  it('does not let a transaction read its own writes', async () => {
    await client!.contract.submitTransaction('Put', 'own', 'before');
    const before = utf8(await client!.contract.submitTransaction('ReadWrite', 'own', 'after'));
    expect(before).to.equal('before');
    expect(utf8(await client!.contract.evaluateTransaction('Get', 'own'))).to.equal('after');
  });

  it('keeps state metadata across value writes', async () => {
    await client!.contract.submitTransaction('Put', 'meta', 'v');
    await client!.contract.submitTransaction('SetEndorsers', 'meta', 'Org1MSP,Org2MSP');
    await client!.contract.submitTransaction('Put', 'meta', 'v2');
    expect(await json('Endorsers', 'meta')).to.deep.equal(['Org1MSP', 'Org2MSP']);
  });

  it('gives chaincode the proposal timestamp, identical on every endorsing organisation', async () => {
    const proposal = client!.contract.newProposal('Whoami');
    const who = JSON.parse(utf8(await proposal.evaluate())) as { txTime: string };
    expect(Math.abs(Date.parse(who.txTime) - Date.now())).to.be.lessThan(60_000);
  });

  it('calls another chaincode in the same transaction and writes to its namespace', async () => {
    const res = JSON.parse(utf8(await client!.contract.submitTransaction('Call', 'other', JSON.stringify(['Put', 'cc2cc', 'hello'])))) as { status: number; payload: string };
    expect(res.status).to.equal(200);
    expect(res.payload).to.equal('hello');
    const other = client!.network.getContract('other');
    expect(utf8(await other.evaluateTransaction('Get', 'cc2cc'))).to.equal('hello');
    expect(utf8(await client!.contract.evaluateTransaction('Get', 'cc2cc'))).to.equal('');
  });
});
