// Pure access rules of the portal's routes. The API enforces access; these rules only keep
// people from landing on pages that would refuse them, and tell them why.
import type { Role } from './roles';

/** What the portal knows about the signed-in person. */
export interface SessionUser {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly org: string;
}

export type AccessDecision = 'allow' | 'sign-in' | 'forbidden';

/**
 * Decides whether a page may open. `required` undefined means public; an empty list means any
 * signed-in person; otherwise the person needs at least one of the listed roles.
 */
export function decideAccess(required: readonly Role[] | undefined, user: SessionUser | null): AccessDecision {
  if (required === undefined) return 'allow';
  if (user === null) return 'sign-in';
  if (required.length === 0) return 'allow';
  return required.some((role) => user.roles.includes(role)) ? 'allow' : 'forbidden';
}

/**
 * Reads the `exp` claim (seconds since the epoch) of a JWT without verifying it: the portal
 * only uses it to end a session on time; the API verifies every token itself.
 * Returns undefined when the token is not a JWT or carries no numeric `exp`.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const exp = (claims as Record<string, unknown>).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token's `exp` lies at or before `nowSeconds`; tokens without `exp` never expire here. */
export function isTokenExpired(token: string, nowSeconds: number): boolean {
  const exp = tokenExpiry(token);
  return exp !== undefined && exp <= nowSeconds;
}

/**
 * The page to return to after signing in, taken from a `redirect` query value. Only paths
 * inside the portal are accepted, so a crafted link cannot send someone to another site.
 */
export function safeRedirect(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/')) return undefined;
  if (value.startsWith('//') || value.startsWith('/\\') || value.includes('://')) return undefined;
  return value;
}
