/**
 * The certificate document format (README.md is its specification): constants, the document's
 * types, and the reader that checks a document's structure before any hashing. Nothing here
 * touches a network or a ledger.
 */
import { isHex32, type Hex32 } from './hash';
import { boundedMemo } from './memo';

/** The W3C Verifiable Credentials 2.0 base context; always the first `@context` entry. */
export const VC_CONTEXT_V2 = 'https://www.w3.org/ns/credentials/v2';
/** This project's context (terms of `credentialSubject` and of the proof). */
export const CTL_CONTEXT_V1 = 'https://community-trust-ledger.org/credentials/v1';
/** The `type` every certificate carries besides `VerifiableCredential`. */
export const CERTIFICATE_VC_TYPE = 'CommunityCertificate';
/** The `proof.type` of this format. */
export const PROOF_TYPE = 'CtlMerkleProof2025';

/** URN prefixes of the identifiers inside the document. */
export const CERTIFICATE_URN_PREFIX = 'urn:ctl:certificate:';
export const ISSUER_URN_PREFIX = 'urn:ctl:msp:';
export const SUBJECT_URN_PREFIX = 'urn:ctl:subject:';

/** JSON Pointer of the header field (the document minus its disclosable claims and proof). */
export const HEADER_PATH = '';
/** JSON Pointer prefix of a disclosable claim. */
export const CLAIM_PATH_PREFIX = '/credentialSubject/';

/** `credentialSubject` members that are part of the header and can never be hidden. */
export const MUST_SHOW_SUBJECT_MEMBERS: readonly string[] = ['id', 'certificateType'];

/** Limits on a document; the API's body limit is the outer bound, these keep the work bounded. */
export const LIMITS = {
  /** Disclosable claims plus hidden claims per document. */
  maxFields: 256,
  /** Nesting depth named when a document is too deep to canonicalise (ours never pass 3). */
  maxDepth: 32,
  /** Merkle proof length: 2^32 leaves is far beyond the 10,000-document batch limit. */
  maxProofLength: 32,
  /** Documents per batch (issue 7). */
  maxBatchSize: 10_000,
} as const;

