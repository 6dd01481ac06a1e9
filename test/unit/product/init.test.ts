/**
 * `product init`: golden PRODUCT.yaml files for a passing, a failing and a skipping run, written from
 * evidence made by the real writers. After an intended change, regenerate them with
 * `UPDATE_GOLDEN=1 npx mocha --node-option import=tsx test/unit/product/init.test.ts` and review the diff.
 */

import { createHash } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import YAML from 'yaml';
import { packAndSign } from '../../../src/bundle/sign.js';
import { UsageError } from '../../../src/errors.js';
import { productInit, productDirName } from '../../../src/product/init.js';
import { failingTests, parseArtifact } from '../../../src/product/artifacts.js';
import { BUILT_IN, loadTemplate } from '../../../src/product/template.js';
import { TEMPLATE_1_36 } from '../../../src/product/templates/v1.36.js';
import type { RunResults } from '../../../src/results/model.js';
import {
  failingRun,
  passingRun,
  rejection,
  removeDir,
  skippingRun,
  tempDir,
  VENDOR,
  writeRun,
  writeVendor,
} from './fixture.js';

const GOLDEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

interface Entry {
  id: string;
  description: string;
  level: string;
  status: string;
  evidence: string[];
  notes: string;
}

function entries(yamlText: string): Map<string, Entry & { category: string }> {
  const doc = YAML.parse(yamlText) as { spec: Record<string, Entry[]> };
  const out = new Map<string, Entry & { category: string }>();
  for (const [category, list] of Object.entries(doc.spec)) for (const e of list) out.set(e.id, { ...e, category });
  return out;
}

