/**
 * `subjectRef`: the only way a resident appears on a ledger — HMAC-SHA-256 of their identity
 * number under a per-deployment secret, never the number itself. The same number always gives
 * the same reference within a deployment, and a reference reveals nothing without the secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Identity numbers differ in spacing and the case of a final X; the reference must not. */
function normalise(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

/** The subjectRef of an identity number: `0x` + 64 lowercase hex. */
export function subjectRefOf(secret: string, idNumber: string): string {
  return `0x${createHmac('sha256', secret).update(normalise(idNumber), 'utf8').digest('hex')}`;
}

/**
 * Reads the deployment's secret from `file`, creating a random 256-bit one (mode 0600) on first
 * use. Losing the file changes every future reference, so back it up with the data directory.
 *
 * @throws when the file exists but cannot be read, or holds fewer than 32 characters.
 */
export function loadOrCreateSecret(file: string): string {
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) throw new Error(`the subject reference secret in ${file} is too short`);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return secret;
}
