/**
 * Typed errors of the devnet. Each carries a stable `code` so callers (the CLI, tests, other
 * parts' start scripts) can branch without parsing messages.
 */

/** Codes of {@link DevnetError}; stable across releases. */
export type DevnetErrorCode =
  | 'DEVNET.CONFIG_INVALID'
  | 'DEVNET.POLICY_SYNTAX'
  | 'DEVNET.IDENTITY_INVALID'
  | 'DEVNET.IDENTITY_EXISTS'
  | 'DEVNET.ORG_UNKNOWN'
  | 'DEVNET.LEDGER_CORRUPT'
  | 'DEVNET.CHAINCODE_UNAVAILABLE'
  | 'DEVNET.ALREADY_RUNNING'
  | 'DEVNET.CLOSED';

/** Base class of every error the devnet raises on purpose. */
export class DevnetError extends Error {
  readonly code: DevnetErrorCode;

  constructor(code: DevnetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = DevnetError.name;
    this.code = code;
  }
}

/** The network configuration file is malformed; `path` names the offending field. */
export class ConfigError extends DevnetError {
  readonly path: string;

  constructor(path: string, message: string) {
    super('DEVNET.CONFIG_INVALID', `${path}: ${message}`);
    this.name = ConfigError.name;
    this.path = path;
  }
}

/** An endorsement policy string does not follow Fabric's policy DSL. */
export class PolicySyntaxError extends DevnetError {
  readonly policy: string;

  constructor(policy: string, message: string) {
    super('DEVNET.POLICY_SYNTAX', `invalid policy ${JSON.stringify(policy)}: ${message}`);
    this.name = PolicySyntaxError.name;
    this.policy = policy;
  }
}

/** A block or state file on disk does not decode; `file` names it. */
export class LedgerCorruptError extends DevnetError {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('DEVNET.LEDGER_CORRUPT', `${file}: ${message}`, options);
    this.name = LedgerCorruptError.name;
    this.file = file;
  }
}
