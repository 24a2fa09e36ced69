/**
 * The document format: wrapping batches, the Merkle proofs OpenZeppelin checks, field hashing
 * against the reference canonicaliser, disclosures, and bad input. Pure logic, no ports.
 */
import { expect } from 'chai';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { concat, keccak256, toUtf8Bytes } from 'ethers';
import {
  BatchError,
  computeTargetHash,
  disclose,
  hideableFields,
  verify,
  withLedgerRecord,
  wrapBatch,
  type CertificateDocument,
} from '../../src/verification';
import { fieldPreimage } from '../../src/verification/fields';
import { keccak, toHex, type Hex32 } from '../../src/verification/hash';
import { buildMerkleTree } from '../../src/verification/merkle';
import { CHAIN_ID, ELDERLY_CARE, InTestLedgers, NOW, RESIDENCE_PROOF, TRUST_ANCHOR, TYPES, clone, residenceDraft } from './support';

const anchor = { chainId: CHAIN_ID, trustAnchor: TRUST_ANCHOR };

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; rows?: { index: number; path: string }[] }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; rows?: { index: number; path: string }[] };
  }
  throw new Error('expected a rejection');
}

describe('verification: document format', () => {
  it('wraps a batch of one with root == targetHash and an empty proof', async () => {
    const batch = await wrapBatch([residenceDraft(1)], { anchor, types: TYPES });
    const doc = batch.documents[0] as CertificateDocument;
    expect(batch.merkleRoot).to.equal(doc.proof.targetHash);
    expect(doc.proof.merkleProof).to.deep.equal([]);
    expect(doc.proof.hidden).to.deep.equal([]);
  });

  it('produces proofs that OpenZeppelin SimpleMerkleTree verifies and the same root as its default hashing', async () => {
    const drafts = Array.from({ length: 100 }, (_, i) => residenceDraft(i));
    const batch = await wrapBatch(drafts, { anchor, types: TYPES });
    const reference = SimpleMerkleTree.of(batch.targetHashes);
    expect(batch.merkleRoot).to.equal(reference.root);
    for (const doc of batch.documents) {
      expect(doc.proof.merkleRoot).to.equal(batch.merkleRoot);
      expect(SimpleMerkleTree.verify(batch.merkleRoot, doc.proof.targetHash, [...doc.proof.merkleProof])).to.equal(true);
      expect(doc.proof.merkleProof.length).to.be.within(6, 7);
    }
  });

  it('builds the same tree as SimpleMerkleTree for any number of leaves', async () => {
    const k = await keccak();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 300 }), async (seeds) => {
        const leaves = seeds.map((s) => k.text(s));
        const tree = buildMerkleTree(k, leaves);
        const reference = SimpleMerkleTree.of(leaves);
        expect(tree.root).to.equal(reference.root);
        leaves.forEach((_, i) => {
          expect(tree.proofs[i]).to.deep.equal(reference.getProof(i));
        });
        await Promise.resolve();
      }),
      { numRuns: 60 },
    );
  });

  it('lays the document out in the VC 2.0 envelope, with personal fields salted separately', async () => {
    const [doc] = (await wrapBatch([residenceDraft(7)], { anchor, types: TYPES })).documents;
    if (doc === undefined) throw new Error('no document');
    expect(doc['@context'][0]).to.equal('https://www.w3.org/ns/credentials/v2');
    expect(doc.type).to.deep.equal(['VerifiableCredential', 'CommunityCertificate']);
    expect(doc.id).to.equal('urn:ctl:certificate:CA-2025-000007');
    expect(doc.issuer).to.deep.equal({ id: 'urn:ctl:msp:CivilAffairsMSP', name: 'Civil Affairs' });
    expect(doc.credentialSubject.id).to.match(/^urn:ctl:subject:0x[0-9a-f]{64}$/);
    expect(doc.credentialSubject.certificateType).to.equal('RESIDENCE_PROOF');
    expect(doc.credentialSubject.certificateName).to.equal('Proof of residence');
    expect(Object.keys(doc.proof.salts).sort()).to.deep.equal(['', '/credentialSubject/address', '/credentialSubject/birthDate', '/credentialSubject/holderName', '/credentialSubject/ownsHome']);
    expect(hideableFields(doc).sort()).to.deep.equal(['address', 'birthDate', 'holderName', 'ownsHome']);
    expect(new Set(Object.values(doc.proof.salts)).size, 'salts are distinct').to.equal(5);
  });

  it("reproduces the README's test vector, which an independent ethers + canonicalize computation also gives", async () => {
    let n = 0;
    const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => (n++ * 7 + 1) & 255);
    const drafts = [0, 1].map((i) => ({
      certificateId: `CA-2025-00000${i + 1}`,
      typeCode: 'RESIDENCE_PROOF',
      issuer: { mspId: 'CivilAffairsMSP', name: 'Civil Affairs' },
      subjectRef: `0x${(i === 0 ? 'a' : 'b').repeat(64)}`,
      validFrom: '2025-01-01T00:00:00Z',
      validUntil: '2026-01-01T00:00:00Z',
      fields: { holderName: i === 0 ? 'Zhang San' : 'Li Si', address: `${i + 1} Harmony Road`, community: 'Harmony Community' },
    }));
    const batch = await wrapBatch(drafts, { anchor: { chainId: 31337, trustAnchor: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }, types: [RESIDENCE_PROOF], randomBytes });
    const doc = batch.documents[0] as CertificateDocument;
    expect(doc.proof.salts['']).to.equal('0x01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da');
    const header = canonicalize({ path: '', salt: doc.proof.salts[''], value: { ...(JSON.parse(JSON.stringify(doc)) as Record<string, unknown>), proof: undefined, credentialSubject: { id: doc.credentialSubject.id, certificateType: 'RESIDENCE_PROOF', certificateName: 'Proof of residence', community: 'Harmony Community' } } }) ?? '';
    const hashes = [
      keccak256(toUtf8Bytes(header)),
      keccak256(toUtf8Bytes(canonicalize({ path: '/credentialSubject/holderName', salt: doc.proof.salts['/credentialSubject/holderName'], value: 'Zhang San' }) ?? '')),
      keccak256(toUtf8Bytes(canonicalize({ path: '/credentialSubject/address', salt: doc.proof.salts['/credentialSubject/address'], value: '1 Harmony Road' }) ?? '')),
    ];
    expect(hashes).to.deep.equal([
      '0x5522997c228de7067148d96d6d88a27a9e3e3a63470c8f0785de3f783f1f0a22',
      '0xbdd63d948c617ece7c8c0c17b8547291b17e74de88dd9c38fac3a613911a2ee8',
      '0xa0f593ee40448901da4a2accfb99f6ea02cce0fbab1622a0d24bdbe1692c95d1',
    ]);
    expect(doc.proof.targetHash).to.equal(keccak256(concat([...hashes].sort())));
    expect(doc.proof.targetHash).to.equal('0xa2124dc95978067a4c7fcf79b97bc7b3e89d211898d3b972c013314ec79cc4ee');
    expect(batch.merkleRoot).to.equal('0x39e3f3a611564ea706a6b7a85b6e461d8e7db7701b3b97530bc5101279b4919f');
    expect(doc.proof.merkleProof).to.deep.equal(['0xdb35a02df2af9d2e6d899b631fbb2b7f8553c828ab39d03a990c49808dc98fef']);
  });

  it('recomputes the targetHash the chaincode records', async () => {
    const batch = await wrapBatch([residenceDraft(1), residenceDraft(2)], { anchor, types: TYPES });
    for (const [i, doc] of batch.documents.entries()) expect(await computeTargetHash(doc)).to.equal(batch.targetHashes[i]);
  });

  it('hashes with the WebAssembly keccak exactly as ethers does', async () => {
    const k = await keccak();
    expect(k.implementation).to.equal('wasm');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(k.text(text)).to.equal(keccak256(toUtf8Bytes(text)));
        expect(toHex(k.textBytes(text))).to.equal(keccak256(toUtf8Bytes(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('builds the field preimage exactly as RFC 8785 canonicalize does', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (path, value) => {
        const salt: Hex32 = `0x${'5a'.repeat(32)}`;
        expect(fieldPreimage(path, salt, value)).to.equal(canonicalize({ path, salt, value }));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an empty batch, an oversized batch, duplicate ids and mixed issuers', async () => {
    expect((await rejection(wrapBatch([], { anchor, types: TYPES }))).code).to.equal('CERT_BATCH.EMPTY');
    const huge = Array.from({ length: 10_001 }, () => residenceDraft(1));
    expect((await rejection(wrapBatch(huge, { anchor, types: TYPES }))).code).to.equal('CERT_BATCH.TOO_LARGE');
    expect((await rejection(wrapBatch([residenceDraft(1), residenceDraft(2), residenceDraft(1)], { anchor, types: TYPES }))).code).to.equal('CERT_BATCH.DUPLICATE_ID');
    const mixed = [residenceDraft(1), residenceDraft(2, { issuer: { mspId: 'PublicSecurityMSP', name: 'Public Security' } })];
    expect((await rejection(wrapBatch(mixed, { anchor, types: TYPES }))).code).to.equal('CERT_BATCH.MIXED_ISSUERS');
  });

  it('reports every bad row and wraps nothing when one row is bad', async () => {
    const drafts = [
      residenceDraft(1),
      residenceDraft(2, { subjectRef: '110101199003071233' }),
      residenceDraft(3, { validFrom: '2025-01-01' }),
      residenceDraft(4, { fields: { holderName: 'A', community: 'C', address: '', birthDate: '1950-02-30', extra: 'x' } }),
      residenceDraft(5, { typeCode: 'UNKNOWN_TYPE' }),
      residenceDraft(6, { validUntil: '2024-01-01T00:00:00Z' }),
    ];
    const error = await rejection(wrapBatch(drafts, { anchor, types: TYPES }));
    expect(error).to.be.instanceOf(BatchError);
    expect(error.code).to.equal('CERT_BATCH.INVALID_ROWS');
    const rows = (error.rows ?? []).map((r) => `${r.index}:${r.path}`);
    expect(rows).to.have.members(['1:subjectRef', '3:fields.address', '3:fields.birthDate', '3:fields.extra', '2:validFrom', '4:typeCode', '5:validUntil']);
  });

  it('refuses type definitions whose field keys collide with the format', async () => {
    const bad = { ...ELDERLY_CARE, fields: [...ELDERLY_CARE.fields, { key: 'certificateType', label: 'x', type: 'string' as const, required: false }] };
    expect((await rejection(wrapBatch([residenceDraft(1)], { anchor, types: [RESIDENCE_PROOF, bad] }))).code).to.equal('CERT_DOC.INVALID');
  });

  it('attaches a ledger record reference only for the same certificate', async () => {
    const [doc] = (await wrapBatch([residenceDraft(1)], { anchor, types: TYPES })).documents;
    if (doc === undefined) throw new Error('no document');
    const ref = { channel: 'community', chaincode: 'ctl', certificateId: 'CA-2025-000001', txId: 'a'.repeat(64), blockNumber: 3 };
    expect(withLedgerRecord(doc, ref).proof.record).to.deep.equal(ref);
    expect(() => withLedgerRecord(doc, { ...ref, certificateId: 'CA-2025-000002' })).to.throw().with.property('code', 'CERT_DOC.INVALID');
    expect(() => withLedgerRecord(doc, { ...ref, txId: 'not-hex' })).to.throw().with.property('code', 'CERT_DOC.INVALID');
  });

  describe('disclosures', () => {
    let ledgers: InTestLedgers;
    let doc: CertificateDocument;

    beforeEach(async () => {
      ledgers = new InTestLedgers();
      doc = (await ledgers.issue([residenceDraft(1), residenceDraft(2), residenceDraft(3)]))[1] as CertificateDocument;
    });

    it('hides chosen personal fields and still verifies', async () => {
      const shared = await disclose(doc, ['holderName', 'birthDate']);
      expect(shared.credentialSubject).to.not.have.property('holderName');
      expect(shared.credentialSubject).to.not.have.property('birthDate');
      expect(shared.credentialSubject).to.have.property('address');
      expect(Object.keys(shared.proof.salts)).to.not.include('/credentialSubject/holderName');
      expect(shared.proof.hidden).to.have.length(2);
      expect(JSON.stringify(shared)).to.not.include('Resident 2');
      const result = await verify(shared, ledgers.ports(), { now: NOW });
      expect(result.valid, JSON.stringify(result.checks)).to.equal(true);
      expect(result.checks[0]?.detail).to.include('hid 2 personal details');
      const further = await disclose(shared, ['address', 'ownsHome']);
      expect((await verify(further, ledgers.ports(), { now: NOW })).valid).to.equal(true);
    });

    it('refuses a field the document does not show, and a document that does not verify', async () => {
      expect((await rejection(disclose(doc, ['nickname']))).code).to.equal('CERT_DISCLOSURE.UNKNOWN_FIELD');
      const shared = await disclose(doc, ['holderName']);
      expect((await rejection(disclose(shared, ['holderName']))).code).to.equal('CERT_DISCLOSURE.UNKNOWN_FIELD');
      const broken = clone(doc) as unknown as CertificateDocument;
      (broken.credentialSubject as Record<string, unknown>).address = 'elsewhere';
      expect((await rejection(disclose(broken, ['holderName']))).code).to.equal('CERT_DOC.INVALID');
    });

    it('rejects a disclosure whose hidden value was put back with a different value', async () => {
      const shared = clone(await disclose(doc, ['holderName']));
      (shared.credentialSubject as Record<string, unknown>).holderName = 'Someone Else';
      (shared.proof as { salts: Record<string, string> }).salts['/credentialSubject/holderName'] = `0x${'77'.repeat(32)}`;
      const result = await verify(shared, ledgers.ports(), { now: NOW });
      expect(result.checks[0]?.ok).to.equal(false);
      expect(result.valid).to.equal(false);
    });
  });

  it('never throws on input that is not a certificate', async () => {
    const ledgers = new InTestLedgers();
    for (const input of [null, undefined, 42, 'text', [], {}, { proof: null }, { proof: { type: 'Other' } }, { proof: { type: 'CtlMerkleProof2025' } }]) {
      const result = await verify(input, ledgers.ports(), { now: NOW });
      expect(result.valid).to.equal(false);
      expect(result.checks).to.have.length(7);
      expect(result.checks[0]?.ok).to.equal(false);
    }
  });

  it('refuses an asOf in the future or an invalid date', async () => {
    const [doc] = await new InTestLedgers().issue([residenceDraft(1)]);
    expect((await rejection(verify(doc, {}, { now: NOW, asOf: new Date(NOW.getTime() + 1000) }))).code).to.equal('VERIFY.BAD_OPTIONS');
    expect((await rejection(verify(doc, {}, { now: NOW, asOf: 'yesterday' }))).code).to.equal('VERIFY.BAD_OPTIONS');
  });
});
