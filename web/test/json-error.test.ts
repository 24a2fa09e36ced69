// Unit tests of pure logic: locating JSON syntax errors.
import { expect } from 'chai';
import fc from 'fast-check';
import { jsonErrorOffset } from '../src/lib/json-error';

describe('web: JSON error location', () => {
  it('finds nothing wrong in valid JSON of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expect(jsonErrorOffset(JSON.stringify(value, null, pretty ? 2 : undefined))).to.equal(undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('reports an offset exactly when JSON.parse rejects the text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.string({ maxLength: 2 }), (value, at, insert) => {
        const valid = JSON.stringify(value);
        const cut = at % (valid.length + 1);
        const text = valid.slice(0, cut) + insert + valid.slice(cut);
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(jsonErrorOffset(text) === undefined, text).to.equal(parses);
      }),
      { numRuns: 2000 },
    );
  });

  it('points at the offending character', () => {
    expect(jsonErrorOffset('{"a": 1,, "b": 2}')).to.equal(8);
    expect(jsonErrorOffset('{"a": tru}')).to.equal(6);
    expect(jsonErrorOffset('{"a": "x\\q"}')).to.equal(9);
    expect(jsonErrorOffset('{"a": 01}')).to.equal(7);
    expect(jsonErrorOffset('{a: 1}')).to.equal(1);
    expect(jsonErrorOffset('[1, 2] 3')).to.equal(7);
    expect(jsonErrorOffset('{"a": [1, 2}')).to.equal(11);
  });

  it('reports the end of the text when it stops too early', () => {
    expect(jsonErrorOffset('{"a": [1, 2')).to.equal(11);
    expect(jsonErrorOffset('{"a": "unterminated')).to.equal(19);
    expect(jsonErrorOffset('')).to.equal(0);
  });

  it('gives up without throwing on nesting deeper than the stack', () => {
    expect(jsonErrorOffset('['.repeat(1_000_000))).to.equal(undefined);
  });
});
