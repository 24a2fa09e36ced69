/**
 * Parsing of certificate-type definitions: the JSON a street office registers.
 */
import { Input } from '../shared/input';
import { sha256Canonical } from '../shared/hash';
import { FIELD_TYPES, type CertificateTypeDefinition, type FieldDefinition } from './models';

/** Longest type definition accepted, in characters of JSON. */
export const MAX_TYPE_JSON = 32_768;
/** Most fields a type may define. */
export const MAX_FIELDS = 64;
/** Longest validity, in days (100 years). */
export const MAX_VALIDITY_DAYS = 36_500;

const FIELD_KEY = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

/**
 * Parses and normalises a type definition (issuer list sorted, optional flags made explicit),
 * so two texts meaning the same definition give the same value and the same hash.
 *
 * @param typeJson - the JSON text
 * @returns the definition and its hash
 * @throws ChaincodeError `CERT.INVALID_ARGUMENT` for malformed JSON, unknown or missing fields,
 *   bad codes, MSP ids, field keys, duplicates or out-of-range validity
 */
export function parseTypeDefinition(typeJson: string): { definition: CertificateTypeDefinition; definitionHash: string } {
  const probe = new Input('CERT', 'certificate type');
  const raw = probe.object('typeJson', probe.json('typeJson', typeJson, MAX_TYPE_JSON), ['code', 'name', 'allowedIssuerMsps', 'validityDays', 'fields']);
  const code = probe.codeValue('code', raw.code);
  const input = new Input('CERT', `certificate type ${code}`);
  const fields: FieldDefinition[] = input.array('fields', raw.fields, MAX_FIELDS).map((item, i) => {
    const f = input.object(`fields[${i}]`, item, ['key', 'label', 'type', 'required'], ['personal']);
    return {
      key: (() => {
        const key = input.string(`fields[${i}].key`, f.key);
        if (!FIELD_KEY.test(key)) input.fail(`fields[${i}].key must be a letter then letters, digits or _ (at most 64)`);
        return key;
      })(),
      label: input.text(`fields[${i}].label`, f.label, 1, 200),
      type: input.oneOf(`fields[${i}].type`, f.type, FIELD_TYPES),
      required: input.boolean(`fields[${i}].required`, f.required),
      personal: f.personal === undefined ? false : input.boolean(`fields[${i}].personal`, f.personal),
    };
  });
  const keys = new Set<string>();
  for (const field of fields) {
    if (keys.has(field.key)) input.fail(`fields lists the key ${field.key} twice`);
    keys.add(field.key);
  }
  const definition: CertificateTypeDefinition = {
    code,
    name: input.text('name', raw.name, 1, 200),
    allowedIssuerMsps: input.mspList('allowedIssuerMsps', raw.allowedIssuerMsps, 1, 32),
    validityDays: input.integer('validityDays', raw.validityDays, 0, MAX_VALIDITY_DAYS),
    fields,
  };
  return { definition, definitionHash: sha256Canonical(definition) };
}
