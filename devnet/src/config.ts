/**
 * The network configuration file: organisations, the channel, chaincode definitions and the
 * ordering service's block cutting. Parsed once with zod; every error names the offending field.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { DEVNET_DIR } from './paths';
import { parseEndorsementPolicy, parsePolicy, type SignaturePolicy } from './policy/policy';

const mspIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'MSP ids are letters, digits, dots and dashes');
const identityNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'identity names are lower-case letters, digits, "_" and "-"');

const identitySchema = z.strictObject({
  name: identityNameSchema,
  type: z.enum(['client', 'admin']).default('client'),
  attrs: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/), z.string().max(256)).default({}),
});

const organizationSchema = z.strictObject({
  mspId: mspIdSchema,
  name: z.string().min(1).max(120),
  domain: z
    .string()
    .regex(/^[a-z0-9.-]+$/)
    .optional(),
  identities: z.array(identitySchema).default([]),
});

/** A private data collection, in the shape of Fabric's collections_config.json. */
const collectionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'collection names are letters, digits, "_" and "-"'),
  policy: z.string().min(1),
  requiredPeerCount: z.number().int().min(0).default(0),
  maxPeerCount: z.number().int().min(0).default(1),
  blockToLive: z.number().int().min(0).default(0),
  memberOnlyRead: z.boolean().default(true),
  memberOnlyWrite: z.boolean().default(true),
  endorsementPolicy: z.strictObject({ signaturePolicy: z.string().min(1) }).optional(),
});

const chaincodeSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9]+([-_][A-Za-z0-9]+)*$/, 'chaincode names follow Fabric lifecycle rules'),
    version: z.string().min(1).max(64),
    path: z.string().min(1).optional(),
    address: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'expected host:port')
      .optional(),
    endorsementPolicy: z.string().min(1).default('MAJORITY Endorsement'),
    collections: z.array(collectionSchema).default([]),
  })
  .refine((c) => (c.path === undefined) !== (c.address === undefined), 'give exactly one of "path" (a Node chaincode folder) or "address" (a running chaincode server)');

const networkSchema = z.strictObject({
  $schema: z.string().optional(),
  channel: z.string().regex(/^[a-z][a-z0-9.-]*$/, 'Fabric channel names are lower-case'),
  organizations: z.array(organizationSchema).min(1),
  chaincodes: z.array(chaincodeSchema).min(1),
  orderer: z
    .strictObject({
      mspId: mspIdSchema.default('OrdererMSP'),
      batchSize: z.number().int().min(1).max(10_000).default(500),
      batchTimeoutMs: z.number().int().min(1).max(60_000).default(10),
    })
    .default({ mspId: 'OrdererMSP', batchSize: 500, batchTimeoutMs: 10 }),
  limits: z
    .strictObject({
      maxMessageBytes: z
        .number()
        .int()
        .min(1024)
        .default(100 * 1024 * 1024),
      endorsementTimeoutMs: z.number().int().min(100).default(30_000),
    })
    .default({ maxMessageBytes: 100 * 1024 * 1024, endorsementTimeoutMs: 30_000 }),
});

/** An identity to enrol at first start. */
export type IdentityConfig = z.infer<typeof identitySchema>;
/** An organisation (one peer with its Gateway). */
export type OrganizationConfig = z.infer<typeof organizationSchema> & { domain: string };
/** A private data collection with its parsed policies and member organisations. */
export type CollectionConfig = Omit<z.infer<typeof collectionSchema>, 'endorsementPolicy'> & {
  /** MSP ids named by the collection's member policy. */
  members: string[];
  /** Collection-level endorsement policy, when the definition gives one. */
  endorsementPolicy: SignaturePolicy | undefined;
};
/** A chaincode definition with its parsed policy and resolved source folder. */
export type ChaincodeConfig = Omit<z.infer<typeof chaincodeSchema>, 'collections'> & { policy: SignaturePolicy; collections: CollectionConfig[] };
/** A validated network configuration. */
export type NetworkConfig = Omit<z.infer<typeof networkSchema>, 'organizations' | 'chaincodes'> & {
  organizations: OrganizationConfig[];
  chaincodes: ChaincodeConfig[];
};

