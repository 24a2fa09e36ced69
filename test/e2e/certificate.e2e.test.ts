/**
 * The walking skeleton, whole: an officer issues an e-certificate through the API; the chaincode
 * records it on the devnet (the real fabric-gateway client, the real fabric-shim), the anchorer
 * puts its root on TrustAnchor (the embedded EVM node over JSON-RPC), the projector writes it to
 * the read model; then anyone, in headless Chromium with no account, pastes it into the portal's
 * verify page and sees every check pass, checked in the browser itself against the public chain,
 * and a copy with one changed field fails the integrity check. A second flow issues through the
 * officer page itself.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { CHECK_NAMES, IN_BROWSER, checkItem, issueThroughApi, methodOf, screenshotIfFailed, startE2eStack, verdictOf, verifyInPage, waitUntilValid, type E2eStack } from './support';

describe('e2e: one e-certificate through every real layer', function () {
  this.timeout(180_000);
  let stack: E2eStack;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    stack = await startE2eStack();
  });

  after(async () => {
    // Missing when `before` failed.
    await (stack as E2eStack | undefined)?.close();
  });

  beforeEach(async () => {
    context = await stack.browser.newContext({ baseURL: stack.url, locale: 'en-US' });
    page = await context.newPage();
  });

  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, page);
    await context.close();
  });

  it('verifies an issued certificate in the browser against the public chain, every check passing, and rejects a copy with one changed field by integrity', async () => {
    const issued = await issueThroughApi(stack.url, 'e2e-issue-1');
    const answer = await waitUntilValid(stack.url, issued.certificate);
    expect(answer.checks.map((c) => c.name)).to.deep.equal(CHECK_NAMES);
    expect(answer.valid, JSON.stringify(answer.checks.filter((c) => !c.ok))).to.equal(true);

    await verifyInPage(page, issued.certificate);
    expect(await verdictOf(page)).to.contain('Valid: every check passed.');
    expect(await methodOf(page)).to.match(IN_BROWSER);
    const checks = page.getByRole('region', { name: 'Checks' }).getByRole('listitem');
    expect(await checks.count()).to.equal(CHECK_NAMES.length);
    for (const text of await checks.allTextContents()) expect(text).to.contain('Passed');

    const tampered = structuredClone(issued.certificate);
    tampered.credentialSubject.greenLane = false;
    await verifyInPage(page, tampered);
    expect(await verdictOf(page)).to.match(/^Not valid/);
    expect(await checkItem(page, 'Content unchanged').textContent()).to.contain('Failed');
  });

  it('lets a Civil Affairs officer issue from the officer page and open the result on the verify page', async () => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: /Sign in as Civil Affairs officer/ }).click();
    await page.getByRole('heading', { name: 'Issue a certificate', level: 1 }).waitFor();
    await page.getByLabel('Certificate type').selectOption({ value: 'SENIOR_CARE_CARD' });
    await page.getByLabel('Identity number').fill('110101195202024327');
    await page.getByLabel('Full name').fill('Li Wei');
    await page.getByLabel(/Eligible from/).fill('2026-01-01');
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    const link = page.getByRole('link', { name: 'Verify this certificate' });
    await link.waitFor({ timeout: 60_000 });
    // The printable copy of the certificate just issued, with its QR code.
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the PDF (with QR code)' }).click()]);
    expect(pdf.suggestedFilename()).to.match(/^c-[0-9a-f-]+\.pdf$/);
    expect((await readFile(await pdf.path())).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    await link.click();
    await page.getByRole('heading', { name: 'Verify a certificate', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    // The anchor may still be on its way; the page answers with the checks either way.
    await verdictOf(page);
    expect(await checkItem(page, 'Content unchanged').textContent()).to.contain('Passed');
  });
});
