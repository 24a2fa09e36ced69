/**
 * Printed certificates (unit test, real pdfkit and the bundled font): a certificate with Chinese
 * names prints every character with a real glyph of the embedded Noto Sans SC, on one page; a
 * configured font that cannot be used fails when the services open it, naming the file.
 */
import { expect } from 'chai';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { certificateFont, certificatePdf, DEFAULT_CERTIFICATE_FONT, openCertificateFont } from '../../src/domain/certificate-print';
import type { LedgerCertificateType } from '../../src/domain/ledger-models';
import { wrapBatch, type CertificateDocument } from '../../src/verification';
import { CHAIN_ID, RESIDENCE_PROOF, TRUST_ANCHOR, residenceDraft } from '../verification/support';

const TYPE: LedgerCertificateType = {
  code: 'RESIDENCE_PROOF',
  name: 'Residence proof / 居住证明',
  allowedIssuerMsps: ['CivilAffairsMSP'],
  validityDays: 365,
  version: 1,
  fields: RESIDENCE_PROOF.fields.map((f) => (f.key === 'holderName' ? { ...f, label: 'Holder name / 持证人姓名' } : f)),
};

/** The decompressed contents of every Flate stream of a PDF. */
function streams(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  for (let at = text.indexOf('stream\n'); at >= 0; at = text.indexOf('stream\n', at)) {
    const end = text.indexOf('\nendstream', at);
    if (end < 0) break;
    try {
      out.push(inflateSync(pdf.subarray(at + 'stream\n'.length, end)).toString('latin1'));
    } catch {
      // an image or other stream that is not deflated
    }
    at = end + '\nendstream'.length;
  }
  return out;
}

/** Code points (as 4-digit hex) that the PDF's ToUnicode maps give a glyph for. */
function mappedCodePoints(pdf: Buffer): Set<string> {
  const maps = streams(pdf).filter((s) => s.includes('begincmap'));
  const found = new Set<string>();
  for (const map of maps) {
    // bfrange entries: <from> <to> [<u1> <u2> ...] or <from> <to> <u>; bfchar: <glyph> <u>
    const body = map.slice(map.indexOf('endcodespacerange'));
    for (const m of body.matchAll(/\[([^\]]*)\]|<([0-9a-fA-F]{4,})>\s*(?=\n|$)/g)) {
      for (const hex of (m[1] ?? m[2] ?? '').matchAll(/<?([0-9a-fA-F]{4,})>?/g)) found.add((hex[1] ?? '').toLowerCase());
    }
  }
  return found;
}

function cjkOf(...texts: string[]): string[] {
  return [...new Set(texts.join('').match(/\p{Script=Han}/gu) ?? [])];
}

describe('printed certificates', function () {
  this.timeout(30_000);
  let document: CertificateDocument;

  before(async () => {
    const base = residenceDraft(1, { issuer: { mspId: 'CivilAffairsMSP', name: '民政局 Civil Affairs' } });
    const draft = { ...base, fields: { ...base.fields, holderName: '张伟', community: '和谐社区' } };
    const batch = await wrapBatch([draft], { anchor: { chainId: CHAIN_ID, trustAnchor: TRUST_ANCHOR }, types: [{ ...RESIDENCE_PROOF, name: TYPE.name }] });
    document = batch.documents[0] as CertificateDocument;
  });

  it('prints Chinese names, labels and the fixed text with glyphs of the bundled Noto Sans SC, on one page', async () => {
    const pdf = await certificatePdf(document, TYPE, 'CTL1:payload', certificateFont(undefined));
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).to.equal(true);
    expect(text).to.match(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    expect(text.match(/\/Type \/Page\b/g)).to.have.length(1);
    const mapped = mappedCodePoints(pdf);
    const expected = cjkOf('张伟', '和谐社区', '民政局', '居住证明', '持证人姓名', '签发单位', '生效日期', '有效期至', '扫码验证');
    const missing = expected.filter((c) => !mapped.has(c.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''));
    expect(missing, `characters printed without a glyph: ${missing.join('')}`).to.deep.equal([]);
  });

  it('keeps a PDF small: only the glyphs used of the 10 MB font are embedded', async () => {
    const pdf = await certificatePdf(document, TYPE, 'CTL1:payload', certificateFont(undefined));
    expect(pdf.length).to.be.below(200_000);
  });

  it('opens the default font, and refuses a configured file that is missing, not a font, or lacks the named face', () => {
    expect(openCertificateFont(certificateFont(undefined))).to.equal(DEFAULT_CERTIFICATE_FONT);
    const missing = path.join(__dirname, 'no-such-font.ttf');
    expect(() => openCertificateFont(certificateFont(missing))).to.throw(`certificate font ${missing} cannot be used: ENOENT`);
    const notFont = path.join(__dirname, 'certificate-print.test.ts');
    expect(() => openCertificateFont(certificateFont(notFont))).to.throw(`certificate font ${notFont} cannot be used: Unknown font format`);
    expect(() => openCertificateFont(certificateFont(`${DEFAULT_CERTIFICATE_FONT.file}#NoSuchFace`))).to.throw(/\(face NoSuchFace\) cannot be used/);
  });
});
