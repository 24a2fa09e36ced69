/**
 * Issue 7 end to end through the API, against the real devnet (chaincode in fabric-shim) and the
 * embedded EVM node with the contracts deployed: batch issuance (JSON and CSV, streamed,
 * idempotent and resumable, bad input refused with nothing issued), wallet isolation,
 * disclosures and share links, offline bundles, PDF/PNG QR codes that verify, consents and the
 * zero-material fetch, suspension/reinstatement/revocation per certificate and per batch seen by
 * verification within seconds and on TrustAnchor, expiry and "valid on date D", and the
 * authorisation matrix of every route.
 */
import { expect } from 'chai';
import jsQR from 'jsqr';
import { sql, type Kysely } from 'kysely';
import { inflateSync } from 'node:zlib';
import { DEMO_ID_NUMBERS } from '../../src/identity/demo-users';
import { ROLES, isAllowed, type Role } from '../../src/identity/principal';
import { LedgerError } from '../../src/ledger/ledger-errors';
import type { Database } from '../../src/readmodel/schema';
import { inertRouteTable } from '../../src/routes';
import { decodeQrPayload, keyIdOf, verifyOfflineBundle, type OfflineBundle } from '../../src/verification';
import { testBackends } from '../support/databases';
import { residentId } from '../support/fixtures';
import { api, signIn, startTestServices, type TestServices } from '../support/services';
import { startLedgerStack, type LedgerStack } from '../support/stack';
import { waitFor } from '../support/wait';

type Json = Record<string, unknown>;
interface Check {
  name: string;
  ok: boolean;
  code: string;
  facts?: Record<string, unknown>;
}
interface Verdict {
  valid: boolean;
  checks: Check[];
}

