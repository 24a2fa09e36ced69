/**
 * The Fabric connection file (DEVELOPERS.md "devnet connection file"): channel, chaincodes and,
 * per organisation, its Gateway endpoint, TLS CA and identities. The devnet writes it; a
 * production network uses the same format with TLS CA paths. It is the services' wallet: each
 * identity's certificate and PKCS#8 key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const IdentityFileSchema = z.object({ cert: z.string().min(1), key: z.string().min(1) });

const OrganisationSchema = z.object({
  name: z.string().optional(),
  gateway: z.string().regex(/^[^\s/]+:\d{1,5}$/, 'must be host:port'),
  tlsCACert: z.string().min(1).nullable().optional(),
  /** Optional: the host name the TLS certificate was issued for, when it differs from `gateway`. */
  tlsHostOverride: z.string().min(1).optional(),
  identities: z.record(z.string().min(1), IdentityFileSchema),
});

const ConnectionFileSchema = z.object({
  channel: z.string().min(1),
  chaincodes: z.array(z.string().min(1)).optional(),
  organizations: z.record(z.string().min(1), OrganisationSchema),
});

/** One identity of the wallet, loaded. */
export interface WalletIdentity {
  readonly mspId: string;
  readonly name: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** One organisation's endpoint and identities. */
export interface OrganisationConnection {
  readonly mspId: string;
  readonly gateway: string;
  readonly tlsCACertPem: string | null;
  readonly tlsHostOverride: string | undefined;
  readonly identities: ReadonlyMap<string, WalletIdentity>;
}

/** The parsed connection file with its PEM files read. */
export interface ConnectionProfile {
  readonly file: string;
  readonly channel: string;
  readonly chaincodes: readonly string[];
  readonly organisations: ReadonlyMap<string, OrganisationConnection>;
}

/** The connection file is missing, malformed, or names files that cannot be read. */
export class ConnectionProfileError extends Error {
  readonly code: 'FABRIC.CONNECTION_MISSING' | 'FABRIC.CONNECTION_INVALID';
  constructor(code: ConnectionProfileError['code'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = ConnectionProfileError.name;
    this.code = code;
  }
}

/**
 * Reads the connection file and every PEM file it names (paths are absolute or relative to the
 * file's folder).
 *
 * @throws {@link ConnectionProfileError} `FABRIC.CONNECTION_MISSING` when the file does not
 *   exist, `FABRIC.CONNECTION_INVALID` when it or a file it names is unreadable or malformed.
 */
export function loadConnectionProfile(file: string): ConnectionProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectionProfileError(
      'FABRIC.CONNECTION_MISSING',
      `Fabric connection file ${file} cannot be read (start the devnet, or set FABRIC_CONNECTION)`,
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConnectionProfileError('FABRIC.CONNECTION_INVALID', `Fabric connection file ${file} is not JSON`, err);
  }
  const parsed = ConnectionFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConnectionProfileError('FABRIC.CONNECTION_INVALID', `Fabric connection file ${file}: ${z.prettifyError(parsed.error)}`);
  }
  const base = path.dirname(file);
  const read = (p: string, what: string): string => {
    const full = path.resolve(base, p);
    try {
      return readFileSync(full, 'utf8');
    } catch (err) {
      throw new ConnectionProfileError('FABRIC.CONNECTION_INVALID', `${what} ${full} (named in ${file}) cannot be read`, err);
    }
  };
  const organisations = new Map<string, OrganisationConnection>();
  for (const [mspId, org] of Object.entries(parsed.data.organizations)) {
    const identities = new Map<string, WalletIdentity>();
    for (const [name, files] of Object.entries(org.identities)) {
      identities.set(name, {
        mspId,
        name,
        certificatePem: read(files.cert, `certificate of ${mspId}/${name}`),
        privateKeyPem: read(files.key, `key of ${mspId}/${name}`),
      });
    }
    organisations.set(mspId, {
      mspId,
      gateway: org.gateway,
      tlsCACertPem: org.tlsCACert === null || org.tlsCACert === undefined ? null : read(org.tlsCACert, `TLS CA of ${mspId}`),
      tlsHostOverride: org.tlsHostOverride,
      identities,
    });
  }
  return { file, channel: parsed.data.channel, chaincodes: parsed.data.chaincodes ?? [], organisations };
}
