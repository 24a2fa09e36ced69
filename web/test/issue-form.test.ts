// Unit tests of pure logic: the officer's issue form.
import { expect } from 'chai';
import type { CertificateType } from '../src/api/client';
import {
  addDays,
  emptyIssueForm,
  endOfLocalDay,
  fieldsForType,
  isCalendarDate,
  latestValidUntil,
  localDate,
  toIssueRequest,
  validateIssueForm,
} from '../src/lib/issue-form';

const elderly: CertificateType = {
  code: 'ELDERLY_PREFERENTIAL',
  name: 'Elderly preferential card',
  validityDays: 365,
  allowedIssuerMsps: [],
  version: 1,
  fields: [
    { key: 'birthYear', label: 'Year of birth', type: 'number', required: true },
    { key: 'careLevel', label: 'Care level', type: 'string', required: false },
    { key: 'assessedOn', label: 'Assessed on', type: 'date', required: false },
    { key: 'livesAlone', label: 'Lives alone', type: 'boolean', required: false },
  ],
};
const residence: CertificateType = {
  code: 'RESIDENCE_PROOF',
  name: 'Residence certificate',
  validityDays: 0,
  allowedIssuerMsps: [],
  version: 1,
  fields: [
    { key: 'address', label: 'Address', type: 'string', required: true },
    { key: 'careLevel', label: 'Care level', type: 'string', required: false },
    { key: 'livesAlone', label: 'Lives alone', type: 'string', required: false },
  ],
};

const filled = (changes: Partial<ReturnType<typeof emptyIssueForm>> = {}) => ({
  ...emptyIssueForm(elderly),
  idNumber: '110101195001011239',
  holderName: 'Wang Fang',
  fields: { birthYear: '1950', careLevel: '', assessedOn: '', livesAlone: false },
  ...changes,
});

