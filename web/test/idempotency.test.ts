// Unit tests of pure logic: idempotency keys.
import { webcrypto } from 'node:crypto';
import { expect } from 'chai';
import { newIdempotencyKey } from '../src/lib/idempotency';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('web: idempotency keys', () => {
  it('makes distinct UUID v4 keys where randomUUID is missing (plain-HTTP pages)', () => {
    const insecure = { getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as Pick<Crypto, 'getRandomValues'>;
    const keys = new Set(Array.from({ length: 1000 }, () => newIdempotencyKey(insecure)));
    expect(keys.size).to.equal(1000);
    for (const key of keys) expect(key).to.match(UUID_V4);
  });

  it('uses randomUUID where the browser has it', () => {
    expect(newIdempotencyKey({ getRandomValues: (a) => a, randomUUID: () => '00000000-0000-4000-8000-000000000000' })).to.equal(
      '00000000-0000-4000-8000-000000000000',
    );
  });
});
