import { execFile } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import * as tar from 'tar';
import { UsageError } from '../../../src/errors.js';
import { bundleFileName, packFolder } from '../../../src/bundle/pack.js';
import { SUMS_FILE, listFiles } from '../../../src/bundle/sums.js';
import { SAMPLE_FILES, SAMPLE_PATHS_SORTED, removeDir, tempDir, writeFiles } from './fixture.js';

const run = promisify(execFile);

async function entriesOf(tarball: string): Promise<Array<{ path: string; mtime: number; mode: number }>> {
  const entries: Array<{ path: string; mtime: number; mode: number }> = [];
  await tar.t({
    file: tarball,
    onReadEntry: (e) => entries.push({ path: e.path, mtime: e.mtime?.getTime() ?? -1, mode: e.mode ?? -1 }),
  });
  return entries;
}

describe('bundle/pack', () => {
  let root: string;
  let out: string;
  beforeEach(async () => {
    root = await tempDir();
    out = path.join(root, 'out');
    await writeFiles(out, SAMPLE_FILES);
  });
  afterEach(async () => removeDir(root));

  it('gives identical bytes for two packs of the same folder, mtimes touched between', async () => {
    const first = await packFolder(out, path.join(root, 'a.tar.gz'));
    const later = new Date('2031-05-06T07:08:09Z');
    for (const rel of [...(await listFiles(out)), SUMS_FILE]) await utimes(path.join(out, rel), later, later);
    const second = await packFolder(out, path.join(root, 'b.tar.gz'));
    expect(second.sha256).to.equal(first.sha256);
    expect(Buffer.compare(await readFile(first.tarball), await readFile(second.tarball))).to.equal(0);
  });

  it('puts SHA256SUMS first, then every file in byte order, with a fixed mtime and no owners', async () => {
    const packed = await packFolder(out, path.join(root, 'x.tar.gz'));
    const entries = await entriesOf(packed.tarball);
    expect(entries.map((e) => e.path)).to.deep.equal([SUMS_FILE, ...SAMPLE_PATHS_SORTED]);
    expect(new Set(entries.map((e) => e.mtime))).to.deep.equal(new Set([Date.UTC(1980, 0, 1)]));
    const { stdout } = await run('tar', ['-tvzf', packed.tarball]);
    expect(stdout).to.match(/^-rw-r--r-- 0\/0 /);
  });

  it('lists every packed file in SHA256SUMS, and sha256sum -c passes after extraction', async () => {
    const packed = await packFolder(out, path.join(root, 'x.tar.gz'));
    expect(packed.files.map((f) => f.path)).to.have.members(Object.keys(SAMPLE_FILES));
    const extracted = path.join(root, 'extracted');
    await mkdir(extracted);
    await run('tar', ['-xzf', packed.tarball, '-C', extracted]);
    const { stdout } = await run('sha256sum', ['-c', SUMS_FILE], { cwd: extracted });
    expect(stdout.trim().split('\n')).to.have.length(Object.keys(SAMPLE_FILES).length);
  });

  it('refreshes a stale SHA256SUMS instead of packing it', async () => {
    await writeFile(path.join(out, SUMS_FILE), 'stale\n');
    const packed = await packFolder(out, path.join(root, 'x.tar.gz'));
    const sums = await readFile(path.join(out, SUMS_FILE), 'utf8');
    expect(sums).not.to.include('stale');
    expect(sums.trim().split('\n')).to.have.length(packed.files.length);
  });

  it('refuses to write the tarball inside the folder it packs', async () => {
    const err = await packFolder(out, path.join(out, 'x.tar.gz')).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError).with.property('message').that.includes('inside the folder');
  });

  it('names bundles ai-conformance-<YYYYmmDDHHMM>-<runId>.tar.gz in UTC', () => {
    expect(bundleFileName(new Date('2026-11-22T13:40:59.999Z'), 'abc-123')).to.equal(
      'ai-conformance-202611221340-abc-123.tar.gz',
    );
    expect(bundleFileName(new Date('2026-01-02T03:04:00+05:00'), 'r')).to.equal('ai-conformance-202601012204-r.tar.gz');
    expect(() => bundleFileName(new Date(), '../x')).to.throw(UsageError);
    expect(() => bundleFileName(new Date('nope'), 'r')).to.throw(UsageError);
  });
});
