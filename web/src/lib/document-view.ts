// A certificate document read for people: its identifier, issuer, validity and each field of the
// holder's part, with whether the holder may hide it. A field is hideable exactly when it is a
// claim, i.e. it has its own salt at /credentialSubject/<key> (the header, and every field
// without a salt, must always be shown: services/src/verification/README.md §2, §4). Pure.
import type { MessageKey } from '../i18n/translate';

/** Members of the holder's part that are structure, not fields a person reads. */
const STRUCTURAL = new Set(['id', 'certificateType']);

export interface DocumentField {
  readonly key: string;
  readonly value: string;
  /** A claim: the holder may hide it in a disclosure. */
  readonly hideable: boolean;
}

export interface DocumentView {
  readonly certificateId: string | undefined;
  readonly typeCode: string | undefined;
  readonly typeName: string | undefined;
  readonly issuerName: string | undefined;
  readonly issuerMsp: string | undefined;
  readonly validFrom: string | undefined;
  readonly validUntil: string | undefined;
  readonly fields: readonly DocumentField[];
  /** How many fields the holder hid in this copy. */
  readonly hiddenCount: number;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The certificate id of a `urn:ctl:certificate:<id>` identifier (or the identifier itself). */
export function certificateIdOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  return id.startsWith('urn:ctl:certificate:') ? id.slice('urn:ctl:certificate:'.length) : id;
}

/** Reads a document for display; tolerant of anything (a malformed document shows what it has). */
export function documentView(document: Record<string, unknown>): DocumentView {
  const subject = record(document.credentialSubject);
  const proof = record(document.proof);
  const salts = record(proof.salts);
  const issuer = record(document.issuer);
  const fields = Object.entries(subject)
    .filter(([key]) => !STRUCTURAL.has(key) && key !== 'certificateName')
    .map(([key, value]) => ({ key, value: display(value), hideable: `/credentialSubject/${key}` in salts }));
  const issuerId = text(issuer.id);
  return {
    certificateId: certificateIdOf(document.id),
    typeCode: text(subject.certificateType),
    typeName: text(subject.certificateName),
    issuerName: text(issuer.name),
    issuerMsp: issuerId?.startsWith('urn:ctl:msp:') === true ? issuerId.slice('urn:ctl:msp:'.length) : issuerId,
    validFrom: text(document.validFrom),
    validUntil: text(document.validUntil),
    fields,
    hiddenCount: Array.isArray(proof.hidden) ? proof.hidden.length : 0,
  };
}

/** A lifetime offered for a share link or a consent, with its wording. */
export interface ExpiryOption {
  readonly seconds: number;
  readonly key: MessageKey;
}

/** Share-link lifetimes offered to the holder (the API accepts 60 s to 30 days). */
export const SHARE_EXPIRY_OPTIONS: readonly [ExpiryOption, ...ExpiryOption[]] = [
  { seconds: 3600, key: 'disclose.expiries.s3600' },
  { seconds: 86_400, key: 'disclose.expiries.s86400' },
  { seconds: 7 * 86_400, key: 'disclose.expiries.s604800' },
  { seconds: 30 * 86_400, key: 'disclose.expiries.s2592000' },
];

/** A share link the API gave (`/s/<token>`) as an absolute address on this portal. */
export function absoluteShareUrl(shareUrl: string, origin: string): string {
  return new URL(shareUrl, origin).toString();
}
