// Unit tests of pure logic: how verification results are worded.
import { expect } from 'chai';
import { checkText, formatInstant, KNOWN_CHECKS, orderedChecks, verdictText } from '../src/lib/verification-text';

const all = (failing: readonly string[] = []) => KNOWN_CHECKS.map((name) => ({ name, ok: !failing.includes(name), code: '', detail: '' }));

describe('web: verification wording', () => {
  it('states the verdict the verifier gave, with the count of failed checks', () => {
    expect(verdictText({ valid: true, asOf: '', checks: all() })).to.deep.equal({ key: 'verify.valid' });
    expect(verdictText({ valid: false, asOf: '', checks: all(['integrity', 'notExpired']) })).to.deep.equal({
      key: 'verify.invalid',
      params: { failed: 2, total: 7 },
    });
    // The verifier's verdict stands even when every listed check passed.
    expect(verdictText({ valid: false, asOf: '', checks: all() })).to.deep.equal({ key: 'verify.invalidNoChecks' });
    expect(verdictText({ valid: false, asOf: '', checks: [] })).to.deep.equal({ key: 'verify.invalidNoChecks' });
  });

  it('explains a known check by its outcome', () => {
    expect(checkText({ name: 'notRevoked', ok: true, code: '', detail: '' })).to.deep.equal({
      label: { key: 'checks.notRevoked.label' },
      explanation: { key: 'checks.notRevoked.ok' },
    });
    expect(checkText({ name: 'notRevoked', ok: false, code: '', detail: 'revoked 2026-01-01: lost' }).explanation).to.deep.equal({
      key: 'checks.notRevoked.fail',
    });
  });

  it('explains a failure by its reason code when the portal knows the code', () => {
    expect(checkText({ name: 'notRevoked', ok: false, code: 'SUSPENDED', detail: '' }).explanation).to.deep.equal({
      key: 'checkCodes.SUSPENDED',
    });
    expect(checkText({ name: 'notExpired', ok: false, code: 'NOT_YET_VALID', detail: '' }).explanation).to.deep.equal({
      key: 'checkCodes.NOT_YET_VALID',
    });
    expect(checkText({ name: 'anchored', ok: false, code: 'SOMETHING_NEW', detail: '' }).explanation).to.deep.equal({
      key: 'checks.anchored.fail',
    });
    // A passed check reads as passed, whatever code came with it.
    expect(checkText({ name: 'anchored', ok: true, code: 'OK', detail: '' }).explanation).to.deep.equal({ key: 'checks.anchored.ok' });
    // Names inherited from Object.prototype are not codes.
    expect(checkText({ name: 'anchored', ok: false, code: 'toString', detail: '' }).explanation).to.deep.equal({
      key: 'checks.anchored.fail',
    });
  });

  it('formats the as-of instant in the reader language and ignores garbage', () => {
    expect(formatInstant('2026-03-01T10:00:00Z', 'en')).to.match(/2026/);
    expect(formatInstant('2026-03-01T10:00:00Z', 'zh-CN')).to.match(/2026年3月1日/);
    expect(formatInstant('not a date', 'en')).to.equal(undefined);
  });

  it('still shows a check it does not know, under its own name', () => {
    expect(checkText({ name: 'holderBinding', ok: false, code: '', detail: 'x' })).to.deep.equal({
      label: { key: 'checks.unknown.label', params: { name: 'holderBinding' } },
      explanation: undefined,
    });
  });

  it('orders known checks as people read them and keeps unknown ones after, in arrival order', () => {
    const received = [
      { name: 'zeta', ok: true, code: '', detail: '' },
      { name: 'ledgerRecord', ok: true, code: '', detail: '' },
      { name: 'alpha', ok: true, code: '', detail: '' },
      { name: 'integrity', ok: true, code: '', detail: '' },
    ];
    expect(orderedChecks(received).map((c) => c.name)).to.deep.equal(['integrity', 'ledgerRecord', 'zeta', 'alpha']);
  });
});
