/**
 * Holder disclosures: hide chosen personal fields and keep the document verifiable. A hidden
 * field leaves its field hash in `proof.hidden` and takes its value and salt away, so nobody can
 * test guesses of the value. Only fields with their own salt (personal fields) can be hidden;
 * everything in the header (identity, type, issuer, holder reference, validity) always shows.
 */
import { DisclosureError, DocumentFormatError } from './errors';
import { readDocument, type CertificateDocument } from './format';
import { claimPath, fieldHash, targetHashOf, visibleFieldHashes } from './fields';
import { keccak, type Hex32 } from './hash';

/**
 * The names of the fields a holder may hide in this document (its visible personal fields).
 *
 * @throws {@link DocumentFormatError} when the document is not in this format
 */
export function hideableFields(document: CertificateDocument): string[] {
  const read = readDocument(document);
  if ('unreadable' in read) throw new DocumentFormatError(read.unreadable.detail);
  return [...read.claims];
}

/**
 * A copy of `document` with the named personal fields hidden. The document must verify its own
 * integrity first, so a holder never shares a broken disclosure by mistake.
 *
 * @param hide - field names in `credentialSubject`, e.g. `["holderName", "birthDate"]`
 * @throws {@link DisclosureError} `CERT_DISCLOSURE.MUST_SHOW` for a field that must always be
 *   shown, `CERT_DISCLOSURE.UNKNOWN_FIELD` for a field the document does not show
 * @throws {@link DocumentFormatError} when the document is malformed or fails its integrity check
 */
export async function disclose(document: CertificateDocument, hide: readonly string[]): Promise<CertificateDocument> {
  const k = await keccak();
  const read = readDocument(document);
  if ('unreadable' in read) throw new DocumentFormatError(read.unreadable.detail);
  if (read.integrityProblem !== undefined) throw new DocumentFormatError(read.integrityProblem.detail);
  if (targetHashOf(k, [...visibleFieldHashes(k, read), ...read.hidden]) !== read.targetHash) {
    throw new DocumentFormatError('The document does not match its fingerprint; a disclosure of it would not verify.');
  }
  const subject = document.credentialSubject;
  const hiddenNames = new Set<string>();
  const hidden: Hex32[] = [...document.proof.hidden];
  for (const name of new Set(hide)) {
    const salt = document.proof.salts[claimPath(name)];
    if (!read.claims.includes(name) || salt === undefined) {
      if (Object.hasOwn(subject, name) || Object.hasOwn(document, name)) {
        throw new DisclosureError('CERT_DISCLOSURE.MUST_SHOW', `The field "${name}" must always be shown; only personal details can be hidden.`, name);
      }
      throw new DisclosureError('CERT_DISCLOSURE.UNKNOWN_FIELD', `The certificate shows no field "${name}".`, name);
    }
    hidden.push(fieldHash(k, claimPath(name), salt, subject[name]));
    hiddenNames.add(name);
  }
  const kept = Object.fromEntries(Object.entries(subject).filter(([name]) => !hiddenNames.has(name)));
  const salts = Object.fromEntries(Object.entries(document.proof.salts).filter(([path]) => ![...hiddenNames].some((name) => claimPath(name) === path)));
  hidden.sort();
  return {
    ...document,
    credentialSubject: kept as CertificateDocument['credentialSubject'],
    proof: { ...document.proof, salts, hidden },
  };
}
