/**
 * Identity routes: who am I, and (embedded default only) the development identity provider's
 * demo users, sign-in and key set.
 */
import { z } from 'zod';
import { defineRoute, type RouteDefinition } from '../http/route';
import type { DevIdentityProvider } from '../identity/dev-identity-provider';
import { PUBLIC, ROLES, allow } from '../identity/principal';
import { DevSignInRequestSchema, DevUserSchema, JwksSchema, MeSchema, TokenResponseSchema } from './schemas';

/**
 * The identity routes; the `/api/auth/dev/*` ones only when the development provider is on.
 *
 * @param devIdp - the embedded provider, or undefined when an external issuer is configured.
 */
export function authRoutes(devIdp: DevIdentityProvider | undefined): RouteDefinition[] {
  const routes: RouteDefinition[] = [
    defineRoute({
      operationId: 'getMe',
      method: 'get',
      path: '/api/auth/me',
      summary: 'The signed-in caller: user id, roles and organisation',
      tags: ['identity'],
      access: allow(ROLES),
      responses: { 200: { description: 'The caller', schema: MeSchema } },
      handler: ({ principal }) => Promise.resolve({ status: 200, body: principal }),
    }),
  ];
  if (devIdp === undefined) return routes;
  routes.push(
    defineRoute({
      operationId: 'listDevUsers',
      method: 'get',
      path: '/api/auth/dev/users',
      summary: 'Demo users of the built-in development identity provider (embedded default only)',
      tags: ['identity'],
      access: PUBLIC,
      devOnly: true,
      responses: { 200: { description: 'The seeded demo users', schema: z.array(DevUserSchema) } },
      handler: () => Promise.resolve({ status: 200, body: devIdp.users() }),
    }),
    defineRoute({
      operationId: 'devSignIn',
      method: 'post',
      path: '/api/auth/dev/sign-in',
      summary: 'Sign in as a demo user (embedded default only): returns a bearer token',
      tags: ['identity'],
      access: PUBLIC,
      devOnly: true,
      request: { body: DevSignInRequestSchema },
      responses: { 200: { description: 'A token for the Authorization header', schema: TokenResponseSchema } },
      problems: [404],
      handler: async ({ body }) => ({ status: 200, body: await devIdp.signIn(body.userId) }),
    }),
    defineRoute({
      operationId: 'getDevJwks',
      method: 'get',
      path: '/api/auth/dev/jwks.json',
      summary: "The development identity provider's public keys (JWKS)",
      tags: ['identity'],
      access: PUBLIC,
      devOnly: true,
      responses: { 200: { description: 'The key set', schema: JwksSchema } },
      handler: () => Promise.resolve({ status: 200, body: devIdp.jwks }),
    }),
  );
  return routes;
}