/** A local port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

describe('product init', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempDir();
  });
  afterEach(async () => {
    await removeDir(root);
  });

  async function init(
    results: RunResults,
    extra: { force?: boolean; source?: 'folder' | 'bundle'; mustNa?: 'allow' | 'reject' } = {},
  ) {
    const runDir = await writeRun(path.join(root, 'run'), results);
    let source = runDir;
    if (extra.source === 'bundle')
      source = (await packAndSign(runDir, results, { bundleDir: path.join(root, 'bundles') })).tarball;
    return productInit({
      template: '1.36',
      metadata: await writeVendor(path.join(root, 'vendor.yaml')),
      results: source,
      out: path.join(root, 'submission'),
      ...(extra.force === undefined ? {} : { force: extra.force }),
      ...(extra.mustNa === undefined ? {} : { mustNa: extra.mustNa }),
    });
  }

  for (const [name, run] of [
    ['passing', passingRun],
    ['failing', failingRun],
    ['skipping', skippingRun],
  ] as const) {
    it(`${name} run: PRODUCT.yaml matches golden/${name}.PRODUCT.yaml`, async () => {
      const outcome = await init(run());
      const actual = await readFile(outcome.productFile, 'utf8');
      const golden = path.join(GOLDEN_DIR, `${name}.PRODUCT.yaml`);
      if (update) await writeFile(golden, actual);
      expect(actual, 'differs from its golden; if intended, rerun with UPDATE_GOLDEN=1').to.equal(
        await readFile(golden, 'utf8'),
      );
    });
  }

  it('writes vX.Y/<product>/ with PRODUCT.yaml and the three evidence files, byte for byte', async () => {
    const outcome = await init(passingRun());
    expect(outcome.productFile).to.equal(path.join(root, 'submission', 'v1.36', 'acme-ai-platform', 'PRODUCT.yaml'));
    expect(outcome.copied).to.deep.equal(['junit.xml', 'results.json', 'e2e.log']);
    for (const f of outcome.copied) {
      expect(await readFile(path.join(outcome.dir, f), 'utf8'), f).to.equal(
        await readFile(path.join(root, 'run', f), 'utf8'),
      );
    }
  });

  it('keeps id, description, level, comments and order of the template unchanged', async () => {
    const outcome = await init(failingRun());
    const text = await readFile(outcome.productFile, 'utf8');
    const template = entries(TEMPLATE_1_36);
    const product = entries(text);
    expect([...product.keys()]).to.deep.equal([...template.keys()]);
    for (const [id, t] of template) {
      const p = product.get(id);
      expect(p?.category, id).to.equal(t.category);
      expect(p?.description, id).to.equal(t.description);
      expect(p?.level, id).to.equal(t.level);
    }
    expect(text.startsWith(TEMPLATE_1_36.split('\n\n')[0] ?? 'x')).to.equal(true);
    // Every description line is copied byte for byte, never folded.
    for (const line of TEMPLATE_1_36.split('\n').filter((l) => l.startsWith('      description:'))) {
      expect(text).to.contain(line);
    }
  });

  it('passed → Implemented with file://vX.Y/<product>/<artifact>#TestName per top-level test', async () => {
    const product = entries(await readFile((await init(passingRun())).productFile, 'utf8'));
    expect(product.get('gang_scheduling')).to.include({ status: 'Implemented' });
    expect(product.get('gang_scheduling')?.evidence).to.deep.equal([
      'file://v1.36/acme-ai-platform/junit.xml#TestGangScheduling',
      'file://v1.36/acme-ai-platform/results.json#TestGangScheduling',
      'file://v1.36/acme-ai-platform/e2e.log#TestGangScheduling',
    ]);
    const secure = product.get('secure_accelerator_access');
    expect(secure?.status).to.equal('Implemented');
    expect(secure?.notes).to.contain('2 passed.');
  });

  it('failed and error → Not Implemented with the message in notes and no link to the failing artifact', async () => {
    const outcome = await init(failingRun());
    const product = entries(await readFile(outcome.productFile, 'utf8'));
    expect(product.get('secure_accelerator_access')).to.deep.include({ status: 'Not Implemented', evidence: [] });
    expect(product.get('secure_accelerator_access')?.notes).to.contain(
      'TestSecureAcceleratorAccess/NegativeIsolationTest failed: pod without a GPU request saw /dev/nvidia0',
    );
    expect(product.get('gang_scheduling')?.status).to.equal('Not Implemented');
    expect(product.get('gang_scheduling')?.notes).to.contain('could not run: timed out after 3m');
    expect(outcome.warnings.join('\n'))
      .to.contain('secure_accelerator_access (MUST) failed')
      .and.contain('the run has 4 failing test(s)')
      .and.match(/hold only the tests of the \d+ requirement\(s\) marked Implemented/);
  });

  it('a run with failures: the evidence files hold exactly the Implemented requirements’ tests, cut from the signed files', async () => {
    const outcome = await init(failingRun(), { source: 'bundle' });
    expect(outcome.artifacts).to.equal('cut');
    expect(outcome.copied).to.deep.equal(['junit.xml', 'results.json', 'e2e.log']);
    const product = entries(await readFile(outcome.productFile, 'utf8'));
    const implemented = [...product.values()].filter((e) => e.status === 'Implemented').map((e) => e.id);
    const full = failingRun().tests;
    const expected = full.filter((t) => implemented.includes(t.requirement)).map((t) => t.name);
    for (const [file, format] of [
      ['junit.xml', 'junit'],
      ['results.json', 'go-test-json'],
      ['e2e.log', 'go-test-log'],
    ] as const) {
      const cut = await readFile(path.join(outcome.dir, file), 'utf8');
      const parsed = parseArtifact(format, cut);
      expect(failingTests(parsed), file).to.deep.equal([]);
      // Leaves exactly those of the Implemented requirements (parents are derived from them).
      const leaves = [...parsed.tests.keys()].filter(
        (n) => ![...parsed.tests.keys()].some((m) => m.startsWith(`${n}/`)),
      );
      expect(leaves.sort(), file).to.deep.equal([...expected].sort());
      // Every line is a line of the signed run's file.
      const original = new Set((await readFile(path.join(root, 'run', file), 'utf8')).split('\n'));
      if (file !== 'junit.xml')
        for (const line of cut.split('\n')) expect(original.has(line), `${file}: ${line}`).to.equal(true);
    }
    const junit = await readFile(path.join(outcome.dir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/<testsuites tests="\d+" failures="0" errors="0"/);
    const note = await readFile(outcome.note, 'utf8');
    expect(note).to.contain('hold only the tests of the requirements this PRODUCT.yaml marks Implemented');
    expect(note).to.contain('TestSecureAcceleratorAccess/NegativeIsolationTest');
    const sha = createHash('sha256')
      .update(await readFile(path.join(root, 'run', 'results.json')))
      .digest('hex');
    expect(note).to.contain(`${sha}  results.json`).and.contain(path.basename(outcome.evidence.source));
  });

  it('a run with failures and nothing Implemented writes no evidence file, and removes stale ones', async () => {
    await init(passingRun());
    const none = failingRun();
    none.tests = none.tests.map((t) => ({ ...t, status: 'failed', message: 'broken' }));
    const outcome = await init(none, { force: true });
    expect(outcome.copied).to.deep.equal([]);
    for (const f of ['junit.xml', 'results.json', 'e2e.log']) {
      const gone = await access(path.join(outcome.dir, f)).then(
        () => false,
        () => true,
      );
      expect(gone, f).to.equal(true);
    }
    expect(await readFile(outcome.note, 'utf8')).to.contain('No requirement is marked Implemented');
  });

  it('refuses, writing nothing, when the evidence cannot be cut cleanly', async () => {
    const runDir = await writeRun(path.join(root, 'run'), failingRun());
    // An e2e.log not in `go test -v ./...` package blocks: nothing of it can be kept.
    await writeFile(path.join(runDir, 'e2e.log'), '--- FAIL: TestX (0.00s)\n--- PASS: TestY (0.00s)\n');
    const err = await rejection(
      productInit({
        template: '1.36',
        metadata: await writeVendor(path.join(root, 'vendor.yaml')),
        results: runDir,
        out: path.join(root, 'submission'),
      }),
    );
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.contain('could not be cut to the requirements marked Implemented (e2e.log:');
    const nothing = await access(path.join(root, 'submission')).then(
      () => false,
      () => true,
    );
    expect(nothing).to.equal(true);
  });

  it('a passing run: the files are the signed ones byte for byte, and ARTIFACTS.md says so', async () => {
    const outcome = await init(passingRun());
    expect(outcome.artifacts).to.equal('copied');
    expect(await readFile(outcome.note, 'utf8')).to.contain('byte for byte');
  });

  it('skipped is never Implemented: empty status, reason in notes, and a warning on a MUST about N/A (#145)', async () => {
    const outcome = await init(skippingRun());
    const product = entries(await readFile(outcome.productFile, 'utf8'));
    const ca = product.get('cluster_autoscaling');
    expect(ca).to.deep.include({ status: '', evidence: [] });
    expect(ca?.notes).to.contain('parameter autoscalerNodePoolLabel is not set');
    expect(product.get('gpu_sharing')).to.deep.include({ status: '', evidence: [] });
    const warning = outcome.warnings.find((w) => w.startsWith('cluster_autoscaling (MUST) was skipped'));
    expect(warning).to.contain('cncf/k8s-ai-conformance#141').and.contain('--must-na allow').and.contain('#146');
    expect(outcome.warnings.some((w) => w.startsWith('gpu_sharing'))).to.equal(false);
  });

  it('--must-na allow: a MUST whose tests were all skipped becomes N/A with the reason as notes', async () => {
    const outcome = await init(skippingRun(), { mustNa: 'allow' });
    const product = entries(await readFile(outcome.productFile, 'utf8'));
    expect(product.get('cluster_autoscaling')).to.deep.include({ status: 'N/A', evidence: [] });
    expect(product.get('cluster_autoscaling')?.notes).to.match(
      /^Not applicable: parameter autoscalerNodePoolLabel is not set \(no cluster autoscaler\) \(skipped by ai-conformance/,
    );
    // A skipped SHOULD stays empty: the validator skips it.
    expect(product.get('gpu_sharing')).to.deep.include({ status: '' });
    expect(outcome.warnings.join('\n')).to.contain('written as "N/A"');
  });

  it('never writes our own requirements, and says so', async () => {
    const outcome = await init(passingRun());
    const text = await readFile(outcome.productFile, 'utf8');
    expect(text).to.not.contain('model_mounting');
    expect(outcome.warnings).to.include(
      'not in the v1.36 checklist, so not written: model_mounting (ours, not a CNCF requirement)',
    );
  });

  it('reads the run from its .tar.gz bundle as well as from the folder', async () => {
    const fromBundle = await init(passingRun(), { source: 'bundle' });
    const text = await readFile(fromBundle.productFile, 'utf8');
    expect(text).to.equal(await readFile(path.join(GOLDEN_DIR, 'passing.PRODUCT.yaml'), 'utf8'));
    expect(fromBundle.copied).to.have.length(3);
  });

  it('does not replace an existing PRODUCT.yaml without --force', async () => {
    await init(passingRun());
    const err = await rejection(init(passingRun()));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.match(/already exists; pass --force/);
    await init(failingRun(), { force: true });
  });

  it('lists every missing metadata field, camelCase or snake_case, with what belongs there', async () => {
    const runDir = await writeRun(path.join(root, 'run'), passingRun());
    const vendor = await writeVendor(path.join(root, 'vendor.yaml'), {
      platform_name: 'Acme',
      platform_version: '1.0',
      website_url: 'https://acme.example',
      k8sConformanceUrl: 'https://example.com/not-k8s-conformance',
      websiteURL: 'typo',
    });
    const err = await rejection(productInit({ template: '1.36', metadata: vendor, results: runDir, out: root }));
    expect(err).to.be.instanceOf(UsageError);
    const lines = err.message.split('\n');
    expect(lines[0]).to.match(/vendor\.yaml: 7 metadata problems/);
    expect(lines).to.include('  websiteURL: not a PRODUCT.yaml metadata field');
    expect(lines).to.include(
      '  vendorName (or vendor_name): missing — legal entity certifying, exactly as listed under CNCF Members in the landscape',
    );
    for (const f of ['documentationUrl', 'productLogoUrl', 'description', 'contactEmailAddress']) {
      expect(
        lines.some((l) => l.startsWith(`  ${f} (or `)),
        f,
      ).to.equal(true);
    }
    expect(lines.some((l) => l.startsWith('  k8sConformanceUrl: must match'))).to.equal(true);
    expect(err.message).to.not.match(/platformName|websiteUrl \(/);
  });

  it('accepts snake_case metadata and drops an optional field left out (no placeholder stays)', async () => {
    const runDir = await writeRun(path.join(root, 'run'), passingRun());
    const snake = Object.fromEntries(
      Object.entries(VENDOR)
        .filter(([k]) => k !== 'repoUrl')
        .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
    );
    const outcome = await productInit({
      template: '1.36',
      metadata: await writeVendor(path.join(root, 'vendor.yaml'), snake),
      results: runDir,
      out: root,
      productDir: 'acme',
    });
    const text = await readFile(outcome.productFile, 'utf8');
    expect(outcome.dir).to.equal(path.join(root, 'v1.36', 'acme'));
    expect(text).to.contain('  vendorName: "Acme Corporation"\n');
    expect(text).to.not.contain('repoUrl').and.not.contain('[Repository URL]');
  });

  it('refuses placeholders and a kubernetesVersion of another minor', async () => {
    const runDir = await writeRun(path.join(root, 'run'), passingRun());
    const vendor = await writeVendor(path.join(root, 'vendor.yaml'), {
      ...VENDOR,
      vendorName: '[Vendor Name]',
      kubernetesVersion: 'v1.35.2',
    });
    const err = await rejection(productInit({ template: '1.36', metadata: vendor, results: runDir, out: root }));
    expect(err.message).to.contain('vendorName: still holds the template placeholder [Vendor Name]');
    expect(err.message).to.contain('kubernetesVersion: v1.35.2 is not a v1.36 version');
  });

  it('names the product folder from platformName', () => {
    expect(productDirName('Acme AI Platform')).to.equal('acme-ai-platform');
    expect(productDirName('  Red Hat OpenShift (AI) ')).to.equal('red-hat-openshift-ai');
  });

  it('--results without junit.xml is a usage error that says what to give', async () => {
    const err = await rejection(
      productInit({
        template: '1.36',
        metadata: await writeVendor(path.join(root, 'v.yaml')),
        results: root,
        out: root,
      }),
    );
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.contain(
      'has no junit.xml: give the output folder of `ai-conformance run` or its .tar.gz bundle',
    );
  });
});

describe('product templates', () => {
  it('ships v1.36 verbatim: 14 requirements, 8 MUST, in the CNCF categories', async () => {
    const t = await loadTemplate('v1.36');
    expect(t.version).to.equal('1.36');
    expect(t.items).to.have.length(14);
    expect(t.items.filter((i) => i.level === 'MUST')).to.have.length(8);
    expect(new Set(t.items.map((i) => i.category))).to.deep.equal(
      new Set(['accelerators', 'networking', 'schedulingOrchestration', 'observability', 'security', 'operator']),
    );
  });

  it('asks for a file or URL for a version it does not ship', async () => {
    const err = await rejection(loadTemplate('1.38'));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message)
      .to.contain('no built-in template for v1.38')
      .and.contain('https://raw.githubusercontent.com/cncf/k8s-ai-conformance/main/docs/AIConformance-1.38.yaml');
  });

  // sha256 of docs/AIConformance-X.Y.yaml in cncf/k8s-ai-conformance @ b2c8969 (1.37: 287b44f, rebuilt
  // from the verbatim excerpts in research/requirements.md §2.3).
  const UPSTREAM: Record<string, { sha256: string; items: number; must: number }> = {
    '1.33': { sha256: '6c32256c2fc3429c9770a828f3b642bc9fb04229503c632c2a7bea9a705ff949', items: 9, must: 8 },
    '1.34': { sha256: '5c85273d76ca69c97d0f1e01af26c495c704307a149726af976c8350a2790214', items: 9, must: 9 },
    '1.35': { sha256: 'cf87915a9bcf977bb9c61298bc60afa0f062d1c3aad0a2d3dcefcdf1fa644693', items: 12, must: 9 },
    '1.36': { sha256: '43d8b708956c69f8a87a426c8c883e0e845588db173d94d707209397dad06170', items: 14, must: 8 },
    '1.37': { sha256: 'd116ce66498c91905d208ca989a605a72645897c5d8415e7fcb29b81648be7d5', items: 15, must: 8 },
  };
  for (const [version, u] of Object.entries(UPSTREAM)) {
    it(`ships v${version} verbatim, with the k8sConformanceUrl line the validator requires`, async () => {
      expect(
        createHash('sha256')
          .update(BUILT_IN[version] ?? '')
          .digest('hex'),
      ).to.equal(u.sha256);
      const t = await loadTemplate(version);
      expect(t.version).to.equal(version);
      expect(t.items).to.have.length(u.items);
      expect(t.items.filter((i) => i.level === 'MUST')).to.have.length(u.must);
      const line = t.text.split('\n').find((l) => l.includes('k8sConformanceUrl:'));
      expect(line).to.equal(
        `  k8sConformanceUrl: "[URL to k8s-conformance submission, e.g., https://github.com/cncf/k8s-conformance/tree/master/v${version}/product-name]"`,
      );
      expect(t.addedK8sConformanceUrl).to.equal(version !== '1.35');
      // Nothing else changes: without the added line the text is the upstream file.
      expect(t.addedK8sConformanceUrl ? t.text.replace(`${line ?? ''}\n`, '') : t.text).to.equal(BUILT_IN[version]);
    });
  }

  it('v1.37 adds workload_sandboxing (SHOULD) under security, after secure_accelerator_access', async () => {
    const t = await loadTemplate('1.37');
    const security = t.items.filter((i) => i.category === 'security').map((i) => `${i.id}:${i.level}`);
    expect(security).to.deep.equal(['secure_accelerator_access:MUST', 'workload_sandboxing:SHOULD']);
    expect(t.text).to.match(/^# Kubernetes AI Conformance Checklist - v1\.37\n/);
  });

  it('reads a template file and takes the version from its metadata', async () => {
    const root = await tempDir();
    try {
      const file = path.join(root, 'AIConformance-1.37.yaml');
      await writeFile(file, TEMPLATE_1_36.replace('kubernetesVersion: v1.36', 'kubernetesVersion: v1.37'));
      const t = await loadTemplate(file);
      expect(t.version).to.equal('1.37');
      expect(t.source).to.equal(file);
    } finally {
      await removeDir(root);
    }
  });

  it('a URL that cannot be fetched is a clear usage error (offline)', async () => {
    const url = `http://127.0.0.1:${String(await closedPort())}/AIConformance-1.37.yaml`;
    const err = await rejection(loadTemplate(url));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.equal(
      `cannot fetch template ${url} (ECONNREFUSED); offline? download it elsewhere and pass the file to --template`,
    );
  });

  it('refuses a file that is not a checklist, naming the field', async () => {
    const root = await tempDir();
    try {
      const file = path.join(root, 't.yaml');
      await writeFile(
        file,
        'metadata:\n  kubernetesVersion: v1.36\nspec:\n  networking:\n    - id: x\n      description: d\n      level: MAY\n',
      );
      const err = await rejection(loadTemplate(file));
      expect(err.message).to.contain(
        'not an AI conformance checklist template (spec.networking[0].level is not MUST or SHOULD)',
      );
    } finally {
      await removeDir(root);
    }
  });
});
