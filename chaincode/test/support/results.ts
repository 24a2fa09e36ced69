/**
 * Checks every transaction result against the schema the chaincode publishes for it in
 * GetMetadata (`returns.contentSchema`), with the ajv that fabric-shim itself uses. The test peer
 * calls it on every successful proposal, so each test of the suite also proves that the
 * published metadata describes what the transaction really returns — the metadata cannot drift.
 */
import { dirname } from 'node:path';
import { JSONSerializer } from 'fabric-contract-api';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';

interface Validate {
  (data: unknown): boolean;
  errors?: { dataPath?: string; message?: string }[] | null;
}

interface AjvInstance {
  compile(schema: object): Validate;
}

type AjvConstructor = new (options: object) => AjvInstance;

// fabric-shim's own dependency (ajv 6), resolved from fabric-shim, not whatever the root hoists.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require(require.resolve('ajv', { paths: [dirname(require.resolve('fabric-shim/package.json'))] })) as AjvConstructor;

/** The metadata fabric-contract-api builds for a list of contracts (what GetMetadata returns). */
export interface ContractMetadata {
  readonly contracts: Record<string, { readonly transactions: { name: string; tag?: string[]; parameters?: { name: string; description?: string; schema: object }[]; returns?: Record<string, unknown> }[] }>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

/**
 * @param contractList - the contract classes
 * @returns the metadata, built by fabric-shim exactly as the chaincode process builds it
 */
export function metadataOf(contractList: readonly unknown[]): ContractMetadata {
  const cc = new ChaincodeFromContract([...contractList], { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } }, {}, 'ctl-chaincode', '0.1.0');
  return cc.metadata as ContractMetadata;
}

/** Validators of transaction results, compiled once per transaction. */
export class ResultSchemas {
  private readonly ajv = new Ajv({ allErrors: true });
  private readonly validators = new Map<string, Validate | null>();
  private metadata: ContractMetadata | undefined;

  constructor(
    private readonly contractList: readonly unknown[],
    private readonly defaultContract: string,
  ) {}

  /**
   * @param fn - `contract:Transaction` as the client sends it
   * @param payload - the result text
   * @throws Error naming the transaction and the mismatch when the result does not match
   */
  check(fn: string, payload: string): void {
    const validate = this.validator(fn);
    if (validate === null) return;
    const value = JSON.parse(payload) as unknown;
    if (!validate(value)) {
      const errors = (validate.errors ?? []).map((e) => `${e.dataPath ?? ''} ${e.message ?? ''}`).join('; ');
      throw new Error(`${fn} returned a value its published schema does not describe: ${errors}`);
    }
  }

  private validator(fn: string): Validate | null {
    let validate = this.validators.get(fn);
    if (validate === undefined) {
      this.metadata ??= metadataOf(this.contractList);
      const [contract, name] = fn.includes(':') ? fn.split(':') : [this.defaultContract, fn];
      const tx = this.metadata.contracts[contract ?? '']?.transactions.find((t) => t.name === name);
      const schema = tx?.returns?.contentSchema;
      validate = typeof schema === 'object' && schema !== null ? this.ajv.compile(schema) : null;
      this.validators.set(fn, validate);
    }
    return validate;
  }
}
