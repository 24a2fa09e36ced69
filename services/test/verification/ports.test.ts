/**
 * Ports that are missing, failing or slow make their checks fail and say so, never pass; the
 * caching wrappers ask once, keep settled answers, and expire the rest. Also: the library
 * imports nothing Node-only, so it runs in the browser.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  cachedAnchorReader,
  cachedIssuerDirectory,
  cachedLedgerRecordReader,
  verify,
  type AnchorReader,
  type CertificateDocument,
  type Hex32,
  type LedgerCertificateRecord,
  type VerificationPorts,
} from '../../src/verification';
import { InTestLedgers, NOW, residenceDraft } from './support';

const STATUS_CHECKS = ['anchored', 'notRevoked', 'issuerAllowed', 'ledgerRecord'];

describe('verification: ports', () => {
  let ledgers: InTestLedgers;
  let doc: CertificateDocument;

  beforeEach(async () => {
    ledgers = new InTestLedgers();
    doc = (await ledgers.issue([residenceDraft(1), residenceDraft(2), residenceDraft(3)]))[0] as CertificateDocument;
  });

  it('fails every status check, saying why, when no port is configured', async () => {
    const result = await verify(doc, {}, { now: NOW });
    expect(result.valid).to.equal(false);
    for (const name of STATUS_CHECKS) {
      const c = result.checks.find((x) => x.name === name);
      expect(c, name).to.include({ ok: false, code: 'UNAVAILABLE' });
      expect(c?.detail).to.match(/^Not checked: this verifier (is not connected|has no access)/);
    }
    expect(result.checks.filter((c) => c.ok).map((c) => c.name)).to.deep.equal(['integrity', 'batchInclusion', 'notExpired']);
  });

  it('fails the checks of a port that throws, and only those', async () => {
    const broken: AnchorReader = {
      network: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:8545')),
      rootInfo: () => Promise.reject(new Error('ECONNREFUSED')),
      revocations: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const result = await verify(doc, { ...ledgers.ports(), anchor: broken }, { now: NOW });
    for (const name of ['anchored', 'notRevoked', 'issuerAllowed']) {
      const c = result.checks.find((x) => x.name === name);
      expect(c, name).to.include({ ok: false, code: 'UNAVAILABLE' });
      expect(c?.detail).to.include('the public ledger (TrustAnchor) did not answer');
    }
    expect(result.checks.find((c) => c.name === 'ledgerRecord')?.ok).to.equal(true);
  });

  it('fails the checks of a port that never answers, after the timeout', async () => {
    const hanging: VerificationPorts = {
      ...ledgers.ports(),
      ledger: { getCertificate: () => new Promise(() => undefined) },
    };
    const result = await verify(doc, hanging, { now: NOW, portTimeoutMs: 50 });
    expect(result.checks.find((c) => c.name === 'ledgerRecord')).to.include({ ok: false, code: 'UNAVAILABLE' });
    expect(result.checks.find((c) => c.name === 'ledgerRecord')?.detail).to.include('no answer within');
    expect(result.checks.find((c) => c.name === 'anchored')?.ok).to.equal(true);
  });

  it('fails anchored when the reader serves another chain', async () => {
    ledgers.chainId = 1;
    const result = await verify(doc, ledgers.ports(), { now: NOW });
    expect(result.checks.find((c) => c.name === 'anchored')).to.include({ ok: false, code: 'WRONG_CHAIN' });
  });

  describe('caches', () => {
    function counting(reader: AnchorReader): { reader: AnchorReader; calls: { rootInfo: number; revocations: Hex32[][] } } {
      const calls = { rootInfo: 0, revocations: [] as Hex32[][] };
      return {
        calls,
        reader: {
          network: () => reader.network(),
          rootInfo: (root) => {
            calls.rootInfo += 1;
            return reader.rootInfo(root);
          },
          revocations: (nodes) => {
            calls.revocations.push([...nodes]);
            return reader.revocations(nodes);
          },
        },
      };
    }

    it('asks the chain once per root and node across documents of a batch', async () => {
      const docs = await ledgers.issue(Array.from({ length: 8 }, (_, i) => residenceDraft(100 + i)));
      const { reader, calls } = counting(ledgers.anchorReader());
      const ports = { ...ledgers.ports(), anchor: cachedAnchorReader(reader) };
      for (const d of [...docs, ...docs]) expect((await verify(d, ports, { now: NOW })).valid).to.equal(true);
      expect(calls.rootInfo).to.equal(1);
      const asked = calls.revocations.flat();
      expect(new Set(asked).size, 'no node asked twice').to.equal(asked.length);
      expect(asked.length).to.equal(8 + 4 + 2 + 1);
    });

    it('answers a whole batch with one question when the reader lists revoked nodes per root', async () => {
      const docs = await ledgers.issue(Array.from({ length: 8 }, (_, i) => residenceDraft(200 + i)));
      let lists = 0;
      let clock = 1_000_000;
      const inner = ledgers.anchorReader();
      const listing: AnchorReader = {
        ...inner,
        revocations: () => Promise.reject(new Error('the cache should list the batch instead')),
        revokedNodesIn: (root) => {
          lists += 1;
          return Promise.resolve(new Map([...ledgers.revoked].filter(([node]) => node === root || docs.some((d) => d.proof.targetHash === node))));
        },
      };
      const ports = { ...ledgers.ports(), anchor: cachedAnchorReader(listing, { ttlMs: 5_000, clock: () => clock }) };
      for (const d of docs) expect((await verify(d, ports, { now: NOW })).valid).to.equal(true);
      expect(lists).to.equal(1);
      ledgers.revoke((docs[3] as CertificateDocument).proof.targetHash, Math.floor(NOW.getTime() / 1000) - 10, 5);
      clock += 5_001;
      const results = await Promise.all(docs.map((d) => verify(d, ports, { now: NOW })));
      expect(results.map((r) => r.valid)).to.deep.equal(docs.map((_, i) => i !== 3));
      expect(lists).to.equal(2);
    });

    it('keeps revocations for good and re-asks unrevoked nodes after the TTL', async () => {
      let clock = 1_000_000;
      const { reader, calls } = counting(ledgers.anchorReader());
      const cached = cachedAnchorReader(reader, { ttlMs: 5_000, clock: () => clock });
      const ports = { ...ledgers.ports(), anchor: cached };
      expect((await verify(doc, ports, { now: NOW })).valid).to.equal(true);
      ledgers.revoke(doc.proof.targetHash, Math.floor(NOW.getTime() / 1000) - 10, 1);
      expect((await verify(doc, ports, { now: NOW })).valid, 'still cached').to.equal(true);
      clock += 5_001;
      expect((await verify(doc, ports, { now: NOW })).valid, 'revocation seen after the TTL').to.equal(false);
      const before = calls.revocations.length;
      clock += 60_000;
      await verify(doc, ports, { now: NOW });
      const reasked = calls.revocations.slice(before).flat();
      expect(reasked, 'the revoked leaf is settled').to.not.include(doc.proof.targetHash);
    });

    it('does not cache failures', async () => {
      let fail = true;
      const inner = ledgers.anchorReader();
      const flaky: AnchorReader = {
        network: () => inner.network(),
        rootInfo: (root) => (fail ? Promise.reject(new Error('down')) : inner.rootInfo(root)),
        revocations: (nodes) => inner.revocations(nodes),
      };
      const ports = { ...ledgers.ports(), anchor: cachedAnchorReader(flaky) };
      expect((await verify(doc, ports, { now: NOW })).valid).to.equal(false);
      fail = false;
      expect((await verify(doc, ports, { now: NOW })).valid).to.equal(true);
    });

    it('caches issuer and ledger answers, and clear() forgets them', async () => {
      let registeredCalls = 0;
      let recordCalls = 0;
      const directory = ledgers.issuerDirectory();
      const ledger = ledgers.ledgerReader();
      const issuers = cachedIssuerDirectory({
        isRegistered: (d) => {
          registeredCalls += 1;
          return directory.isRegistered(d);
        },
        isAuthorized: (d, t, at) => directory.isAuthorized(d, t, at),
      });
      const records = cachedLedgerRecordReader({
        getCertificate: (q) => {
          recordCalls += 1;
          return ledger.getCertificate(q);
        },
      });
      const ports = { anchor: ledgers.anchorReader(), issuers, ledger: records };
      await verify(doc, ports, { now: NOW });
      await verify(doc, ports, { now: NOW });
      expect([registeredCalls, recordCalls]).to.deep.equal([1, 1]);
      issuers.clear();
      records.clear();
      await verify(doc, ports, { now: NOW });
      expect([registeredCalls, recordCalls]).to.deep.equal([2, 2]);
    });
    it('renews an answer in the background in the second half of its life, and never serves one older than the TTL', async () => {
      let clock = 1_000_000;
      const resolvers: (() => void)[] = [];
      const inner = {
        getCertificate: () =>
          new Promise<LedgerCertificateRecord | null>((resolve) => {
            const n = resolvers.length + 1;
            resolvers.push(() => {
              resolve({ id: `answer-${String(n)}` } as unknown as LedgerCertificateRecord);
            });
          }),
      };
      const answer = async (n: number): Promise<void> => {
        resolvers[n - 1]?.();
        await new Promise((resolve) => setImmediate(resolve));
      };
      const records = cachedLedgerRecordReader(inner, { ttlMs: 5_000, clock: () => clock });
      const q = { channel: 'community', chaincode: 'ctl', certificateId: 'C-1' };
      const peek = (): string | undefined => (records.peekCertificate?.(q) ?? undefined)?.id;

      const first = records.getCertificate(q);
      await answer(1);
      expect((await first)?.id).to.equal('answer-1');
      clock += 2_000;
      expect(peek(), 'first half of its life').to.equal('answer-1');
      expect(resolvers, 'nothing renewed yet').to.have.length(1);
      clock += 1_000;
      expect(peek(), 'served at once while it is renewed').to.equal('answer-1');
      expect(peek()).to.equal('answer-1');
      expect(resolvers, 'one renewal, however many requests').to.have.length(2);
      await answer(2);
      expect(peek(), 'the renewed answer').to.equal('answer-2');
      // The renewal was asked for at +3 s: it expires at +8 s, and then a request waits for a new one.
      clock += 5_001;
      expect(peek(), 'expired: never older than the TTL').to.equal(undefined);
      const waited = records.getCertificate(q);
      expect(resolvers).to.have.length(3);
      await answer(3);
      expect((await waited)?.id).to.equal('answer-3');

      // A renewal under way when clear() runs is dropped, not cached.
      clock += 3_000;
      expect(peek()).to.equal('answer-3');
      expect(resolvers).to.have.length(4);
      records.clear();
      await answer(4);
      expect(peek(), 'cleared').to.equal(undefined);
    });
  });

  it('imports nothing Node-only, so the portal can run it in the browser', () => {
    const dir = path.join(__dirname, '../../src/verification');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(10);
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
      for (const spec of imports) {
        expect(spec, `${file} imports ${spec}`).to.not.match(/^node:|^(fs|path|crypto|os|buffer|stream|zlib|http|https|url|util|child_process)$/);
      }
      expect(source, `${file} uses Buffer`).to.not.match(/\bBuffer\b/);
      expect(source, `${file} uses process`).to.not.match(/\bprocess\./);
      expect(source, `${file} uses require`).to.not.match(/\brequire\(/);
    }
  });
});
