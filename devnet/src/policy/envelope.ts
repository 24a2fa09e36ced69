/**
 * The `SignaturePolicyEnvelope` wire form of signature policies (common/policies.proto), as
 * policydsl writes it and as chaincode sets it as a key's VALIDATION_PARAMETER.
 */
import { common, msp } from '@hyperledger/fabric-protos';
import type { Principal, PrincipalRole, PolicyRule, SignaturePolicy } from './policy';

const ROLE_TO_PROTO: Record<PrincipalRole, 0 | 1 | 2 | 3 | 4> = { member: 0, admin: 1, client: 2, peer: 3, orderer: 4 };
const PROTO_TO_ROLE: readonly PrincipalRole[] = ['member', 'admin', 'client', 'peer', 'orderer'];

function ruleToProto(rule: PolicyRule): common.SignaturePolicy {
  const out = new common.SignaturePolicy();
  if ('signedBy' in rule) {
    out.setSignedBy(rule.signedBy);
  } else {
    const n = new common.SignaturePolicy.NOutOf();
    n.setN(rule.nOutOf.n);
    n.setRulesList(rule.nOutOf.rules.map(ruleToProto));
    out.setNOutOf(n);
  }
  return out;
}

/** Serialises a policy as `SignaturePolicyEnvelope` bytes (version 0), as policydsl does. */
export function policyToBytes(policy: SignaturePolicy): Uint8Array {
  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(ruleToProto(policy.rule));
  env.setIdentitiesList(
    policy.identities.map((p) => {
      const role = new msp.MSPRole();
      role.setMspIdentifier(p.mspId);
      role.setRole(ROLE_TO_PROTO[p.role]);
      const principal = new msp.MSPPrincipal();
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      principal.setPrincipal(role.serializeBinary());
      return principal;
    }),
  );
  return env.serializeBinary();
}

function ruleFromProto(rule: common.SignaturePolicy | undefined, depth: number): PolicyRule {
  if (rule === undefined || depth > 32) throw new Error('policy rule missing or too deep');
  if (rule.getTypeCase() === common.SignaturePolicy.TypeCase.SIGNED_BY) return { signedBy: rule.getSignedBy() };
  const nOutOf = rule.getNOutOf();
  if (nOutOf === undefined) throw new Error('policy rule has neither signed_by nor n_out_of');
  return { nOutOf: { n: nOutOf.getN(), rules: nOutOf.getRulesList().map((r) => ruleFromProto(r, depth + 1)) } };
}

/**
 * Decodes `SignaturePolicyEnvelope` bytes (e.g. a key's VALIDATION_PARAMETER). Principals other
 * than MSP roles decode as an unsatisfiable principal, so they fail closed.
 *
 * @throws Error when the bytes are not a signature policy envelope.
 */
export function policyFromBytes(bytes: Uint8Array): SignaturePolicy {
  const env = common.SignaturePolicyEnvelope.deserializeBinary(bytes);
  const identities = env.getIdentitiesList().map((principal): Principal => {
    if (principal.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) {
      return { mspId: '\u0000unsupported', role: 'member' };
    }
    const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
    return { mspId: role.getMspIdentifier(), role: PROTO_TO_ROLE[role.getRole()] ?? 'orderer' };
  });
  return { rule: ruleFromProto(env.getRule(), 0), identities };
}
