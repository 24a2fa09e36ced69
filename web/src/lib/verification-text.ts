// Plain-language wording of the verifier's checks and verdict. The API names its checks;
// each known name has a label and a line for passed and failed, and a name the portal does
// not know yet is still shown, under its own name, rather than dropped.
import type { VerificationCheck, VerificationResult } from '../api/client';
import { en } from '../i18n/en';
import type { Message } from '../i18n/translate';

/** The checks the verifier reports (issue 7), in the order a person reads them. */
export const KNOWN_CHECKS = [
  'integrity',
  'batchInclusion',
  'anchored',
  'notRevoked',
  'notExpired',
  'issuerAllowed',
  'ledgerRecord',
] as const;
export type KnownCheck = (typeof KNOWN_CHECKS)[number];

function isKnown(name: string): name is KnownCheck {
  return (KNOWN_CHECKS as readonly string[]).includes(name);
}

type CheckCode = keyof typeof en.checkCodes;

function isKnownCode(code: unknown): code is CheckCode {
  return typeof code === 'string' && Object.hasOwn(en.checkCodes, code);
}

/** How one check reads: its label and its plain-language explanation (absent for unknown checks). */
export interface CheckText {
  readonly label: Message;
  readonly explanation: Message | undefined;
}

/**
 * The words for one check's outcome. A failure the verifier gave a known reason `code` for
 * (revoked or suspended, expired or not yet valid, ledger unavailable...) is explained by
 * that reason; otherwise by what the check as a whole means.
 */
export function checkText(check: VerificationCheck): CheckText {
  const reason: Message | undefined = !check.ok && isKnownCode(check.code) ? { key: `checkCodes.${check.code}` } : undefined;
  if (!isKnown(check.name)) return { label: { key: 'checks.unknown.label', params: { name: check.name } }, explanation: reason };
  return {
    label: { key: `checks.${check.name}.label` },
    explanation: check.ok ? { key: `checks.${check.name}.ok` } : (reason ?? { key: `checks.${check.name}.fail` }),
  };
}

/** An ISO 8601 instant in the reader's language, or undefined when it is not one. */
export function formatInstant(iso: string, locale: string): string | undefined {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return undefined;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'medium' }).format(time);
}

/** The verdict line. `valid` is the verifier's; the portal never overrules it from the checks. */
export function verdictText(result: VerificationResult): Message {
  if (result.valid) return { key: 'verify.valid' };
  const failed = result.checks.filter((check) => !check.ok).length;
  if (result.checks.length === 0 || failed === 0) return { key: 'verify.invalidNoChecks' };
  return { key: 'verify.invalid', params: { failed, total: result.checks.length } };
}

/** The checks in reading order: known ones as listed above, unknown ones after, as received. */
export function orderedChecks(checks: readonly VerificationCheck[]): VerificationCheck[] {
  const rank = (name: string): number => (isKnown(name) ? KNOWN_CHECKS.indexOf(name) : KNOWN_CHECKS.length);
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => rank(a.check.name) - rank(b.check.name) || a.index - b.index)
    .map(({ check }) => check);
}
