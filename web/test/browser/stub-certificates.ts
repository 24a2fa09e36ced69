// CONTRACT STUB of the issue 7 routes, for the portal's component tests only (see stub-api.ts):
// batches with NDJSON progress, certificate and batch status changes, the resident's wallet,
// disclosures and share links, offline bundles, consents and the public configuration. It keeps
// simple in-memory state the tests can seed and inspect. Disclosures are made with the real
// verification library, so a shared copy verifies against the real test chain.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { disclose, hideableFields, type CertificateDocument } from '../../../services/src/verification';
import type { StubLedgerRecord } from './chain';

/** What a stub route answers: JSON, raw bytes, or a stream it writes itself. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly type?: string;
  readonly raw?: Buffer | string;
  readonly stream?: (res: ServerResponse) => Promise<void>;
}

export function problem(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { type: `urn:ctl:problem:${code}`, title, status, detail, code, requestId: `req-${code}`, ...extra }, type: 'application/problem+json' };
}

export interface StubBatch {
  batchId: string;
  typeCode: string;
  issuerMsp: string;
  root: string;
  count: number;
  status: 'ISSUED' | 'SUSPENDED' | 'REVOKED';
  issuedAt: string;
  anchor: { anchored: boolean };
  statusChanges: StubLedgerRecord['statusChanges'];
  documents: string[];
}

export interface WalletEntry {
  readonly document: CertificateDocument;
  readonly record: StubLedgerRecord;
  readonly typeName: string;
}

export interface Share {
  readonly document: CertificateDocument;
  readonly expiresAt: number;
  revoked: boolean;
}

/** The state behind the issue 7 routes; tests seed and inspect it. */
export interface CertificateState {
  /** Fabric records by certificate id (GET/POST /api/certificates/:id/status). */
  readonly records: Map<string, StubLedgerRecord>;
  readonly batches: Map<string, StubBatch>;
  /** The resident's certificates by id. */
  readonly wallet: Map<string, WalletEntry>;
  readonly shares: Map<string, Share>;
  readonly disclosures: Map<string, string>;
  readonly consents: { consentId: string; request: unknown }[];
  /** Answer for GET /api/public/config; null answers 404. */
  publicConfig: Record<string, unknown> | null;
  /** When set, a batch stops before its last progress line until this promise settles. */
  batchGate: Promise<void> | null;
  /** The next N batches fail after being recorded, with an error line (the ledger failing mid-way). */
  batchFailures: number;
  /** Idempotency-Keys of the batch requests, in arrival order. */
  readonly batchKeys: string[];
}

export function newCertificateState(): CertificateState {
  return {
    records: new Map(),
    batches: new Map(),
    wallet: new Map(),
    shares: new Map(),
    disclosures: new Map(),
    consents: [],
    publicConfig: null,
    batchGate: null,
    batchFailures: 0,
    batchKeys: [],
  };
}

interface Caller {
  readonly roles: readonly string[];
  readonly org: string;
}

const STATUS_AFTER = { suspend: 'SUSPENDED', reinstate: 'ISSUED', revoke: 'REVOKED' } as const;
const ALLOWED_FROM = { suspend: ['ISSUED'], reinstate: ['SUSPENDED'], revoke: ['ISSUED', 'SUSPENDED'] } as const;

function changeStatus(target: { status: StubBatch['status']; statusChanges: StubLedgerRecord['statusChanges'] }, body: string): Reply | undefined {
  const request = JSON.parse(body) as { action: keyof typeof STATUS_AFTER; reasonCode: string; reasonText: string };
  if (!(ALLOWED_FROM[request.action] as readonly string[]).includes(target.status)) {
    return problem(409, 'CERT.INVALID_TRANSITION', 'Conflict', `cannot ${request.action} from ${target.status}`);
  }
  target.status = STATUS_AFTER[request.action];
  target.statusChanges.push({ status: target.status, reasonCode: request.reasonCode, reasonText: request.reasonText, effectiveAt: new Date().toISOString() });
  return undefined;
}

interface BatchRow {
  holder?: { idNumber?: string; name?: string };
  fields?: Record<string, unknown>;
}

