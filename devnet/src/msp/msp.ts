/**
 * The channel's membership service providers: deserialises `SerializedIdentity` bytes, checks the
 * certificate against the organisation's CA (issuer, signature, validity dates, NodeOU), and
 * verifies signatures. Results are cached by creator bytes because PEM parsing dominates the cost
 * of every proposal and transaction check.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { verifyLowS } from './ecdsa';
import type { NodeOU } from './ca';

/** An identity that passed the MSP checks. */
export interface ValidatedIdentity {
  mspId: string;
  certPem: string;
  publicKey: KeyObject;
  nodeOU: NodeOU;
  /** The serialised identity, as it appeared on the wire. */
  serialized: Uint8Array;
  notAfter: number;
  notBefore: number;
}

/** Why an identity was refused; the text is logged, clients get Fabric's generic answer. */
export class IdentityRejectedError extends Error {
  readonly code = 'DEVNET.IDENTITY_INVALID';

  constructor(message: string) {
    super(message);
    this.name = IdentityRejectedError.name;
  }
}

interface OrgMsp {
  mspId: string;
  ca: X509Certificate;
}

const NODE_OUS: readonly NodeOU[] = ['client', 'peer', 'admin', 'orderer'];

function nodeOUOf(cert: X509Certificate): NodeOU | undefined {
  const ous = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('OU='))
    .map((line) => line.slice(3));
  const roles = ous.filter((ou): ou is NodeOU => (NODE_OUS as readonly string[]).includes(ou));
  return roles.length === 1 ? roles[0] : undefined;
}

/** The set of MSPs of a channel. */
export class ChannelMsps {
  private readonly orgs = new Map<string, OrgMsp>();
  private readonly cache = new Map<string, ValidatedIdentity>();

  /** @throws Error when a CA certificate does not parse. */
  constructor(orgs: readonly { mspId: string; caCertPem: string }[]) {
    for (const org of orgs) this.orgs.set(org.mspId, { mspId: org.mspId, ca: new X509Certificate(org.caCertPem) });
  }

  /** MSP ids of the channel, in configuration order. */
  mspIds(): string[] {
    return [...this.orgs.keys()];
  }

  /**
   * Deserialises and validates a `SerializedIdentity`.
   *
   * @throws IdentityRejectedError when the bytes do not decode, the MSP is not on the channel,
   * the certificate was not issued by that MSP's CA, is outside its validity dates, or carries no
   * single NodeOU role.
   */
  validate(serialized: Uint8Array, now = Date.now()): ValidatedIdentity {
    const cacheKey = Buffer.from(serialized).toString('latin1');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.checkDates(cached, now);
      return cached;
    }
    let mspId: string;
    let certPem: string;
    try {
      const sid = msp.SerializedIdentity.deserializeBinary(serialized);
      mspId = sid.getMspid();
      certPem = Buffer.from(sid.getIdBytes_asU8()).toString('utf8');
    } catch (err) {
      throw new IdentityRejectedError(`could not deserialize identity: ${String(err)}`);
    }
    const org = this.orgs.get(mspId);
    if (org === undefined) throw new IdentityRejectedError(`MSP ${mspId} is not defined on channel`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch (err) {
      throw new IdentityRejectedError(`could not parse certificate of MSP ${mspId}: ${String(err)}`);
    }
    if (!cert.checkIssued(org.ca) || !cert.verify(org.ca.publicKey)) {
      throw new IdentityRejectedError(`certificate is not issued by the CA of ${mspId}: x509: certificate signed by unknown authority`);
    }
    if (cert.ca) throw new IdentityRejectedError('a CA certificate cannot be used as an identity');
    const nodeOU = nodeOUOf(cert);
    if (nodeOU === undefined) throw new IdentityRejectedError(`certificate of ${mspId} carries no single NodeOU role`);
    const identity: ValidatedIdentity = {
      mspId,
      certPem,
      publicKey: cert.publicKey,
      nodeOU,
      serialized: new Uint8Array(serialized),
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
    };
    this.checkDates(identity, now);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, identity);
    return identity;
  }

  /**
   * Verifies `signature` over `message` by a validated identity (ECDSA-SHA256, low-S). A valid
   * result is remembered, because the same envelope is checked at ordering and again at commit,
   * and endorsements this process signed are checked at commit.
   */
  verify(identity: ValidatedIdentity, message: Uint8Array, signature: Uint8Array): boolean {
    const key = this.verifiedKey(identity.serialized, message, signature);
    if (this.verified.has(key)) return true;
    const ok = verifyLowS(identity.publicKey, message, signature);
    if (ok) this.rememberKey(key);
    return ok;
  }

  /** Records a signature this process just made, so verifying it later costs a hash, not an ECDSA check. */
  rememberValid(identityBytes: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
    this.rememberKey(this.verifiedKey(identityBytes, message, signature));
  }

  private readonly verified = new Set<string>();

  private verifiedKey(identityBytes: Uint8Array, message: Uint8Array, signature: Uint8Array): string {
    return createHash('sha256').update(identityBytes).update(message).update(signature).digest('base64');
  }

  private rememberKey(key: string): void {
    if (this.verified.size >= 50_000) this.verified.clear();
    this.verified.add(key);
  }

  private checkDates(identity: ValidatedIdentity, now: number): void {
    if (now > identity.notAfter) {
      throw new IdentityRejectedError(`certificate of ${identity.mspId} has expired: x509: certificate has expired or is not yet valid`);
    }
    if (now < identity.notBefore) {
      throw new IdentityRejectedError(`certificate of ${identity.mspId} is not yet valid: x509: certificate has expired or is not yet valid`);
    }
  }
}
