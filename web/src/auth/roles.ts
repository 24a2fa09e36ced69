// Role names fixed by issue 2; the API states which of them each route allows.
export const ROLES = ['resident', 'volunteer', 'officer', 'coordinator', 'provider', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Narrows an untrusted value (from the API or storage) to a known role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
