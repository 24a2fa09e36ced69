/**
 * JSON Schemas of the certificate results, for GetMetadata (see shared/schema.ts for why they
 * are not `@Object` models). Each is typed against its interface in models.ts.
 */
import type { HistoryEntry } from '../shared/models';
import { ACTOR_REF, arrayOf, boolean, hash, integer, model, nullable, oneOf, string, time } from '../shared/schema';
import * as M from './models';

const statusDoc = 'ISSUED, SUSPENDED or REVOKED';

export const FIELD_DEFINITION = model<M.FieldDefinition>('FieldDefinition', 'One field on the face of a certificate of the type (GB/T 36903).', {
  key: string('field name in the certificate document, e.g. holderName'),
  label: string('label shown to people'),
  type: oneOf(M.FIELD_TYPES, 'value type'),
  required: boolean('the document must carry the field'),
  personal: boolean('personal data: the holder may hide the field in a disclosure'),
});

export const CERTIFICATE_TYPE = model<M.CertificateType>('CertificateType', 'A registered certificate type and its version.', {
  code: string('type code, e.g. RESIDENCE_PROOF'),
  name: string('type name'),
  allowedIssuerMsps: arrayOf(string('MSP id'), 'organisations whose officers may issue it, sorted'),
  validityDays: integer('validity from issue in days; 0 = does not expire', 0),
  fields: arrayOf(FIELD_DEFINITION, 'fields on the face of the certificate'),
  version: integer('1 at registration, +1 per update', 1),
  definitionHash: hash('SHA-256 of the canonical definition'),
  registrarMsp: string('the street office that registered the type'),
  registeredAt: time('registration time'),
  registeredBy: ACTOR_REF,
  updatedAt: time('time of the latest version'),
  updatedBy: ACTOR_REF,
});

const STATUS_REASON = model<M.StatusReason>('StatusReason', 'Why and from when a certificate is revoked or suspended.', {
  reasonCode: string('upper-case reason code'),
  reasonText: string('free text, no personal data'),
  effectiveAt: time('when the change takes effect'),
});

const STATUS_CHANGE = model<M.StatusChange>(
  'StatusChange',
  'One status change after issuance.',
  {
    status: oneOf(M.CERTIFICATE_STATUSES, `status from effectiveAt on: ${statusDoc}`),
    reasonCode: string('upper-case reason code'),
    reasonText: string('free text, no personal data'),
    effectiveAt: time('when the change takes effect'),
    recordedAt: time('transaction time at which it was recorded'),
    txId: string('the recording transaction'),
    by: ACTOR_REF,
    scope: oneOf(M.STATUS_SCOPES, 'CERTIFICATE: made on the certificate; BATCH: made on its whole batch'),
    batchId: string('for scope BATCH: the batch'),
  },
  ['batchId'],
);

export const CERTIFICATE_RECORD = model<M.CertificateRecord>(
  'CertificateRecord',
  "The ledger record of one e-certificate; status fields are its effective status (its own changes combined with its batch's).",
  {
    id: string('certificate id'),
    typeCode: string('certificate type code'),
    typeVersion: integer('version of the type at issuance', 1),
    issuerMsp: string('issuing organisation'),
    subjectRef: hash("keyed hash of the holder's identity number"),
    documentHash: hash("the document's targetHash"),
    batchId: nullable(string('issuance batch, null when issued on its own')),
    batchRoot: hash('Merkle root of the batch; the document hash when issued on its own'),
    status: oneOf(M.CERTIFICATE_STATUSES, `effective status now: ${statusDoc}`),
    issuedAt: time('issue time'),
    validUntil: nullable(time('end of validity; null when the type does not expire')),
    revocation: nullable(STATUS_REASON),
    suspension: nullable(STATUS_REASON),
    statusChanges: arrayOf(STATUS_CHANGE, 'the changes of its status timeline: fold them by effectiveAt (ties in listed order); a revocation is final'),
    issuedBy: ACTOR_REF,
    txId: string('the issuing transaction'),
    updatedAt: time('time of the latest change, its own or its batch'),
  },
);

