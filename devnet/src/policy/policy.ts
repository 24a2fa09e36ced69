/**
 * Signature policies: Fabric's policy DSL (common/policydsl: `AND`, `OR`, `OutOf` over
 * `'MSP.role'` principals), the implicit-meta channel policies (`ANY|ALL|MAJORITY Endorsement`,
 * expanded over each organisation's `OR('<MSP>.peer')` sub-policy, as in the test network), and
 * greedy evaluation with per-identity "used" flags as in common/cauthdsl. The
 * `SignaturePolicyEnvelope` wire form is in `envelope.ts`, so that reading a network file needs no
 * protobuf code.
 */
import { PolicySyntaxError } from '../errors';

/** The roles an MSP principal can name. */
export type PrincipalRole = 'member' | 'admin' | 'client' | 'peer' | 'orderer';

/** An MSP role principal. */
export interface Principal {
  mspId: string;
  role: PrincipalRole;
}

/** A rule of a signature policy. */
export type PolicyRule = { signedBy: number } | { nOutOf: { n: number; rules: PolicyRule[] } };

/** A signature policy, the decoded form of `SignaturePolicyEnvelope`. */
export interface SignaturePolicy {
  rule: PolicyRule;
  identities: Principal[];
}

/** What a policy is evaluated against: the MSP and NodeOU role of each signer. */
export interface PolicySigner {
  mspId: string;
  nodeOU: 'client' | 'peer' | 'admin' | 'orderer';
}


// ---------------------------------------------------------------------------------------------
// DSL parsing

type Token = { kind: 'ident'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | ',' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'" || c === '"') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw new PolicySyntaxError(source, `unterminated string at ${i}`);
      tokens.push({ kind: 'string', text: source.slice(i + 1, end) });
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_.-]+/.exec(source.slice(i));
      if (m === null) throw new PolicySyntaxError(source, `unexpected character ${JSON.stringify(c)} at ${i}`);
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

type Ast = { principal: Principal } | { gate: 'and' | 'or' | 'outof'; n?: number; args: Ast[] };

function parsePrincipal(source: string, text: string): Principal {
  const m = /^([A-Za-z0-9.\-_]+)\.(admin|member|client|peer|orderer)$/.exec(text);
  if (m === null) throw new PolicySyntaxError(source, `unrecognized principal ${JSON.stringify(text)}`);
  return { mspId: m[1] ?? '', role: m[2] as PrincipalRole };
}

function parseExpression(source: string, tokens: Token[], pos: { i: number }): Ast {
  const token = tokens[pos.i];
  if (token === undefined) throw new PolicySyntaxError(source, 'unexpected end of policy');
  pos.i++;
  if (token.kind === 'string') return { principal: parsePrincipal(source, token.text) };
  if (token.kind !== 'ident') throw new PolicySyntaxError(source, `unexpected ${JSON.stringify(token.text)}`);
  const gate = token.text.toLowerCase();
  if (gate !== 'and' && gate !== 'or' && gate !== 'outof') {
    throw new PolicySyntaxError(source, `unknown gate ${JSON.stringify(token.text)}; expected AND, OR or OutOf`);
  }
  const open = tokens[pos.i];
  if (open?.kind !== 'punct' || open.text !== '(') throw new PolicySyntaxError(source, `expected "(" after ${token.text}`);
  pos.i++;
  const ast: { gate: 'and' | 'or' | 'outof'; n?: number; args: Ast[] } = { gate, args: [] };
  if (gate === 'outof') {
    const n = tokens[pos.i];
    if (n === undefined || n.kind === 'punct' || !/^\d+$/.test(n.text)) {
      throw new PolicySyntaxError(source, 'OutOf needs a non-negative integer as its first argument');
    }
    ast.n = Number(n.text);
    pos.i++;
    const comma = tokens[pos.i];
    if (comma?.kind !== 'punct' || comma.text !== ',') throw new PolicySyntaxError(source, 'expected "," after the OutOf count');
    pos.i++;
  }
  for (;;) {
    ast.args.push(parseExpression(source, tokens, pos));
    const next = tokens[pos.i];
    pos.i++;
    if (next?.kind === 'punct' && next.text === ')') break;
    if (next?.kind !== 'punct' || next.text !== ',') throw new PolicySyntaxError(source, 'expected "," or ")"');
  }
  if (ast.n !== undefined && ast.n > ast.args.length) {
    throw new PolicySyntaxError(source, `OutOf(${ast.n}, ...) has only ${ast.args.length} sub-policies`);
  }
  return ast;
}

/**
 * Parses Fabric's signature policy DSL, e.g. `AND('Org1MSP.peer', OR('Org2MSP.peer','Org3MSP.peer'))`
 * or `OutOf(2, 'A.peer', 'B.peer', 'C.peer')`. Gate names are case-insensitive, as in policydsl.
 *
 * @throws PolicySyntaxError on any syntax error or an OutOf count above its sub-policy count.
 */
