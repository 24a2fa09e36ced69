/**
 * Who is calling. Access in every transaction is decided from two facts the peer has
 * authenticated: the caller's MSP id and its X.509 certificate, from which we read the Fabric
 * CA attribute `role` and the NodeOU (an `admin` OU makes the identity an admin of its
 * organisation). Rules are explicit per transaction; anything not allowed is denied.
 */
import type { ClientIdentity } from 'fabric-shim-api';
import { ChaincodeError } from '../errors';
import { networkRoles } from './network';

/** Roles carried in the `role` attribute of Fabric CA identities. */
export type Role = 'officer' | 'coordinator' | 'auditor' | 'admin' | 'agent';

/** A rule matches any authenticated identity of the channel. */
export const ANY_MEMBER = 'member';

/** The authenticated caller, as recorded on the ledger (no personal data: MSP and certificate CN). */
export interface Actor {
  /** MSP id of the caller's organisation. */
  readonly msp: string;
  /** Subject common name of the caller's certificate (an enrolment id such as `officer1`). */
  readonly cn: string;
  /** The `role` attribute, or null when the certificate has none. */
  readonly role: string | null;
  /** An admin of its organisation: NodeOU `admin`, or the attribute `role=admin`. */
  readonly admin: boolean;
}

/** One way to be allowed: any of the roles, optionally only in some organisations. */
export interface AccessRule {
  readonly roles: readonly (Role | typeof ANY_MEMBER)[];
  /** When given, the caller's MSP must be one of these. */
  readonly msps?: readonly string[];
}

interface DistinguishedName {
  readonly cn: string;
  readonly ous: readonly string[];
}

// fabric-shim renders the subject as `/C=../O=../OU=../CN=..`, escaping a '/' inside a value as '\/'.
const DN_ATTRIBUTE = /\/([A-Za-z0-9.]+)=((?:\\\/|[^/])*)/g;

function parseSubject(clientId: string): DistinguishedName {
  const subject = clientId.startsWith('x509::') ? clientId.slice('x509::'.length).split('::')[0] ?? '' : '';
  let cn = '';
  const ous: string[] = [];
  for (const match of subject.matchAll(DN_ATTRIBUTE)) {
    const value = (match[2] ?? '').replace(/\\\//g, '/');
    if (match[1] === 'CN') cn = value;
    if (match[1] === 'OU') ous.push(value);
  }
  return { cn, ous };
}

/**
 * Reads the caller from fabric-shim's ClientIdentity.
 *
 * @param identity - the transaction's client identity
 * @returns the actor
 */
export function actorFrom(identity: ClientIdentity): Actor {
  const { cn, ous } = parseSubject(identity.getID());
  const role = identity.getAttributeValue('role');
  return Object.freeze({
    msp: identity.getMSPID(),
    cn,
    role,
    admin: ous.includes('admin') || role === 'admin',
  });
}

function matches(actor: Actor, rule: AccessRule): boolean {
  if (rule.msps !== undefined && !rule.msps.includes(actor.msp)) return false;
  return rule.roles.some((role) => {
    if (role === ANY_MEMBER) return true;
    if (role === 'admin') return actor.admin;
    if (role === 'auditor') return actor.role === 'auditor' && networkRoles().auditMsps.includes(actor.msp);
    return actor.role === role;
  });
}

/**
 * Allows the call when at least one rule matches, and denies it otherwise.
 *
 * @param actor - the caller
 * @param action - the transaction, for the message
 * @param subject - the id the call is about, for the message
 * @param rules - the ways to be allowed
 * @throws ChaincodeError `AUTH.DENIED` when no rule matches
 */
export function authorize(actor: Actor, action: string, subject: string, ...rules: AccessRule[]): void {
  if (rules.some((rule) => matches(actor, rule))) return;
  const who = `${actor.msp}/${actor.cn}${actor.role === null ? '' : ` (role ${actor.role})`}`;
  throw new ChaincodeError('AUTH.DENIED', subject, `${who} may not ${action} ${subject}`);
}
