/**
 * Unit tests of pure logic (no ledger): error codes, canonical JSON, argument validation,
 * network roles, caller parsing and the certificate status timeline.
 */
import './support/quiet-logs';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';
import { statusAt } from '../src/certificate/status';
import type { CertificateRecord } from '../src/certificate/models';
import { ChaincodeError, ERROR_CODES, isErrorCode, parseChaincodeError } from '../src/errors';
import { actorFrom, authorize } from '../src/shared/access';
import { canonicalJson } from '../src/shared/canonical';
import { Input } from '../src/shared/input';
import { DEFAULT_NETWORK_ROLES, parseNetworkRoles } from '../src/shared/network';
import { dropUnprintedRuntimeLogLines } from '../src/shared/runtime-logging';
import { localDay, shiftDay } from '../src/timebank/policy';

describe('errors (unit)', () => {
  it('writes messages as "CODE: text" and keeps code and id on the error', () => {
    const error = new ChaincodeError('CERT.NOT_FOUND', 'c-1', 'certificate c-1 does not exist');
    expect(error.message).to.equal('CERT.NOT_FOUND: certificate c-1 does not exist');
    expect(error).to.include({ code: 'CERT.NOT_FOUND', subjectId: 'c-1', name: 'ChaincodeError' });
  });

  it('finds the code inside the Gateway wrapping and ignores messages without one of ours', () => {
    const parsed = parseChaincodeError('10 ABORTED: failed to endorse transaction: chaincode response 500, TIMEBANK.INSUFFICIENT_BALANCE: account 0xab holds 5');
    expect(parsed?.code).to.equal('TIMEBANK.INSUFFICIENT_BALANCE');
    expect(parsed?.text).to.equal('account 0xab holds 5');
    expect(parsed?.info.status).to.equal(422);
    expect(parseChaincodeError('MVCC_READ_CONFLICT')).to.equal(undefined);
    expect(parseChaincodeError('FOO.BAR: not ours')).to.equal(undefined);
  });

  it('lists every code as DOMAIN.REASON with an HTTP status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).to.match(/^(AUTH|CERT|EVIDENCE|TIMEBANK|CHAINCODE)\.[A-Z_]+$/);
      expect([400, 403, 404, 409, 422, 500]).to.include(info.status);
      expect(isErrorCode(code)).to.equal(true);
    }
    expect(isErrorCode('toString')).to.equal(false);
  });
});

describe('canonicalJson (unit)', () => {
  it('sorts keys at every depth, drops undefined properties and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined })).to.equal('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('produces the same text whatever the insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).to.equal(canonicalJson({ y: 2, x: 1 }));
  });

  it('refuses values without a canonical form', () => {
    expect(() => canonicalJson({ n: Number.NaN })).to.throw('non-finite');
    expect(() => canonicalJson({ f: () => 1 })).to.throw('cannot serialise');
    expect(() => canonicalJson(10n)).to.throw('cannot serialise');
  });
});

describe('Input (unit)', () => {
  const input = new Input('CERT', 'c-1');

  it('normalises times to toISOString form and refuses impossible or offset times', () => {
    expect(input.time('t', '2024-02-29T23:59:59Z')).to.equal('2024-02-29T23:59:59.000Z');
    expect(input.time('t', '2025-01-01T00:00:00.5Z')).to.equal('2025-01-01T00:00:00.500Z');
    for (const bad of ['2025-02-29T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T00:00:60Z', '2025-01-01T00:00:00+08:00', '2025-01-01T00:00Z', '1969-12-31T23:59:59Z']) {
      expect(() => input.time('t', bad), bad).to.throw(ChaincodeError, 'CERT.INVALID_ARGUMENT');
    }
  });

  it('accepts only lowercase 0x-hashes of 32 bytes', () => {
    expect(input.hash('h', `0x${'ab'.repeat(32)}`)).to.equal(`0x${'ab'.repeat(32)}`);
    for (const bad of [`0x${'AB'.repeat(32)}`, `0X${'ab'.repeat(32)}`, `0x${'ab'.repeat(31)}`, 'ab'.repeat(32), 42]) {
      expect(() => input.hash('h', bad)).to.throw(ChaincodeError, 'CERT.INVALID_ARGUMENT');
    }
  });

  it('parses decimal arguments strictly and JSON integers without conversion', () => {
    expect(input.integerArg('n', '42', 0, 100)).to.equal(42);
    for (const bad of ['4.2', '1e2', ' 42', '+42', '0x2a', '', '101']) expect(() => input.integerArg('n', bad, 0, 100), bad).to.throw(ChaincodeError);
    expect(() => input.integer('n', '42', 0, 100)).to.throw(ChaincodeError);
    expect(() => input.integer('n', 2 ** 53, 0, 2 ** 60)).to.throw(ChaincodeError);
  });

  it('refuses objects with unknown or missing fields and names the id in the message', () => {
    expect(() => input.object('o', { a: 1, b: 2 }, ['a'])).to.throw('CERT.INVALID_ARGUMENT: o has an unknown field "b" (c-1)');
    expect(() => input.object('o', {}, ['a'])).to.throw('lacks the field "a"');
    expect(() => input.object('o', [], [])).to.throw('must be a JSON object');
    expect(() => input.json('j', '{"a":', 100)).to.throw('not valid JSON');
    expect(() => input.json('j', 'x'.repeat(101), 100)).to.throw('at most 100');
  });

  it('sorts MSP lists and refuses duplicates', () => {
    expect(input.mspList('m', ['BMSP', 'AMSP'], 1, 5)).to.deep.equal(['AMSP', 'BMSP']);
    expect(() => input.mspList('m', ['AMSP', 'AMSP'], 1, 5)).to.throw('twice');
    expect(() => input.mspList('m', [], 1, 5)).to.throw('1-5 items');
  });
});

