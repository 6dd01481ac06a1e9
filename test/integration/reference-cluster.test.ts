// The main job of the README on our own reference cluster: `run --profile reference-cluster`
// (full + the test cluster's endpoints) passes every requirement that has a probe, skips only the
// ones without a probe, and `product init` on that run writes a submission folder that
// `product check` (the CNCF validator's rules, offline) finds clean, for the 1.36 and 1.37 checklists.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PROBES } from '../../src/requirements/probes.js';
import { requireCluster } from './cluster.js';
import { runCli, type CliRun } from './run-cli.js';
import { explain, runProfile } from './probes/probe-run.js';

const VENDOR = `platformName: AIC Reference Cluster
platformVersion: 0.1.0
vendorName: Acme Corporation
websiteUrl: https://acme.example/ai
documentationUrl: https://docs.acme.example/ai
productLogoUrl: https://acme.example/logo.svg
description: The ai-conformance reference cluster.
contactEmailAddress: conformance@acme.example
k8sConformanceUrl: https://github.com/cncf/k8s-conformance/tree/master/v1.36/aic-reference-cluster
`;

describe('the reference cluster passes --profile reference-cluster (README main job)', function () {
  this.timeout(30 * 60_000);
  before(requireCluster);
  let run: CliRun;
  before(async () => {
    run = await runProfile('reference-cluster');
  });

  it('passes every probed test, fails and errors none; exit 0', () => {
    const tests = new Set(PROBES.flatMap((p) => p.tests));
    for (const test of tests) expect(run.actions.get(test), `${test}\n${explain(run)}`).to.equal('pass');
    const bad = [...run.actions].filter(([, a]) => a === 'fail');
    expect(bad, explain(run)).to.deep.equal([]);
    expect(run.code, explain(run)).to.equal(0);
  });

  it('skips only requirements that have no probe, saying so', () => {
    const probed = new Set(PROBES.flatMap((p) => p.tests));
    const skipped = [...run.actions].filter(([name, a]) => a === 'skip' && !name.includes('/')).map(([n]) => n);
    expect(skipped.length, explain(run)).to.be.greaterThan(0);
    for (const name of skipped) {
      expect(probed.has(name), `${name} has a probe but skipped`).to.equal(false);
      expect(run.output(name)).to.contain('no probe in this version of ai-conformance');
    }
  });

  for (const version of ['1.36', '1.37']) {
    it(`product init --template ${version} writes a folder product check finds clean`, async () => {
      const work = mkdtempSync(path.join(os.tmpdir(), 'aic-submit-'));
      const vendor = path.join(work, 'vendor.yaml');
      writeFileSync(vendor, VENDOR);
      const out = path.join(work, 'repo');
      const init = await runCli(
        ['product', 'init', '--template', version, '--metadata', vendor, '--results', run.dir, '--out', out],
        { withOutput: false },
      );
      expect(init.code, `${init.stdout}\n${init.stderr}`).to.equal(0);
      const product = path.join(out, `v${version}`, 'aic-reference-cluster', 'PRODUCT.yaml');
      expect(readFileSync(product, 'utf8')).to.contain(
        `file://v${version}/aic-reference-cluster/junit.xml#TestGangScheduling`,
      );
      const check = await runCli(['product', 'check', product], { withOutput: false });
      expect(check.code, `${check.stdout}\n${check.stderr}`).to.equal(0);
      expect(check.stdout + check.stderr).to.contain('no problems');
    });
  }
});
