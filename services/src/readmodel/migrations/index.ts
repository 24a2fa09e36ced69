/**
 * The migration list, in order. Listed explicitly (not read from the folder) so the same code
 * runs under ts-node, compiled, and bundled; add each new timestamped file here.
 */
import type { Migration } from 'kysely';
import * as initialReadModel from './20261129120000-initial-read-model';
import * as idempotencyResponseHeaders from './20261129150000-idempotency-response-headers';
import * as certificateDocuments from './20261129180000-certificate-documents';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '20261129120000-initial-read-model': initialReadModel,
  '20261129150000-idempotency-response-headers': idempotencyResponseHeaders,
  '20261129180000-certificate-documents': certificateDocuments,
};
