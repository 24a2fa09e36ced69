/**
 * The certificate document format and its verifier (README.md in this folder is the
 * specification). Runs in Node and in the browser: nothing here imports a Node module. Import
 * only what you use; each module is independent of the heavier ones (the Merkle tree builder,
 * ethers, jose).
 */
export { CHECK_NAMES, formatTime, verify } from './verify';
export type { Check, CheckCode, CheckName, VerificationResult, VerifyOptions } from './verify';
export {
  CERTIFICATE_VC_TYPE,
  CTL_CONTEXT_V1,
  LIMITS,
  PROOF_TYPE,
  VC_CONTEXT_V2,
  certificateIdOf,
  mspIdOf,
  readDocument,
  subjectRefOf,
} from './format';
export type { AnchorReference, CertificateDocument, CertificateProof, CredentialSubject, JsonValue, LedgerRecordReference } from './format';
export { RESERVED_FIELD_KEYS, computeTargetHash, draftProblems, fieldProblems, typeDefinitionProblems, withLedgerRecord, wrapBatch } from './batch';
export type { CertificateDraft, CertificateTypeDefinition, FieldDefinition, FieldType, WrapOptions, WrappedBatch } from './batch';
export { disclose, hideableFields } from './disclose';
export type {
  AnchorNetwork,
  AnchorReader,
  IssuerDirectory,
  LedgerCertificateRecord,
  LedgerCertificateStatus,
  LedgerRecordQuery,
  LedgerRecordReader,
  LedgerStatusChange,
  NodeRevocation,
  RootInfo,
  VerificationPorts,
} from './ports';
export { cachedAnchorReader, cachedIssuerDirectory, cachedLedgerRecordReader } from './cache';
export type { CacheOptions, CachedAnchorReader, CachedIssuerDirectory, CachedLedgerRecordReader } from './cache';
export { EthersAnchorReader, EthersIssuerDirectory, ISSUER_REGISTRY_ABI, TRUST_ANCHOR_ABI, createEvmPorts, parseDeployment } from './evm';
export type { DeployedContract, Deployment, EvmPorts } from './evm';
export {
  BUNDLE_FORMAT,
  QR_MAX_BYTES,
  QR_PREFIX,
  SNAPSHOT_FORMAT,
  createOfflineBundle,
  decodeQrPayload,
  encodeQrPayload,
  keyIdOf,
  parseBundle,
  snapshotPorts,
  verifyOfflineBundle,
} from './bundle';
export type { BundleKey, BundleSignature, BundleVerificationResult, CreateBundleOptions, OfflineBundle, SnapshotSigner, StatusSnapshot, VerifyBundleOptions } from './bundle';
export { openJwtVc, signJwtVc } from './jwt-vc';
export { httpLedgerRecordReader, parseLedgerRecord } from './record';
export type { HttpLedgerOptions } from './record';
export { REVOCATION_REASONS, reasonCodeOf, reasonOf } from './reasons';
export type { RevocationReason } from './reasons';
export { isHex32, keccakText } from './hash';
export type { Hex32 } from './hash';
export {
  BatchError,
  BundleError,
  DisclosureError,
  DocumentFormatError,
  JwtVcError,
  PortUnavailableError,
  VerificationLibraryError,
  VerificationOptionsError,
} from './errors';
export type { BatchRowProblem } from './errors';
export { ISSUE_CODES, isIssueCode } from './issue-codes';
export type { IssueCode, IssueParams } from './issue-codes';
