import { expect } from 'chai';
import path from 'node:path';
import { ConfigError, HARDHAT_DEV_KEY, loadConfig } from '../src/config/config';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env, '/srv/ctl');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('configuration', () => {
  it('defaults to the embedded stack: port 8080, .data, PGlite, devnet connection file, Hardhat EVM, development IdP', () => {
    const config = loadConfig({}, '/srv/ctl');
    expect(config.port).to.equal(8080);
    expect(config.host).to.equal('127.0.0.1');
    expect(config.dataDir).to.equal('/srv/ctl/.data');
    expect(config.database).to.deep.equal({ kind: 'pglite', dataDir: '/srv/ctl/.data/readmodel' });
    expect(config.fabric.connectionFile).to.equal('/srv/ctl/.data/devnet/connection.json');
    expect(config.evm.rpcUrl).to.equal('http://127.0.0.1:8545');
    expect(config.evm.deploymentFile).to.equal('/srv/ctl/.data/evm/deployments/31337.json');
    expect(config.evm.signerKey).to.equal(HARDHAT_DEV_KEY);
    expect(config.identity.kind).to.equal('dev');
    expect(config.subjectRefSecret).to.equal(undefined);
    expect(config.subjectRefSecretFile).to.equal(path.join('/srv/ctl/.data', 'secrets', 'subject-ref.key'));
    expect(config.workers).to.deep.equal(['projector', 'evm-projector', 'anchorer']);
    expect(config.http.instances).to.equal(1);
  });

  it('uses PostgreSQL and an external OIDC provider when configured', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://ctl@db:5432/ctl',
        OIDC_ISSUER: 'https://id.city.example',
        OIDC_AUDIENCE: 'ctl',
        OIDC_JWKS_URL: 'https://id.city.example/jwks',
        WORKERS: 'none',
        PORT: '0',
      },
      '/srv/ctl',
    );
    expect(config.database).to.deep.equal({ kind: 'postgres', url: 'postgres://ctl@db:5432/ctl', poolSize: 10 });
    expect(config.identity).to.deep.equal({ kind: 'external', issuer: 'https://id.city.example', audience: 'ctl', jwksUrl: 'https://id.city.example/jwks' });
    expect(config.workers).to.deep.equal([]);
    expect(config.port).to.equal(0);
  });

  it('runs several API instances only on PostgreSQL, and at most 64', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://ctl@db:5432/ctl', API_INSTANCES: '2' }, '/srv/ctl').http.instances).to.equal(2);
    const embedded = configError({ API_INSTANCES: '2' });
    expect(embedded.variables).to.deep.equal(['API_INSTANCES']);
    expect(embedded.message).to.include('PostgreSQL');
    expect(configError({ DATABASE_URL: 'postgres://ctl@db:5432/ctl', API_INSTANCES: '65' }).variables).to.deep.equal(['API_INSTANCES']);
    expect(configError({ API_INSTANCES: '0' }).variables).to.deep.equal(['API_INSTANCES']);
  });

  it('names every variable whose value is bad', () => {
    const error = configError({ PORT: 'eighty', EVM_SIGNER_KEY: '0x1234', DATABASE_URL: 'mysql://x', WORKERS: 'projector,mailer', TRUST_PROXY: 'maybe' });
    expect(error.variables).to.have.members(['PORT', 'EVM_SIGNER_KEY', 'DATABASE_URL', 'WORKERS', 'TRUST_PROXY']);
    expect(error.message).to.include('PORT').and.to.include('mailer');
    expect(error.code).to.equal('CONFIG.INVALID');
  });

  it('refuses a partial OIDC setting, naming what is missing', () => {
    const error = configError({ OIDC_ISSUER: 'https://id.city.example' });
    expect(error.variables).to.have.members(['OIDC_AUDIENCE', 'OIDC_JWKS_URL']);
  });

  it('refuses a subject reference secret shorter than 32 characters', () => {
    expect(configError({ SUBJECT_REF_SECRET: 'short' }).variables).to.deep.equal(['SUBJECT_REF_SECRET']);
  });
});