/** A certificate identifier (GB/T 36903 "identifier"), unique across the network. */
export const CERTIFICATE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A Fabric MSP id (the chaincode's rule). */
export const MSP_ID = /^[A-Za-z][A-Za-z0-9.-]{0,63}$/;
/** A certificate type code as the chaincode registers it, e.g. `RESIDENCE_PROOF`. */
export const TYPE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** A disclosable claim name. */
export const CLAIM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** An XML Schema dateTimeStamp as VC 2.0 requires for `validFrom` / `validUntil`: a time zone is mandatory. */
export const DATE_TIME_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Where the batch root is anchored: the EVM chain and the `TrustAnchor` contract. */
export interface AnchorReference {
  readonly chainId: number;
  /** The TrustAnchor address, `0x` + 40 hex (any case; compared case-insensitively). */
  readonly trustAnchor: string;
}

/** The Fabric transaction that recorded the certificate. */
export interface LedgerRecordReference {
  readonly channel: string;
  readonly chaincode: string;
  readonly certificateId: string;
  readonly txId: string;
  readonly blockNumber: number;
}

/** The `proof` member: salts, hidden field hashes, targetHash, Merkle proof, anchor and record. */
export interface CertificateProof {
  readonly type: typeof PROOF_TYPE;
  /** Salt of each visible field, keyed by its JSON Pointer (`""` for the header). */
  readonly salts: Readonly<Record<string, Hex32>>;
  /** Field hashes of the claims the holder hid, ascending. */
  readonly hidden: readonly Hex32[];
  readonly targetHash: Hex32;
  readonly merkleRoot: Hex32;
  readonly merkleProof: readonly Hex32[];
  readonly anchor: AnchorReference;
  /** Absent until the batch is recorded on Fabric. */
  readonly record?: LedgerRecordReference;
}

/** `credentialSubject`: the holder reference, the type, then the type's claims. */
export interface CredentialSubject {
  /** `urn:ctl:subject:<subjectRef>`. */
  readonly id: string;
  readonly certificateType: string;
  readonly [claim: string]: JsonValue;
}

/** A wrapped certificate document (W3C VC 2.0 envelope plus our proof). */
export interface CertificateDocument {
  readonly '@context': readonly string[];
  readonly type: readonly string[];
  /** `urn:ctl:certificate:<certificateId>`. */
  readonly id: string;
  readonly issuer: { readonly id: string; readonly name: string };
  readonly validFrom: string;
  readonly validUntil?: string;
  readonly credentialSubject: CredentialSubject;
  readonly proof: CertificateProof;
}

/** What the verifier reads out of a document, with the problems it found per area. */
export interface ReadDocument {
  /** The document as given (an object). */
  readonly raw: Record<string, unknown>;
  /** Problems with the envelope or the field salts (fail `integrity`). */
  readonly integrityProblem: Problem | undefined;
  readonly certificateId: string | undefined;
  readonly typeCode: string | undefined;
  readonly issuerMspId: string | undefined;
  readonly issuerName: string | undefined;
  readonly subjectRef: Hex32 | undefined;
  /** Unix seconds. */
  readonly validFrom: number | undefined;
  readonly validUntil: number | undefined;
  /** Names of the visible disclosable claims. */
  readonly claims: readonly string[];
  readonly salts: ReadonlyMap<string, Hex32>;
  readonly hidden: readonly Hex32[];
  readonly targetHash: Hex32 | undefined;
  readonly merkleRoot: Hex32 | undefined;
  readonly merkleProof: readonly Hex32[] | undefined;
  readonly merkleProblem: Problem | undefined;
  readonly anchor: AnchorReference | undefined;
  readonly anchorProblem: Problem | undefined;
  readonly record: LedgerRecordReference | undefined;
  readonly recordProblem: Problem | undefined;
}

/** A problem found while reading: a stable code and plain-language text. */
export interface Problem {
  readonly code: string;
  readonly detail: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parsed dateTimeStamps: certificates of one batch share their validity dates. */
const parsedTime = boundedMemo(10_000, (value: string) => parseTime(value));

/** Unix seconds of a dateTimeStamp, or undefined when it is not one. */
export function parseDateTimeStamp(value: unknown): number | undefined {
  return typeof value === 'string' ? parsedTime(value) : undefined;
}

function parseTime(value: string): number | undefined {
  if (!DATE_TIME_STAMP.test(value)) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse accepts 2025-02-30 by rolling over; a real calendar date must round-trip.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (check.getUTCMonth() !== (m ?? 1) - 1 || check.getUTCDate() !== d) return undefined;
  return Math.floor(ms / 1000);
}

/** Whether a value nests deeper than `limit`, stopping as soon as it does. */
export function depthExceeds(value: unknown, limit: number): boolean {
  if (limit < 0) return true;
  if (typeof value !== 'object' || value === null) return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) if (depthExceeds(child, limit - 1)) return true;
  return false;
}

function problem(code: string, detail: string): Problem {
  return { code, detail };
}

/** The certificate id inside a `urn:ctl:certificate:` URN, or undefined. */
export function certificateIdOf(urn: unknown): string | undefined {
  if (typeof urn !== 'string' || !urn.startsWith(CERTIFICATE_URN_PREFIX)) return undefined;
  const id = urn.slice(CERTIFICATE_URN_PREFIX.length);
  return CERTIFICATE_ID.test(id) ? id : undefined;
}

/** The MSP id inside a `urn:ctl:msp:` URN, or undefined. */
export function mspIdOf(urn: unknown): string | undefined {
  if (typeof urn !== 'string' || !urn.startsWith(ISSUER_URN_PREFIX)) return undefined;
  const id = urn.slice(ISSUER_URN_PREFIX.length);
  return MSP_ID.test(id) ? id : undefined;
}

/** The subjectRef inside a `urn:ctl:subject:` URN, or undefined. */
export function subjectRefOf(urn: unknown): Hex32 | undefined {
  if (typeof urn !== 'string' || !urn.startsWith(SUBJECT_URN_PREFIX)) return undefined;
  const ref = urn.slice(SUBJECT_URN_PREFIX.length);
  return isHex32(ref) ? ref : undefined;
}

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Whether `value` is an EVM address (`0x` + 40 hex, any case). */
export function isEvmAddress(value: unknown): value is string {
  return typeof value === 'string' && EVM_ADDRESS.test(value);
}

const FABRIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,249}$/;
const TX_ID = /^[0-9a-f]{64}$/;

