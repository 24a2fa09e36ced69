// How the portal verifies a certificate: LOCALLY, in the browser, with the project's verification
// library (services/src/verification) reading the public chain directly and the ledger record
// from the API's public route; and by the API (POST /api/verify) only when the browser cannot do
// it: the public configuration is missing, the chain does not answer from the browser, or a QR
// payload cannot be unpacked here. The answer says which was used and why, so the page can too.
import { api, unwrap, type VerificationResult } from './client';
import { documentOf, type VerifyInput } from '../lib/verify-input';

/** Where the verdict was reached. */
export type VerificationMethod = 'browser' | 'server';

/** Why the browser handed the verification to the server. */
export type FallbackReason = 'config' | 'chain' | 'decode';

export interface VerificationOutcome {
  readonly result: VerificationResult;
  readonly method: VerificationMethod;
  readonly fallback?: FallbackReason;
  /** For a browser verification: the chain it read. */
  readonly chainId?: number;
}

export interface VerifyRequestOptions {
  /** ISO 8601 instant: "was it valid then?" (default now). */
  readonly asOf?: string | undefined;
}

/**
 * Verification by the API: the document, the bundle or `{ qr }` as the contract takes them.
 *
 * @throws {ApiError} as {@link unwrap} does (a problem answer, or no answer).
 */
export function verifyWithApi(input: VerifyInput, options: VerifyRequestOptions = {}): Promise<VerificationResult> {
  const body = input.kind === 'document' ? input.document : input.kind === 'bundle' ? input.bundle : { qr: input.payload };
  const query = options.asOf === undefined ? {} : { asOf: options.asOf };
  return unwrap(api.POST('/api/verify', { body, params: { query } }));
}

async function documentToVerify(input: VerifyInput): Promise<Record<string, unknown> | undefined> {
  const direct = documentOf(input);
  if (direct !== undefined || input.kind !== 'qr') return direct;
  try {
    const { unpackQrPayload } = await import('./qr-payload');
    return await unpackQrPayload(input.payload);
  } catch {
    return undefined;
  }
}

/**
 * Verifies in the browser when it can, otherwise by the API, and says which.
 *
 * @throws {ApiError} when the verification had to go to the API and the API failed.
 */
export async function verifyCertificate(input: VerifyInput, options: VerifyRequestOptions = {}): Promise<VerificationOutcome> {
  const document = await documentToVerify(input);
  if (document === undefined) return { result: await verifyWithApi(input, options), method: 'server', fallback: 'decode' };
  // The library (with ethers and the keccak WebAssembly) loads only when a verification runs.
  const { verifyLocally } = await import('./local-verifier');
  const local = await verifyLocally(document, options.asOf);
  if (local.ok) return { result: local.result, method: 'browser', chainId: local.chainId };
  return { result: await verifyWithApi(input, options), method: 'server', fallback: local.reason };
}
