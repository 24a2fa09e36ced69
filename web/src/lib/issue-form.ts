// Validation of the officer's issue form and its translation into the API request. Pure, so
// the rules are unit-tested; the API validates again and its answer is final.
import type { IssueCertificateRequest } from '../api/client';
import type { Message } from '../i18n/translate';
import type { CertificateTypeSpec } from './certificate-types';

/** What the form holds: every value as typed, dates as `YYYY-MM-DD` or empty. */
export interface IssueFormValues {
  typeCode: string;
  idNumber: string;
  holderName: string;
  fields: Record<string, string>;
  validUntil: string;
}

/** Errors keyed by the input they belong to: `idNumber`, `holderName`, `validUntil`, `field.<name>`. */
export type IssueFormErrors = Partial<Record<string, Message>>;

export const ID_NUMBER_MAX = 64;
export const HOLDER_NAME_MAX = 100;

/** An empty form for `type`. */
export function emptyIssueForm(type: CertificateTypeSpec): IssueFormValues {
  return {
    typeCode: type.code,
    idNumber: '',
    holderName: '',
    fields: Object.fromEntries(type.fields.map((field) => [field.name, ''])),
    validUntil: '',
  };
}

function checkText(value: string, label: Message['key'], required: boolean, max: number): Message | undefined {
  const trimmed = value.trim();
  if (required && trimmed === '') return { key: 'issue.missing', keyParams: { field: label } };
  if (trimmed.length > max) return { key: 'issue.tooLong', params: { max }, keyParams: { field: label } };
  return undefined;
}

/**
 * Checks the form against the type's fields. `today` is the local date as `YYYY-MM-DD`
 * (ISO dates compare correctly as strings). Returns no keys when the form may be sent.
 */
export function validateIssueForm(values: IssueFormValues, type: CertificateTypeSpec, today: string): IssueFormErrors {
  const errors: IssueFormErrors = {};
  const idNumber = checkText(values.idNumber, 'issue.idNumber', true, ID_NUMBER_MAX);
  if (idNumber !== undefined) errors.idNumber = idNumber;
  const holderName = checkText(values.holderName, 'issue.holderName', true, HOLDER_NAME_MAX);
  if (holderName !== undefined) errors.holderName = holderName;
  for (const field of type.fields) {
    const problem = checkText(values.fields[field.name] ?? '', field.label, field.required, field.maxLength);
    if (problem !== undefined) errors[`field.${field.name}`] = problem;
  }
  if (values.validUntil !== '' && values.validUntil <= today) errors.validUntil = { key: 'issue.pastDate' };
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
 * The request body for a form that passed {@link validateIssueForm}: values trimmed, empty
 * optional fields left out, the validity as the end of the chosen local day.
 *
 * @throws {RangeError} if `validUntil` is not a real date (only an unvalidated form has one).
 */
export function toIssueRequest(values: IssueFormValues, type: CertificateTypeSpec): IssueCertificateRequest {
  const fields: Record<string, string> = {};
  for (const field of type.fields) {
    const value = (values.fields[field.name] ?? '').trim();
    if (value !== '') fields[field.name] = value;
  }
  const request: IssueCertificateRequest = {
    typeCode: type.code,
    holder: { idNumber: values.idNumber.trim(), name: values.holderName.trim() },
    fields,
  };
  if (values.validUntil !== '') request.validUntil = endOfLocalDay(values.validUntil);
  return request;
}