describe('network roles (unit)', () => {
  it('defaults to the organisations of DEVELOPERS.md', () => {
    expect(parseNetworkRoles(undefined)).to.equal(DEFAULT_NETWORK_ROLES);
    expect(parseNetworkRoles('  ')).to.equal(DEFAULT_NETWORK_ROLES);
    expect(DEFAULT_NETWORK_ROLES.streetOfficeMsps).to.include('StreetOfficeMSP');
  });

  it('reads CTL_NETWORK_ROLES, sorted and de-duplicated, and stops on a malformed value', () => {
    const roles = parseNetworkRoles(JSON.stringify({ streetOfficeMsps: ['ZMSP', 'AMSP', 'AMSP'], civilAffairsMsps: ['CMSP'], auditMsps: ['AuMSP'] }));
    expect(roles.streetOfficeMsps).to.deep.equal(['AMSP', 'ZMSP']);
    expect(() => parseNetworkRoles('{')).to.throw('CTL_NETWORK_ROLES is not valid JSON');
    expect(() => parseNetworkRoles(JSON.stringify({ streetOfficeMsps: [], civilAffairsMsps: ['C'], auditMsps: ['A'] }))).to.throw('streetOfficeMsps');
    expect(() => parseNetworkRoles(JSON.stringify({ streetOfficeMsps: ['S'], civilAffairsMsps: ['C'] }))).to.throw('auditMsps');
  });
});

describe('access (unit)', () => {
  function identity(id: string, msp: string, role: string | null): Parameters<typeof actorFrom>[0] {
    return {
      getID: () => id,
      getMSPID: () => msp,
      getAttributeValue: (name: string) => (name === 'role' ? role : null),
      assertAttributeValue: () => false,
      getIDBytes: () => new Uint8Array(),
    };
  }

  it('reads CN and NodeOU admin from the subject as fabric-shim renders it', () => {
    const admin = actorFrom(identity('x509::/C=CN/O=street.example.com/OU=admin/CN=Admin@street::/C=CN/O=street.example.com/CN=ca.street.example.com', 'StreetOfficeMSP', null));
    expect(admin).to.deep.equal({ msp: 'StreetOfficeMSP', cn: 'Admin@street', role: null, admin: true });
    const officer = actorFrom(identity('x509::/OU=client/OU=dept\\/a/CN=officer-1::/CN=ca', 'HealthMSP', 'officer'));
    expect(officer).to.deep.equal({ msp: 'HealthMSP', cn: 'officer-1', role: 'officer', admin: false });
    // An "admin" CN or issuer OU does not make an admin.
    expect(actorFrom(identity('x509::/OU=client/CN=admin::/OU=admin/CN=ca', 'HealthMSP', null)).admin).to.equal(false);
  });

  it('denies by default and counts auditors only in audit organisations', () => {
    const auditor = actorFrom(identity('x509::/OU=client/CN=a::/CN=ca', 'AuditOfficeMSP', 'auditor'));
    const fake = actorFrom(identity('x509::/OU=client/CN=a::/CN=ca', 'HealthMSP', 'auditor'));
    expect(() => { authorize(auditor, 'read', 'x', { roles: ['auditor'] }); }).to.not.throw();
    expect(() => { authorize(fake, 'read', 'x', { roles: ['auditor'] }); }).to.throw('AUTH.DENIED: HealthMSP/a (role auditor) may not read x');
    expect(() => { authorize(fake, 'read', 'x'); }).to.throw('AUTH.DENIED');
    expect(() => { authorize(auditor, 'read', 'x', { roles: ['officer', 'auditor'], msps: ['HealthMSP'] }); }).to.throw('AUTH.DENIED');
  });
});