describe('web: issue form', () => {
  it('starts empty, with check boxes unticked', () => {
    expect(emptyIssueForm(elderly).fields).to.deep.equal({ birthYear: '', careLevel: '', assessedOn: '', livesAlone: false });
  });

  it('reports every missing required value, keyed by its input, and nothing for optional ones', () => {
    const errors = validateIssueForm(emptyIssueForm(elderly), elderly, '2026-01-01');
    expect(Object.keys(errors).sort()).to.deep.equal(['field.birthYear', 'holderName', 'idNumber']);
    expect(errors.holderName).to.deep.equal({ key: 'issue.missing', keyParams: { field: 'issue.holderName' } });
    expect(errors['field.birthYear']).to.deep.equal({ key: 'issue.missing', params: { field: 'Year of birth' } });
  });

  it('counts white space alone as missing', () => {
    expect(Object.keys(validateIssueForm(filled({ idNumber: '  ' }), elderly, '2026-01-01'))).to.deep.equal(['idNumber']);
  });

  it("checks an 18-digit resident identity number's check digit (GB 11643), and lets other documents through", () => {
    const idError = (idNumber: string): unknown => validateIssueForm(filled({ idNumber }), elderly, '2026-01-01').idNumber;
    expect(idError('110101195001011234')).to.deep.equal({ key: 'issue.idCheckDigit' });
    expect(idError('11010519491231002X')).to.equal(undefined);
    expect(idError('11010519491231002x')).to.equal(undefined);
    expect(idError('E12345678')).to.equal(undefined);
  });

  it('checks numbers and dates by the field type', () => {
    const errors = validateIssueForm(filled({ fields: { birthYear: '19x0', careLevel: '', assessedOn: '2025-02-30', livesAlone: false } }), elderly, '2026-01-01');
    expect(errors['field.birthYear']).to.deep.equal({ key: 'issue.notNumber', params: { field: 'Year of birth' } });
    expect(errors['field.assessedOn']).to.deep.equal({ key: 'issue.notDate', params: { field: 'Assessed on' } });
  });

  it('limits lengths', () => {
    const errors = validateIssueForm(filled({ idNumber: '1'.repeat(65), fields: { birthYear: '1950', careLevel: 'x'.repeat(501), assessedOn: '', livesAlone: false } }), elderly, '2026-01-01');
    expect(errors.idNumber).to.deep.equal({ key: 'issue.tooLong', params: { max: 64 }, keyParams: { field: 'issue.idNumber' } });
    expect(errors['field.careLevel']).to.deep.equal({ key: 'issue.tooLong', params: { field: 'Care level', max: 500 } });
  });

  it('keeps the end of validity after today and within the type validity', () => {
    const at = (validUntil: string) => validateIssueForm(filled({ validUntil }), elderly, '2026-01-01').validUntil;
    expect(at('2026-01-01')).to.deep.equal({ key: 'issue.pastDate' });
    expect(at('2026-01-02')).to.equal(undefined);
    expect(at('2027-01-01')).to.equal(undefined);
    expect(at('2027-01-02')).to.deep.equal({ key: 'issue.beyondValidity', params: { days: 365, latest: '2027-01-01' } });
    expect(latestValidUntil(residence, '2026-01-01')).to.equal(undefined);
  });

  it('builds the request with trimmed text, numbers as numbers, booleans always, and no empty optional fields', () => {
    const form = filled({ idNumber: ' 110101195001011239 ', holderName: ' Wang Fang ', fields: { birthYear: ' 1950 ', careLevel: '  ', assessedOn: '2025-12-01', livesAlone: true } });
    expect(toIssueRequest(form, elderly)).to.deep.equal({
      typeCode: 'ELDERLY_PREFERENTIAL',
      holder: { idNumber: '110101195001011239', name: 'Wang Fang' },
      fields: { birthYear: 1950, assessedOn: '2025-12-01', livesAlone: true },
    });
  });

  it("takes the holder's name from the holder block only: no second holderName input, none sent as a field", () => {
    const senior: CertificateType = {
      code: 'SENIOR_CARE_CARD',
      name: 'Senior care card',
      validityDays: 0,
      allowedIssuerMsps: [],
      version: 1,
      fields: [
        { key: 'holderName', label: 'Holder name', type: 'string', required: true },
        { key: 'greenLane', label: 'Green lane eligible', type: 'boolean', required: true },
      ],
    };
    const form = { ...emptyIssueForm(senior), idNumber: '110101195001011239', holderName: 'Wang Fang' };
    expect(Object.keys(form.fields)).to.deep.equal(['greenLane']);
    expect(validateIssueForm(form, senior, '2026-01-01')).to.deep.equal({});
    expect(toIssueRequest(form, senior).fields).to.deep.equal({ greenLane: false });
  });

  it('carries values to another type only where the key and kind match', () => {
    expect(fieldsForType(residence, { birthYear: '1950', careLevel: 'B', livesAlone: true })).to.deep.equal({
      address: '',
      careLevel: 'B',
      livesAlone: '',
    });
  });

  it('sends the validity as the last moment of the chosen local day', () => {
    const { validUntil } = toIssueRequest(filled({ validUntil: '2030-06-30' }), elderly);
    const instant = new Date(validUntil ?? '');
    expect(localDate(instant)).to.equal('2030-06-30');
    expect(localDate(new Date(instant.getTime() + 1))).to.equal('2030-07-01');
    expect(endOfLocalDay('2030-06-30')).to.equal(validUntil);
  });

  it('does calendar arithmetic on dates', () => {
    expect(localDate(new Date(2026, 0, 5, 12))).to.equal('2026-01-05');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addDays('2026-12-31', 365)).to.equal('2027-12-31');
    expect(isCalendarDate('2028-02-29')).to.equal(true);
    expect(isCalendarDate('2026-02-29')).to.equal(false);
    expect(isCalendarDate('2026-1-05')).to.equal(false);
  });
});
