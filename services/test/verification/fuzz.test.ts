/**
 * Fuzzing (fast-check): 10,000 random mutations of valid certificates, structural (replace,
 * delete, insert, swap anywhere in the JSON, proof included) and textual (a character of the
 * JSON text changed). The verifier must never throw and never accept a mutated document.
 * "Mutated" means different after the only normalisations that do not change meaning: the
 * order of `proof.hidden` and the letter case of the contract address.
 */
import { expect } from 'chai';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { disclose, verify, type CertificateDocument, type VerificationPorts } from '../../src/verification';
import { InTestLedgers, NOW, clone, residenceDraft } from './support';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function paths(value: Json, path: Path = []): Path[] {
  const children: Path[] = Array.isArray(value)
    ? value.flatMap((v, i) => paths(v, [...path, i]))
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => paths(v, [...path, k]))
      : [];
  return [path, ...children];
}

function parentOf(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let node: Json = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key] as Json;
  return { parent: node as Json[] | Record<string, Json>, key: path[path.length - 1] as string | number };
}

function normalised(doc: unknown): string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return canonicalize(doc) ?? '';
  const copy = clone(doc);
  const proof: unknown = copy.proof;
  if (typeof proof === 'object' && proof !== null && !Array.isArray(proof)) {
    const p = proof as Record<string, unknown>;
    if (Array.isArray(p.hidden)) p.hidden = [...(p.hidden as unknown[])].sort();
    const anchor: unknown = p.anchor;
    if (typeof anchor === 'object' && anchor !== null) {
      const a = anchor as Record<string, unknown>;
      if (typeof a.trustAnchor === 'string') a.trustAnchor = a.trustAnchor.toLowerCase();
    }
  }
  return canonicalize(copy) ?? '';
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('id', 'proof', 'salts', 'validUntil', '__proto__', 'holderName')), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }).filter((c) => c !== '"' && c !== '\\' && c >= ' ') }),
  fc.record({ kind: fc.constant('hexDigit' as const), at: fc.nat(), digit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies a mutation; every kind yields parseable JSON (a few swaps yield nothing new). */
function mutate(doc: CertificateDocument, m: Mutation): unknown {
  const text = JSON.stringify(doc);
  if (m.kind === 'text') {
    // A character inside a string literal, replaced by one that keeps the JSON well-formed.
    const positions = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].flatMap((match) =>
      Array.from(match[1] ?? '', (_, j) => match.index + 1 + j).filter((p) => text[p - 1] !== '\\' && text[p] !== '\\'),
    );
    const i = positions[m.at % positions.length] ?? 1;
    return JSON.parse(text.slice(0, i) + m.char + text.slice(i + 1)) as unknown;
  }
  if (m.kind === 'hexDigit') {
    const positions = [...text.matchAll(/0x[0-9a-fA-F]+/g)].flatMap((match) => Array.from({ length: match[0].length - 2 }, (_, j) => match.index + 2 + j));
    const i = positions[m.at % positions.length] ?? 0;
    return JSON.parse(text.slice(0, i) + m.digit + text.slice(i + 1)) as unknown;
  }
  const root = JSON.parse(text) as Json;
  const all = paths(root);
  const target = all[m.at % all.length] as Path;
  if (m.kind === 'replace') {
    const where = parentOf(root, target);
    if (where === undefined) return m.value;
    (where.parent as Record<string | number, Json>)[where.key] = m.value as Json;
    return root;
  }
  if (m.kind === 'delete') {
    const where = parentOf(root, target);
    if (where === undefined) return {};
    if (Array.isArray(where.parent)) where.parent.splice(Number(where.key), 1);
    else Reflect.deleteProperty(where.parent, where.key);
    return root;
  }
  if (m.kind === 'insert') {
    const where = parentOf(root, target) ?? { parent: { root } as Record<string, Json>, key: 'root' };
    const node = (where.parent as Record<string | number, Json>)[where.key];
    // Into the node itself when it is a container, else beside it in its parent.
    const into = Array.isArray(node) || (typeof node === 'object' && node !== null) ? node : where.parent;
    if (Array.isArray(into)) into.splice(m.at % (into.length + 1), 0, m.value as Json);
    else Object.defineProperty(into, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return root;
  }
  const a = parentOf(root, target);
  const b = parentOf(root, all[m.with % all.length] as Path);
  if (a === undefined || b === undefined) return undefined;
  const va = (a.parent as Record<string | number, Json>)[a.key] as Json;
  const vb = (b.parent as Record<string | number, Json>)[b.key] as Json;
  if (JSON.stringify(va).includes(JSON.stringify(vb)) || JSON.stringify(vb).includes(JSON.stringify(va))) return undefined;
  (a.parent as Record<string | number, Json>)[a.key] = vb;
  (b.parent as Record<string | number, Json>)[b.key] = va;
  return root;
}

describe('verification: fuzzing', function () {
  this.timeout(600_000);
  let ports: VerificationPorts;
  let originals: CertificateDocument[];

  before(async () => {
    const ledgers = new InTestLedgers();
    const batch = await ledgers.issue([1, 2, 3, 4, 5, 6].map((i) => residenceDraft(i)));
    const [single] = await ledgers.issue([residenceDraft(99, { validUntil: null })]);
    ports = ledgers.ports();
    originals = [batch[3] as CertificateDocument, await disclose(batch[4] as CertificateDocument, ['holderName', 'address']), single as CertificateDocument];
    for (const doc of originals) expect((await verify(doc, ports, { now: NOW })).valid, 'the originals verify').to.equal(true);
  });

  it('survives 10,000 random mutations with no crash and no false accept', async () => {
    let verified = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        const original = originals[which % originals.length] as CertificateDocument;
        const mutated = mutate(original, m);
        if (mutated === undefined || normalised(mutated) === normalised(original)) return;
        verified += 1;
        const result = await verify(mutated, ports, { now: NOW });
        expect(result.checks).to.have.length(7);
        if (result.valid) throw new Error(`accepted a mutated document: ${JSON.stringify(m)}`);
      }),
      { numRuns: 10_000 },
    );
    // Nearly all mutations must reach the verifier (a few are no-ops), or the test proves little.
    expect(verified).to.be.greaterThan(9_500);
  });
});
