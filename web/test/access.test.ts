// Unit tests of pure logic: route access, token expiry and the sign-in redirect.
import { expect } from 'chai';
import { decideAccess, isTokenExpired, safeRedirect, tokenExpiry, type SessionUser } from '../src/auth/access';

const officer: SessionUser = { id: 'officer-civil-affairs', name: 'Officer', roles: ['officer'], org: 'CivilAffairsMSP' };
const volunteer: SessionUser = { id: 'volunteer', name: 'Volunteer', roles: ['volunteer', 'resident'], org: 'StreetOfficeMSP' };

function jwt(claims: object): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part(claims)}.signature`;
}

describe('web: access rules', () => {
  it('opens public pages to everyone', () => {
    expect(decideAccess(undefined, null)).to.equal('allow');
    expect(decideAccess(undefined, officer)).to.equal('allow');
  });

  it('sends signed-out people to sign in, whatever the page needs', () => {
    expect(decideAccess(['officer'], null)).to.equal('sign-in');
    expect(decideAccess([], null)).to.equal('sign-in');
  });

  it('needs any one of the listed roles', () => {
    expect(decideAccess(['officer'], officer)).to.equal('allow');
    expect(decideAccess(['resident'], volunteer)).to.equal('allow');
    expect(decideAccess(['officer', 'auditor'], volunteer)).to.equal('forbidden');
    expect(decideAccess([], volunteer)).to.equal('allow');
  });

  it('gives no role a bypass', () => {
    const admin: SessionUser = { ...officer, roles: ['admin'] };
    expect(decideAccess(['officer'], admin)).to.equal('forbidden');
  });
});

describe('web: token expiry', () => {
  it('reads exp from a JWT payload, base64url without padding', () => {
    expect(tokenExpiry(jwt({ sub: 'u?>', exp: 1_900_000_000 }))).to.equal(1_900_000_000);
  });

  it('has no expiry for tokens that are not JWTs or carry no numeric exp', () => {
    expect(tokenExpiry('opaque-token')).to.equal(undefined);
    expect(tokenExpiry('a.%%%.c')).to.equal(undefined);
    expect(tokenExpiry(jwt({ exp: '1900000000' }))).to.equal(undefined);
  });

  it('counts a token as expired from its exp second on', () => {
    const token = jwt({ exp: 1000 });
    expect(isTokenExpired(token, 999.5)).to.equal(false);
    expect(isTokenExpired(token, 1000)).to.equal(true);
    expect(isTokenExpired('opaque', 1e12)).to.equal(false);
  });
});

describe('web: sign-in redirect', () => {
  it('returns to pages inside the portal', () => {
    expect(safeRedirect('/officer/issue')).to.equal('/officer/issue');
    expect(safeRedirect('/verify?x=1#y')).to.equal('/verify?x=1#y');
  });

  it('refuses anything that could leave the portal', () => {
    for (const value of ['//evil.example', '/\\evil.example', 'https://evil.example', '/x?next=https://e', 'officer', '', undefined, ['/a']]) {
      expect(safeRedirect(value), String(value)).to.equal(undefined);
    }
  });
});
