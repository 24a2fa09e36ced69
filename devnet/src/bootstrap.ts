/**
 * Crypto material and the connection file. At first start every organisation gets a CA, a peer
 * signing identity, an `admin`, a `user` and the identities its configuration names, laid out as
 * `<dataDir>/orgs/<MSP>/<name>/{cert.pem,key.pem}` (keys PKCS#8 PEM); later starts reuse them and
 * only issue what is missing. The ordering service gets its own organisation the same way.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { msp } from '@hyperledger/fabric-protos';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { DevnetError } from './errors';
import type { CertificateAuthority, NodeOU } from './msp/ca';
import { signLowS } from './msp/ecdsa';
import type { NetworkConfig } from './config';

/** A signing identity held by the devnet itself (peer or orderer node). */
export interface NodeIdentity {
  mspId: string;
  certPem: string;
  key: KeyObject;
  /** `SerializedIdentity{mspid, id_bytes}` bytes. */
  serialized: Uint8Array;
  sign(message: Uint8Array): Buffer;
}

/** Material of one organisation. */
export interface OrgMaterial {
  mspId: string;
  name: string;
  domain: string;
  caCertPem: string;
  peer: NodeIdentity;
  /** Client identities by name, with absolute PEM paths. */
  identities: Record<string, { cert: string; key: string }>;
}

/** Material of the whole network. */
export interface NetworkMaterial {
  orgs: OrgMaterial[];
  orderer: { mspId: string; caCertPem: string; node: NodeIdentity };
}

/** Serialises an identity as `SerializedIdentity` bytes. */
export function serializeIdentity(mspId: string, certPem: string): Uint8Array {
  const sid = new msp.SerializedIdentity();
  sid.setMspid(mspId);
  sid.setIdBytes(Buffer.from(certPem));
  return sid.serializeBinary();
}

/**
 * The certificate-issuing module, loaded on first use: its X.509 library takes about a quarter of
 * a second to load, which a start with existing material (the usual case) never needs.
 */
function certificateAuthorityModule(): typeof import('./msp/ca') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate on-demand load in CommonJS
  return require('./msp/ca') as typeof import('./msp/ca');
}

function writeAtomic(file: string, data: string, mode = 0o644): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

function orgDir(dataDir: string, mspId: string): string {
  return join(dataDir, 'orgs', mspId);
}

async function ensureCa(dir: string, domain: string): Promise<CertificateAuthority> {
  const certFile = join(dir, 'ca', 'cert.pem');
  const keyFile = join(dir, 'ca', 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), domain };
  }
  const ca = await certificateAuthorityModule().createCertificateAuthority(domain);
  mkdirSync(join(dir, 'ca'), { recursive: true });
  writeAtomic(keyFile, ca.keyPem, 0o600);
  writeAtomic(certFile, ca.certPem);
  return ca;
}

async function ensureLeaf(
  dir: string,
  name: string,
  ca: CertificateAuthority,
  commonName: string,
  nodeOU: NodeOU,
  attrs?: Record<string, string>,
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, name, 'cert.pem');
  const key = join(dir, name, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  const issued = await certificateAuthorityModule().issueIdentity(ca, { commonName, nodeOU, ...(attrs ? { attrs } : {}) });
  mkdirSync(join(dir, name), { recursive: true });
  writeAtomic(key, issued.keyPem, 0o600);
  writeAtomic(cert, issued.certPem);
  return { cert, key };
}

function loadNode(mspId: string, files: { cert: string; key: string }): NodeIdentity {
  const certPem = readFileSync(files.cert, 'utf8');
  const key = createPrivateKey(readFileSync(files.key));
  return { mspId, certPem, key, serialized: serializeIdentity(mspId, certPem), sign: (m) => signLowS(key, m) };
}

const RESERVED = new Set(['ca', 'peer', 'orderer']);

function listIdentities(dir: string): Record<string, { cert: string; key: string }> {
  const out: Record<string, { cert: string; key: string }> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || RESERVED.has(entry.name)) continue;
    const cert = join(dir, entry.name, 'cert.pem');
    const key = join(dir, entry.name, 'key.pem');
    if (existsSync(cert) && existsSync(key)) out[entry.name] = { cert, key };
  }
  return out;
}

/**
 * Creates whatever crypto material is missing under `dataDir` and loads all of it.
 *
 * @throws Error when existing PEM files do not parse.
 */
export async function ensureCryptoMaterial(dataDir: string, config: NetworkConfig): Promise<NetworkMaterial> {
  const orgs: OrgMaterial[] = [];
  for (const org of config.organizations) {
    const dir = orgDir(dataDir, org.mspId);
    const ca = await ensureCa(dir, org.domain);
    const peerFiles = await ensureLeaf(dir, 'peer', ca, `peer0.${org.domain}`, 'peer');
    await ensureLeaf(dir, 'admin', ca, `Admin@${org.domain}`, 'admin');
    await ensureLeaf(dir, 'user', ca, `User1@${org.domain}`, 'client');
    for (const id of org.identities) {
      await ensureLeaf(dir, id.name, ca, id.name, id.type, { ...id.attrs, 'hf.EnrollmentID': id.name });
    }
    orgs.push({
      mspId: org.mspId,
      name: org.name,
      domain: org.domain,
      caCertPem: ca.certPem,
      peer: loadNode(org.mspId, peerFiles),
      identities: listIdentities(dir),
    });
  }
  const ordererMsp = config.orderer.mspId;
  const ordererDir = orgDir(dataDir, ordererMsp);
  const ordererDomain = 'orderer.ctl.local';
  const ordererCa = await ensureCa(ordererDir, ordererDomain);
  const ordererFiles = await ensureLeaf(ordererDir, 'orderer', ordererCa, `orderer0.${ordererDomain}`, 'orderer');
  return { orgs, orderer: { mspId: ordererMsp, caCertPem: ordererCa.certPem, node: loadNode(ordererMsp, ordererFiles) } };
}

