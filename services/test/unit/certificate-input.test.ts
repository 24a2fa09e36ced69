/**
 * What a department types in (unit test, pure): identity numbers with GB 11643's check digit, and
 * text that lost characters in decoding.
 */
import { expect } from 'chai';
import { HolderSchema } from '../../src/domain/certificate-input';
import { idCheckDigit } from '../../src/domain/identity-number';

const problems = (holder: unknown): string[] => {
  const parsed = HolderSchema.safeParse(holder);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('certificate input', () => {
  it("computes GB 11643's check digit (the standard's own examples)", () => {
    expect(idCheckDigit('11010519491231002')).to.equal('X');
    expect(idCheckDigit('44052418800101001')).to.equal('4');
    expect(() => idCheckDigit('1101051949123100')).to.throw(RangeError);
  });

  it('accepts a resident identity number whose check digit matches, in either case of X and with spaces', () => {
    for (const idNumber of ['11010519491231002X', '11010519491231002x', '110105 19491231 002X', '440524188001010014']) {
      expect(problems({ idNumber, name: 'Wang Fang' }), idNumber).to.deep.equal([]);
    }
  });

  it('refuses one whose check digit does not match, naming the likely typo', () => {
    for (const idNumber of ['110105194912310021', '440524188001010015', '440524188001100014']) {
      expect(problems({ idNumber, name: 'Wang Fang' }), idNumber).to.deep.equal([
        'idNumber: is an 18-character resident identity number whose check digit (the last character) does not match (GB 11643): check it for a typo',
      ]);
    }
  });

  it('passes other identity documents as they are: passports, old 15-digit numbers', () => {
    for (const idNumber of ['E12345678', '110105491231002', 'P-1234567']) expect(problems({ idNumber, name: 'Li Lei' }), idNumber).to.deep.equal([]);
  });

  it('refuses text holding U+FFFD, the mark of a wrong decoding', () => {
    expect(problems({ idNumber: '11010519491231002X', name: 'Wang \uFFFD\uFFFD' })[0]).to.match(/^name: holds U\+FFFD/);
  });
});
