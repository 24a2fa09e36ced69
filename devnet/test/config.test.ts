/**
 * The network file and identities: validation errors name the field, the default network matches
 * DEVELOPERS.md, and `enroll` issues identities whose attributes chaincode reads.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { ConfigError, DEFAULT_NETWORK_FILE, DevnetError, enrollIdentity, loadNetworkConfig, parseNetworkConfig, type Devnet } from '../src/index';
import { connectClient, destroy, FIXTURE_CC, startTestDevnet, tempDir, testConfig, utf8 } from './helpers';

const ROOT = resolve(__dirname, '..', '..');

function configError(raw: unknown): ConfigError {
  try {
    parseNetworkConfig(raw, __dirname);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const base = (): Record<string, unknown> => ({
  channel: 'c',
  organizations: [{ mspId: 'AMSP', name: 'A' }],
  chaincodes: [{ name: 'cc', version: '1', path: FIXTURE_CC }],
});

describe('devnet network file', () => {
  it('describes the default network of DEVELOPERS.md', () => {
    const config = loadNetworkConfig(DEFAULT_NETWORK_FILE);
    expect(config.channel).to.equal('community');
    const ids = config.organizations.map((o) => o.mspId);
    expect(ids).to.deep.equal([
      'StreetOfficeMSP', 'CivilAffairsMSP', 'PublicSecurityMSP', 'HRSocialSecurityMSP', 'HealthcareSecurityMSP',
      'MarketSupervisionMSP', 'HealthMSP', 'NorthStreetMSP', 'EastStreetMSP', 'WestStreetMSP', 'AuditOfficeMSP',
    ]);
    const ctl = config.chaincodes[0]!;
    expect(ctl.name).to.equal('ctl');
    expect(ctl.path).to.equal(join(ROOT, 'chaincode'));
    expect(ctl.policy.rule).to.deep.equal({ nOutOf: { n: 2, rules: ids.map((_, i) => ({ signedBy: i })) } });
    const roles = (msp: string): string[] => config.organizations.find((o) => o.mspId === msp)!.identities.map((i) => `${i.name}:${i.attrs.role ?? ''}`);
    expect(roles('StreetOfficeMSP')).to.deep.equal(['officer:officer', 'coordinator:coordinator', 'agent:agent']);
    expect(roles('HealthMSP')).to.deep.equal(['officer:officer']);
    expect(roles('AuditOfficeMSP')).to.deep.equal(['auditor:auditor']);
  });

  it('names the field of each invalid entry', () => {
    expect(configError({ ...base(), channel: 'Bad Channel' }).path).to.equal('channel');
    expect(configError({ ...base(), organizations: [] }).path).to.equal('organizations');
    expect(configError({ ...base(), chaincodes: [{ name: 'cc', version: '1' }] }).path).to.equal('chaincodes.0');
    expect(configError({ ...base(), chaincodes: [{ name: 'cc', version: '1', path: 'x', endorsementPolicy: "AND('AMSP.peer'" }] }).path).to.equal('chaincodes.0.endorsementPolicy');
    expect(configError({ ...base(), chaincodes: [{ name: 'cc', version: '1', path: 'x', endorsementPolicy: "AND('ZMSP.peer')" }] }).message).to.contain('ZMSP is not an organisation');
    expect(configError({ ...base(), organizations: [{ mspId: 'AMSP', name: 'A' }, { mspId: 'AMSP', name: 'B' }] }).message).to.contain('duplicate MSP id');
    expect(configError({ ...base(), unexpected: true }).path).to.equal('(root)');
    expect(configError({ ...base(), organizations: [{ mspId: 'AMSP', name: 'A', identities: [{ name: 'admin' }] }] }).path).to.equal('organizations.0.identities');
  });
});

describe('devnet enroll', function () {
  this.timeout(60_000);
  let devnet: Devnet | undefined;
  after(async () => {
    await destroy(devnet);
  });

  it('issues an identity with role and attributes that chaincode reads, listed in connection.json at once', async () => {
    const dataDir = tempDir();
    const config = testConfig({ orgs: 1, policy: "OR('Org1MSP.peer')" });
    devnet = await startTestDevnet(config, { dataDir });
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join('devnet', 'src', 'cli.ts'), 'enroll', 'Org1MSP', 'clerk', '--role', 'coordinator', '--attr', 'desk=3', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const cert = new X509Certificate(readFileSync(join(dataDir, 'orgs', 'Org1MSP', 'clerk', 'cert.pem')));
    expect(cert.subject).to.contain('OU=client');
    const listed = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8')) as Devnet['connection'];
    expect(listed.organizations.Org1MSP!.identities.clerk).to.deep.equal({ cert: 'orgs/Org1MSP/clerk/cert.pem', key: 'orgs/Org1MSP/clerk/key.pem' });
    await devnet.close();
    devnet = await startTestDevnet(config, { dataDir });
    expect(Object.keys(devnet.connection.organizations.Org1MSP!.identities)).to.include('clerk');
    const c = connectClient(devnet, 'Org1MSP', 'clerk');
    try {
      const who = JSON.parse(utf8(await c.contract.evaluateTransaction('Whoami'))) as { role: string };
      expect(who.role).to.equal('coordinator');
    } finally {
      c.close();
    }
    const again = await enrollIdentity(dataDir, 'Org1MSP', 'clerk').catch((e: unknown) => e);
    expect(again).to.be.instanceOf(DevnetError).and.have.property('code', 'DEVNET.IDENTITY_EXISTS');
    const unknown = await enrollIdentity(dataDir, 'NopeMSP', 'x').catch((e: unknown) => e);
    expect(unknown).to.have.property('code', 'DEVNET.ORG_UNKNOWN');
  });
});

describe('devnet CLI status and reset', function () {
  this.timeout(60_000);

  const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join('devnet', 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('reports whether it runs and its height; reset refuses while it runs and can keep the identities', async () => {
    const dataDir = tempDir();
    const devnet = await startTestDevnet(testConfig({ orgs: 1, policy: "OR('Org1MSP.peer')" }), { dataDir });
    const running = cli('status', '--data-dir', dataDir);
    expect(running.stdout).to.match(/running: yes \(pid \d+\)/);
    expect(cli('reset', '--data-dir', dataDir).status).to.equal(1);
    await devnet.close();
    const stopped = cli('status', '--data-dir', dataDir);
    expect(stopped.stdout).to.contain('running: no');
    expect(stopped.stdout).to.contain('channel: testchannel, block height 1');
    expect(cli('reset', '--ledger-only', '--data-dir', dataDir).status).to.equal(0);
    expect(existsSync(join(dataDir, 'ledger'))).to.be.false;
    expect(existsSync(join(dataDir, 'orgs', 'Org1MSP', 'user', 'key.pem'))).to.be.true;
    expect(cli('reset', '--data-dir', dataDir).status).to.equal(0);
    expect(existsSync(dataDir)).to.be.false;
  });
});
