/**
 * What the whole-stack browser tests share: one real stack per test file (the devnet running the
 * real chaincode, the embedded EVM node with the contracts deployed, the API serving the built
 * portal, headless Chromium), issuing through the API, signing in through the portal, verifying
 * on the public verify page, and a screenshot of whatever a failing test was looking at.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../services/src/config/config';
import { certificateIdOf as idInUrn } from '../../services/src/verification';
import { testBackends } from '../../services/test/support/databases';
import { api, signIn, startTestServices, type TestServices } from '../../services/test/support/services';
import { startLedgerStack, type LedgerStack } from '../../services/test/support/stack';
import { launchChromium } from '../support/chromium';

export const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');

/** The seven checks, in the order every verifier reports them. */
export const CHECK_NAMES = ['integrity', 'batchInclusion', 'anchored', 'notRevoked', 'notExpired', 'issuerAllowed', 'ledgerRecord'];

/** The method line of a verification the browser did itself, against the public chain. */
export const IN_BROWSER = /^Checked in this browser, directly against the public trust ledger \(chain \d+\)\.$/;

export interface IssueAnswer {
  certificateId: string;
  certificate: { credentialSubject: Record<string, unknown> } & Record<string, unknown>;
  transactionId: string;
  blockNumber: number;
}

export interface VerifyAnswer {
  valid: boolean;
  checks: { name: string; ok: boolean; code?: string; detail: string }[];
}

/** A running stack for one test file. */
export interface E2eStack {
  readonly browser: Browser;
  readonly services: TestServices;
  /** The API and the portal. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the ledgers, the API (serving the built portal, telling browsers the EVM node's own
 * URL as the public JSON-RPC endpoint) and Chromium. Closes whatever started if a later part fails.
 *
 * @throws when the portal is not built, or when a part cannot start.
 */
export async function startE2eStack(): Promise<E2eStack> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('the portal is not built: run `npm run build:web` first');
  const pglite = testBackends()[0];
  if (pglite === undefined) throw new Error('no read-model backend');
  let browser: Browser | undefined;
  let stack: LedgerStack | undefined;
  try {
    browser = await launchChromium();
    stack = await startLedgerStack();
    const services = await startTestServices(pglite, {
      ...stack.env,
      PUBLIC_EVM_RPC_URL: stack.evmUrl,
      WEB_DIST,
    });
    await services.services.catalogueSeeded;
    const started = { browser, stack };
    return {
      browser,
      services,
      url: services.url,
      async close() {
        await started.browser.close();
        await services.close();
        await started.stack.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await stack?.close();
    throw err;
  }
}

/** Saves what the page showed when a test failed (test-results/<title>.png), for whoever reads the CI log. */
export async function screenshotIfFailed(test: Mocha.Test | undefined, page: Page): Promise<void> {
  if (test?.state !== 'failed') return;
  const file = path.join(REPO_ROOT, 'test-results', `${test.title.replace(/\W+/g, '-').slice(0, 60)}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  process.stderr.write(`screenshot: ${file}\npage text: ${(await page.locator('main').textContent().catch(() => '')) ?? ''}\n`);
}

/** A Senior Care Card for `holder`, issued through the API by the Civil Affairs officer. */
export async function issueThroughApi(base: string, idempotencyKey: string, holder: { idNumber: string; name: string } = { idNumber: '110101195001011239', name: 'Wang Fang' }): Promise<IssueAnswer> {
  const token = await signIn(base, 'officer-civil-affairs');
  const response = await api(base, 'POST', '/api/certificates', {
    token,
    headers: { 'idempotency-key': idempotencyKey },
    body: { typeCode: 'SENIOR_CARE_CARD', holder, fields: { eligibleFrom: '2025-01-01', greenLane: true } },
  });
  expect(response.status, response.text).to.equal(201);
  return response.body as IssueAnswer;
}

/** A row of a batch: what `POST /api/certificate-batches` takes per certificate. */
export interface BatchItem {
  holder: { idNumber: string; name: string };
  fields: Record<string, string | boolean | number>;
}

/**
 * Issues Senior Care Cards as one batch through the API (the Civil Affairs officer) and returns
 * their documents, in row order. Batch issuance is what stores a holder's document for their
 * wallet, printing and sharing.
 */
export async function issueBatchThroughApi(base: string, batchId: string, items: readonly BatchItem[]): Promise<IssueAnswer['certificate'][]> {
  const token = await signIn(base, 'officer-civil-affairs');
  const response = await api(base, 'POST', '/api/certificate-batches', { token, headers: { 'idempotency-key': batchId }, body: { typeCode: 'SENIOR_CARE_CARD', batchId, items } });
  expect(response.status, response.text).to.equal(200);
  const last = JSON.parse(response.text.trim().split('\n').pop() ?? '{}') as { type?: string; count?: number };
  expect(last, response.text).to.include({ type: 'done', count: items.length });
  const documents = await api(base, 'GET', `/api/certificate-batches/${batchId}/documents`, { token });
  expect(documents.status, documents.text).to.equal(200);
  return documents.text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as IssueAnswer['certificate']);
}

/**
 * The certificate id of a document (its `urn:ctl:certificate:<id>`), read as the library reads it.
 *
 * @throws Error when the document has no certificate id
 */
export function certificateIdOf(document: Record<string, unknown>): string {
  const id = idInUrn(document.id);
  if (id === undefined) throw new Error(`not a certificate document: id ${JSON.stringify(document.id)}`);
  return id;
}

/** Asks the API until it answers valid (the anchorer puts the root on the chain shortly after issuance). */
export async function waitUntilValid(base: string, certificate: unknown): Promise<VerifyAnswer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await api(base, 'POST', '/api/verify', { body: certificate });
    const answer = response.body as VerifyAnswer;
    if (answer.valid || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Pastes a document into the public verify page and presses Verify. */
export async function verifyInPage(page: Page, certificate: unknown): Promise<void> {
  await page.goto('/verify');
  await page.getByLabel('Certificate JSON').fill(JSON.stringify(certificate));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

/** The verdict line once a verification has answered: "Valid: …" or "Not valid: …" (without its mark). */
export async function verdictOf(page: Page): Promise<string> {
  const verdict = page.getByRole('status').filter({ hasText: /Valid: |Not valid: / });
  await verdict.waitFor();
  return ((await verdict.textContent()) ?? '').replace(/^[^A-Za-z]+/, '').trim();
}

/** The method line under the verdict: who checked, and against what. */
export async function methodOf(page: Page): Promise<string> {
  const line = page.getByText(/^Checked (in this browser|by the service centre)/);
  await line.waitFor();
  return ((await line.textContent()) ?? '').trim();
}

/** The check's list item in the "Checks" region, by its plain-language label. */
export function checkItem(page: Page, label: string): ReturnType<Page['getByRole']> {
  return page.getByRole('region', { name: 'Checks' }).getByRole('listitem').filter({ hasText: label });
}

/** Signs in on the portal's sign-in page as the demo user whose button says "Sign in as <name>…". */
export async function signInInPortal(page: Page, name: RegExp): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('button', { name }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}
