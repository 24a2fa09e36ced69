/**
 * The embedded development identity provider: an ES256 key persisted under the data directory,
 * its JWKS, and sign-in for the seeded demo users. It exists only when no external OIDC issuer
 * is configured; it has no passwords, so it must never face a network it does not trust.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { createOnce } from '../config/data-files';
import { NotFoundError } from '../errors';
import { DEMO_ID_NUMBERS, type DemoUser } from './demo-users';

/** How long a development token lives; long enough for a demo, short enough to expire. */
const TOKEN_LIFETIME_SECONDS = 8 * 60 * 60;

/** The embedded provider's public face. */
export interface DevIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  /** Public keys, served at `/api/auth/dev/jwks.json` and used by the local verifier. */
  readonly jwks: JSONWebKeySet;
  users(): readonly DemoUser[];
  /**
   * @throws {@link NotFoundError} `AUTH.UNKNOWN_USER` when the id is not a demo user.
   */
  signIn(userId: string): Promise<{ token: string; expiresAt: string; user: DemoUser }>;
}

/**
 * The provider's signing key from `keyFile`, created there on first use; processes starting
 * together all get the one written first.
 *
 * @throws when the file cannot be read, or holds something other than a P-256 private JWK
 */
async function loadOrCreateKey(keyFile: string): Promise<JWK> {
  const text = await createOnce(keyFile, async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const fresh = await exportJWK(privateKey);
    fresh.kid = await calculateJwkThumbprint(fresh);
    fresh.alg = 'ES256';
    fresh.use = 'sig';
    return JSON.stringify(fresh);
  });
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new Error(`${keyFile} does not hold a P-256 private key (JWK)`);
  return jwk;
}

/**
 * Opens the development identity provider, creating its signing key on first use.
 *
 * @param options.keyFile - where the private JWK is kept (mode 0600).
 * @throws when the key file exists but cannot be read.
 */
export async function openDevIdentityProvider(options: {
  keyFile: string;
  issuer: string;
  audience: string;
  users: readonly DemoUser[];
  rolesClaim: string;
  orgClaim: string;
  /** Claim that carries the demo residents' identity numbers ({@link DEMO_ID_NUMBERS}). */
  idNumberClaim?: string;
}): Promise<DevIdentityProvider> {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const { d: _d, ...publicJwk } = privateJwk;
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  const signingKey = await importJWK(privateJwk, 'ES256');
  const byId = new Map(options.users.map((u) => [u.id, u]));

  return {
    issuer: options.issuer,
    audience: options.audience,
    jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] },
    users: () => options.users,
    async signIn(userId) {
      const user = byId.get(userId);
      if (user === undefined) throw new NotFoundError('AUTH.UNKNOWN_USER', `There is no demo user "${userId}"`);
      const now = Math.floor(Date.now() / 1000);
      const idNumber = DEMO_ID_NUMBERS[user.id];
      const claims: Record<string, unknown> = { [options.rolesClaim]: user.roles, [options.orgClaim]: user.org, name: user.name };
      if (idNumber !== undefined && options.idNumberClaim !== undefined) claims[options.idNumberClaim] = idNumber;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(user.id)
        .setIssuedAt(now)
        .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
        .sign(signingKey);
      return { token, expiresAt: new Date((now + TOKEN_LIFETIME_SECONDS) * 1000).toISOString(), user };
    },
  };
}
