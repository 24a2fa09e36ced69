/**
 * Offline bundles and their QR payload: a round trip verifies with no ports at all, given the
 * trusted department key ids; a bundle signed by an untrusted key, or with a changed snapshot,
 * does not vouch for the status checks. Also the optional JWT-VC form.
 */
import { expect } from 'chai';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  QR_MAX_BYTES,
  createOfflineBundle,
  decodeQrPayload,
  disclose,
  encodeQrPayload,
  keyIdOf,
  openJwtVc,
  signJwtVc,
  verify,
  verifyOfflineBundle,
  type CertificateDocument,
  type SnapshotSigner,
} from '../../src/verification';
import { DAY, InTestLedgers, NOW, T0, clone, residenceDraft } from './support';

async function departmentKey(mspId: string): Promise<SnapshotSigner & { keyId: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk: JWK = await exportJWK(privateKey);
  const { d: _d, ...publicJwk } = privateJwk;
  return { mspId, privateJwk, keyId: keyIdOf(publicJwk) };
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('verification: offline bundles', () => {
  let ledgers: InTestLedgers;
  let docs: CertificateDocument[];
  let civil: SnapshotSigner & { keyId: string };
  let street: SnapshotSigner & { keyId: string };

  before(async () => {
    civil = await departmentKey('CivilAffairsMSP');
    street = await departmentKey('StreetOfficeMSP');
  });

  beforeEach(async () => {
    ledgers = new InTestLedgers();
    docs = await ledgers.issue(Array.from({ length: 100 }, (_, i) => residenceDraft(i)));
  });

  it('round-trips through JSON and verifies with no network, given the trusted key ids', async () => {
    const doc = docs[17] as CertificateDocument;
    const bundle = await createOfflineBundle(doc, ledgers.ports(), { signers: [civil], now: NOW });
    const copy = JSON.parse(JSON.stringify(bundle)) as unknown;
    const result = await verifyOfflineBundle(copy, { trustedKeyIds: [civil.keyId], now: new Date(NOW.getTime() + DAY * 1000) });
    expect(result.valid, JSON.stringify(result.checks)).to.equal(true);
    expect(result.snapshot).to.deep.include({ trusted: true, signedBy: ['CivilAffairsMSP'] });
    expect(result.checks.find((c) => c.name === 'notRevoked')?.detail).to.include('status snapshot of 2025-01-31');
  });

  it('fits a disclosure of a 100-certificate batch into one QR code and reads it back', async () => {
    const shared = await disclose(docs[3] as CertificateDocument, ['holderName', 'address', 'birthDate']);
    const bundle = await createOfflineBundle(shared, ledgers.ports(), { signers: [civil], now: NOW });
    const payload = await encodeQrPayload(bundle);
    expect(payload.startsWith('CTL1:')).to.equal(true);
    expect(payload.length).to.be.at.most(QR_MAX_BYTES);
    const back = await decodeQrPayload(payload);
    expect(back).to.deep.equal(JSON.parse(JSON.stringify(bundle)));
    expect((await verifyOfflineBundle(back, { trustedKeyIds: [civil.keyId], now: NOW })).valid).to.equal(true);
  });

  it('reports a revocation the snapshot recorded', async () => {
    const doc = docs[5] as CertificateDocument;
    ledgers.revoke(doc.proof.targetHash, T0 + DAY, 4);
    const bundle = await createOfflineBundle(doc, ledgers.ports(), { signers: [civil], now: NOW });
    const result = await verifyOfflineBundle(bundle, { trustedKeyIds: [civil.keyId], now: NOW });
    expect(result.valid).to.equal(false);
    expect(result.checks.find((c) => c.name === 'notRevoked')).to.include({ ok: false, code: 'REVOKED' });
  });

  it('does not take status answers from an untrusted key, a changed snapshot, or too few signers', async () => {
    const doc = docs[9] as CertificateDocument;
    const bundle = await createOfflineBundle(doc, ledgers.ports(), { signers: [civil], now: NOW });
    const statusChecks = ['anchored', 'notRevoked', 'issuerAllowed', 'ledgerRecord'];

    const untrusted = await verifyOfflineBundle(bundle, { trustedKeyIds: [street.keyId], now: NOW });
    expect(untrusted.valid).to.equal(false);
    expect(untrusted.snapshot.trusted).to.equal(false);
    for (const name of statusChecks) {
      const c = untrusted.checks.find((x) => x.name === name);
      expect(c, name).to.include({ ok: false, code: 'UNAVAILABLE' });
      expect(c?.detail, name).to.include('not signed by a department key this verifier trusts');
    }
    expect(untrusted.checks.find((c) => c.name === 'integrity')?.ok, 'the document itself still checks').to.equal(true);

    ledgers.revoke(doc.proof.merkleRoot, T0 + DAY, 5);
    const revokedBundle = await createOfflineBundle(doc, ledgers.ports(), { signers: [civil], now: NOW });
    const honest = await verifyOfflineBundle(revokedBundle, { trustedKeyIds: [civil.keyId], now: NOW });
    expect(honest.checks.find((c) => c.name === 'notRevoked')).to.include({ ok: false, code: 'REVOKED' });
    const forged = clone(revokedBundle) as unknown as { snapshot: { anchor: { revocations: unknown[] } } };
    forged.snapshot.anchor.revocations = [];
    const changed = await verifyOfflineBundle(forged, { trustedKeyIds: [civil.keyId], now: NOW });
    expect(changed.snapshot.trusted).to.equal(false);
    expect(changed.valid).to.equal(false);

    const twoNeeded = await verifyOfflineBundle(bundle, { trustedKeyIds: [civil.keyId, street.keyId], threshold: 2, now: NOW });
    expect(twoNeeded.snapshot.trusted).to.equal(false);
    const cosigned = await createOfflineBundle(doc, ledgers.ports(), { signers: [civil, street], now: NOW });
    const both = await verifyOfflineBundle(cosigned, { trustedKeyIds: [civil.keyId, street.keyId], threshold: 2, now: NOW });
    expect(both.snapshot.signedBy).to.deep.equal(['CivilAffairsMSP', 'StreetOfficeMSP']);
    expect(both.checks.find((c) => c.name === 'anchored')?.ok).to.equal(true);
  });

  it('does not count a signature under a trusted key it was not made with', async () => {
    const bundle = await createOfflineBundle(docs[1] as CertificateDocument, ledgers.ports(), { signers: [street], now: NOW });
    const lying = clone(bundle) as unknown as { keys: { jwk: unknown }[] };
    (lying.keys[0] as { jwk: unknown }).jwk = publicOf(civil.privateJwk);
    const result = await verifyOfflineBundle(lying, { trustedKeyIds: [civil.keyId], now: NOW });
    expect(result.snapshot.trusted).to.equal(false);
    expect((await verifyOfflineBundle(bundle, { trustedKeyIds: [street.keyId], now: NOW })).snapshot.trusted).to.equal(true);
  });

  it('refuses stale snapshots when asked to, and malformed bundles and payloads', async () => {
    const bundle = await createOfflineBundle(docs[2] as CertificateDocument, ledgers.ports(), { signers: [civil], now: NOW });
    const stale = await verifyOfflineBundle(bundle, { trustedKeyIds: [civil.keyId], now: new Date(NOW.getTime() + 2 * DAY * 1000), maxSnapshotAgeSeconds: DAY });
    expect(stale.valid).to.equal(false);
    expect(stale.checks.find((c) => c.name === 'anchored')?.detail).to.include('older than');
    expect((await rejection(verifyOfflineBundle({ format: 'other' }, { trustedKeyIds: [] }))).code).to.equal('CERT_BUNDLE.INVALID');
    const noSignatures = { ...clone(bundle), signatures: [] };
    expect((await rejection(verifyOfflineBundle(noSignatures, { trustedKeyIds: [] }))).code).to.equal('CERT_BUNDLE.INVALID');
    expect((await rejection(decodeQrPayload('https://example.org'))).code).to.equal('CERT_BUNDLE.INVALID');
    expect((await rejection(decodeQrPayload('CTL1:!!!'))).code).to.equal('CERT_BUNDLE.INVALID');
    expect((await rejection(decodeQrPayload('CTL1:AAAA'))).code).to.equal('CERT_BUNDLE.INVALID');
  });

  it('refuses a QR payload that inflates beyond 1 MiB', async () => {
    const zeros = new Uint8Array(2 << 20);
    const stream = new Blob([zeros]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bomb = new Uint8Array(await new Response(stream).arrayBuffer());
    expect((await rejection(decodeQrPayload(`CTL1:${Buffer.from(bomb).toString('base64url')}`))).code).to.equal('CERT_BUNDLE.TOO_LARGE');
  });

  it('signs a document as a JWT-VC that opens only with the issuing department key', async () => {
    const doc = docs[4] as CertificateDocument;
    const jwt = await signJwtVc(doc, civil);
    expect(jwt.split('.')).to.have.length(3);
    const civilKey = { mspId: 'CivilAffairsMSP', jwk: publicOf(civil.privateJwk) };
    const opened = await openJwtVc(jwt, [civilKey]);
    expect(opened.document).to.deep.equal(JSON.parse(JSON.stringify(doc)));
    expect((await verify(opened.document, ledgers.ports(), { now: NOW })).valid).to.equal(true);
    expect((await rejection(openJwtVc(jwt, []))).code).to.equal('CERT_JWT.UNTRUSTED');
    const parts = jwt.split('.');
    const tampered = [parts[0], Buffer.from(JSON.stringify({ ...JSON.parse(JSON.stringify(doc)), validUntil: '2099-01-01T00:00:00Z' })).toString('base64url'), parts[2]].join('.');
    expect((await rejection(openJwtVc(tampered, [civilKey]))).code).to.equal('CERT_JWT.UNTRUSTED');
    expect((await rejection(signJwtVc(doc, street))).code).to.equal('CERT_JWT.INVALID');
  });
});

function publicOf(jwk: JWK): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  return { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
}
