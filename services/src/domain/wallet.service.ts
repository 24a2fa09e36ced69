/**
 * The holder's side of e-certificates: the wallet (certificates whose subjectRef is the
 * caller's), disclosures with share links (only a hash of each token is stored), offline bundles,
 * consents, and the zero-material fetch a department makes with a consent. A resident never sees
 * another's certificate: every lookup is by the caller's own subjectRef, and a miss is a 404.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { Principal } from '../identity/principal';
import type { FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Database } from '../readmodel/schema';
import { CertificateRepository } from '../repositories/certificate.repository';
import { DocumentRepository, type StoredDocument } from '../repositories/document.repository';
import { WalletRepository, type WalletRow } from '../repositories/wallet.repository';
import {
  DisclosureError,
  createOfflineBundle,
  disclose,
  encodeQrPayload,
  withLedgerRecord,
  type CertificateDocument,
  type OfflineBundle,
  type SnapshotSigner,
  type VerificationResult,
} from '../verification';
import { certificatePdf, qrPng, type FontChoice } from './certificate-print';
import type { PublicLedgerRecord, VerificationService } from './verification.service';

/** A wallet entry: the read model's row as it is. */
export type WalletCertificate = WalletRow;

/** A created disclosure with its share link. */
export interface DisclosureAnswer {
  readonly disclosureId: string;
  readonly document: CertificateDocument;
  readonly shareUrl: string;
  readonly expiresAt: string;
  readonly qrPayload: string;
}

export interface WalletServiceDependencies {
  readonly db: Kysely<Database>;
  readonly fabric: FabricLedger;
  readonly verification: Pick<VerificationService, 'verify' | 'publicRecord' | 'verificationPorts'>;
  /** The department key that signs offline bundles' snapshots, when the services hold one. */
  readonly signerFor: (mspId: string) => SnapshotSigner | undefined;
  /** Derives share tokens (HMAC key); the deployment's subject reference secret. */
  readonly secret: string;
  /** Organisations that exist (consent audiences). */
  readonly organisations: ReadonlySet<string>;
  /** Font for printed certificates (`certificateFont`, opened at start). */
  readonly font: FontChoice;
}

const SHARE_PATH = '/s/';

/** SHA-256 hex of a share token: what the read model keeps. */
export function shareTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function holderOf(principal: Principal): string {
  if (principal.subjectRef === undefined) {
    throw new ForbiddenError('WALLET.NO_IDENTITY', 'Your sign-in carries no identity number, so no certificates can be yours');
  }
  return principal.subjectRef;
}

/** The document as the holder gets it: with its Fabric reference once recorded. */
export function composeDocument(stored: StoredDocument, fabric: Pick<FabricLedger, 'channel' | 'chaincode'>): CertificateDocument {
  const document = stored.document as unknown as CertificateDocument;
  if (stored.record === null) return document;
  return withLedgerRecord(document, { channel: fabric.channel, chaincode: fabric.chaincode, certificateId: stored.certificateId, txId: stored.record.txId, blockNumber: stored.record.blockNumber });
}

/** Wallet, disclosures, bundles, consents and zero-material fetches. */
export class WalletService {
  constructor(private readonly deps: WalletServiceDependencies) {}

  /** The caller's certificates, newest first. @throws {@link ForbiddenError} `WALLET.NO_IDENTITY`. */
  async list(principal: Principal): Promise<WalletCertificate[]> {
    return new WalletRepository(this.deps.db).walletOf(holderOf(principal));
  }

  /**
   * One of the caller's documents. Another person's certificate is answered exactly like one
   * that does not exist.
   *
   * @throws {@link NotFoundError} `CERT.NOT_FOUND`.
   */
  async own(principal: Principal, certificateId: string): Promise<StoredDocument> {
    const stored = await new DocumentRepository(this.deps.db).find(certificateId);
    if (stored?.subjectRef !== holderOf(principal) || stored.record === null) throw new NotFoundError('CERT.NOT_FOUND', `You hold no certificate ${certificateId}`);
    return stored;
  }

