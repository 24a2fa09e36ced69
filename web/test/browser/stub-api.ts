// CONTRACT STUB, for the portal's component tests only. It serves a built portal and answers
// the routes of web/src/api/openapi.json with fixed, simple behaviour, so the browser tests
// can drive every state of the pages (a 404 dev sign-in, a lost answer, an expired token)
// without the ledgers. It verifies nothing itself (POST /api/verify only compares with the
// documents it handed out); the issue 7 routes are in ./stub-certificates.ts, and `/rpc`
// forwards JSON-RPC to a real EVM node when a test sets `rpcTarget`, so the browser's own
// verification runs against a real chain. The whole-stack browser test against the real API
// lives in test/e2e/.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { certificateRoute, newCertificateState, problem, type CertificateState, type Reply } from './stub-certificates';

export const DEMO_USERS = [
  { id: 'resident', name: 'Resident (Street Office)', roles: ['resident'], org: 'StreetOfficeMSP' },
  { id: 'volunteer', name: 'Volunteer (Street Office)', roles: ['volunteer', 'resident'], org: 'StreetOfficeMSP' },
  { id: 'officer-civil-affairs', name: 'Civil Affairs officer', roles: ['officer'], org: 'CivilAffairsMSP' },
] as const;

export const CERTIFICATE_TYPES = [
  {
    code: 'RESIDENCE_PROOF',
    name: 'Residence certificate',
    validityDays: 0,
    allowedIssuerMsps: ['StreetOfficeMSP', 'CivilAffairsMSP'],
    fields: [{ key: 'address', label: 'Residential address', type: 'string', required: true, personal: true }],
  },
  {
    code: 'ELDERLY_PREFERENTIAL',
    name: 'Elderly preferential card',
    validityDays: 1825,
    allowedIssuerMsps: ['CivilAffairsMSP'],
    fields: [
      { key: 'birthYear', label: 'Year of birth', type: 'number', required: true },
      { key: 'livesAlone', label: 'Lives alone', type: 'boolean', required: false },
    ],
  },
  {
    code: 'BUSINESS_LICENCE',
    name: 'Business licence',
    validityDays: 0,
    allowedIssuerMsps: ['MarketSupervisionMSP'],
    fields: [],
  },
];

const CHECKS = ['integrity', 'batchInclusion', 'anchored', 'notRevoked', 'notExpired', 'issuerAllowed', 'ledgerRecord'];

/** A request the stub received, for assertions. */
export interface Received {
  readonly method: string;
  readonly path: string;
  /** The query string, with its `?` (empty when none). */
  readonly query: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Switches the tests flip to reach states the pages must handle. */
export interface StubBehaviour {
  devSignIn: boolean;
  /** Answer the next N issue requests with 503, after doing the work (a lost answer). */
  failIssues: number;
  /** Refuse every bearer token with 401, as if it had expired. */
  rejectTokens: boolean;
  /** Where `/rpc` forwards JSON-RPC (a real EVM node); null answers 502. */
  rpcTarget: string | null;
}

export interface StubApi {
  readonly url: string;
  readonly received: Received[];
  readonly behaviour: StubBehaviour;
  /** Certificates issued so far, keyed by Idempotency-Key. */
  readonly issued: Map<string, { certificate: Record<string, unknown>; transactionId: string; blockNumber: number }>;
  /** State of the issue 7 routes (records, batches, wallet, shares, consents, public config). */
  readonly certificates: CertificateState;
  close(): Promise<void>;
}

/**
 * The policy the portal must work under: helmet's default (what the API sends) plus
 * 'wasm-unsafe-eval', which the verification library's keccak WebAssembly needs. The chain is
 * reached through the same-origin /rpc, so connect-src stays 'self'.
 */
export const CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; " +
  "object-src 'none'; script-src 'self' 'wasm-unsafe-eval'; script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'";

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  const headers = { 'x-request-id': `req-${Math.random().toString(16).slice(2, 10)}` };
  if (reply.status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...headers, 'content-type': reply.type ?? 'application/json' });
  if (reply.stream !== undefined) await reply.stream(res);
  else res.end(reply.raw ?? JSON.stringify(reply.body));
}

