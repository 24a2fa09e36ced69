// The organisations a resident can give consent to: the network's street offices and
// departments, read at build time from the services' configuration (services/config/
// organisations.json, the file a deployment edits), so the portal and the API name the same
// ones. The audit office fetches no certificates, so it is left out.
import configuration from '../../../services/config/organisations.json';
import { SHARE_EXPIRY_OPTIONS, type ExpiryOption } from './document-view';

export interface Department {
  readonly mspId: string;
  readonly name: string;
}

function read(value: unknown): Department[] {
  const list = typeof value === 'object' && value !== null ? (value as { organisations?: unknown }).organisations : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { mspId, name, kind } = entry as Record<string, unknown>;
    return typeof mspId === 'string' && typeof name === 'string' && kind !== 'audit-office' ? [{ mspId, name }] : [];
  });
}

/** The organisations that may ask for a resident's certificates, in the configuration's order. */
export const CONSENT_AUDIENCES: readonly Department[] = read(configuration);

/** Consent lifetimes offered (the API accepts up to 7 days). */
export const CONSENT_EXPIRY_OPTIONS: readonly ExpiryOption[] = SHARE_EXPIRY_OPTIONS.filter((option) => option.seconds <= 7 * 86_400);

/** The longest purpose the API accepts. */
export const PURPOSE_MAX = 200;