  /** `{ certificate, status, record }` for the holder. @throws as {@link WalletService.own}. */
  async detail(principal: Principal, certificateId: string): Promise<{ certificate: CertificateDocument; status: string; record: PublicLedgerRecord }> {
    const stored = await this.own(principal, certificateId);
    const record = await this.deps.verification.publicRecord(certificateId);
    return { certificate: composeDocument(stored, this.deps.fabric), status: record.status, record };
  }

  /**
   * An offline bundle of a document: every status answer, signed by its department's key.
   *
   * @throws {@link AppError} `BUNDLE.NO_SIGNER` (503) when the services hold no key of the issuing department.
   */
  async bundleOf(document: CertificateDocument, issuerMsp: string): Promise<OfflineBundle> {
    const signer = this.deps.signerFor(issuerMsp);
    if (signer === undefined) throw new AppError(503, 'BUNDLE.NO_SIGNER', `The services hold no signing key of ${issuerMsp} to sign an offline bundle`);
    return createOfflineBundle(document, this.deps.verification.verificationPorts(), { signers: [signer] });
  }

  /** The holder's offline bundle of one certificate. @throws as {@link WalletService.own} and {@link WalletService.bundleOf}. */
  async bundle(principal: Principal, certificateId: string): Promise<OfflineBundle> {
    const stored = await this.own(principal, certificateId);
    return this.bundleOf(composeDocument(stored, this.deps.fabric), stored.issuerMsp);
  }

  /** The share token of a disclosure: derived, never stored (only its hash is). */
  shareToken(disclosureId: string): string {
    return createHmac('sha256', this.deps.secret).update(`share:${disclosureId}`, 'utf8').digest('base64url');
  }

  /** The share link of a disclosure. */
  shareUrl(disclosureId: string): string {
    return `${SHARE_PATH}${this.shareToken(disclosureId)}`;
  }

