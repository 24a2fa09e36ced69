/**
 * Reading personal details from a proposal's transient map. The values are personal data, so
 * unlike every other argument they are never echoed in an error message: a refusal names the
 * field and the rule, not what was sent.
 */
import { ChaincodeError } from '../errors';
import { HASH_PATTERN } from '../shared/input';
import { PERSONAL_DATA_TRANSIENT_KEY, type PersonalDetails } from './models';

/** Longest JSON accepted under the transient key, in bytes. */
export const MAX_PERSONAL_JSON = 4096;

const FIELDS: Readonly<Record<keyof PersonalDetails, { readonly required: boolean; readonly check: (v: string) => boolean; readonly rule: string }>> = {
  salt: { required: true, check: (v) => HASH_PATTERN.test(v), rule: 'must be 0x and 64 lowercase hex digits (32 random bytes)' },
  name: { required: true, check: (v) => v.trim().length > 0 && v.length <= 100, rule: 'must be 1-100 characters' },
  phone: { required: false, check: (v) => /^\+?[0-9][0-9 -]{2,31}$/.test(v), rule: 'must be 3-32 digits, spaces or hyphens, optionally after +' },
  identityNumber: { required: false, check: (v) => /^[0-9A-Za-z]{6,32}$/.test(v), rule: 'must be 6-32 letters or digits' },
  address: { required: false, check: (v) => v.trim().length > 0 && v.length <= 300, rule: 'must be 1-300 characters' },
  note: { required: false, check: (v) => v.length <= 1000, rule: 'must be at most 1,000 characters' },
};

/**
 * Parses the personal details of `SharePersonalData` from the transient map.
 *
 * @param transient - the proposal's transient map
 * @param caseId - the case, for messages
 * @returns the details, with only the fields given
 * @throws ChaincodeError `EVIDENCE.INVALID_ARGUMENT` when the map lacks the key, holds another
 *   key, or the details are not a JSON object of the fields above with valid values
 */
export function parsePersonalDetails(transient: ReadonlyMap<string, Uint8Array>, caseId: string): PersonalDetails {
  const fail = (text: string): never => {
    throw new ChaincodeError('EVIDENCE.INVALID_ARGUMENT', caseId, `${text} (case ${caseId})`);
  };
  for (const key of transient.keys()) {
    if (key !== PERSONAL_DATA_TRANSIENT_KEY) fail(`the transient map holds an unknown key ${JSON.stringify(key.slice(0, 40))}; only ${PERSONAL_DATA_TRANSIENT_KEY} is read`);
  }
  const bytes = transient.get(PERSONAL_DATA_TRANSIENT_KEY);
  if (bytes === undefined || bytes.length === 0) return fail(`the personal details go in the transient map under ${PERSONAL_DATA_TRANSIENT_KEY}, never as an argument`);
  if (bytes.length > MAX_PERSONAL_JSON) fail(`${PERSONAL_DATA_TRANSIENT_KEY} must be at most ${MAX_PERSONAL_JSON} bytes of JSON`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return fail(`${PERSONAL_DATA_TRANSIENT_KEY} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${PERSONAL_DATA_TRANSIENT_KEY} must be a JSON object`);
  const record = raw as Record<string, unknown>;
  const details: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    if (!(key in FIELDS)) fail(`${PERSONAL_DATA_TRANSIENT_KEY} has an unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const [field, rule] of Object.entries(FIELDS)) {
    const value = record[field];
    if (value === undefined) {
      if (rule.required) fail(`${PERSONAL_DATA_TRANSIENT_KEY} lacks the field ${field}`);
      continue;
    }
    if (typeof value !== 'string') return fail(`${PERSONAL_DATA_TRANSIENT_KEY}.${field} must be a string`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) fail(`${PERSONAL_DATA_TRANSIENT_KEY}.${field} must not contain control characters`);
    if (!rule.check(value)) fail(`${PERSONAL_DATA_TRANSIENT_KEY}.${field} ${rule.rule}`);
    details[field] = value;
  }
  return details as unknown as PersonalDetails;
}
