/**
 * Validation issues from zod: each zod issue becomes a {@link ValidationIssue} with the issue
 * code a client can word (`verification/issue-codes.ts`), and refinements name their code.
 */
import type { z } from 'zod';
import type { ValidationIssue } from './errors';
import { isIssueCode, type IssueCode, type IssueParams } from './verification/issue-codes';

/** The code and parameters of an issue. */
export interface IssueReason {
  readonly code: IssueCode;
  readonly params?: IssueParams;
}

/**
 * Options for a zod refinement whose issue carries `code`: `.refine(check, refinement(…))`.
 *
 * @param message - the English message
 */
export function refinement(code: IssueCode, message: string): { readonly error: string; readonly params: { readonly code: IssueCode } } {
  return { error: message, params: { code } };
}

/**
 * The code of a zod issue, when it has one a client can word. A missing value counts as
 * `REQUIRED` only when the schema was run with `reportInput: true` (otherwise zod cannot tell
 * a missing value from a wrong one).
 */
export function reasonOfZodIssue(issue: z.core.$ZodIssue): IssueReason | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return 'input' in issue && issue.input !== undefined ? { code: 'WRONG_TYPE', params: { expected: issue.expected } } : { code: 'REQUIRED' };
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? { code: 'REQUIRED' } : { code: 'TOO_SHORT', params: { min } };
      if (issue.origin === 'array' || issue.origin === 'set') return { code: 'TOO_FEW', params: { min } };
      return { code: 'TOO_SMALL', params: { min } };
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return { code: 'TOO_LONG', params: { max } };
      if (issue.origin === 'array' || issue.origin === 'set') return { code: 'TOO_MANY', params: { max } };
      return { code: 'TOO_BIG', params: { max } };
    }
    case 'invalid_value':
      return { code: 'NOT_ALLOWED', params: { values: issue.values.map(String).join(', ') } };
    case 'invalid_format':
      return issue.format === 'datetime' ? { code: 'NOT_A_DATETIME' } : { code: 'BAD_FORMAT' };
    case 'invalid_key':
      return { code: 'BAD_FORMAT' };
    case 'unrecognized_keys':
      return { code: 'UNKNOWN_FIELDS', params: { keys: issue.keys.join(', ') } };
    case 'custom': {
      const code: unknown = issue.params?.code;
      return isIssueCode(code) ? { code } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Converts zod issues into validation issues, each path prefixed with where it is (`body`,
 * `query`…; nothing when `where` is empty). Members zod found unknown are named in the message.
 * Run the schema with `reportInput: true` so a missing value is told from a wrong one; the
 * input itself never leaves this function.
 */
export function issuesOf(error: z.ZodError, where: string): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = (where === '' ? issue.path.map(String) : [where, ...issue.path.map(String)]).join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}` : issue.message;
    const reason = reasonOfZodIssue(issue);
    return reason === undefined ? { path, message } : { path, message, ...reason };
  });
}
