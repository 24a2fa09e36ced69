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
import type { CertificateBatchService } from '../domain/certificate-batch.service';
import type { CertificateStatusService } from '../domain/certificate-status.service';
import type { WalletService } from '../domain/wallet.service';
import type { FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Database } from '../readmodel/schema';
import type { Kysely } from 'kysely';
import { authRoutes } from './auth.routes';
import { certificateBatchRoutes } from './certificate-batch.routes';
import { certificateRoutes } from './certificate.routes';
import { certificateStatusRoutes } from './certificate-status.routes';
import { systemRoutes } from './system.routes';
import { verifyRoutes, type PublicConfig } from './verify.routes';
import { walletRoutes } from './wallet.routes';

/** The services the routes call. */
export interface RouteServices {
  readonly health: Pick<HealthService, 'report'>;
  readonly outbox: Pick<OutboxRepository, 'deadLetters' | 'retry'>;
  readonly certificates: Pick<CertificateService, 'listTypes' | 'issue' | 'get'>;
  readonly verification: Pick<VerificationService, 'verify' | 'publicRecord'>;
  readonly batches: Pick<CertificateBatchService, 'prepare' | 'get' | 'ownPlan'>;
  readonly status: Pick<CertificateStatusService, 'changeCertificate' | 'changeBatch'>;
  readonly wallet: Pick<WalletService, 'list' | 'detail' | 'createDisclosure' | 'bundle' | 'revokeDisclosure' | 'share' | 'grantConsent' | 'zeroMaterialFetch' | 'shareUrl' | 'print'>;
  /** The read model and the Fabric channel, for streaming a batch's documents. */
  readonly documents: { readonly db: Kysely<Database>; readonly fabric: Pick<FabricLedger, 'channel' | 'chaincode'> };
  readonly publicConfig: () => PublicConfig;
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
    ...certificateStatusRoutes({ status: services.status, verification: services.verification, wallet: services.wallet }),
    ...certificateBatchRoutes({ batches: services.batches, status: services.status, documents: services.documents }),
    ...walletRoutes(services.wallet),
    ...verifyRoutes(services.verification, services.publicConfig),
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
    batches: inert as RouteServices['batches'],
    status: inert as RouteServices['status'],
    wallet: inert as RouteServices['wallet'],
    documents: inert as RouteServices['documents'],
    publicConfig: () => {
      throw new Error('inert route table: a handler was called');
    },
    devIdp,
    openapi: () => ({}),
  });
}
