import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { redactArgv, REDACTED } from '../../../src/results/meta.js';
import { EVIDENCE_FILES, writeResults } from '../../../src/results/write.js';
import { fixture } from './fixture.js';

describe('results: writeResults and meta/', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aic-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the three evidence files under their canonical names and meta/, and lists them', async () => {
    const out = path.join(dir, 'reports', 'run-1');
    const files = await writeResults(out, fixture, {
      profile: { name: 'full', parameters: { timeout: '10m' } },
      cluster: { serverVersion: 'v1.36.3', nodes: 3 },
      argv: ['run', '--profile', 'full', '--token', 's3cret'],
    });
    expect(files).to.deep.equal([
      'junit.xml',
      'results.json',
      'e2e.log',
      'meta/run.json',
      'meta/profile.yaml',
      'meta/cluster.json',
    ]);
    expect(Object.values(EVIDENCE_FILES)).to.deep.equal(['junit.xml', 'results.json', 'e2e.log']);
    expect((await readdir(out)).sort()).to.deep.equal(['e2e.log', 'junit.xml', 'meta', 'results.json']);

    const run = JSON.parse(await readFile(path.join(out, 'meta/run.json'), 'utf8')) as Record<string, unknown>;
    expect(run.run).to.deep.equal(fixture.run);
    expect(run.argv).to.deep.equal(['run', '--profile', 'full', '--token', REDACTED]);
    expect(run.node).to.equal(process.version);
    expect(YAML.parse(await readFile(path.join(out, 'meta/profile.yaml'), 'utf8'))).to.deep.equal({
      name: 'full',
      parameters: { timeout: '10m' },
    });
    expect(JSON.parse(await readFile(path.join(out, 'meta/cluster.json'), 'utf8'))).to.deep.equal({
      serverVersion: 'v1.36.3',
      nodes: 3,
    });
  });

  it('leaves out profile.yaml and cluster.json when not given', async () => {
    const files = await writeResults(dir, fixture, { argv: [] });
    expect(files).to.deep.equal(['junit.xml', 'results.json', 'e2e.log', 'meta/run.json']);
  });

  it('writes the same bytes twice (the bundle checksums depend on it)', async () => {
    await writeResults(path.join(dir, 'a'), fixture, { argv: [] });
    await writeResults(path.join(dir, 'b'), fixture, { argv: [] });
    for (const f of ['junit.xml', 'results.json', 'e2e.log', 'meta/run.json']) {
      expect(await readFile(path.join(dir, 'a', f), 'utf8'), f).to.equal(
        await readFile(path.join(dir, 'b', f), 'utf8'),
      );
    }
  });

  it('redacts secret flag values and URL credentials, keeps paths and other flags', () => {
    expect(
      redactArgv([
        'run',
        '--token=abc',
        '--bearer-token',
        'xyz',
        '--registry-password',
        'pw',
        '--auth-token',
        '--profile',
        'full',
        '--key',
        'vendor.pub',
        '--kubeconfig=/home/me/.kube/config',
        '--endpoint=https://user:pass@example.com/metrics',
      ]),
    ).to.deep.equal([
      'run',
      `--token=${REDACTED}`,
      '--bearer-token',
      REDACTED,
      '--registry-password',
      REDACTED,
      '--auth-token',
      '--profile',
      'full',
      '--key',
      'vendor.pub',
      '--kubeconfig=/home/me/.kube/config',
      `--endpoint=https://${REDACTED}@example.com/metrics`,
    ]);
  });
});
