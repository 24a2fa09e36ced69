/**
 * What `org.hyperledger.fabric:GetMetadata` says about chaincode `ctl`: every transaction's
 * parameters with a description, and its result as a JSON Schema.
 *
 * Why not `@Object`/`@Property` models: fabric-contract-api (2.5) validates every argument of
 * every call by compiling a schema `{properties: {prop: <param>}, components: {schemas: <every
 * @Object model>}}`; ajv keys its cache by a stable stringification of that whole object, and the
 * marshaller also logs it with an eagerly built `JSON.stringify`. The cost therefore grows with the
 * number and size of registered models, on every endorser, for every argument (measured: 3–6 ms
 * for `IssueCertificate`'s five arguments with our 26 models, against 0.3–0.6 ms without; see
 * README "Performance notes"). Our transactions take and return strings, so no argument needs a
 * model: the models are described here, inline, in each transaction's `returns` schema
 * (`contentMediaType: application/json` with a `contentSchema`), which the marshaller never
 * reads, and `components.schemas` stays empty.
 *
 * The model schemas are typed against the interfaces in `models.ts` (every property must be
 * described, no other may be), and the test peer validates every transaction result against
 * its declared schema, so the metadata cannot drift from the code.
 */
import type { ActorRef } from './models';

/** A JSON Schema (draft-07 vocabulary), as plain data. */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

/** The schema of an object model, keeping the type it describes for the compiler. */
export interface ModelSchema<T> extends JsonSchema {
  readonly title: string;
  readonly type: 'object';
  /** Never present at run time: it only ties the schema to `T`. */
  readonly __model?: T;
}

/** A string, with a description. */
export function string(description: string, extra: { readonly pattern?: string; readonly maxLength?: number } = {}): JsonSchema {
  return { type: 'string', description, ...extra };
}

/** A hash on the wire: `0x` and 64 lowercase hex digits. */
export function hash(description: string): JsonSchema {
  return { type: 'string', pattern: '^0x[0-9a-f]{64}$', description };
}

/** An ISO 8601 UTC time as the chaincode stores it (`toISOString()`). */
export function time(description: string): JsonSchema {
  return { type: 'string', format: 'date-time', description };
}

/** A whole number. */
export function integer(description: string, minimum?: number, maximum?: number): JsonSchema {
  return { type: 'integer', description, ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) };
}

/** True or false. */
export function boolean(description: string): JsonSchema {
  return { type: 'boolean', description };
}

/** One of a list of strings. */
export function oneOf(values: readonly string[], description: string): JsonSchema {
  return { type: 'string', enum: [...values], description };
}

/** A list. */
export function arrayOf(items: JsonSchema, description: string): JsonSchema {
  return { type: 'array', items, description };
}

/** The schema, or null. */
export function nullable(schema: JsonSchema): JsonSchema {
  const { description, ...rest } = schema;
  return { anyOf: [rest, { type: 'null' }], description };
}

/**
 * An object model. `properties` must describe every property of `T` and nothing else; the ones
 * listed in `optional` may be absent, every other one is required.
 *
 * @param title - the model's name, which typed-client generators use as the type name
 * @param description - one sentence
 * @param properties - a schema per property
 * @param optional - properties that may be left out
 * @returns the schema
 */
export function model<T extends object>(
  title: string,
  description: string,
  properties: { readonly [K in keyof Required<T>]: JsonSchema },
  optional: readonly (keyof T & string)[] = [],
): ModelSchema<T> {
  const names = Object.keys(properties);
  return {
    title,
    description,
    type: 'object',
    properties,
    required: names.filter((name) => !(optional as readonly string[]).includes(name)),
    additionalProperties: false,
  };
}

/** The identity that acted, as every record names it. */
export const ACTOR_REF = model<ActorRef>('ActorRef', 'The identity that acted: its organisation and certificate CN (never personal data).', {
  msp: string('MSP id of the organisation'),
  cn: string("common name of the identity's certificate (an enrolment id)"),
});

// ---- decorators ---------------------------------------------------------------------------

/** fabric-contract-api's per-transaction metadata entry (lib/annotations/transaction.js). */
interface TransactionMetadata {
  name: string;
  tag?: string[];
  parameters?: { name: string; description?: string; schema: JsonSchema }[];
  returns?: JsonSchema;
}

/** The part of reflect-metadata's API fabric-contract-api loads and uses for its annotations. */
interface MetadataApi {
  getMetadata(key: string, target: object): unknown;
  defineMetadata(key: string, value: unknown, target: object): void;
}

// fabric-contract-api keeps its transaction list under this reflect-metadata key of the contract
// prototype; @Transaction, @Returns and @Param all write there, and so do the two below.
const TRANSACTIONS = 'fabric:transactions';

function metadataApi(): MetadataApi {
  const api = Reflect as unknown as Partial<MetadataApi>;
  if (typeof api.getMetadata !== 'function' || typeof api.defineMetadata !== 'function') {
    throw new Error('reflect-metadata is not loaded: import fabric-contract-api before declaring transactions');
  }
  return api as MetadataApi;
}

function transactionsOf(target: object): TransactionMetadata[] {
  return (metadataApi().getMetadata(TRANSACTIONS, target) as TransactionMetadata[] | undefined) ?? [];
}

/**
 * Declares a transaction's result: a canonical JSON string holding a value of `schema`. Put it
 * below `@Transaction()`, in place of `@Returns('string')`.
 *
 * @param schema - the JSON value's schema
 * @returns the method decorator
 */
export function ReturnsJson(schema: JsonSchema): (target: object, propertyKey: string | symbol) => void {
  return (target, propertyKey) => {
    const name = String(propertyKey);
    const transactions = transactionsOf(target);
    const returns: JsonSchema = { type: 'string', contentMediaType: 'application/json', contentSchema: schema };
    const existing = transactions.find((t) => t.name === name);
    if (existing === undefined) transactions.push({ name, returns });
    else existing.returns = returns;
    metadataApi().defineMetadata(TRANSACTIONS, transactions, target);
  };
}

/**
 * Gives every transaction parameter of the contract its description, looked up by parameter
 * name, and checks that every transaction declares its result with {@link ReturnsJson}. It runs
 * when the contract class is defined, so a parameter without a description or a transaction
 * without a result schema stops the chaincode from loading (and every test) instead of
 * silently publishing poorer metadata.
 *
 * @param docs - parameter name → description (format, range, meaning)
 * @returns the class decorator
 * @throws Error at class definition, naming the transaction and parameter that lack a description or result
 */
export function DescribedParameters(docs: Readonly<Record<string, string>>): (target: { prototype: object; name: string }) => void {
  return (target) => {
    const transactions = transactionsOf(target.prototype);
    for (const tx of transactions) {
      if (tx.returns?.contentSchema === undefined) throw new Error(`${target.name}.${tx.name} declares no result schema (@ReturnsJson)`);
      for (const parameter of tx.parameters ?? []) {
        const description = docs[parameter.name];
        if (description === undefined) throw new Error(`${target.name}.${tx.name}: parameter ${parameter.name} has no description`);
        parameter.description = description;
      }
    }
    metadataApi().defineMetadata(TRANSACTIONS, transactions, target.prototype);
  };
}
