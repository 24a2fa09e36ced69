// What a person hands the verifier, told apart before anything is verified: a certificate
// document, an offline bundle, a compact QR payload (`CTL1:…`) or a share link. Pure, so it is
// unit-tested without a browser.

/** The prefix of a compact QR payload (services/src/verification/README.md §7). */
export const QR_PAYLOAD_PREFIX = 'CTL1:';
/** The `format` of an offline bundle. */
export const BUNDLE_FORMAT = 'ctl-offline-bundle/1';

/** Something to verify. */
export type VerifyInput =
  | { readonly kind: 'document'; readonly document: Record<string, unknown> }
  | { readonly kind: 'bundle'; readonly bundle: Record<string, unknown> }
  | { readonly kind: 'qr'; readonly payload: string };

/** What a scanned or pasted text is. */
export type ScannedContent = VerifyInput | { readonly kind: 'share'; readonly token: string } | { readonly kind: 'unknown' };

/** A parsed JSON object as a document or as an offline bundle (by its `format`). */
export function verifyInputOf(value: Record<string, unknown>): VerifyInput {
  return value.format === BUNDLE_FORMAT ? { kind: 'bundle', bundle: value } : { kind: 'document', document: value };
}

const SHARE_TOKEN = /^[A-Za-z0-9_-]{8,256}$/;

/**
 * The token of a share link (`/s/<token>`, absolute or relative). A link to any host is
 * accepted: the token is looked up on this portal's own API, never followed elsewhere.
 */
export function shareTokenOf(text: string): string | undefined {
  let path: string;
  try {
    path = new URL(text.trim(), 'http://portal.invalid').pathname;
  } catch {
    return undefined;
  }
  const match = /^\/s\/([^/]+)\/?$/.exec(path);
  const token = match?.[1];
  return token !== undefined && SHARE_TOKEN.test(token) ? token : undefined;
}

/** Classifies a QR code's text (or a pasted line): a payload, a share link, a JSON document or bundle. */
export function classifyScanned(text: string): ScannedContent {
  const trimmed = text.trim();
  if (trimmed.startsWith(QR_PAYLOAD_PREFIX)) return { kind: 'qr', payload: trimmed };
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return verifyInputOf(value as Record<string, unknown>);
    } catch {
      return { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }
  const token = /^(https?:\/\/|\/s\/)/.test(trimmed) ? shareTokenOf(trimmed) : undefined;
  return token === undefined ? { kind: 'unknown' } : { kind: 'share', token };
}

/** The document inside an input, when it is at hand without decoding (a QR payload needs inflating). */
export function documentOf(input: VerifyInput): Record<string, unknown> | undefined {
  if (input.kind === 'document') return input.document;
  if (input.kind === 'bundle') {
    const doc = input.bundle.document;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  }
  return undefined;
}

/**
 * The instant an "as of" date stands for: the end of that local day, or now when that is
 * earlier (a verifier answers only for the past and the present). Undefined for no date.
 */
export function asOfInstant(date: string, now: Date): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return undefined;
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59, 999);
  if (Number.isNaN(end.getTime())) return undefined;
  return (end.getTime() < now.getTime() ? end : now).toISOString();
}
