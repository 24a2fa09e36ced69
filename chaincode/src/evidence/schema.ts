/**
 * JSON Schemas of the evidence results, for GetMetadata (see shared/schema.ts). `refs` holds only
 * the fields its step type takes; absent fields are left out.
 */
import { ACTOR_REF, arrayOf, boolean, hash, integer, model, nullable, oneOf, string, time } from '../shared/schema';
import * as M from './models';

const STEP_REFS = model<M.StepRefs>(
  'StepRefs',
  'Step-specific references; which fields a step type takes is in the README.',
  {
    matterCode: string('OPENED: the matter of the catalogue'),
    subjectRef: hash('OPENED: keyed hash of the resident'),
    lane: oneOf(M.LANES, 'OPENED: service-hall lane'),
    toMsp: string('TRANSFERRED: the department taking the case over'),
    consultedMsps: arrayOf(string('MSP id'), 'CONSULTATION_OPENED: the consulted departments, sorted'),
    certificateIds: arrayOf(string('certificate id'), 'CERTIFICATE_VERIFIED: the verified certificates'),
    level: integer('EVALUATED: rating, 1 (very dissatisfied) to 5 (very satisfied)', 1, 5),
    reasonCode: string('REJECTED: reason code'),
    outcome: oneOf(M.APPEAL_OUTCOMES, 'APPEAL_DECIDED: outcome'),
  },
  ['matterCode', 'subjectRef', 'lane', 'toMsp', 'consultedMsps', 'certificateIds', 'level', 'reasonCode', 'outcome'],
);

const STEP_ACTOR = model<M.StepActor>('StepActor', 'The identity that appended a step.', {
  msp: string('MSP id of the organisation'),
  cn: string("common name of the identity's certificate"),
  role: nullable(string('the role attribute of the identity')),
});

export const CASE_STEP = model<M.CaseStep>('CaseStep', 'One step of a case: an attested record of who did what and when.', {
  caseId: string('case id'),
  seq: integer('step number, from 1', 1),
  stepType: oneOf(M.STEP_TYPES, 'what happened'),
  payloadHash: hash("hash of the step's off-chain payload"),
  prevHash: hash('stepHash of the previous step (zero hash for step 1)'),
  refs: STEP_REFS,
  actor: STEP_ACTOR,
  recordedAt: time('transaction time'),
  stepHash: hash('SHA-256 of the canonical JSON of caseId, seq, stepType, payloadHash, prevHash, refs, actor, recordedAt'),
  stateBefore: nullable(oneOf(M.CASE_STATES, 'case state before the step; null for step 1')),
  stateAfter: oneOf(M.CASE_STATES, 'case state after the step'),
  txId: string('the transaction'),
});

export const CASE_RECORD = model<M.CaseRecord>('CaseRecord', 'The head of a case: its current state and who is involved.', {
  caseId: string('case id'),
  matterCode: string('the matter of the catalogue'),
  subjectRef: nullable(hash('keyed hash of the resident')),
  lane: nullable(oneOf(M.LANES, 'service-hall lane')),
  state: oneOf(M.CASE_STATES, 'current state'),
  seq: integer('number of the last step', 1),
  headHash: hash('stepHash of the last step'),
  ownerMsp: string('the department responsible for the case now'),
  responsible: nullable(ACTOR_REF),
  transferToMsp: nullable(string('while TRANSFERRED: the department that must accept it')),
  consultedMsps: arrayOf(string('MSP id'), 'while IN_CONSULTATION: the consulted departments'),
  opinionsFrom: arrayOf(string('MSP id'), 'consulted departments that gave their opinion'),
  endorsingMsps: arrayOf(string('MSP id'), "organisations whose peers must endorse the next step (the case key's policy)"),
  rating: nullable(integer('rating level 1-5, once evaluated', 1, 5)),
  ratingOverturned: boolean('an appeal overturned the rating'),
  appealed: boolean('the rating was appealed'),
  openedAt: time('opening time'),
  openedBy: ACTOR_REF,
  updatedAt: time('time of the last step'),
});

