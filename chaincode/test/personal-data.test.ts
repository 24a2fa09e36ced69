/**
 * Private data for cases (unit): the pair collections every network defines, and the reading of
 * personal details from the transient map. The flow itself runs on the devnet, whose peers keep
 * private data as Fabric does (integration/devnet.test.ts).
 */
import './support/quiet-logs';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadNetworkConfig } from '../../devnet/src/index';
import { ChaincodeError } from '../src/errors';
import { parsePersonalDetails } from '../src/evidence/personal';
import { sharingCollection, sharingCollections } from '../src/shared/collections';
import { DEFAULT_NETWORK_ROLES } from '../src/shared/network';

const NETWORK_FILE = resolve(__dirname, '..', '..', 'devnet', 'network.json');

describe('private data collections of chaincode ctl (unit)', () => {
  it('names one collection per pair of organisations, whatever the order', () => {
    expect(sharingCollection('StreetOfficeMSP', 'CivilAffairsMSP')).to.equal('personal_CivilAffairsMSP_StreetOfficeMSP');
    expect(sharingCollection('CivilAffairsMSP', 'StreetOfficeMSP')).to.equal('personal_CivilAffairsMSP_StreetOfficeMSP');
    expect(sharingCollection('org1.example', 'Org2')).to.equal('personal_Org2_org1-example');
  });

  it('defines every pair with member-only read and write and both members endorsing', () => {
    const defs = sharingCollections(['C', 'A', 'B']);
    expect(defs.map((d) => d.name)).to.deep.equal(['personal_A_B', 'personal_A_C', 'personal_B_C']);
    expect(defs[0]).to.deep.equal({
      name: 'personal_A_B',
      policy: "OR('A.member', 'B.member')",
      requiredPeerCount: 0,
      maxPeerCount: 1,
      blockToLive: 0,
      memberOnlyRead: true,
      memberOnlyWrite: true,
      endorsementPolicy: { signaturePolicy: "AND('A.peer', 'B.peer')" },
    });
    expect(() => sharingCollections(['a.b', 'a-b'])).to.throw('one collection name');
  });

  it('matches devnet/network.json: the ctl chaincode defines the pair collections of every organisation but the audit office, and the devnet accepts them', () => {
    const raw = JSON.parse(readFileSync(NETWORK_FILE, 'utf8')) as { organizations: { mspId: string }[]; chaincodes: { name: string; collections?: unknown }[] };
    const msps = raw.organizations.map((o) => o.mspId).filter((m) => !DEFAULT_NETWORK_ROLES.auditMsps.includes(m));
    const ctl = raw.chaincodes.find((c) => c.name === 'ctl');
    expect(ctl?.collections).to.deep.equal(sharingCollections(msps));
    const parsed = loadNetworkConfig(NETWORK_FILE).chaincodes.find((c) => c.name === 'ctl');
    expect(parsed?.collections).to.have.length((msps.length * (msps.length - 1)) / 2);
    expect(parsed?.collections.find((c) => c.name === sharingCollection('StreetOfficeMSP', 'HealthMSP'))?.members).to.have.members(['StreetOfficeMSP', 'HealthMSP']);
  });
});

describe('personal details from the transient map (unit)', () => {
  const salt = `0x${'ab'.repeat(32)}`;
  const map = (value: unknown, key = 'personalData'): Map<string, Uint8Array> => new Map([[key, Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8')]]);

  it('reads the details with only the fields given', () => {
    expect(parsePersonalDetails(map({ salt, name: 'Li Lei', phone: '+86 139-1234-5678' }), 'case-1')).to.deep.equal({ salt, name: 'Li Lei', phone: '+86 139-1234-5678' });
    expect(parsePersonalDetails(map({ salt, name: '李雷', identityNumber: '11010119500101123X', address: '东城区 7 号', note: '' }), 'case-1')).to.include({ identityNumber: '11010119500101123X', note: '' });
  });

  const cases: [string, Map<string, Uint8Array>, string][] = [
    ['an empty map', new Map<string, Uint8Array>(), 'transient map under personalData'],
    ['another key', map({ salt, name: 'Li Lei' }, 'details'), 'unknown key'],
    ['an extra key', new Map([...map({ salt, name: 'Li Lei' }), ['extra', Buffer.from('x')]]), 'unknown key'],
    ['not JSON', map('{name: Li Lei 13912345678'), 'not valid JSON'],
    ['an array', map([salt, 'Li Lei']), 'JSON object'],
    ['an unknown field', map({ salt, name: 'Li Lei', birthDate: '1950-01-01' }), 'unknown field'],
    ['no salt', map({ name: 'Li Lei 13912345678' }), 'lacks the field salt'],
    ['a short salt', map({ salt: '0x1234', name: 'Li Lei' }), 'salt must be'],
    ['no name', map({ salt }), 'lacks the field name'],
    ['a blank name', map({ salt, name: '   ' }), 'name must be'],
    ['a number as phone', map({ salt, name: 'Li Lei', phone: 13912345678 }), 'phone must be a string'],
    ['a bad phone', map({ salt, name: 'Li Lei', phone: 'call 13912345678' }), 'phone must be'],
    ['a bad identity number', map({ salt, name: 'Li Lei', identityNumber: '110101-19500101123X' }), 'identityNumber must be'],
    ['a control character', map({ salt, name: 'Li\nLei 13912345678' }), 'control characters'],
    ['too much', map({ salt, name: 'Li Lei', note: 'x'.repeat(5000) }), 'at most 4096 bytes'],
  ];
  for (const [what, transient, fragment] of cases) {
    it(`refuses ${what} with EVIDENCE.INVALID_ARGUMENT, never echoing the values`, () => {
      let failure: unknown;
      try {
        parsePersonalDetails(transient, 'case-1');
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ChaincodeError);
      const message = (failure as ChaincodeError).message;
      expect((failure as ChaincodeError).code).to.equal('EVIDENCE.INVALID_ARGUMENT');
      expect(message).to.contain(fragment).and.contain('case-1');
      for (const secret of ['13912345678', 'Li Lei', '19500101123X', '1950-01-01']) expect(message).to.not.contain(secret);
    });
  }
});
