// The wording of an API validation issue in the person's language. The API names what is wrong
// with a stable code (services/src/verification/issue-codes.ts) beside its English message; the
// portal words every code it knows, and shows the API's message for a code added after it was built.
import { ISSUE_CODES, type IssueCode } from '../../../services/src/verification/issue-codes';
import type { FieldProblem } from '../api/errors';
import type { Message } from '../i18n';

/** The kinds of value the API names in `WRONG_TYPE`, each with its own wording. */
const KINDS = ['string', 'number', 'boolean', 'object', 'record', 'array'] as const;
type Kind = (typeof KINDS)[number];

function isIssueCode(value: unknown): value is IssueCode {
  return typeof value === 'string' && (ISSUE_CODES as readonly string[]).includes(value);
}

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
