/**
 * Bearer-token verification with jose: signature against a JWKS, issuer, audience, expiry.
 * The same code verifies tokens of the city's OIDC provider (remote JWKS) and of the embedded
 * development provider (local JWKS), so nothing downstream knows which one is in use.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors';
import { ROLES, type Principal, type Role } from './principal';

/** Turns a bearer token into a {@link Principal}. */
export interface TokenVerifier {
  /**
   * @throws {@link UnauthenticatedError} `AUTH.TOKEN_EXPIRED` or `AUTH.TOKEN_INVALID`.
   */
  verify(token: string): Promise<Principal>;
}

/** Claim names that carry roles, the organisation and the identity number (deployment-specific in OIDC). */
export interface ClaimNames {
  readonly roles: string;
  readonly org: string;
  /** The claim with the person's identity number (residents); turned into `subjectRef` at once. */
  readonly idNumber?: string;
}

/** Turns an identity number into the deployment's subjectRef. */
export type SubjectRefFunction = (idNumber: string) => string;

type KeyResolver = Parameters<typeof jwtVerify>[1];

const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

function rolesFrom(value: unknown): Role[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return list.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
}

class JoseTokenVerifier implements TokenVerifier {
  constructor(
    private readonly keys: KeyResolver,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly claims: ClaimNames,
    private readonly subjectRef?: SubjectRefFunction,
  ) {}

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        throw new UnauthenticatedError('AUTH.TOKEN_EXPIRED', 'The bearer token has expired', { cause: err });
      }
      throw new UnauthenticatedError('AUTH.TOKEN_INVALID', 'The bearer token is not valid', { cause: err });
    }
    const sub = payload.sub;
    if (sub === undefined || sub === '') {
      throw new UnauthenticatedError('AUTH.TOKEN_INVALID', 'The bearer token has no subject');
    }
    const org = payload[this.claims.org];
    const idNumber = this.claims.idNumber === undefined ? undefined : payload[this.claims.idNumber];
    const principal: Principal = {
      userId: sub,
      roles: rolesFrom(payload[this.claims.roles]),
      org: typeof org === 'string' && org !== '' ? org : null,
    };
    // Only the keyed hash leaves this function: the number is never logged, stored or returned.
    if (typeof idNumber === 'string' && idNumber.trim() !== '' && this.subjectRef !== undefined) return { ...principal, subjectRef: this.subjectRef(idNumber) };
    return principal;
  }
}

/**
 * A verifier for an external OIDC provider; keys are fetched from `jwksUrl` and cached by jose
 * (refetched on an unknown `kid`, so key rotation needs no restart).
 */
export function remoteTokenVerifier(jwksUrl: string, issuer: string, audience: string, claims: ClaimNames, subjectRef?: SubjectRefFunction): TokenVerifier {
  return new JoseTokenVerifier(createRemoteJWKSet(new URL(jwksUrl)), issuer, audience, claims, subjectRef);
}

/** A verifier for a key set held in memory (the embedded development identity provider). */
export function localTokenVerifier(jwks: JSONWebKeySet, issuer: string, audience: string, claims: ClaimNames, subjectRef?: SubjectRefFunction): TokenVerifier {
  return new JoseTokenVerifier(createLocalJWKSet(jwks), issuer, audience, claims, subjectRef);
}
