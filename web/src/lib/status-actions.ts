// The status changes an officer may make, and the fixed reason codes each one offers. The codes
// are the chaincode's upper-case reasons; a revocation's code is also the one TrustAnchor stores
// (services/src/verification/reasons.ts), so only codes from that list are offered for it.

export const STATUS_ACTIONS = ['suspend', 'reinstate', 'revoke'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

/** Statuses a certificate or a batch can have on the ledger. */
export type LedgerStatus = 'ISSUED' | 'SUSPENDED' | 'REVOKED';

export const REASON_CODES = {
  suspend: ['UNDER_REVIEW', 'DETAILS_CHANGED', 'HOLDER_REQUEST', 'UNSPECIFIED'],
  reinstate: ['REVIEW_CLEARED', 'UNSPECIFIED'],
  revoke: ['ISSUED_IN_ERROR', 'SUPERSEDED', 'DETAILS_CHANGED', 'HOLDER_REQUEST', 'FRAUD', 'ENTITLEMENT_ENDED', 'ISSUER_COMPROMISED', 'UNSPECIFIED'],
} as const satisfies Record<StatusAction, readonly string[]>;

export type ReasonCode = (typeof REASON_CODES)[StatusAction][number];

/** Every reason code the portal names (for the catalogue's wording). */
export const ALL_REASON_CODES: readonly ReasonCode[] = [...new Set(Object.values(REASON_CODES).flat())];

/** The longest reason text the API accepts. */
export const REASON_TEXT_MAX = 500;

/** Reads a status the API gave; anything else is treated as unknown (no action offered). */
export function ledgerStatusOf(value: unknown): LedgerStatus | undefined {
  return value === 'ISSUED' || value === 'SUSPENDED' || value === 'REVOKED' ? value : undefined;
}

/** The actions allowed from a status: revocation is final; only a suspension can be lifted. */
export function allowedActions(status: LedgerStatus | undefined): readonly StatusAction[] {
  if (status === 'ISSUED') return ['suspend', 'revoke'];
  if (status === 'SUSPENDED') return ['reinstate', 'revoke'];
  return [];
}

/** Whether a reason code is in the catalogue (codes the API reports that the portal does not know are shown as they are). */
export function isReasonCode(value: string): value is ReasonCode {
  return (ALL_REASON_CODES as readonly string[]).includes(value);
}
