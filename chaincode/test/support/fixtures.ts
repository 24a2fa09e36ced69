/**
 * Shared test fixtures: the network's identities (real certificates, made once per run), a
 * fresh TestNetwork per test, and assertions for refusals.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createIdentity, type IdentitySpec, type TestIdentity } from './identities';
import { ChaincodeFailure, TestNetwork } from './peer';

const cache = new Map<string, Promise<TestIdentity>>();

/**
 * An identity, created on first use and reused by later tests.
 *
 * @param mspId - organisation
 * @param cn - enrolment id
 * @param spec - NodeOU and role
 */
export function identity(mspId: string, cn: string, spec: IdentitySpec = {}): Promise<TestIdentity> {
  const key = JSON.stringify([mspId, cn, spec]);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = createIdentity(mspId, cn, spec);
    cache.set(key, pending);
  }
  return pending;
}

/** The people of the default network that tests act as. */
export interface Cast {
  readonly streetAdmin: TestIdentity;
  readonly northAdmin: TestIdentity;
  readonly streetOfficer: TestIdentity;
  readonly streetCoordinator: TestIdentity;
  readonly streetAgent: TestIdentity;
  readonly northCoordinator: TestIdentity;
  readonly northAgent: TestIdentity;
  readonly policeOfficer: TestIdentity;
  readonly policeAdmin: TestIdentity;
  readonly civilOfficer: TestIdentity;
  readonly civilAdmin: TestIdentity;
  readonly hrOfficer: TestIdentity;
  readonly healthOfficer: TestIdentity;
  readonly auditor: TestIdentity;
  readonly fakeAuditor: TestIdentity;
  readonly streetUser: TestIdentity;
  readonly roleAdmin: TestIdentity;
}

/** @returns the cast, created once per test run */
export async function cast(): Promise<Cast> {
  const [
    streetAdmin,
    northAdmin,
    streetOfficer,
    streetCoordinator,
    streetAgent,
    northCoordinator,
    northAgent,
    policeOfficer,
    policeAdmin,
    civilOfficer,
    civilAdmin,
    hrOfficer,
    healthOfficer,
    auditor,
    fakeAuditor,
    streetUser,
    roleAdmin,
  ] = await Promise.all([
    identity('StreetOfficeMSP', 'Admin@street', { ou: 'admin' }),
    identity('NorthStreetMSP', 'Admin@north', { ou: 'admin' }),
    identity('StreetOfficeMSP', 'officer-s1', { role: 'officer' }),
    identity('StreetOfficeMSP', 'coordinator-s1', { role: 'coordinator' }),
    identity('StreetOfficeMSP', 'portal-s1', { role: 'agent' }),
    identity('NorthStreetMSP', 'coordinator-n1', { role: 'coordinator' }),
    identity('NorthStreetMSP', 'portal-n1', { role: 'agent' }),
    identity('PublicSecurityMSP', 'officer-p1', { role: 'officer' }),
    identity('PublicSecurityMSP', 'Admin@police', { ou: 'admin' }),
    identity('CivilAffairsMSP', 'officer-c1', { role: 'officer' }),
    identity('CivilAffairsMSP', 'Admin@civil', { ou: 'admin' }),
    identity('HRSocialSecurityMSP', 'officer-h1', { role: 'officer' }),
    identity('HealthMSP', 'officer-m1', { role: 'officer' }),
    identity('AuditOfficeMSP', 'auditor-a1', { role: 'auditor' }),
    identity('HealthMSP', 'auditor-fake', { role: 'auditor' }),
    identity('StreetOfficeMSP', 'user-s1'),
    identity('StreetOfficeMSP', 'boss-s1', { role: 'admin' }),
  ]);
  return {
    streetAdmin,
    northAdmin,
    streetOfficer,
    streetCoordinator,
    streetAgent,
    northCoordinator,
    northAgent,
    policeOfficer,
    policeAdmin,
    civilOfficer,
    civilAdmin,
    hrOfficer,
    healthOfficer,
    auditor,
    fakeAuditor,
    streetUser,
    roleAdmin,
  };
}

/**
 * A hash in the wire form, derived from a label so tests read well.
 *
 * @param label - any text
 * @returns `0x` + 64 lowercase hex
 */
export function h(label: string): string {
  return `0x${createHash('sha256').update(label).digest('hex')}`;
}

/**
 * Asserts that a call is refused by the chaincode with a code, and that the world state is
 * exactly as before (no partial write).
 *
 * @param net - the network
 * @param call - the submit or evaluate
 * @param code - expected `DOMAIN.REASON`
 * @param fragment - optional text the message must contain (an id, for instance)
 * @returns the error message
 */
export async function expectRefused(net: TestNetwork, call: () => Promise<unknown>, code: string, fragment?: string): Promise<string> {
  const before = net.snapshot();
  let failure: unknown;
  try {
    await call();
  } catch (error) {
    failure = error;
  }
  expect(failure, `expected ${code}`).to.be.instanceOf(ChaincodeFailure);
  const message = (failure as ChaincodeFailure).message;
  expect(message.startsWith(`${code}: `), message).to.equal(true);
  if (fragment !== undefined) expect(message).to.contain(fragment);
  expect(net.snapshot()).to.deep.equal(before);
  return message;
}

/** Parses a chaincode return value into the shape the test expects the chaincode to return. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the expected shape
export function json<T = Record<string, unknown>>(text: string): T {
  return JSON.parse(text) as T;
}