/** Default domain of an organisation: `StreetOfficeMSP` → `streetoffice.ctl.local`. */
export function defaultDomain(mspId: string): string {
  return `${mspId.replace(/MSP$/, '').toLowerCase().replace(/[^a-z0-9-]/g, '')}.ctl.local`;
}

/**
 * Validates a configuration object; chaincode `path`s are resolved against `baseDir`.
 *
 * @throws ConfigError naming the first invalid field, a duplicate MSP id or chaincode name, or an
 * endorsement policy that does not parse or names an MSP that is not on the channel.
 */
export function parseNetworkConfig(raw: unknown, baseDir: string): NetworkConfig {
  const parsed = networkSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue?.path.join('.') || '(root)', issue?.message ?? 'invalid');
  }
  const cfg = parsed.data;
  const mspIds = cfg.organizations.map((o) => o.mspId);
  const dup = mspIds.find((m, i) => mspIds.indexOf(m) !== i);
  if (dup !== undefined) throw new ConfigError('organizations', `duplicate MSP id ${dup}`);
  if (mspIds.includes(cfg.orderer.mspId)) throw new ConfigError('orderer.mspId', `${cfg.orderer.mspId} is also a peer organisation`);
  const organizations = cfg.organizations.map((o, i) => {
    const names = o.identities.map((id) => id.name);
    const clash = names.find((n, j) => names.indexOf(n) !== j || n === 'admin' || n === 'user' || n === 'peer' || n === 'ca');
    if (clash !== undefined) throw new ConfigError(`organizations.${i}.identities`, `identity name ${clash} is reserved or duplicated`);
    return { ...o, domain: o.domain ?? defaultDomain(o.mspId) };
  });
  const ccNames = cfg.chaincodes.map((c) => c.name);
  const dupCc = ccNames.find((n, i) => ccNames.indexOf(n) !== i);
  if (dupCc !== undefined) throw new ConfigError('chaincodes', `duplicate chaincode name ${dupCc}`);
  const chaincodes = cfg.chaincodes.map((c, i) => {
    let policy: SignaturePolicy;
    try {
      policy = parseEndorsementPolicy(c.endorsementPolicy, mspIds);
    } catch (err) {
      throw new ConfigError(`chaincodes.${i}.endorsementPolicy`, err instanceof Error ? err.message : String(err));
    }
    const unknown = policy.identities.find((p) => !mspIds.includes(p.mspId));
    if (unknown !== undefined) throw new ConfigError(`chaincodes.${i}.endorsementPolicy`, `${unknown.mspId} is not an organisation of the channel`);
    const path = c.path === undefined ? undefined : isAbsolute(c.path) ? c.path : resolve(baseDir, c.path);
    const collections = c.collections.map((col, j): CollectionConfig => {
      const at = `chaincodes.${i}.collections.${j}`;
      const parse = (source: string, field: string): SignaturePolicy => {
        let parsed: SignaturePolicy;
        try {
          parsed = parsePolicy(source);
        } catch (err) {
          throw new ConfigError(`${at}.${field}`, err instanceof Error ? err.message : String(err));
        }
        const stranger = parsed.identities.find((p) => !mspIds.includes(p.mspId));
        if (stranger !== undefined) throw new ConfigError(`${at}.${field}`, `${stranger.mspId} is not an organisation of the channel`);
        return parsed;
      };
      const member = parse(col.policy, 'policy');
      return {
        ...col,
        members: [...new Set(member.identities.map((p) => p.mspId))],
        endorsementPolicy: col.endorsementPolicy === undefined ? undefined : parse(col.endorsementPolicy.signaturePolicy, 'endorsementPolicy.signaturePolicy'),
      };
    });
    const names = collections.map((col) => col.name);
    const dupCol = names.find((n, k) => names.indexOf(n) !== k);
    if (dupCol !== undefined) throw new ConfigError(`chaincodes.${i}.collections`, `duplicate collection name ${dupCol}`);
    return { ...c, path, policy, collections };
  });
  return { ...cfg, organizations, chaincodes };
}

/**
 * Reads and validates a configuration file.
 *
 * @throws ConfigError when the file cannot be read, is not JSON, or fails validation.
 */
export function loadNetworkConfig(file: string): NetworkConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, `cannot read network configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseNetworkConfig(raw, dirname(file));
}

/** Path of the default network file shipped with the devnet. */
export const DEFAULT_NETWORK_FILE = resolve(DEVNET_DIR, 'network.json');
