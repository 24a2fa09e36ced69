/**
 * fabric-contract-api metadata for the time-bank models (see shared/schema.ts).
 */
import { Object as DataType, Property } from 'fabric-contract-api';
import '../shared/schema';
import type { ActorRef } from '../shared/models';
import type * as M from './models';

@DataType()
export class TimeBankPolicy implements M.TimeBankPolicy {
  @Property('dailyCapMinutes', 'number') readonly dailyCapMinutes!: number;
  @Property('storageCapMinutes', 'number') readonly storageCapMinutes!: number;
  @Property('maxSessionMinutes', 'number') readonly maxSessionMinutes!: number;
  @Property('redeemRequiresEligibility', 'boolean') readonly redeemRequiresEligibility!: boolean;
  @Property('lotLifetimeDays', 'number') readonly lotLifetimeDays!: number;
  @Property('dayOffsetMinutes', 'number') readonly dayOffsetMinutes!: number;
  @Property('version', 'number') readonly version!: number;
  @Property('updatedAt', 'string') readonly updatedAt!: string | null;
  @Property('updatedBy', 'ActorRef') readonly updatedBy!: ActorRef | null;
}

@DataType()
export class TimeTotals implements M.TimeTotals {
  @Property('minted', 'number') readonly minted!: number;
  @Property('redeemed', 'number') readonly redeemed!: number;
  @Property('expired', 'number') readonly expired!: number;
  @Property('reversed', 'number') readonly reversed!: number;
  @Property('giftedIn', 'number') readonly giftedIn!: number;
  @Property('giftedOut', 'number') readonly giftedOut!: number;
  @Property('donatedIn', 'number') readonly donatedIn!: number;
  @Property('donatedOut', 'number') readonly donatedOut!: number;
  @Property('grantedIn', 'number') readonly grantedIn!: number;
  @Property('grantedOut', 'number') readonly grantedOut!: number;
  @Property('compensatedIn', 'number') readonly compensatedIn!: number;
  @Property('compensatedOut', 'number') readonly compensatedOut!: number;
}

@DataType()
export class Account implements M.Account {
  @Property('ref', 'string') readonly ref!: string;
  @Property('kind', 'string') readonly kind!: M.AccountKind;
  @Property('homeMsp', 'string') readonly homeMsp!: string;
  @Property('openedAt', 'string') readonly openedAt!: string;
  @Property('openedBy', 'ActorRef') readonly openedBy!: ActorRef;
  @Property('timeBalance', 'number') readonly timeBalance!: number;
  @Property('pointsBalance', 'number') readonly pointsBalance!: number;
  @Property('time', 'TimeTotals') readonly time!: M.TimeTotals;
  @Property('pointsAwarded', 'number') readonly pointsAwarded!: number;
  @Property('pointsExchanged', 'number') readonly pointsExchanged!: number;
  @Property('lotSeq', 'number') readonly lotSeq!: number;
  @Property('entrySeq', 'number') readonly entrySeq!: number;
  @Property('updatedAt', 'string') readonly updatedAt!: string;
}

@DataType()
export class LotSource implements M.LotSource {
  @Property('kind', 'string') readonly kind!: M.LotSource['kind'];
  @Property('movementId', 'string') readonly movementId!: string;
  @Property('fromRef', 'string') readonly fromRef!: string | null;
  @Property('sessionId', 'string') readonly sessionId!: string | null;
  @Property('evidenceHash', 'string') readonly evidenceHash!: string | null;
  @Property('originLot', 'string') readonly originLot!: string | null;
}

@DataType()
export class Lot implements M.Lot {
  @Property('ref', 'string') readonly ref!: string;
  @Property('lotId', 'string') readonly lotId!: string;
  @Property('minutes', 'number') readonly minutes!: number;
  @Property('remaining', 'number') readonly remaining!: number;
  @Property('createdAt', 'string') readonly createdAt!: string;
  @Property('originAt', 'string') readonly originAt!: string;
  @Property('expiresAt', 'string') readonly expiresAt!: string | null;
  @Property('source', 'LotSource') readonly source!: M.LotSource;
}

@DataType()
export class LotPart implements M.LotPart {
  @Property('ref', 'string') readonly ref!: string;
  @Property('lotId', 'string') readonly lotId!: string;
  @Property('minutes', 'number') readonly minutes!: number;
}

@DataType()
export class Movement implements M.Movement {
  @Property('movementId', 'string') readonly movementId!: string;
  @Property('kind', 'string') readonly kind!: M.MovementKind;
  @Property('asset', 'string') readonly asset!: M.Asset;
  @Property('amount', 'number') readonly amount!: number;
  @Property('fromRef', 'string') readonly fromRef!: string | null;
  @Property('toRef', 'string') readonly toRef!: string | null;
  @Property('providerRef', 'string') readonly providerRef!: string | null;
  @Property('reference', 'string') readonly reference!: string | null;
  @Property('reasonCode', 'string') readonly reasonCode!: string | null;
  @Property('taken', 'LotPart[]') readonly taken!: readonly M.LotPart[];
  @Property('created', 'LotPart[]') readonly created!: readonly M.LotPart[];
  @Property('expired', 'LotPart[]') readonly expired!: readonly M.LotPart[];
  @Property('at', 'string') readonly at!: string;
  @Property('txId', 'string') readonly txId!: string;
  @Property('by', 'ActorRef') readonly by!: ActorRef;
}