/** Reads the envelope: the header fields that must be present and well-formed. */
function readEnvelope(doc: Record<string, unknown>): {
  problem?: Problem;
  certificateId?: string;
  typeCode?: string;
  issuerMspId?: string;
  issuerName?: string;
  subjectRef?: Hex32;
  validFrom?: number;
  validUntil?: number;
} {
  const context = doc['@context'];
  if (!Array.isArray(context) || context[0] !== VC_CONTEXT_V2 || !context.includes(CTL_CONTEXT_V1) || !context.every((c) => typeof c === 'string' || isObject(c))) {
    return { problem: problem('FORMAT', `The document is not a Community Trust Ledger certificate: its "@context" must start with ${VC_CONTEXT_V2} and include ${CTL_CONTEXT_V1}.`) };
  }
  const type = doc.type;
  if (!Array.isArray(type) || !type.includes('VerifiableCredential') || !type.includes(CERTIFICATE_VC_TYPE) || !type.every((t) => typeof t === 'string')) {
    return { problem: problem('FORMAT', `The document's "type" must list VerifiableCredential and ${CERTIFICATE_VC_TYPE}.`) };
  }
  const certificateId = certificateIdOf(doc.id);
  if (certificateId === undefined) return { problem: problem('FORMAT', `The document's "id" is not a certificate identifier (${CERTIFICATE_URN_PREFIX}…).`) };
  const issuer = doc.issuer;
  const issuerMspId = isObject(issuer) ? mspIdOf(issuer.id) : undefined;
  const issuerName = isObject(issuer) && typeof issuer.name === 'string' && issuer.name.length > 0 && issuer.name.length <= 200 ? issuer.name : undefined;
  if (issuerMspId === undefined || issuerName === undefined) {
    return { certificateId, problem: problem('FORMAT', `The document's "issuer" must be an object with an "id" (${ISSUER_URN_PREFIX}…) and a "name".`) };
  }
  const validFrom = parseDateTimeStamp(doc.validFrom);
  if (validFrom === undefined) return { certificateId, problem: problem('FORMAT', 'The document\'s "validFrom" is not a date and time with a time zone.') };
  let validUntil: number | undefined;
  if ('validUntil' in doc) {
    validUntil = parseDateTimeStamp(doc.validUntil);
    if (validUntil === undefined) return { certificateId, problem: problem('FORMAT', 'The document\'s "validUntil" is not a date and time with a time zone.') };
    if (validUntil <= validFrom) return { certificateId, problem: problem('FORMAT', 'The document\'s "validUntil" is not after its "validFrom".') };
  }
  const subject = doc.credentialSubject;
  if (!isObject(subject)) return { certificateId, problem: problem('FORMAT', 'The document has no "credentialSubject".') };
  const subjectRef = subjectRefOf(subject.id);
  if (subjectRef === undefined) return { certificateId, problem: problem('FORMAT', `The holder reference "credentialSubject.id" is not ${SUBJECT_URN_PREFIX}0x… (64 hex digits).`) };
  const typeCode = typeof subject.certificateType === 'string' && TYPE_CODE.test(subject.certificateType) ? subject.certificateType : undefined;
  if (typeCode === undefined) return { certificateId, problem: problem('FORMAT', 'The document\'s "credentialSubject.certificateType" is not a certificate type code.') };
  return { certificateId, typeCode, issuerMspId, issuerName, subjectRef, validFrom, validUntil };
}

interface FieldsRead {
  problem?: Problem;
  claims: string[];
  salts: Map<string, Hex32>;
  hidden: Hex32[];
  targetHash?: Hex32;
}

