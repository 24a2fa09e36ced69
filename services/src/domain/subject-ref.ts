/**
 * `subjectRef`: the only way a resident appears on a ledger — HMAC-SHA-256 of their identity
 * number under a per-deployment secret, never the number itself. The same number always gives
 * the same reference within a deployment, and a reference reveals nothing without the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createOnce } from '../config/data-files';
import { normaliseIdNumber } from './identity-number';

/**
 * The subjectRef of an identity number: `0x` + 64 lowercase hex. Numbers that differ only in
 * spacing or the case of a final X give the same reference.
 */
export function subjectRefOf(secret: string, idNumber: string): string {
  return `0x${createHmac('sha256', secret).update(normaliseIdNumber(idNumber), 'utf8').digest('hex')}`;
}

/**
 * Reads the deployment's secret from `file`, creating a random 256-bit one (mode 0600) on first
 * use. Losing the file changes every future reference, so back it up with the data directory.
 *
 * @throws when the file exists but cannot be read, or holds fewer than 32 characters.
 */
export async function loadOrCreateSecret(file: string): Promise<string> {
  const secret = (await createOnce(file, () => `${randomBytes(32).toString('hex')}\n`)).trim();
  if (secret.length < 32) throw new Error(`the subject reference secret in ${file} is too short`);
  return secret;
}