function token(userId: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 })}.stub`;
}

function userOf(req: IncomingMessage): (typeof DEMO_USERS)[number] | undefined {
  const match = /^Bearer [^.]+\.([^.]+)\./.exec(req.headers.authorization ?? '');
  if (match?.[1] === undefined) return undefined;
  const claims = JSON.parse(Buffer.from(match[1], 'base64url').toString()) as { sub?: string };
  return DEMO_USERS.find((user) => user.id === claims.sub);
}

/** Starts the stub on an ephemeral port, serving the portal built into `distDir`. */
export async function startStubApi(distDir: string): Promise<StubApi> {
  const received: Received[] = [];
  const issued: StubApi['issued'] = new Map();
  const behaviour: StubBehaviour = { devSignIn: true, failIssues: 0, rejectTokens: false, rpcTarget: null };
  const certificates = newCertificateState();

  /** Every document the stub handed out, by id: what POST /api/verify calls intact. */
  function knownDocuments(): Record<string, unknown>[] {
    return [
      ...[...issued.values()].map((r) => r.certificate),
      ...[...certificates.wallet.values()].map((e) => e.document as unknown as Record<string, unknown>),
      ...[...certificates.shares.values()].map((s) => s.document as unknown as Record<string, unknown>),
    ];
  }

  async function api(req: IncomingMessage, path: string, body: string): Promise<Reply> {
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /api/auth/dev/users') {
      if (!behaviour.devSignIn) return problem(404, 'ROUTE.NOT_FOUND', 'Not Found', 'No such route');
      return { status: 200, body: DEMO_USERS };
    }
    if (route === 'POST /api/auth/dev/sign-in') {
      const { userId } = JSON.parse(body) as { userId: string };
      return { status: 200, body: { token: token(userId) } };
    }
    if (route === 'GET /api/certificate-types') {
      if (userOf(req) === undefined) return problem(401, 'AUTH.TOKEN_MISSING', 'Unauthorized', 'Sign in first');
      return { status: 200, body: CERTIFICATE_TYPES };
    }
    if (route === 'POST /api/certificates') {
      const user = userOf(req);
      if (user === undefined || behaviour.rejectTokens) return problem(401, 'AUTH.TOKEN_EXPIRED', 'Unauthorized', 'The token has expired');
      if (!(user.roles as readonly string[]).includes('officer')) return problem(403, 'AUTH.FORBIDDEN', 'Forbidden', 'Officers only');
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string') return problem(400, 'REQUEST.IDEMPOTENCY_KEY_MISSING', 'Bad Request', 'Idempotency-Key is required');
      const request = JSON.parse(body) as { typeCode: string; holder: { idNumber: string }; fields: Record<string, unknown>; validUntil?: string };
      let receipt = issued.get(key);
      if (receipt === undefined) {
        const n = issued.size + 1;
        const subjectRef = `0x${createHash('sha256').update(request.holder.idNumber).digest('hex')}`;
        const certificate: Record<string, unknown> = {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://community-trust-ledger.org/credentials/v1'],
          type: ['VerifiableCredential', 'CommunityCertificate'],
          id: `urn:ctl:certificate:cert-${n}`,
          issuer: { id: `urn:ctl:msp:${user.org}`, name: 'Civil Affairs' },
          validFrom: new Date().toISOString(),
          ...(request.validUntil === undefined ? {} : { validUntil: request.validUntil }),
          credentialSubject: { id: `urn:ctl:subject:${subjectRef}`, certificateType: request.typeCode, ...request.fields },
        };
        receipt = { certificate, transactionId: createHash('sha256').update(key).digest('hex'), blockNumber: 10 + n };
        issued.set(key, receipt);
      }
      if (behaviour.failIssues > 0) {
        behaviour.failIssues -= 1;
        return problem(503, 'LEDGER.UNAVAILABLE', 'Service Unavailable', 'The ledger did not answer in time');
      }
      return { status: 201, body: receipt };
    }
    if (route === 'POST /api/verify') {
      let parsed: { id?: unknown; format?: unknown; document?: { id?: unknown } };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return problem(400, 'REQUEST.MALFORMED_JSON', 'Bad Request', 'The body is not JSON');
      }
      // An offline bundle is judged by its document; a QR payload ({ qr }) is never intact here.
      const document = parsed.format === 'ctl-offline-bundle/1' && parsed.document !== undefined ? parsed.document : parsed;
      const original = knownDocuments().find((known) => known.id === document.id);
      const intact = original !== undefined && JSON.stringify(original) === JSON.stringify(document);
      const checks = CHECKS.map((name) =>
        name === 'integrity' && !intact
          ? { name, ok: false, code: 'CHANGED', detail: 'The field hashes do not match the targetHash.' }
          : { name, ok: true, code: 'OK', detail: '' },
      );
      return { status: 200, body: { valid: intact, asOf: '2026-03-01T10:00:00Z', checks } };
    }
    const user = userOf(req);
    const caller = user === undefined || behaviour.rejectTokens ? undefined : user;
    const answer = await certificateRoute(certificates, req, route, body, caller);
    if (answer !== undefined) return answer;
    return problem(404, 'ROUTE.NOT_FOUND', 'Not Found', `No route ${route}`);
  }

  async function serveFile(res: ServerResponse, path: string): Promise<void> {
    const file = normalize(join(distDir, path));
    const inside = file.startsWith(distDir) && extname(file) !== '';
    try {
      const content = await readFile(inside ? file : join(distDir, 'index.html'));
      res.writeHead(200, { 'content-type': TYPES[inside ? extname(file) : '.html'] ?? 'application/octet-stream', 'content-security-policy': CSP });
      res.end(content);
    } catch {
      // SPA fallback: every unknown path is a page of the portal.
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP });
      res.end(await readFile(join(distDir, 'index.html')));
    }
  }

  async function forwardRpc(res: ServerResponse, body: string): Promise<void> {
    if (behaviour.rpcTarget === null) {
      res.writeHead(502).end();
      return;
    }
    const answer = await fetch(behaviour.rpcTarget, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const path = url.pathname;
      const body = Buffer.concat(chunks).toString();
      if (path === '/rpc') {
        forwardRpc(res, body).catch(() => undefined);
        return;
      }
      if (!path.startsWith('/api/')) {
        serveFile(res, path).catch((error: unknown) => send(res, problem(500, 'STUB.FAILURE', 'Stub failure', String(error))));
        return;
      }
      received.push({ method: req.method ?? '', path, query: url.search, headers: req.headers, body });
      api(req, path, body)
        .catch((error: unknown) => problem(500, 'STUB.FAILURE', 'Stub failure', String(error)))
        .then((reply) => send(res, reply))
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    behaviour,
    issued,
    certificates,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
