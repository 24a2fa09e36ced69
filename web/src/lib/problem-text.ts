// The API's problems in the person's language. The API names what went wrong with a stable code
// (`CERT.NOT_FOUND`; each validation issue with one of services/src/verification/issue-codes.ts)
// beside its English message; the portal words every code it knows, and shows the API's own
// message for a code it does not (one added after the portal was built).
import { isIssueCode } from '../../../services/src/verification/issue-codes';
import type { ApiError, FieldProblem } from '../api/errors';
import type { Message, MessageKey } from '../i18n';
import { en } from '../i18n/en';

/** The kinds of value the API names in `WRONG_TYPE`, each with its own wording. */
const KINDS = ['string', 'number', 'boolean', 'object', 'record', 'array'] as const;
type Kind = (typeof KINDS)[number];

function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && (KINDS as readonly string[]).includes(value);
}

/** The message for an issue's code, or undefined when the portal does not know the code. */
export function issueMessage(problem: Pick<FieldProblem, 'code' | 'params'>): Message | undefined {
  if (!isIssueCode(problem.code)) return undefined;
  const params = problem.params ?? {};
  if (problem.code === 'WRONG_TYPE' && isKind(params.expected)) {
    return { key: 'issues.WRONG_TYPE', params, keyParams: { expected: `issueKinds.${params.expected}` } };
  }
  return { key: `issues.${problem.code}`, params };
}

/**
 * An issue as text: the portal's wording of its code, else the API's own message.
 *
 * @param render - the current language's renderer (`tm` of `useI18n`)
 */
export function issueText(problem: FieldProblem, render: (message: Message) => string): string {
  const message = issueMessage(problem);
  return message === undefined ? problem.message : render(message);
}

/** The message for a problem's code (`LEDGER.UNAVAILABLE`), or undefined when the portal does not know the code. */
export function problemMessage(error: Pick<ApiError, 'code'>): Message | undefined {
  const [domain, reason, ...rest] = error.code.split('.');
  if (domain === undefined || reason === undefined || rest.length > 0) return undefined;
  const known = Object.hasOwn(en.problems, domain) && Object.hasOwn(en.problems[domain as keyof typeof en.problems], reason);
  return known ? { key: `problems.${domain}.${reason}` as MessageKey } : undefined;
}

/** Where a batch row's problem is, as the officer's file names it. */
export interface RowProblemPlace {
  /** The CSV column (`idNumber`, `name`, a field key, `validUntil`), empty for the whole row, or the API's path for anything else. */
  readonly column: string;
  /** What the column holds: the type's label of a field, or the portal's words for the holder's columns. */
  readonly label: { readonly text: string } | { readonly message: Message } | undefined;
}

const HOLDER_COLUMNS: Readonly<Record<string, { column: string; key: MessageKey }>> = {
  'holder.idNumber': { column: 'idNumber', key: 'issue.idNumber' },
  'holder.name': { column: 'name', key: 'issue.holderName' },
  validUntil: { column: 'validUntil', key: 'issue.validUntil' },
};

/**
 * The column of a batch row's problem: the API names `holder.idNumber` or `fields.grade` (a JSON
 * batch's paths) and `header.grade` (a CSV header's column), while a CSV file has the columns
 * `idNumber`, `name` and `grade`.
 *
 * @param fields - the batch type's fields, for their labels (empty when the type is unknown)
 */
export function rowProblemPlace(path: string, fields: readonly { readonly key: string; readonly label: string }[]): RowProblemPlace {
  if (path === '(row)') return { column: '', label: { message: { key: 'batch.wholeRow' } } };
  const holder = HOLDER_COLUMNS[path];
  if (holder !== undefined) return { column: holder.column, label: { message: { key: holder.key } } };
  const field = /^(?:fields|header)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(path)?.[1];
  if (field === undefined) return { column: path, label: undefined };
  const label = fields.find((f) => f.key === field)?.label;
  return { column: field, label: label === undefined ? undefined : { text: label } };
}