  /**
   * Makes a disclosure that hides `hideFields` and a share link valid `expiresInSeconds`.
   *
   * @throws {@link AppError} 422 `DISCLOSURE.FIELD_NOT_HIDEABLE` for a field that must always
   *   show, `DISCLOSURE.UNKNOWN_FIELD` for one the certificate does not show; as {@link WalletService.own}.
   */
  async createDisclosure(principal: Principal, certificateId: string, input: { hideFields: readonly string[]; expiresInSeconds: number }): Promise<DisclosureAnswer> {
    const stored = await this.own(principal, certificateId);
    let document: CertificateDocument;
    try {
      document = await disclose(composeDocument(stored, this.deps.fabric), input.hideFields);
    } catch (err) {
      if (err instanceof DisclosureError) {
        const code = err.code === 'CERT_DISCLOSURE.MUST_SHOW' ? 'DISCLOSURE.FIELD_NOT_HIDEABLE' : 'DISCLOSURE.UNKNOWN_FIELD';
        throw new AppError(422, code, err.message, { cause: err, extensions: { errors: [{ path: 'body.hideFields', message: err.message }] } });
      }
      throw err;
    }
    const disclosureId = `d-${randomUUID()}`;
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + input.expiresInSeconds * 1000);
    let qrPayload: string;
    try {
      qrPayload = await encodeQrPayload(await this.bundleOf(document, stored.issuerMsp));
    } catch {
      // Without a signed snapshot the QR code carries the share link; a scanner fetches the document.
      qrPayload = this.shareUrl(disclosureId);
    }
    await new WalletRepository(this.deps.db).insertDisclosure({
      id: disclosureId,
      certificateId,
      subjectRef: stored.subjectRef,
      tokenHash: shareTokenHash(this.shareToken(disclosureId)),
      hiddenFields: [...new Set(input.hideFields)],
      document: document as unknown as Record<string, unknown>,
      expiresAt,
    });
    return { disclosureId, document, shareUrl: this.shareUrl(disclosureId), expiresAt: expiresAt.toISOString(), qrPayload };
  }

  /** Revokes a share link early. @throws {@link NotFoundError} `SHARE.NOT_FOUND` (also for another holder's). */
  async revokeDisclosure(principal: Principal, disclosureId: string): Promise<void> {
    if (!(await new WalletRepository(this.deps.db).revokeDisclosure(disclosureId, holderOf(principal)))) {
      throw new NotFoundError('SHARE.NOT_FOUND', `You have no share link ${disclosureId}`);
    }
  }

  /**
   * The disclosed document behind a share token, while the link is valid.
   *
   * @throws {@link NotFoundError} `SHARE.NOT_FOUND`; {@link AppError} 410 `SHARE.EXPIRED` or `SHARE.REVOKED`.
   */
  async share(token: string): Promise<CertificateDocument> {
    const row = await new WalletRepository(this.deps.db).findDisclosureByTokenHash(shareTokenHash(token));
    if (row === undefined) throw new NotFoundError('SHARE.NOT_FOUND', 'There is no share link with this token');
    if (row.revokedAt !== null) throw new AppError(410, 'SHARE.REVOKED', 'The holder withdrew this share link');
    if (Date.parse(row.expiresAt) <= Date.now()) throw new AppError(410, 'SHARE.EXPIRED', `This share link expired at ${row.expiresAt}`);
    return row.document as unknown as CertificateDocument;
  }

  /**
   * Lets one department fetch the caller's valid certificates of `typeCodes` once.
   *
   * @throws {@link ValidationError} for an unknown department or type.
   */
  async grantConsent(principal: Principal, input: { audienceMsp: string; typeCodes: readonly string[]; purpose: string; expiresInSeconds: number }): Promise<{ consentId: string; expiresAt: string }> {
    const subjectRef = holderOf(principal);
    const issues = [];
    if (!this.deps.organisations.has(input.audienceMsp)) issues.push({ path: 'body.audienceMsp', message: 'is not an organisation of the network' });
    const known = new Set((await new CertificateRepository(this.deps.db).listTypes()).map((t) => t.code));
    for (const [i, code] of input.typeCodes.entries()) if (!known.has(code)) issues.push({ path: `body.typeCodes.${String(i)}`, message: `${code} is not a registered certificate type` });
    if (issues.length > 0) throw new ValidationError(issues);
    const consentId = `k-${randomUUID()}`;
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + input.expiresInSeconds * 1000);
    await new WalletRepository(this.deps.db).insertConsent({ id: consentId, subjectRef, audienceMsp: input.audienceMsp, typeCodes: [...new Set(input.typeCodes)], purpose: input.purpose, expiresAt });
    return { consentId, expiresAt: expiresAt.toISOString() };
  }

  /**
   * The zero-material fetch: with the resident's consent, an officer of the consent's department
   * gets the resident's currently valid certificates of the required types, each verified. The
   * consent is used up (once, atomically) and the fetch is recorded in the audit table.
   *
   * @throws {@link NotFoundError} `CONSENT.NOT_FOUND`; {@link ForbiddenError}
   *   `CONSENT.WRONG_AUDIENCE` (another department's consent), `CONSENT.OUT_OF_SCOPE` (types the
   *   consent does not cover: nothing is used up); {@link AppError} 410 `CONSENT.EXPIRED`,
   *   `CONSENT.USED`.
   */
  async zeroMaterialFetch(
    principal: Principal,
    input: { consentId: string; matterCode?: string | undefined; requiredTypes: readonly string[] },
  ): Promise<{ certificates: { typeCode: string; certificate: CertificateDocument; verification: VerificationResult }[]; missing: string[] }> {
    const wallet = new WalletRepository(this.deps.db);
    const consent = await wallet.findConsent(input.consentId);
    if (consent === undefined) throw new NotFoundError('CONSENT.NOT_FOUND', `There is no consent ${input.consentId}`);
    if (principal.org !== consent.audienceMsp) throw new ForbiddenError('CONSENT.WRONG_AUDIENCE', `Consent ${input.consentId} was given to another department`);
    const outside = input.requiredTypes.filter((t) => !consent.typeCodes.includes(t));
    if (outside.length > 0) {
      throw new ForbiddenError('CONSENT.OUT_OF_SCOPE', `The consent does not cover ${outside.join(', ')}; nothing was fetched`, {
        extensions: { errors: outside.map((t) => ({ path: 'body.requiredTypes', message: `${t} is not covered by the consent` })) },
      });
    }
    if (Date.parse(consent.expiresAt) <= Date.now()) throw new AppError(410, 'CONSENT.EXPIRED', `Consent ${input.consentId} expired at ${consent.expiresAt}`);
    if (!(await wallet.useConsent(consent.id, principal.userId))) throw new AppError(410, 'CONSENT.USED', `Consent ${input.consentId} has been used`);

    const required = [...new Set(input.requiredTypes)];
    const held = await new DocumentRepository(this.deps.db).forSubject(consent.subjectRef, required);
    const certificates: { typeCode: string; certificate: CertificateDocument; verification: VerificationResult }[] = [];
    const missing: string[] = [];
    const results: Record<string, unknown>[] = [];
    for (const typeCode of required) {
      let found = false;
      for (const stored of held.filter((d) => d.typeCode === typeCode && d.record !== null)) {
        const certificate = composeDocument(stored, this.deps.fabric);
        const verification = await this.deps.verification.verify(certificate);
        results.push({ certificateId: stored.certificateId, typeCode, valid: verification.valid, failed: verification.checks.filter((c) => !c.ok).map((c) => `${c.name}:${c.code}`) });
        if (verification.valid) {
          certificates.push({ typeCode, certificate, verification });
          found = true;
          break;
        }
      }
      if (!found) missing.push(typeCode);
    }
    await wallet.insertFetch({
      id: `z-${randomUUID()}`,
      consentId: consent.id,
      officer: principal.userId,
      audienceMsp: consent.audienceMsp,
      matterCode: input.matterCode ?? null,
      requiredTypes: required,
      certificateIds: certificates.map((c) => c.certificate.id.replace(/^urn:ctl:certificate:/, '')),
      missing,
      results,
    });
    return { certificates, missing };
  }

  /**
   * A printable certificate: a PDF with its face and QR code, or the QR code alone as a PNG. The
   * QR code carries the offline bundle (`CTL1:` payload), which verifies with no network.
   *
   * @throws as {@link WalletService.printable} and {@link WalletService.bundleOf}.
   */
  async print(principal: Principal, certificateId: string, format: 'pdf' | 'png'): Promise<Buffer> {
    const stored = await this.printable(principal, certificateId);
    const document = composeDocument(stored, this.deps.fabric);
    const payload = await encodeQrPayload(await this.bundleOf(document, stored.issuerMsp));
    if (format === 'png') return qrPng(payload);
    const type = await new CertificateRepository(this.deps.db).findType(stored.typeCode);
    return certificatePdf(document, type, payload, this.deps.font);
  }

  /**
   * A stored document for printing: its holder, or an officer of the issuing department.
   *
   * @throws {@link NotFoundError} `CERT.NOT_FOUND` for anyone else (a resident never learns another's exists).
   */
  async printable(principal: Principal, certificateId: string): Promise<StoredDocument> {
    const stored = await new DocumentRepository(this.deps.db).find(certificateId);
    const holder = principal.subjectRef !== undefined && stored?.subjectRef === principal.subjectRef && principal.roles.includes('resident');
    const issuer = principal.roles.includes('officer') && stored?.issuerMsp === principal.org;
    if (stored === undefined || stored.record === null || (!holder && !issuer)) throw new NotFoundError('CERT.NOT_FOUND', `There is no certificate ${certificateId} you may print`);
    return stored;
  }
}
