/**
 * The services' configuration: one zod schema over the environment, parsed once at start-up.
 * Every default is the embedded development stack (`npm start` on one machine); production sets
 * the variables documented in `services/README.md`. Nothing else in the services reads
 * `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';

/** Hardhat's well-known first development account; public, so only fit for the embedded chain. */
export const HARDHAT_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** The worker names the services know; `WORKERS` selects which run inside the API process. */
export const WORKER_NAMES = ['projector', 'evm-projector', 'anchorer'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

const emptyToUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

const optionalString = z.preprocess(emptyToUndefined, z.string().min(1).optional());
const port = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));
const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().positive().max(max).default(fallback));
const bool = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );
const httpUrl = z.preprocess(
  emptyToUndefined,
  z
    .url({ protocol: /^https?$/ })
    .optional(),
);

const envSchema = z.object({
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  PORT: port(8080),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default('.data')),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATABASE_POOL_SIZE: positiveInt(10, 200),
  FABRIC_CONNECTION: optionalString,
  FABRIC_CHAINCODE: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_.-]+$/).default('ctl')),
  FABRIC_ADMIN_ORG: z.preprocess(emptyToUndefined, z.string().min(1).default('StreetOfficeMSP')),
  FABRIC_EVENTS_ORG: optionalString,
  FABRIC_EVALUATE_TIMEOUT_MS: positiveInt(5_000),
  FABRIC_ENDORSE_TIMEOUT_MS: positiveInt(15_000),
  FABRIC_SUBMIT_TIMEOUT_MS: positiveInt(5_000),
  FABRIC_COMMIT_TIMEOUT_MS: positiveInt(60_000),
  FABRIC_MVCC_RETRIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(20).default(4)),
  EVM_RPC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^(https?|wss?)$/ }).default('http://127.0.0.1:8545')),
  EVM_DEPLOYMENT: optionalString,
  EVM_SIGNER_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
      .default(HARDHAT_DEV_KEY),
  ),
  EVM_ISSUER_KEYS_FILE: optionalString,
  EVM_CONFIRMATIONS: positiveInt(1, 64),
  EVM_TX_TIMEOUT_MS: positiveInt(60_000),
  OIDC_ISSUER: optionalString,
  OIDC_AUDIENCE: optionalString,
  OIDC_JWKS_URL: httpUrl,
  OIDC_ROLES_CLAIM: z.preprocess(emptyToUndefined, z.string().min(1).default('roles')),
  OIDC_ORG_CLAIM: z.preprocess(emptyToUndefined, z.string().min(1).default('org')),
  OIDC_ID_NUMBER_CLAIM: z.preprocess(emptyToUndefined, z.string().min(1).default('id_number')),
  PUBLIC_EVM_RPC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^(https?|wss?)$/ }).default('http://127.0.0.1:8545')),
  PUBLIC_API_BASE: z.preprocess(emptyToUndefined, z.string().min(1).default('/')),
  VERIFY_CACHE_TTL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(60_000).default(2_000)),
  CERTIFICATE_FONT_FILE: optionalString,
  SUBJECT_REF_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters (use 64 hex digits)').optional(),
  ),
  WORKERS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(WORKER_NAMES.join(','))
      .transform((v, ctx) => {
        const names = v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '' && s !== 'none');
        const unknown = names.filter((n) => !(WORKER_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown worker(s) ${unknown.join(', ')}; known: ${WORKER_NAMES.join(', ')}, or none`,
          });
          return z.NEVER;
        }
        return [...new Set(names)] as WorkerName[];
      }),
  ),
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(true|false|\d{1,2})$/, 'must be true, false or the number of proxy hops')
      .default('false')
      .transform((v) => (v === 'true' ? true : v === 'false' ? false : Number(v))),
  ),
  BODY_LIMIT_BYTES: positiveInt(64 * 1024, 16 * 1024 * 1024),
  RATE_LIMIT_PER_MINUTE: positiveInt(600),
  API_INSTANCES: positiveInt(1, 64),
  READ_WAIT_MAX_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(60_000).default(5_000)),
  PROJECTOR_MAX_LAG_BLOCKS: positiveInt(10),
  OUTBOX_MAX_ATTEMPTS: positiveInt(12, 1000),
  WEB_DIST: optionalString,
  CERTIFICATE_TYPES_FILE: optionalString,
  ORGANISATIONS_FILE: optionalString,
  SEED_CERTIFICATE_TYPES: bool(true),
  METRICS_ENABLED: bool(true),
  /** When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (Prometheus' `authorization` setting). */
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').max(512).optional()),
});

/** Where the embedded development identity provider is used instead of an external one. */
export interface DevIdentityProviderConfig {
  readonly kind: 'dev';
  readonly issuer: string;
  readonly audience: string;
  readonly keyFile: string;
}

/** An external OIDC provider: tokens are verified against its JWKS. */
export interface ExternalIdentityProviderConfig {
  readonly kind: 'external';
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/** The parsed, validated configuration. Paths are absolute. */
export interface Config {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
    | { readonly kind: 'pglite'; readonly dataDir: string };
  readonly fabric: {
    readonly connectionFile: string;
    readonly chaincode: string;
    readonly adminOrg: string;
    /** Organisation whose `user` identity reads chaincode events; default: the admin org. */
    readonly eventsOrg: string;
    readonly timeouts: {
      readonly evaluateMs: number;
      readonly endorseMs: number;
      readonly submitMs: number;
      readonly commitMs: number;
    };
    readonly mvccRetries: number;
  };
  readonly evm: {
    readonly rpcUrl: string;
    readonly deploymentFile: string;
    readonly signerKey: string;
    /** JSON file `{ "<MSP id>": "0x<private key>" }`: each department's anchoring account. */
    readonly issuerKeysFile: string | undefined;
    readonly confirmations: number;
    readonly txTimeoutMs: number;
  };
  readonly identity: DevIdentityProviderConfig | ExternalIdentityProviderConfig;
  readonly claims: { readonly roles: string; readonly org: string; readonly idNumber: string };
  /** What browsers are told (`GET /api/public/config`). */
  readonly publicConfig: { readonly evmRpcUrl: string; readonly apiBase: string };
  /** How long `POST /api/verify` keeps status answers that can still change (revocations show within this). */
  readonly verifyCacheTtlMs: number;
  /** A TrueType/OpenType font for printed certificates (e.g. one covering Chinese names). */
  readonly certificateFontFile: string | undefined;
  /** Explicit secret, or undefined to use (and create) the one persisted under the data dir. */
  readonly subjectRefSecret: string | undefined;
  readonly subjectRefSecretFile: string;
  readonly workers: readonly WorkerName[];
  readonly http: {
    /** Express `trust proxy`: client addresses (rate limits, logs) from X-Forwarded-For behind a load balancer. */
    readonly trustProxy: boolean | number;
    readonly bodyLimitBytes: number;
    readonly rateLimitPerMinute: number;
    /**
     * API processes this program runs on the one port (node:cluster): 1, or one per core. More
     * than one needs PostgreSQL; the in-process workers then run in whichever instance wins
     * each worker's advisory lock.
     */
    readonly instances: number;
    readonly readWaitMaxMs: number;
    readonly metricsEnabled: boolean;
    /** Bearer token `/metrics` requires; undefined: open (for a scraper on a private network). */
    readonly metricsToken: string | undefined;
  };
  readonly projectorMaxLagBlocks: number;
  readonly outboxMaxAttempts: number;
  readonly webDist: string;
  readonly certificateTypesFile: string;
  readonly organisationsFile: string;
  readonly seedCertificateTypes: boolean;
}

/** The configuration could not be parsed; the message names every bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  readonly variables: readonly string[];

  constructor(problems: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = ConfigError.name;
    this.variables = problems.map((p) => p.variable);
  }
}

/** Root of the repository, used to find the shipped config files and the built portal. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Parses the environment into a {@link Config}. Relative paths resolve against `cwd`. Call it
 * once at start-up and pass the result down; nothing else reads the environment.
 *
 * @param env - the environment, normally `process.env`.
 * @param cwd - directory that relative paths are resolved against.
 * @returns the validated configuration.
 * @throws {@link ConfigError} naming each variable whose value is invalid, or an incomplete
 *   OIDC setting (issuer, audience and JWKS URL go together).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(environment)',
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const resolve = (value: string | undefined, fallback: string): string =>
    path.resolve(cwd, value ?? fallback);

  const oidcSet = [e.OIDC_ISSUER, e.OIDC_AUDIENCE, e.OIDC_JWKS_URL].filter((v) => v !== undefined).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    const missing = (
      [
        ['OIDC_ISSUER', e.OIDC_ISSUER],
        ['OIDC_AUDIENCE', e.OIDC_AUDIENCE],
        ['OIDC_JWKS_URL', e.OIDC_JWKS_URL],
      ] as const
    ).filter(([, v]) => v === undefined);
    throw new ConfigError(
      missing.map(([variable]) => ({
        variable,
        message: 'required when any OIDC_* variable is set (issuer, audience and JWKS URL go together)',
      })),
    );
  }

  if (e.API_INSTANCES > 1 && e.DATABASE_URL === undefined) {
    throw new ConfigError([
      { variable: 'API_INSTANCES', message: 'more than 1 needs PostgreSQL (DATABASE_URL): the embedded PGlite read model belongs to one process' },
    ]);
  }

  return {
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    database:
      e.DATABASE_URL === undefined
        ? { kind: 'pglite', dataDir: path.join(dataDir, 'readmodel') }
        : { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    fabric: {
      connectionFile: resolve(e.FABRIC_CONNECTION, path.join(dataDir, 'devnet', 'connection.json')),
      chaincode: e.FABRIC_CHAINCODE,
      adminOrg: e.FABRIC_ADMIN_ORG,
      eventsOrg: e.FABRIC_EVENTS_ORG ?? e.FABRIC_ADMIN_ORG,
      timeouts: {
        evaluateMs: e.FABRIC_EVALUATE_TIMEOUT_MS,
        endorseMs: e.FABRIC_ENDORSE_TIMEOUT_MS,
        submitMs: e.FABRIC_SUBMIT_TIMEOUT_MS,
        commitMs: e.FABRIC_COMMIT_TIMEOUT_MS,
      },
      mvccRetries: e.FABRIC_MVCC_RETRIES,
    },
    evm: {
      rpcUrl: e.EVM_RPC_URL,
      deploymentFile: resolve(e.EVM_DEPLOYMENT, path.join(dataDir, 'evm', 'deployments', '31337.json')),
      signerKey: e.EVM_SIGNER_KEY,
      issuerKeysFile: e.EVM_ISSUER_KEYS_FILE === undefined ? undefined : path.resolve(cwd, e.EVM_ISSUER_KEYS_FILE),
      confirmations: e.EVM_CONFIRMATIONS,
      txTimeoutMs: e.EVM_TX_TIMEOUT_MS,
    },
    identity:
      e.OIDC_ISSUER !== undefined && e.OIDC_AUDIENCE !== undefined && e.OIDC_JWKS_URL !== undefined
        ? { kind: 'external', issuer: e.OIDC_ISSUER, audience: e.OIDC_AUDIENCE, jwksUrl: e.OIDC_JWKS_URL }
        : {
            kind: 'dev',
            issuer: 'urn:ctl:dev-idp',
            audience: 'ctl-api',
            keyFile: path.join(dataDir, 'dev-idp', 'signing-key.json'),
          },
    claims: { roles: e.OIDC_ROLES_CLAIM, org: e.OIDC_ORG_CLAIM, idNumber: e.OIDC_ID_NUMBER_CLAIM },
    publicConfig: { evmRpcUrl: e.PUBLIC_EVM_RPC_URL, apiBase: e.PUBLIC_API_BASE },
    verifyCacheTtlMs: e.VERIFY_CACHE_TTL_MS,
    certificateFontFile: e.CERTIFICATE_FONT_FILE === undefined ? undefined : path.resolve(cwd, e.CERTIFICATE_FONT_FILE),
    subjectRefSecret: e.SUBJECT_REF_SECRET,
    subjectRefSecretFile: path.join(dataDir, 'secrets', 'subject-ref.key'),
    workers: e.WORKERS,
    http: {
      trustProxy: e.TRUST_PROXY,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      instances: e.API_INSTANCES,
      readWaitMaxMs: e.READ_WAIT_MAX_MS,
      metricsEnabled: e.METRICS_ENABLED,
      metricsToken: e.METRICS_TOKEN,
    },
    projectorMaxLagBlocks: e.PROJECTOR_MAX_LAG_BLOCKS,
    outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    webDist: resolve(e.WEB_DIST, path.join(REPO_ROOT, 'web', 'dist')),
    certificateTypesFile: resolve(
      e.CERTIFICATE_TYPES_FILE,
      path.join(REPO_ROOT, 'services', 'config', 'certificate-types.json'),
    ),
    organisationsFile: resolve(
      e.ORGANISATIONS_FILE,
      path.join(REPO_ROOT, 'services', 'config', 'organisations.json'),
    ),
    seedCertificateTypes: e.SEED_CERTIFICATE_TYPES,
  };
}