function rowsOf(req: IncomingMessage, body: string): { typeCode: string; items: BatchRow[] } {
  if ((req.headers['content-type'] ?? '').startsWith('text/csv')) {
    const [header, ...lines] = body.trim().split(/\r?\n/);
    const columns = (header ?? '').split(',');
    const typeCode = new URL(req.url ?? '/', 'http://stub').searchParams.get('typeCode') ?? '';
    const items = lines.map((line) => {
      const cells = Object.fromEntries(line.split(',').map((cell, i) => [columns[i] ?? '', cell]));
      return { holder: { idNumber: cells.idNumber, name: cells.name }, fields: {} };
    });
    return { typeCode, items };
  }
  return JSON.parse(body) as { typeCode: string; items: BatchRow[] };
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function issueBatch(state: CertificateState, req: IncomingMessage, body: string, caller: Caller): Reply {
  const { typeCode, items } = rowsOf(req, body);
  const errors = items.flatMap((item, index) => [
    // The API's English message beside the code the portal words itself.
    ...(item.holder?.idNumber ? [] : [{ row: index + 1, path: 'holder.idNumber', message: 'Too small: expected string to have >=1 characters', code: 'REQUIRED' }]),
    ...(item.holder?.name ? [] : [{ row: index + 1, path: 'holder.name', message: 'Too small: expected string to have >=1 characters', code: 'REQUIRED' }]),
    ...((item.holder?.name ?? '').length > 100 ? [{ row: index + 1, path: 'holder.name', message: 'Too big: expected string to have <=100 characters', code: 'TOO_LONG', params: { max: 100 } }] : []),
  ]);
  if (errors.length > 0) return problem(422, 'BATCH.INVALID_ROWS', 'Unprocessable Content', `${errors.length} rows are invalid; nothing was issued`, { errors });
  const firstSeen = new Map<string, number>();
  const duplicates = items.flatMap((item, index) => {
    const same = JSON.stringify([item.holder, item.fields]);
    const first = firstSeen.get(same);
    if (first === undefined) firstSeen.set(same, index + 1);
    return first === undefined ? [] : [{ row: index + 1, path: '(row)', message: `the same holder, type and fields as row ${first}`, code: 'DUPLICATE_ROW', params: { row: first } }];
  });
  if (duplicates.length > 0) return problem(409, 'BATCH.DUPLICATE_ROWS', 'Conflict', `${duplicates.length} rows repeat an earlier row; nothing was issued`, { errors: duplicates });
  const batchId = `B-${state.batches.size + 1}`;
  const total = items.length;
  const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
  return {
    status: 200,
    type: 'application/x-ndjson',
    stream: async (res) => {
      for (const phase of ['validated', 'wrapped', 'recorded'] as const) {
        res.write(line({ type: 'progress', phase, done: total, total }));
        await wait(20);
      }
      if (state.batchFailures > 0) {
        state.batchFailures -= 1;
        res.end(line({ type: 'error', problem: { type: 'urn:ctl:problem:LEDGER.UNAVAILABLE', title: 'Service Unavailable', status: 503, code: 'LEDGER.UNAVAILABLE', detail: 'The ledger stopped answering after recording the batch; send it again to finish', requestId: 'req-batch' } }));
        return;
      }
      res.write(line({ type: 'progress', phase: 'anchored', done: 0, total }));
      await state.batchGate;
      res.write(line({ type: 'progress', phase: 'anchored', done: total, total }));
      const batch: StubBatch = {
        batchId,
        typeCode,
        issuerMsp: caller.org,
        root: `0x${'ab'.repeat(32)}`,
        count: total,
        status: 'ISSUED',
        issuedAt: new Date().toISOString(),
        anchor: { anchored: true },
        statusChanges: [],
        documents: items.map((item, i) => JSON.stringify({ id: `urn:ctl:certificate:${batchId}-${i + 1}`, credentialSubject: { holderName: item.holder?.name } })),
      };
      state.batches.set(batchId, batch);
      res.end(line({ type: 'done', batchId, root: batch.root, count: total, transactionIds: ['a'.repeat(64), 'b'.repeat(64)], blockNumber: 42, anchored: true }));
    },
  };
}

/**
 * Answers an issue 7 route, or undefined when `route` is not one.
 *
 * @param caller - the signed-in user, or undefined
 */
export async function certificateRoute(state: CertificateState, req: IncomingMessage, route: string, body: string, caller: Caller | undefined): Promise<Reply | undefined> {
  const isOfficer = caller?.roles.includes('officer') === true;
  const isResident = caller?.roles.includes('resident') === true;
  const needs = (ok: boolean): Reply | undefined =>
    caller === undefined ? problem(401, 'AUTH.TOKEN_MISSING', 'Unauthorized', 'Sign in first') : ok ? undefined : problem(403, 'AUTH.FORBIDDEN', 'Forbidden', 'Not for your role');
  const write = (ok: boolean): Reply | undefined =>
    needs(ok) ?? (typeof req.headers['idempotency-key'] === 'string' ? undefined : problem(400, 'REQUEST.VALIDATION_FAILED', 'Bad Request', 'Idempotency-Key is required'));
  let m: RegExpExecArray | null;

  if (route === 'GET /api/public/config') return state.publicConfig === null ? problem(404, 'ROUTE.NOT_FOUND', 'Not Found', 'no config') : { status: 200, body: state.publicConfig };
  if (route === 'POST /api/certificate-batches') {
    const refused = write(isOfficer);
    if (refused !== undefined) return refused;
    state.batchKeys.push(String(req.headers['idempotency-key']));
    return issueBatch(state, req, body, caller as Caller);
  }
  if ((m = /^GET \/api\/certificate-batches\/([^/]+)(\/documents)?$/.exec(route))) {
    const batch = state.batches.get(decodeURIComponent(m[1] ?? ''));
    if (batch === undefined) return needs(isOfficer) ?? problem(404, 'BATCH.NOT_FOUND', 'Not Found', 'no such batch');
    return needs(isOfficer) ?? (m[2] ? { status: 200, type: 'application/x-ndjson', raw: `${batch.documents.join('\n')}\n` } : { status: 200, body: { ...batch, documents: undefined } });
  }
  if ((m = /^POST \/api\/certificate-batches\/([^/]+)\/status$/.exec(route))) {
    const batch = state.batches.get(decodeURIComponent(m[1] ?? ''));
    const refused = write(isOfficer) ?? (batch === undefined ? problem(404, 'BATCH.NOT_FOUND', 'Not Found', 'no such batch') : changeStatus(batch, body));
    return refused ?? { status: 200, body: { ...batch, documents: undefined } };
  }
  if ((m = /^(GET|POST) \/api\/certificates\/([^/]+)\/status$/.exec(route))) {
    const record = state.records.get(decodeURIComponent(m[2] ?? ''));
    if (m[1] === 'GET') return record === undefined ? problem(404, 'CERT.NOT_FOUND', 'Not Found', 'no such certificate') : { status: 200, body: record };
    const refused = write(isOfficer) ?? (record === undefined ? problem(404, 'CERT.NOT_FOUND', 'Not Found', 'no such certificate') : changeStatus(record, body));
    return refused ?? { status: 200, body: record };
  }
  if ((m = /^GET \/api\/certificates\/([^/]+)\/document\.pdf$/.exec(route))) {
    return needs(isResident || isOfficer) ?? { status: 200, type: 'application/pdf', raw: `%PDF-1.4\n% stub certificate ${decodeURIComponent(m[1] ?? '')}\n` };
  }
  if (route === 'GET /api/wallet/certificates') {
    return (
      needs(isResident) ?? {
        status: 200,
        body: [...state.wallet.values()].map(({ record, typeName }) => ({
          id: record.id,
          typeCode: record.typeCode,
          typeName,
          issuerMsp: record.issuerMsp,
          issuedAt: record.issuedAt,
          validUntil: record.validUntil,
          status: record.status,
        })),
      }
    );
  }
  if ((m = /^(GET|POST) \/api\/wallet\/certificates\/([^/]+)(\/disclosures|\/bundle)?$/.exec(route))) {
    const entry = state.wallet.get(decodeURIComponent(m[2] ?? ''));
    const refused = m[1] === 'POST' ? write(isResident) : needs(isResident);
    if (refused !== undefined) return refused;
    if (entry === undefined) return problem(404, 'CERT.NOT_FOUND', 'Not Found', 'not one of your certificates');
    if (m[3] === '/bundle') return { status: 200, body: { format: 'ctl-offline-bundle/1', document: entry.document } };
    if (m[3] === undefined) return { status: 200, body: { certificate: entry.document, status: entry.record.status, record: entry.record } };
    const request = JSON.parse(body) as { hideFields: string[]; expiresInSeconds: number };
    const hideable = hideableFields(entry.document);
    const bad = request.hideFields.find((field) => !hideable.includes(field));
    if (bad !== undefined) return problem(422, 'DISCLOSURE.FIELD_NOT_HIDEABLE', 'Unprocessable Content', `${bad} must always be shown`);
    const token = randomBytes(16).toString('base64url');
    const disclosureId = `D-${state.disclosures.size + 1}`;
    const document = await disclose(entry.document, request.hideFields);
    const expiresAt = Date.now() + request.expiresInSeconds * 1000;
    state.shares.set(token, { document, expiresAt, revoked: false });
    state.disclosures.set(disclosureId, token);
    return { status: 201, body: { disclosureId, document, shareUrl: `/s/${token}`, expiresAt: new Date(expiresAt).toISOString(), qrPayload: `/s/${token}` } };
  }
  if ((m = /^DELETE \/api\/wallet\/disclosures\/([^/]+)$/.exec(route))) {
    const token = state.disclosures.get(decodeURIComponent(m[1] ?? ''));
    const refused = write(isResident) ?? (token === undefined ? problem(404, 'SHARE.NOT_FOUND', 'Not Found', 'no such link') : undefined);
    if (refused !== undefined) return refused;
    const share = state.shares.get(token ?? '');
    if (share !== undefined) share.revoked = true;
    return { status: 204 };
  }
  if ((m = /^GET \/api\/shares\/([^/]+)$/.exec(route))) {
    const share = state.shares.get(decodeURIComponent(m[1] ?? ''));
    if (share === undefined) return problem(404, 'SHARE.NOT_FOUND', 'Not Found', 'no such share link');
    // As the API answers a withdrawn link (services' wallet routes).
    if (share.revoked) return problem(410, 'SHARE.REVOKED', 'Gone', 'the holder withdrew this share link');
    if (share.expiresAt <= Date.now()) return problem(410, 'SHARE.EXPIRED', 'Gone', 'the share link has expired');
    return { status: 200, body: share.document };
  }
  if (route === 'POST /api/wallet/consents') {
    const refused = write(isResident);
    if (refused !== undefined) return refused;
    const consentId = `C-${state.consents.length + 1}`;
    state.consents.push({ consentId, request: JSON.parse(body) });
    const { expiresInSeconds } = JSON.parse(body) as { expiresInSeconds: number };
    return { status: 201, body: { consentId, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() } };
  }
  return undefined;
}