/** Reads the salts and hidden hashes and checks they describe the document's fields. */
function readFields(doc: Record<string, unknown>, proof: Record<string, unknown>): FieldsRead {
  const salts = new Map<string, Hex32>();
  const claims: string[] = [];
  const hidden: Hex32[] = [];
  const fail = (code: string, detail: string): FieldsRead => ({ problem: problem(code, detail), claims, salts, hidden });
  const targetHash = proof.targetHash;
  if (!isHex32(targetHash)) return fail('FORMAT', 'The document\'s "proof.targetHash" is not a 32-byte hash.');
  if (!isObject(proof.salts)) return fail('FORMAT', 'The document\'s "proof.salts" is missing.');
  const subject = isObject(doc.credentialSubject) ? doc.credentialSubject : {};
  for (const [path, salt] of Object.entries(proof.salts)) {
    if (!isHex32(salt)) return fail('FORMAT', `The salt of field "${path}" is not 32 bytes of hex.`);
    if (path === HEADER_PATH) {
      salts.set(path, salt);
      continue;
    }
    if (!path.startsWith(CLAIM_PATH_PREFIX)) {
      return fail('MUST_SHOW_HIDDEN', `The field "${path.slice(1)}" is made hideable, but only the holder's details may be hidden; the certificate's identity, issuer and validity must always be shown.`);
    }
    const name = path.slice(CLAIM_PATH_PREFIX.length);
    if (MUST_SHOW_SUBJECT_MEMBERS.includes(name)) {
      return fail('MUST_SHOW_HIDDEN', `The field "credentialSubject.${name}" is made hideable, but it must always be shown.`);
    }
    if (!CLAIM_NAME.test(name)) return fail('FORMAT', `"${name}" is not a valid field name.`);
    if (!Object.hasOwn(subject, name)) {
      return fail('FIELD_MISSING', `The field "${name}" has a salt but is missing from the certificate: a field was removed without being hidden properly.`);
    }
    salts.set(path, salt);
    claims.push(name);
  }
  if (!salts.has(HEADER_PATH)) {
    return fail('MUST_SHOW_HIDDEN', 'The certificate hides its identifying part (its number, type, issuer, holder reference and validity), which must always be shown.');
  }
  if (!Array.isArray(proof.hidden)) return fail('FORMAT', 'The document\'s "proof.hidden" is missing.');
  const seen = new Set<string>();
  for (const h of proof.hidden) {
    if (!isHex32(h)) return fail('FORMAT', 'A hidden field\'s hash is not 32 bytes of hex.');
    if (seen.has(h)) return fail('FORMAT', 'A hidden field is listed twice.');
    seen.add(h);
    hidden.push(h);
  }
  if (claims.length + hidden.length > LIMITS.maxFields) return fail('FORMAT', `The certificate has more than ${LIMITS.maxFields} fields.`);
  return { claims, salts, hidden, targetHash };
}

const PROOF_MEMBERS = new Set(['type', 'salts', 'hidden', 'targetHash', 'merkleRoot', 'merkleProof', 'anchor', 'record']);
const ANCHOR_MEMBERS = new Set(['chainId', 'trustAnchor']);
const RECORD_MEMBERS = new Set(['channel', 'chaincode', 'certificateId', 'txId', 'blockNumber']);

/** The first member of `value` not in `allowed`, if any: the proof carries nothing unverified. */
function unknownMember(value: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  return Object.keys(value).find((key) => !allowed.has(key));
}

function readMerkle(proof: Record<string, unknown>): { problem?: Problem; merkleRoot?: Hex32; merkleProof?: Hex32[] } {
  const root = proof.merkleRoot;
  if (!isHex32(root)) return { problem: problem('FORMAT', 'The document\'s "proof.merkleRoot" is not a 32-byte hash.') };
  const path = proof.merkleProof;
  // Only the shape here: the digits are checked when the path is hashed (a bad one fails the check).
  if (!Array.isArray(path) || !path.every((p) => typeof p === 'string' && p.length === 66)) {
    return { problem: problem('FORMAT', 'The document\'s "proof.merkleProof" is not a list of 32-byte hashes.') };
  }
  if (path.length > LIMITS.maxProofLength) return { problem: problem('FORMAT', `The document's Merkle proof is longer than ${LIMITS.maxProofLength} steps.`) };
  return { merkleRoot: root, merkleProof: path as Hex32[] };
}

