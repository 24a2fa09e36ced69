// Component tests of the built portal in headless Chromium, against the contract stub in
// ./stub-api.ts (not the real API: the whole-stack test is the lead's, in test/e2e/). Elements
// are found the way a person finds them, by role and accessible name.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../test/support/chromium';
import { startStubApi, type StubApi } from './stub-api';

const ROOT = resolve(__dirname, '../../..');

describe('web: portal in a browser (contract stub API)', function () {
  this.timeout(60_000);
  let distDir = '';
  let stub: StubApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    distDir = await mkdtemp(join(tmpdir(), 'ctl-web-'));
    const build = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'error'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
    );
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
    stub = await startStubApi(distDir);
    browser = await launchChromium();
  });

  after(async () => {
    // Each may be missing when `before` failed part-way.
    await (browser as Browser | undefined)?.close();
    await (stub as StubApi | undefined)?.close();
    if (distDir !== '') await rm(distDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    stub.received.length = 0;
    stub.issued.clear();
    Object.assign(stub.behaviour, { devSignIn: true, failIssues: 0, rejectTokens: false });
    context = await browser.newContext({ baseURL: stub.url, locale: 'en-US' });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  const apiCalls = (path: string) => stub.received.filter((r) => r.path === path);

  async function signInAs(name: RegExp, from = '/sign-in'): Promise<void> {
    await page.goto(from);
    await page.getByRole('button', { name }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
  }

  async function issueOne(): Promise<void> {
    await page.getByLabel('Certificate type').selectOption({ label: 'Elderly preferential card' });
    await page.getByLabel('Identity number').fill('110101195001011239');
    await page.getByLabel('Full name').fill('Wang Fang');
    await page.getByLabel('Year of birth').fill('1950');
    await page.getByRole('button', { name: 'Issue certificate' }).click();
  }

  describe('shell', () => {
    it('has banner, navigation, main and footer landmarks and a skip link that moves focus to the page', async () => {
      await page.goto('/');
      for (const role of ['banner', 'main', 'contentinfo'] as const) expect(await page.getByRole(role).count(), role).to.equal(1);
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).to.equal(1);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to main content' });
      expect(await skip.evaluate((el) => el === document.activeElement)).to.equal(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).to.equal(true);
    });

    it('switches to Chinese, labels the page zh-CN and keeps the choice after a reload', async () => {
      await page.goto('/verify');
      await page.getByRole('button', { name: '中文' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('核验证照');
      expect(await page.locator('html').getAttribute('lang')).to.equal('zh-CN');
      expect(await page.getByRole('button', { name: '中文' }).getAttribute('aria-pressed')).to.equal('true');
      await page.reload();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('核验证照');
      expect(await page.title()).to.equal('核验证照 · 社区可信账本');
    });

    it('turns on elder-friendly mode with larger text, and keeps it after a reload', async () => {
      await page.goto('/');
      const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
      const before = await size();
      const toggle = page.getByRole('button', { name: 'Large text, high contrast' });
      await toggle.click();
      expect(await toggle.getAttribute('aria-pressed')).to.equal('true');
      expect(await size()).to.be.at.least(before * 1.25);
      await page.reload();
      expect(await page.getByRole('button', { name: 'Large text, high contrast' }).getAttribute('aria-pressed')).to.equal('true');
      expect(await size()).to.be.at.least(before * 1.25);
    });

    it('marks planned pages as coming soon', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Dashboard/ }).click();
      const heading = page.getByRole('heading', { level: 1, name: /Dashboard/ });
      await heading.waitFor();
      expect(await heading.textContent()).to.contain('Coming soon');
      expect(await page.getByText('This page is planned and not available yet.').count()).to.equal(1);
    });
  });

  describe('sign-in', () => {
    it('lists demo users grouped by role, signs in with one click and shows who is signed in', async () => {
      await page.goto('/sign-in');
      // The list arrives from the API after the page renders.
      await page.getByRole('heading', { name: 'Officers' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Officers' }).count()).to.equal(1);
      expect(await page.getByRole('heading', { name: 'Volunteers' }).count()).to.equal(1);
      await page.getByRole('button', { name: /Sign in as Civil Affairs officer/ }).click();
      await page.getByRole('heading', { name: 'Issue a certificate', level: 1 }).waitFor();
      expect(await page.getByRole('banner').textContent()).to.contain('Signed in as Civil Affairs officer');
      const stored = await page.evaluate(() => sessionStorage.getItem('ctl.session'));
      expect(JSON.parse(stored ?? '{}')).to.have.nested.property('user.id', 'officer-civil-affairs');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Welcome', level: 1 }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('ctl.session'))).to.equal(null);
    });

    it('sends a signed-out visitor of an officer page to sign in, then back to that page', async () => {
      await page.goto('/officer/issue');
      await page.getByText('Please sign in to open that page.').waitFor();
      expect(new URL(page.url()).pathname).to.equal('/sign-in');
      await page.getByRole('button', { name: /Sign in as Civil Affairs officer/ }).click();
      await page.getByRole('heading', { name: 'Issue a certificate', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).to.equal('/officer/issue');
    });

    it('refuses the officer page to a resident', async () => {
      await signInAs(/Sign in as Resident/);
      await page.getByRole('heading', { name: 'Welcome' }).waitFor();
      expect(await page.getByRole('link', { name: 'Issue a certificate' }).count()).to.equal(0);
      await page.goto('/officer/issue');
      await page.getByRole('heading', { name: 'Not available for your role', level: 1 }).waitFor();
    });

    it('offers the city identity service when the API has no development sign-in', async () => {
      stub.behaviour.devSignIn = false;
      await page.goto('/sign-in');
      const button = page.getByRole('button', { name: /Sign in with the city identity service/ });
      await button.waitFor();
      expect(await button.isDisabled()).to.equal(true);
      expect(await page.getByRole('button', { name: /Sign in as/ }).count()).to.equal(0);
    });
  });

  describe('verify', () => {
    it('verifies a pasted certificate and shows each check and the verdict', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await issueOne();
      const receipt = [...stub.issued.values()][0];
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(receipt?.certificate));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      const status = page.getByRole('status').filter({ hasText: 'Valid' });
      await status.waitFor();
      expect(await status.textContent()).to.contain('Valid: every check passed.');
      const checks = page.getByRole('region', { name: 'Checks' }).getByRole('listitem');
      expect(await checks.count()).to.equal(7);
      expect(await checks.first().textContent()).to.contain('Content unchanged: Passed');
    });

    it('says which check fails for a document with a changed field', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await issueOne();
      const certificate = structuredClone([...stub.issued.values()][0]?.certificate) as { credentialSubject: Record<string, string> };
      certificate.credentialSubject.birthYear = '1940'; // was the number 1950
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(JSON.stringify(certificate));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Not valid' }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Not valid' }).textContent()).to.contain('1 of 7 checks failed');
      const integrity = page.getByRole('listitem').filter({ hasText: 'Content unchanged' });
      expect(await integrity.textContent()).to.contain('Failed');
      expect(await integrity.textContent()).to.contain('Some content was changed after the certificate was issued.');
    });

    it('explains malformed input next to the text box and sends nothing', async () => {
      await page.goto('/verify');
      const box = page.getByLabel('Certificate JSON');
      await box.fill('{\n  "id": "x",\n  "type": }');
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      const alert = page.getByRole('alert');
      expect(await alert.textContent()).to.equal('This is not valid JSON: there is a mistake near line 3, column 11.');
      expect(await box.getAttribute('aria-invalid')).to.equal('true');
      await box.fill('[1, 2]');
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      expect(await page.getByRole('alert').textContent()).to.contain('this is a list');
      expect(apiCalls('/api/verify')).to.have.length(0);
    });

    it('verifies an uploaded .json file at once and refuses other files', async () => {
      await page.goto('/verify');
      const file = page.getByLabel('Or choose a certificate file (.json)');
      await file.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50]) });
      expect(await page.getByRole('alert').textContent()).to.equal('“photo.png” is not a .json file.');
      const document = { '@context': ['https://www.w3.org/ns/credentials/v2'], id: 'urn:ctl:certificate:unknown' };
      await file.setInputFiles({ name: 'cert.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(document)) });
      await page.getByRole('status').filter({ hasText: 'Not valid' }).waitFor();
      expect(JSON.parse(apiCalls('/api/verify')[0]?.body ?? '')).to.deep.equal(document);
    });
  });

  describe('officer issue', () => {
    it('issues with an Idempotency-Key and shows the document, receipt, download and verify link', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      // Only the types the officer's organisation may issue are offered.
      const offered = page.getByLabel('Certificate type').locator('option');
      await offered.first().waitFor({ state: 'attached' });
      expect(await offered.allTextContents()).to.deep.equal(['Residence certificate', 'Elderly preferential card']);
      await issueOne();
      await page.getByRole('heading', { name: 'Certificate issued' }).waitFor();
      const [call] = apiCalls('/api/certificates');
      expect(call?.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);
      expect(call?.headers.authorization).to.match(/^Bearer /);
      expect(JSON.parse(call?.body ?? '')).to.deep.equal({
        typeCode: 'ELDERLY_PREFERENTIAL',
        holder: { idNumber: '110101195001011239', name: 'Wang Fang' },
        fields: { birthYear: 1950, livesAlone: false },
      });
      const receipt = [...stub.issued.values()][0];
      expect(await page.getByRole('main').textContent()).to.contain(receipt?.transactionId);
      expect(await page.getByRole('heading', { name: 'Certificate issued' }).evaluate((el) => el === document.activeElement)).to.equal(true);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download the certificate/ }).click()]);
      expect(download.suggestedFilename()).to.equal('cert-1.json');
      expect(JSON.parse(await readFile(await download.path(), 'utf8'))).to.deep.equal(receipt?.certificate);

      await page.getByRole('link', { name: 'Verify this certificate' }).click();
      await page.getByText('The certificate you just issued is filled in below.').waitFor();
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Valid: every check passed.' }).waitFor();
    });

    it('shows what is missing, focuses the first such field and sends nothing', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.getByRole('button', { name: 'Issue certificate' }).click();
      expect(await page.getByRole('alert').textContent()).to.equal('Please correct the highlighted fields.');
      const idNumber = page.getByLabel('Identity number');
      expect(await idNumber.evaluate((el) => el === document.activeElement)).to.equal(true);
      expect(await idNumber.getAttribute('aria-invalid')).to.equal('true');
      expect(await page.getByText('Full name is required.').count()).to.equal(1);
      expect(apiCalls('/api/certificates')).to.have.length(0);
    });

    it('retries a lost answer with the same Idempotency-Key, so one certificate is issued', async () => {
      stub.behaviour.failIssues = 1;
      await signInAs(/Sign in as Civil Affairs officer/);
      await issueOne();
      await page.getByRole('alert').filter({ hasText: 'The ledger did not answer in time' }).waitFor();
      await page.getByRole('button', { name: 'Issue certificate' }).click();
      await page.getByRole('heading', { name: 'Certificate issued' }).waitFor();
      const keys = apiCalls('/api/certificates').map((call) => call.headers['idempotency-key']);
      expect(keys).to.have.length(2);
      expect(keys[0]).to.equal(keys[1]);
      expect(stub.issued.size).to.equal(1);
    });

    it('asks to sign in again when the API refuses the token, and returns to the form', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      stub.behaviour.rejectTokens = true;
      await issueOne();
      await page.getByText('Your session has ended. Please sign in again.').first().waitFor();
      expect(new URL(page.url()).pathname).to.equal('/sign-in');
      stub.behaviour.rejectTokens = false;
      await page.getByRole('button', { name: /Sign in as Civil Affairs officer/ }).click();
      await page.getByRole('heading', { name: 'Issue a certificate', level: 1 }).waitFor();
    });
  });
});