describe('certificate status timeline (unit)', () => {
  const base: CertificateRecord = {
    id: 'c-1',
    typeCode: 'T',
    typeVersion: 1,
    issuerMsp: 'M',
    subjectRef: '0x',
    documentHash: '0x',
    batchId: null,
    batchRoot: '0x',
    status: 'ISSUED',
    issuedAt: '2025-01-01T00:00:00.000Z',
    validUntil: '2026-01-01T00:00:00.000Z',
    revocation: null,
    suspension: null,
    statusChanges: [],
    issuedBy: { msp: 'M', cn: 'o' },
    txId: 't',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
  const change = (status: 'SUSPENDED' | 'ISSUED' | 'REVOKED', effectiveAt: string, reasonCode: string) => ({
    status,
    effectiveAt,
    reasonCode,
    reasonText: '',
    recordedAt: effectiveAt,
    txId: 't',
    by: { msp: 'M', cn: 'o' },
    scope: 'CERTIFICATE' as const,
  });

  it('applies changes by effective time, keeps revocation final and expires at validUntil', () => {
    const record: CertificateRecord = {
      ...base,
      statusChanges: [change('SUSPENDED', '2025-03-01T00:00:00.000Z', 'A'), change('ISSUED', '2025-04-01T00:00:00.000Z', 'B'), change('REVOKED', '2025-02-01T00:00:00.000Z', 'C')],
    };
    expect(statusAt(record, '2024-12-31T00:00:00.000Z').status).to.equal('NOT_YET_ISSUED');
    expect(statusAt(record, '2025-01-15T00:00:00.000Z').status).to.equal('ISSUED');
    expect(statusAt(record, '2025-02-01T00:00:00.000Z')).to.include({ status: 'REVOKED', reasonCode: 'C' });
    expect(statusAt(record, '2025-05-01T00:00:00.000Z')).to.include({ status: 'REVOKED', since: '2025-02-01T00:00:00.000Z' });
    const suspendedOnly: CertificateRecord = { ...base, statusChanges: [change('SUSPENDED', '2025-03-01T00:00:00.000Z', 'A'), change('ISSUED', '2025-04-01T00:00:00.000Z', 'B')] };
    expect(statusAt(suspendedOnly, '2025-03-15T00:00:00.000Z')).to.include({ status: 'SUSPENDED', reasonCode: 'A' });
    expect(statusAt(suspendedOnly, '2025-04-01T00:00:00.000Z')).to.include({ status: 'ISSUED', reasonCode: null });
    expect(statusAt(suspendedOnly, '2026-01-01T00:00:00.000Z')).to.include({ status: 'EXPIRED', since: '2026-01-01T00:00:00.000Z' });
    expect(statusAt({ ...base, validUntil: null }, '2099-01-01T00:00:00.000Z').status).to.equal('ISSUED');
  });
});

describe('local days of the daily cap (unit)', () => {
  it('counts days in the policy offset', () => {
    expect(localDay('2025-03-03T15:59:00.000Z', 480)).to.equal('2025-03-03');
    expect(localDay('2025-03-03T16:00:00.000Z', 480)).to.equal('2025-03-04');
    expect(localDay('2025-03-03T01:00:00.000Z', -300)).to.equal('2025-03-02');
    expect(shiftDay('2025-03-01', -1)).to.equal('2025-02-28');
    expect(shiftDay('2024-12-31', 1)).to.equal('2025-01-01');
  });
});

describe('personal data guards (unit)', () => {
  const input = new Input('TIMEBANK', 'x');

  it('refuses ids that are identity or mobile numbers, and texts that contain them', () => {
    for (const id of ['110101199003077777', '11010119900307777X', '110101900307777', '13812345678']) {
      expect(() => input.id('id', id), id).to.throw('looks like an identity or phone number');
    }
    expect(input.id('id', 'order-13812345678x')).to.equal('order-13812345678x');
    expect(input.id('id', 'a1b2c3d4e5f60718293a4b5c6d7e8f90')).to.equal('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(() => input.text('reasonText', 'holder 110101199003077777 moved')).to.throw('identity or phone number');
    expect(() => input.text('reasonText', 'call 13812345678')).to.throw('identity or phone number');
    expect(input.text('reasonText', 'moved on 2025-03-01, file 2025/123')).to.equal('moved on 2025-03-01, file 2025/123');
  });

  it('masks long digit runs when it echoes a refused value', () => {
    let message = '';
    try {
      input.hash('subjectRef', '110101199003077777');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('subjectRef must be 0x');
    expect(message).to.not.contain('199003077777');
  });
});

describe('runtime log lines below the level (unit)', () => {
  it('are dropped before winston formats them; lines at or above it are formatted and printed as before', () => {
    dropUnprintedRuntimeLogLines();
    dropUnprintedRuntimeLogLines();
    // The winston copy fabric-shim uses, as the chaincode runtime creates its loggers.
    const shimDir = path.dirname(require.resolve('fabric-shim/package.json'));
    const winston = createRequire(path.join(shimDir, 'package.json'))('winston') as typeof import('winston');
    const formatted: string[] = [];
    const written: string[] = [];
    const counting = winston.format((info) => {
      formatted.push(String(info.message));
      return info;
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString('utf8'));
        callback();
      },
    });
    // The runtime's winston copy is typed with this package's winston types, which is the same version.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const logger = winston.createLogger({ level: 'warn', format: winston.format.combine(counting(), winston.format.simple()), transports: [new winston.transports.Stream({ stream: sink })] });
    logger.debug('a debug line %s', 'with an argument');
    logger.info('an info line');
    logger.warn('a warning');
    logger.error('an error', { detail: 1 });
    expect(formatted).to.deep.equal(['a warning', 'an error']);
    expect(written.join('')).to.contain('warn: a warning').and.to.contain('error: an error').and.not.to.contain('debug');
  });
});
