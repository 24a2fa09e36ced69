// Unit tests of pure logic: the officer's issue form.
import { expect } from 'chai';
import { CERTIFICATE_TYPES, certificateType, type CertificateTypeSpec } from '../src/lib/certificate-types';
import { emptyIssueForm, endOfLocalDay, localDate, toIssueRequest, validateIssueForm } from '../src/lib/issue-form';

const elderly = certificateType('ELDERLY_CARE') as CertificateTypeSpec;

describe('web: issue form', () => {
  it('offers types with unique codes and unique field names', () => {
    expect(new Set(CERTIFICATE_TYPES.map((t) => t.code)).size).to.equal(CERTIFICATE_TYPES.length);
    for (const type of CERTIFICATE_TYPES) expect(new Set(type.fields.map((f) => f.name)).size).to.equal(type.fields.length);
  });

  it('reports every missing required value, keyed by its input, and nothing for optional ones', () => {
    const errors = validateIssueForm(emptyIssueForm(elderly), elderly, '2026-01-01');
    expect(Object.keys(errors).sort()).to.deep.equal(['field.birthYear', 'holderName', 'idNumber']);
    expect(errors.holderName).to.deep.equal({ key: 'issue.missing', keyParams: { field: 'issue.holderName' } });
  });

  it('counts white space alone as missing', () => {
    const form = { ...emptyIssueForm(elderly), idNumber: '   ', holderName: 'Wang Fang', fields: { birthYear: '1950', careLevel: '' } };
    expect(Object.keys(validateIssueForm(form, elderly, '2026-01-01'))).to.deep.equal(['idNumber']);
  });

  it('limits lengths and refuses an end of validity that is not after today', () => {
    const form = {
      ...emptyIssueForm(elderly),
      idNumber: '1'.repeat(65),
      holderName: 'Wang Fang',
      fields: { birthYear: '19500', careLevel: '' },
      validUntil: '2026-01-01',
    };
    const errors = validateIssueForm(form, elderly, '2026-01-01');
    expect(errors.idNumber).to.deep.equal({ key: 'issue.tooLong', params: { max: 64 }, keyParams: { field: 'issue.idNumber' } });
    expect(errors['field.birthYear']?.key).to.equal('issue.tooLong');
    expect(errors.validUntil).to.deep.equal({ key: 'issue.pastDate' });
    expect(validateIssueForm({ ...form, validUntil: '2026-01-02' }, elderly, '2026-01-01').validUntil).to.equal(undefined);
  });

  it('builds the request with trimmed values and without empty optional fields', () => {
    const form = {
      ...emptyIssueForm(elderly),
      idNumber: ' 110101195001011234 ',
      holderName: ' Wang Fang ',
      fields: { birthYear: '1950 ', careLevel: '  ' },
    };
    expect(toIssueRequest(form, elderly)).to.deep.equal({
      typeCode: 'ELDERLY_CARE',
      holder: { idNumber: '110101195001011234', name: 'Wang Fang' },
      fields: { birthYear: '1950' },
    });
  });

  it('sends the validity as the last moment of the chosen local day', () => {
    const form = { ...emptyIssueForm(elderly), idNumber: '1', holderName: 'W', fields: { birthYear: '1950' }, validUntil: '2030-06-30' };
    const { validUntil } = toIssueRequest(form, elderly);
    const instant = new Date(validUntil ?? '');
    expect(localDate(instant)).to.equal('2030-06-30');
    expect(localDate(new Date(instant.getTime() + 1))).to.equal('2030-07-01');
    expect(endOfLocalDay('2030-06-30')).to.equal(validUntil);
  });

  it('formats local dates with zero padding', () => {
    expect(localDate(new Date(2026, 0, 5, 12))).to.equal('2026-01-05');
  });
});
