/**
 * The Fabric rules the chaincode relies on, checked against the test peer with a probe
 * contract, and the context's guards: no read-your-writes, one event per transaction,
 * paginated reads only in read-only transactions, non-determinism caught by endorsing on
 * several organisations.
 */
import './support/quiet-logs';
import { expect } from 'chai';
import { Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../src/shared/canonical';
import { CtlContext } from '../src/shared/context';
import { cast, type Cast } from './support/fixtures';
import { ChaincodeFailure, TestNetwork } from './support/peer';

@Info({ title: 'ProbeContract', description: 'test only' })
class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  override createContext(): CtlContext {
    return new CtlContext();
  }

  @Transaction()
  @Returns('string')
  async WriteThenRead(ctx: CtlContext, key: string, value: string): Promise<string> {
    const k = ctx.key('probe', key);
    await ctx.putJson(k, value);
    const raw = Buffer.from(await ctx.stub.getState(k)).toString('utf8');
    return canonicalJson({ stub: raw, context: await ctx.getJson<string>(k) });
  }

  @Transaction()
  async TwoEvents(ctx: CtlContext): Promise<void> {
    // Names outside the chaincode's event list, to test the guard itself.
    const emit = ctx.emit.bind(ctx) as (name: string, payload: unknown) => void;
    emit('First', {});
    emit('Second', {});
    await Promise.resolve();
  }

  @Transaction()
  async RawEvents(ctx: CtlContext): Promise<void> {
    ctx.stub.setEvent('First', Buffer.from('{"n":1}'));
    ctx.stub.setEvent('Second', Buffer.from('{"n":2}'));
    await Promise.resolve();
  }

  @Transaction()
  async WriteThenPage(ctx: CtlContext): Promise<void> {
    await ctx.putJson(ctx.key('probe', 'x'), 1);
    await ctx.page('probe', [], 10, '');
  }

  @Transaction(false)
  @Returns('string')
  async Page(ctx: CtlContext, size: string, bookmark: string): Promise<string> {
    const page = await ctx.page<string>('probe', [], Number(size), bookmark);
    return canonicalJson(page);
  }

  @Transaction()
  @Returns('string')
  async Unstable(ctx: CtlContext): Promise<string> {
    await ctx.putJson(ctx.key('probe', 'random'), process.hrtime.bigint().toString());
    return 'done';
  }
}

describe('Fabric semantics the chaincode relies on (test peer)', function () {
  this.timeout(60_000);
  let c: Cast;
  let net: TestNetwork;

  before(async () => {
    c = await cast();
  });

  beforeEach(() => {
    net = new TestNetwork({ n: 2 }, [ProbeContract]);
  });

  it('does not let a transaction read its own writes from the stub, while the context remembers them', async () => {
    const first = await net.submit(c.streetOfficer, 'probe:WriteThenRead', ['k', 'one']);
    expect(JSON.parse(first.payload)).to.deep.equal({ stub: '', context: 'one' });
    const second = await net.submit(c.streetOfficer, 'probe:WriteThenRead', ['k', 'two']);
    expect(JSON.parse(second.payload)).to.deep.equal({ stub: '"one"', context: 'two' });
  });

  it('keeps only the last event a transaction sets, and the context refuses a second event', async () => {
    const raw = await net.submit(c.streetOfficer, 'probe:RawEvents', []);
    expect(raw.event).to.deep.equal({ name: 'Second', payload: { n: 2 } });
    let failure: unknown;
    try {
      await net.submit(c.streetOfficer, 'probe:TwoEvents', []);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(ChaincodeFailure);
    expect((failure as Error).message).to.match(/^CHAINCODE\.INTERNAL: .*Second after First/);
  });

  it('refuses a paginated read in a transaction that writes, and pages in a read-only one', async () => {
    let failure: unknown;
    try {
      await net.submit(c.streetOfficer, 'probe:WriteThenPage', []);
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.contain('Paginated queries are supported only in a read-only transaction');
    for (const k of ['a', 'b', 'c']) await net.submit(c.streetOfficer, 'probe:WriteThenRead', [k, k]);
    const first = JSON.parse(await net.evaluate(c.streetOfficer, 'probe:Page', ['2', ''])) as { items: string[]; bookmark: string };
    expect(first.items).to.deep.equal(['a', 'b']);
    const second = JSON.parse(await net.evaluate(c.streetOfficer, 'probe:Page', ['2', first.bookmark])) as { items: string[]; bookmark: string };
    expect(second).to.deep.equal({ items: ['c'], bookmark: '' });
  });

  it('fails a transaction whose endorsers compute different results', async () => {
    let failure: unknown;
    try {
      await net.submit(c.streetOfficer, 'probe:Unstable', []);
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.contain('non-deterministic');
  });
});
