/**
 * fabric-contract-api metadata for the evidence models (see shared/schema.ts). `refs` holds
 * only the fields its step type takes; absent fields are omitted.
 */
import { Object as DataType, Property } from 'fabric-contract-api';
import '../shared/schema';
import type { ActorRef } from '../shared/models';
import type * as M from './models';

@DataType()
export class StepRefs implements M.StepRefs {
  @Property('matterCode', 'string') readonly matterCode?: string;
  @Property('subjectRef', 'string') readonly subjectRef?: string;
  @Property('lane', 'string') readonly lane?: M.Lane;
  @Property('toMsp', 'string') readonly toMsp?: string;
  @Property('consultedMsps', 'string[]') readonly consultedMsps?: readonly string[];
  @Property('certificateIds', 'string[]') readonly certificateIds?: readonly string[];
  @Property('level', 'number') readonly level?: number;
  @Property('reasonCode', 'string') readonly reasonCode?: string;
  @Property('outcome', 'string') readonly outcome?: M.AppealOutcome;
}

@DataType()
export class StepActor implements M.StepActor {
  @Property('msp', 'string') readonly msp!: string;
  @Property('cn', 'string') readonly cn!: string;
  @Property('role', 'string') readonly role!: string | null;
}

@DataType()
export class CaseStep implements M.CaseStep {
  @Property('caseId', 'string') readonly caseId!: string;
  @Property('seq', 'number') readonly seq!: number;
  @Property('stepType', 'string') readonly stepType!: M.StepType;
  @Property('payloadHash', 'string') readonly payloadHash!: string;
  @Property('prevHash', 'string') readonly prevHash!: string;
  @Property('refs', 'StepRefs') readonly refs!: M.StepRefs;
  @Property('actor', 'StepActor') readonly actor!: M.StepActor;
  @Property('recordedAt', 'string') readonly recordedAt!: string;
  @Property('stepHash', 'string') readonly stepHash!: string;
  @Property('stateBefore', 'string') readonly stateBefore!: M.CaseState | null;
  @Property('stateAfter', 'string') readonly stateAfter!: M.CaseState;
  @Property('txId', 'string') readonly txId!: string;
}

@DataType()
export class CaseRecord implements M.CaseRecord {
  @Property('caseId', 'string') readonly caseId!: string;
  @Property('matterCode', 'string') readonly matterCode!: string;
  @Property('subjectRef', 'string') readonly subjectRef!: string | null;
  @Property('lane', 'string') readonly lane!: M.Lane | null;
  @Property('state', 'string') readonly state!: M.CaseState;
  @Property('seq', 'number') readonly seq!: number;
  @Property('headHash', 'string') readonly headHash!: string;
  @Property('ownerMsp', 'string') readonly ownerMsp!: string;
  @Property('responsible', 'ActorRef') readonly responsible!: ActorRef | null;
  @Property('transferToMsp', 'string') readonly transferToMsp!: string | null;
  @Property('consultedMsps', 'string[]') readonly consultedMsps!: readonly string[];
  @Property('opinionsFrom', 'string[]') readonly opinionsFrom!: readonly string[];
  @Property('endorsingMsps', 'string[]') readonly endorsingMsps!: readonly string[];
  @Property('rating', 'number') readonly rating!: number | null;
  @Property('ratingOverturned', 'boolean') readonly ratingOverturned!: boolean;
  @Property('appealed', 'boolean') readonly appealed!: boolean;
  @Property('openedAt', 'string') readonly openedAt!: string;
  @Property('openedBy', 'ActorRef') readonly openedBy!: ActorRef;
  @Property('updatedAt', 'string') readonly updatedAt!: string;
}