export const CERTIFICATE_HISTORY = arrayOf(
  model<HistoryEntry<M.CertificateRecord>>('CertificateHistoryEntry', 'One committed change of a certificate or of its batch, with the effective record after it.', {
    txId: string('the transaction'),
    scope: oneOf(M.STATUS_SCOPES, 'which record the transaction changed: the certificate, or its batch'),
    timestamp: time('the transaction time'),
    isDelete: boolean('the record was deleted (never, for certificates)'),
    value: nullable(CERTIFICATE_RECORD),
  }),
  'oldest first',
);

const BATCH = {
  batchId: string('batch id'),
  batchRoot: hash('Merkle root over the documents of the batch'),
  issuerMsp: string('issuing organisation'),
  batchSize: integer('documents under the root', 1),
  partSize: integer('documents per part (the last part holds the rest)', 1),
  partCount: integer('parts', 1),
  openedAt: time('when the batch was opened: OpenBatch, or its first part to commit'),
  openedBy: ACTOR_REF,
};

export const CERTIFICATE_BATCH_HEADER = model<M.CertificateBatch>('CertificateBatch', 'A batch issued under one root: its sizes and who opened it.', BATCH);

export const CERTIFICATE_BATCH_PART = model<M.CertificateBatchPart>('CertificateBatchPart', "One transaction's share of a batch.", {
  batchId: string('batch id'),
  batchRoot: hash('Merkle root of the batch'),
  issuerMsp: string('issuing organisation'),
  part: integer('1-based part number', 1),
  partCount: integer('parts of the batch', 1),
  batchSize: integer('documents under the root', 1),
  issuedBy: ACTOR_REF,
  issuedAt: time('issue time'),
  count: integer('certificates in this part', 1),
  certificateIds: arrayOf(string('certificate id'), 'in the order given'),
  txId: string('the issuing transaction'),
});

export const CERTIFICATE_BATCH_VIEW = model<M.CertificateBatchView>('CertificateBatchView', 'A batch, the parts issued so far and its batch-level status.', {
  ...BATCH,
  parts: arrayOf(CERTIFICATE_BATCH_PART, 'by part number'),
  issuedCount: integer('certificates issued so far', 0),
  complete: boolean('every part has been issued'),
  status: oneOf(M.CERTIFICATE_STATUSES, `batch-level status: ${statusDoc}`),
  revocation: nullable(STATUS_REASON),
  suspension: nullable(STATUS_REASON),
  statusChanges: arrayOf(STATUS_CHANGE, 'batch-level changes in recording order'),
});

export const CERTIFICATE_BATCH_STATUS = model<M.CertificateBatchStatus>('CertificateBatchStatus', 'The status of a whole batch, consulted by every read of its certificates.', {
  batchId: string('batch id'),
  batchRoot: hash('Merkle root of the batch'),
  issuerMsp: string('issuing organisation'),
  batchSize: integer('documents under the root', 1),
  status: oneOf(M.CERTIFICATE_STATUSES, statusDoc),
  revocation: nullable(STATUS_REASON),
  suspension: nullable(STATUS_REASON),
  statusChanges: arrayOf(STATUS_CHANGE, 'batch-level changes in recording order (scope BATCH)'),
  updatedAt: time('time of the latest change'),
});

export const CERTIFICATE_STATUS_AT = model<M.CertificateStatusAt>('CertificateStatusAt', "A certificate's status at an instant, as known now.", {
  id: string('certificate id'),
  at: time('the instant asked about'),
  status: oneOf(['ISSUED', 'SUSPENDED', 'REVOKED', 'EXPIRED', 'NOT_YET_ISSUED'], 'status at that instant'),
  since: nullable(time('since when that status holds; null for NOT_YET_ISSUED')),
  reasonCode: nullable(string('reason of a suspension or revocation')),
  reasonText: nullable(string('reason text of a suspension or revocation')),
  issuedAt: time('issue time'),
  validUntil: nullable(time('end of validity')),
});
