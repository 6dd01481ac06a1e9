/**
 * `product check`: a PRODUCT.yaml made by `product init` from a passing run is clean, and each rule
 * of the CNCF validator (plus the instructions' "copy id/description/level unchanged") is caught
 * on a file broken in exactly that one way, with the line and field it is about.
 *
 * With AIC_CNCF_VALIDATOR naming a build of cncf/k8s-ai-conformance scripts/validate.go (network
 * look-ups stubbed: landscape = {Acme Corporation}, every URL reachable), every case also runs
 * through it, and its verdict (exit 0 or 1) must equal ours. AIC_CNCF_VALIDATOR_MUST_NA says which
 * MUST N/A rule that build has (`reject`, the merged #141, default; `allow`, PR #146).
 */

import { execFile } from 'node:child_process';

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import YAML, { type Document, YAMLMap, YAMLSeq } from 'yaml';
import { VerificationError } from '../../../src/errors.js';
import { productCheckCli } from '../../../src/cli/product.js';
import { checkProduct, formatProblem, type CheckReport } from '../../../src/product/check.js';
import type { MustNaRule } from '../../../src/product/decide.js';
import { productInit } from '../../../src/product/init.js';
import { BUILT_IN } from '../../../src/product/template.js';
import type { Fetch } from '../../../src/product/online.js';
import { LANDSCAPE_URL, VALIDATOR_USER_AGENT } from '../../../src/product/schema.js';
import { formatJUnit } from '../../../src/results/junit.js';
import { failingRun, passingRun, removeDir, skippingRun, tempDir, VENDOR, writeRun, writeVendor } from './fixture.js';

const VALIDATOR = process.env.AIC_CNCF_VALIDATOR;
const VALIDATOR_MUST_NA: MustNaRule = process.env.AIC_CNCF_VALIDATOR_MUST_NA === 'allow' ? 'allow' : 'reject';

/**
 * The real validator's verdict on `file` (…/<root>/vX.Y/<dir>/PRODUCT.yaml), run as the workflow
 * runs it: from the repository root, which holds docs/AIConformance-X.Y.yaml.
 */
async function validatorVerdict(file: string): Promise<{ ok: boolean; output: string }> {
  const dir = path.dirname(file);
  const version = path.basename(path.dirname(dir)).replace(/^v/, '');
  const repo = path.dirname(path.dirname(dir));
  await mkdir(path.join(repo, 'docs'), { recursive: true });
  await writeFile(path.join(repo, 'docs', `AIConformance-${version}.yaml`), BUILT_IN[version] ?? '');
  return new Promise((resolve, reject) => {
    execFile(
      VALIDATOR ?? 'false',
      [path.relative(repo, file)],
      { cwd: repo, timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err === null) resolve({ ok: true, output: stdout + stderr });
        else if (typeof err.code === 'number') resolve({ ok: false, output: stdout + stderr });
        else reject(new Error(`cannot run ${VALIDATOR ?? 'the validator'}: ${err.message}`, { cause: err }));
      },
    );
  });
}

type Mutation = (doc: Document, dir: string) => void | Promise<void>;

/** The entry with this id, wherever it is. */
function item(doc: Document, id: string): YAMLMap {
  const spec = doc.get('spec') as YAMLMap;
  for (const pair of spec.items) {
    for (const e of (pair.value as YAMLSeq<YAMLMap>).items) if (e.get('id') === id) return e;
  }
  throw new Error(`no item ${id}`);
}

function meta(doc: Document): YAMLMap {
  return doc.get('metadata') as YAMLMap;
}

const LANDSCAPE = `landscape:
  - category:
    name: CNCF Members
    subcategories:
      - subcategory:
        name: Silver
        items:
          - item:
            name: Acme Corporation (member)
          - item:
            name: Other Co (supporter)
  - category:
    name: Provisioning
    subcategories: []
`;