function readAnchor(proof: Record<string, unknown>): { problem?: Problem; anchor?: AnchorReference } {
  const anchor = proof.anchor;
  if (!isObject(anchor) || unknownMember(anchor, ANCHOR_MEMBERS) !== undefined || typeof anchor.chainId !== 'number' || !Number.isSafeInteger(anchor.chainId) || anchor.chainId <= 0 || !isEvmAddress(anchor.trustAnchor)) {
    return { problem: problem('FORMAT', 'The document does not say where it is anchored ("proof.anchor" needs a chainId and a trustAnchor address).') };
  }
  return { anchor: { chainId: anchor.chainId, trustAnchor: anchor.trustAnchor } };
}

function readRecord(proof: Record<string, unknown>): { problem?: Problem; record?: LedgerRecordReference } {
  const record = proof.record;
  if (record === undefined) return { problem: problem('NO_RECORD', 'The document does not name its ledger record ("proof.record" is missing).') };
  if (
    !isObject(record) ||
    unknownMember(record, RECORD_MEMBERS) !== undefined ||
    typeof record.channel !== 'string' || !FABRIC_NAME.test(record.channel) ||
    typeof record.chaincode !== 'string' || !FABRIC_NAME.test(record.chaincode) ||
    typeof record.certificateId !== 'string' || !CERTIFICATE_ID.test(record.certificateId) ||
    typeof record.txId !== 'string' || !TX_ID.test(record.txId) ||
    typeof record.blockNumber !== 'number' || !Number.isSafeInteger(record.blockNumber) || record.blockNumber < 0
  ) {
    return { problem: problem('FORMAT', 'The document\'s ledger record reference ("proof.record") is malformed.') };
  }
  return {
    record: { channel: record.channel, chaincode: record.chaincode, certificateId: record.certificateId, txId: record.txId, blockNumber: record.blockNumber },
  };
}

/**
 * Reads a certificate document for verification. Never throws: every problem is reported in the
 * area it concerns, so each check can fail on its own with its own reason.
 *
 * @returns the reading, or `{unreadable}` when `input` is not even a JSON object with a proof of
 *   this format (then every check fails).
 */
export function readDocument(input: unknown): ReadDocument | { unreadable: Problem } {
  if (!isObject(input)) return { unreadable: problem('FORMAT', 'This is not a certificate document (expected a JSON object).') };
  const proof = input.proof;
  if (!isObject(proof)) return { unreadable: problem('FORMAT', 'This document carries no proof, so it cannot be checked.') };
  if (proof.type !== PROOF_TYPE) return { unreadable: problem('FORMAT', `This document's proof is of an unknown kind (expected ${PROOF_TYPE}).`) };
  const extra = unknownMember(proof, PROOF_MEMBERS);
  if (extra !== undefined) return { unreadable: problem('FORMAT', `This document's proof has a member this format does not define ("${extra}").`) };
  const envelope = readEnvelope(input);
  const fields = readFields(input, proof);
  const merkle = readMerkle(proof);
  const anchor = readAnchor(proof);
  const record = readRecord(proof);
  return {
    raw: input,
    integrityProblem: envelope.problem ?? fields.problem,
    certificateId: envelope.certificateId,
    typeCode: envelope.typeCode,
    issuerMspId: envelope.issuerMspId,
    issuerName: envelope.issuerName,
    subjectRef: envelope.subjectRef,
    validFrom: envelope.validFrom,
    validUntil: envelope.validUntil,
    claims: fields.claims,
    salts: fields.salts,
    hidden: fields.hidden,
    targetHash: fields.targetHash,
    merkleRoot: merkle.merkleRoot,
    merkleProof: merkle.merkleProof,
    merkleProblem: merkle.problem,
    anchor: anchor.anchor,
    anchorProblem: anchor.problem,
    record: record.record,
    recordProblem: record.problem,
  };
}
