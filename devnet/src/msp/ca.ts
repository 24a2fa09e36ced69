/**
 * Certificate authority and identity issuance following Fabric's cryptogen conventions
 * (internal/cryptogen/ca/ca.go, msp/generator.go): ECDSA P-256, ECDSA-SHA256, ten years of
 * validity backdated five minutes, NodeOU role in the subject OU, and Fabric CA's attribute
 * extension (OID 1.2.3.4.5.6.7.8.1, JSON `{"attrs":{...}}`) so that chaincode's
 * `ClientIdentity.getAttributeValue` reads the attributes.
 */
import 'reflect-metadata';
import { webcrypto, createPrivateKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** OID under which Fabric CA stores enrollment attributes. */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

/** The NodeOU roles cryptogen writes into the subject OU. */
export type NodeOU = 'client' | 'peer' | 'admin' | 'orderer';

const EC_PARAMS = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;
const LOCALITY = 'C=US, ST=California, L=San Francisco';

/** A certificate with its PKCS#8 private key, both PEM. */
export interface IssuedIdentity {
  certPem: string;
  keyPem: string;
}

/** A CA able to issue leaf certificates. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** Organisation domain, e.g. `streetoffice.ctl.local`. */
  domain: string;
}

/** Options of {@link issueIdentity}. */
export interface IssueOptions {
  /** Common name; cryptogen uses `User1@<domain>`, `Admin@<domain>`, `peer0.<domain>`. */
  commonName: string;
  nodeOU: NodeOU;
  /** Attributes in Fabric CA's extension; `hf.EnrollmentID` and `hf.Type` are added. */
  attrs?: Record<string, string>;
  /** Overrides the validity window (tests use it to issue expired certificates). */
  notBefore?: Date;
  notAfter?: Date;
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_PARAMS, true, ['sign', 'verify']);
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

async function importSigningKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, EC_PARAMS, false, ['sign'])) ;
}

/**
 * Creates a self-signed CA for an organisation domain, as cryptogen does
 * (`O=<domain>, CN=ca.<domain>`, CA basic constraints, CertSign/CRLSign key usage, SKI).
 */
export async function createCertificateAuthority(domain: string): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `${LOCALITY}, O=${domain}, CN=ca.${domain}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment |
          x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey), domain };
}

/**
 * Issues a leaf identity signed by `ca`: DigitalSignature key usage, not a CA, authority key id
 * of the CA, NodeOU in the subject OU, and the optional attribute extension.
 *
 * @throws Error when the CA key or certificate PEM does not parse.
 */
export async function issueIdentity(ca: CertificateAuthority, options: IssueOptions): Promise<IssuedIdentity> {
  const keys = await generateKeys();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importSigningKey(ca.keyPem);
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (options.attrs !== undefined && Object.keys(options.attrs).length > 0) {
    const attrs = {
      'hf.Affiliation': '',
      'hf.EnrollmentID': options.commonName,
      'hf.Type': options.nodeOU,
      ...options.attrs,
    };
    const json = Buffer.from(JSON.stringify({ attrs }), 'utf8');
    extensions.push(new x509.Extension(FABRIC_ATTRS_OID, false, json));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `${LOCALITY}, OU=${options.nodeOU}, CN=${options.commonName}`,
    issuer: caCert.subject,
    notBefore: options.notBefore ?? new Date(now - BACKDATE_MS),
    notAfter: options.notAfter ?? new Date(now + TEN_YEARS_MS),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}
