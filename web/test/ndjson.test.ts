// Unit tests of pure logic: NDJSON read from a stream, and batch progress events.
import { expect } from 'chai';
import { batchEventOf, batchFraction, NdjsonError, readNdjson } from '../src/lib/ndjson';

function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of readNdjson(stream)) values.push(value);
  return values;
}

describe('web: NDJSON and batch events', () => {
  it('yields each line once complete, across chunk boundaries and split multi-byte characters, skipping blank lines', async () => {
    const bytes = new TextEncoder().encode('{"name":"王芳"}\n');
    const cut = bytes.indexOf(0xe7) + 1; // inside 王
    const values = await all(streamOf(['{"a":1}\n{"b"', ':2}\n\n', bytes.slice(0, cut), bytes.slice(cut), '{"c":3}']));
    expect(values).to.deep.equal([{ a: 1 }, { b: 2 }, { name: '王芳' }, { c: 3 }]);
  });

  it('stops at a line that is not JSON, naming the line', async () => {
    try {
      await all(streamOf(['{"a":1}\nnot json\n{"b":2}\n']));
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(NdjsonError);
      expect((err as NdjsonError).code).to.equal('NDJSON.BAD_LINE');
      expect((err as NdjsonError).line).to.equal(2);
    }
  });

  it('reads progress, done and error lines, and ignores anything else', () => {
    expect(batchEventOf({ type: 'progress', phase: 'recorded', done: 5, total: 10 })).to.deep.equal({ type: 'progress', phase: 'recorded', done: 5, total: 10 });
    const done = { type: 'done', batchId: 'B-1', root: '0xab', count: 2, transactionIds: ['t1'], blockNumber: 7, anchored: false };
    expect(batchEventOf(done)).to.deep.equal(done);
    expect(batchEventOf({ type: 'error', problem: { code: 'LEDGER.UNAVAILABLE' } })).to.deep.equal({ type: 'error', problem: { code: 'LEDGER.UNAVAILABLE' } });
    expect(batchEventOf({ type: 'progress', phase: 'teleported', done: 1, total: 1 })).to.equal(undefined);
    expect(batchEventOf({ type: 'progress', phase: 'wrapped', done: -1, total: 1 })).to.equal(undefined);
    expect(batchEventOf({ ...done, transactionIds: [1] })).to.equal(undefined);
    expect(batchEventOf('done')).to.equal(undefined);
  });

  it('fills the bar a quarter per phase', () => {
    expect(batchFraction({ type: 'progress', phase: 'validated', done: 0, total: 10 })).to.equal(0);
    expect(batchFraction({ type: 'progress', phase: 'wrapped', done: 5, total: 10 })).to.equal(0.375);
    expect(batchFraction({ type: 'progress', phase: 'anchored', done: 10, total: 10 })).to.equal(1);
    expect(batchFraction({ type: 'progress', phase: 'recorded', done: 0, total: 0 })).to.equal(0.75);
  });
});
