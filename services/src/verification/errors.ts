/**
 * Typed errors of the verification library. Each carries a stable `code` (`DOMAIN.REASON`) that
 * the services map to problem+json and the portal maps to a translated message; the message is
 * plain English for logs and the CLI. Verification itself never throws on a bad document (it
 * reports failed checks); these errors are for building, disclosing and bundling, and for bad
 * options.
 */
import type { IssueCode, IssueParams } from './issue-codes';

/** Base class: a stable code, and the JSON path of the offending value when there is one. */
export class VerificationLibraryError extends Error {
  readonly code: string;
  /** Where in the input the problem is, e.g. `credentialSubject.holderName` or `[3].validFrom`. */
  readonly path: string | undefined;

  constructor(code: string, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = VerificationLibraryError.name;
    this.code = code;
    this.path = options.path;
  }
}

/** A certificate draft or document does not follow the format (see README.md). */
export class DocumentFormatError extends VerificationLibraryError {
  constructor(message: string, path?: string, cause?: unknown) {
    super('CERT_DOC.INVALID', message, { path, cause });
    this.name = DocumentFormatError.name;
  }
}

/** One problem with one row (draft) of a batch. */
export interface BatchRowProblem {
  /** Index of the draft in the batch. */
  readonly index: number;
  /** Path inside the draft, e.g. `fields.holderName`. */
  readonly path: string;
  /** In English. */
  readonly message: string;
  /** What is wrong, as a stable code a client words itself. */
  readonly code?: IssueCode;
  /** Values the wording of `code` needs. */
  readonly params?: IssueParams;
}

/** A batch cannot be wrapped: empty, over the limit, duplicate ids, mixed issuers, or bad rows. */
export class BatchError extends VerificationLibraryError {
  /** Every bad row, for `CERT_BATCH.INVALID_ROWS`; empty otherwise. */
  readonly rows: readonly BatchRowProblem[];

  constructor(
    code: 'CERT_BATCH.EMPTY' | 'CERT_BATCH.TOO_LARGE' | 'CERT_BATCH.DUPLICATE_ID' | 'CERT_BATCH.MIXED_ISSUERS' | 'CERT_BATCH.INVALID_ROWS',
    message: string,
    path?: string,
    rows: readonly BatchRowProblem[] = [],
  ) {
    super(code, message, { path });
    this.name = BatchError.name;
    this.rows = rows;
  }
}

/** A disclosure asks to hide a field that must always be shown, or one the document lacks. */
export class DisclosureError extends VerificationLibraryError {
  constructor(code: 'CERT_DISCLOSURE.MUST_SHOW' | 'CERT_DISCLOSURE.UNKNOWN_FIELD', message: string, path?: string) {
    super(code, message, { path });
    this.name = DisclosureError.name;
  }
}

/** An offline bundle or QR payload is malformed, too large, or not signed by a trusted key. */
export class BundleError extends VerificationLibraryError {
  constructor(
    code: 'CERT_BUNDLE.INVALID' | 'CERT_BUNDLE.TOO_LARGE' | 'CERT_BUNDLE.UNTRUSTED' | 'CERT_BUNDLE.SIGNER_INVALID',
    message: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.name = BundleError.name;
  }
}

/** The options given to a library function are not usable (bad date, bad URL, bad deployment). */
export class VerificationOptionsError extends VerificationLibraryError {
  constructor(message: string, path?: string, cause?: unknown) {
    super('VERIFY.BAD_OPTIONS', message, { path, cause });
    this.name = VerificationOptionsError.name;
  }
}

/**
 * A port (anchor reader, issuer directory, ledger record reader) could not answer: down, timed
 * out, or asked about something it does not cover. The check that needed it fails and says so.
 */
export class PortUnavailableError extends VerificationLibraryError {
  /** Which port: `anchor`, `issuers` or `ledger`. */
  readonly port: string;

  constructor(port: string, message: string, cause?: unknown) {
    super('VERIFY.PORT_UNAVAILABLE', message, { cause });
    this.name = PortUnavailableError.name;
    this.port = port;
  }
}

/** A JWT-VC is malformed, not signed by a trusted key, or signed by another department than the issuer. */
export class JwtVcError extends VerificationLibraryError {
  constructor(code: 'CERT_JWT.INVALID' | 'CERT_JWT.UNTRUSTED', message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = JwtVcError.name;
  }
}
