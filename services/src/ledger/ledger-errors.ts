/**
 * Errors of the ledger adapters, already mapped to HTTP: the error middleware reports them
 * like any other {@link AppError}. A chaincode refusal keeps the chaincode's own code
 * (`CERT.NOT_FOUND`), so a client sees the same code whether the rule lives in the services or
 * on the ledger.
 */
import { AppError } from '../errors';

/** Which ledger an error came from. */
export type LedgerName = 'fabric' | 'evm';

/** A ledger could not do what was asked (unreachable, timed out, conflicting, invalid). */
export class LedgerError extends AppError {
  readonly ledger: LedgerName;
  /** The Fabric transaction id or EVM transaction hash, when one was created. */
  readonly transactionId: string | undefined;

  constructor(
    ledger: LedgerName,
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; transactionId?: string | undefined; retryAfterSeconds?: number } = {},
  ) {
    super(status, code, message, {
      cause: options.cause,
      extensions: options.transactionId === undefined ? {} : { transactionId: options.transactionId },
      headers: options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(options.retryAfterSeconds) },
    });
    this.name = LedgerError.name;
    this.ledger = ledger;
    this.transactionId = options.transactionId;
  }
}

/** The chaincode refused the transaction with one of its codes (`CODE: text`). */
export class ChaincodeRejectedError extends AppError {
  /** The text after the code: names the id concerned, never personal data. */
  readonly text: string;
  readonly transactionId: string | undefined;

  constructor(status: number, code: string, text: string, options: { cause?: unknown; transactionId?: string | undefined } = {}) {
    super(status, code, text, {
      cause: options.cause,
      extensions: options.transactionId === undefined ? {} : { transactionId: options.transactionId },
    });
    this.name = ChaincodeRejectedError.name;
    this.text = text;
    this.transactionId = options.transactionId;
  }
}
