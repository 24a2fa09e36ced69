/**
 * The portal builds against a committed copy of the API's OpenAPI document
 * (web/src/api/openapi.json, with web/src/api/schema.d.ts generated from it). This checks that
 * the copy is the services' current document, so an API change cannot leave the portal typed
 * against an older API. Paths only the copy has come from the portal's hand-written contract
 * (web/src/api/openapi.contract.json) and are allowed while the services lack them.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apiDocument, inertRouteTable } from '../../src/routes';

interface Document {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, unknown> };
}

describe("the portal's copy of the OpenAPI document", () => {
  it('holds every path and schema of the services as they are now (else run npm run api:types)', () => {
    const services = JSON.parse(JSON.stringify(apiDocument(inertRouteTable(true)))) as Document;
    const copy = JSON.parse(readFileSync(path.join(__dirname, '../../../web/src/api/openapi.json'), 'utf8')) as Document;
    const stalePaths = Object.keys(services.paths).filter((p) => JSON.stringify(copy.paths[p]) !== JSON.stringify(services.paths[p]));
    const staleSchemas = Object.keys(services.components.schemas).filter((s) => JSON.stringify(copy.components.schemas[s]) !== JSON.stringify(services.components.schemas[s]));
    expect({ stalePaths, staleSchemas }, 'web/src/api/openapi.json differs from the services: run npm run api:types').to.deep.equal({ stalePaths: [], staleSchemas: [] });
  });
});
