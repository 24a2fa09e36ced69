/**
 * The tamper suite of issue 7 (the cases that concern the library): each tampered or invalid
 * certificate must be rejected, and by the named check. Ports are the in-test ledgers of
 * support.ts (pure-logic unit tests); evm-integration.test.ts repeats the chain cases against the
 * real contracts.
 */
import { expect } from 'chai';
import { CHECK_NAMES, disclose, verify, type CertificateDocument, type CheckName, type VerificationResult } from '../../src/verification';
import { fieldHash, headerOf } from '../../src/verification/fields';
import { keccak } from '../../src/verification/hash';
import { pathNodes } from '../../src/verification/merkle';
import { DAY, InTestLedgers, NOW, T0, clone, iso, residenceDraft } from './support';

function checkOf(result: VerificationResult, name: CheckName): { ok: boolean; code: string; detail: string; facts?: Readonly<Record<string, string | number>> } {
  const found = result.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name}`);
  return found;
}

function expectRejectedBy(result: VerificationResult, name: CheckName, code?: string): void {
  const c = checkOf(result, name);
  expect(result.valid, `valid with ${name} ${JSON.stringify(c)}`).to.equal(false);
  expect(c.ok, `${name}: ${c.detail}`).to.equal(false);
  if (code !== undefined) expect(c.code, c.detail).to.equal(code);
}

/** Every primitive leaf of a JSON value, as a path of keys. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [path];
}

function setAt(doc: Record<string, unknown>, path: (string | number)[], change: (old: unknown) => unknown): void {
  let node: unknown = doc;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1] as string | number;
  const parent = node as Record<string | number, unknown>;
  parent[last] = change(parent[last]);
}

function changed(old: unknown): unknown {
  if (typeof old === 'string') return `${old}x`;
  if (typeof old === 'number') return old + 1;
  if (typeof old === 'boolean') return !old;
  return 'x';
}

describe('verification: tamper suite', () => {
  let ledgers: InTestLedgers;
  let docs: CertificateDocument[];
  let doc: CertificateDocument;

  beforeEach(async () => {
    ledgers = new InTestLedgers();
    docs = await ledgers.issue([1, 2, 3, 4, 5].map((i) => residenceDraft(i)));
    doc = docs[2] as CertificateDocument;
  });

  it('accepts an untouched certificate, reporting the seven checks in order', async () => {
    const result = await verify(doc, ledgers.ports(), { now: NOW });
    expect(result.checks.map((c) => c.name)).to.deep.equal([...CHECK_NAMES]);
    for (const c of result.checks) expect(c.ok, `${c.name}: ${c.detail}`).to.equal(true);
    expect(result.valid).to.equal(true);
  });

  it('rejects a change to any field of the document (integrity)', async () => {
    const paths = leaves(clone(doc)).filter((p) => p[0] !== 'proof');
    expect(paths.length).to.be.greaterThan(15);
    for (const path of paths) {
      const tampered = clone(doc);
      setAt(tampered, path, changed);
      const result = await verify(tampered, ledgers.ports(), { now: NOW });
      expect(checkOf(result, 'integrity').ok, `changing ${path.join('.')} went unnoticed`).to.equal(false);
      expect(result.valid).to.equal(false);
    }
  });

  it('rejects an added field and a removed field (integrity)', async () => {
    const added = clone(doc);
    (added.credentialSubject as Record<string, unknown>).disability = 'none';
    expectRejectedBy(await verify(added, ledgers.ports(), { now: NOW }), 'integrity', 'CHANGED');
    const addedTop = clone(doc);
    addedTop.name = 'Extra';
    expectRejectedBy(await verify(addedTop, ledgers.ports(), { now: NOW }), 'integrity', 'CHANGED');
    const removed = clone(doc);
    delete (removed.credentialSubject as Record<string, unknown>).address;
    expectRejectedBy(await verify(removed, ledgers.ports(), { now: NOW }), 'integrity', 'FIELD_MISSING');
    const removedHeader = clone(doc);
    delete (removedHeader.credentialSubject as Record<string, unknown>).community;
    expectRejectedBy(await verify(removedHeader, ledgers.ports(), { now: NOW }), 'integrity', 'CHANGED');
  });

  it('rejects a changed salt, of the header and of a personal field (integrity)', async () => {
    for (const path of ['', '/credentialSubject/holderName']) {
      const tampered = clone(doc);
      const salts = (tampered.proof as { salts: Record<string, string> }).salts;
      salts[path] = `0x${'ab'.repeat(32)}`;
      expectRejectedBy(await verify(tampered, ledgers.ports(), { now: NOW }), 'integrity', 'CHANGED');
    }
  });

  it('rejects a changed targetHash (integrity)', async () => {
    const tampered = clone(doc);
    (tampered.proof as { targetHash: string }).targetHash = (docs[0] as CertificateDocument).proof.targetHash;
    expectRejectedBy(await verify(tampered, ledgers.ports(), { now: NOW }), 'integrity', 'CHANGED');
  });

  it('rejects a swapped, shortened, reordered or altered Merkle proof (batchInclusion)', async () => {
    const proof = doc.proof.merkleProof;
    expect(proof.length).to.be.greaterThan(1);
    const variants: Record<string, string[]> = {
      swapped: [...(docs[0] as CertificateDocument).proof.merkleProof].reverse().slice(0, proof.length),
      otherDocument: [...(docs[4] as CertificateDocument).proof.merkleProof],
      shortened: proof.slice(0, -1),
      reordered: [...proof].reverse(),
      altered: [proof[0]?.replace(/.$/, (c) => (c === '0' ? '1' : '0')) ?? '', ...proof.slice(1)],
      extended: [...proof, `0x${'22'.repeat(32)}`],
    };
    for (const [name, merkleProof] of Object.entries(variants)) {
      if (JSON.stringify(merkleProof) === JSON.stringify(proof)) continue;
      const tampered = clone(doc);
      (tampered.proof as { merkleProof: string[] }).merkleProof = merkleProof;
      const result = await verify(tampered, ledgers.ports(), { now: NOW });
      expect(checkOf(result, 'batchInclusion').ok, name).to.equal(false);
      expect(result.valid, name).to.equal(false);
    }
  });

  it('rejects a swapped batch root, even one that is anchored (batchInclusion)', async () => {
    const other = await ledgers.issue([residenceDraft(50), residenceDraft(51)]);
    const tampered = clone(doc);
    (tampered.proof as { merkleRoot: string }).merkleRoot = (other[0] as CertificateDocument).proof.merkleRoot;
    expectRejectedBy(await verify(tampered, ledgers.ports(), { now: NOW }), 'batchInclusion', 'NOT_IN_BATCH');
  });

  it('rejects a document naming another chain or another contract (anchored)', async () => {
    const wrongChain = clone(doc);
    (wrongChain.proof as { anchor: { chainId: number } }).anchor.chainId = 1;
    expectRejectedBy(await verify(wrongChain, ledgers.ports(), { now: NOW }), 'anchored', 'WRONG_CHAIN');
    const wrongContract = clone(doc);
    (wrongContract.proof as { anchor: { trustAnchor: string } }).anchor.trustAnchor = '0x000000000000000000000000000000000000dEaD';
    expectRejectedBy(await verify(wrongContract, ledgers.ports(), { now: NOW }), 'anchored', 'WRONG_CONTRACT');
  });

  it('rejects a batch that was never anchored, and one anchored after the asOf date (anchored)', async () => {
    ledgers.roots.clear();
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: NOW }), 'anchored', 'NOT_ANCHORED');
    ledgers.anchor(doc.proof.merkleRoot, 'CivilAffairsMSP', T0 + 10 * DAY);
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: NOW, asOf: iso(T0 + 5 * DAY) }), 'anchored', 'NOT_YET_ANCHORED');
    expect((await verify(doc, ledgers.ports(), { now: NOW })).valid).to.equal(true);
  });

  it('rejects a certificate whose whole batch is revoked, with the reason and date (notRevoked)', async () => {
    ledgers.revoke(doc.proof.merkleRoot, T0 + 3 * DAY, 1);
    const result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'REVOKED');
    const c = checkOf(result, 'notRevoked');
    expect(c.facts).to.include({ scope: 'batch', reason: 'ISSUED_IN_ERROR', revokedAt: new Date((T0 + 3 * DAY) * 1000).toISOString() });
    expect(c.detail).to.match(/whole batch was revoked on 2025-01-04 00:00:00 UTC: it was issued by mistake/);
  });

  it('rejects a certificate revoked on its own, and one revoked through an inner node (notRevoked)', async () => {
    ledgers.revoke(doc.proof.targetHash, T0 + DAY, 5);
    let result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'REVOKED');
    expect(checkOf(result, 'notRevoked').facts).to.include({ scope: 'certificate', reason: 'FRAUD' });
    expect((await verify(docs[0], ledgers.ports(), { now: NOW })).valid, 'a sibling stays valid').to.equal(true);

    ledgers.revoked.clear();
    const inner = pathNodes(await keccak(), doc.proof.targetHash, doc.proof.merkleProof)[1];
    ledgers.revoke(inner as `0x${string}`, T0 + DAY, 2);
    result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'REVOKED');
    expect(checkOf(result, 'notRevoked').facts).to.include({ scope: 'group', reason: 'SUPERSEDED' });
  });

  it('rejects a suspended certificate, from the anchor and from the Fabric record (notRevoked)', async () => {
    ledgers.revoke(doc.proof.targetHash, T0 + DAY, 6);
    let result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'SUSPENDED');

    ledgers.revoked.clear();
    const id = doc.id.replace('urn:ctl:certificate:', '');
    ledgers.setStatus(id, 'SUSPENDED', T0 + 2 * DAY, 'UNDER_REVIEW', 'the address is being checked');
    result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'SUSPENDED');
    expect(checkOf(result, 'notRevoked').detail).to.include('the address is being checked');
    expectRejectedBy(result, 'ledgerRecord', 'SUSPENDED');

    ledgers.setStatus(id, 'ISSUED', T0 + 4 * DAY, 'REVIEW_CLEARED');
    expect((await verify(doc, ledgers.ports(), { now: NOW })).valid, 'reinstated').to.equal(true);
    expect((await verify(doc, ledgers.ports(), { now: NOW, asOf: iso(T0 + 3 * DAY) })).valid, 'while suspended').to.equal(false);
  });

  it('rejects a certificate revoked on Fabric before the revocation reaches the anchor (notRevoked, ledgerRecord)', async () => {
    const id = doc.id.replace('urn:ctl:certificate:', '');
    ledgers.setStatus(id, 'REVOKED', T0 + DAY, 'ISSUED_IN_ERROR', 'wrong address');
    const result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'REVOKED');
    expectRejectedBy(result, 'ledgerRecord', 'REVOKED');
  });

  it('never reports in force a record whose reader dropped the history of its revocation (notRevoked, ledgerRecord)', async () => {
    const id = doc.id.replace('urn:ctl:certificate:', '');
    const record = ledgers.records.get(id);
    if (record === undefined) throw new Error('no record');
    ledgers.records.set(id, { ...record, status: 'REVOKED', statusChanges: [] });
    const result = await verify(doc, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'notRevoked', 'REVOKED');
    expectRejectedBy(result, 'ledgerRecord', 'REVOKED');
  });

  it('answers "was it valid on date D?" around a revocation', async () => {
    ledgers.revoke(doc.proof.targetHash, T0 + 10 * DAY, 4);
    const before = await verify(doc, ledgers.ports(), { now: NOW, asOf: iso(T0 + 9 * DAY) });
    expect(before.valid).to.equal(true);
    expect(checkOf(before, 'notRevoked').detail).to.include('revoked later');
    const after = await verify(doc, ledgers.ports(), { now: NOW, asOf: iso(T0 + 10 * DAY) });
    expectRejectedBy(after, 'notRevoked', 'REVOKED');
  });

  it('rejects an expired and a not-yet-valid certificate (notExpired)', async () => {
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: new Date((T0 + 400 * DAY) * 1000) }), 'notExpired', 'EXPIRED');
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: new Date((T0 + 365 * DAY) * 1000) }), 'notExpired', 'EXPIRED');
    const [future] = await ledgers.issue([residenceDraft(9, { validFrom: iso(T0 + 60 * DAY), validUntil: iso(T0 + 90 * DAY) })]);
    expectRejectedBy(await verify(future, ledgers.ports(), { now: NOW }), 'notExpired', 'NOT_YET_VALID');
    expect((await verify(future, ledgers.ports(), { now: new Date((T0 + 61 * DAY) * 1000) })).valid).to.equal(true);
  });

  it('accepts a certificate with no end of validity, for any date after its start', async () => {
    const [forever] = await ledgers.issue([residenceDraft(10, { validUntil: null })]);
    const result = await verify(forever, ledgers.ports(), { now: new Date((T0 + 9000 * DAY) * 1000) });
    expect(result.valid, JSON.stringify(result.checks)).to.equal(true);
    expect(checkOf(result, 'notExpired').detail).to.include('no end date');
  });

  it('rejects a certificate claiming an unknown issuer (issuerAllowed)', async () => {
    ledgers.registerDepartment('FakeMSP', '0x00000000000000000000000000000000000000f1');
    ledgers.departments.delete(ledgers.accounts.get('0x00000000000000000000000000000000000000f1') as string);
    const [fake] = await ledgers.issue([residenceDraft(11, { issuer: { mspId: 'FakeMSP', name: 'Fake Department' } })]);
    expectRejectedBy(await verify(fake, ledgers.ports(), { now: NOW }), 'issuerAllowed', 'UNKNOWN_ISSUER');
  });

  it('rejects a department not allowed to issue the type (issuerAllowed)', async () => {
    const [doc2] = await ledgers.issue([residenceDraft(12, { issuer: { mspId: 'PublicSecurityMSP', name: 'Public Security' } })]);
    const result = await verify(doc2, ledgers.ports(), { now: NOW });
    expectRejectedBy(result, 'issuerAllowed', 'NOT_AUTHORIZED');
    expect(checkOf(result, 'issuerAllowed').detail).to.include('Public Security was not allowed to issue RESIDENCE_PROOF');
  });

  it('rejects a department allowed only after the issue time (issuerAllowed)', async () => {
    ledgers.authorize('PublicSecurityMSP', 'RESIDENCE_PROOF', T0 + 5 * DAY, 0);
    const [early] = await ledgers.issue([residenceDraft(13, { issuer: { mspId: 'PublicSecurityMSP', name: 'Public Security' } })], T0 + DAY);
    expectRejectedBy(await verify(early, ledgers.ports(), { now: NOW }), 'issuerAllowed', 'NOT_AUTHORIZED');
    const [later] = await ledgers.issue([residenceDraft(14, { issuer: { mspId: 'PublicSecurityMSP', name: 'Public Security' } })], T0 + 6 * DAY);
    expect((await verify(later, ledgers.ports(), { now: NOW })).valid).to.equal(true);
  });

  it('rejects a batch anchored by another department than the certificate names (issuerAllowed)', async () => {
    const [doc2] = await ledgers.issue([residenceDraft(15)], T0, 'PublicSecurityMSP');
    expectRejectedBy(await verify(doc2, ledgers.ports(), { now: NOW }), 'issuerAllowed', 'ANCHORED_BY_OTHER');
  });

  it('refuses to hide a field that must always be shown, and rejects documents that try (integrity)', async () => {
    for (const field of ['validUntil', 'issuer', 'id', 'certificateType', 'community', 'certificateName']) {
      let error: unknown;
      try {
        await disclose(doc, [field]);
      } catch (err) {
        error = err;
      }
      expect((error as { code?: string } | undefined)?.code, field).to.equal('CERT_DISCLOSURE.MUST_SHOW');
    }
    // Hiding the header (it holds id, type, issuer, holder reference, validity) behind its hash.
    const k = await keccak();
    const hiddenHeader = clone(doc);
    const proof = hiddenHeader.proof as { salts: Record<string, string>; hidden: string[] };
    const headerSalt = proof.salts[''] as `0x${string}`;
    const claims = new Set(Object.keys(proof.salts).filter((p) => p !== '').map((p) => p.slice('/credentialSubject/'.length)));
    proof.hidden = [...proof.hidden, fieldHash(k, '', headerSalt, headerOf(clone(doc), claims))].sort();
    delete proof.salts[''];
    hiddenHeader.validUntil = iso(T0 + 9999 * DAY);
    expectRejectedBy(await verify(hiddenHeader, ledgers.ports(), { now: NOW }), 'integrity', 'MUST_SHOW_HIDDEN');
    // Making a header member disclosable by giving it a salt of its own.
    for (const path of ['/validUntil', '/credentialSubject/id', '/credentialSubject/certificateType']) {
      const tampered = clone(doc);
      (tampered.proof as { salts: Record<string, string> }).salts[path] = `0x${'cd'.repeat(32)}`;
      expectRejectedBy(await verify(tampered, ledgers.ports(), { now: NOW }), 'integrity', 'MUST_SHOW_HIDDEN');
    }
  });

  it('rejects a document whose ledger record is missing or differs (ledgerRecord)', async () => {
    const id = doc.id.replace('urn:ctl:certificate:', '');
    const record = ledgers.records.get(id);
    if (record === undefined) throw new Error('no record');
    ledgers.records.delete(id);
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: NOW }), 'ledgerRecord', 'NOT_FOUND');
    for (const change of [{ documentHash: (docs[0] as CertificateDocument).proof.targetHash }, { typeCode: 'ELDERLY_CARE' }, { issuerMsp: 'PublicSecurityMSP' }, { txId: 'f'.repeat(64) }, { blockNumber: 999 }, { subjectRef: `0x${'1'.repeat(64)}` }, { validUntil: null }]) {
      ledgers.records.set(id, { ...record, ...change });
      expectRejectedBy(await verify(doc, ledgers.ports(), { now: NOW }), 'ledgerRecord', 'MISMATCH');
    }
    ledgers.records.set(id, record);
    const otherRef = clone(doc);
    (otherRef.proof as { record: { txId: string } }).record.txId = 'e'.repeat(64);
    expectRejectedBy(await verify(otherRef, ledgers.ports(), { now: NOW }), 'ledgerRecord', 'MISMATCH');
    const noRef = clone(doc);
    delete (noRef.proof as { record?: unknown }).record;
    expectRejectedBy(await verify(noRef, ledgers.ports(), { now: NOW }), 'ledgerRecord', 'NO_RECORD');
  });

  it('rejects when the ledger recorded the certificate only after the asOf date (ledgerRecord)', async () => {
    const id = doc.id.replace('urn:ctl:certificate:', '');
    const record = ledgers.records.get(id);
    if (record === undefined) throw new Error('no record');
    ledgers.records.set(id, { ...record, issuedAt: iso(T0 + 2 * DAY) });
    expectRejectedBy(await verify(doc, ledgers.ports(), { now: NOW, asOf: iso(T0 + DAY) }), 'ledgerRecord', 'NOT_YET_RECORDED');
  });
});
