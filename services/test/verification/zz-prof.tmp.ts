import { verify, cachedAnchorReader, cachedIssuerDirectory, cachedLedgerRecordReader } from '../../src/verification';
import { InTestLedgers, residenceDraft, NOW } from './support';
void (async () => {
  const l = new InTestLedgers();
  let t = performance.now();
  const docs = await l.issue(Array.from({ length: 10000 }, (_, i) => residenceDraft(i)));
  console.log('wrap 10000 ms', performance.now() - t);
  const ports = { anchor: cachedAnchorReader(l.anchorReader(), { ttlMs: 1e9 }), issuers: cachedIssuerDirectory(l.issuerDirectory(), { ttlMs: 1e9 }), ledger: cachedLedgerRecordReader(l.ledgerReader(), { ttlMs: 1e9 }) };
  for (let r = 0; r < 4; r++) {
    t = performance.now();
    for (const d of docs) await verify(d, ports, { now: NOW });
    console.log('verify cached', Math.round((docs.length * 1000) / (performance.now() - t)), 'docs/s');
  }
})();
