/**
 * The certificate type catalogue: read from configuration (`services/config/certificate-types.json`)
 * and registered on Fabric at first start as the street office admin. Registration is
 * idempotent on the ledger (an identical type writes nothing), so every start may run it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError } from '../ledger/ledger-errors';
import type { Logger } from '../logger';
import { CertificateTypeInputSchema, LedgerCertificateTypeSchema, parseLedgerJson, type CertificateTypeInput } from './ledger-models';

const CatalogueFileSchema = z.object({
  types: z.array(z.looseObject(CertificateTypeInputSchema.shape)),
});

/** The catalogue file is missing or invalid. */
export class CatalogueError extends Error {
  readonly code = 'CONFIG.CATALOGUE_INVALID';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = CatalogueError.name;
  }
}

/**
 * Reads the catalogue; members beyond what the chaincode stores (GB/T 36903 metadata) are
 * dropped from what is registered.
 *
 * @throws {@link CatalogueError} when the file cannot be read, is invalid, or repeats a code.
 */
export function loadCatalogue(file: string): CertificateTypeInput[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogueError(`certificate type catalogue ${file} cannot be read as JSON`, err);
  }
  const parsed = CatalogueFileSchema.safeParse(raw);
  if (!parsed.success) throw new CatalogueError(`certificate type catalogue ${file}: ${z.prettifyError(parsed.error)}`);
  const types = parsed.data.types.map(({ code, name, allowedIssuerMsps, validityDays, fields }) => ({ code, name, allowedIssuerMsps, validityDays, fields }));
  const codes = types.map((t) => t.code);
  const repeated = codes.find((c, i) => codes.indexOf(c) !== i);
  if (repeated !== undefined) throw new CatalogueError(`certificate type catalogue ${file} lists ${repeated} twice`);
  return types;
}

/** What seeding did per type: on the ledger as configured, or registered differently. */
export type SeedOutcome = 'ok' | 'differs';

/**
 * Registers every type of the catalogue on Fabric. A type already registered with another
 * definition is left alone and reported (`differs`): changing a type is `UpdateType`, an
 * administrator's decision, not a side effect of a restart.
 *
 * @throws ledger errors other than `CERT.ALREADY_EXISTS` (the caller retries later).
 */
export async function seedCatalogue(fabric: FabricLedger, admin: FabricActor, types: readonly CertificateTypeInput[], log: Logger): Promise<Record<string, SeedOutcome>> {
  const outcomes: Record<string, SeedOutcome> = {};
  const known = new Set(fabric.organisations());
  const registered = await registeredCodes(fabric, admin);
  for (const type of types) {
    const endorsers = [...new Set([admin.mspId, ...type.allowedIssuerMsps])].filter((m) => known.has(m));
    try {
      // A type already on the ledger is checked with evaluations only: a restart orders nothing.
      if (registered.has(type.code)) {
        await fabric.evaluate(admin, 'certificate:RegisterType', [JSON.stringify(type)]);
        outcomes[type.code] = 'ok';
        continue;
      }
      // Endorsed by the registrar and the issuers when there are enough of them, so their
      // agreement is on record; otherwise the gateway picks endorsers for the channel policy.
      await fabric.submit(admin, 'certificate:RegisterType', [JSON.stringify(type)], endorsers.length >= 2 ? { endorsingOrganizations: endorsers } : {});
      outcomes[type.code] = 'ok';
    } catch (err) {
      if (err instanceof ChaincodeRejectedError && err.code === 'CERT.ALREADY_EXISTS') {
        outcomes[type.code] = 'differs';
        log.warn({ typeCode: type.code }, 'certificate type on the ledger differs from the catalogue; not changed (use UpdateType)');
        continue;
      }
      throw err;
    }
  }
  return outcomes;
}

/** The codes of the types on the ledger (one evaluation for the whole catalogue). */
async function registeredCodes(fabric: FabricLedger, actor: FabricActor): Promise<Set<string>> {
  const types = parseLedgerJson(z.array(LedgerCertificateTypeSchema), await fabric.evaluate(actor, 'certificate:ListTypes', []), 'the ListTypes result');
  return new Set(types.map((t) => t.code));
}
