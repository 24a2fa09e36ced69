/** Unit tests of pure logic (no network): the policy DSL, its wire form and its evaluation. */
import { expect } from 'chai';
import { evaluatePolicy, minimalEndorsingOrgs, parseEndorsementPolicy, parsePolicy } from '../src/policy/policy';
import { policyFromBytes, policyToBytes } from '../src/policy/envelope';
import { requiredPolicies } from '../src/policy/keylevel';
import { PolicySyntaxError } from '../src/errors';

const peerOf = (mspId: string): { mspId: string; nodeOU: 'peer' } => ({ mspId, nodeOU: 'peer' });

describe('policy DSL (unit)', () => {
  it('parses AND, OR and OutOf with quoted principals, case-insensitively', () => {
    const p = parsePolicy(`and('A.peer', or("B.peer", 'C.admin'), OUTOF(1, 'D.member'))`);
    expect(p.identities).to.deep.equal([
      { mspId: 'A', role: 'peer' },
      { mspId: 'B', role: 'peer' },
      { mspId: 'C', role: 'admin' },
      { mspId: 'D', role: 'member' },
    ]);
    expect(p.rule).to.deep.equal({
      nOutOf: {
        n: 3,
        rules: [{ signedBy: 0 }, { nOutOf: { n: 1, rules: [{ signedBy: 1 }, { signedBy: 2 }] } }, { nOutOf: { n: 1, rules: [{ signedBy: 3 }] } }],
      },
    });
  });

  it('rejects malformed policies with PolicySyntaxError', () => {
    for (const bad of ["AND('A.peer'", "XOR('A.peer')", "OutOf(3, 'A.peer', 'B.peer')", "'A.peer'", "AND('A.boss')", "AND('A.peer') junk"]) {
      expect(() => parsePolicy(bad), bad).to.throw(PolicySyntaxError);
    }
  });

  it('expands MAJORITY, ANY and ALL Endorsement over the organisations', () => {
    const orgs = ['A', 'B', 'C', 'D'];
    const majority = parseEndorsementPolicy('MAJORITY Endorsement', orgs);
    expect(evaluatePolicy(majority, ['A', 'B'].map(peerOf))).to.be.false;
    expect(evaluatePolicy(majority, ['A', 'B', 'D'].map(peerOf))).to.be.true;
    expect(evaluatePolicy(parseEndorsementPolicy('ANY Endorsement', orgs), [peerOf('C')])).to.be.true;
    expect(evaluatePolicy(parseEndorsementPolicy('ALL Endorsement', orgs), ['A', 'B', 'C'].map(peerOf))).to.be.false;
  });

  it('round-trips through SignaturePolicyEnvelope bytes', () => {
    const p = parsePolicy("OutOf(2, 'A.peer', 'B.peer', 'C.client')");
    expect(policyFromBytes(policyToBytes(p))).to.deep.equal(p);
  });

  it('counts each signer once, greedily, as cauthdsl does', () => {
    const p = parsePolicy("AND('A.member', 'A.peer')");
    expect(evaluatePolicy(p, [peerOf('A')])).to.be.false;
    expect(evaluatePolicy(p, [{ mspId: 'A', nodeOU: 'client' }, peerOf('A')])).to.be.true;
    // Greedy like Fabric: 'A.member' takes the first signer, the peer, and 'A.peer' finds none left.
    expect(evaluatePolicy(p, [peerOf('A'), { mspId: 'A', nodeOU: 'client' }])).to.be.false;
    expect(evaluatePolicy(parsePolicy("AND('A.peer')"), [{ mspId: 'A', nodeOU: 'client' }])).to.be.false;
  });

  it('finds the smallest satisfying set of organisations, preferring the gateway\'s own', () => {
    const orgs = ['A', 'B', 'C', 'D'];
    const p = parsePolicy("OutOf(2, 'A.peer', 'B.peer', 'C.peer', 'D.peer')");
    expect(minimalEndorsingOrgs([p], orgs, 'C', ['C'])).to.deep.equal(['C', 'A']);
    const strict = parsePolicy("AND('B.peer', 'D.peer')");
    expect(minimalEndorsingOrgs([p, strict], orgs, 'A', ['A'])).to.deep.equal(['A', 'B', 'D']);
    expect(minimalEndorsingOrgs([parsePolicy("AND('X.peer')")], orgs, 'A')).to.be.undefined;
  });

  it('requires a key\'s validation parameter instead of the chaincode policy for that key', () => {
    const cc = parsePolicy("OR('A.peer')");
    const sbe = policyToBytes(parsePolicy("AND('B.peer')"));
    const vp = (_ns: string, key: string): Uint8Array | undefined => (key === 'guarded' ? sbe : undefined);
    const only = requiredPolicies([{ namespace: 'cc', key: 'guarded' }], 'cc', vp, () => cc);
    expect('policies' in only && only.policies.length).to.equal(1);
    expect('policies' in only && evaluatePolicy(only.policies[0]!, [peerOf('B')])).to.be.true;
    const both = requiredPolicies([{ namespace: 'cc', key: 'guarded' }, { namespace: 'cc', key: 'open' }], 'cc', vp, () => cc);
    expect('policies' in both && both.policies.length).to.equal(2);
    const readOnly = requiredPolicies([], 'cc', vp, () => cc);
    expect('policies' in readOnly && readOnly.policies[0]).to.equal(cc);
    expect(requiredPolicies([{ namespace: 'ghost', key: 'k' }], 'cc', vp, () => undefined)).to.have.property('error');
  });
});
