/**
 * The walking skeleton, whole: an officer issues an e-certificate through the API; the chaincode
 * records it on the devnet (the real fabric-gateway client, the real fabric-shim), the anchorer
 * puts its root on TrustAnchor (the embedded EVM node over JSON-RPC), the projector writes it to
 * the read model; then anyone, in headless Chromium with no account, pastes it into the portal's
 * verify page and sees every check pass, and a copy with one changed field fails the integrity
 * check. A second flow issues through the officer page itself.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../services/src/config/config';
import { testBackends } from '../../services/test/support/databases';
import { api, signIn, startTestServices, type TestServices } from '../../services/test/support/services';
import { startLedgerStack, type LedgerStack } from '../../services/test/support/stack';
import { launchChromium } from '../support/chromium';

const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');
const CHECK_NAMES = ['integrity', 'batchInclusion', 'anchored', 'notRevoked', 'notExpired', 'issuerAllowed', 'ledgerRecord'];

interface IssueAnswer {
  certificateId: string;
  certificate: { credentialSubject: Record<string, unknown> } & Record<string, unknown>;
  transactionId: string;
  blockNumber: number;
}

interface VerifyAnswer {
  valid: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

describe('e2e: one e-certificate through every real layer', function () {
  this.timeout(180_000);
  let stack: LedgerStack;
  let services: TestServices;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('the portal is not built: run `npm run build:web` first');
    const pglite = testBackends()[0];
    if (pglite === undefined) throw new Error('no read-model backend');
    browser = await launchChromium();
    stack = await startLedgerStack();
    services = await startTestServices(pglite, {
      FABRIC_CONNECTION: stack.connectionFile,
      EVM_RPC_URL: stack.evmUrl,
      EVM_DEPLOYMENT: stack.deploymentFile,
      WEB_DIST,
    });
    await services.services.catalogueSeeded;
  });

  after(async () => {
    // Each may be missing when `before` failed part-way.
    await (browser as Browser | undefined)?.close();
    await (services as TestServices | undefined)?.close();
    await (stack as LedgerStack | undefined)?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: services.url, locale: 'en-US' });
    page = await context.newPage();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      // What the page showed when the test failed, for whoever reads the CI log.
      const file = path.join(REPO_ROOT, 'test-results', `${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      process.stderr.write(`screenshot: ${file}\npage text: ${(await page.locator('main').textContent().catch(() => '')) ?? ''}\n`);
    }
    await context.close();
  });

  async function issueThroughApi(idempotencyKey: string): Promise<IssueAnswer> {
    const token = await signIn(services.url, 'officer-civil-affairs');
    const response = await api(services.url, 'POST', '/api/certificates', {
      token,
      headers: { 'idempotency-key': idempotencyKey },
      body: { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber: '110101195001011234', name: 'Wang Fang' }, fields: { eligibleFrom: '2025-01-01', greenLane: true } },
    });
    expect(response.status, response.text).to.equal(201);
    return response.body as IssueAnswer;
  }

  /** The API answers valid once the anchorer has put the root on the EVM chain. */
  async function waitUntilValid(certificate: unknown): Promise<VerifyAnswer> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await api(services.url, 'POST', '/api/verify', { body: certificate });
      const answer = response.body as VerifyAnswer;
      if (answer.valid || Date.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function verifyInPage(certificate: unknown): Promise<void> {
    await page.goto('/verify');
    await page.getByLabel('Certificate JSON').fill(JSON.stringify(certificate));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
  }

  it('verifies an issued certificate in the portal, every check passing, and rejects a copy with one changed field by integrity', async () => {
    const issued = await issueThroughApi('e2e-issue-1');
    const answer = await waitUntilValid(issued.certificate);
    expect(answer.checks.map((c) => c.name)).to.deep.equal(CHECK_NAMES);
    expect(answer.valid, JSON.stringify(answer.checks.filter((c) => !c.ok))).to.equal(true);

    await verifyInPage(issued.certificate);
    const valid = page.getByRole('status').filter({ hasText: 'Valid' });
    await valid.waitFor();
    expect(await valid.textContent()).to.contain('Valid: every check passed.');
    const checks = page.getByRole('region', { name: 'Checks' }).getByRole('listitem');
    expect(await checks.count()).to.equal(CHECK_NAMES.length);
    for (const text of await checks.allTextContents()) expect(text).to.contain('Passed');

    const tampered = structuredClone(issued.certificate);
    tampered.credentialSubject.greenLane = false;
    await verifyInPage(tampered);
    const invalid = page.getByRole('status').filter({ hasText: 'Not valid' });
    await invalid.waitFor();
    const integrity = page.getByRole('region', { name: 'Checks' }).getByRole('listitem').filter({ hasText: 'Content unchanged' });
    expect(await integrity.textContent()).to.contain('Failed');
  });

  it('lets a Civil Affairs officer issue from the officer page and open the result on the verify page', async () => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: /Sign in as Civil Affairs officer/ }).click();
    await page.getByRole('heading', { name: 'Issue a certificate', level: 1 }).waitFor();
    await page.getByLabel('Certificate type').selectOption({ value: 'SENIOR_CARE_CARD' });
    await page.getByLabel('Identity number').fill('110101195202024321');
    await page.getByLabel('Full name').fill('Li Wei');
    await page.getByLabel(/Eligible from/).fill('2026-01-01');
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    const link = page.getByRole('link', { name: 'Verify this certificate' });
    await link.waitFor({ timeout: 60_000 });
    await link.click();
    await page.getByRole('heading', { name: 'Verify a certificate', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    // The anchor may still be on its way; the page answers with the checks either way.
    await page.getByRole('status').filter({ hasText: /Valid|Not valid/ }).waitFor();
    const integrity = page.getByRole('region', { name: 'Checks' }).getByRole('listitem').filter({ hasText: 'Content unchanged' });
    expect(await integrity.textContent()).to.contain('Passed');
  });
});
