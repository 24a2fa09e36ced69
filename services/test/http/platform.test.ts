/**
 * The API platform on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set),
 * with no ledger running: request ids, problem+json for every kind of bad input, identity,
 * idempotency keys, rate limits, the OpenAPI document and its reference page, metrics, health.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { sql } from 'kysely';
import { inertRouteTable } from '../../src/routes';
import { testBackends } from '../support/databases';
import { api, signIn, startTestServices, type TestServices } from '../support/services';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  requestId: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

function problem(response: { status: number; headers: Headers; body: unknown }): Problem {
  expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  const body = response.body as Problem;
  expect(body.status).to.equal(response.status);
  expect(body.requestId).to.equal(response.headers.get('x-request-id'));
  return body;
}

async function deadLetter(t: TestServices, key: string): Promise<number> {
  const row = await t.services.database.db
    .insertInto('outbox')
    .values({ kind: 'anchor-root', dedupe_key: key, payload: '{}', status: 'dead', last_error: 'test', result: null, source_tx_id: null, completed_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

for (const backend of testBackends()) {
  describe(`API platform on ${backend.name}`, function () {
    this.timeout(120_000);
    let t: TestServices;

    let webDist: string;

    before(async () => {
      webDist = mkdtempSync(path.join(os.tmpdir(), 'ctl-web-dist-'));
      mkdirSync(path.join(webDist, 'assets'));
      writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>portal</title><div id="app"></div>');
      writeFileSync(path.join(webDist, 'assets', 'app.js'), 'console.log("portal")');
      t = await startTestServices(backend, { BODY_LIMIT_BYTES: '2048', WORKERS: 'none', SEED_CERTIFICATE_TYPES: 'false', WEB_DIST: webDist, PUBLIC_EVM_RPC_URL: 'https://rpc.example.org:8443/v1?key=k' });
    });
    after(async () => {
      await t.close();
      rmSync(webDist, { recursive: true, force: true });
    });

    describe('the built portal', () => {
      it('serves its files, answers portal routes with index.html, and keeps /api answers as problems', async () => {
        const asset = await fetch(`${t.url}/assets/app.js`);
        expect(asset.status).to.equal(200);
        expect(await asset.text()).to.include('portal');
        const route = await fetch(`${t.url}/officer/issue`, { headers: { accept: 'text/html' } });
        expect(route.status).to.equal(200);
        expect(await route.text()).to.include('<div id="app">');
        const apiMiss = await api(t.url, 'GET', '/api/officer/issue', { headers: { accept: 'text/html' } });
        expect(apiMiss.status).to.equal(404);
        expect(problem(apiMiss).code).to.equal('ROUTE.NOT_FOUND');
      });
    });

    describe('request ids', () => {
      it('puts a request id on every response and echoes a well-formed one', async () => {
        const generated = await api(t.url, 'GET', '/api/auth/dev/users');
        expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
        const echoed = await api(t.url, 'GET', '/api/auth/dev/users', { headers: { 'x-request-id': 'trace-42.a' } });
        expect(echoed.headers.get('x-request-id')).to.equal('trace-42.a');
        const replaced = await api(t.url, 'GET', '/api/auth/dev/users', { headers: { 'x-request-id': 'bad id<script>' } });
        expect(replaced.headers.get('x-request-id')).to.not.equal('bad id<script>');
      });

      it('logs each request with its id and never a token or an identity number', async () => {
        const token = await signIn(t.url, 'officer-civil-affairs');
        const idNumber = '110101199003074258';
        const response = await api(t.url, 'POST', '/api/certificates', {
          token,
          headers: { 'idempotency-key': 'log-check' },
          body: { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber, name: 'Li Na' }, fields: {} },
        });
        expect(response.status).to.equal(400);
        const requestId = response.headers.get('x-request-id') ?? '';
        const logs = t.logs();
        expect(logs.some((line) => line.includes(requestId))).to.equal(true);
        expect(logs.join('\n')).to.not.include(token).and.to.not.include(idNumber).and.to.not.include('Li Na');
      });
    });

    describe('bad input gets problem+json and writes nothing', () => {
      it('malformed JSON → 400 REQUEST.MALFORMED_JSON', async () => {
        const response = await api(t.url, 'POST', '/api/verify', { rawBody: '{"@context": [' });
        expect(response.status).to.equal(400);
        expect(problem(response).code).to.equal('REQUEST.MALFORMED_JSON');
      });

      it('unknown fields and wrong types → 400 REQUEST.VALIDATION_FAILED naming each field', async () => {
        const response = await api(t.url, 'POST', '/api/auth/dev/sign-in', { body: { userId: 7, admin: true } });
        expect(response.status).to.equal(400);
        const body = problem(response);
        expect(body.code).to.equal('REQUEST.VALIDATION_FAILED');
        expect(body.errors?.map((e) => e.path)).to.have.members(['body', 'body.userId']);
        expect(body.errors?.find((e) => e.path === 'body')?.message).to.include('admin');
      });

      it('a body over the limit → 413 REQUEST.BODY_TOO_LARGE', async () => {
        const response = await api(t.url, 'POST', '/api/verify', { body: { padding: 'x'.repeat(4096) } });
        expect(response.status).to.equal(413);
        expect(problem(response).code).to.equal('REQUEST.BODY_TOO_LARGE');
      });

      it('a body that is not JSON → 415', async () => {
        const response = await api(t.url, 'POST', '/api/verify', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
        expect(response.status).to.equal(415);
        expect(problem(response).code).to.equal('REQUEST.UNSUPPORTED_MEDIA_TYPE');
      });

      it('an unknown route → 404 ROUTE.NOT_FOUND; an unknown demo user → 404 AUTH.UNKNOWN_USER', async () => {
        const route = await api(t.url, 'GET', '/api/nothing-here');
        expect(route.status).to.equal(404);
        expect(problem(route).code).to.equal('ROUTE.NOT_FOUND');
        const user = await api(t.url, 'POST', '/api/auth/dev/sign-in', { body: { userId: 'mallory' } });
        expect(user.status).to.equal(404);
        expect(problem(user).code).to.equal('AUTH.UNKNOWN_USER');
      });

      it('an invalid query value → 400 naming the parameter', async () => {
        const token = await signIn(t.url, 'auditor-audit-office');
        const response = await api(t.url, 'GET', '/api/certificates/c-1?minBlock=-3', { token });
        expect(response.status).to.equal(400);
        expect(problem(response).errors?.[0]?.path).to.equal('query.minBlock');
      });
    });

    describe('identity', () => {
      it('no token → 401 AUTH.TOKEN_MISSING with WWW-Authenticate', async () => {
        const response = await api(t.url, 'GET', '/api/certificates/c-1');
        expect(response.status).to.equal(401);
        expect(problem(response).code).to.equal('AUTH.TOKEN_MISSING');
        expect(response.headers.get('www-authenticate')).to.match(/^Bearer/);
      });

      it('a malformed, foreign-key or wrong-audience token → 401 AUTH.TOKEN_INVALID', async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const now = Math.floor(Date.now() / 1000);
        const foreign = await new SignJWT({ roles: ['admin'], org: 'StreetOfficeMSP' })
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer('urn:ctl:dev-idp')
          .setAudience('ctl-api')
          .setSubject('admin')
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(privateKey);
        const keyFile = path.join(t.dataDir, 'dev-idp', 'signing-key.json');
        const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
        const ownKey = await importJWK(jwk, 'ES256');
        const wrongAudience = await new SignJWT({ roles: ['admin'] })
          .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
          .setIssuer('urn:ctl:dev-idp')
          .setAudience('someone-else')
          .setSubject('admin')
          .setExpirationTime(now + 60)
          .sign(ownKey);
        for (const token of ['not-a-jwt', foreign, wrongAudience]) {
          const response = await api(t.url, 'GET', '/api/auth/me', { token });
          expect(response.status, token).to.equal(401);
          expect(problem(response).code).to.equal('AUTH.TOKEN_INVALID');
        }
      });

      it('an expired token → 401 AUTH.TOKEN_EXPIRED', async () => {
        const jwk = JSON.parse(readFileSync(path.join(t.dataDir, 'dev-idp', 'signing-key.json'), 'utf8')) as JWK;
        const past = Math.floor(Date.now() / 1000) - 3600;
        const expired = await new SignJWT({ roles: ['admin'], org: 'StreetOfficeMSP' })
          .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
          .setIssuer('urn:ctl:dev-idp')
          .setAudience('ctl-api')
          .setSubject('admin')
          .setIssuedAt(past - 60)
          .setExpirationTime(past)
          .sign(await importJWK(jwk, 'ES256'));
        const response = await api(t.url, 'GET', '/api/auth/me', { token: expired });
        expect(response.status).to.equal(401);
        expect(problem(response).code).to.equal('AUTH.TOKEN_EXPIRED');
      });

      it('lists one demo user per role and department, and signs them in with their roles and organisation', async () => {
        const users = (await api(t.url, 'GET', '/api/auth/dev/users')).body as { id: string; roles: string[]; org: string }[];
        const roles = new Set(users.flatMap((u) => u.roles));
        expect([...roles]).to.have.members(['resident', 'volunteer', 'officer', 'coordinator', 'provider', 'auditor', 'admin']);
        expect(users.filter((u) => u.roles.includes('officer')).map((u) => u.org)).to.include.members(['CivilAffairsMSP', 'HealthMSP', 'StreetOfficeMSP']);
        const token = await signIn(t.url, 'coordinator-north-street');
        expect((await api(t.url, 'GET', '/api/auth/me', { token })).body).to.deep.equal({ userId: 'coordinator-north-street', roles: ['coordinator'], org: 'NorthStreetMSP' });
      });

      it('a signed-in user without the route\'s role → 403 AUTH.FORBIDDEN', async () => {
        const token = await signIn(t.url, 'resident');
        const response = await api(t.url, 'GET', '/api/certificates/c-1', { token });
        expect(response.status).to.equal(403);
        expect(problem(response).code).to.equal('AUTH.FORBIDDEN');
      });
    });

    describe('idempotency keys', () => {
      it('replays the first answer for the same key and body, and refuses the key with another body (409)', async () => {
        const token = await signIn(t.url, 'admin');
        const first = await deadLetter(t, 'idem-1');
        const second = await deadLetter(t, 'idem-2');
        const headers = { 'idempotency-key': 'retry-once' };
        const done = await api(t.url, 'POST', `/api/admin/outbox/${String(first)}/retry`, { token, headers });
        expect(done.status).to.equal(202);
        const replay = await api(t.url, 'POST', `/api/admin/outbox/${String(first)}/retry`, { token, headers });
        expect(replay.status).to.equal(202);
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        const reused = await api(t.url, 'POST', `/api/admin/outbox/${String(second)}/retry`, { token, headers });
        expect(reused.status).to.equal(409);
        expect(problem(reused).code).to.equal('IDEMPOTENCY.KEY_REUSED');
        const rows = await t.services.database.db.selectFrom('outbox').select(['id', 'status']).where('dedupe_key', 'in', ['idem-1', 'idem-2']).orderBy('id').execute();
        expect(rows.map((r) => r.status)).to.deep.equal(['pending', 'dead']);
      });

      it('requires a well-formed key on writes', async () => {
        const token = await signIn(t.url, 'admin');
        const id = await deadLetter(t, 'idem-3');
        const missing = await api(t.url, 'POST', `/api/admin/outbox/${String(id)}/retry`, { token });
        expect(missing.status).to.equal(400);
        expect(problem(missing).errors?.[0]?.path).to.equal('header.idempotency-key');
        const bad = await api(t.url, 'POST', `/api/admin/outbox/${String(id)}/retry`, { token, headers: { 'idempotency-key': 'has spaces' } });
        expect(bad.status).to.equal(400);
        const row = await t.services.database.db.selectFrom('outbox').select('status').where('dedupe_key', '=', 'idem-3').executeTakeFirstOrThrow();
        expect(row.status).to.equal('dead');
      });

      it('a failed request does not use up its key', async () => {
        const token = await signIn(t.url, 'admin');
        const headers = { 'idempotency-key': 'first-fails' };
        const missing = await api(t.url, 'POST', '/api/admin/outbox/999999/retry', { token, headers });
        expect(missing.status).to.equal(404);
        const id = await deadLetter(t, 'idem-4');
        const retried = await api(t.url, 'POST', `/api/admin/outbox/${String(id)}/retry`, { token, headers });
        expect(retried.status).to.equal(202);
      });

      it('keys are per user: the same key from two users are two requests', async () => {
        const admin = await signIn(t.url, 'admin');
        const first = await deadLetter(t, 'idem-5');
        const id = await deadLetter(t, 'idem-6');
        await api(t.url, 'POST', `/api/admin/outbox/${String(first)}/retry`, { token: admin, headers: { 'idempotency-key': 'shared' } });
        const keys = await t.services.database.db.selectFrom('idempotency_keys').select(['principal', 'key']).where('key', '=', 'shared').execute();
        expect(keys).to.deep.equal([{ principal: 'admin', key: 'shared' }]);
        const other = await api(t.url, 'POST', `/api/admin/outbox/${String(id)}/retry`, { token: admin, headers: { 'idempotency-key': 'shared' } });
        expect(other.status).to.equal(409);
      });
    });

    describe('documentation and operations', () => {
      it('serves an OpenAPI 3.1 document with every route of the table, and an offline reference page', async () => {
        const document = (await api(t.url, 'GET', '/api/openapi.json')).body as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
        expect(document.openapi).to.equal('3.1.0');
        const operations = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
        expect(operations).to.have.members(inertRouteTable(true).map((r) => r.operationId));
        const page = await fetch(`${t.url}/api/docs`);
        expect(page.headers.get('content-type')).to.match(/^text\/html/);
        const html = await page.text();
        for (const route of inertRouteTable(true)) expect(html).to.include(route.operationId);
        expect(html).to.not.match(/<script|<link[^>]+href="https?:/);
      });

      it('exposes Prometheus metrics per route pattern', async () => {
        await api(t.url, 'GET', '/api/certificates/some-id');
        const text = await (await fetch(`${t.url}/metrics`)).text();
        expect(text).to.match(/ctl_http_requests_total\{method="GET",route="\/api\/certificates\/:id",status="401"\} \d+/);
        expect(text).to.include('ctl_ledger_call_duration_seconds');
        expect(text).to.not.include('some-id');
        // Log lines carry the same label, for API answers as for the portal's files.
        const routes = t.logs().map((line) => JSON.parse(line) as { msg?: string; route?: string }).filter((l) => l.msg === 'request').map((l) => l.route);
        expect(routes).to.include('/api/certificates/:id');
        expect(routes).to.not.include('some-id');
      });

      it('answers health 503 naming what is down while the ledgers are missing', async () => {
        const response = await api(t.url, 'GET', '/api/health');
        expect(response.status).to.equal(503);
        const health = response.body as Record<string, { status: string; detail?: string }>;
        expect(health.database?.status).to.equal('up');
        expect(health.fabric?.status).to.equal('down');
        expect(health.fabric?.detail).to.include('connection file');
        expect(health.evm?.status).to.equal('down');
        expect(health.evm?.detail).to.include('deployment file');
      });

      it('sets security headers', async () => {
        const response = await fetch(`${t.url}/api/auth/dev/users`);
        expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(response.headers.get('content-security-policy')).to.include("default-src 'self'");
        expect(response.headers.get('x-powered-by')).to.equal(null);
      });

      it('lets the portal verify in the browser and nothing more: the public RPC origin in connect-src, WebAssembly but no eval in script-src', async () => {
        const response = await fetch(`${t.url}/officer/issue`, { headers: { accept: 'text/html' } });
        const directives = new Map(
          (response.headers.get('content-security-policy') ?? '').split(';').map((d) => {
            const [name = '', ...sources] = d.trim().split(/\s+/);
            return [name, sources] as const;
          }),
        );
        expect(directives.get('connect-src')).to.deep.equal(["'self'", 'https://rpc.example.org:8443']);
        expect(directives.get('script-src')).to.deep.equal(["'self'", "'wasm-unsafe-eval'"]);
        expect(directives.get('default-src')).to.deep.equal(["'self'"]);
        expect(directives.get('object-src')).to.deep.equal(["'none'"]);
        expect(directives.get('frame-ancestors')).to.deep.equal(["'self'"]);
      });
    });
  });

  describe(`rate limits on ${backend.name}`, function () {
    this.timeout(120_000);
    let t: TestServices;
    before(async () => {
      t = await startTestServices(backend, { RATE_LIMIT_PER_MINUTE: '3', WORKERS: 'none', SEED_CERTIFICATE_TYPES: 'false', METRICS_TOKEN: 'scrape-token-0123456789' });
    });
    after(async () => {
      await t.close();
    });

    it('answers 429 REQUEST.RATE_LIMITED with Retry-After once a client exceeds its limit, health excepted', async () => {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await api(t.url, 'GET', '/api/auth/dev/users');
        statuses.push(last.status);
      }
      expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
      if (last === undefined) throw new Error('no response');
      expect(problem(last).code).to.equal('REQUEST.RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).to.be.within(1, 60);
      expect((await api(t.url, 'GET', '/api/health')).status).to.equal(503);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys`.execute(t.services.database.db);
      expect(rows[0]?.n).to.equal(0);
    });

    it('serves /metrics only with the configured METRICS_TOKEN', async () => {
      const open = await fetch(`${t.url}/metrics`);
      expect(open.status).to.equal(401);
      expect(((await open.json()) as { code: string }).code).to.equal('AUTH.TOKEN_INVALID');
      expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-012345678X' } })).status).to.equal(401);
      const scraped = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(scraped.status).to.equal(200);
      expect(await scraped.text()).to.include('ctl_http_requests_total');
    });
  });
}