/** Options of {@link enrollIdentity}. */
export interface EnrollOptions {
  role?: string;
  attrs?: Record<string, string>;
  type?: 'client' | 'admin';
}

/**
 * Issues a new identity from an organisation's CA, with `role` and any further attributes in
 * Fabric CA's certificate extension, and adds it to connection.json when that file exists. Works
 * whether or not the devnet is running: identities are checked against the CA, not a registry.
 *
 * @throws DevnetError `DEVNET.ORG_UNKNOWN` when the organisation has no CA under `dataDir`,
 * `DEVNET.IDENTITY_EXISTS` when the name is taken, `DEVNET.IDENTITY_INVALID` for a bad name.
 */
export async function enrollIdentity(dataDir: string, mspId: string, name: string, options: EnrollOptions = {}): Promise<{ cert: string; key: string }> {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name) || RESERVED.has(name)) {
    throw new DevnetError('DEVNET.IDENTITY_INVALID', `identity name ${JSON.stringify(name)} must be lower-case letters, digits, "_" or "-" and not ${[...RESERVED].join('/')}`);
  }
  const dir = orgDir(dataDir, mspId);
  if (!existsSync(join(dir, 'ca', 'key.pem'))) throw new DevnetError('DEVNET.ORG_UNKNOWN', `organisation ${mspId} has no CA under ${dataDir}; start the devnet once first`);
  if (existsSync(join(dir, name))) throw new DevnetError('DEVNET.IDENTITY_EXISTS', `identity ${name} already exists in ${mspId}`);
  const caCertPem = readFileSync(join(dir, 'ca', 'cert.pem'), 'utf8');
  const domain = /O=([^,\n]+)/.exec(new X509Certificate(caCertPem).subject)?.[1] ?? mspId;
  const ca: CertificateAuthority = { certPem: caCertPem, keyPem: readFileSync(join(dir, 'ca', 'key.pem'), 'utf8'), domain };
  const attrs = { ...(options.attrs ?? {}), ...(options.role !== undefined ? { role: options.role } : {}), 'hf.EnrollmentID': name };
  const files = await ensureLeaf(dir, name, ca, name, options.type ?? 'client', attrs);
  // List it in connection.json at once, so running services can pick it up without a restart.
  const connectionPath = join(dataDir, 'connection.json');
  if (existsSync(connectionPath)) {
    const connection = JSON.parse(readFileSync(connectionPath, 'utf8')) as ConnectionFile;
    const org = connection.organizations[mspId];
    if (org !== undefined) {
      org.identities[name] = { cert: relative(dataDir, files.cert), key: relative(dataDir, files.key) };
      writeAtomic(connectionPath, `${JSON.stringify(connection, null, 2)}\n`);
    }
  }
  return files;
}

/** The connection file format shared with the services (DEVELOPERS.md, issue 3). */
export interface ConnectionFile {
  channel: string;
  chaincodes: string[];
  organizations: Record<
    string,
    {
      name: string;
      gateway: string;
      tlsCACert: string | null;
      caCert: string;
      /** Certificate of the organisation's peer (its endorsement signing identity). */
      peerCert: string;
      identities: Record<string, { cert: string; key: string }>;
    }
  >;
}

/** Writes `<dataDir>/connection.json` with paths relative to `dataDir`. */
export function writeConnectionFile(dataDir: string, config: NetworkConfig, material: NetworkMaterial, gateways: Record<string, string>): { path: string; connection: ConnectionFile } {
  const organizations: ConnectionFile['organizations'] = {};
  for (const org of material.orgs) {
    const identities: Record<string, { cert: string; key: string }> = {};
    for (const [name, files] of Object.entries(listIdentities(orgDir(dataDir, org.mspId)))) {
      identities[name] = { cert: relative(dataDir, files.cert), key: relative(dataDir, files.key) };
    }
    organizations[org.mspId] = {
      name: org.name,
      gateway: gateways[org.mspId] ?? '',
      tlsCACert: null,
      caCert: relative(dataDir, join(orgDir(dataDir, org.mspId), 'ca', 'cert.pem')),
      peerCert: relative(dataDir, join(orgDir(dataDir, org.mspId), 'peer', 'cert.pem')),
      identities,
    };
  }
  const connection: ConnectionFile = { channel: config.channel, chaincodes: config.chaincodes.map((c) => c.name), organizations };
  const path = join(dataDir, 'connection.json');
  writeAtomic(path, `${JSON.stringify(connection, null, 2)}\n`);
  return { path, connection };
}