export const CASE_STEP_RESULT = model<{ case: M.CaseRecord; step: M.CaseStep }>('CaseStepAppended', 'The case after the step, and the step.', {
  case: CASE_RECORD,
  step: CASE_STEP,
});

export const CASE_TRACE = model<M.CaseTrace>('CaseTrace', 'A case end to end, with the chain re-checked.', {
  case: CASE_RECORD,
  steps: arrayOf(CASE_STEP, 'in order'),
  intact: boolean('every step hash recomputes, links to the previous one, and the head matches'),
  brokenAt: nullable(integer('the first step that does not check', 1)),
});

const PERSONAL_SHARE_PROPERTIES = {
  collection: string('the private data collection holding the details (one per pair of organisations)'),
  fromMsp: string('the sharing organisation (the case owner)'),
  toMsp: string('the receiving department'),
  dataHash: hash("SHA-256 of the private value's bytes, as the channel's hashed write set records it"),
  caseSeq: integer('the case step the sharing followed', 1),
  caseState: oneOf(M.CASE_STATES, 'the case state then'),
  sharedAt: time('transaction time'),
  sharedBy: ACTOR_REF,
  txId: string('the transaction'),
};

const FORGOTTEN = arrayOf(
  model<M.PersonalForget>('PersonalForget', "A collection's copy deleted after the case closed.", {
    collection: string('the collection'),
    forgottenAt: time('transaction time'),
    forgottenBy: ACTOR_REF,
    txId: string('the transaction'),
  }),
  'in recording order',
);

export const CASE_PERSONAL_SHARES = model<M.CasePersonalShares>('CasePersonalShares', "Every sharing of a case's personal details: hashes only.", {
  caseId: string('case id'),
  shares: arrayOf(model<M.PersonalShare>('PersonalShare', 'One sharing, as the channel records it.', PERSONAL_SHARE_PROPERTIES), 'in recording order'),
  forgotten: FORGOTTEN,
  updatedAt: time('time of the latest sharing or deletion'),
});

export const CASE_PERSONAL_SHARES_CHECK = model<M.CasePersonalSharesCheck>('CasePersonalSharesCheck', "A case's sharings checked against the hashes the collections hold now.", {
  caseId: string('case id'),
  shares: arrayOf(
    model<M.PersonalShareCheck>('PersonalShareCheck', 'One sharing and whether its collection still holds exactly what it wrote.', {
      ...PERSONAL_SHARE_PROPERTIES,
      current: boolean('the collection still holds what this sharing wrote'),
    }),
    'in recording order',
  ),
  forgotten: FORGOTTEN,
  updatedAt: time('time of the latest sharing or deletion'),
});

const PERSONAL_DETAILS = model<M.PersonalDetails>(
  'PersonalDetails',
  'Personal details shared for a case (private data collection only).',
  {
    salt: hash('32 random bytes drawn by the client, so the hash on the channel cannot be guessed'),
    name: string('name of the applicant'),
    phone: string('contact phone'),
    identityNumber: string('resident identity number'),
    address: string('address'),
    note: string('what the receiving department needs to know'),
  },
  ['phone', 'identityNumber', 'address', 'note'],
);

export const PERSONAL_DATA_VIEW = model<M.PersonalDataView>('PersonalDataView', "A member department's copy of a case's personal details.", {
  caseId: string('case id'),
  details: PERSONAL_DETAILS,
  fromMsp: string('the sharing organisation'),
  toMsp: string('the receiving department'),
  sharedAt: time('transaction time of the sharing'),
  sharedBy: ACTOR_REF,
  txId: string('the sharing transaction'),
  collection: string('the collection read'),
  dataHash: hash('SHA-256 of the value read; equals the dataHash recorded for the sharing'),
});
