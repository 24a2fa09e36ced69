// How the portal verifies a certificate. Today the API does it (POST /api/verify); the
// verifier library in services/src/verification runs in browsers too, and will be plugged in
// here behind the same signature, so the pages do not change.
import { api, unwrap, type CertificateDocument, type VerificationResult } from './client';

/** Verifies a parsed document; resolves to the verdict and every check. */
export type CertificateVerifier = (document: Record<string, unknown>) => Promise<VerificationResult>;

/**
 * Verification by the API.
 *
 * @throws {ApiError} as {@link unwrap} does (a problem answer, or no answer).
 */
export const verifyWithApi: CertificateVerifier = (document) =>
  // Only the verifier judges the document; the portal checked no more than that it is an object.
  unwrap(api.POST('/api/verify', { body: document as CertificateDocument }));
