// Unpacking a compact QR payload (`CTL1:` + deflated offline bundle) in the browser, with the
// verification library's own decoder. A chunk of its own: it brings jose (bundle signatures).
import { decodeQrPayload } from '../../../services/src/verification/bundle';

/**
 * The certificate document inside a QR payload.
 *
 * @throws {Error} (the library's `BundleError`) when the payload is not a readable bundle.
 */
export async function unpackQrPayload(payload: string): Promise<Record<string, unknown>> {
  const bundle = await decodeQrPayload(payload);
  return bundle.document as unknown as Record<string, unknown>;
}
