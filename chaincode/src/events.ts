/**
 * Every chaincode event of `ctl`, with its payload type. A transaction emits at most one event;
 * its payload is canonical JSON of the type below. The projector can import this module (it
 * imports types only, nothing from Fabric) and switch on `eventName`.
 */
import type { CertificateBatchPart, CertificateBatchStatus, CertificateRecord, CertificateType } from './certificate/models';
import type { CasePersonalShares, CaseRecord, CaseStep } from './evidence/models';
import type { Account, Dispute, Eligibility, Flag, Movement, RelativeLink, Session, TimeBankPolicy } from './timebank/models';

/** A movement, the accounts it changed (sorted by ref) and the flags it raised for coordinators. */
export interface MovementEvent {
  readonly movement: Movement;
  readonly accounts: readonly Account[];
  readonly flags: readonly Flag[];
}

/** Payload of each event, by event name. */
export interface ChaincodeEventPayloads {
  readonly CertificateTypeRegistered: CertificateType;
  readonly CertificateTypeUpdated: CertificateType;
  readonly CertificateIssued: CertificateRecord;
  readonly CertificateBatchIssued: { readonly batch: CertificateBatchPart; readonly certificates: readonly CertificateRecord[] };
  readonly CertificateSuspended: CertificateRecord;
  readonly CertificateReinstated: CertificateRecord;
  readonly CertificateRevoked: CertificateRecord;
  readonly CertificateBatchSuspended: CertificateBatchStatus;
  readonly CertificateBatchReinstated: CertificateBatchStatus;
  readonly CertificateBatchRevoked: CertificateBatchStatus;
  readonly CaseStepAppended: { readonly case: CaseRecord; readonly step: CaseStep };
  readonly CasePersonalDataShared: CasePersonalShares;
  readonly CasePersonalDataForgotten: CasePersonalShares;
  readonly TimeBankPolicySet: TimeBankPolicy;
  readonly AccountOpened: Account;
  readonly SessionLogged: { readonly session: Session; readonly flags: readonly Flag[] };
  readonly SessionConfirmed: Session;
  readonly SessionRejected: Session;
  readonly TimeCreditMinted: MovementEvent & { readonly session: Session };
  readonly TimeCreditRedeemed: MovementEvent;
  readonly TimeCreditGifted: MovementEvent;
  readonly TimeCreditDonated: MovementEvent;
  readonly TimeCreditGranted: MovementEvent;
  readonly TimeCreditExpired: MovementEvent;
  readonly PointsAwarded: MovementEvent;
  readonly PointsExchanged: MovementEvent;
  readonly EligibilityAttested: Eligibility;
  readonly RelativeLinked: readonly RelativeLink[];
  readonly RelativeUnlinked: { readonly link: RelativeLink; readonly reasonCode: string };
  readonly DisputeOpened: Dispute;
  readonly DisputeResolved: { readonly dispute: Dispute; readonly movement: Movement | null; readonly accounts: readonly Account[]; readonly flags: readonly Flag[] };
  readonly FlagReviewed: Flag;
}

/** An event name. */
export type ChaincodeEventName = keyof ChaincodeEventPayloads;

/** Every event name, for exhaustive handling. */
export const CHAINCODE_EVENT_NAMES: readonly ChaincodeEventName[] = [
  'CertificateTypeRegistered',
  'CertificateTypeUpdated',
  'CertificateIssued',
  'CertificateBatchIssued',
  'CertificateSuspended',
  'CertificateReinstated',
  'CertificateRevoked',
  'CertificateBatchSuspended',
  'CertificateBatchReinstated',
  'CertificateBatchRevoked',
  'CaseStepAppended',
  'CasePersonalDataShared',
  'CasePersonalDataForgotten',
  'TimeBankPolicySet',
  'AccountOpened',
  'SessionLogged',
  'SessionConfirmed',
  'SessionRejected',
  'TimeCreditMinted',
  'TimeCreditRedeemed',
  'TimeCreditGifted',
  'TimeCreditDonated',
  'TimeCreditGranted',
  'TimeCreditExpired',
  'PointsAwarded',
  'PointsExchanged',
  'EligibilityAttested',
  'RelativeLinked',
  'RelativeUnlinked',
  'DisputeOpened',
  'DisputeResolved',
  'FlagReviewed',
];
