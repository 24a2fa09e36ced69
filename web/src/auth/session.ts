// The signed-in session: a bearer token and who it belongs to, kept in sessionStorage so it
// ends with the browser tab and is never shared between tabs or written to disk for long.
import { computed, readonly, shallowRef } from 'vue';
import { isTokenExpired, type SessionUser } from './access';
import { isRole, type Role } from './roles';

const STORAGE_KEY = 'ctl.session';

interface Session {
  readonly token: string;
  readonly user: SessionUser;
}

function parseStored(raw: string | null): Session | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { token, user } = value as { token?: unknown; user?: unknown };
    if (typeof token !== 'string' || typeof user !== 'object' || user === null) return null;
    const { id, name, roles, org } = user as Record<string, unknown>;
    if (typeof id !== 'string' || typeof name !== 'string' || typeof org !== 'string' || !Array.isArray(roles)) return null;
    return { token, user: { id, name, org, roles: roles.filter(isRole) } };
  } catch {
    return null;
  }
}

function load(): Session | null {
  try {
    const session = parseStored(sessionStorage.getItem(STORAGE_KEY));
    return session !== null && isTokenExpired(session.token, Date.now() / 1000) ? null : session;
  } catch {
    return null;
  }
}

const current = shallowRef<Session | null>(load());

/** Starts a session for `user` with the token the identity provider issued. */
export function signIn(token: string, user: SessionUser): void {
  current.value = { token, user: { ...user, roles: user.roles.filter(isRole) } };
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current.value));
  } catch {
    // Without storage the session lasts until the page reloads.
  }
}

/** Ends the session on this tab. */
export function signOut(): void {
  current.value = null;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored, nothing to remove.
  }
}

/**
 * The bearer token for API calls, or undefined when signed out. An expired token ends the
 * session here, so the person is asked to sign in instead of meeting a failed request.
 */
export function currentToken(): string | undefined {
  const session = current.value;
  if (session === null) return undefined;
  if (isTokenExpired(session.token, Date.now() / 1000)) {
    signOut();
    return undefined;
  }
  return session.token;
}

/** The signed-in person, reactive. */
export function currentUser(): SessionUser | null {
  return current.value?.user ?? null;
}

/** The session as components see it. */
export function useSession() {
  const user = computed(() => current.value?.user ?? null);
  return {
    user: readonly(user),
    hasRole: (role: Role): boolean => user.value?.roles.includes(role) ?? false,
    signIn,
    signOut,
  };
}
