// Unit tests of pure logic: the message catalogues and their lookup.
import { expect } from 'chai';
import { en } from '../src/i18n/en';
import { isLocale, pickLocale, translate, translateMessage, type MessageKey } from '../src/i18n/translate';
import { zhCN } from '../src/i18n/zh-CN';
import { KNOWN_CHECKS } from '../src/lib/verification-text';

function leaves(node: unknown, prefix = ''): Map<string, unknown> {
  const found = new Map<string, unknown>();
  if (typeof node !== 'object' || node === null) return found;
  for (const [key, value] of Object.entries(node)) {
    const path = `${prefix}${key}`;
    if (typeof value === 'object' && value !== null) for (const [k, v] of leaves(value, `${path}.`)) found.set(k, v);
    else found.set(path, value);
  }
  return found;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('web: message catalogues', () => {
  const english = leaves(en);
  const chinese = leaves(zhCN);

  it('gives every key a non-empty string in both languages', () => {
    expect([...chinese.keys()].sort()).to.deep.equal([...english.keys()].sort());
    for (const [key, value] of [...english, ...chinese]) {
      expect(value, key).to.be.a('string');
      expect((value as string).trim(), key).to.not.equal('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const [key, value] of english) {
      expect(placeholders(chinese.get(key) as string), key).to.deep.equal(placeholders(value as string));
    }
  });

  it('has a label and both outcomes for every check the verifier reports', () => {
    for (const check of KNOWN_CHECKS) {
      for (const part of ['label', 'ok', 'fail']) expect(english.has(`checks.${check}.${part}`), `${check}.${part}`).to.equal(true);
    }
  });
});

describe('web: translate', () => {
  it('substitutes placeholders and leaves unknown ones visible', () => {
    expect(translate(en, 'session.signedInAs', { name: 'Li Lei' })).to.equal('Signed in as Li Lei');
    expect(translate(zhCN, 'session.signedInAs', { name: '李雷' })).to.equal('当前用户：李雷');
    expect(translate(en, 'session.signedInAs')).to.equal('Signed in as {name}');
    expect(translate(en, 'verify.invalid', { failed: 1 })).to.equal('Not valid: 1 of {total} checks failed.');
  });

  it('keeps literal braces that are not placeholders', () => {
    expect(translate(en, 'verify.pasteHint')).to.contain('{ and ending with }');
  });

  it('translates nested message parameters in the current language', () => {
    const message = { key: 'issue.missing', keyParams: { field: 'issue.holderName' } } as const;
    expect(translateMessage(en, message)).to.equal('Full name is required.');
    expect(translateMessage(zhCN, message)).to.equal('请填写姓名。');
  });

  it('refuses a key that names no message', () => {
    expect(() => translate(en, 'verify' as MessageKey)).to.throw(/no message for key verify/);
  });

  it('picks the first supported language the browser prefers, Chinese otherwise', () => {
    expect(pickLocale(['en-US', 'zh-CN'])).to.equal('en');
    expect(pickLocale(['zh-TW', 'en'])).to.equal('zh-CN');
    expect(pickLocale(['fr-FR', 'EN-gb'])).to.equal('en');
    expect(pickLocale(['fr-FR'])).to.equal('zh-CN');
    expect(pickLocale([])).to.equal('zh-CN');
  });

  it('accepts only supported locales from storage', () => {
    expect(isLocale('en')).to.equal(true);
    expect(isLocale('zh-CN')).to.equal(true);
    expect(isLocale('zh')).to.equal(false);
    expect(isLocale(null)).to.equal(false);
  });
});
