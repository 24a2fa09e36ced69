// Unit tests of pure logic: telling apart what a person hands the verifier, and the as-of instant.
import { expect } from 'chai';
import { asOfInstant, classifyScanned, documentOf, shareTokenOf, verifyInputOf } from '../src/lib/verify-input';

describe('web: verify input', () => {
  it('classifies QR payloads, share links, documents, bundles and anything else', () => {
    expect(classifyScanned(' CTL1:abc ')).to.deep.equal({ kind: 'qr', payload: 'CTL1:abc' });
    expect(classifyScanned('https://portal.example/s/AbCdEf_-12345')).to.deep.equal({ kind: 'share', token: 'AbCdEf_-12345' });
    expect(classifyScanned('/s/AbCdEf_-12345/')).to.deep.equal({ kind: 'share', token: 'AbCdEf_-12345' });
    expect(classifyScanned('{"id":"urn:ctl:certificate:1"}')).to.deep.equal({ kind: 'document', document: { id: 'urn:ctl:certificate:1' } });
    expect(classifyScanned('{"format":"ctl-offline-bundle/1","document":{}}')).to.deep.equal({ kind: 'bundle', bundle: { format: 'ctl-offline-bundle/1', document: {} } });
    for (const other of ['https://example.org/menu', 'https://x/s/short', 'hello', '{broken', '[1]', 'javascript:alert(1)']) {
      expect(classifyScanned(other), other).to.deep.equal({ kind: 'unknown' });
    }
  });

  it('reads share tokens only from /s/<token> paths', () => {
    expect(shareTokenOf('http://a/s/abcdefgh')).to.equal('abcdefgh');
    expect(shareTokenOf('http://a/x/s/abcdefgh')).to.equal(undefined);
    expect(shareTokenOf('http://a/s/abc')).to.equal(undefined);
    expect(shareTokenOf('http://a/s/abcd%2Fefgh')).to.equal(undefined);
  });

  it('finds the document of a document or a bundle, not of a QR payload', () => {
    expect(documentOf(verifyInputOf({ id: 'x' }))).to.deep.equal({ id: 'x' });
    expect(documentOf(verifyInputOf({ format: 'ctl-offline-bundle/1', document: { id: 'y' } }))).to.deep.equal({ id: 'y' });
    expect(documentOf(verifyInputOf({ format: 'ctl-offline-bundle/1', document: 'nope' }))).to.equal(undefined);
    expect(documentOf({ kind: 'qr', payload: 'CTL1:x' })).to.equal(undefined);
  });

  it('answers for the end of the chosen local day, never after now', () => {
    const now = new Date(2026, 2, 10, 12, 0, 0);
    expect(asOfInstant('2026-03-01', now)).to.equal(new Date(2026, 2, 1, 23, 59, 59, 999).toISOString());
    expect(asOfInstant('2026-03-10', now)).to.equal(now.toISOString());
    expect(asOfInstant('2026-04-01', now)).to.equal(now.toISOString());
    expect(asOfInstant('', now)).to.equal(undefined);
    expect(asOfInstant('01/03/2026', now)).to.equal(undefined);
  });
});
