// Unit tests of pure logic: API problems and their validation issues worded in the person's language by their codes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ISSUE_CODES } from '../../services/src/verification/issue-codes';
import { apiErrorFromResponse } from '../src/api/errors';
import { en } from '../src/i18n/en';
import { translateMessage } from '../src/i18n/translate';
import { zhCN } from '../src/i18n/zh-CN';
import { issueMessage, issueText, problemMessage, rowProblemPlace } from '../src/lib/problem-text';

const PARAMS = { max: 100, min: 2, expected: 'number', values: 'low, high', keys: 'extra', type: 'SENIOR_CARE_CARD', days: 365, row: 3 };

describe('web: API issues in the person’s language', () => {
  it('words every issue code the API can send, in both languages, with every placeholder filled', () => {
    for (const code of ISSUE_CODES) {
      const message = issueMessage({ code, params: PARAMS });
      expect(message, code).not.to.equal(undefined);
      if (message === undefined) continue;
      for (const catalogue of [en, zhCN]) {
        const text = translateMessage(catalogue, message);
        expect(text, code).to.match(/\S/);
        expect(text, code).not.to.match(/\{\w+\}/);
      }
    }
  });

  it('words the rows of a refused batch from the problem document, in Chinese', () => {
    const error = apiErrorFromResponse(422, {
      code: 'BATCH.INVALID_ROWS',
      status: 422,
      title: 'Unprocessable content',
      errors: [
        { row: 2, path: 'holder.idNumber', message: 'is an 18-character resident identity number whose check digit …', code: 'ID_CHECK_DIGIT' },
        { row: 3, path: 'holder.name', message: 'Too big: expected string to have <=100 characters', code: 'TOO_LONG', params: { max: 100, junk: { nested: true } } },
        { row: 4, path: 'fields.count', message: 'Invalid input: expected number, received string', code: 'WRONG_TYPE', params: { expected: 'number' } },
        { row: 5, path: 'fields.x', message: 'a problem this portal has no words for', code: 'SOME_LATER_CODE' },
      ],
    });
    expect(error.fieldProblems[1]?.params).to.deep.equal({ max: 100 });
    const texts = error.fieldProblems.map((problem) => issueText(problem, (m) => translateMessage(zhCN, m)));
    expect(texts).to.deep.equal([
      '是 18 位身份号码，但最后一位（校验码）与前面各位不符，请检查是否输错',
      '超过 100 个字符',
      '值的类型不对，应为数字',
      'a problem this portal has no words for',
    ]);
    expect(issueText(error.fieldProblems[2] ?? { path: '', message: '' }, (m) => translateMessage(en, m))).to.equal('has the wrong kind of value: it should be a number');
  });

  it('keeps the API message for an issue without a code', () => {
    expect(issueMessage({})).to.equal(undefined);
    expect(issueText({ path: 'body', message: 'Required' }, () => 'translated')).to.equal('Required');
  });
});

describe('web: API problems in the person’s language', () => {
  it('words a problem code it knows, in both languages', () => {
    const message = problemMessage({ code: 'LEDGER.UNAVAILABLE' });
    expect(message).to.deep.equal({ key: 'problems.LEDGER.UNAVAILABLE' });
    if (message === undefined) return;
    expect(translateMessage(en, message)).to.equal('The ledger cannot be reached. Try again in a moment; nothing is lost.');
    expect(translateMessage(zhCN, message)).to.equal('暂时无法连接账本，请稍后再试；数据不会丢失。');
  });

  it('leaves a code it does not know to the API’s own words', () => {
    for (const code of ['CERT.SOMETHING_NEW', 'NEWDOMAIN.NOT_FOUND', 'CLIENT.NETWORK', 'HTTP.502', 'LEDGER', 'LEDGER.UNAVAILABLE.MORE', 'toString.call', '__proto__.x']) {
      expect(problemMessage({ code }), code).to.equal(undefined);
    }
  });

  it('words only codes the services or the chaincode can raise, so no translation is stale', () => {
    const root = join(__dirname, '..', '..');
    const raised = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/'([A-Z][A-Z_]*\.[A-Z][A-Z_]*)'/g)) raised.add(m[1] ?? '');
      }
    };
    walk(join(root, 'services', 'src'));
    walk(join(root, 'chaincode', 'src'));
    const worded = Object.entries(en.problems).flatMap(([domain, reasons]) => Object.keys(reasons).map((reason) => `${domain}.${reason}`));
    expect(worded.length).to.be.above(40);
    expect(worded.filter((code) => !raised.has(code))).to.deep.equal([]);
  });
});

describe('web: where a batch row’s problem is', () => {
  const fields = [{ key: 'grade', label: 'Grade (1-4) / 残疾等级' }];

  it('names the CSV column and what it holds, for the holder, the type’s fields and the validity', () => {
    expect(rowProblemPlace('holder.idNumber', fields)).to.deep.equal({ column: 'idNumber', label: { message: { key: 'issue.idNumber' } } });
    expect(rowProblemPlace('holder.name', fields)).to.deep.equal({ column: 'name', label: { message: { key: 'issue.holderName' } } });
    expect(rowProblemPlace('validUntil', fields)).to.deep.equal({ column: 'validUntil', label: { message: { key: 'issue.validUntil' } } });
    expect(rowProblemPlace('fields.grade', fields)).to.deep.equal({ column: 'grade', label: { text: 'Grade (1-4) / 残疾等级' } });
  });

  it('keeps a field the type lacks, and any other path, as the API named it', () => {
    expect(rowProblemPlace('fields.shoeSize', fields)).to.deep.equal({ column: 'shoeSize', label: undefined });
    expect(rowProblemPlace('header.shoeSize', fields)).to.deep.equal({ column: 'shoeSize', label: undefined });
    expect(rowProblemPlace('header.grade', fields)).to.deep.equal({ column: 'grade', label: { text: 'Grade (1-4) / 残疾等级' } });
    expect(rowProblemPlace('(row)', fields)).to.deep.equal({ column: '', label: { message: { key: 'batch.wholeRow' } } });
    for (const path of ['header', 'csv', 'fields.a.b']) expect(rowProblemPlace(path, fields), path).to.deep.equal({ column: path, label: undefined });
  });
});