function lines(text: string): Json[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

function checkOf(verdict: Verdict, name: string): Check {
  const found = verdict.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name}`);
  return found;
}

async function count(db: Kysely<Database>, table: 'certificates' | 'certificate_documents' | 'zero_material_fetches'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Undoes PNG row filters (also PDF's /Predictor 15): `bpp` bytes per pixel, each row led by its filter byte. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array[] {
  const stride = width * bpp;
  const rows: Uint8Array[] = [];
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    const row = new Uint8Array(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= bpp ? (row[i - bpp] ?? 0) : 0;
      const up = previous[i] ?? 0;
      const upLeft = i >= bpp ? (previous[i - bpp] ?? 0) : 0;
      const x = row[i] ?? 0;
      if (filter === 1) row[i] = (x + left) & 255;
      else if (filter === 2) row[i] = (x + up) & 255;
      else if (filter === 3) row[i] = (x + ((left + up) >> 1)) & 255;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        row[i] = (x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft)) & 255;
      }
    }
    rows.push(row);
    previous = row;
  }
  return rows;
}

/** Grey or RGB(A) rows as the RGBA pixels jsQR reads. */
function rgba(rows: readonly Uint8Array[], width: number, channels: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * rows.length * 4);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) {
      const at = x * channels;
      const [r, g, b] = channels >= 3 ? [row[at] ?? 0, row[at + 1] ?? 0, row[at + 2] ?? 0] : [row[at] ?? 0, row[at] ?? 0, row[at] ?? 0];
      out.set([r, g, b, 255], (y * width + x) * 4);
    }
  });
  return out;
}

/** Decodes an 8-bit PNG (what the qrcode package writes) into RGBA pixels. */
function readPng(png: Buffer): { data: Uint8ClampedArray; width: number; height: number } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9] ?? 6] ?? 4;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  return { data: rgba(unfilter(inflateSync(Buffer.concat(idat)), width, height, channels), width, channels), width, height };
}

/** The QR code image inside a PDF written by pdfkit: its image XObject, inflated and un-predicted. */
function qrImageFromPdf(pdf: Buffer): { data: Uint8ClampedArray; width: number; height: number } {
  const text = pdf.toString('latin1');
  const marker = /\/Subtype \/Image[\s\S]*?stream\r?\n/g;
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
    const header = text.slice(text.lastIndexOf('<<', m.index), m.index + m[0].length);
    // An RGBA PNG is embedded as the colour image plus a grey soft mask (its alpha): skip the mask.
    if (!header.includes('/DeviceRGB') && text.includes('/SMask')) continue;
    const width = Number(/\/Width (\d+)/.exec(header)?.[1]);
    const height = Number(/\/Height (\d+)/.exec(header)?.[1]);
    const colors = header.includes('/DeviceRGB') ? 3 : 1;
    const length = Number(/\/Length (\d+)/.exec(header)?.[1]);
    const start = m.index + m[0].length;
    const raw = inflateSync(pdf.subarray(start, start + length));
    const rows = header.includes('/Predictor')
      ? unfilter(raw, width, height, colors)
      : Array.from({ length: height }, (_, y) => raw.subarray(y * width * colors, (y + 1) * width * colors));
    return { data: rgba(rows, width, colors), width, height };
  }
  throw new Error('the PDF holds no image');
}

const SENIOR = (idNumber: string, name: string, greenLane = true): Json => ({ holder: { idNumber, name }, fields: { eligibleFrom: '2025-01-01', greenLane } });

describe('e-certificates end to end (issue 7)', function () {
  this.timeout(600_000);
  let stack: LedgerStack;

  before(async () => {
    stack = await startLedgerStack();
  });
  after(async () => {
    await stack.close();
  });

  for (const [index, backend] of testBackends().entries()) {
    describe(`on ${backend.name}`, () => {
      let t: TestServices;
      let officer: string;
      let resident: string;
      let volunteer: string;
      let batch: { batchId: string; root: string; transactionIds: string[] };
      const documents = new Map<string, Json>();
      const key = (name: string): Record<string, string> => ({ 'idempotency-key': `${name}-${String(index)}` });

      const verify = async (body: unknown, asOf?: string): Promise<Verdict> => {
        const response = await api(t.url, 'POST', `/api/verify${asOf === undefined ? '' : `?asOf=${encodeURIComponent(asOf)}`}`, { body });
        expect(response.status, response.text).to.equal(200);
        return response.body as Verdict;
      };
      const walletIdOf = async (token: string): Promise<string> => {
        const list = (await api(t.url, 'GET', '/api/wallet/certificates', { token })).body as { id: string }[];
        const first = list[0];
        if (first === undefined) throw new Error('empty wallet');
        return first.id;
      };

      before(async () => {
        t = await startTestServices(backend, {
          ...stack.env,
          RATE_LIMIT_PER_MINUTE: '100000',
        });
        await t.services.catalogueSeeded;
        officer = await signIn(t.url, 'officer-civil-affairs');
        resident = await signIn(t.url, 'resident');
        volunteer = await signIn(t.url, 'volunteer');
        await waitFor('the catalogue in the read model', async () => {
          const types = (await api(t.url, 'GET', '/api/certificate-types', { token: officer })).body as unknown[];
          return types.length > 0 ? types : undefined;
        });
      });
      after(async () => {
        await t.close();
      });

      it('issues a JSON batch with streamed progress; the root is anchored and every document verifies', async () => {
        const items = [SENIOR(DEMO_ID_NUMBERS.resident ?? '', 'Zhang San'), SENIOR(DEMO_ID_NUMBERS.volunteer ?? '', 'Li Si'), SENIOR('110105195505050034', 'Wang Wu', false)];
        const response = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('batch'), body: { typeCode: 'SENIOR_CARE_CARD', items } });
        expect(response.status, response.text).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^application\/x-ndjson/);
        const stream = lines(response.text);
        expect(stream.map((l) => (l.type === 'progress' ? l.phase : l.type))).to.deep.equal(['validated', 'wrapped', 'recorded', 'anchored', 'done']);
        const done = stream[stream.length - 1] as Json & { batchId: string; root: string; transactionIds: string[] };
        expect(done).to.include({ count: 3, anchored: true });
        expect(done.transactionIds).to.have.length(1);
        batch = done;

        const view = await api(t.url, 'GET', `/api/certificate-batches/${done.batchId}`, { token: officer });
        expect(view.status, view.text).to.equal(200);
        expect(view.body).to.deep.include({ batchId: done.batchId, root: done.root, count: 3, status: 'ISSUED', issuerMsp: 'CivilAffairsMSP' });
        expect((view.body as { anchor: { anchored: boolean } }).anchor.anchored).to.equal(true);

        const docs = await api(t.url, 'GET', `/api/certificate-batches/${done.batchId}/documents`, { token: officer });
        expect(docs.status).to.equal(200);
        const issued = lines(docs.text);
        expect(issued).to.have.length(3);
        expect(JSON.stringify(issued)).to.include('Zhang San').and.not.include(DEMO_ID_NUMBERS.resident);
        for (const document of issued) {
          const verdict = await verify(document);
          expect(verdict.checks.map((c) => [c.name, c.code])).to.deep.equal([
            ['integrity', 'OK'],
            ['batchInclusion', 'OK'],
            ['anchored', 'OK'],
            ['notRevoked', 'OK'],
            ['notExpired', 'OK'],
            ['issuerAllowed', 'OK'],
            ['ledgerRecord', 'OK'],
          ]);
          documents.set(String(document.id).replace('urn:ctl:certificate:', ''), document);
        }
      });

      it('issues a batch in parts: opened first, the parts recorded side by side, every certificate projected and the root anchored once', async () => {
        const items = Array.from({ length: 1_001 }, (_, i) => SENIOR(residentId(`1101051940${String(i).padStart(7, '0')}`), `Part Holder ${String(i)}`));
        const fabric = t.services.fabric;
        const original = fabric.submit.bind(fabric);
        const submitted: string[] = [];
        fabric.submit = (...args: Parameters<typeof fabric.submit>) => {
          submitted.push(args[1]);
          return original(...args);
        };
        let response: Awaited<ReturnType<typeof api>>;
        try {
          response = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('parts'), body: { typeCode: 'SENIOR_CARE_CARD', items } });
        } finally {
          fabric.submit = original;
        }
        expect(response.status, response.text).to.equal(200);
        expect(submitted).to.deep.equal(['certificate:OpenBatch', 'certificate:IssueBatch', 'certificate:IssueBatch']);
        const done = lines(response.text).pop() as Json & { batchId: string; root: string; transactionIds: string[] };
        expect(done, response.text.slice(-500)).to.include({ type: 'done', count: 1_001, anchored: true });
        expect(done.transactionIds).to.have.length(2);
        const onLedger = JSON.parse(Buffer.from(await t.services.fabric.evaluate({ mspId: 'CivilAffairsMSP', identity: 'user' }, 'certificate:GetBatch', [done.batchId])).toString('utf8')) as {
          partCount: number;
          issuedCount: number;
          complete: boolean;
        };
        expect(onLedger).to.include({ partCount: 2, issuedCount: 1_001, complete: true });
        const projected = await waitFor('every certificate of the batch in the read model', async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates where batch_id = ${done.batchId}`.execute(t.services.database.db);
          return rows[0]?.n === 1_001 ? rows[0].n : undefined;
        });
        expect(projected).to.equal(1_001);
      });

      it('answers a replayed batch with the same lines and issues nothing twice', async () => {
        const before = await count(t.services.database.db, 'certificates');
        const items = [SENIOR(DEMO_ID_NUMBERS.resident ?? '', 'Zhang San'), SENIOR(DEMO_ID_NUMBERS.volunteer ?? '', 'Li Si'), SENIOR('110105195505050034', 'Wang Wu', false)];
        const replay = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('batch'), body: { typeCode: 'SENIOR_CARE_CARD', items } });
        expect(replay.status).to.equal(200);
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        expect(lines(replay.text).pop()).to.deep.include({ type: 'done', batchId: batch.batchId, root: batch.root });
        expect(await count(t.services.database.db, 'certificates')).to.equal(before);
      });

      it('resumes a batch whose commit answer was lost: a retry with the same key finishes it, issuing nothing twice', async () => {
        const fabric = t.services.fabric;
        const original = fabric.submit.bind(fabric);
        let lost = 0;
        fabric.submit = async (...args: Parameters<typeof fabric.submit>) => {
          const outcome = await original(...args);
          if (args[1] === 'certificate:IssueBatch' && lost === 0) {
            lost++;
            throw new LedgerError('fabric', 504, 'LEDGER.COMMIT_UNKNOWN', 'the commit answer was lost (test)', { transactionId: outcome.transactionId });
          }
          return outcome;
        };
        const body = { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR('110105196606060041', 'Zhao Liu'), SENIOR('110105196707070054', 'Sun Qi')] };
        try {
          const first = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('resume'), body });
          expect(first.status).to.equal(200);
          const failed = lines(first.text).pop() as { type: string; problem: { code: string } };
          expect(failed.type).to.equal('error');
          expect(failed.problem.code).to.equal('LEDGER.COMMIT_UNKNOWN');
        } finally {
          fabric.submit = original;
        }
        const retry = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('resume'), body });
        expect(retry.status, retry.text).to.equal(200);
        const done = lines(retry.text).pop() as { type: string; batchId: string; count: number; transactionIds: string[] };
        expect(done).to.include({ type: 'done', count: 2 });
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates where batch_id = ${done.batchId}`.execute(t.services.database.db);
        expect(rows[0]?.n).to.equal(2);
      });

      it('refuses bad batches with row-level errors and issues nothing: malformed rows, duplicates, over 10,000, bad CSV, unknown type', async () => {
        const db = t.services.database.db;
        const before = [await count(db, 'certificates'), await count(db, 'certificate_documents')];
        const height = ((await api(t.url, 'GET', '/api/health')).body as { fabric: { height: number } }).fabric.height;
        const post = (name: string, body: unknown, extra: { rawBody?: string; headers?: Record<string, string>; query?: string } = {}) =>
          api(t.url, 'POST', `/api/certificate-batches${extra.query ?? ''}`, { token: officer, headers: { ...key(name), ...extra.headers }, body, rawBody: extra.rawBody });

        const malformed = await post('bad-rows', {
          typeCode: 'SENIOR_CARE_CARD',
          items: [SENIOR('110105197001010011', 'Ok'), { holder: { idNumber: '', name: 'No Id' }, fields: { eligibleFrom: '2025-01-01', greenLane: true } }, SENIOR('110105197001010011', 'Ok 2'), { holder: { idNumber: '110105197001010011', name: 'Bad' }, fields: { eligibleFrom: 'soon', greenLane: 'maybe' } }, { holder: { idNumber: '', name: 'Both' }, fields: { eligibleFrom: 'soon', greenLane: true }, validUntil: '2020-01-01T00:00:00Z' }],
        });
        expect(malformed.status, malformed.text).to.equal(422);
        const problem = malformed.body as { code: string; errors: { row: number; path: string }[] };
        expect(problem.code).to.equal('BATCH.INVALID_ROWS');
        expect([...new Set(problem.errors.map((e) => e.row))]).to.deep.equal([2, 4, 5]);
        expect(problem.errors.map((e) => e.path)).to.include.members(['holder.idNumber', 'fields.eligibleFrom', 'fields.greenLane']);
        // Each problem names a code the portal words in the officer's language.
        const coded = problem.errors as { row: number; path: string; code?: string }[];
        expect(coded.map((e) => [e.row, e.path, e.code])).to.deep.include.members([
          [2, 'holder.idNumber', 'REQUIRED'],
          [4, 'fields.eligibleFrom', 'NOT_A_DATE'],
          [4, 'fields.greenLane', 'NOT_A_BOOLEAN'],
        ]);
        // A row's every problem at once: the holder's, and those of its fields and validity behind it.
        expect(coded.filter((e) => e.row === 5).map((e) => [e.path, e.code])).to.deep.equal([
          ['holder.idNumber', 'REQUIRED'],
          ['fields.eligibleFrom', 'NOT_A_DATE'],
          ['validUntil', 'NOT_IN_FUTURE'],
        ]);

        const duplicate = await post('dup', { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR('11010519700101002X', 'A'), SENIOR('11010519700101002X', 'B'), SENIOR('11010519700101002X', 'A')] });
        expect([duplicate.status, (duplicate.body as { code: string }).code]).to.deep.equal([409, 'BATCH.DUPLICATE_ROWS']);
        expect((duplicate.body as { errors: { row: number; message: string }[] }).errors[0]).to.deep.include({ row: 3, code: 'DUPLICATE_ROW', params: { row: 1 } });

        const tooMany = await post('too-many', { typeCode: 'SENIOR_CARE_CARD', items: Array.from({ length: 10_001 }, (_, i) => SENIOR(residentId(`1101051980${String(i).padStart(7, '0')}`), `P${String(i)}`)) });
        expect([tooMany.status, (tooMany.body as { code: string }).code]).to.deep.equal([413, 'BATCH.TOO_LARGE']);

        const extraMember = await post('extra-member', { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR('110105197001010038', 'A')], extra: 1 });
        expect([extraMember.status, (extraMember.body as { code: string }).code]).to.deep.equal([400, 'REQUEST.VALIDATION_FAILED']);
        expect((extraMember.body as { errors: unknown[] }).errors).to.deep.equal([{ path: 'body', message: 'unknown field: extra', code: 'UNKNOWN_FIELDS', params: { keys: 'extra' } }]);

        const unknownType = await post('unknown-type', { typeCode: 'NO_SUCH_TYPE', items: [SENIOR('110105197001010038', 'A')] });
        expect([unknownType.status, (unknownType.body as { code: string }).code]).to.deep.equal([400, 'CERT.UNKNOWN_TYPE']);

        const csv = 'idNumber,name,eligibleFrom,greenLane\n110105197001010046,Chen Yi,2025-01-01,yes\n110105197001010046,"Unclosed,2025-01-01,no\n';
        const badCsv = await post('bad-csv', undefined, { rawBody: csv, headers: { 'content-type': 'text/csv' }, query: '?typeCode=SENIOR_CARE_CARD' });
        expect([badCsv.status, (badCsv.body as { code: string }).code]).to.deep.equal([422, 'BATCH.INVALID_ROWS']);
        expect((badCsv.body as { errors: { path: string; code: string }[] }).errors.map((e) => [e.path, e.code])).to.deep.equal([['csv', 'CSV_SYNTAX']]);
        const badHeader = await post('bad-header', undefined, { rawBody: 'idNumber,name,shoeSize\n110105197001010046,Chen Er,42\n', headers: { 'content-type': 'text/csv' }, query: '?typeCode=SENIOR_CARE_CARD' });
        expect(badHeader.status).to.equal(422);
        expect((badHeader.body as { errors: { row: number; path: string }[] }).errors[0]).to.deep.include({ row: 0, path: 'header.shoeSize', code: 'NOT_IN_TYPE', params: { type: 'SENIOR_CARE_CARD' } });
        const badCsvRow = await post('bad-csv-row', undefined, {
          rawBody: 'idNumber,name,eligibleFrom,greenLane\n110105197001010046,Chen San,2025-01-01,yes\n110105197001010046,Chen Si,not a date,yes\n',
          headers: { 'content-type': 'text/csv' },
          query: '?typeCode=SENIOR_CARE_CARD',
        });
        expect(badCsvRow.status).to.equal(422);
        expect((badCsvRow.body as { errors: { row: number; path: string }[] }).errors).to.deep.equal([{ row: 2, path: 'fields.eligibleFrom', message: 'must be a date (YYYY-MM-DD)', code: 'NOT_A_DATE' }]);
        const usedId = await post('used-id', { typeCode: 'SENIOR_CARE_CARD', batchId: batch.batchId, items: [SENIOR('110105197001010054', 'A')] });
        expect([usedId.status, (usedId.body as { code: string }).code]).to.deep.equal([409, 'BATCH.ID_USED']);

        expect([await count(db, 'certificates'), await count(db, 'certificate_documents')]).to.deep.equal(before);
        expect(((await api(t.url, 'GET', '/api/health')).body as { fabric: { height: number } }).fabric.height).to.equal(height);
      });

      it('issues a CSV batch typed by the certificate type', async () => {
        const csv = 'idNumber,name,eligibleFrom,greenLane\n11010519710101006X,Qian Yi,2025-02-01,yes\n11010519710101006X,Qian Er,2025-03-01,no\n';
        const response = await api(t.url, 'POST', '/api/certificate-batches?typeCode=SENIOR_CARE_CARD', { token: officer, headers: { ...key('csv'), 'content-type': 'text/csv' }, rawBody: csv });
        expect(response.status, response.text).to.equal(200);
        const done = lines(response.text).pop() as { batchId: string; count: number };
        expect(done.count).to.equal(2);
        const docs = lines((await api(t.url, 'GET', `/api/certificate-batches/${done.batchId}/documents`, { token: officer })).text);
        expect((docs[1]?.credentialSubject as Json).greenLane).to.equal(false);
        expect((await verify(docs[0])).valid).to.equal(true);
      });

      it('reads a CSV that Excel saved in GBK when its charset is named, and refuses it row by row when it arrives as UTF-8', async () => {
        const db = t.services.database.db;
        // 'idNumber,name,eligibleFrom,greenLane' then two holders, 王芳 and 李雷, in GBK bytes
        const gbk = Buffer.concat([
          Buffer.from('idNumber,name,eligibleFrom,greenLane\n110105197201010075,'),
          Buffer.from([0xcd, 0xf5, 0xb7, 0xbc]),
          Buffer.from(',2025-02-01,yes\n110105197201010075,'),
          Buffer.from([0xc0, 0xee, 0xc0, 0xd7]),
          Buffer.from(',2025-03-01,no\n'),
        ]);
        const before = [await count(db, 'certificates'), await count(db, 'certificate_documents')];
        const asUtf8 = await api(t.url, 'POST', '/api/certificate-batches?typeCode=SENIOR_CARE_CARD', { token: officer, headers: { ...key('gbk-as-utf8'), 'content-type': 'text/csv' }, rawBody: gbk });
        expect([asUtf8.status, (asUtf8.body as { code: string }).code]).to.deep.equal([422, 'BATCH.INVALID_ROWS']);
        const errors = (asUtf8.body as { errors: { row: number; path: string; message: string }[] }).errors;
        expect(errors.map((e) => [e.row, e.path])).to.deep.equal([
          [1, 'holder.name'],
          [2, 'holder.name'],
        ]);
        expect(errors[0]?.message).to.include('U+FFFD').and.include('charset=gb18030');
        expect(errors.map((e) => (e as { code?: string }).code)).to.deep.equal(['LOST_CHARACTERS', 'LOST_CHARACTERS']);
        expect([await count(db, 'certificates'), await count(db, 'certificate_documents')]).to.deep.equal(before);

        const named = await api(t.url, 'POST', '/api/certificate-batches?typeCode=SENIOR_CARE_CARD', { token: officer, headers: { ...key('gbk'), 'content-type': 'text/csv; charset=gb18030' }, rawBody: gbk });
        expect(named.status, named.text).to.equal(200);
        const done = lines(named.text).pop() as { batchId: string; count: number };
        const docs = lines((await api(t.url, 'GET', `/api/certificate-batches/${done.batchId}/documents`, { token: officer })).text);
        expect(docs.map((d) => (d.credentialSubject as Json).holderName)).to.deep.equal(['王芳', '李雷']);
      });

      it('refuses a holder name or field holding U+FFFD in a JSON request too, and issues nothing', async () => {
        const db = t.services.database.db;
        const before = [await count(db, 'certificates'), await count(db, 'certificate_documents')];
        const single = await api(t.url, 'POST', '/api/certificates', {
          token: officer,
          headers: key('fffd-single'),
          body: { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber: '110105197201010075', name: 'Wang \uFFFD\uFFFD' }, fields: { eligibleFrom: '2025-01-01', greenLane: true } },
        });
        expect(single.status, single.text).to.equal(400);
        expect((single.body as { errors: { path: string }[] }).errors.map((e) => e.path)).to.deep.equal(['body.holder.name']);
        const batchRow = await api(t.url, 'POST', '/api/certificate-batches', {
          token: officer,
          headers: key('fffd-batch'),
          body: { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR('110105197201010075', 'Li Lei'), { ...SENIOR('110105197201010075', 'Li Mei'), fields: { eligibleFrom: '2025-01-0\uFFFD', greenLane: true } }] },
        });
        expect([batchRow.status, (batchRow.body as { code: string }).code]).to.deep.equal([422, 'BATCH.INVALID_ROWS']);
        expect((batchRow.body as { errors: { row: number; path: string; message: string }[] }).errors.map((e) => [e.row, e.path, e.message.slice(0, 13)])).to.deep.equal([[2, 'fields.eligibleFrom', 'holds U+FFFD,']]);
        expect([await count(db, 'certificates'), await count(db, 'certificate_documents')]).to.deep.equal(before);
      });

      it('refuses a resident identity number whose check digit does not match, single or in a batch row, and issues nothing', async () => {
        const db = t.services.database.db;
        const before = [await count(db, 'certificates'), await count(db, 'certificate_documents')];
        const mistyped = '110105195505050035'; // the fixture 110105195505050034 with its last digit mistyped
        const single = await api(t.url, 'POST', '/api/certificates', { token: officer, headers: key('check-digit-single'), body: { typeCode: 'SENIOR_CARE_CARD', ...SENIOR(mistyped, 'Zhou Yi') } });
        expect(single.status, single.text).to.equal(400);
        expect((single.body as { errors: { path: string; message: string }[] }).errors).to.deep.equal([
          { path: 'body.holder.idNumber', message: 'is an 18-character resident identity number whose check digit (the last character) does not match (GB 11643): check it for a typo', code: 'ID_CHECK_DIGIT' },
        ]);
        const batchRow = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('check-digit-batch'), body: { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR(residentId('11010519560606006'), 'Zhou Er'), SENIOR(mistyped, 'Zhou San')] } });
        expect([batchRow.status, (batchRow.body as { code: string }).code]).to.deep.equal([422, 'BATCH.INVALID_ROWS']);
        expect((batchRow.body as { errors: { row: number; path: string }[] }).errors.map((e) => [e.row, e.path])).to.deep.equal([[2, 'holder.idNumber']]);
        expect([await count(db, 'certificates'), await count(db, 'certificate_documents')]).to.deep.equal(before);
      });

      it('serves the public ledger record without the holder reference, and the browser verifier configuration', async () => {
        const [id] = [...documents.keys()];
        const record = await api(t.url, 'GET', `/api/certificates/${id ?? ''}/status`);
        expect(record.status, record.text).to.equal(200);
        expect(record.body).to.include({ id, status: 'ISSUED', batchId: batch.batchId, batchRoot: batch.root });
        expect(record.body).to.not.have.property('subjectRef');
        expect(record.text).to.not.include('Zhang San');
        expect((await api(t.url, 'GET', '/api/certificates/c-none/status')).status).to.equal(404);
        const config = (await api(t.url, 'GET', '/api/public/config')).body as Json;
        expect(config).to.include({ chainId: 31337, apiBase: '/' });
        expect(config.trustAnchor).to.match(/^0x[0-9a-fA-F]{40}$/);
      });

      it('keeps wallets apart: a resident lists and opens only their own certificates; another\'s is a 404', async () => {
        const list = (await api(t.url, 'GET', '/api/wallet/certificates', { token: resident })).body as { id: string; typeName: string; status: string }[];
        expect(list).to.have.length(1);
        expect(list[0]).to.include({ status: 'ISSUED' });
        const own = await api(t.url, 'GET', `/api/wallet/certificates/${list[0]?.id ?? ''}`, { token: resident });
        expect(own.status).to.equal(200);
        expect(JSON.stringify((own.body as { certificate: Json }).certificate)).to.include('Zhang San');
        const volunteerList = (await api(t.url, 'GET', '/api/wallet/certificates', { token: volunteer })).body as { id: string }[];
        expect(volunteerList.map((c) => c.id)).to.not.include(list[0]?.id);
        for (const path of [`/api/wallet/certificates/${list[0]?.id ?? ''}`, `/api/wallet/certificates/${list[0]?.id ?? ''}/bundle`, `/api/certificates/${list[0]?.id ?? ''}/document.png`]) {
          const other = await api(t.url, 'GET', path, { token: volunteer });
          expect([path, other.status]).to.deep.equal([path, 404]);
        }
        const otherDisclosure = await api(t.url, 'POST', `/api/wallet/certificates/${list[0]?.id ?? ''}/disclosures`, { token: volunteer, headers: key('steal'), body: { hideFields: [], expiresInSeconds: 600 } });
        expect(otherDisclosure.status).to.equal(404);
      });

      it('discloses with hidden fields through a share link that expires or can be withdrawn; must-show fields cannot be hidden', async () => {
        const id = await walletIdOf(resident);
        const refused = await api(t.url, 'POST', `/api/wallet/certificates/${id}/disclosures`, { token: resident, headers: key('must-show'), body: { hideFields: ['eligibleFrom'], expiresInSeconds: 600 } });
        expect([refused.status, (refused.body as { code: string }).code]).to.deep.equal([422, 'DISCLOSURE.FIELD_NOT_HIDEABLE']);
        const created = await api(t.url, 'POST', `/api/wallet/certificates/${id}/disclosures`, { token: resident, headers: key('disclose'), body: { hideFields: ['holderName'], expiresInSeconds: 600 } });
        expect(created.status, created.text).to.equal(201);
        const disclosure = created.body as { disclosureId: string; shareUrl: string; document: Json; qrPayload: string; expiresAt: string };
        expect(JSON.stringify(disclosure.document)).to.not.include('Zhang San');
        expect(disclosure.shareUrl).to.match(/^\/s\/[A-Za-z0-9_-]{16,}$/);
        expect(disclosure.qrPayload).to.match(/^CTL1:/);
        const token = disclosure.shareUrl.slice(3);
        const { rows } = await sql<{ token_hash: string }>`select token_hash from disclosures where id = ${disclosure.disclosureId}`.execute(t.services.database.db);
        expect(rows[0]?.token_hash).to.match(/^[0-9a-f]{64}$/).and.not.equal(token);
        const { rows: stored } = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys where response_body::text like ${`%${token}%`}`.execute(t.services.database.db);
        expect(stored[0]?.n).to.equal(0);
        const replay = await api(t.url, 'POST', `/api/wallet/certificates/${id}/disclosures`, { token: resident, headers: key('disclose'), body: { hideFields: ['holderName'], expiresInSeconds: 600 } });
        expect((replay.body as { shareUrl: string }).shareUrl).to.equal(disclosure.shareUrl);

        const shared = await api(t.url, 'GET', `/api/shares/${token}`);
        expect(shared.status).to.equal(200);
        expect((await verify(shared.body)).valid).to.equal(true);
        expect((await api(t.url, 'GET', `/api/shares/${'x'.repeat(43)}`)).status).to.equal(404);

        const withdrawn = await api(t.url, 'DELETE', `/api/wallet/disclosures/${disclosure.disclosureId}`, { token: resident, headers: key('withdraw') });
        expect(withdrawn.status).to.equal(204);
        const gone = await api(t.url, 'GET', `/api/shares/${token}`);
        expect([gone.status, (gone.body as { code: string }).code]).to.deep.equal([410, 'SHARE.REVOKED']);
        expect((await api(t.url, 'DELETE', `/api/wallet/disclosures/${disclosure.disclosureId}`, { token: volunteer, headers: key('withdraw-other') })).status).to.equal(404);

        const short = (await api(t.url, 'POST', `/api/wallet/certificates/${id}/disclosures`, { token: resident, headers: key('short'), body: { hideFields: [], expiresInSeconds: 60 } })).body as { disclosureId: string; shareUrl: string };
        expect((await api(t.url, 'GET', `/api/shares/${short.shareUrl.slice(3)}`)).status).to.equal(200);
        await sql`update disclosures set expires_at = now() - interval '1 second' where id = ${short.disclosureId}`.execute(t.services.database.db);
        const expired = await api(t.url, 'GET', `/api/shares/${short.shareUrl.slice(3)}`);
        expect([expired.status, (expired.body as { code: string }).code]).to.deep.equal([410, 'SHARE.EXPIRED']);
        const tooLong = await api(t.url, 'POST', `/api/wallet/certificates/${id}/disclosures`, { token: resident, headers: key('too-long'), body: { hideFields: [], expiresInSeconds: 31 * 24 * 3600 } });
        expect(tooLong.status).to.equal(400);
      });

      it('gives the holder an offline bundle that verifies with no network, trusting the department key', async () => {
        const id = await walletIdOf(resident);
        const response = await api(t.url, 'GET', `/api/wallet/certificates/${id}/bundle`, { token: resident });
        expect(response.status, response.text).to.equal(200);
        expect(response.headers.get('content-disposition')).to.match(/attachment/);
        const bundle = response.body as OfflineBundle;
        const trusted = bundle.keys.map((k) => keyIdOf(k.jwk));
        const offline = await verifyOfflineBundle(bundle, { trustedKeyIds: trusted });
        expect(offline.valid, JSON.stringify(offline.checks)).to.equal(true);
        const untrusted = await verifyOfflineBundle(bundle, { trustedKeyIds: [] });
        expect(untrusted.valid).to.equal(false);
      });

      it('prints a PDF and a PNG whose QR code decodes to a payload that verifies, online and offline', async () => {
        const id = await walletIdOf(resident);
        const png = await fetch(`${t.url}/api/certificates/${id}/document.png`, { headers: { authorization: `Bearer ${resident}` } });
        expect(png.status).to.equal(200);
        expect(png.headers.get('content-type')).to.equal('image/png');
        const image = readPng(Buffer.from(await png.arrayBuffer()));
        const fromPng = jsQR(image.data, image.width, image.height);
        expect(fromPng?.data).to.match(/^CTL1:/);
        const online = await verify({ qr: fromPng?.data });
        expect(online.valid, JSON.stringify(online.checks)).to.equal(true);
        const bundle = await decodeQrPayload(fromPng?.data ?? '');
        expect((await verifyOfflineBundle(bundle, { trustedKeyIds: bundle.keys.map((k) => keyIdOf(k.jwk)) })).valid).to.equal(true);

        const pdf = await fetch(`${t.url}/api/certificates/${id}/document.pdf`, { headers: { authorization: `Bearer ${officer}` } });
        expect(pdf.status).to.equal(200);
        expect(pdf.headers.get('content-type')).to.equal('application/pdf');
        const bytes = Buffer.from(await pdf.arrayBuffer());
        expect(bytes.subarray(0, 5).toString()).to.equal('%PDF-');
        const qr = qrImageFromPdf(bytes);
        const fromPdf = jsQR(qr.data, qr.width, qr.height);
        expect(fromPdf?.data).to.match(/^CTL1:/);
        expect((await verify({ qr: fromPdf?.data })).valid).to.equal(true);
        const otherOfficer = await signIn(t.url, 'officer-health');
        expect((await api(t.url, 'GET', `/api/certificates/${id}/document.pdf`, { token: otherOfficer })).status).to.equal(404);
      });

      it('lets one department fetch consented certificates once, only of the consented types, and audits it', async () => {
        const db = t.services.database.db;
        const consent = await api(t.url, 'POST', '/api/wallet/consents', { token: resident, headers: key('consent'), body: { audienceMsp: 'HRSocialSecurityMSP', typeCodes: ['SENIOR_CARE_CARD'], purpose: 'Elderly allowance application', expiresInSeconds: 3600 } });
        expect(consent.status, consent.text).to.equal(201);
        const { consentId } = consent.body as { consentId: string };
        const hr = await signIn(t.url, 'officer-hr-social-security');
        const wrongDepartment = await api(t.url, 'POST', '/api/zero-material/fetch', { token: officer, headers: key('zm-wrong'), body: { consentId, requiredTypes: ['SENIOR_CARE_CARD'] } });
        expect([wrongDepartment.status, (wrongDepartment.body as { code: string }).code]).to.deep.equal([403, 'CONSENT.WRONG_AUDIENCE']);
        const outOfScope = await api(t.url, 'POST', '/api/zero-material/fetch', { token: hr, headers: key('zm-scope'), body: { consentId, requiredTypes: ['SENIOR_CARE_CARD', 'RESIDENCE_PROOF'] } });
        expect([outOfScope.status, (outOfScope.body as { code: string }).code]).to.deep.equal([403, 'CONSENT.OUT_OF_SCOPE']);
        const auditBefore = await count(db, 'zero_material_fetches');
        const fetched = await api(t.url, 'POST', '/api/zero-material/fetch', { token: hr, headers: key('zm'), body: { consentId, matterCode: 'ELDERLY_ALLOWANCE', requiredTypes: ['SENIOR_CARE_CARD'] } });
        expect(fetched.status, fetched.text).to.equal(200);
        const answer = fetched.body as { certificates: { typeCode: string; certificate: Json; verification: Verdict }[]; missing: string[] };
        expect(answer.missing).to.deep.equal([]);
        expect(answer.certificates).to.have.length(1);
        expect(answer.certificates[0]?.verification.valid).to.equal(true);
        expect(JSON.stringify(answer.certificates[0]?.certificate)).to.include('Zhang San');
        expect(await count(db, 'zero_material_fetches')).to.equal(auditBefore + 1);
        const again = await api(t.url, 'POST', '/api/zero-material/fetch', { token: hr, headers: key('zm-again'), body: { consentId, requiredTypes: ['SENIOR_CARE_CARD'] } });
        expect([again.status, (again.body as { code: string }).code]).to.deep.equal([410, 'CONSENT.USED']);
        const tooLong = await api(t.url, 'POST', '/api/wallet/consents', { token: resident, headers: key('consent-long'), body: { audienceMsp: 'HRSocialSecurityMSP', typeCodes: ['SENIOR_CARE_CARD'], purpose: 'x', expiresInSeconds: 8 * 24 * 3600 } });
        expect(tooLong.status).to.equal(400);
      });

      it('suspends, reinstates and revokes one certificate of a batch: verification follows within seconds and TrustAnchor revokes the leaf', async () => {
        const id = await walletIdOf(volunteer);
        const document = documents.get(id);
        const change = (name: string, body: Json) => api(t.url, 'POST', `/api/certificates/${id}/status`, { token: officer, headers: key(name), body });
        const suspended = await change('suspend', { action: 'suspend', reasonCode: 'UNDER_REVIEW', reasonText: 'checking the address' });
        expect(suspended.status, suspended.text).to.equal(200);
        expect(suspended.body).to.include({ status: 'SUSPENDED' });
        expect(checkOf(await verify(document), 'notRevoked')).to.include({ ok: false, code: 'SUSPENDED' });
        const otherOfficer = await signIn(t.url, 'officer-health');
        const foreign = await api(t.url, 'POST', `/api/certificates/${id}/status`, { token: otherOfficer, headers: key('foreign'), body: { action: 'reinstate', reasonCode: 'UNDER_REVIEW', reasonText: '' } });
        expect(foreign.status).to.equal(403);
        expect((await change('reinstate', { action: 'reinstate', reasonCode: 'UNDER_REVIEW', reasonText: 'checked' })).body).to.include({ status: 'ISSUED' });
        expect((await verify(document)).valid).to.equal(true);
        // An instant strictly between the reinstatement and the revocation (the ledger keeps seconds).
        await new Promise((r) => setTimeout(r, 1_100));
        const before = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 1_100));
        const revoked = await change('revoke', { action: 'revoke', reasonCode: 'DETAILS_CHANGED', reasonText: 'moved away' });
        expect(revoked.body).to.include({ status: 'REVOKED' });
        const verdict = await verify(document);
        expect(checkOf(verdict, 'notRevoked')).to.include({ ok: false, code: 'REVOKED' });
        expect((await change('revoke-again', { action: 'revoke', reasonCode: 'FRAUD', reasonText: '' })).status).to.equal(409);
        // Valid on a date before the revocation.
        expect(checkOf(await verify(document, before), 'notRevoked').ok).to.equal(true);
        const leaf = (document?.proof as { targetHash: string }).targetHash;
        await waitFor('the leaf revocation on TrustAnchor', async () => {
          const { rows } = await sql<{ node: string }>`select node from anchor_revocations where node = ${leaf}`.execute(t.services.database.db);
          return rows[0];
        });
        const listed = (await api(t.url, 'GET', '/api/wallet/certificates', { token: volunteer })).body as { id: string; status: string }[];
        expect(listed.find((c) => c.id === id)?.status).to.equal('REVOKED');
      });

      it('revokes a whole batch: every certificate reads revoked, verification says so, TrustAnchor revokes the root', async () => {
        const response = await api(t.url, 'POST', `/api/certificate-batches/${batch.batchId}/status`, { token: officer, headers: key('batch-revoke'), body: { action: 'revoke', reasonCode: 'ISSUED_IN_ERROR', reasonText: 'wrong list' } });
        expect(response.status, response.text).to.equal(200);
        expect(response.body).to.deep.include({ status: 'REVOKED' });
        for (const document of documents.values()) {
          const notRevoked = checkOf(await verify(document), 'notRevoked');
          expect(notRevoked).to.include({ ok: false, code: 'REVOKED' });
        }
        await waitFor('every certificate of the batch revoked in the read model', async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from certificates where batch_id = ${batch.batchId} and status = 'REVOKED'`.execute(t.services.database.db);
          return rows[0]?.n === 3 ? true : undefined;
        });
        await waitFor('the root revocation on TrustAnchor', async () => {
          const { rows } = await sql<{ node: string }>`select node from anchor_revocations where node = ${batch.root}`.execute(t.services.database.db);
          return rows[0];
        });
        const view = (await api(t.url, 'GET', `/api/certificate-batches/${batch.batchId}`, { token: officer })).body as { status: string; revocation: { reasonCode: string } };
        expect(view.status).to.equal('REVOKED');
        expect(view.revocation.reasonCode).to.equal('ISSUED_IN_ERROR');
      });

      it('answers expired and not-yet-valid through the API', async () => {
        const soon = new Date(Date.now() + 20_000).toISOString();
        const response = await api(t.url, 'POST', '/api/certificate-batches', {
          token: officer,
          headers: key('short-lived'),
          body: { typeCode: 'SENIOR_CARE_CARD', items: [{ ...SENIOR('110105197201010075', 'Zhou Ba'), validUntil: soon }] },
        });
        const done = lines(response.text).pop() as { batchId: string };
        const [document] = lines((await api(t.url, 'GET', `/api/certificate-batches/${done.batchId}/documents`, { token: officer })).text);
        // Judged at now + the verifier's clock skew (60 s): a certificate ending in 20 s counts as expired.
        expect(checkOf(await verify(document), 'notExpired')).to.include({ ok: false, code: 'EXPIRED' });
        const before = new Date(Date.parse(String(document?.validFrom)) - 3_600_000).toISOString();
        expect(checkOf(await verify(document, before), 'notExpired')).to.include({ ok: false, code: 'NOT_YET_VALID' });
      });

      it('keeps a certificate issued on its own for the holder: listed in the wallet, printable; a refused one leaves no document', async () => {
        const issued = await api(t.url, 'POST', '/api/certificates', {
          token: officer,
          headers: key('single-to-wallet'),
          body: { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber: DEMO_ID_NUMBERS.volunteer ?? '', name: 'Li Si' }, fields: { eligibleFrom: '2025-02-01', greenLane: true } },
        });
        expect(issued.status, issued.text).to.equal(201);
        const { certificateId } = issued.body as { certificateId: string };
        const listed = async (): Promise<string[]> => ((await api(t.url, 'GET', '/api/wallet/certificates', { token: volunteer })).body as { id: string }[]).map((c) => c.id);
        const deadline = Date.now() + 10_000;
        while (!(await listed()).includes(certificateId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await listed()).to.include(certificateId);
        const detail = await api(t.url, 'GET', `/api/wallet/certificates/${certificateId}`, { token: volunteer });
        expect(detail.status, detail.text).to.equal(200);
        // Anchoring follows through the outbox, within seconds.
        let verdict = await verify((detail.body as { certificate: Json }).certificate);
        while (!verdict.valid && Date.now() < deadline + 10_000) {
          await new Promise((r) => setTimeout(r, 200));
          verdict = await verify((detail.body as { certificate: Json }).certificate);
        }
        expect(verdict.valid, JSON.stringify(verdict)).to.equal(true);
        const png = await fetch(`${t.url}/api/certificates/${certificateId}/document.png`, { headers: { authorization: `Bearer ${volunteer}` } });
        expect([png.status, png.headers.get('content-type')]).to.deep.equal([200, 'image/png']);

        const db = t.services.database.db;
        const before = await count(db, 'certificate_documents');
        const refused = await api(t.url, 'POST', '/api/certificates', {
          token: await signIn(t.url, 'officer-public-security'),
          headers: key('single-refused'),
          body: { typeCode: 'SENIOR_CARE_CARD', holder: { idNumber: DEMO_ID_NUMBERS.volunteer ?? '', name: 'Li Si' }, fields: { eligibleFrom: '2025-02-01', greenLane: true } },
        });
        expect(refused.status, refused.text).to.equal(403);
        expect(await count(db, 'certificate_documents')).to.equal(before);
      });

      if (index === 0) {
        it('authorisation matrix: every route × every role — allowed succeed, others 403, unauthenticated 401', async () => {
          const users: Record<Role, string> = {
            resident: 'resident',
            volunteer: 'volunteer',
            officer: 'officer-civil-affairs',
            coordinator: 'coordinator-street-office',
            provider: 'provider',
            auditor: 'auditor-audit-office',
            admin: 'admin',
          };
          const devUsers = (await api(t.url, 'GET', '/api/auth/dev/users')).body as { id: string; roles: Role[]; org: string }[];
          const tokens = new Map<Role, string>();
          for (const role of ROLES) tokens.set(role, await signIn(t.url, users[role]));
          // A fresh batch the matrix may change, and each holder's own certificate.
          const fresh = await api(t.url, 'POST', '/api/certificate-batches', { token: officer, headers: key('matrix-batch'), body: { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR(DEMO_ID_NUMBERS.resident ?? '', 'Zhang San', false), SENIOR(DEMO_ID_NUMBERS.volunteer ?? '', 'Li Si', false)] } });
          const matrixBatch = lines(fresh.text).pop() as { batchId: string };
          const matrixDocs = lines((await api(t.url, 'GET', `/api/certificate-batches/${matrixBatch.batchId}/documents`, { token: officer })).text);
          const certificateId = String(matrixDocs[0]?.id).replace('urn:ctl:certificate:', '');
          const ownCertificate = async (token: string): Promise<string> => {
            const answer = (await api(t.url, 'GET', '/api/wallet/certificates', { token })).body;
            const list = Array.isArray(answer) ? (answer as { id: string; status: string }[]) : [];
            return list.find((c) => c.status === 'ISSUED')?.id ?? list[0]?.id ?? 'none';
          };
          const consentFor = async (): Promise<string> => {
            const response = await api(t.url, 'POST', '/api/wallet/consents', { token: resident, headers: { 'idempotency-key': `m-consent-${String(n++)}` }, body: { audienceMsp: 'CivilAffairsMSP', typeCodes: ['SENIOR_CARE_CARD'], purpose: 'matrix', expiresInSeconds: 600 } });
            return (response.body as { consentId: string }).consentId;
          };
          const disclosureOf = async (token: string): Promise<{ id: string; token: string }> => {
            const response = await api(t.url, 'POST', `/api/wallet/certificates/${await ownCertificate(token)}/disclosures`, { token, headers: { 'idempotency-key': `m-disc-${String(n++)}` }, body: { hideFields: [], expiresInSeconds: 600 } });
            const body = response.body as { disclosureId: string; shareUrl: string };
            return { id: body.disclosureId, token: body.shareUrl.slice(3) };
          };
          const deadLetter = async (): Promise<number> => {
            const row = await t.services.database.db
              .insertInto('outbox')
              .values({ kind: 'test', dedupe_key: `matrix-${String(Math.random())}`, payload: '{}', status: 'dead', last_error: 'test', result: null, source_tx_id: null, completed_at: null })
              .returning('id')
              .executeTakeFirstOrThrow();
            return Number(row.id);
          };
          let n = 0;
          const idem = (): Record<string, string> => ({ 'idempotency-key': `m-${String(index)}-${String(n++)}` });
          type Sample = { method: string; path: string; body?: unknown; headers?: Record<string, string>; ok: number[] };
          const samples: Record<string, (token: string | undefined) => Promise<Sample>> = {
            getHealth: () => Promise.resolve({ method: 'GET', path: '/api/health', ok: [200] }),
            getOpenApi: () => Promise.resolve({ method: 'GET', path: '/api/openapi.json', ok: [200] }),
            listDeadLetters: () => Promise.resolve({ method: 'GET', path: '/api/admin/outbox/dead-letters', ok: [200] }),
            retryDeadLetter: async () => ({ method: 'POST', path: `/api/admin/outbox/${String(await deadLetter())}/retry`, headers: idem(), ok: [202] }),
            getMe: () => Promise.resolve({ method: 'GET', path: '/api/auth/me', ok: [200] }),
            listDevUsers: () => Promise.resolve({ method: 'GET', path: '/api/auth/dev/users', ok: [200] }),
            devSignIn: () => Promise.resolve({ method: 'POST', path: '/api/auth/dev/sign-in', body: { userId: 'resident' }, ok: [200] }),
            getDevJwks: () => Promise.resolve({ method: 'GET', path: '/api/auth/dev/jwks.json', ok: [200] }),
            listCertificateTypes: () => Promise.resolve({ method: 'GET', path: '/api/certificate-types', ok: [200] }),
            issueCertificate: () => Promise.resolve({ method: 'POST', path: '/api/certificates', body: { typeCode: 'SENIOR_CARE_CARD', ...SENIOR(residentId(`1101051990${String(n).padStart(7, '0')}`), 'Matrix') }, headers: idem(), ok: [201] }),
            getCertificate: () => Promise.resolve({ method: 'GET', path: `/api/certificates/${certificateId}`, ok: [200] }),
            verifyCertificate: () => Promise.resolve({ method: 'POST', path: '/api/verify', body: matrixDocs[0], ok: [200] }),
            getPublicConfig: () => Promise.resolve({ method: 'GET', path: '/api/public/config', ok: [200] }),
            getCertificateStatus: () => Promise.resolve({ method: 'GET', path: `/api/certificates/${certificateId}/status`, ok: [200] }),
            // Only the officer's request reaches the ledger: it suspends the certificate, then its batch.
            changeCertificateStatus: () => Promise.resolve({ method: 'POST', path: `/api/certificates/${certificateId}/status`, body: { action: 'suspend', reasonCode: 'UNDER_REVIEW', reasonText: '' }, headers: idem(), ok: [200] }),
            getCertificatePdf: async (token) => ({ method: 'GET', path: `/api/certificates/${token === tokens.get('officer') || token === undefined ? certificateId : await ownCertificate(token)}/document.pdf`, ok: [200] }),
            getCertificatePng: async (token) => ({ method: 'GET', path: `/api/certificates/${token === tokens.get('officer') || token === undefined ? certificateId : await ownCertificate(token)}/document.png`, ok: [200] }),
            issueCertificateBatch: () => Promise.resolve({ method: 'POST', path: '/api/certificate-batches', body: { typeCode: 'SENIOR_CARE_CARD', items: [SENIOR(residentId(`1101051991${String(n).padStart(7, '0')}`), 'Matrix')] }, headers: idem(), ok: [200] }),
            getCertificateBatch: () => Promise.resolve({ method: 'GET', path: `/api/certificate-batches/${matrixBatch.batchId}`, ok: [200] }),
            getCertificateBatchDocuments: () => Promise.resolve({ method: 'GET', path: `/api/certificate-batches/${matrixBatch.batchId}/documents`, ok: [200] }),
            changeCertificateBatchStatus: () => Promise.resolve({ method: 'POST', path: `/api/certificate-batches/${matrixBatch.batchId}/status`, body: { action: 'suspend', reasonCode: 'UNDER_REVIEW', reasonText: '' }, headers: idem(), ok: [200] }),
            listWalletCertificates: () => Promise.resolve({ method: 'GET', path: '/api/wallet/certificates', ok: [200] }),
            getWalletCertificate: async (token) => ({ method: 'GET', path: `/api/wallet/certificates/${token === undefined ? 'none' : await ownCertificate(token)}`, ok: [200] }),
            createDisclosure: async (token) => ({ method: 'POST', path: `/api/wallet/certificates/${token === undefined ? 'none' : await ownCertificate(token)}/disclosures`, body: { hideFields: [], expiresInSeconds: 600 }, headers: idem(), ok: [201] }),
            getOfflineBundle: async (token) => ({ method: 'GET', path: `/api/wallet/certificates/${token === undefined ? 'none' : await ownCertificate(token)}/bundle`, ok: [200] }),
            revokeDisclosure: async (token) => ({ method: 'DELETE', path: `/api/wallet/disclosures/${token === undefined || token === tokens.get('volunteer') ? (await disclosureOf(volunteer)).id : (await disclosureOf(resident)).id}`, headers: idem(), ok: [204] }),
            getShare: async () => ({ method: 'GET', path: `/api/shares/${(await disclosureOf(resident)).token}`, ok: [200] }),
            grantConsent: () => Promise.resolve({ method: 'POST', path: '/api/wallet/consents', body: { audienceMsp: 'CivilAffairsMSP', typeCodes: ['SENIOR_CARE_CARD'], purpose: 'matrix', expiresInSeconds: 600 }, headers: idem(), ok: [201] }),
            zeroMaterialFetch: async () => ({ method: 'POST', path: '/api/zero-material/fetch', body: { consentId: await consentFor(), requiredTypes: ['SENIOR_CARE_CARD'] }, headers: idem(), ok: [200] }),
          };
          const failures: string[] = [];
          for (const route of inertRouteTable(true)) {
            const sample = samples[route.operationId];
            if (sample === undefined) {
              failures.push(`${route.operationId}: no sample request in the matrix test`);
              continue;
            }
            for (const role of [undefined, ...ROLES]) {
              const token = role === undefined ? undefined : tokens.get(role);
              const request = await sample(token);
              const response = await api(t.url, request.method, request.path, { token, body: request.body, headers: request.headers });
              const user = devUsers.find((u) => role !== undefined && u.id === users[role]);
              const principal = user === undefined ? undefined : { userId: user.id, roles: user.roles, org: user.org };
              const expected = isAllowed(route.access, principal) ? request.ok : role === undefined ? [401] : [403];
              if (!expected.includes(response.status)) failures.push(`${route.operationId} as ${role ?? 'anonymous'}: ${String(response.status)} (expected ${expected.join('/')}) ${response.text.slice(0, 160)}`);
            }
          }
          expect(failures).to.deep.equal([]);
        });
      }
    });
  }
});
