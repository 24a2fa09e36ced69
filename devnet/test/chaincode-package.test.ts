/** `npm run chaincode:package`: archives in the layout `peer lifecycle chaincode package` writes. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildPackages, ChaincodePackageError } from '../../scripts/chaincode-package';
import { FIXTURE_CC } from './helpers';

function tarList(archive: string, cwd: string): string[] {
  const r = spawnSync('tar', ['tzf', archive], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.trim().split('\n');
}

describe('chaincode packages', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'ctl-pkg-test-'));
  });
  afterEach(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('builds a CCaaS and a node package that tar reads, with Fabric-style package ids', () => {
    const [ccaas, node] = buildPackages({ folder: FIXTURE_CC, out, label: 'asset_1.0', address: 'asset:9999', requireStart: false });
    expect(tarList(ccaas!.file, out)).to.deep.equal(['code.tar.gz', 'metadata.json']);
    expect(ccaas!.packageId).to.equal(`asset_1.0:${createHash('sha256').update(readFileSync(ccaas!.file)).digest('hex')}`);
    const x = spawnSync('sh', ['-c', `tar xzf ${ccaas!.file} && tar xzf code.tar.gz -O connection.json && cat metadata.json`], { cwd: out, encoding: 'utf8' });
    expect(x.stdout).to.contain('"address": "asset:9999"').and.contain('{"type":"ccaas","label":"asset_1.0"}');
    const y = spawnSync('sh', ['-c', `mkdir n && cd n && tar xzf ${node!.file} && cat metadata.json && tar tzf code.tar.gz`], { cwd: out, encoding: 'utf8' });
    expect(y.stdout).to.contain('{"type":"node","label":"asset_1.0"}').and.contain('src/package.json').and.contain('src/index.js');
  });

  it('produces byte-identical packages on every run', () => {
    const a = buildPackages({ folder: FIXTURE_CC, out, label: 'asset_1.0', address: 'asset:9999', requireStart: false });
    const b = buildPackages({ folder: FIXTURE_CC, out: join(out, 'again'), label: 'asset_1.0', address: 'asset:9999', requireStart: false });
    expect(a.map((p) => p.packageId)).to.deep.equal(b.map((p) => p.packageId));
  });

  it('refuses a folder without a start script or with a bad label', () => {
    expect(() => buildPackages({ folder: FIXTURE_CC, out, label: 'asset_1.0', address: 'a:1' })).to.throw(ChaincodePackageError, /start/);
    expect(() => buildPackages({ folder: FIXTURE_CC, out, label: 'bad label', address: 'a:1', requireStart: false })).to.throw(ChaincodePackageError, /label/);
  });
});
