/**
 * The seeded demo users of the embedded development identity provider: one per role and
 * organisation where the role belongs to one (officers in every street office and department,
 * coordinators in the street offices, the auditor in the audit office), plus a resident, a
 * volunteer, a provider and an administrator of the first street office.
 */
import type { Organisation } from './organisations';
import type { Role } from './principal';

/** A demo user as `GET /api/auth/dev/users` lists it. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly org: string;
}

/**
 * The demo residents' fixed (fictitious) identity numbers, carried in their tokens' id-number
 * claim so officers can issue them certificates that show up in their wallets. Demo data only.
 */
export const DEMO_ID_NUMBERS: Readonly<Record<string, string>> = {
  resident: '110105198801010014',
  volunteer: '110105199202020020',
};

/** `CivilAffairsMSP` → `civil-affairs`: a readable, stable slug for user ids. */
function slug(mspId: string): string {
  return mspId
    .replace(/MSP$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * Derives the demo users from the organisations. Ids are stable across restarts so bookmarks
 * and tests can name them (`officer-civil-affairs`, `coordinator-street-office`, `auditor-audit-office`).
 *
 * @param organisations - the network's organisations, in configuration order.
 * @param homeOrg - street office whose residents, volunteer, provider and admin the demo has.
 */
export function demoUsers(organisations: readonly Organisation[], homeOrg: string): DemoUser[] {
  const users: DemoUser[] = [];
  const home = organisations.find((o) => o.mspId === homeOrg) ?? organisations.find((o) => o.kind === 'street-office');
  const homeId = home?.mspId ?? homeOrg;
  const homeName = home?.name ?? homeOrg;

  users.push({ id: 'resident', name: `Resident (${homeName})`, roles: ['resident'], org: homeId });
  users.push({ id: 'volunteer', name: `Volunteer (${homeName})`, roles: ['volunteer', 'resident'], org: homeId });
  users.push({ id: 'provider', name: `Provider (${homeName})`, roles: ['provider'], org: homeId });
  users.push({ id: 'admin', name: `Administrator (${homeName})`, roles: ['admin'], org: homeId });

  for (const org of organisations) {
    const s = slug(org.mspId);
    if (org.kind === 'street-office' || org.kind === 'department') {
      users.push({ id: `officer-${s}`, name: `${org.name} officer`, roles: ['officer'], org: org.mspId });
    }
    if (org.kind === 'street-office') {
      users.push({ id: `coordinator-${s}`, name: `${org.name} coordinator`, roles: ['coordinator'], org: org.mspId });
    }
    if (org.kind === 'audit-office') {
      users.push({ id: `auditor-${s}`, name: `${org.name} auditor`, roles: ['auditor'], org: org.mspId });
    }
  }
  return users;
}
