/**
 * The API's route table: every operation the app mounts, in one list. The app, the OpenAPI
 * document and the authorisation-matrix test all read this list.
 */
import type { CertificateService } from '../domain/certificate.service';
import type { HealthService } from '../domain/health.service';
import type { VerificationService } from '../domain/verification.service';
import { generateOpenApiDocument, type OpenApiDocument } from '../http/openapi';
import type { RouteDefinition } from '../http/route';
import type { DevIdentityProvider } from '../identity/dev-identity-provider';
import type { OutboxRepository } from '../repositories/outbox.repository';
import { authRoutes } from './auth.routes';
import { certificateRoutes } from './certificate.routes';
import { systemRoutes } from './system.routes';
import { verifyRoutes } from './verify.routes';

/** The services the routes call. */
export interface RouteServices {
  readonly health: Pick<HealthService, 'report'>;
  readonly outbox: Pick<OutboxRepository, 'deadLetters' | 'retry'>;
  readonly certificates: Pick<CertificateService, 'listTypes' | 'issue' | 'get'>;
  readonly verification: Pick<VerificationService, 'verify'>;
  /** The development identity provider, when it is on. */
  readonly devIdp: DevIdentityProvider | undefined;
  readonly openapi: () => unknown;
}

/** Every route, wired to its services. */
export function buildRouteTable(services: RouteServices): RouteDefinition[] {
  return [
    ...systemRoutes(services.health, services.outbox, services.openapi),
    ...authRoutes(services.devIdp),
    ...certificateRoutes(services.certificates),
    ...verifyRoutes(services.verification),
  ];
}

/** The API's OpenAPI document for a route table. */
export function apiDocument(routes: readonly RouteDefinition[]): OpenApiDocument {
  return generateOpenApiDocument(routes, {
    title: 'Community Trust Ledger API',
    version: '0.1.0',
    description:
      'E-certificates, service evidence and time credits for community service centres, on Hyperledger Fabric with public commitments on an EVM chain. Errors are RFC 9457 problem+json with a stable code; writes take an Idempotency-Key.',
  });
}

/**
 * The route table with services that must never be called: for generating the document
 * without starting anything (`npm run openapi`).
 */
export function inertRouteTable(withDevIdp: boolean): RouteDefinition[] {
  const inert = new Proxy(
    {},
    {
      get() {
        throw new Error('inert route table: a handler was called');
      },
    },
  );
  const devIdp = withDevIdp ? (inert as DevIdentityProvider) : undefined;
  return buildRouteTable({
    health: inert as RouteServices['health'],
    outbox: inert as RouteServices['outbox'],
    certificates: inert as RouteServices['certificates'],
    verification: inert as RouteServices['verification'],
    devIdp,
    openapi: () => ({}),
  });
}
