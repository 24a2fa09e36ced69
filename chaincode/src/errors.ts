/**
 * The chaincode's error vocabulary. Every failure a transaction reports has a message of the
 * form `CODE: text`, where CODE is `DOMAIN.REASON` and the text names the id it is about.
 * Fabric turns a thrown error into a status-500 response carrying only the message, so the
 * code in the message is the whole contract with the services; this module is the one list
 * of codes, importable by the services without loading any Fabric package.
 */

/** How a service should treat an error: the HTTP status it maps to and a category. */
export interface ErrorCodeInfo {
  /** Suggested HTTP status for an API that surfaces the error. */
  readonly status: 400 | 403 | 404 | 409 | 422 | 500;
  /** Category: who is at fault and whether a retry with other input could succeed. */
  readonly kind: 'invalid' | 'denied' | 'not_found' | 'conflict' | 'rule' | 'internal';
  /** One line a reader of the API documentation understands. */
  readonly description: string;
}

/** Every code a transaction of chaincode `ctl` can return, with how to map it. */
export const ERROR_CODES = {
  'AUTH.DENIED': {
    status: 403,
    kind: 'denied',
    description: 'the calling identity lacks the role, organisation or admin status the transaction requires',
  },
  'CERT.INVALID_ARGUMENT': { status: 400, kind: 'invalid', description: 'an argument of a certificate transaction is malformed or out of range' },
  'CERT.NOT_FOUND': { status: 404, kind: 'not_found', description: 'no certificate, batch or certificate type has this id' },
  'CERT.ALREADY_EXISTS': {
    status: 409,
    kind: 'conflict',
    description: 'a certificate, batch or type with this id exists (with a different definition, for types)',
  },
  'CERT.NOT_ALLOWED': {
    status: 403,
    kind: 'denied',
    description: "the caller's organisation may not issue this type, or is not the certificate's issuer",
  },
  'CERT.INVALID_STATE': {
    status: 409,
    kind: 'conflict',
    description: 'the certificate or batch is not in a status that allows this change (e.g. reinstating a revoked one, changing a certificate of a revoked batch)',
  },
  'EVIDENCE.INVALID_ARGUMENT': { status: 400, kind: 'invalid', description: 'an argument of an evidence transaction is malformed or out of range' },
  'EVIDENCE.NOT_FOUND': { status: 404, kind: 'not_found', description: 'no case or step has this id' },
  'EVIDENCE.ALREADY_EXISTS': { status: 409, kind: 'conflict', description: 'a case with this id is already open' },
  'EVIDENCE.WRONG_SEQUENCE': { status: 409, kind: 'conflict', description: 'the step number is not the next one of the case' },
  'EVIDENCE.FORK': {
    status: 409,
    kind: 'conflict',
    description: "the step's previous hash is not the case's current head: appending it would fork the chain",
  },
  'EVIDENCE.INVALID_TRANSITION': {
    status: 409,
    kind: 'conflict',
    description: "the step type is not allowed in the case's current state, or its personal data is still needed (case not closed)",
  },
  'EVIDENCE.NOT_ALLOWED': {
    status: 403,
    kind: 'denied',
    description:
      "the caller's organisation is not the one this step must come from (owner, transfer target, consulted department), or may not share or read the case's personal data",
  },
  'TIMEBANK.INVALID_ARGUMENT': { status: 400, kind: 'invalid', description: 'an argument of a time-bank transaction is malformed or out of range' },
  'TIMEBANK.NOT_FOUND': { status: 404, kind: 'not_found', description: 'no account, session, dispute, movement, link or flag has this id' },
  'TIMEBANK.ALREADY_EXISTS': { status: 409, kind: 'conflict', description: 'an account, session, movement or dispute with this id exists (a replay)' },
  'TIMEBANK.INVALID_STATE': { status: 409, kind: 'conflict', description: 'the session, dispute, flag or account is not in a state that allows this step' },
  'TIMEBANK.NOT_ALLOWED': {
    status: 403,
    kind: 'denied',
    description: "the caller's organisation may not act on this account, pot or session",
  },
  'TIMEBANK.INSUFFICIENT_BALANCE': { status: 422, kind: 'rule', description: 'the account holds fewer unexpired credits than the movement needs' },
  'TIMEBANK.DAILY_CAP_EXCEEDED': { status: 422, kind: 'rule', description: "the volunteer's sessions that day would exceed the policy's daily cap" },
  'TIMEBANK.STORAGE_CAP_EXCEEDED': { status: 422, kind: 'rule', description: "the receiving account's balance would exceed the policy's storage cap" },
  'TIMEBANK.SESSION_OVERLAP': { status: 422, kind: 'rule', description: 'the session overlaps another session of the same volunteer' },
  'TIMEBANK.NOT_ELIGIBLE': { status: 422, kind: 'rule', description: 'the policy requires an eligibility attestation that is missing or not yet in effect' },
  'TIMEBANK.NOT_RELATED': { status: 422, kind: 'rule', description: 'gifts go only to relatives linked by civil affairs' },
  'CHAINCODE.INTERNAL': { status: 500, kind: 'internal', description: 'a defect in the chaincode; report it' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The error every transaction throws for a refused request. fabric-contract-api reports only
 * `message` to the peer, so the code and the id are spelt out in it.
 */
export class ChaincodeError extends Error {
  /** Stable code the services map to an HTTP status. */
  readonly code: ErrorCode;
  /** The id (certificate, case, account, type...) the error is about. */
  readonly subjectId: string;

  /**
   * @param code - one of {@link ERROR_CODES}
   * @param subjectId - the id the error is about; it must also appear in `text`
   * @param text - a sentence for a person, naming the id
   */
  constructor(code: ErrorCode, subjectId: string, text: string) {
    super(`${code}: ${text}`);
    this.name = ChaincodeError.name;
    this.code = code;
    this.subjectId = subjectId;
  }
}

/** A chaincode error recognised in a message that may carry prefixes added by Fabric. */
export interface ParsedChaincodeError {
  readonly code: ErrorCode;
  readonly text: string;
  readonly info: ErrorCodeInfo;
}

const CODE_IN_MESSAGE = /\b([A-Z]+\.[A-Z_]+): ([^\n]*)/g;

/**
 * Finds our error code in a message as it reaches a client, for example the Gateway's
 * `chaincode response 500, CERT.NOT_FOUND: certificate c-1 does not exist`.
 *
 * @param message - an error message or error detail from the Fabric Gateway
 * @returns the code, the text after it and how to map it; `undefined` when the message
 *   carries no code of ours (a Fabric-level failure such as an MVCC conflict)
 */
export function parseChaincodeError(message: string): ParsedChaincodeError | undefined {
  for (const match of message.matchAll(CODE_IN_MESSAGE)) {
    const code = match[1];
    if (code !== undefined && isErrorCode(code)) {
      return { code, text: match[2] ?? '', info: ERROR_CODES[code] };
    }
  }
  return undefined;
}

/**
 * Narrows a string to a known error code.
 *
 * @param value - any string
 * @returns whether `value` is a key of {@link ERROR_CODES}
 */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
