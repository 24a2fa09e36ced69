/**
 * Stable codes of input problems: each issue of a 400 or 422 problem (`errors[]`) and each bad
 * row of a batch names what is wrong as a code with its parameters, beside an English message.
 * Clients word the codes in their own language (the portal, in zh-CN and English) and fall back
 * to the message for a code they do not know, so a code is added here, never renamed.
 */

/** Every code an issue can carry. */
export const ISSUE_CODES = [
  /** A value is missing or empty. */
  'REQUIRED',
  /** Text longer than `max` characters. */
  'TOO_LONG',
  /** Text shorter than `min` characters. */
  'TOO_SHORT',
  /** A list with more than `max` entries. */
  'TOO_MANY',
  /** A list with fewer than `min` entries. */
  'TOO_FEW',
  /** A number above `max`. */
  'TOO_BIG',
  /** A number below `min`. */
  'TOO_SMALL',
  /** A value of the wrong kind: `expected` names the kind (string, number, boolean, object, array…). */
  'WRONG_TYPE',
  /** Not one of the allowed values (`values`, separated by commas). */
  'NOT_ALLOWED',
  /** Text that does not have the required form. */
  'BAD_FORMAT',
  /** Not a date and time with a time zone. */
  'NOT_A_DATETIME',
  /** Members the request may not have (`keys`, separated by commas). */
  'UNKNOWN_FIELDS',
  /** An 18-character resident identity number whose GB 11643 check digit does not match. */
  'ID_CHECK_DIGIT',
  /** Text holding U+FFFD: characters were lost because the file was read in the wrong encoding. */
  'LOST_CHARACTERS',
  /** A field the certificate type (`type`) does not have. */
  'NOT_IN_TYPE',
  /** Not a calendar date (YYYY-MM-DD). */
  'NOT_A_DATE',
  /** Not a number. */
  'NOT_A_NUMBER',
  /** Not true or false. */
  'NOT_A_BOOLEAN',
  /** The holder's name sent again as a field (it comes from the name). */
  'NAME_TWICE',
  /** A validity end that is not in the future. */
  'NOT_IN_FUTURE',
  /** A validity end later than the type allows (`days`). */
  'BEYOND_VALIDITY',
  /** A validity end before its start. */
  'BEFORE_VALID_FROM',
  /** A batch row identical to an earlier one (`row`): same holder, type and fields. */
  'DUPLICATE_ROW',
  /** CSV that cannot be read (the CSV reader's own words are in the message). */
  'CSV_SYNTAX',
  /** A CSV file with no rows. */
  'CSV_EMPTY',
  /** A CSV header that does not start with `idNumber,name`. */
  'CSV_HEADER_START',
  /** A CSV column named twice. */
  'CSV_COLUMN_TWICE',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

/** Values a client puts into its wording of a code. */
export type IssueParams = Readonly<Record<string, string | number>>;

/** Whether a value is one of {@link ISSUE_CODES}. */
export function isIssueCode(value: unknown): value is IssueCode {
  return typeof value === 'string' && (ISSUE_CODES as readonly string[]).includes(value);
}