describe('product check', () => {
  let root: string;
  let productFile: string;

  before(async () => {
    root = await tempDir('aic-check-');
    const runDir = await writeRun(path.join(root, 'run'), passingRun());
    const outcome = await productInit({
      template: '1.36',
      metadata: await writeVendor(path.join(root, 'vendor.yaml')),
      results: runDir,
      out: path.join(root, 'clean'),
    });
    productFile = outcome.productFile;
  });
  after(async () => {
    await removeDir(root);
  });

  let n = 0;
  /** A copy of the clean submission in its own vX.Y/<product>/ folder, changed by `mutate`. */
  async function broken(mutate: Mutation, opts: { dir?: string } = {}): Promise<string> {
    n += 1;
    const dir = path.join(root, `case-${String(n)}`, opts.dir ?? 'v1.36/acme-ai-platform');
    await mkdir(dir, { recursive: true });
    const src = path.dirname(productFile);
    for (const f of ['junit.xml', 'results.json', 'e2e.log'])
      await writeFile(path.join(dir, f), await readFile(path.join(src, f)));
    const doc = YAML.parseDocument(await readFile(productFile, 'utf8'));
    await mutate(doc, dir);
    const file = path.join(dir, 'PRODUCT.yaml');
    await writeFile(file, doc.toString({ lineWidth: 0 }));
    return file;
  }

  async function problemsOf(
    mutate: Mutation,
    opts: { dir?: string; online?: boolean; fetch?: Fetch; mustNa?: MustNaRule; validator?: boolean } = {},
  ): Promise<{ lines: string[]; report: CheckReport; text: string }> {
    const file = await broken(mutate, opts);
    const report = await checkProduct({
      file,
      ...(opts.online === undefined ? {} : { online: opts.online }),
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
      ...(opts.mustNa === undefined ? {} : { mustNa: opts.mustNa }),
    });
    const lines = report.problems.map((p) => formatProblem('PRODUCT.yaml', p));
    // The validator build has its URL and landscape look-ups stubbed: --online cases are ours alone.
    if (
      VALIDATOR !== undefined &&
      opts.validator !== false &&
      opts.online !== true &&
      (opts.mustNa ?? 'reject') === VALIDATOR_MUST_NA
    ) {
      const real = await validatorVerdict(file);
      expect(
        real.ok,
        `the CNCF validator says ${real.ok ? 'ok' : 'rejected'}:\n${real.output}\nours:\n${lines.join('\n')}`,
      ).to.equal(lines.length === 0);
    }
    return { lines, report, text: await readFile(file, 'utf8') };
  }

  /** 1-based line of the first line containing `needle` (after `after`, when given). */
  function lineOf(text: string, needle: string, after?: string): number {
    const lines = text.split('\n');
    const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
    return lines.findIndex((l, i) => i >= start && l.includes(needle)) + 1;
  }

  it('a PRODUCT.yaml from `product init` of a passing run passes every offline check', async () => {
    const report = await checkProduct({ file: productFile });
    expect(report.problems).to.deep.equal([]);
    expect(report.template.source).to.equal('built-in v1.36');
  });

  describe('what `product init` writes passes', () => {
    async function initFrom(
      name: string,
      results: ReturnType<typeof passingRun>,
      opts: { template?: string; mustNa?: MustNaRule } = {},
    ): Promise<string> {
      const runDir = await writeRun(path.join(root, `run-${name}`), results);
      const version = opts.template ?? '1.36';
      const outcome = await productInit({
        template: version,
        metadata: await writeVendor(path.join(root, `vendor-${name}.yaml`), {
          ...VENDOR,
          k8sConformanceUrl: `https://github.com/cncf/k8s-conformance/tree/master/v${version}/acme-ai-platform`,
        }),
        results: runDir,
        out: path.join(root, `init-${name}`),
        ...(opts.mustNa === undefined ? {} : { mustNa: opts.mustNa }),
      });
      return outcome.productFile;
    }

    async function verdict(file: string, mustNa: MustNaRule = 'reject'): Promise<string[]> {
      const report = await checkProduct({ file, mustNa });
      const lines = report.problems.map((p) => formatProblem('PRODUCT.yaml', p));
      if (VALIDATOR !== undefined && mustNa === VALIDATOR_MUST_NA) {
        const real = await validatorVerdict(file);
        expect(real.ok, `the CNCF validator: ${real.output}\nours: ${lines.join('\n')}`).to.equal(lines.length === 0);
      }
      return lines;
    }

    it('a run with failures: the cut evidence files hold no failing test, so only the failed MUSTs are problems', async () => {
      const lines = await verdict(await initFrom('fail', failingRun()));
      expect(lines.map((l) => l.replace(/^PRODUCT\.yaml:\d+: /, ''))).to.deep.equal([
        'spec.schedulingOrchestration[gang_scheduling].status: "Not Implemented", but the validator requires "Implemented" for a MUST',
        'spec.security[secure_accelerator_access].status: "Not Implemented", but the validator requires "Implemented" for a MUST',
      ]);
    });

    it('skipped conditional MUSTs: empty status under the merged rule, N/A with notes under --must-na allow', async () => {
      const rejected = await verdict(await initFrom('skip-reject', skippingRun()));
      expect(rejected.map((l) => l.replace(/^PRODUCT\.yaml:\d+: /, ''))).to.deep.equal([
        'spec.schedulingOrchestration[cluster_autoscaling].status: is empty, but the validator requires "Implemented" for a MUST',
        'spec.schedulingOrchestration[pod_autoscaling].status: is empty, but the validator requires "Implemented" for a MUST',
      ]);
      const allowed = await initFrom('skip-allow', skippingRun(), { mustNa: 'allow' });
      expect(await verdict(allowed, 'allow')).to.deep.equal([]);
      expect((await verdict(allowed, 'reject')).length).to.equal(2);
    });

    it('v1.37: an upstream-tested requirement Implemented by documentation alone is a note (the validator warns)', async () => {
      const file = await initFrom('v1.37-docs', passingRun(), { template: '1.37' });
      const doc = YAML.parseDocument(await readFile(file, 'utf8'));
      item(doc, 'gang_scheduling').set('evidence', ['https://docs.acme.example/gang-scheduling']);
      await writeFile(file, doc.toString({ lineWidth: 0 }));
      const report = await checkProduct({ file });
      expect(report.problems).to.deep.equal([]);
      expect(report.notices).to.deep.equal([
        'spec.schedulingOrchestration[gang_scheduling]: covered by the upstream test TestGangScheduling; from v1.37 the validator warns when an Implemented requirement like it links no junit.xml, results.json or e2e.log',
      ]);
      if (VALIDATOR !== undefined) expect((await validatorVerdict(file)).output).to.contain('::warning file=');
    });

    for (const version of ['1.33', '1.34', '1.35', '1.37']) {
      it(`v${version}: a passing run's PRODUCT.yaml is clean`, async () => {
        const file = await initFrom(`v${version}`, passingRun(), { template: version });
        const lines = await verdict(file);
        // v1.33 to v1.35 have requirements the passing run has no test for (dra_support is a MUST there).
        const missing = lines.filter((l) => !/dra_support\]\.status: is empty/.test(l));
        expect(missing, lines.join('\n')).to.deep.equal([]);
      });
    }
  });

  const rules: {
    rule: string;
    mutate: Mutation;
    expect: RegExp;
    line?: [needle: string, after?: string];
    /** False: a check of ours (instructions.md, reviewers) that the validator does not make. */
    validator?: false;
    mustNa?: MustNaRule;
  }[] = [
    {
      rule: 'required metadata present',
      mutate: (d) => meta(d).delete('vendorName'),
      expect: /^PRODUCT\.yaml:\d+: metadata\.vendorName: missing \(or vendor_name\): legal entity certifying/,
    },
    {
      rule: 'required metadata not empty',
      mutate: (d) => {
        meta(d).set('platformVersion', '');
      },
      expect: /: metadata\.platformVersion: is empty$/,
      line: ['platformVersion:'],
    },
    {
      rule: 'metadata values are strings',
      mutate: (d) => {
        meta(d).set('platformVersion', 2.1);
      },
      expect: /: metadata\.platformVersion: is a number to YAML, not a string: quote it, e\.g\. "2\.1"$/,
      line: ['platformVersion:'],
    },
    {
      rule: 'no [placeholder] left',
      mutate: (d) => {
        meta(d).set('documentationUrl', '[Documentation URL]');
      },
      expect: /: metadata\.documentationUrl: still holds the template placeholder \[Documentation URL\]$/,
      line: ['documentationUrl:'],
    },
    {
      rule: 'k8sConformanceUrl pattern',
      mutate: (d) => {
        meta(d).set('k8sConformanceUrl', 'https://github.com/cncf/k8s-conformance/pull/1234');
      },
      expect: /: metadata\.k8sConformanceUrl: must match \^https:/,
      line: ['k8sConformanceUrl:'],
    },
    {
      rule: 'k8sConformanceUrl present (every version, although most templates lack the line)',
      mutate: (d) => meta(d).delete('k8sConformanceUrl'),
      expect: /: metadata\.k8sConformanceUrl: missing \(or k8s_conformance_url\)/,
    },
    {
      rule: 'k8sConformanceUrl pattern, exactly (no blank around it)',
      mutate: (d) => {
        meta(d).set('k8sConformanceUrl', 'https://github.com/cncf/k8s-conformance/tree/main/v1.36/acme/ ');
      },
      expect: /: metadata\.k8sConformanceUrl: must match \^https:/,
    },
    {
      rule: 'every template id present',
      mutate: (d) => {
        const seq = (d.get('spec') as YAMLMap).get('networking') as YAMLSeq<YAMLMap>;
        seq.items = seq.items.filter((e) => e.get('id') !== 'ai_inference');
      },
      expect:
        /: spec\.networking\[ai_inference\]: missing: the v1\.36 template has ai_inference under spec\.networking$/,
      line: ['  networking:'],
    },
    {
      rule: 'same category as the template',
      mutate: (d) => {
        const spec = d.get('spec') as YAMLMap;
        const security = spec.get('security') as YAMLSeq<YAMLMap>;
        const moved = security.items.splice(0, 1);
        (spec.get('operator') as YAMLSeq<YAMLMap>).items.push(...moved);
      },
      expect: /: spec\.operator\[secure_accelerator_access\]: is under operator; the template has it under security$/,
      line: ['id: secure_accelerator_access'],
    },
    {
      rule: 'description copied unchanged',
      mutate: (d) => {
        item(d, 'gang_scheduling').set('description', 'We do gangs.');
      },
      expect: /: spec\.schedulingOrchestration\[gang_scheduling\]\.description: differs from the template/,
      line: ['description: "We do gangs."'],
      validator: false,
    },
    {
      rule: 'level copied unchanged',
      mutate: (d) => {
        item(d, 'ai_inference').set('level', 'SHOULD');
      },
      expect: /: spec\.networking\[ai_inference\]\.level: differs from the template/,
      validator: false,
    },
    {
      rule: 'status vocabulary',
      mutate: (d) => {
        item(d, 'driver_runtime_management').set('status', 'Done');
      },
      expect:
        /: spec\.accelerators\[driver_runtime_management\]\.status: "Done" is not a valid status: use one of "Implemented", "Not Implemented", "Partially Implemented", "N\/A"$/,
      line: ['status: "Done"'],
    },
    {
      rule: 'a SHOULD with evidence needs a status',
      mutate: (d) => {
        item(d, 'gpu_sharing').set('evidence', ['https://docs.acme.example/gpu-sharing']);
      },
      expect: /: spec\.accelerators\[gpu_sharing\]\.status: is empty: use one of/,
    },
    {
      rule: 'MUST → Implemented',
      mutate: (d) => {
        item(d, 'gang_scheduling').set('status', 'Partially Implemented');
      },
      expect:
        /: spec\.schedulingOrchestration\[gang_scheduling\]\.status: "Partially Implemented", but the validator requires "Implemented" for a MUST$/,
    },
    {
      rule: 'N/A on a MUST is rejected under the merged rule (#141; issue #145)',
      mutate: (d) => {
        item(d, 'cluster_autoscaling').set('status', 'N/A');
        item(d, 'cluster_autoscaling').set('evidence', []);
        item(d, 'cluster_autoscaling').set('notes', 'Bare metal: no cluster autoscaler.');
      },
      expect:
        /cluster_autoscaling\]\.status: "N\/A", but the validator requires "Implemented" for a MUST\. .*cncf\/k8s-ai-conformance#141.*#146/,
    },
    {
      rule: 'N/A on a MUST needs notes under --must-na allow too (#146)',
      mutate: (d) => {
        item(d, 'cluster_autoscaling').set('status', 'N/A');
        item(d, 'cluster_autoscaling').set('evidence', []);
        item(d, 'cluster_autoscaling').set('notes', '');
      },
      expect: /cluster_autoscaling\]\.notes: N\/A needs a justification in notes$/,
      mustNa: 'allow',
    },
    {
      rule: 'an empty MUST status',
      mutate: (d) => {
        item(d, 'robust_controller').set('status', '');
        item(d, 'robust_controller').set('evidence', []);
      },
      expect: /robust_controller\]\.status: is empty, but the validator requires "Implemented" for a MUST$/,
    },
    {
      rule: 'N/A needs notes',
      mutate: (d) => {
        item(d, 'virtualized_accelerator').set('status', 'N/A');
        item(d, 'virtualized_accelerator').set('notes', '');
      },
      expect: /: spec\.accelerators\[virtualized_accelerator\]\.notes: N\/A needs a justification in notes$/,
    },
    {
      rule: 'evidence file exists',
      mutate: (d) => {
        item(d, 'ai_inference').set('evidence', ['tests/ai_inference.md']);
      },
      expect:
        /: spec\.networking\[ai_inference\]\.evidence\[0\]: file tests\/ai_inference\.md not found beside PRODUCT\.yaml$/,
      line: ['tests/ai_inference.md'],
    },
    {
      rule: 'evidence stays inside the product folder',
      mutate: (d) => {
        item(d, 'ai_inference').set('evidence', ['file://../other/junit.xml#TestAIInference']);
      },
      expect:
        /evidence\[0\]: file:\/\/\.\.\/other\/junit\.xml#TestAIInference escapes the product folder v1\.36\/acme-ai-platform\/$/,
    },
    {
      rule: 'evidence never names another product’s folder',
      mutate: async (d, dir) => {
        // Even where that folder exists with a clean junit.xml.
        const other = path.join(dir, '..', 'other-product');
        await mkdir(other, { recursive: true });
        await writeFile(path.join(other, 'junit.xml'), await readFile(path.join(dir, 'junit.xml')));
        item(d, 'ai_inference').set('evidence', ['file://v1.36/other-product/junit.xml#TestAIInference']);
      },
      expect:
        /evidence\[0\]: file:\/\/v1\.36\/other-product\/junit\.xml#TestAIInference references another product folder; evidence must be in v1\.36\/acme-ai-platform\/$/,
    },
    {
      rule: 'evidence is not the product folder itself',
      mutate: (d) => {
        item(d, 'ai_inference').set('evidence', ['file://v1.36/acme-ai-platform/']);
      },
      expect: /evidence\[0\]: file:\/\/v1\.36\/acme-ai-platform\/ escapes the product folder/,
    },
    {
      rule: 'a blank evidence path',
      mutate: (d) => {
        item(d, 'ai_inference').set('evidence', ['file:// #TestAIInference']);
      },
      expect: /evidence\[0\]: file:\/\/ #TestAIInference: empty file path$/,
    },
    {
      rule: '#TestName exists in the artifact',
      mutate: (d) => {
        item(d, 'gang_scheduling').set('evidence', ['file://junit.xml#TestGangSchedulingTypo']);
      },
      expect: /gang_scheduling\]\.evidence\[0\]: #TestGangSchedulingTypo is not a test in junit\.xml$/,
    },
    {
      rule: 'a link without #TestName checks the requirement’s mapped upstream test',
      mutate: async (d, dir) => {
        await mkdir(path.join(dir, 'other'), { recursive: true });
        await writeFile(
          path.join(dir, 'other', 'e2e.log'),
          '=== RUN   TestSomethingElse\n--- PASS: TestSomethingElse (0.01s)\nPASS\n',
        );
        item(d, 'gang_scheduling').set('evidence', ['file://other/e2e.log']);
      },
      expect:
        /evidence\[0\]: TestGangScheduling \(checked because the link has no #TestName\) is not a test in other\/e2e\.log$/,
    },
    {
      rule: 'a skipped test is no evidence for Implemented',
      mutate: (d) => {
        item(d, 'gpu_sharing').set('status', 'Implemented');
        item(d, 'gpu_sharing').set('evidence', ['file://junit.xml#TestGPUSharing']);
      },
      expect:
        /gpu_sharing\]\.evidence\[0\]: #TestGPUSharing was skipped in junit\.xml: a skipped test is no evidence for Implemented$/,
    },
    {
      rule: 'a named test that failed (the whole artifact is rejected too)',
      mutate: async (d, dir) => {
        await writeFile(path.join(dir, 'junit.xml'), formatJUnit(failingRun()));
        item(d, 'secure_accelerator_access').set('evidence', ['file://junit.xml#TestSecureAcceleratorAccess']);
      },
      expect: /secure_accelerator_access\]\.evidence\[0\]: #TestSecureAcceleratorAccess failed in junit\.xml$/,
    },
    {
      rule: 'no failing test in a parsed artifact',
      mutate: async (_d, dir) => {
        await writeFile(path.join(dir, 'junit.xml'), formatJUnit(failingRun()));
      },
      expect:
        /evidence\[0\]: junit\.xml contains failing tests \(.*TestSecureAcceleratorAccess\/NegativeIsolationTest.*\); the validator rejects every artifact with a failing test, even one of another requirement$/,
    },
    {
      rule: 'no failing test in results.json: a `fail` event of a test of another requirement',
      mutate: async (_d, dir) => {
        const file = path.join(dir, 'results.json');
        const text = await readFile(file, 'utf8');
        await writeFile(
          file,
          text +
            '{"Time":"2026-09-01T12:30:00Z","Action":"run","Package":"ai-conformance/other","Test":"TestOther"}\n' +
            '{"Time":"2026-09-01T12:30:01Z","Action":"fail","Package":"ai-conformance/other","Test":"TestOther","Elapsed":1}\n',
        );
      },
      expect: /results\.json contains failing tests \(TestOther\)/,
    },
    {
      rule: 'no failing package in results.json (a build failure: no failed test, the package failed)',
      mutate: async (_d, dir) => {
        const file = path.join(dir, 'results.json');
        await writeFile(
          file,
          (await readFile(file, 'utf8')) +
            '{"Time":"2026-09-01T12:30:01Z","Action":"fail","Package":"ai-conformance/broken","Elapsed":0}\n',
        );
      },
      expect: /results\.json contains failing tests \(package ai-conformance\/broken\)/,
    },
    {
      rule: 'no failing test in e2e.log, a result line without its duration included',
      mutate: async (_d, dir) => {
        const file = path.join(dir, 'e2e.log');
        await writeFile(file, `${await readFile(file, 'utf8')}--- FAIL: TestOther\n`);
      },
      expect: /e2e\.log contains failing tests \(TestOther\)/,
    },
    {
      rule: 'results.json is JSON lines only: one non-JSON line rejects it',
      mutate: async (_d, dir) => {
        const file = path.join(dir, 'results.json');
        await writeFile(file, `# go test -json output\n${await readFile(file, 'utf8')}`);
      },
      expect: /results\.json is parsed by the validator as go-test-json output but does not parse: line 1 is not JSON/,
    },
    {
      rule: 'results.json lines are JSON objects with string fields',
      mutate: async (_d, dir) => {
        const file = path.join(dir, 'results.json');
        await writeFile(file, `${await readFile(file, 'utf8')}{"Action":"pass","Package":"p","Test":7}\n`);
      },
      expect: /results\.json .* does not parse: line \d+: Test is not a string$/,
    },
    {
      rule: 'a canonically named artifact must parse',
      mutate: async (d, dir) => {
        await writeFile(path.join(dir, 'e2e.log'), 'Ginkgo ran 12 specs\nSUCCESS!\n');
        item(d, 'ai_inference').set('evidence', ['file://e2e.log#TestAIInference']);
      },
      expect:
        /evidence\[\d\]: e2e\.log is parsed by the validator as go-test-log output but does not parse: no `--- PASS\/FAIL\/SKIP: Name` result lines in it$/,
    },
    {
      rule: 'e2e.log needs a `--- PASS: Name` line: `=== RUN` lines alone do not count',
      mutate: async (d, dir) => {
        await mkdir(path.join(dir, 'logs'));
        await writeFile(
          path.join(dir, 'logs', 'e2e.log'),
          '=== RUN   TestAIInference\nPASS\nok  \tai-conformance/ai_inference\t1.0s\n',
        );
        item(d, 'ai_inference').set('evidence', ['file://logs/e2e.log']);
      },
      expect: /e2e\.log .* does not parse: no `--- PASS\/FAIL\/SKIP: Name` result lines in it$/,
    },
    {
      rule: 'a test name ends at the first blank: `--- PASS: Test AI` is the test `Test`',
      mutate: async (d, dir) => {
        await mkdir(path.join(dir, 'logs'));
        await writeFile(
          path.join(dir, 'logs', 'e2e.log'),
          '=== RUN   Test AI Inference\n--- PASS: Test AI Inference (1.00s)\n',
        );
        item(d, 'ai_inference').set('evidence', ['file://logs/e2e.log#Test_AI_Inference']);
      },
      expect: /ai_inference\]\.evidence\[0\]: #Test_AI_Inference is not a test in logs\/e2e\.log$/,
    },
    {
      rule: 'junit.xml with no <testcase>',
      mutate: async (d, dir) => {
        await writeFile(path.join(dir, 'junit.xml'), '<?xml version="1.0"?>\n<testsuites tests="0"></testsuites>\n');
        item(d, 'ai_inference').set('evidence', ['file://junit.xml']);
      },
      expect: /junit\.xml .* does not parse: no <testcase> elements in it$/,
    },
    {
      rule: 'the version comes from the vX.Y/<product>/ folder',
      mutate: () => undefined,
      expect:
        /^PRODUCT\.yaml:1: \(path\): the validator takes the version from the folder vX\.Y\/<product>\/PRODUCT\.yaml; this file is not in one$/,
    },
    {
      rule: 'metadata.kubernetesVersion matches the folder',
      mutate: (d) => {
        meta(d).set('kubernetesVersion', 'v1.35');
      },
      expect: /: metadata\.kubernetesVersion: v1\.35 does not match the folder v1\.36$/,
      validator: false,
    },
    {
      rule: 'metadata exists',
      mutate: (d) => d.delete('metadata'),
      expect: /^PRODUCT\.yaml:\d+: metadata: missing: PRODUCT\.yaml needs a metadata map$/,
    },
  ];

  for (const r of rules) {
    it(`catches: ${r.rule}`, async () => {
      const dir = r.rule.startsWith('the version comes from') ? 'submission/acme' : undefined;
      const { lines, text } = await problemsOf(r.mutate, {
        ...(dir === undefined ? {} : { dir, validator: false }),
        ...(r.validator === false ? { validator: false } : {}),
        ...(r.mustNa === undefined ? {} : { mustNa: r.mustNa }),
      });
      const hit = lines.find((l) => r.expect.test(l));
      expect(hit, `no line matches ${String(r.expect)} in:\n${lines.join('\n')}`).to.not.equal(undefined);
      if (r.line !== undefined) {
        expect(hit?.split(':')[1], hit).to.equal(String(lineOf(text, ...r.line)));
      }
    });
  }

  it('accepts snake_case metadata keys, as the validator does', async () => {
    const { lines } = await problemsOf((d) => {
      for (const pair of meta(d).items) {
        const key = pair.key as YAML.Scalar<string>;
        key.value = key.value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      }
    });
    expect(lines).to.deep.equal([]);
  });

  it('resolves #TestName in results.json and e2e.log, with or without the file://vX.Y/<dir>/ prefix', async () => {
    const { lines } = await problemsOf((d) => {
      item(d, 'gang_scheduling').set('evidence', [
        'file://results.json#TestGangScheduling/NegativeGangScheduling',
        'file://v1.36/acme-ai-platform/e2e.log#TestGangScheduling',
        'file:///v1.36/acme-ai-platform/junit.xml#TestGangScheduling',
        'e2e.log',
        './results.json',
        '',
        'https://docs.acme.example/gang-scheduling',
      ]);
    });
    expect(lines).to.deep.equal([]);
  });

  it('accepts N/A on a MUST with notes under --must-na allow, and says it is a warning for the reviewer', async () => {
    const { lines, report } = await problemsOf(
      (d) => {
        item(d, 'cluster_autoscaling').set('status', 'N/A');
        item(d, 'cluster_autoscaling').set('evidence', []);
        item(d, 'cluster_autoscaling').set('notes', 'Bare metal: no cluster autoscaler.');
      },
      { mustNa: 'allow' },
    );
    expect(lines).to.deep.equal([]);
    expect(report.notices.join('\n')).to.contain('cluster_autoscaling]: a MUST marked N/A').and.contain('#146');
  });

  it('a #TestName with no test case of its own is its subtests together, as the validator reads it', async () => {
    const { lines } = await problemsOf(async (d, dir) => {
      await mkdir(path.join(dir, 'logs'));
      await writeFile(
        path.join(dir, 'logs', 'e2e.log'),
        '    --- PASS: TestAIInference/WeightedSplit (1.00s)\n    --- SKIP: TestAIInference/HeaderRouting (0.00s)\n',
      );
      item(d, 'ai_inference').set('evidence', ['file://logs/e2e.log#TestAIInference']);
    });
    expect(lines).to.deep.equal([]);
  });

  it('a skipped SHOULD with a link to its skipped test is fine as N/A', async () => {
    const { lines } = await problemsOf((d) => {
      item(d, 'gpu_sharing').set('status', 'N/A');
      item(d, 'gpu_sharing').set('notes', 'No GPU sharing on this platform.');
      item(d, 'gpu_sharing').set('evidence', ['file://v1.36/acme-ai-platform/junit.xml#TestGPUSharing']);
    });
    expect(lines).to.deep.equal([]);
  });

  it('reports YAML syntax errors with their line', async () => {
    const file = await broken(() => undefined);
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('  platformName: "Acme AI Platform"', '  platformName: "Acme AI Platform'),
    );
    const report = await checkProduct({ file });
    expect(report.problems[0]?.field).to.equal('(yaml)');
    expect(report.problems[0]?.line).to.be.greaterThan(1);
  });

  describe('--online', () => {
    const fakeFetch =
      (status: Record<string, number>, calls: { url: string; method: string; ua: string }[] = []): Fetch =>
      (url, init) => {
        const headers = new Headers(init?.headers);
        calls.push({ url, method: init?.method ?? 'GET', ua: headers.get('user-agent') ?? '' });
        if (url === LANDSCAPE_URL) return Promise.resolve(new Response(LANDSCAPE));
        if (status[url] === -1) return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
        return Promise.resolve(new Response('', { status: status[url] ?? 200 }));
      };

    it('clean when every URL resolves and vendorName is a CNCF member; HEAD first, with the validator’s User-Agent', async () => {
      const calls: { url: string; method: string; ua: string }[] = [];
      const { lines, report } = await problemsOf(() => undefined, { online: true, fetch: fakeFetch({}, calls) });
      expect(lines).to.deep.equal([]);
      expect(report.notices).to.deep.equal([]);
      const site = calls.filter((c) => c.url === 'https://acme.example/ai');
      expect(site.map((c) => c.method)).to.deep.equal(['HEAD']);
      expect(site[0]?.ua).to.equal(VALIDATOR_USER_AGENT);
    });

    it('a URL that fails HEAD and GET is a problem; HEAD 405 falls back to GET', async () => {
      const calls: { url: string; method: string; ua: string }[] = [];
      const status = { 'https://acme.example/ai': 404, 'https://docs.acme.example/ai': -1 };
      const { lines } = await problemsOf(() => undefined, { online: true, fetch: fakeFetch(status, calls) });
      expect(
        lines.some((l) => /metadata\.websiteUrl: https:\/\/acme\.example\/ai does not resolve \(HTTP 404\)$/.test(l)),
      ).to.equal(true);
      expect(lines.some((l) => /metadata\.documentationUrl: .* does not resolve \(ECONNRESET\)$/.test(l))).to.equal(
        true,
      );
      expect(calls.filter((c) => c.url === 'https://acme.example/ai').map((c) => c.method)).to.deep.equal([
        'HEAD',
        'GET',
      ]);
    });

    it('vendorName must match a CNCF member exactly, with close names suggested', async () => {
      const { lines } = await problemsOf(
        (d) => {
          meta(d).set('vendorName', 'Acme');
        },
        {
          online: true,
          fetch: fakeFetch({}),
        },
      );
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(
        /metadata\.vendorName: "Acme" is not a name under CNCF Members in the landscape; it must match exactly \(close: "Acme Corporation"\)$/,
      );
    });

    it('offline: one clear notice, no URL problems', async () => {
      const offline: Fetch = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }));
      const { lines, report } = await problemsOf(() => undefined, { online: true, fetch: offline });
      expect(lines).to.deep.equal([]);
      expect(report.notices).to.deep.equal([
        '--online: cannot reach the network (ENOTFOUND); URL and vendor-name checks were not made',
      ]);
    });
  });

  describe('CLI output', () => {
    it('prints one `file:line: field: problem` line per problem and exits 1 (VerificationError)', async () => {
      const file = await broken((d) => {
        meta(d).delete('vendorName');
        item(d, 'gang_scheduling').set('status', 'N/A');
      });
      let printed = '';
      const err = await productCheckCli({ file, online: false }, { write: (t: string) => (printed += t) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(VerificationError);
      expect((err as VerificationError).exitCode).to.equal(1);
      expect((err as Error).message).to.match(/: 2 problems the CNCF validator or reviewers would reject$/);
      const lines = printed.trimEnd().split('\n');
      expect(lines).to.have.length(2);
      for (const l of lines) expect(l.startsWith(`${file}:`), l).to.equal(true);
    });

    it('prints a clean verdict and resolves when there is no problem', async () => {
      let printed = '';
      await productCheckCli({ file: productFile, online: false }, { write: (t: string) => (printed += t) });
      expect(printed).to.match(/✔ .*PRODUCT\.yaml: no problems \(template built-in v1\.36\)\n$/);
    });
  });
});
