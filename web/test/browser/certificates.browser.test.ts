// Browser tests of the issue 7 flows in headless Chromium: officer batch issue and status
// changes, the resident's wallet (disclose, share, QR), consents, and public verification
// (paste, upload, share link, QR image, as-of date). The API is the contract stub
// (./stub-api.ts); the public chain is REAL (./chain.ts: the embedded EVM node with the
// contracts deployed), so the portal's in-browser verification is exercised for real. Elements
// are found the way a person finds them, by role and accessible name.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { toBuffer } from 'qrcode';
import { launchChromium } from '../../../test/support/chromium';
import { startTestChain, type IssuedOnChain, type TestChain } from './chain';
import { startStubApi, type StubApi } from './stub-api';

const ROOT = resolve(__dirname, '../../..');
const LOCAL = 'Checked in this browser, directly against the public trust ledger (chain 31337).';
const SERVER_CHAIN = 'Checked by the service centre’s server: this browser could not reach the public trust ledger.';

describe('web: issue 7 flows in a browser (contract stub API, real EVM chain)', function () {
  this.timeout(120_000);
  let distDir = '';
  let stub: StubApi;
  let chain: TestChain;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let issued: IssuedOnChain[] = [];
  let next = 1;

  before(async () => {
    distDir = await mkdtemp(join(tmpdir(), 'ctl-web-'));
    const build = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'error'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
    );
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
    chain = await startTestChain();
    stub = await startStubApi(distDir);
    browser = await launchChromium();
  });

  after(async () => {
    await (browser as Browser | undefined)?.close();
    await (stub as StubApi | undefined)?.close();
    await (chain as TestChain | undefined)?.close();
    if (distDir !== '') await rm(distDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    stub.received.length = 0;
    const state = stub.certificates;
    for (const map of [state.records, state.batches, state.wallet, state.shares, state.disclosures]) map.clear();
    state.consents.length = 0;
    state.batchGate = null;
    Object.assign(stub.behaviour, { devSignIn: true, failIssues: 0, rejectTokens: false, rpcTarget: chain.rpcUrl });
    state.publicConfig = { chainId: chain.chainId, rpcUrl: `${stub.url}/rpc`, trustAnchor: chain.trustAnchor, issuerRegistry: chain.issuerRegistry, apiBase: stub.url };
    // Fresh certificates for every test, anchored on the chain; the stub holds their records.
    issued = await chain.issue(2, next);
    next += 2;
    for (const { document, record } of issued) {
      state.records.set(record.id, record);
      state.wallet.set(record.id, { document, record, typeName: 'Proof of residence' });
    }
    context = await browser.newContext({ baseURL: stub.url, locale: 'en-US' });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  const calls = (method: string, path: string | RegExp) =>
    stub.received.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  const first = (): IssuedOnChain => issued[0] as IssuedOnChain;

  async function signInAs(name: RegExp): Promise<void> {
    await page.goto('/sign-in');
    await page.getByRole('button', { name }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
  }

  async function verdict(text: string): Promise<string> {
    const status = page.getByRole('status').filter({ hasText: text });
    await status.waitFor();
    return (await status.textContent()) ?? '';
  }

  describe('public verify', () => {
    it('verifies a pasted certificate in the browser against the chain and says so, without the API verifier', async () => {
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(first().document));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      expect(await verdict('Valid')).to.contain('Valid: every check passed.');
      await page.getByText(LOCAL).waitFor();
      expect(await page.getByRole('region', { name: 'Checks' }).getByRole('listitem').count()).to.equal(7);
      expect(calls('POST', '/api/verify')).to.have.length(0);
      expect(calls('GET', `/api/certificates/${first().record.id}/status`)).to.have.length(1);
    });

    it('finds a tampered field in the browser', async () => {
      const changed = structuredClone(first().document) as unknown as { credentialSubject: Record<string, unknown> };
      changed.credentialSubject.community = 'Another Community';
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(changed));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await verdict('Not valid');
      const integrity = page.getByRole('listitem').filter({ hasText: 'Content unchanged' });
      expect(await integrity.textContent()).to.contain('Failed');
      await page.getByText(LOCAL).waitFor();
    });

    it('falls back to the API when the chain is unreachable from the browser, says so and passes the as-of date', async () => {
      stub.behaviour.rpcTarget = null;
      await page.goto('/verify');
      const yesterday = new Date(Date.now() - 86_400_000);
      const day = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
      await page.getByLabel('Check validity on an earlier date').fill(day);
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(first().document));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await verdict('Valid');
      await page.getByText(SERVER_CHAIN).waitFor();
      const [call] = calls('POST', '/api/verify');
      const asOf = new URLSearchParams(call?.query ?? '').get('asOf') ?? '';
      expect(new Date(asOf).getDate()).to.equal(yesterday.getDate());
      expect(asOf.endsWith('59.999Z')).to.equal(true);
    });

    it('reflects a revocation made on the officer page', async () => {
      const record = stub.certificates.records.get(first().record.id);
      if (record === undefined) throw new Error('no record');
      record.status = 'REVOKED';
      record.statusChanges.push({ status: 'REVOKED', reasonCode: 'ISSUED_IN_ERROR', reasonText: '', effectiveAt: new Date(Date.now() - 1000).toISOString() });
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(first().document));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await verdict('Not valid');
      expect(await page.getByRole('listitem').filter({ hasText: 'Matches the ledger record' }).textContent()).to.contain('revoked');
    });

    it('verifies an uploaded offline bundle (.json) by its document', async () => {
      await page.goto('/verify');
      const bundle = { format: 'ctl-offline-bundle/1', document: first().document };
      await page.getByLabel('Or choose a certificate file (.json)').setInputFiles({ name: 'bundle.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
      expect(await verdict('Valid')).to.contain('Valid: every check passed.');
      await page.getByText(LOCAL).waitFor();
    });

    it('hands a QR payload the browser cannot unpack to the API as { qr }', async () => {
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill('CTL1:not-a-real-payload');
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await verdict('Not valid');
      await page.getByText('this browser could not unpack the QR code’s contents').waitFor();
      expect(JSON.parse(calls('POST', '/api/verify')[0]?.body ?? '')).to.deep.equal({ qr: 'CTL1:not-a-real-payload' });
    });

    it('opens a share link from a QR image and verifies the shared copy', async () => {
      await signInAs(/Sign in as Resident/);
      const answer = await page.evaluate(async (id) => {
        const session = JSON.parse(sessionStorage.getItem('ctl.session') ?? '{}') as { token: string };
        const response = await fetch(`/api/wallet/certificates/${id}/disclosures`, {
          method: 'POST',
          headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
          body: JSON.stringify({ hideFields: ['address'], expiresInSeconds: 3600 }),
        });
        return (await response.json()) as { shareUrl: string };
      }, first().record.id);
      const png = await toBuffer(`${stub.url}${answer.shareUrl}`, { width: 300 });
      await page.goto('/verify');
      await page.getByLabel('Or choose a photo or screenshot of a QR code').setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: png });
      await page.waitForURL((url) => url.pathname === answer.shareUrl);
      expect(await verdict('Valid')).to.contain('Valid: every check passed.');
      await page.getByText(LOCAL).waitFor();
      expect(await page.getByText('The holder hid 1 field(s) in this copy; it still verifies.').count()).to.equal(1);
      expect(await page.getByRole('main').textContent()).to.not.contain('Harmony Road');
    });

    it('says when a QR image holds something else, or no QR code at all', async () => {
      await page.goto('/verify');
      const input = page.getByLabel('Or choose a photo or screenshot of a QR code');
      await input.setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: await toBuffer('https://example.org/menu', { width: 300 }) });
      await page.getByText('This QR code holds neither a certificate nor a share link.').waitFor();
      await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.getByText('“notes.txt” is not an image this browser can read.').waitFor();
      expect(calls('POST', '/api/verify')).to.have.length(0);
    });

    it('explains an expired and an unknown share link', async () => {
      stub.certificates.shares.set('expiredtoken123', { document: first().document, expiresAt: Date.now() - 1000, revoked: false });
      await page.goto('/s/expiredtoken123');
      await page.getByRole('alert').filter({ hasText: 'This share link has expired.' }).waitFor();
      await page.goto('/s/unknowntoken123');
      await page.getByRole('alert').filter({ hasText: 'This share link does not exist, or the holder revoked it.' }).waitFor();
    });
  });
});
