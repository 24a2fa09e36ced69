/**
 * The optional JWT-VC form (W3C VC-JOSE-COSE): the whole document as the payload of a compact
 * JWS, `typ: vc+jwt`, ES256, signed with the issuing department's P-256 key. It adds a signature
 * to a document that already verifies without one; a verifier checks the signature, then runs
 * {@link verify} on the payload as usual.
 */
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { type BundleKey, type SnapshotSigner, keyIdOf } from './bundle';
import { JwtVcError } from './errors';
import { mspIdOf, type CertificateDocument } from './format';

const encoder = new TextEncoder();

/**
 * Signs a document as a JWT-VC with its issuing department's key.
 *
 * @throws {@link JwtVcError} `CERT_JWT.INVALID` when the signer is not the document's issuer or its key is unusable
 */
export async function signJwtVc(document: CertificateDocument, signer: SnapshotSigner): Promise<string> {
  if (mspIdOf(document.issuer.id) !== signer.mspId) throw new JwtVcError('CERT_JWT.INVALID', `Only ${document.issuer.id} may sign this certificate.`);
  const { d: _private, ...publicJwk } = signer.privateJwk;
  try {
    const key = await importJWK(signer.privateJwk, 'ES256');
    return await new CompactSign(encoder.encode(JSON.stringify(document)))
      .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: keyIdOf(publicJwk) })
      .sign(key);
  } catch (err) {
    throw new JwtVcError('CERT_JWT.INVALID', 'The signer key is not a usable P-256 private key.', err);
  }
}

/**
 * Checks a JWT-VC's signature against trusted department keys and returns its document (not yet
 * verified: pass it to `verify`).
 *
 * @throws {@link JwtVcError} `CERT_JWT.INVALID` when malformed, `CERT_JWT.UNTRUSTED` when no
 *   trusted key of the issuing department signed it
 */
export async function openJwtVc(jwt: string, trustedKeys: readonly BundleKey[]): Promise<{ document: unknown; signedBy: BundleKey }> {
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(jwt);
    if (header.alg !== 'ES256' || header.typ !== 'vc+jwt') throw new Error('not an ES256 vc+jwt');
    kid = header.kid;
  } catch (err) {
    throw new JwtVcError('CERT_JWT.INVALID', 'This is not an ES256 JWT-VC.', err);
  }
  const key = typeof kid === 'string' ? trustedKeys.find((k) => keyIdOf(k.jwk) === kid.toLowerCase()) : undefined;
  if (key === undefined) throw new JwtVcError('CERT_JWT.UNTRUSTED', 'The JWT-VC is not signed by a trusted department key.');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jwt, await importJWK(key.jwk, 'ES256')));
  } catch (err) {
    throw new JwtVcError('CERT_JWT.UNTRUSTED', 'The JWT-VC signature does not verify.', err);
  }
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(payload));
  } catch (err) {
    throw new JwtVcError('CERT_JWT.INVALID', 'The JWT-VC payload is not JSON.', err);
  }
  const issuer = typeof document === 'object' && document !== null ? (document as { issuer?: { id?: unknown } }).issuer?.id : undefined;
  if (mspIdOf(issuer) !== key.mspId) throw new JwtVcError('CERT_JWT.UNTRUSTED', `The JWT-VC is signed by ${key.mspId}, not by the certificate's issuer.`);
  return { document, signedBy: key };
}
