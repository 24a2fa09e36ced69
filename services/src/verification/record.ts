/**
 * Ledger certificate records read from JSON, and a ledger record reader over the services' public
 * HTTP API (`GET /api/certificates/{id}/status`) for the CLI and the browser. Uses `fetch`, so it
 * runs in both.
 */
import { PortUnavailableError } from './errors';
import type { LedgerCertificateRecord, LedgerRecordReader } from './ports';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const STATUSES = ['ISSUED', 'SUSPENDED', 'REVOKED'] as const;

function isStatus(value: unknown): value is (typeof STATUSES)[number] {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/**
 * Reads a certificate record from JSON (the chaincode's record, as `certificate:GetCertificate`
 * or `GET /api/certificates/{id}/status` return it; the latter without `subjectRef`), keeping the members the verifier uses and nothing
 * else (no actor references travel in bundles).
 *
 * @param bad - called with what is malformed; must throw
 */
export function parseLedgerRecord(value: unknown, bad: (what: string) => never): LedgerCertificateRecord {
  if (!isObject(value)) return bad('ledger');
  const text = (key: string): string => {
    const v = value[key];
    return typeof v === 'string' ? v : bad(`ledger.${key}`);
  };
  const status = value.status;
  if (!isStatus(status)) return bad('ledger.status');
  const validUntil = value.validUntil === null || value.validUntil === undefined ? null : text('validUntil');
  if (!Array.isArray(value.statusChanges)) return bad('ledger.statusChanges');
  const statusChanges = value.statusChanges.map((c: unknown) => {
    if (!isObject(c) || !isStatus(c.status) || typeof c.reasonCode !== 'string' || typeof c.reasonText !== 'string' || typeof c.effectiveAt !== 'string') {
      return bad('ledger.statusChanges');
    }
    return { status: c.status, reasonCode: c.reasonCode, reasonText: c.reasonText, effectiveAt: c.effectiveAt };
  });
  const blockNumber = value.blockNumber;
  if (blockNumber !== undefined && !isTime(blockNumber)) return bad('ledger.blockNumber');
  const subjectRef = value.subjectRef === undefined ? undefined : text('subjectRef');
  return {
    id: text('id'),
    typeCode: text('typeCode'),
    issuerMsp: text('issuerMsp'),
    ...(subjectRef === undefined ? {} : { subjectRef }),
    documentHash: text('documentHash'),
    batchRoot: text('batchRoot'),
    status,
    issuedAt: text('issuedAt'),
    validUntil,
    statusChanges,
    txId: text('txId'),
    ...(blockNumber === undefined ? {} : { blockNumber }),
  };
}

/** Options of {@link httpLedgerRecordReader}. */
export interface HttpLedgerOptions {
  /** The services' base URL, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** Bearer token (the status route is public; kept for deployments that close it). */
  readonly token?: string;
  /** The channel and chaincode the API serves (default `community` / `ctl`); documents naming others are not found. */
  readonly channel?: string;
  readonly chaincode?: string;
  /** `fetch` to use (default the global one). */
  readonly fetch?: typeof fetch;
}

/**
 * A ledger record reader over `GET {baseUrl}/api/certificates/{id}/status` (public): 404 is "no
 * record", any other failure makes the ledgerRecord check fail as unavailable.
 */
export function httpLedgerRecordReader(options: HttpLedgerOptions): LedgerRecordReader {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const channel = options.channel ?? 'community';
  const chaincode = options.chaincode ?? 'ctl';
  return {
    async getCertificate(query) {
      if (query.channel !== channel || query.chaincode !== chaincode) return null;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let response: Response;
      try {
        response = await doFetch(`${base}/api/certificates/${encodeURIComponent(query.certificateId)}/status`, { headers });
      } catch (err) {
        throw new PortUnavailableError('ledger', `the services at ${base} could not be reached`, err);
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new PortUnavailableError('ledger', `the services at ${base} answered ${response.status}`);
      const body: unknown = await response.json();
      return parseLedgerRecord(body, (what) => {
        throw new PortUnavailableError('ledger', `the services returned a malformed record (${what})`);
      });
    },
  };
}
