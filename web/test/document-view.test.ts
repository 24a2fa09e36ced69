// Unit tests of pure logic: a certificate document read for people, checked against the
// verification library on a real wrapped document.
import { expect } from 'chai';
import { disclose, hideableFields, wrapBatch } from '../../services/src/verification';
import { CHAIN_ID, TRUST_ANCHOR, TYPES, residenceDraft } from '../../services/test/verification/support';
import { absoluteShareUrl, certificateIdOf, documentView } from '../src/lib/document-view';
import { CONSENT_AUDIENCES, CONSENT_EXPIRY_OPTIONS } from '../src/lib/departments';
import { contentKeys } from '../src/lib/idempotency';

describe('web: document view', () => {
  it('marks exactly the fields the library lets the holder hide, and counts hidden ones in a disclosure', async () => {
    const { documents } = await wrapBatch([residenceDraft(1)], { anchor: { chainId: CHAIN_ID, trustAnchor: TRUST_ANCHOR }, types: TYPES });
    const document = documents[0];
    if (document === undefined) throw new Error('no document');
    const view = documentView(document as unknown as Record<string, unknown>);
    expect(view.fields.filter((f) => f.hideable).map((f) => f.key).sort()).to.deep.equal(hideableFields(document).sort());
    expect(view.fields.map((f) => f.key)).to.include.members(['community', 'householdSize']);
    expect(view).to.include({ certificateId: 'CA-2025-000001', typeCode: 'RESIDENCE_PROOF', issuerMsp: 'CivilAffairsMSP', issuerName: 'Civil Affairs', hiddenCount: 0 });
    const disclosed = documentView((await disclose(document, ['address', 'birthDate'])) as unknown as Record<string, unknown>);
    expect(disclosed.hiddenCount).to.equal(2);
    expect(disclosed.fields.map((f) => f.key)).to.not.include('address');
  });

  it('reads a malformed document without throwing', () => {
    expect(documentView({ credentialSubject: 'x', proof: null })).to.include({ certificateId: undefined, hiddenCount: 0 });
    expect(certificateIdOf('urn:ctl:certificate:A-1')).to.equal('A-1');
    expect(certificateIdOf(7)).to.equal(undefined);
  });

  it('makes a share link absolute on this portal', () => {
    expect(absoluteShareUrl('/s/abc', 'https://portal.example')).to.equal('https://portal.example/s/abc');
  });
});

describe('web: consent audiences and idempotency keys', () => {
  it('offers the street offices and departments of the configuration, not the audit office, for at most 7 days', () => {
    const ids = CONSENT_AUDIENCES.map((d) => d.mspId);
    expect(ids).to.include.members(['StreetOfficeMSP', 'CivilAffairsMSP', 'HRSocialSecurityMSP']);
    expect(ids).to.not.include('AuditOfficeMSP');
    expect(Math.max(...CONSENT_EXPIRY_OPTIONS.map((o) => o.seconds))).to.equal(7 * 86_400);
  });

  it('reuses a key while the content is unchanged and takes a new one for new content or after a reset', () => {
    let n = 0;
    const keys = contentKeys(() => `k${++n}`);
    expect(keys.for({ a: 1 })).to.equal('k1');
    expect(keys.for({ a: 1 })).to.equal('k1');
    expect(keys.for({ a: 2 })).to.equal('k2');
    keys.reset();
    expect(keys.for({ a: 2 })).to.equal('k3');
  });
});
