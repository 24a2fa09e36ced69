/**
 * Revocation and suspension reasons. On Fabric a reason is an upper-case code chosen by the
 * officer (`ISSUED_IN_ERROR`); TrustAnchor stores a uint16. This table is the one mapping between
 * them (the services' anchorer writes `code`, the verifier reads it back); codes not listed here
 * still verify, with a generic text.
 */

/** One known reason: the uint16 on the EVM, the Fabric code, and plain-language text. */
export interface RevocationReason {
  readonly code: number;
  readonly name: string;
  /** Completes "It was revoked because …". */
  readonly text: string;
}

/** Known reasons, by uint16 code. */
export const REVOCATION_REASONS: readonly RevocationReason[] = [
  { code: 0, name: 'UNSPECIFIED', text: 'no reason was given' },
  { code: 1, name: 'ISSUED_IN_ERROR', text: 'it was issued by mistake' },
  { code: 2, name: 'SUPERSEDED', text: 'a newer certificate replaces it' },
  { code: 3, name: 'DETAILS_CHANGED', text: 'the details it states are no longer correct' },
  { code: 4, name: 'HOLDER_REQUEST', text: 'the holder asked for it to be withdrawn' },
  { code: 5, name: 'FRAUD', text: 'it was obtained with false information' },
  { code: 6, name: 'UNDER_REVIEW', text: 'the department suspended it while it is being reviewed' },
  { code: 7, name: 'ENTITLEMENT_ENDED', text: 'the holder is no longer entitled to it' },
  { code: 8, name: 'ISSUER_COMPROMISED', text: "the department's issuing system was compromised" },
];

/** The reason with this uint16 code, or a generic one for an unknown code. */
export function reasonOf(code: number): RevocationReason {
  return REVOCATION_REASONS.find((r) => r.code === code) ?? { code, name: `CODE_${code}`, text: `of reason code ${code}` };
}

/**
 * The uint16 code for a Fabric reason code (`UNSPECIFIED`'s 0 for a code not in the table), for
 * the services when they anchor a revocation.
 */
export function reasonCodeOf(name: string): number {
  return REVOCATION_REASONS.find((r) => r.name === name)?.code ?? 0;
}
