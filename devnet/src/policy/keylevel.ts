/**
 * Which policies a transaction's writes must satisfy, as Fabric's key-level (state-based)
 * validator decides it: a written key carrying a VALIDATION_PARAMETER is governed by that policy;
 * any written key without one brings in its namespace's chaincode policy; a transaction that
 * writes nothing is checked against the invoked chaincode's policy.
 */
import { policyFromBytes } from './envelope';
import type { SignaturePolicy } from './policy';

/** The validation metadata key chaincode sets with `setStateValidationParameter`. */
export const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

const decoded = new Map<string, SignaturePolicy | null>();

function decodeCached(bytes: Uint8Array): SignaturePolicy | undefined {
  const key = Buffer.from(bytes).toString('base64');
  let policy = decoded.get(key);
  if (policy === undefined) {
    try {
      policy = policyFromBytes(bytes);
    } catch {
      policy = null;
    }
    if (decoded.size > 10_000) decoded.clear();
    decoded.set(key, policy);
  }
  return policy ?? undefined;
}

/** The outcome: the policies to satisfy, or why the writes cannot be validated. */
export type RequiredPolicies = { policies: SignaturePolicy[] } | { error: string };

/**
 * Computes the policies a set of writes needs. A write to a private data collection needs the
 * collection's endorsement policy when it has one, else the chaincode policy.
 *
 * @param writes the namespaces and keys written (values, metadata, or private data with `collection`)
 * @param invoked the chaincode the proposal invoked
 * @param validationParameter the key's current VALIDATION_PARAMETER, if any
 * @param chaincodePolicy a namespace's chaincode-level policy; undefined when not defined
 * @param collectionPolicy a collection's own endorsement policy, if it has one
 */
export function requiredPolicies(
  writes: readonly { namespace: string; key: string; collection?: string }[],
  invoked: string,
  validationParameter: (namespace: string, key: string) => Uint8Array | undefined,
  chaincodePolicy: (namespace: string) => SignaturePolicy | undefined,
  collectionPolicy: (namespace: string, collection: string) => SignaturePolicy | undefined = () => undefined,
): RequiredPolicies {
  const policies: SignaturePolicy[] = [];
  const needChaincodePolicy = new Set<string>();
  const seenVp = new Set<string>();
  const seenCollections = new Set<string>();
  if (writes.length === 0) needChaincodePolicy.add(invoked);
  for (const { namespace, key, collection } of writes) {
    if (collection !== undefined) {
      const id = `${namespace}\u0000${collection}`;
      if (seenCollections.has(id)) continue;
      seenCollections.add(id);
      const policy = collectionPolicy(namespace, collection);
      if (policy === undefined) needChaincodePolicy.add(namespace);
      else policies.push(policy);
      continue;
    }
    const vp = validationParameter(namespace, key);
    if (vp === undefined || vp.length === 0) {
      needChaincodePolicy.add(namespace);
      continue;
    }
    const id = Buffer.from(vp).toString('base64');
    if (seenVp.has(id)) continue;
    seenVp.add(id);
    const policy = decodeCached(vp);
    if (policy === undefined) return { error: `validation parameter of key ${key} in namespace ${namespace} is not a signature policy` };
    policies.push(policy);
  }
  for (const namespace of needChaincodePolicy) {
    const policy = chaincodePolicy(namespace);
    if (policy === undefined) return { error: `chaincode ${namespace} is not defined on the channel` };
    policies.push(policy);
  }
  return { policies };
}
