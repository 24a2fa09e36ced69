/**
 * Real X.509 identities for tests: one ECDSA P-256 CA per organisation and leaf certificates
 * made the way cryptogen and Fabric CA make them: NodeOU in the subject OU (`client`,
 * `admin`, `peer`) and Fabric CA attributes in extension 1.2.3.4.5.6.7.8.1 as
 * `{"attrs":{...}}`. fabric-shim's own ClientIdentity parses them in the tests, exactly as on a
 * peer.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Fabric CA's attribute extension. */
export const FABRIC_ATTR_OID = '1.2.3.4.5.6.7.8.1';

/** An identity as a client presents it: MSP id and certificate. */
export interface TestIdentity {
  readonly mspId: string;
  readonly certPem: string;
  /** For test messages. */
  readonly label: string;
}

/** What a leaf certificate should say. */
export interface IdentitySpec {
  /** NodeOU; `client` unless stated. */
  readonly ou?: 'client' | 'admin' | 'peer';
  /** Fabric CA `role` attribute; none when omitted. */
  readonly role?: string;
  /** More attributes. */
  readonly attrs?: Readonly<Record<string, string>>;
}

interface Authority {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

const authorities = new Map<string, Promise<Authority>>();
let serial = 1;

function nextSerial(): string {
  serial += 1;
  return serial.toString(16).padStart(4, '0');
}

function validity(): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.now() - 5 * 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + 10 * 365 * 86_400_000) };
}

async function authority(mspId: string): Promise<Authority> {
  let pending = authorities.get(mspId);
  if (pending === undefined) {
    pending = (async () => {
      const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
      const domain = `${mspId.toLowerCase().replace(/msp$/, '')}.example.com`;
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: nextSerial(),
        name: `C=CN, O=${domain}, CN=ca.${domain}`,
        ...validity(),
        signingAlgorithm: ALGORITHM,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      return { cert, keys };
    })();
    authorities.set(mspId, pending);
  }
  return pending;
}

/**
 * Issues a leaf certificate for `cn` in organisation `mspId`.
 *
 * @param mspId - the organisation; its CA is created on first use
 * @param cn - subject common name (enrolment id)
 * @param spec - NodeOU and attributes
 * @returns the identity
 */
export async function createIdentity(mspId: string, cn: string, spec: IdentitySpec = {}): Promise<TestIdentity> {
  const ca = await authority(mspId);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ou = spec.ou ?? 'client';
  const attrs: Record<string, string> = { 'hf.Affiliation': '', 'hf.EnrollmentID': cn, 'hf.Type': ou, ...spec.attrs };
  if (spec.role !== undefined) attrs.role = spec.role;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `C=CN, O=${ca.cert.subjectName.getField('O')[0] ?? mspId}, OU=${ou}, CN=${cn}`,
    issuer: ca.cert.subject,
    ...validity(),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.Extension(FABRIC_ATTR_OID, false, Buffer.from(JSON.stringify({ attrs }), 'utf8')),
    ],
  });
  const label = `${mspId}/${cn}${spec.role === undefined ? '' : `(${spec.role})`}${ou === 'client' ? '' : `[${ou}]`}`;
  return { mspId, certPem: cert.toString('pem'), label };
}
