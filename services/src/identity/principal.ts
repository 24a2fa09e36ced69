/**
 * Who is calling: roles, organisations, and the principal a verified token yields. Routes
 * declare an {@link Access} rule; {@link isAllowed} is the single place that decides.
 */
import { z } from 'zod';

/** Portal roles. A user may hold several (an officer can also be a resident). */
export const ROLES = ['resident', 'volunteer', 'officer', 'coordinator', 'provider', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** An authenticated caller, derived from a verified bearer token. */
export interface Principal {
  /** The token's `sub`: a stable opaque user id, never an identity number. */
  readonly userId: string;
  readonly roles: readonly Role[];
  /** MSP id of the organisation the user acts for, or null (residents of no organisation). */
  readonly org: string | null;
  /**
   * The holder reference of the person (HMAC of the identity number the token's id-number claim
   * carries), when the token has one. The number itself is never kept.
   */
  readonly subjectRef?: string;
}

/** What a route allows: everyone, or callers holding one of `roles` (within `orgs` if given). */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'roles'; readonly roles: readonly Role[]; readonly orgs?: readonly string[] };

/** Access rule for routes anyone may call, signed in or not. */
export const PUBLIC: Access = { kind: 'public' };

/**
 * Builds a role-based access rule.
 *
 * @param roles - roles that may call the route (any one suffices).
 * @param orgs - if given, the caller's organisation must also be one of these MSP ids.
 */
export function allow(roles: readonly Role[], orgs?: readonly string[]): Access {
  return orgs === undefined ? { kind: 'roles', roles } : { kind: 'roles', roles, orgs };
}

/**
 * Decides whether a principal may use a route. Deny by default: no role, no access; there is
 * no super-user bypass, `admin` is allowed only where a route lists it.
 */
export function isAllowed(access: Access, principal: Principal | undefined): boolean {
  if (access.kind === 'public') return true;
  if (principal === undefined) return false;
  const hasRole = principal.roles.some((role) => access.roles.includes(role));
  if (!hasRole) return false;
  if (access.orgs === undefined) return true;
  return principal.org !== null && access.orgs.includes(principal.org);
}
