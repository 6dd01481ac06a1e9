/**
 * `product check`: a PRODUCT.yaml made by `product init` from a passing run is clean, and each rule
 * of the CNCF validator (plus the instructions' "copy id/description/level unchanged") is caught
 * on a file broken in exactly that one way, with the line and field it is about.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import YAML, { type Document, YAMLMap, YAMLSeq } from 'yaml';
import { VerificationError } from '../../../src/errors.js';
import { productCheckCli } from '../../../src/cli/product.js';
import { checkProduct, formatProblem, type CheckReport } from '../../../src/product/check.js';
import { productInit } from '../../../src/product/init.js';
import type { Fetch } from '../../../src/product/online.js';
import { LANDSCAPE_URL, VALIDATOR_USER_AGENT } from '../../../src/product/schema.js';
import { formatJUnit } from '../../../src/results/junit.js';
import { failingRun, passingRun, removeDir, tempDir, writeRun, writeVendor } from './fixture.js';

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
    opts: { dir?: string; online?: boolean; fetch?: Fetch } = {},
  ): Promise<{ lines: string[]; report: CheckReport; text: string }> {
    const file = await broken(mutate, opts);
    const report = await checkProduct({
      file,
      ...(opts.online === undefined ? {} : { online: opts.online }),
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    });
    return {
      lines: report.problems.map((p) => formatProblem('PRODUCT.yaml', p)),
      report,
      text: await readFile(file, 'utf8'),
    };
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

  const rules: { rule: string; mutate: Mutation; expect: RegExp; line?: [needle: string, after?: string] }[] = [
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
    },
    {
      rule: 'level copied unchanged',
      mutate: (d) => {
        item(d, 'ai_inference').set('level', 'SHOULD');
      },
      expect: /: spec\.networking\[ai_inference\]\.level: differs from the template/,
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
      rule: 'N/A on a MUST is rejected (#145)',
      mutate: (d) => {
        item(d, 'cluster_autoscaling').set('status', 'N/A');
        item(d, 'cluster_autoscaling').set('evidence', []);
        item(d, 'cluster_autoscaling').set('notes', 'Bare metal: no cluster autoscaler.');
      },
      expect:
        /cluster_autoscaling\]\.status: "N\/A", but the validator requires "Implemented" for a MUST\. .*cncf\/k8s-ai-conformance#145/,
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
      expect: /evidence\[0\]: file:\/\/\.\.\/other\/junit\.xml#TestAIInference points outside the product folder$/,
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
        /gpu_sharing\]\.evidence\[0\]: #TestGPUSharing was skipped in junit\.xml: a skipped test is evidence only for N\/A$/,
    },
    {
      rule: 'no failing test in a parsed artifact',
      mutate: async (_d, dir) => {
        await writeFile(path.join(dir, 'junit.xml'), formatJUnit(failingRun()));
      },
      expect:
        /evidence\[0\]: junit\.xml contains failing tests \(.*TestSecureAcceleratorAccess\/NegativeIsolationTest.*\); the validator rejects it$/,
    },
    {
      rule: 'a canonically named artifact must parse',
      mutate: async (d, dir) => {
        await writeFile(path.join(dir, 'e2e.log'), 'Ginkgo ran 12 specs\nSUCCESS!\n');
        item(d, 'ai_inference').set('evidence', ['file://e2e.log#TestAIInference']);
      },
      expect:
        /evidence\[0\]: e2e\.log is parsed by the validator as go-test-log output but does not parse: no `go test -v` output/,
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
      const { lines, text } = await problemsOf(r.mutate, dir === undefined ? {} : { dir });
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

  it('resolves #TestName in results.json and e2e.log, and the file://vX.Y/<dir>/ prefix', async () => {
    const { lines } = await problemsOf((d) => {
      item(d, 'gang_scheduling').set('evidence', [
        'file://results.json#TestGangScheduling/NegativeGangScheduling',
        'file://v1.36/acme-ai-platform/e2e.log#TestGangScheduling',
        'e2e.log',
        'https://docs.acme.example/gang-scheduling',
      ]);
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
