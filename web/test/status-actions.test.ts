// Unit tests of pure logic: the status changes offered to an officer and their reason codes.
import { expect } from 'chai';
import { REVOCATION_REASONS } from '../../services/src/verification/reasons';
import { en } from '../src/i18n/en';
import { ALL_REASON_CODES, allowedActions, isReasonCode, ledgerStatusOf, REASON_CODES } from '../src/lib/status-actions';

describe('web: status actions', () => {
  it('offers suspend or revoke in force, reinstate or revoke when suspended, nothing once revoked', () => {
    expect(allowedActions('ISSUED')).to.deep.equal(['suspend', 'revoke']);
    expect(allowedActions('SUSPENDED')).to.deep.equal(['reinstate', 'revoke']);
    expect(allowedActions('REVOKED')).to.deep.equal([]);
    expect(allowedActions(ledgerStatusOf('EXPIRED'))).to.deep.equal([]);
  });

  it('offers for a revocation only codes TrustAnchor can store', () => {
    const onChain = REVOCATION_REASONS.map((reason) => reason.name);
    for (const code of REASON_CODES.revoke) expect(onChain, code).to.include(code);
    // A suspension's reason travels the same way when the batch is revoked later.
    for (const code of REASON_CODES.suspend) expect(onChain, code).to.include(code);
  });

  it('words every reason code in the catalogue and recognises only those', () => {
    for (const code of ALL_REASON_CODES) expect(en.reasons[code], code).to.be.a('string');
    expect(isReasonCode('FRAUD')).to.equal(true);
    expect(isReasonCode('toString')).to.equal(false);
  });
});
