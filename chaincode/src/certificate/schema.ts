/**
 * fabric-contract-api metadata for the certificate models (see shared/schema.ts).
 */
import { Object as DataType, Property } from 'fabric-contract-api';
import '../shared/schema';
import type { ActorRef } from '../shared/models';
import type * as M from './models';

@DataType()
export class FieldDefinition implements M.FieldDefinition {
  @Property('key', 'string') readonly key!: string;
  @Property('label', 'string') readonly label!: string;
  @Property('type', 'string') readonly type!: M.FieldType;
  @Property('required', 'boolean') readonly required!: boolean;
  @Property('personal', 'boolean') readonly personal!: boolean;
}

@DataType()
export class CertificateType implements M.CertificateType {
  @Property('code', 'string') readonly code!: string;
  @Property('name', 'string') readonly name!: string;
  @Property('allowedIssuerMsps', 'string[]') readonly allowedIssuerMsps!: readonly string[];
  @Property('validityDays', 'number') readonly validityDays!: number;
  @Property('fields', 'FieldDefinition[]') readonly fields!: readonly M.FieldDefinition[];
  @Property('version', 'number') readonly version!: number;
  @Property('definitionHash', 'string') readonly definitionHash!: string;
  @Property('registrarMsp', 'string') readonly registrarMsp!: string;
  @Property('registeredAt', 'string') readonly registeredAt!: string;
  @Property('registeredBy', 'ActorRef') readonly registeredBy!: ActorRef;
  @Property('updatedAt', 'string') readonly updatedAt!: string;
  @Property('updatedBy', 'ActorRef') readonly updatedBy!: ActorRef;
}

@DataType()
export class StatusReason implements M.StatusReason {
  @Property('reasonCode', 'string') readonly reasonCode!: string;
  @Property('reasonText', 'string') readonly reasonText!: string;
  @Property('effectiveAt', 'string') readonly effectiveAt!: string;
}

@DataType()
export class StatusChange implements M.StatusChange {
  @Property('status', 'string') readonly status!: M.CertificateStatus;
  @Property('reasonCode', 'string') readonly reasonCode!: string;
  @Property('reasonText', 'string') readonly reasonText!: string;
  @Property('effectiveAt', 'string') readonly effectiveAt!: string;
  @Property('recordedAt', 'string') readonly recordedAt!: string;
  @Property('txId', 'string') readonly txId!: string;
  @Property('by', 'ActorRef') readonly by!: ActorRef;
}

@DataType()
export class CertificateRecord implements M.CertificateRecord {
  @Property('id', 'string') readonly id!: string;
  @Property('typeCode', 'string') readonly typeCode!: string;
  @Property('typeVersion', 'number') readonly typeVersion!: number;
  @Property('issuerMsp', 'string') readonly issuerMsp!: string;
  @Property('subjectRef', 'string') readonly subjectRef!: string;
  @Property('documentHash', 'string') readonly documentHash!: string;
  @Property('batchId', 'string') readonly batchId!: string | null;
  @Property('batchRoot', 'string') readonly batchRoot!: string;
  @Property('status', 'string') readonly status!: M.CertificateStatus;
  @Property('issuedAt', 'string') readonly issuedAt!: string;
  @Property('validUntil', 'string') readonly validUntil!: string | null;
  @Property('revocation', 'StatusReason') readonly revocation!: M.StatusReason | null;
  @Property('suspension', 'StatusReason') readonly suspension!: M.StatusReason | null;
  @Property('statusChanges', 'StatusChange[]') readonly statusChanges!: readonly M.StatusChange[];
  @Property('issuedBy', 'ActorRef') readonly issuedBy!: ActorRef;
  @Property('txId', 'string') readonly txId!: string;
  @Property('updatedAt', 'string') readonly updatedAt!: string;
}

@DataType()
export class CertificateBatch implements M.CertificateBatch {
  @Property('batchId', 'string') readonly batchId!: string;
  @Property('batchRoot', 'string') readonly batchRoot!: string;
  @Property('issuerMsp', 'string') readonly issuerMsp!: string;
  @Property('batchSize', 'number') readonly batchSize!: number;
  @Property('partSize', 'number') readonly partSize!: number;
  @Property('partCount', 'number') readonly partCount!: number;
  @Property('openedAt', 'string') readonly openedAt!: string;
  @Property('openedBy', 'ActorRef') readonly openedBy!: ActorRef;
}

@DataType()
export class CertificateBatchPart implements M.CertificateBatchPart {
  @Property('batchId', 'string') readonly batchId!: string;
  @Property('batchRoot', 'string') readonly batchRoot!: string;
  @Property('issuerMsp', 'string') readonly issuerMsp!: string;
  @Property('part', 'number') readonly part!: number;
  @Property('partCount', 'number') readonly partCount!: number;
  @Property('batchSize', 'number') readonly batchSize!: number;
  @Property('issuedBy', 'ActorRef') readonly issuedBy!: ActorRef;
  @Property('issuedAt', 'string') readonly issuedAt!: string;
  @Property('count', 'number') readonly count!: number;
  @Property('certificateIds', 'string[]') readonly certificateIds!: readonly string[];
  @Property('txId', 'string') readonly txId!: string;
}

@DataType()
export class CertificateStatusAt implements M.CertificateStatusAt {
  @Property('id', 'string') readonly id!: string;
  @Property('at', 'string') readonly at!: string;
  @Property('status', 'string') readonly status!: M.CertificateStatusAtTime;
  @Property('since', 'string') readonly since!: string | null;
  @Property('reasonCode', 'string') readonly reasonCode!: string | null;
  @Property('reasonText', 'string') readonly reasonText!: string | null;
  @Property('issuedAt', 'string') readonly issuedAt!: string;
  @Property('validUntil', 'string') readonly validUntil!: string | null;
}
