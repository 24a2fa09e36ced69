/**
 * Throughput of chaincode `ctl` inside the real fabric-shim runtime, on the in-memory test peer
 * (test/support/peer.ts): every submit runs on two endorsing organisations and is committed
 * with the MVCC and policy checks; nothing crosses a network. It measures the chaincode and the
 * shim, not Fabric: `npm run bench:devnet` measures the protocol network.
 *
 *   npm run bench:chaincode [-- --n 200]
 */
import '../test/support/quiet-logs';
import { JSONSerializer } from 'fabric-contract-api';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { contracts } from '../src';
import { ZERO_HASH } from '../src/shared/input';
import { Bank } from '../test/support/bank';
import { cast, h, json } from '../test/support/fixtures';
import { TestNetwork } from '../test/support/peer';

interface Figure {
  readonly name: string;
  readonly count: number;
  readonly ms: number;
}

async function measure(name: string, count: number, run: (i: number) => Promise<unknown>): Promise<Figure> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return { name, count, ms: performance.now() - start };
}

/**
 * fabric-contract-api validates every argument by compiling a JSON schema that embeds all the
 * chaincode's registered component schemas; ajv's cache key is a stable stringification of that
 * whole schema, so argument handling costs grow with the components. Our models are described
 * in each transaction's result schema instead (src/shared/schema.ts), and the components stay
 * empty; measured here directly, with the size of what GetMetadata publishes.
 */
function marshalling(): { perCall: number; components: number; metadataBytes: number } {
  interface Marshall {
    handleParameters(fn: unknown, args: Buffer[], prefix: string): unknown;
  }
  const cc = new ChaincodeFromContract([...contracts], { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } }, {}, 'ctl', '0') as unknown as {
    contractImplementations: Record<string, { dataMarshall: Marshall } | undefined>;
    metadata: { contracts: Record<string, { transactions: { name: string }[] } | undefined>; components: { schemas: Record<string, unknown> } };
  };
  const fn = cc.metadata.contracts.certificate?.transactions.find((t) => t.name === 'IssueCertificate');
  const marshall = cc.contractImplementations.certificate?.dataMarshall;
  if (fn === undefined || marshall === undefined) throw new Error('metadata without IssueCertificate');
  const args = ['c-1', 'RESIDENCE_PROOF', h('s'), h('d'), ''].map((a) => Buffer.from(a));
  for (let i = 0; i < 200; i++) marshall.handleParameters(fn, args, '');
  const start = performance.now();
  for (let i = 0; i < 2000; i++) marshall.handleParameters(fn, args, '');
  return {
    perCall: (performance.now() - start) / 2000,
    components: Object.keys(cc.metadata.components.schemas).length,
    metadataBytes: Buffer.byteLength(JSON.stringify(cc.metadata)),
  };
}

async function main(): Promise<void> {
  const nArg = process.argv.indexOf('--n');
  const n = nArg >= 0 ? Number(process.argv[nArg + 1]) : 200;
  const c = await cast();
  const net = new TestNetwork();
  const type = { code: 'RESIDENCE_PROOF', name: 'Residence proof', allowedIssuerMsps: ['PublicSecurityMSP'], validityDays: 365, fields: [] };
  await net.submit(c.streetAdmin, 'certificate:RegisterType', [JSON.stringify(type)]);
  // Warm-up: connections, JIT.
  for (let i = 0; i < 20; i++) await net.submit(c.policeOfficer, 'certificate:IssueCertificate', [`warm-${i}`, 'RESIDENCE_PROOF', h(`ws${i}`), h(`wd${i}`), '']);

  const figures: Figure[] = [];
  figures.push(
    await measure('certificate:IssueCertificate (submit)', n, (i) => net.submit(c.policeOfficer, 'certificate:IssueCertificate', [`c-${i}`, 'RESIDENCE_PROOF', h(`s${i}`), h(`d${i}`), ''])),
  );
  figures.push(await measure('certificate:GetCertificate (evaluate)', n, (i) => net.evaluate(c.streetUser, 'certificate:GetCertificate', [`c-${i % n}`])));
  const batches = 3;
  const batch = await measure('certificate:IssueBatch of 1,000 (submit)', batches, (b) =>
    net.submit(c.policeOfficer, 'certificate:IssueBatch', [
      JSON.stringify({
        batchId: `b-${b}`,
        batchRoot: h(`root-${b}`),
        certificates: Array.from({ length: 1000 }, (_, i) => ({ id: `b${b}-${i}`, typeCode: 'RESIDENCE_PROOF', subjectRef: h(`bs${b}-${i}`), documentHash: h(`bd${b}-${i}`), validUntil: '' })),
      }),
    ]),
  );
  figures.push(batch);

  let head = ZERO_HASH;
  figures.push(
    await measure('evidence:AppendStep (submit; open, then alternate consultation steps)', n, async (i) => {
      const [type, refs] =
        i === 0 ? ['OPENED', { matterCode: 'M01' }] : i === 1 ? ['ACCEPTED', {}] : i % 2 === 0 ? ['CONTRACT_SIGNED', {}] : ['CERTIFICATE_VERIFIED', { certificateIds: [`c-${i}`] }];
      const result = await net.submit(c.streetOfficer, 'evidence:AppendStep', ['bench-case', String(i + 1), type, h(`p${i}`), head, Object.keys(refs).length === 0 ? '' : JSON.stringify(refs)]);
      head = json<{ step: { stepHash: string } }>(result.payload).step.stepHash;
    }),
  );

  const bank = new Bank(net, c);
  await bank.policy({ redeemRequiresEligibility: false });
  const alice = await bank.open('bench-alice');
  const shop = await bank.open('bench-shop', 'PROVIDER');
  for (let i = 0; i < 10; i++) await bank.mint(alice, 300);
  figures.push(await measure('timebank:Redeem of 1 minute (submit; 10 lots to walk)', n, (i) => bank.redeem(`r-${i}`, alice, shop, 1)));
  figures.push(await measure('timebank:GetStatement page of 50 (evaluate)', Math.max(1, Math.floor(n / 4)), () => net.evaluate(c.auditor, 'timebank:GetStatement', [alice, '50', ''])));

  const cpu = cpus();
  console.log(`chaincode ctl on the in-memory test peer (real fabric-shim runtime; 2 endorsing organisations per submit)`);
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`);
  for (const f of figures) {
    console.log(`${f.name.padEnd(75)} ${String(f.count).padStart(5)} tx  ${(f.ms / f.count).toFixed(2).padStart(9)} ms/tx  ${((f.count * 1000) / f.ms).toFixed(1).padStart(8)} tx/s`);
  }
  const m = marshalling();
  console.log(
    `fabric-contract-api argument handling of IssueCertificate (5 arguments): ${m.perCall.toFixed(3)} ms per call, ${m.components} component schemas registered; GetMetadata ${(m.metadataBytes / 1024).toFixed(0)} KiB`,
  );
  console.log(`load average (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  net.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
