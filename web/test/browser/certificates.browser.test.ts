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
    state.batchFailures = 0;
    state.batchKeys.length = 0;
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

    it('opens a pasted share link on the share page', async () => {
      stub.certificates.shares.set('pastedtoken123', { document: first().document, expiresAt: Date.now() + 60_000, revoked: false });
      await page.goto('/verify');
      await page.getByLabel('Certificate JSON').fill(`${stub.url}/s/pastedtoken123`);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Shared certificate' }).waitFor();
      expect(await verdict('Valid')).to.contain('Valid: every check passed.');
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

  describe('officer batch issue', () => {
    const csv = 'idNumber,name,birthYear,validUntil\n110101195001011234,Wang Fang,1950,\n110101195102021234,"Li, Lei",1951,\n110101195203031234,Zhao Min,1952,\n';

    it('previews a CSV, sends it with its type, shows the streamed progress, the batch and its documents', async () => {
      let release: () => void = () => undefined;
      stub.certificates.batchGate = new Promise<void>((resolve) => (release = resolve));
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batch issue' }).click();
      await page.getByLabel('Certificate type (for CSV files)').selectOption({ label: 'Elderly preferential card' });
      await page.getByLabel('Choose a CSV or JSON file').setInputFiles({ name: 'elders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByText('3 rows (CSV).').waitFor();
      const preview = page.getByRole('table', { name: 'First 3 rows' });
      expect(await preview.getByRole('row').nth(2).textContent()).to.contain('Li, Lei');
      expect(await preview.textContent()).to.contain('1101••••••••••1234');
      await page.getByRole('button', { name: 'Issue 3 certificates' }).click();
      const bar = page.getByRole('progressbar', { name: 'Issuing progress' });
      await page.waitForFunction(() => document.querySelector('#batch-progress')?.getAttribute('aria-valuetext') === 'Anchored on the public chain: 0 of 3');
      expect(await bar.getAttribute('value')).to.equal('75');
      expect(await page.getByRole('listitem').filter({ hasText: 'Recorded on the ledger' }).textContent()).to.contain('done');
      release();
      const heading = page.getByRole('heading', { name: '3 certificates issued' });
      await heading.waitFor();
      expect(await heading.evaluate((el) => el === document.activeElement)).to.equal(true);
      expect(await page.getByRole('main').textContent()).to.contain('B-1');
      const [call] = calls('POST', '/api/certificate-batches');
      expect(call?.headers['content-type']).to.equal('text/csv; charset=utf-8');
      expect(new URLSearchParams(call?.query).get('typeCode')).to.equal('ELDERLY_PREFERENTIAL');
      expect(call?.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);
      expect(call?.body).to.equal(csv);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the documents (.ndjson)' }).click()]);
      expect(download.suggestedFilename()).to.equal('B-1.ndjson');
      expect((await readFile(await download.path(), 'utf8')).trim().split('\n')).to.have.length(3);
    });

    it('reads a CSV that Excel saved in GBK as GB18030, says so, and sends it as UTF-8; refuses a file that is no text', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/batch');
      await page.getByLabel('Certificate type (for CSV files)').selectOption({ label: 'Elderly preferential card' });
      // 王芳 and 李雷 in GBK, as Excel's "CSV" writes them on Chinese Windows
      const gbk = Buffer.concat([
        Buffer.from('idNumber,name,birthYear\n110101195001011234,'),
        Buffer.from([0xcd, 0xf5, 0xb7, 0xbc]),
        Buffer.from(',1950\n110101195102021234,'),
        Buffer.from([0xc0, 0xee, 0xc0, 0xd7]),
        Buffer.from(',1951\n'),
      ]);
      await page.getByLabel('Choose a CSV or JSON file').setInputFiles({ name: 'elders.csv', mimeType: 'text/csv', buffer: gbk });
      await page.getByText('2 rows (CSV).').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'read as GB18030' }).count()).to.equal(1);
      expect(await page.getByRole('table', { name: 'First 2 rows' }).textContent()).to.contain('王芳').and.contain('李雷');
      await page.getByRole('button', { name: 'Issue 2 certificates' }).click();
      await page.getByRole('heading', { name: /certificates issued/ }).waitFor();
      const [call] = calls('POST', '/api/certificate-batches');
      expect(call?.body).to.equal('idNumber,name,birthYear\n110101195001011234,王芳,1950\n110101195102021234,李雷,1951\n');

      await page.getByRole('button', { name: 'Issue another batch' }).click();
      await page.getByLabel('Choose a CSV or JSON file').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x80, 0x81, 0xfe]) });
      await page.getByRole('alert').filter({ hasText: 'not text in UTF-8 or GB18030' }).waitFor();
      expect(await page.getByRole('button', { name: /^Issue \d+ certificates?$/ }).count()).to.equal(0);
    });

    it('lists every refused row of a JSON batch with row, field and message, and issues nothing', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/batch');
      const batch = {
        typeCode: 'RESIDENCE_PROOF',
        items: [
          { holder: { idNumber: '110101195001011234', name: 'Wang Fang' }, fields: { address: '1 Harmony Road' } },
          { holder: { idNumber: '', name: 'Li Lei' }, fields: { address: '2 Harmony Road' } },
          { holder: { idNumber: '110101195203031234', name: '' }, fields: { address: '3 Harmony Road' } },
        ],
      };
      await page.getByLabel('Or paste the CSV or JSON text').fill(JSON.stringify(batch));
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByText('3 rows (JSON).').waitFor();
      await page.getByRole('button', { name: 'Issue 3 certificates' }).click();
      const errors = page.getByRole('region', { name: 'Rows with problems' }).getByRole('table');
      await errors.waitFor();
      expect(await page.getByText('2 problem(s) found. Nothing was issued').count()).to.equal(1);
      const rows = await errors.getByRole('row').allTextContents();
      // Each problem names the file's column and what it holds.
      expect(rows.slice(1)).to.deep.equal(['2idNumber · Identity numberis required', '3name · Full nameis required']);
      expect(JSON.parse(calls('POST', '/api/certificate-batches')[0]?.body ?? '')).to.deep.equal(batch);
      expect(stub.certificates.batches.size).to.equal(0);
    });

    it('words the refused rows in Chinese, from the codes the API sends', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.getByRole('button', { name: '中文' }).click();
      await page.goto('/officer/batch');
      const batch = {
        typeCode: 'RESIDENCE_PROOF',
        items: [
          { holder: { idNumber: '', name: 'Li Lei' }, fields: { address: '2 Harmony Road' } },
          { holder: { idNumber: '110101195203031234', name: '王'.repeat(101) }, fields: { address: '3 Harmony Road' } },
        ],
      };
      await page.getByLabel('或粘贴 CSV 或 JSON 文本').fill(JSON.stringify(batch));
      await page.getByRole('button', { name: '预览' }).click();
      await page.getByRole('button', { name: '签发 2 份证照' }).click();
      const errors = page.getByRole('region', { name: '有问题的行' }).getByRole('table');
      await errors.waitFor();
      const rows = await errors.getByRole('row').allTextContents();
      expect(rows.slice(1)).to.deep.equal(['1idNumber · 身份证号为必填项', '2name · 姓名超过 100 个字符']);
      expect(stub.certificates.batches.size).to.equal(0);

      // Rows that repeat an earlier one are listed the same way.
      const twice = { holder: { idNumber: '110101195001011234', name: 'Li Lei' }, fields: { address: '2 Harmony Road' } };
      await page.getByLabel('或粘贴 CSV 或 JSON 文本').fill(JSON.stringify({ typeCode: 'RESIDENCE_PROOF', items: [twice, { ...twice, holder: { ...twice.holder, name: 'Li Mei' } }, twice] }));
      await page.getByRole('button', { name: '预览' }).click();
      await page.getByRole('button', { name: '签发 3 份证照' }).click();
      await page.getByRole('region', { name: '有问题的行' }).getByRole('table').getByRole('row').nth(1).filter({ hasText: '与第 1 行重复' }).waitFor();
      expect((await errors.getByRole('row').allTextContents()).slice(1)).to.deep.equal(['3整行与第 1 行重复：持证人、类型和字段均相同']);

      // A problem of the whole batch, in Chinese too, with the service's words kept under it.
      stub.certificates.batchFailures = 1;
      await page.getByLabel('或粘贴 CSV 或 JSON 文本').fill(JSON.stringify({ typeCode: 'RESIDENCE_PROOF', items: [{ holder: { idNumber: '110101195001011234', name: 'Li Lei' }, fields: { address: '2 Harmony Road' } }] }));
      await page.getByRole('button', { name: '预览' }).click();
      await page.getByRole('button', { name: '签发 1 份证照' }).click();
      const alert = page.getByRole('alert').filter({ hasText: '暂时无法连接账本' });
      await alert.waitFor();
      expect(await alert.textContent()).to.contain('服务返回的说明：The ledger stopped answering');
    });

    it('shows an error line from the ledger, and sends the batch again with the same Idempotency-Key to finish it', async () => {
      stub.certificates.batchFailures = 1;
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/batch');
      await page.getByLabel('Or paste the CSV or JSON text').fill(csv);
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('button', { name: 'Issue 3 certificates' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'The ledger stopped answering after recording the batch' });
      await alert.waitFor();
      // The portal's words for LEDGER.UNAVAILABLE, with the service's own under them.
      expect((await alert.locator('p').allTextContents()).slice(0, 2)).to.deep.equal([
        'The ledger cannot be reached. Try again in a moment; nothing is lost.',
        'From the service: The ledger stopped answering after recording the batch; send it again to finish',
      ]);
      await page.getByRole('button', { name: 'Issue 3 certificates' }).click();
      await page.getByRole('heading', { name: '3 certificates issued' }).waitFor();
      expect(stub.certificates.batchKeys).to.have.length(2);
      expect(stub.certificates.batchKeys[0]).to.equal(stub.certificates.batchKeys[1]);
    });

    it('refuses what cannot be a batch before sending anything', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/batch');
      await page.getByLabel('Or paste the CSV or JSON text').fill('name,birthYear\nWang Fang,1950\n');
      await page.getByRole('button', { name: 'Preview' }).click();
      expect(await page.getByRole('alert').textContent()).to.equal('The CSV header lacks the column(s): idNumber.');
      expect(await page.getByRole('button', { name: /^Issue/ }).count()).to.equal(0);
      expect(calls('POST', '/api/certificate-batches')).to.have.length(0);
    });
  });

  describe('officer status', () => {
    it('revokes a certificate with a reason after confirmation, and shows the new status and history', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificate status' }).click();
      await page.getByLabel('Certificate id').fill(first().record.id);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: `Certificate ${first().record.id}` }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Current status' }).textContent()).to.contain('In force');
      expect(await page.getByRole('group', { name: 'Change' }).getByRole('radio').count()).to.equal(2);
      await page.getByLabel('Revoke (final)').check();
      await page.getByLabel('Reason').selectOption({ label: 'Issued by mistake' });
      await page.getByLabel('Note').fill('Wrong address on the application');
      await page.getByRole('button', { name: 'Review the change' }).click();
      const confirm = page.getByRole('region', { name: 'Please confirm' });
      expect(await confirm.textContent()).to.contain('This cannot be undone.');
      expect(calls('POST', /\/status$/)).to.have.length(0);
      await page.getByRole('button', { name: 'Yes, revoke' }).click();
      await page.getByText('Status changed.').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Status changed.' }).textContent()).to.contain('Revoked');
      const history = page.getByRole('table', { name: 'Status history' });
      expect(await history.textContent()).to.contain('Issued by mistake');
      expect(await page.getByText('No change is possible: a revoked certificate stays revoked.').count()).to.equal(1);
      const [call] = calls('POST', `/api/certificates/${first().record.id}/status`);
      expect(JSON.parse(call?.body ?? '')).to.deep.equal({ action: 'revoke', reasonCode: 'ISSUED_IN_ERROR', reasonText: 'Wrong address on the application' });
      expect(call?.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);
    });

    it('suspends a whole batch and offers only reinstate or revoke afterwards', async () => {
      stub.certificates.batches.set('B-9', {
        batchId: 'B-9', typeCode: 'RESIDENCE_PROOF', issuerMsp: 'CivilAffairsMSP', root: `0x${'cd'.repeat(32)}`, count: 2, status: 'ISSUED',
        issuedAt: new Date().toISOString(), anchor: { anchored: true }, statusChanges: [], documents: [],
      });
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/status');
      await page.getByLabel('A whole batch').check();
      await page.getByLabel('Batch id').fill('B-9');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: 'Batch B-9 (2 certificates)' }).waitFor();
      await page.getByLabel('Suspend (it can be reinstated)').check();
      await page.getByRole('button', { name: 'Review the change' }).click();
      await page.getByRole('button', { name: 'Yes, suspend' }).click();
      await page.getByText('Status changed.').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Status changed.' }).textContent()).to.contain('Suspended');
      const offered = page.getByRole('group', { name: 'Change' }).getByRole('radio');
      expect(await offered.evaluateAll((els) => els.map((el) => el.id))).to.deep.equal(['action-reinstate', 'action-revoke']);
      expect(JSON.parse(calls('POST', '/api/certificate-batches/B-9/status')[0]?.body ?? '')).to.deep.equal({ action: 'suspend', reasonCode: 'UNDER_REVIEW', reasonText: '' });
    });

    it('says when nothing has that id', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/officer/status');
      await page.getByLabel('Certificate id').fill('NO-SUCH-1');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('alert').filter({ hasText: 'no such certificate' }).waitFor();
    });
  });

  describe('resident wallet', () => {
    it('lists my certificates with their status and shows one with every field and its history', async () => {
      await signInAs(/Sign in as Resident/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My certificates' }).click();
      await page.getByRole('heading', { level: 1, name: 'My certificates' }).waitFor();
      await page.getByRole('link', { name: 'Open Proof of residence' }).first().waitFor();
      const cards = page.getByRole('main').getByRole('listitem');
      expect(await cards.count()).to.equal(2);
      expect(await cards.first().textContent()).to.contain('In force');
      await page.getByRole('link', { name: 'Open Proof of residence' }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Proof of residence' }).waitFor();
      const main = (await page.getByRole('main').textContent()) ?? '';
      for (const text of [first().record.id, 'Harmony Community', 'Harmony Road', 'Civil Affairs', 'No status changes since it was issued.']) expect(main).to.contain(text);
    });

    it('shares a copy with chosen fields hidden, shows its link and QR code, copies and revokes it', async () => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await signInAs(/Sign in as Resident/);
      await page.goto(`/wallet/certificates/${first().record.id}`);
      await page.getByRole('heading', { name: 'Share', exact: true }).waitFor();
      // Only personal fields can be ticked; the others are listed as always shown.
      const boxes = await page.getByRole('checkbox').evaluateAll((els) => els.map((el) => el.id));
      expect(boxes).to.deep.equal(['hide-holderName', 'hide-address', 'hide-birthDate', 'hide-ownsHome']);
      expect(await page.getByRole('group', { name: 'Fields to hide' }).textContent()).to.contain('community');
      await page.getByLabel('Hide address').check();
      await page.getByLabel('Hide birthDate').check();
      await page.getByLabel('The link works for').selectOption({ label: '1 hour' });
      await page.getByRole('button', { name: 'Create share link' }).click();
      const link = page.getByLabel('Share link', { exact: true });
      await link.waitFor();
      const url = await link.inputValue();
      expect(url).to.match(new RegExp(`^${stub.url}/s/[A-Za-z0-9_-]+$`));
      const [call] = calls('POST', `/api/wallet/certificates/${first().record.id}/disclosures`);
      expect(JSON.parse(call?.body ?? '')).to.deep.equal({ hideFields: ['address', 'birthDate'], expiresInSeconds: 3600 });
      const qr = page.getByRole('img', { name: 'QR code of the share link' });
      await qr.waitFor();
      await page.getByRole('button', { name: 'Copy link' }).click();
      await page.getByText('Link copied.').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(url);

      // The QR code on the page, scanned from a screenshot, opens the same link and verifies.
      const shot = await qr.screenshot();
      const viewer = await context.newPage();
      await viewer.goto('/verify');
      await viewer.getByLabel('Or choose a photo or screenshot of a QR code').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: shot });
      await viewer.waitForURL(url);
      await viewer.getByRole('status').filter({ hasText: 'Valid: every check passed.' }).waitFor();
      expect(await viewer.getByText('The holder hid 2 field(s) in this copy; it still verifies.').count()).to.equal(1);

      await page.getByRole('button', { name: 'Revoke this link' }).click();
      await page.getByText('The link is revoked: it no longer opens the certificate.').waitFor();
      expect(calls('DELETE', '/api/wallet/disclosures/D-1')).to.have.length(1);
      await viewer.goto(url);
      await viewer.getByRole('alert').filter({ hasText: 'does not exist, or the holder revoked it' }).waitFor();
    });

    it('downloads the PDF and the offline bundle', async () => {
      await signInAs(/Sign in as Resident/);
      const id = first().record.id;
      await page.goto(`/wallet/certificates/${id}`);
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the PDF (with QR code)' }).click()]);
      expect(pdf.suggestedFilename()).to.equal(`${id}.pdf`);
      expect(await readFile(await pdf.path(), 'utf8')).to.match(/^%PDF-/);
      const [bundle] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the offline bundle (.json)' }).click()]);
      expect(bundle.suggestedFilename()).to.equal(`${id}-bundle.json`);
      expect(JSON.parse(await readFile(await bundle.path(), 'utf8'))).to.have.property('format', 'ctl-offline-bundle/1');
    });

    it('gives a department consent for chosen types, and sends nothing without a type', async () => {
      await signInAs(/Sign in as Resident/);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consents for departments' }).click();
      await page.getByLabel('Department').selectOption({ label: 'Human Resources and Social Security' });
      await page.getByLabel('Purpose').fill('Pension application');
      await page.getByRole('button', { name: 'Give consent' }).click();
      expect(await page.getByRole('alert').textContent()).to.equal('Choose at least one type.');
      expect(calls('POST', '/api/wallet/consents')).to.have.length(0);
      await page.getByLabel('Proof of residence').check();
      await page.getByLabel('Valid for').selectOption({ label: '7 days' });
      await page.getByRole('button', { name: 'Give consent' }).click();
      await page.getByText('Human Resources and Social Security may fetch the chosen certificates once').waitFor();
      expect(JSON.parse(calls('POST', '/api/wallet/consents')[0]?.body ?? '')).to.deep.equal({
        audienceMsp: 'HRSocialSecurityMSP',
        typeCodes: ['RESIDENCE_PROOF'],
        purpose: 'Pension application',
        expiresInSeconds: 604800,
      });
    });

    it('shows the wallet in Chinese with large text, statuses in words', async () => {
      await signInAs(/Sign in as Resident/);
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('button', { name: '大字高对比' }).click();
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的证照' }).click();
      await page.getByRole('link', { name: '打开Proof of residence' }).first().waitFor();
      expect(await page.getByRole('main').getByRole('listitem').first().textContent()).to.contain('有效');
      await page.getByRole('link', { name: '打开Proof of residence' }).first().click();
      await page.getByRole('button', { name: '生成分享链接' }).waitFor();
      expect(await page.getByRole('group', { name: '要隐藏的字段' }).getByRole('checkbox').count()).to.equal(4);
      expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))).to.be.at.least(20);
    });

    it('keeps the wallet from officers', async () => {
      await signInAs(/Sign in as Civil Affairs officer/);
      await page.goto('/wallet');
      await page.getByRole('heading', { name: 'Not available for your role', level: 1 }).waitFor();
    });
  });
});
