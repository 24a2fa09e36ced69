// Validation of the officer's issue form and its translation into the API request. The form
// is built from the certificate types registered on the ledger, so the rules follow each
// field's declared type. Pure, so the rules are unit-tested; the API validates again and its
// answer is final.
import type { CertificateType, FieldDefinition, IssueCertificateRequest } from '../api/client';
import { hasWrongCheckDigit } from '../../../services/src/domain/identity-number';
import type { Message, MessageKey } from '../i18n/translate';

/**
 * The types an officer of `org` may issue, when the API says which organisations may issue each
 * (it already answers an officer with their organisation's types; this keeps the form honest if
 * a broader role sees more). Undefined when there are none.
 */
export function issuableTypes(types: readonly CertificateType[], org: string | undefined): readonly [CertificateType, ...CertificateType[]] | undefined {
  const list = types.filter((type) => org !== undefined && (type.allowedIssuerMsps as readonly string[] | undefined)?.includes(org) !== false);
  const [first, ...rest] = list;
  return first === undefined ? undefined : [first, ...rest];
}

/** What the form holds: text inputs as typed, check boxes as booleans, dates as `YYYY-MM-DD`. */
export interface IssueFormValues {
  typeCode: string;
  idNumber: string;
  holderName: string;
  fields: Record<string, string | boolean>;
  validUntil: string;
}

/** Errors keyed by the input they belong to: `idNumber`, `holderName`, `validUntil`, `field.<key>`. */
export type IssueFormErrors = Partial<Record<string, Message>>;

export const ID_NUMBER_MAX = 64;
export const HOLDER_NAME_MAX = 100;
/** The certificate format's limit on a text field. */
export const FIELD_TEXT_MAX = 500;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  return date.getUTCFullYear() === y && date.getUTCMonth() === (m ?? 0) - 1 && date.getUTCDate() === d;
}

/** The `YYYY-MM-DD` date `days` after `date` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The latest end of validity an officer may choose today, or undefined when the type never expires. */
export function latestValidUntil(type: CertificateType, today: string): string | undefined {
  return type.validityDays > 0 ? addDays(today, type.validityDays) : undefined;
}

/** The value an empty input of `field` starts with. */
function emptyValue(field: FieldDefinition): string | boolean {
  return field.type === 'boolean' ? false : '';
}

/** An empty form for `type`. */
export function emptyIssueForm(type: CertificateType): IssueFormValues {
  return {
    typeCode: type.code,
    idNumber: '',
    holderName: '',
    fields: Object.fromEntries(detailFields(type).map((field) => [field.key, emptyValue(field)])),
    validUntil: '',
  };
}

/**
 * The holder's name is entered once, in the holder block, and the API writes it into the
 * type's `holderName` field; every other field of the type is filled in the details block.
 */
export const HOLDER_NAME_FIELD = 'holderName';

/** The fields of `type` the officer fills in as certificate details. */
export function detailFields(type: CertificateType): CertificateType['fields'] {
  return type.fields.filter((field) => field.key !== HOLDER_NAME_FIELD);
}

/** The form's field values carried over to another type: kept where the new type has the same key and kind. */
export function fieldsForType(type: CertificateType, previous: Readonly<Record<string, string | boolean>>): Record<string, string | boolean> {
  return Object.fromEntries(
    detailFields(type).map((field) => {
      const old = previous[field.key];
      return [field.key, typeof old === typeof emptyValue(field) && old !== undefined ? old : emptyValue(field)];
    }),
  );
}

type Label = { key: MessageKey } | { text: string };

function fieldParam(label: Label): Pick<Message, 'params' | 'keyParams'> {
  return 'key' in label ? { keyParams: { field: label.key } } : { params: { field: label.text } };
}

function checkText(value: string, label: Label, required: boolean, max: number): Message | undefined {
  const trimmed = value.trim();
  if (required && trimmed === '') return { key: 'issue.missing', ...fieldParam(label) };
  if (trimmed.length > max) {
    const named = fieldParam(label);
    return { key: 'issue.tooLong', params: { ...named.params, max }, ...(named.keyParams ? { keyParams: named.keyParams } : {}) };
  }
  return undefined;
}

function checkField(field: FieldDefinition, value: string | boolean | undefined): Message | undefined {
  if (field.type === 'boolean') return undefined;
  const text = typeof value === 'string' ? value : '';
  const label: Label = { text: field.label };
  const basic = checkText(text, label, field.required, FIELD_TEXT_MAX);
  if (basic !== undefined || text.trim() === '') return basic;
  if (field.type === 'number' && !Number.isFinite(Number(text.trim()))) return { key: 'issue.notNumber', params: { field: field.label } };
  if (field.type === 'date' && !isCalendarDate(text.trim())) return { key: 'issue.notDate', params: { field: field.label } };
  return undefined;
}

/**
 * Checks the form against the type. `today` is the local date as `YYYY-MM-DD` (ISO dates
 * compare correctly as strings). Returns no keys when the form may be sent.
 */
export function validateIssueForm(values: IssueFormValues, type: CertificateType, today: string): IssueFormErrors {
  const errors: IssueFormErrors = {};
  const idNumber = checkText(values.idNumber, { key: 'issue.idNumber' }, true, ID_NUMBER_MAX) ?? (hasWrongCheckDigit(values.idNumber) ? { key: 'issue.idCheckDigit' } : undefined);
  if (idNumber !== undefined) errors.idNumber = idNumber;
  const holderName = checkText(values.holderName, { key: 'issue.holderName' }, true, HOLDER_NAME_MAX);
  if (holderName !== undefined) errors.holderName = holderName;
  for (const field of detailFields(type)) {
    const problem = checkField(field, values.fields[field.key]);
    if (problem !== undefined) errors[`field.${field.key}`] = problem;
  }
  const latest = latestValidUntil(type, today);
  if (values.validUntil !== '') {
    if (!isCalendarDate(values.validUntil) || values.validUntil <= today) errors.validUntil = { key: 'issue.pastDate' };
    else if (latest !== undefined && values.validUntil > latest) {
      errors.validUntil = { key: 'issue.beyondValidity', params: { days: type.validityDays, latest } };
    }
  }
  return errors;
}

/** The end (23:59:59.999 local time) of a `YYYY-MM-DD` day, as an ISO 8601 UTC instant. */
export function endOfLocalDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year ?? NaN, (month ?? NaN) - 1, day ?? NaN, 23, 59, 59, 999).toISOString();
}

/** Today's local date as `YYYY-MM-DD`. */
export function localDate(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The request body for a form that passed {@link validateIssueForm}: text trimmed, numbers
 * as numbers, empty optional fields left out, the validity as the end of the chosen local day.
 *
 * @throws {RangeError} if `validUntil` is not a real date (only an unvalidated form has one).
 */
export function toIssueRequest(values: IssueFormValues, type: CertificateType): IssueCertificateRequest {
  const fields: Record<string, string | number | boolean> = {};
  for (const field of detailFields(type)) {
    const value = values.fields[field.key];
    if (field.type === 'boolean') {
      fields[field.key] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text !== '') fields[field.key] = field.type === 'number' ? Number(text) : text;
  }
  const request: IssueCertificateRequest = {
    typeCode: type.code,
    holder: { idNumber: values.idNumber.trim(), name: values.holderName.trim() },
    fields,
  };
  if (values.validUntil !== '') request.validUntil = endOfLocalDay(values.validUntil);
  return request;
}
