/**
 * Which organisations play which part in the network. Fabric knows only MSP ids; the
 * chaincode needs to know which of them are street offices (they govern types and policy and
 * coordinate volunteers), civil affairs (they attest eligibility and family links) and the
 * audit office. This is configuration: the defaults are the organisations of DEVELOPERS.md,
 * and a deployment with other MSP ids starts every chaincode process with the same
 * `CTL_NETWORK_ROLES` JSON (as with any chaincode setting, peers that disagree produce
 * different endorsements and the transaction is refused, never silently split).
 */

/** MSP ids by the part they play. */
export interface NetworkRoles {
  /** Street offices: register certificate types, set time-bank policy, coordinate volunteers. */
  readonly streetOfficeMsps: readonly string[];
  /** Civil affairs: attest redemption eligibility and link relatives. */
  readonly civilAffairsMsps: readonly string[];
  /** Audit offices: the only organisations whose `auditor` identities count as auditors. */
  readonly auditMsps: readonly string[];
}

/** The default network of DEVELOPERS.md. */
export const DEFAULT_NETWORK_ROLES: NetworkRoles = Object.freeze({
  streetOfficeMsps: Object.freeze(['EastStreetMSP', 'NorthStreetMSP', 'StreetOfficeMSP', 'WestStreetMSP']),
  civilAffairsMsps: Object.freeze(['CivilAffairsMSP']),
  auditMsps: Object.freeze(['AuditOfficeMSP']),
});

const MSP_ID = /^[A-Za-z][A-Za-z0-9.-]{0,63}$/;

function mspList(raw: Record<string, unknown>, field: keyof NetworkRoles): readonly string[] {
  const value = raw[field];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v): v is string => typeof v === 'string' && MSP_ID.test(v))) {
    throw new Error(`CTL_NETWORK_ROLES: ${field} must be a non-empty array of MSP ids`);
  }
  return Object.freeze([...new Set(value)].sort());
}

/**
 * Reads the network roles from a JSON text, or returns the defaults for an empty one.
 *
 * @param json - the value of `CTL_NETWORK_ROLES`, possibly undefined or empty
 * @returns the roles, each list sorted and de-duplicated
 * @throws Error naming the variable when the JSON is malformed, so a misconfigured chaincode
 *   process stops at start-up instead of endorsing with the wrong organisations
 */
export function parseNetworkRoles(json: string | undefined): NetworkRoles {
  if (json === undefined || json.trim() === '') return DEFAULT_NETWORK_ROLES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('CTL_NETWORK_ROLES is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('CTL_NETWORK_ROLES must be a JSON object');
  const record = raw as Record<string, unknown>;
  return Object.freeze({
    streetOfficeMsps: mspList(record, 'streetOfficeMsps'),
    civilAffairsMsps: mspList(record, 'civilAffairsMsps'),
    auditMsps: mspList(record, 'auditMsps'),
  });
}

// Read once when the chaincode process loads, never during a transaction.
const ROLES = parseNetworkRoles(process.env.CTL_NETWORK_ROLES);

/**
 * The network roles this chaincode process was started with.
 *
 * @returns the roles
 */
export function networkRoles(): NetworkRoles {
  return ROLES;
}