@DataType()
export class Receipt implements M.Receipt {
  @Property('providerRef', 'string') readonly providerRef!: string;
  @Property('movementId', 'string') readonly movementId!: string;
  @Property('asset', 'string') readonly asset!: M.Asset;
  @Property('amount', 'number') readonly amount!: number;
  @Property('fromRef', 'string') readonly fromRef!: string;
  @Property('orderRef', 'string') readonly orderRef!: string;
  @Property('at', 'string') readonly at!: string;
  @Property('txId', 'string') readonly txId!: string;
}

@DataType()
export class StatementEntry implements M.StatementEntry {
  @Property('ref', 'string') readonly ref!: string;
  @Property('seq', 'number') readonly seq!: number;
  @Property('movementId', 'string') readonly movementId!: string;
  @Property('kind', 'string') readonly kind!: M.EntryKind;
  @Property('asset', 'string') readonly asset!: M.Asset;
  @Property('delta', 'number') readonly delta!: number;
  @Property('balanceAfter', 'number') readonly balanceAfter!: number;
  @Property('counterpartyRef', 'string') readonly counterpartyRef!: string | null;
  @Property('at', 'string') readonly at!: string;
  @Property('txId', 'string') readonly txId!: string;
}

@DataType()
export class Session implements M.Session {
  @Property('sessionId', 'string') readonly sessionId!: string;
  @Property('volunteerRef', 'string') readonly volunteerRef!: string;
  @Property('beneficiaryRef', 'string') readonly beneficiaryRef!: string;
  @Property('serviceType', 'string') readonly serviceType!: string;
  @Property('startAt', 'string') readonly startAt!: string;
  @Property('endAt', 'string') readonly endAt!: string;
  @Property('minutes', 'number') readonly minutes!: number;
  @Property('day', 'string') readonly day!: string;
  @Property('status', 'string') readonly status!: M.SessionStatus;
  @Property('loggedAt', 'string') readonly loggedAt!: string;
  @Property('loggedBy', 'ActorRef') readonly loggedBy!: ActorRef;
  @Property('confirmation', 'string') readonly confirmation!: 'BENEFICIARY' | 'GUARDIAN' | null;
  @Property('confirmedAt', 'string') readonly confirmedAt!: string | null;
  @Property('confirmedBy', 'ActorRef') readonly confirmedBy!: ActorRef | null;
  @Property('attestedAt', 'string') readonly attestedAt!: string | null;
  @Property('attestedBy', 'ActorRef') readonly attestedBy!: ActorRef | null;
  @Property('evidenceHash', 'string') readonly evidenceHash!: string | null;
  @Property('lotId', 'string') readonly lotId!: string | null;
  @Property('rejectedAt', 'string') readonly rejectedAt!: string | null;
  @Property('rejectedBy', 'ActorRef') readonly rejectedBy!: ActorRef | null;
  @Property('rejectionReason', 'string') readonly rejectionReason!: string | null;
}

@DataType()
export class Eligibility implements M.Eligibility {
  @Property('ref', 'string') readonly ref!: string;
  @Property('eligibleFrom', 'string') readonly eligibleFrom!: string;
  @Property('attestationHash', 'string') readonly attestationHash!: string;
  @Property('attestedAt', 'string') readonly attestedAt!: string;
  @Property('attestedBy', 'ActorRef') readonly attestedBy!: ActorRef;
}

@DataType()
export class RelativeLink implements M.RelativeLink {
  @Property('ref', 'string') readonly ref!: string;
  @Property('relativeRef', 'string') readonly relativeRef!: string;
  @Property('relation', 'string') readonly relation!: string;
  @Property('attestationHash', 'string') readonly attestationHash!: string;
  @Property('linkedAt', 'string') readonly linkedAt!: string;
  @Property('linkedBy', 'ActorRef') readonly linkedBy!: ActorRef;
}

@DataType()
export class Dispute implements M.Dispute {
  @Property('disputeId', 'string') readonly disputeId!: string;
  @Property('subjectType', 'string') readonly subjectType!: 'SESSION' | 'MOVEMENT';
  @Property('subjectId', 'string') readonly subjectId!: string;
  @Property('reasonCode', 'string') readonly reasonCode!: string;
  @Property('detailsHash', 'string') readonly detailsHash!: string;
  @Property('status', 'string') readonly status!: 'OPEN' | 'RESOLVED';
  @Property('openedAt', 'string') readonly openedAt!: string;
  @Property('openedBy', 'ActorRef') readonly openedBy!: ActorRef;
  @Property('outcome', 'string') readonly outcome!: M.DisputeOutcome | null;
  @Property('movementId', 'string') readonly movementId!: string | null;
  @Property('notesHash', 'string') readonly notesHash!: string | null;
  @Property('resolvedAt', 'string') readonly resolvedAt!: string | null;
  @Property('resolvedBy', 'ActorRef') readonly resolvedBy!: ActorRef | null;
}
