/**
 * Printable certificates: a one-page PDF (pdfkit) with the certificate's face and a QR code, and
 * a PNG of the QR code alone (qrcode). The QR code carries the compact verification payload
 * (`CTL1:` + the offline bundle, `encodeQrPayload`), so a scanner verifies it with no network.
 *
 * Fonts: pdfkit's built-in Helvetica covers Latin text only. Names in Chinese need a CJK font;
 * none ships with npm packages we use, so `CERTIFICATE_FONT_FILE` names one (TrueType/OpenType;
 * for a collection, `file.ttc#PostScriptName`), and otherwise the first of a few common system
 * fonts found is used (Noto Sans CJK, WenQuanYi — Debian's fonts-wqy-zenhei — then DejaVu Sans
 * for Latin, Greek and Cyrillic only).
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CertificateDocument } from '../verification';
import type { LedgerCertificateType } from './ledger-models';

/** A font file, and the font's PostScript name when the file is a collection (.ttc). */
export interface FontChoice {
  readonly file: string;
  readonly family?: string;
}

/** Fonts tried in order when none is configured. */
const SYSTEM_FONTS: readonly FontChoice[] = [
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
];

/** The font printed certificates use (`file` or `file#PostScriptName`), or undefined for pdfkit's built-in Helvetica. */
export function certificateFont(configured: string | undefined): FontChoice | undefined {
  if (configured !== undefined) {
    const [file = configured, family] = configured.split('#');
    return family === undefined ? { file } : { file, family };
  }
  return SYSTEM_FONTS.find((font) => existsSync(font.file));
}

/** The QR code of a payload as a PNG (byte mode, error correction L: a bundle fills up to version 40). */
export function qrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, { errorCorrectionLevel: 'L', margin: 4, scale: 4, type: 'png' });
}

function display(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/**
 * Renders a certificate as a one-page A4 PDF with its QR code.
 *
 * @param font - a TrueType/OpenType file (see {@link certificateFont}); Helvetica when undefined.
 * @throws when the font file cannot be read.
 */
export async function certificatePdf(document: CertificateDocument, type: LedgerCertificateType | undefined, qrPayload: string, font: FontChoice | undefined): Promise<Buffer> {
  const qr = await qrPng(qrPayload);
  const pdf = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${type?.name ?? 'Certificate'} ${document.id}`, Producer: 'Community Trust Ledger' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    pdf.on('error', reject);
  });
  if (font !== undefined) {
    if (font.family === undefined) pdf.font(font.file);
    else pdf.font(font.file, font.family);
  }
  const subject = document.credentialSubject as Record<string, unknown>;
  pdf.fontSize(22).text(display(subject.certificateName ?? type?.name ?? 'Certificate'), { align: 'center' });
  pdf.moveDown(0.3).fontSize(10).fillColor('#444444').text(document.id, { align: 'center' });
  pdf.moveDown(1.2).fillColor('#000000').fontSize(12);
  pdf.text(`Issued by: ${document.issuer.name}`);
  pdf.text(`Valid from: ${document.validFrom}`);
  pdf.text(`Valid until: ${document.validUntil ?? 'does not expire'}`);
  pdf.moveDown(0.8);
  const labels = new Map((type?.fields ?? []).map((f) => [f.key, f.label]));
  for (const [key, value] of Object.entries(subject)) {
    if (key === 'id' || key === 'certificateType' || key === 'certificateName') continue;
    pdf.text(`${labels.get(key) ?? key}: ${display(value)}`);
  }
  const size = 260;
  pdf.image(qr, (pdf.page.width - size) / 2, pdf.page.height - pdf.page.margins.bottom - size - 40, { width: size, height: size });
  pdf.fontSize(9).fillColor('#444444').text('Scan to verify: every check runs offline from this code, or online at the verification page.', pdf.page.margins.left, pdf.page.height - pdf.page.margins.bottom - 30, {
    align: 'center',
    width: pdf.page.width - pdf.page.margins.left - pdf.page.margins.right,
  });
  pdf.end();
  return finished;
}
