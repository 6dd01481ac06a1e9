import { execFile } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { UsageError, VerificationError } from '../../../src/errors.js';
import {
  SUMS_FILE,
  checkSums,
  compareSums,
  describeMismatch,
  formatSums,
  listFiles,
  parseSums,
  writeSums,
} from '../../../src/bundle/sums.js';
import { SAMPLE_FILES, SAMPLE_PATHS_SORTED, removeDir, tempDir, writeFiles } from './fixture.js';

const run = promisify(execFile);

describe('bundle/sums', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, SAMPLE_FILES);
  });
  afterEach(async () => removeDir(dir));

  it('lists every file but SHA256SUMS, byte-sorted, with / separators', async () => {
    await writeFile(path.join(dir, SUMS_FILE), 'stale\n');
    const files = await listFiles(dir);
    expect(files).to.deep.equal(SAMPLE_PATHS_SORTED);
  });

  it('writes a file that `sha256sum -c` accepts, covering every file', async () => {
    const { entries } = await writeSums(dir);
    expect(entries.map((e) => e.path)).to.have.members(Object.keys(SAMPLE_FILES));
    const { stdout } = await run('sha256sum', ['-c', SUMS_FILE], { cwd: dir });
    expect(stdout.trim().split('\n')).to.have.length(Object.keys(SAMPLE_FILES).length);
    expect(stdout).not.to.include('FAILED');
    const text = await readFile(path.join(dir, SUMS_FILE), 'utf8');
    expect(text).to.match(/^[0-9a-f]{64} {2}PRODUCT\.yaml\n/);
    expect(parseSums(text)).to.deep.equal(entries);
  });

  it('checks a folder: changed, extra and missing files are each named', async () => {
    await writeSums(dir);
    await writeFile(path.join(dir, 'results.json'), '{"tests":7}\n');
    await writeFile(path.join(dir, 'extra.txt'), 'x');
    await removeDir(path.join(dir, 'podlogs'));
    const problems = await checkSums(dir);
    expect(problems.map((p) => `${p.path}:${p.problem}`)).to.deep.equal([
      'extra.txt:extra',
      'podlogs/ns-a/pod-1/main.log:missing',
      'results.json:changed',
    ]);
    const changed = problems.find((p) => p.problem === 'changed');
    if (changed === undefined) throw new Error('no changed entry');
    expect(describeMismatch(changed)).to.match(
      /^results\.json: sha256 mismatch \(SHA256SUMS says [0-9a-f]{12}…, tarball has [0-9a-f]{12}…\)$/,
    );
  });

  it('parses binary-mode lines and rejects malformed or duplicate lines', () => {
    const hex = 'a'.repeat(64);
    expect(parseSums(`${hex} *x.bin\n`)).to.deep.equal([{ path: 'x.bin', sha256: hex }]);
    expect(() => parseSums('nonsense\n')).to.throw(VerificationError, 'SHA256SUMS line 1');
    expect(() => parseSums(`${hex}  a\n${hex}  a\n`)).to.throw(VerificationError, 'a is listed twice');
  });

  it('compares in memory without counting SHA256SUMS itself as extra', () => {
    const hex = 'b'.repeat(64);
    const found = new Map([
      ['a', hex],
      [SUMS_FILE, 'c'.repeat(64)],
    ]);
    expect(compareSums([{ path: 'a', sha256: hex }], found)).to.deep.equal([]);
  });

  it('formats sorted lines regardless of input order', () => {
    const hex = 'd'.repeat(64);
    expect(
      formatSums([
        { path: 'b', sha256: hex },
        { path: 'a', sha256: hex },
      ]),
    ).to.equal(`${hex}  a\n${hex}  b\n`);
  });

  it('refuses symlinks and names sha256sum would escape', async () => {
    await symlink('results.json', path.join(dir, 'link.json'));
    const err = await listFiles(dir).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError).with.property('message').that.includes('link.json');
    await removeDir(path.join(dir, 'link.json'));
    await writeFile(path.join(dir, 'bad\\name'), 'x');
    const err2 = await listFiles(dir).catch((e: unknown) => e);
    expect(err2).to.be.instanceOf(UsageError).with.property('message').that.includes('backslashes');
  });
});
