/**
 * Printable certificates: a one-page PDF (pdfkit) with the certificate's face and a QR code, and
 * a PNG of the QR code alone (qrcode). The QR code carries the compact verification payload
 * (`CTL1:` + the offline bundle, `encodeQrPayload`), so a scanner verifies it with no network.
 *
 * Fonts: pdfkit's built-in Helvetica, and the fonts a server usually has (DejaVu), have no
 * Chinese glyphs, and the catalogue's type names are bilingual ("Residence proof / 居住证明"). So
 * the default is Noto Sans SC Regular (SIL OFL 1.1), which covers simplified Chinese, most
 * traditional characters and Latin; it ships in the npm package `@expo-google-fonts/noto-sans-sc`
 * (a plain TrueType file; none of the package's code is loaded). pdfkit embeds only the glyphs a
 * certificate uses, so a PDF stays a few kilobytes. `CERTIFICATE_FONT_FILE` names another
 * TrueType/OpenType file (for a collection, `file.ttc#PostScriptName`).
 */
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CertificateDocument } from '../verification';
import type { LedgerCertificateType } from './ledger-models';

/** A font file, and the font's PostScript name when the file is a collection (.ttc). */
export interface FontChoice {
  readonly file: string;
  readonly family?: string;
}

/** The bundled default: Noto Sans SC Regular. */
export const DEFAULT_CERTIFICATE_FONT: FontChoice = { file: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf') };

/** The font printed certificates use: `configured` (`file` or `file#PostScriptName`), else the bundled Noto Sans SC. */
export function certificateFont(configured: string | undefined): FontChoice {
  if (configured === undefined) return DEFAULT_CERTIFICATE_FONT;
  const [file = configured, family] = configured.split('#');
  return family === undefined ? { file } : { file, family };
}

/**
 * Font files read once: the default is 10 MB, and pdfkit would otherwise read the whole file
 * again for every certificate printed.
 */
const fontBytes = new Map<string, Buffer>();

function fontData(file: string): Buffer {
  let bytes = fontBytes.get(file);
  if (bytes === undefined) {
    bytes = readFileSync(file);
    fontBytes.set(file, bytes);
  }
  return bytes;
}

function useFont(pdf: PDFKit.PDFDocument, font: FontChoice): void {
  const bytes = fontData(font.file);
  if (font.family === undefined) pdf.font(bytes);
  else pdf.font(bytes, font.family);
}

/**
 * Opens `font` once, so that a missing or unusable font file fails the services at start rather
 * than at the first certificate printed.
 *
 * @returns `font`
 * @throws Error naming the file: it cannot be read, is not a TrueType/OpenType font, or holds no
 *   face of the given PostScript name
 */
export function openCertificateFont(font: FontChoice): FontChoice {
  try {
    useFont(new PDFDocument({ autoFirstPage: false }), font);
  } catch (err) {
    fontBytes.delete(font.file);
    const face = font.family === undefined ? '' : ` (face ${font.family})`;
    throw new Error(`certificate font ${font.file}${face} cannot be used: ${err instanceof Error ? err.message : String(err)}`);
  }
  return font;
}

/** The QR code of a payload as a PNG (byte mode, error correction L: a bundle fills up to version 40). */
export function qrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, { errorCorrectionLevel: 'L', margin: 4, scale: 4, type: 'png' });
}

const SCAN_NOTE = 'Scan to verify: every check runs offline from this code, or online at the verification page.\n扫码验证：可离线完成全部核验，也可在核验页面在线核验。';

function display(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/**
 * Renders a certificate as a one-page A4 PDF with its QR code.
 *
 * The printed labels are bilingual, "English / 中文", as the catalogue's type names and field
 * labels are.
 *
 * @param font - a TrueType/OpenType file (see {@link certificateFont}).
 * @throws when the font file cannot be read or is not a font.
 */
export async function certificatePdf(document: CertificateDocument, type: LedgerCertificateType | undefined, qrPayload: string, font: FontChoice): Promise<Buffer> {
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
  useFont(pdf, font);
  const subject = document.credentialSubject as Record<string, unknown>;
  pdf.fontSize(22).text(display(subject.certificateName ?? type?.name ?? 'Certificate'), { align: 'center' });
  pdf.moveDown(0.3).fontSize(10).fillColor('#444444').text(document.id, { align: 'center' });
  pdf.moveDown(1.2).fillColor('#000000').fontSize(12);
  pdf.text(`Issued by / 签发单位: ${document.issuer.name}`);
  pdf.text(`Valid from / 生效日期: ${document.validFrom}`);
  pdf.text(`Valid until / 有效期至: ${document.validUntil ?? 'does not expire / 长期有效'}`);
  pdf.moveDown(0.8);
  const labels = new Map((type?.fields ?? []).map((f) => [f.key, f.label]));
  for (const [key, value] of Object.entries(subject)) {
    if (key === 'id' || key === 'certificateType' || key === 'certificateName') continue;
    pdf.text(`${labels.get(key) ?? key}: ${display(value)}`);
  }
  const size = 260;
  pdf.image(qr, (pdf.page.width - size) / 2, pdf.page.height - pdf.page.margins.bottom - size - 40, { width: size, height: size });
  pdf.fontSize(9).fillColor('#444444').text(SCAN_NOTE, pdf.page.margins.left, pdf.page.height - pdf.page.margins.bottom - 30, {
    align: 'center',
    width: pdf.page.width - pdf.page.margins.left - pdf.page.margins.right,
  });
  pdf.end();
  return finished;
}