export function parsePolicy(source: string): SignaturePolicy {
  const tokens = tokenize(source);
  const pos = { i: 0 };
  const ast = parseExpression(source, tokens, pos);
  if (pos.i !== tokens.length) throw new PolicySyntaxError(source, 'trailing input after the policy');
  if ('principal' in ast) throw new PolicySyntaxError(source, 'a policy must be a gate: AND, OR or OutOf');
  const identities: Principal[] = [];
  const indexOf = (p: Principal): number => {
    const found = identities.findIndex((q) => q.mspId === p.mspId && q.role === p.role);
    if (found >= 0) return found;
    identities.push(p);
    return identities.length - 1;
  };
  const toRule = (node: Ast): PolicyRule => {
    if ('principal' in node) return { signedBy: indexOf(node.principal) };
    const rules = node.args.map(toRule);
    const n = node.gate === 'and' ? rules.length : node.gate === 'or' ? 1 : (node.n ?? 0);
    return { nOutOf: { n, rules } };
  };
  return { rule: toRule(ast), identities };
}

/**
 * Expands an implicit-meta endorsement policy (`ANY|ALL|MAJORITY Endorsement`) over the channel's
 * organisations, each of whose Endorsement sub-policy is `OR('<MSP>.peer')` as in Fabric's
 * configtx.yaml samples.
 *
 * @throws PolicySyntaxError when the text is not an implicit-meta rule over `Endorsement`.
 */
export function implicitMetaPolicy(source: string, mspIds: readonly string[]): SignaturePolicy {
  const m = /^\s*(ANY|ALL|MAJORITY)\s+Endorsement\s*$/.exec(source);
  if (m === null) throw new PolicySyntaxError(source, 'expected "ANY|ALL|MAJORITY Endorsement"');
  const count = mspIds.length;
  const n = m[1] === 'ANY' ? 1 : m[1] === 'ALL' ? count : Math.floor(count / 2) + 1;
  return {
    identities: mspIds.map((mspId) => ({ mspId, role: 'peer' as const })),
    rule: { nOutOf: { n, rules: mspIds.map((_, i) => ({ signedBy: i })) } },
  };
}

/**
 * Parses either form a chaincode definition may carry: the signature DSL or an implicit-meta
 * reference to the channel's Endorsement policy.
 *
 * @throws PolicySyntaxError when neither form parses.
 */
export function parseEndorsementPolicy(source: string, mspIds: readonly string[]): SignaturePolicy {
  if (/^\s*(ANY|ALL|MAJORITY)\s+/.test(source)) return implicitMetaPolicy(source, mspIds);
  return parsePolicy(source);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function satisfiesPrincipal(signer: PolicySigner, principal: Principal): boolean {
  if (signer.mspId !== principal.mspId) return false;
  return principal.role === 'member' || principal.role === signer.nodeOU;
}

function evaluateRule(rule: PolicyRule, policy: SignaturePolicy, signers: readonly PolicySigner[], used: boolean[]): boolean {
  if ('signedBy' in rule) {
    const principal = policy.identities[rule.signedBy];
    if (principal === undefined) return false;
    for (let i = 0; i < signers.length; i++) {
      const signer = signers[i];
      if (used[i] !== true && signer !== undefined && satisfiesPrincipal(signer, principal)) {
        used[i] = true;
        return true;
      }
    }
    return false;
  }
  let verified = 0;
  for (const sub of rule.nOutOf.rules) {
    const trial = [...used];
    if (evaluateRule(sub, policy, signers, trial)) {
      verified++;
      for (let i = 0; i < trial.length; i++) used[i] = trial[i] === true;
    }
  }
  return verified >= rule.nOutOf.n;
}

/**
 * Evaluates a signature policy against already-verified signers, greedily, each signer counted
 * at most once, as Fabric's cauthdsl does.
 */
export function evaluatePolicy(policy: SignaturePolicy, signers: readonly PolicySigner[]): boolean {
  return evaluateRule(policy.rule, policy, signers, signers.map(() => false));
}

/**
 * Chooses the smallest set of organisations whose peers together satisfy every policy given,
 * preferring sets that contain `preferred` (the gateway's own org) and otherwise configuration
 * order. Returns undefined when no subset satisfies them.
 */
export function minimalEndorsingOrgs(
  policies: readonly SignaturePolicy[],
  mspIds: readonly string[],
  preferred?: string,
  required: readonly string[] = [],
): string[] | undefined {
  const ordered = preferred !== undefined && mspIds.includes(preferred) ? [preferred, ...mspIds.filter((m) => m !== preferred)] : [...mspIds];
  const satisfied = (orgs: readonly string[]): boolean => {
    const signers = orgs.map((mspId) => ({ mspId, nodeOU: 'peer' as const }));
    return policies.every((p) => evaluatePolicy(p, signers));
  };
  const rest = ordered.filter((m) => !required.includes(m));
  for (let size = required.length; size <= ordered.length; size++) {
    const pick = size - required.length;
    const combos: string[][] = [];
    const walk = (start: number, acc: string[]): void => {
      if (acc.length === pick) {
        combos.push([...required, ...acc]);
        return;
      }
      for (let i = start; i < rest.length; i++) walk(i + 1, [...acc, rest[i] ?? '']);
    };
    walk(0, []);
    for (const combo of combos) if (satisfied(combo)) return combo;
  }
  return undefined;
}
