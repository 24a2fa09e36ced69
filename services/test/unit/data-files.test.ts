/**
 * Files created once in DATA_DIR: processes starting together all read the one written first,
 * an existing file is never replaced, and nothing is generated when it exists.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createOnce } from '../../src/config/data-files';
import { loadOrCreateSecret, subjectRefOf } from '../../src/domain/subject-ref';

describe('files created once in the data directory (unit)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-data-files-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives racing creators the contents written first, with mode 0600 and no temporary file left', async () => {
    const file = path.join(dir, 'secrets', 'key');
    const slow = (value: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        setTimeout(() => {
          resolve(value);
        }, ms);
      });
    const answers = await Promise.all([createOnce(file, slow('first', 5)), createOnce(file, slow('second', 40)), createOnce(file, slow('third', 20))]);
    expect(answers).to.deep.equal(['first', 'first', 'first']);
    expect(readFileSync(file, 'utf8')).to.equal('first');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readdirSync(path.dirname(file))).to.deep.equal(['key']);
  });

  it('reads an existing file without making anything', async () => {
    const file = path.join(dir, 'key');
    writeFileSync(file, 'kept');
    let made = 0;
    expect(
      await createOnce(file, () => {
        made += 1;
        return 'new';
      }),
    ).to.equal('kept');
    expect(made).to.equal(0);
  });

  it('makes one subject reference secret for processes starting together, and refuses a short one', async () => {
    const file = path.join(dir, 'subject-ref.key');
    const [a, b] = await Promise.all([loadOrCreateSecret(file), loadOrCreateSecret(file)]);
    expect(a).to.equal(b).and.to.have.length(64);
    expect(subjectRefOf(a, '110101195001011239')).to.equal(subjectRefOf(await loadOrCreateSecret(file), '110101195001011239'));
    writeFileSync(file, 'short\n');
    let failure: unknown;
    await loadOrCreateSecret(file).catch((err: unknown) => {
      failure = err;
    });
    expect(String(failure)).to.contain('too short');
  });
});
