// Unit tests of pure logic: reading a pasted or uploaded certificate.
import { expect } from 'chai';
import { isJsonFile, lineAndColumn, MAX_CERTIFICATE_BYTES, parseCertificateInput } from '../src/lib/certificate-input';

describe('web: certificate input', () => {
  it('accepts a JSON object, ignoring surrounding white space', () => {
    const parsed = parseCertificateInput('  {"type": ["VerifiableCredential"]}\n', 'en');
    expect(parsed).to.deep.equal({ ok: true, document: { type: ['VerifiableCredential'] } });
  });

  it('asks for input when there is none', () => {
    expect(parseCertificateInput(' \n\t', 'en')).to.deep.equal({ ok: false, message: { key: 'input.empty' } });
  });

  it('points at the line and column of a syntax error', () => {
    const parsed = parseCertificateInput('{\n  "a": 1,\n  "b": }\n', 'en');
    expect(parsed).to.deep.equal({ ok: false, message: { key: 'input.notJsonAt', params: { line: 3, column: 8 } } });
  });

  it('says a truncated document ends too early', () => {
    expect(parseCertificateInput('{"a": [1, 2', 'en')).to.deep.equal({ ok: false, message: { key: 'input.notJsonEnd' } });
  });

  it('names what was pasted when it is JSON but not an object', () => {
    for (const [text, kind] of [
      ['[1]', 'input.kindArray'],
      ['"x"', 'input.kindString'],
      ['3', 'input.kindNumber'],
      ['true', 'input.kindBoolean'],
      ['null', 'input.kindNull'],
    ] as const) {
      expect(parseCertificateInput(text, 'en'), text).to.deep.equal({
        ok: false,
        message: { key: 'input.notObject', keyParams: { kind } },
      });
    }
  });

  it('refuses a document over the size limit before parsing it, counting bytes not characters', () => {
    const chars = Math.floor(MAX_CERTIFICATE_BYTES / 3) + 1; // each 证 is three bytes in UTF-8
    const parsed = parseCertificateInput(`{"a":"${'证'.repeat(chars)}"}`, 'en');
    expect(parsed.ok).to.equal(false);
    if (!parsed.ok) {
      expect(parsed.message.key).to.equal('input.tooLarge');
      expect(parsed.message.params).to.deep.equal({ size: '1,025 kB', max: '1,024 kB' });
    }
  });

  it('computes 1-based line and column of an offset', () => {
    expect(lineAndColumn('ab\ncd', 0)).to.deep.equal({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).to.deep.equal({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 99)).to.deep.equal({ line: 1, column: 3 });
  });

  it('recognises JSON files by name or media type', () => {
    expect(isJsonFile('cert.JSON', '')).to.equal(true);
    expect(isJsonFile('cert', 'application/json')).to.equal(true);
    expect(isJsonFile('cert', 'application/ld+json')).to.equal(true);
    expect(isJsonFile('cert.pdf', 'application/pdf')).to.equal(false);
  });
});
