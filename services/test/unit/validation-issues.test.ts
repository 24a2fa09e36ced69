/**
 * Validation issues carry a code a client can word in its own language (unit test, pure): each
 * kind of zod issue the API's schemas raise maps to its code and parameters, and the input that
 * failed never leaves the mapping.
 */
import { expect } from 'chai';
import { z } from 'zod';
import { HolderSchema } from '../../src/domain/certificate-input';
import { issuesOf, reasonOfZodIssue } from '../../src/validation-issues';

const Sample = z.strictObject({
  name: z.string().trim().min(1).max(5),
  code: z.string().min(3).optional(),
  count: z.number().int().min(1).max(9).optional(),
  tags: z.array(z.string()).min(1).max(2).optional(),
  level: z.enum(['low', 'high']).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  ref: z.string().regex(/^r-\d+$/).optional(),
});

function issues(value: unknown): { path: string; code?: string; params?: unknown }[] {
  const parsed = Sample.safeParse(value, { reportInput: true });
  if (parsed.success) return [];
  return issuesOf(parsed.error, 'body').map(({ path, code, params }) => ({ path, ...(code === undefined ? {} : { code }), ...(params === undefined ? {} : { params }) }));
}

describe('validation issues', () => {
  it('tells a missing or empty value (REQUIRED) from a wrong kind of value (WRONG_TYPE)', () => {
    expect(issues({})).to.deep.equal([{ path: 'body.name', code: 'REQUIRED' }]);
    expect(issues({ name: '   ' })).to.deep.equal([{ path: 'body.name', code: 'REQUIRED' }]);
    expect(issues({ name: 42 })).to.deep.equal([{ path: 'body.name', code: 'WRONG_TYPE', params: { expected: 'string' } }]);
  });

  it('names the limit a value broke: characters, entries or size', () => {
    expect(issues({ name: 'abcdef', code: 'ab', count: 10, tags: ['a', 'b', 'c'] })).to.deep.equal([
      { path: 'body.name', code: 'TOO_LONG', params: { max: 5 } },
      { path: 'body.code', code: 'TOO_SHORT', params: { min: 3 } },
      { path: 'body.count', code: 'TOO_BIG', params: { max: 9 } },
      { path: 'body.tags', code: 'TOO_MANY', params: { max: 2 } },
    ]);
    expect(issues({ name: 'a', count: 0, tags: [] })).to.deep.equal([
      { path: 'body.count', code: 'TOO_SMALL', params: { min: 1 } },
      { path: 'body.tags', code: 'TOO_FEW', params: { min: 1 } },
    ]);
  });

  it('names allowed values, unknown members and forms: enum, strict object, datetime, pattern', () => {
    expect(issues({ name: 'a', level: 'mid', at: 'tomorrow', ref: 'x', extra: 1, other: 2 })).to.deep.equal([
      { path: 'body.level', code: 'NOT_ALLOWED', params: { values: 'low, high' } },
      { path: 'body.at', code: 'NOT_A_DATETIME' },
      { path: 'body.ref', code: 'BAD_FORMAT' },
      { path: 'body', code: 'UNKNOWN_FIELDS', params: { keys: 'extra, other' } },
    ]);
  });

  it("carries a refinement's own code, and none for a refinement that names no known code", () => {
    const parsed = HolderSchema.safeParse({ idNumber: '110105194912310021', name: 'Wang \uFFFD' }, { reportInput: true });
    expect(parsed.success).to.equal(false);
    if (parsed.success) return;
    expect(issuesOf(parsed.error, '').map((i) => [i.path, i.code])).to.deep.equal([
      ['idNumber', 'ID_CHECK_DIGIT'],
      ['name', 'LOST_CHARACTERS'],
    ]);
    const other = z.string().refine(() => false, { error: 'no', params: { code: 'NOT_A_CODE' } }).safeParse('x');
    expect(other.success).to.equal(false);
    if (!other.success) expect(other.error.issues.map(reasonOfZodIssue)).to.deep.equal([undefined]);
  });

  it('never puts the refused input into an issue', () => {
    const parsed = HolderSchema.safeParse({ idNumber: '110105194912310021', name: 'x'.repeat(101) }, { reportInput: true });
    expect(parsed.success).to.equal(false);
    if (parsed.success) return;
    const text = JSON.stringify(issuesOf(parsed.error, 'body.holder'));
    expect(text).not.to.include('110105194912310021');
    expect(text).not.to.include('x'.repeat(101));
    expect(text).to.include('"code":"TOO_LONG"');
  });
});
