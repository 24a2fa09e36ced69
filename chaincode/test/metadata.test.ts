/**
 * GetMetadata: typed, documented metadata without the per-call cost of `@Object` models. Every
 * transaction states its parameters with a description and its result as a JSON Schema; the
 * `components.schemas` fabric-contract-api embeds in every argument's validation stays empty.
 * (The test peer also validates every result of every test against these schemas.)
 */
import './support/quiet-logs';
import { expect } from 'chai';
import { contracts } from '../src';
import { cast, json } from './support/fixtures';
import { TestNetwork } from './support/peer';
import { metadataOf, ResultSchemas, type ContractMetadata } from './support/results';

describe('GetMetadata (the chaincode as fabric-contract-api describes it)', () => {
  let metadata: ContractMetadata;

  before(async () => {
    const c = await cast();
    const net = new TestNetwork();
    metadata = json<ContractMetadata>(await net.evaluate(c.streetUser, 'org.hyperledger.fabric:GetMetadata', []));
    net.close();
  });

  it('publishes every transaction of the three contracts with tags, described string parameters and a titled JSON result schema', () => {
    expect(Object.keys(metadata.contracts)).to.deep.equal(['certificate', 'evidence', 'timebank', 'org.hyperledger.fabric']);
    let count = 0;
    for (const name of ['certificate', 'evidence', 'timebank']) {
      for (const tx of metadata.contracts[name]?.transactions ?? []) {
        count += 1;
        expect(tx.tag, tx.name).to.satisfy((tag: string[]) => tag[0] === 'EVALUATE' || tag[0] === 'SUBMIT');
        for (const p of tx.parameters ?? []) {
          expect(p.schema, `${tx.name}.${p.name}`).to.deep.equal({ type: 'string' });
          expect(p.description, `${tx.name}.${p.name}`).to.be.a('string').and.not.equal('');
        }
        expect(tx.returns, tx.name).to.include({ type: 'string', contentMediaType: 'application/json' });
        const schema = tx.returns?.contentSchema as { title?: string; type?: string; items?: { title?: string } } | undefined;
        expect(schema?.title ?? schema?.items?.title, tx.name).to.be.a('string');
      }
    }
    expect(count).to.be.greaterThan(50);
    expect(metadata.contracts.certificate?.transactions.find((t) => t.name === 'IssueCertificate')?.parameters?.map((p) => p.name)).to.deep.equal([
      'id',
      'typeCode',
      'subjectRef',
      'documentHash',
      'validUntil',
    ]);
  });

  it('registers no component schemas, so argument validation does not carry the models', () => {
    expect(metadata.components.schemas).to.deep.equal({});
    expect(metadataOf(contracts).components.schemas).to.deep.equal({});
  });

  it('describes nested models inline with their properties, required members and no others', () => {
    const record = metadata.contracts.certificate?.transactions.find((t) => t.name === 'GetCertificate')?.returns?.contentSchema as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { anyOf?: { type: string }[]; items?: { properties: Record<string, unknown> } }>;
    };
    expect(record.additionalProperties).to.equal(false);
    expect(record.required).to.include.members(['id', 'status', 'statusChanges', 'batchRoot']);
    expect(record.properties.validUntil?.anyOf?.map((s) => s.type)).to.deep.equal(['string', 'null']);
    expect(record.properties.statusChanges?.items?.properties).to.have.property('scope');
  });

  it('rejects a result its schema does not describe (the check the test peer applies to every call)', () => {
    const schemas = new ResultSchemas(contracts, 'certificate');
    expect(() => {
      schemas.check('certificate:GetType', JSON.stringify({ code: 'X' }));
    }).to.throw('certificate:GetType returned a value its published schema does not describe');
    expect(() => {
      schemas.check('timebank:GetPolicy', JSON.stringify({ dailyCapMinutes: 480, surprise: true }));
    }).to.throw('published schema');
  });
});
