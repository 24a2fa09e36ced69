// Unit tests of pure logic: reading a batch file for the preview.
import { expect } from 'chai';
import { batchFormatOf, decodeBatchFile, maskIdNumber, MAX_BATCH_ROWS, parseBatchInput, parseCsv } from '../src/lib/batch-input';

describe('web: batch input', () => {
  it('splits CSV with quoted commas, doubled quotes, line breaks in quotes, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFidNumber,name,note\r\n1,"Li, Lei","said ""hi"""\r\n\r\n2,Wang,"two\nlines"\n';
    expect(parseCsv(text)).to.deep.equal([
      ['idNumber', 'name', 'note'],
      ['1', 'Li, Lei', 'said "hi"'],
      ['2', 'Wang', 'two\nlines'],
    ]);
    expect(parseCsv('a,,c')).to.deep.equal([['a', '', 'c']]);
    expect(parseCsv('""')).to.deep.equal([['']]);
  });

  it('refuses an unclosed quoted cell', () => {
    expect(() => parseCsv('a,"b\n')).to.throw(SyntaxError);
    expect(parseBatchInput('idNumber,name\n1,"Wang\n', 'csv')).to.deep.equal({ ok: false, message: { key: 'batch.csvUnclosed' } });
  });

  it('previews a CSV: row count, columns, first five rows with identity numbers masked, the text as the body', () => {
    const rows = Array.from({ length: 7 }, (_, i) => `11010119500101${String(i).padStart(4, '0')},Name ${i},1950`);
    const text = `idNumber,name,birthYear\n${rows.join('\n')}\n`;
    const parsed = parseBatchInput(text, 'csv');
    if (!parsed.ok) throw new Error('refused');
    expect(parsed.batch.rowCount).to.equal(7);
    expect(parsed.batch.columns).to.deep.equal(['idNumber', 'name', 'birthYear']);
    expect(parsed.batch.rows).to.have.length(5);
    expect(parsed.batch.rows[0]).to.deep.equal(['1101••••••••••0000', 'Name 0', '1950']);
    expect(parsed.batch.body).to.equal(text);
    expect(parsed.batch.typeCode).to.equal(undefined);
  });

  it('names the columns a CSV lacks', () => {
    expect(parseBatchInput('name,birthYear\nWang,1950', 'csv')).to.deep.equal({ ok: false, message: { key: 'batch.csvMissingColumns', params: { columns: 'idNumber' } } });
    expect(parseBatchInput('idNumber,name\n', 'csv')).to.deep.equal({ ok: false, message: { key: 'batch.empty' } });
  });

  it('previews a JSON batch with its own type and the field keys as columns', () => {
    const body = { typeCode: 'RESIDENCE_PROOF', items: [{ holder: { idNumber: '110101195001011234', name: 'Wang' }, fields: { address: '1 Road', floor: 3 }, validUntil: '2030-01-01T00:00:00Z' }] };
    const parsed = parseBatchInput(JSON.stringify(body), 'json');
    if (!parsed.ok) throw new Error('refused');
    expect(parsed.batch.typeCode).to.equal('RESIDENCE_PROOF');
    expect(parsed.batch.columns).to.deep.equal(['idNumber', 'name', 'address', 'floor', 'validUntil']);
    expect(parsed.batch.rows).to.deep.equal([['1101••••••••••1234', 'Wang', '1 Road', '3', '2030-01-01T00:00:00Z']]);
    expect(parsed.batch.body).to.deep.equal(body);
  });

  it('refuses JSON that is not a batch, and any batch over the row limit', () => {
    expect(parseBatchInput('[1]', 'json')).to.deep.equal({ ok: false, message: { key: 'batch.jsonShape' } });
    expect(parseBatchInput('{"typeCode":"X"}', 'json')).to.deep.equal({ ok: false, message: { key: 'batch.jsonShape' } });
    expect(parseBatchInput('{"typeCode":"X","items":[]}', 'json')).to.deep.equal({ ok: false, message: { key: 'batch.empty' } });
    expect(parseBatchInput('{"typeCode":', 'json')).to.deep.equal({ ok: false, message: { key: 'input.notJson' } });
    const over = MAX_BATCH_ROWS + 1;
    const csv = `idNumber,name\n${'1,a\n'.repeat(over)}`;
    expect(parseBatchInput(csv, 'csv')).to.deep.equal({ ok: false, message: { key: 'batch.tooMany', params: { count: over, max: MAX_BATCH_ROWS } } });
    const json = JSON.stringify({ typeCode: 'X', items: Array.from({ length: over }, () => ({})) });
    expect(parseBatchInput(json, 'json')).to.deep.equal({ ok: false, message: { key: 'batch.tooMany', params: { count: over, max: MAX_BATCH_ROWS } } });
    expect(parseBatchInput('  \n', 'csv')).to.deep.equal({ ok: false, message: { key: 'batch.empty' } });
  });

  it('tells CSV from JSON by name, media type, then content', () => {
    expect(batchFormatOf('rows.CSV', '', '{')).to.equal('csv');
    expect(batchFormatOf('rows.json', '', 'a,b')).to.equal('json');
    expect(batchFormatOf('', 'application/json', 'a,b')).to.equal('json');
    expect(batchFormatOf('', '', '  {"typeCode":1}')).to.equal('json');
    expect(batchFormatOf('', '', 'idNumber,name')).to.equal('csv');
  });

  it('masks all but the first and last four characters of an identity number', () => {
    expect(maskIdNumber('110101195001011234')).to.equal('1101••••••••••1234');
    expect(maskIdNumber('12345678')).to.equal('••••••••');
    expect(maskIdNumber('')).to.equal('');
  });

  it('reads a file as UTF-8 (dropping a BOM), else as GB18030, else refuses it', () => {
    const utf8 = new TextEncoder().encode('\uFEFFidNumber,name\n1,王芳\n');
    expect(decodeBatchFile(utf8)).to.deep.equal({ text: 'idNumber,name\n1,王芳\n', encoding: 'utf-8' });
    // 王芳 in GBK (Excel's "CSV" on Chinese Windows): not valid UTF-8
    const gbk = Uint8Array.from([...new TextEncoder().encode('idNumber,name\n1,'), 0xcd, 0xf5, 0xb7, 0xbc, 0x0a]);
    expect(decodeBatchFile(gbk)).to.deep.equal({ text: 'idNumber,name\n1,王芳\n', encoding: 'gb18030' });
    expect(decodeBatchFile(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x80, 0x81, 0xfe]))).to.equal(undefined);
  });
});
