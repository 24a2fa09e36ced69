/**
 * The organisations of the network (Fabric MSPs), read from configuration: which are street
 * offices, departments and audit offices decides the demo users and which identities act.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const OrganisationSchema = z.strictObject({
  mspId: z.string().regex(/^[A-Za-z0-9.-]+$/),
  name: z.string().min(1).max(200),
  kind: z.enum(['street-office', 'department', 'audit-office']),
});
export type Organisation = z.infer<typeof OrganisationSchema>;

const OrganisationsFileSchema = z.object({
  organisations: z.array(OrganisationSchema).min(1),
});

/** The organisations file could not be read or is invalid. */
export class OrganisationsFileError extends Error {
  readonly code = 'CONFIG.ORGANISATIONS_INVALID';
  constructor(file: string, reason: string, cause?: unknown) {
    super(`organisations file ${file}: ${reason}`, { cause });
    this.name = OrganisationsFileError.name;
  }
}

/**
 * Reads the organisations file (`services/config/organisations.json` by default).
 *
 * @throws {@link OrganisationsFileError} when the file is missing, not JSON, invalid, or lists
 *   an MSP id twice.
 */
export function loadOrganisations(file: string): Organisation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OrganisationsFileError(file, 'cannot be read as JSON', err);
  }
  const parsed = OrganisationsFileSchema.safeParse(raw);
  if (!parsed.success) throw new OrganisationsFileError(file, z.prettifyError(parsed.error));
  const ids = parsed.data.organisations.map((o) => o.mspId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new OrganisationsFileError(file, `MSP id ${duplicate} is listed twice`);
  return parsed.data.organisations;
}
