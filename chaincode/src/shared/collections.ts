/**
 * The private data collections of chaincode `ctl`. Departments that work on a case together
 * share the applicant's personal details (name, contact...) through a collection that only the
 * two of them hold: one collection per pair of organisations, named after the pair, with
 * member-only read and write and both organisations' peers endorsing every write. The channel
 * carries only the hashes Fabric puts in the hashed read-write set, and the hash the chaincode
 * records publicly; the details travel in the proposal's transient map, never as an argument.
 *
 * A pair collection rather than one per case: Fabric collections are fixed in the chaincode
 * definition, while the departments a case involves change as it moves (transfers, joint
 * consultations); every pair exists once, so any owner can share with any department it hands
 * a case to. The list is configuration: {@link sharingCollections} writes it for the
 * organisations of a network (devnet/network.json carries the one for the default network, and
 * `peer lifecycle chaincode approveformyorg --collections-config` takes the same JSON).
 */

/** A collection definition in the shape of Fabric's collections_config.json. */
export interface CollectionDefinition {
  readonly name: string;
  readonly policy: string;
  readonly requiredPeerCount: number;
  readonly maxPeerCount: number;
  readonly blockToLive: number;
  readonly memberOnlyRead: boolean;
  readonly memberOnlyWrite: boolean;
  readonly endorsementPolicy: { readonly signaturePolicy: string };
}

// Collection names allow letters, digits, '_' and '-'; MSP ids letters, digits, '.' and '-'.
function namePart(msp: string): string {
  return msp.replace(/\./g, '-');
}

/**
 * The collection two organisations share personal data through.
 *
 * @param a - one MSP id
 * @param b - the other (order does not matter)
 * @returns `personal_<first>_<second>`, the MSP ids sorted, '.' written as '-'
 */
export function sharingCollection(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  return `personal_${namePart(first ?? '')}_${namePart(second ?? '')}`;
}

/**
 * Every pair collection of a set of organisations (those that handle cases: street offices and
 * departments, not the audit office, which sees hashes only).
 *
 * @param msps - MSP ids
 * @returns the definitions, ordered by name
 * @throws Error when two MSP ids would give one collection name, or an id appears twice
 */
export function sharingCollections(msps: readonly string[]): CollectionDefinition[] {
  const sorted = [...msps].sort();
  const out: CollectionDefinition[] = [];
  for (const [i, a] of sorted.entries()) {
    for (const b of sorted.slice(i + 1)) {
      if (a === b || namePart(a) === namePart(b)) throw new Error(`MSP ids ${a} and ${b} would share one collection name`);
      out.push({
        name: sharingCollection(a, b),
        policy: `OR('${a}.member', '${b}.member')`,
        requiredPeerCount: 0,
        maxPeerCount: 1,
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
        endorsementPolicy: { signaturePolicy: `AND('${a}.peer', '${b}.peer')` },
      });
    }
  }
  return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
