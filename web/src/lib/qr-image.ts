// Reads a QR code from a photo or screenshot, in the browser: the image is drawn on a canvas
// (scaled down when large, which also speeds up the search) and handed to jsQR, which loads only
// here.

/** Images are scaled so their longer side is at most this many pixels before the search. */
const MAX_SIDE = 1600;

/** An image that could not be read, or held no QR code. `code` is stable. */
export class QrImageError extends Error {
  readonly code: 'QR.NOT_AN_IMAGE' | 'QR.NOT_FOUND';

  constructor(code: QrImageError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = QrImageError.name;
    this.code = code;
  }
}

/**
 * The text of the QR code in an image file.
 *
 * @throws {QrImageError} `QR.NOT_AN_IMAGE` when the browser cannot decode the file,
 *   `QR.NOT_FOUND` when it holds no readable QR code.
 */
export async function decodeQrImage(file: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (cause) {
    throw new QrImageError('QR.NOT_AN_IMAGE', 'the file is not an image the browser can read', { cause });
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new QrImageError('QR.NOT_AN_IMAGE', 'no canvas to draw the image on');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const pixels = context.getImageData(0, 0, width, height);
  const { default: jsQR } = await import('jsqr');
  const found = jsQR(pixels.data, width, height, { inversionAttempts: 'attemptBoth' });
  if (found === null || found.data === '') throw new QrImageError('QR.NOT_FOUND', 'no QR code was found in the image');
  return found.data;
}
