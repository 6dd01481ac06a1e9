/**
 * `report`: what the page says for a signed, a tampered and an unchecked bundle and for a run
 * folder, that the HTML needs nothing from the network, and the Markdown version. The rendering
 * itself is checked in Chromium (chromium.test.ts).
 */

import { copyFile, cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { packFolder } from '../../../src/bundle/pack.js';
import { report } from '../../../src/cli/report.js';
import { UsageError, VerificationError } from '../../../src/errors.js';
import { buildReport, clusterFacts, formatDuration } from '../../../src/report/data.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { removeDir } from '../product/fixture.js';
import { reportFixture, type ReportFixture } from './fixture.js';

describe('report', () => {
  let fx: ReportFixture;
  before(async () => {
    fx = await reportFixture();
  });
  after(async () => {
    await removeDir(fx.root);
  });

  it('a signed bundle with the right key: verified, with the key fingerprint and the signed verdicts', async () => {
    const data = await buildReport({ source: fx.tarball, key: fx.pubFile });
    expect(data.signature.state).to.equal('verified');
    if (data.signature.state !== 'verified') return;
    expect(data.signature.keyFingerprint).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(data.signature.checks.every((c) => c.ok)).to.equal(true);
    expect(data.result).to.equal('FAILED');
    const byId = Object.fromEntries(data.requirements.map((r) => [r.id, r]));
    expect(byId.secure_accelerator_access?.verdict).to.equal('failed');
    expect(byId.gang_scheduling?.verdict).to.equal('error');
    expect(byId.gpu_sharing?.verdict).to.equal('skipped');
    expect(byId.gang_scheduling?.level).to.equal('MUST');
    const negative = byId.secure_accelerator_access?.tests.find((t) => t.name.endsWith('NegativeIsolationTest'));
    expect(negative).to.deep.include({
      status: 'failed',
      message: 'pod without a GPU request saw /dev/nvidia0',
      details: 'AssertionError: expected [] to be empty',
      durationMs: 1500,
    });
    expect(negative?.log).to.deep.equal(['probe for secure_accelerator_access ran']);
    expect(data.cluster?.facts).to.deep.include({ key: 'nodes.acceleratorTotals.nvidia.com/gpu', value: '8' });
  });

  it('a bundle edited after signing: failed, saying what did not match, and the page still renders', async () => {
    const data = await buildReport({ source: fx.tampered, key: fx.pubFile });
    expect(data.signature.state).to.equal('failed');
    if (data.signature.state !== 'failed') return;
    expect(data.signature.problem).to.match(/^tarball .*: sha256 mismatch/);
    expect(data.signature.checks.find((c) => !c.ok)?.id).to.equal('tarball');
    const html = renderHtml(data);
    expect(html).to.contain('class="banner failed"').and.contain('Verification failed').and.contain('sha256 mismatch');
  });

  it('a bundle whose edited contents no longer read: still a verification failure, not a usage error', async () => {
    const edited = path.join(fx.root, 'unreadable');
    await cp(fx.runDir, edited, { recursive: true });
    await writeFile(path.join(edited, 'junit.xml'), '<testsuites><testsuite>');
    const tarball = path.join(fx.root, 'unreadable-bundle', path.basename(fx.tarball));
    await packFolder(edited, tarball);
    await copyFile(`${fx.tarball}.sigstore.json`, `${tarball}.sigstore.json`);
    const err = await buildReport({ source: tarball, key: fx.pubFile }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VerificationError);
    expect((err as Error).message).to.match(
      /sha256 mismatch .*; and its contents do not read: .*junit\.xml does not parse/,
    );
    // Without a key the same bundle is simply unreadable.
    expect(await buildReport({ source: tarball }).catch((e: unknown) => e)).to.be.instanceOf(UsageError);
  });

  it('another key: failed, naming the key it was checked against', async () => {
    const data = await buildReport({ source: fx.tarball, key: fx.otherPubFile });
    expect(data.signature.state).to.equal('failed');
    if (data.signature.state !== 'failed') return;
    expect(data.signature.problem).to.match(/signed by another key/);
  });

  it('no key: "signature not checked", contents still shown', async () => {
    const data = await buildReport({ source: fx.tarball });
    expect(data.signature).to.deep.equal({
      state: 'not-checked',
      reason: 'no --key given: pass the vendor’s public key to check the signature',
    });
    expect(data.requirements.length).to.be.greaterThan(5);
    expect(data.tarballSha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('a run folder: read without a bundle; --key is refused there', async () => {
    const data = await buildReport({ source: fx.runDir });
    expect(data.kind).to.equal('folder');
    expect(data.signature.state).to.equal('not-checked');
    const err = await buildReport({ source: fx.runDir, key: fx.pubFile }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
  });

  it('HTML is one self-contained page: no scripts, no external resources, text escaped', async () => {
    const html = renderHtml(await buildReport({ source: fx.tarball, key: fx.pubFile }));
    expect(html.startsWith('<!doctype html>')).to.equal(true);
    expect(html).to.not.match(/<script|<link|<img|<iframe|@import|url\(|src=|href="(?!#)/i);
    expect(html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; done');
    expect(html).to.contain('class="banner verified"').and.contain('Signature verified');
    for (const id of ['secure_accelerator_access', 'gang_scheduling', 'gpu_sharing'])
      expect(html).to.contain(`id="req-${id}"`);
    expect(html).to.contain('timed out after 3m waiting for ClusterQueue aic-cq to be Active');
    expect(html).to.contain('no GPU sharing mode found on any node');
    expect(html).to.contain('NVIDIA-H100-80GB-HBM3');
  });

  it('Markdown carries the same content', async () => {
    const md = renderMarkdown(await buildReport({ source: fx.tarball, key: fx.pubFile }));
    expect(md).to.match(
      /^# ai-conformance report: run aic-20260901-120000-fail\n\n> \*\*✔ Signature verified\*\* with the trusted key `sha256:[0-9a-f]{64}`/,
    );
    expect(md).to.contain('| `secure_accelerator_access` | MUST | ✖ FAIL | 2 | 3.00 s |');
    expect(md).to.contain('#### ✖ `TestSecureAcceleratorAccess/NegativeIsolationTest` — FAIL, 1.50 s');
    expect(md).to.contain('| nodes.acceleratorTotals.nvidia.com/gpu | 8 |');
    const unchecked = renderMarkdown(await buildReport({ source: fx.tarball }));
    expect(unchecked).to.contain('> **Signature not checked:** no --key given');
  });

  it('Markdown fences outlast backticks in logs', () => {
    const md = renderMarkdown({
      source: 's',
      kind: 'folder',
      signature: { state: 'not-checked', reason: 'r' },
      run: {
        runId: 'r1',
        tool: { name: 't', version: '1' },
        profile: { name: 'p', checklistVersion: 'v1.36', digest: '' },
        startedAt: '',
        finishedAt: '',
        incomplete: false,
      },
      result: 'PASSED',
      counts: { passed: 1, failed: 0, skipped: 0, error: 0, total: 1 },
      requirements: [
        {
          id: 'gang_scheduling',
          verdict: 'passed',
          durationMs: 1,
          tests: [
            {
              name: 'TestX',
              requirement: 'gang_scheduling',
              probe: 'p',
              status: 'passed',
              durationMs: 1,
              startedAt: '',
              log: ['```', 'after'],
            },
          ],
        },
      ],
    });
    expect(md).to.contain('````text\n```\nafter\n````');
  });

  it('the CLI writes the page and exits 1 (VerificationError) on a tampered bundle', async () => {
    const out = path.join(fx.root, 'tampered.html');
    let said = '';
    const err = await report(
      { source: fx.tampered, format: 'html', key: fx.pubFile, out },
      { write: () => true },
      { write: (t: string) => (said += t) },
    ).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VerificationError);
    expect(said).to.equal(`wrote ${out}\n`);
    expect(await readFile(out, 'utf8')).to.contain('Verification failed');
  });

  it('the CLI prints to standard output without --out', async () => {
    let printed = '';
    await report({ source: fx.tarball, format: 'markdown', key: fx.pubFile }, { write: (t: string) => (printed += t) });
    expect(printed).to.match(/^# ai-conformance report/);
  });

  it('flattens the cluster fingerprint and formats durations', () => {
    expect(
      clusterFacts({
        a: { b: 1, c: ['x', 'y'] },
        d: [],
        e: [{ name: 'n1', f: 1 }, { f: 2 }],
        g: null,
        h: { k1: 'a', k2: 'b', k3: 'c', k4: 'd', k5: 'e' },
        i: {},
      }),
    ).to.deep.equal([
      { key: 'a.b', value: '1' },
      { key: 'a.c', value: 'x, y' },
      { key: 'd', value: '(none)' },
      { key: 'e[n1].f', value: '1' },
      { key: 'e[1].f', value: '2' },
      { key: 'g', value: 'null' },
      { key: 'h', value: 'k1: a\nk2: b\nk3: c\nk4: d\nk5: e' },
      { key: 'i', value: '(none)' },
    ]);
    expect([850, 1500, 12_340, 245_000].map(formatDuration)).to.deep.equal([
      '850 ms',
      '1.50 s',
      '12.3 s',
      '4 min 05 s',
    ]);
  });
});
