// TestDRASupport on the test cluster, through the real CLI: passes on the healthy cluster (a claim
// allocated from the pod's own node's ResourceSlice, released after the pod); without
// ResourceSlices every functional subtest fails with that reason while the API check passes; a
// DeviceClass that does not exist fails naming the deviceClass parameter.
import { expect } from 'chai';
import { requireCluster } from '../cluster.js';
import { clusterVariant, type CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, runProfile, subtests } from './probe-run.js';

const TEST = 'TestDRASupport';
const FUNCTIONAL = ['ClaimAllocatedOnPodNode', 'ClaimReleasedAfterPod', 'UnsatisfiableClaimNeverAllocated'];

describe('probe dra (TestDRASupport) on the test cluster', function () {
  this.timeout(20 * 60_000);
  before(requireCluster);

  describe('healthy cluster', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('dra');
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(run, TEST))}s`);
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({
        APIServed: 'pass',
        ClaimAllocatedOnPodNode: 'pass',
        ClaimReleasedAfterPod: 'pass',
        UnsatisfiableClaimNeverAllocated: 'pass',
      });
      expect(run.code, explain(run)).to.equal(0);
    });

    it('found resource.k8s.io/v1 and had a dry-run claim accepted', () => {
      const out = run.output(`${TEST}/APIServed`);
      expect(out).to.contain(
        'resource.k8s.io/v1 serves DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice',
      );
      expect(out).to.contain('dry-run create of a ResourceClaim in resource.k8s.io/v1 accepted');
    });

    it('allocated a device published by the slice of the node the pod runs on, reserved for the pod', () => {
      const out = run.output(`${TEST}/ClaimAllocatedOnPodNode`);
      const m = /device gpu\.nvidia\.com\/(gpu-\w+-\d)\/gpu-\d from ResourceSlice \S+ \(node (gpu-\w+-\d)\)/.exec(out);
      expect(m, out).to.not.equal(null);
      expect(m?.[1]).to.equal(m?.[2]);
      expect(out).to.contain(`claim reserved for pod dra-consumer, which runs on ${m?.[2] ?? '?'}`);
    });

    it('removed the generated claim after the pod, and the unsatisfiable claim failed scheduling on its claim', () => {
      expect(run.output(`${TEST}/ClaimReleasedAfterPod`)).to.match(
        /generated claim dra-consumer-accelerator-\w+ removed/,
      );
      const negative = run.output(`${TEST}/UnsatisfiableClaimNeverAllocated`);
      expect(negative).to.match(/never saw resourceclaim \S+\/unsatisfiable to be allocated/);
      expect(negative).to.match(/never saw pod \S+\/dra-unsatisfiable to be Running/);
      expect(negative).to.match(/scheduler: FailedScheduling: .*claim/);
    });
  });

  describe('variant no-resourceslices', () => {
    let run: CliRun;
    before(async () => {
      await clusterVariant('no-resourceslices', 'on');
      try {
        run = await runProfile('dra');
      } finally {
        await clusterVariant('no-resourceslices', 'off');
      }
    });

    it('fails every functional subtest because no ResourceSlice publishes devices; the API check passes', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({
        APIServed: 'pass',
        ClaimAllocatedOnPodNode: 'fail',
        ClaimReleasedAfterPod: 'fail',
        UnsatisfiableClaimNeverAllocated: 'fail',
      });
      for (const s of FUNCTIONAL) {
        expect(run.output(`${TEST}/${s}`)).to.contain(
          'no ResourceSlices publish devices for DeviceClass gpu.nvidia.com (driver gpu.nvidia.com; 0 ResourceSlices in the cluster)',
        );
      }
      expect(run.code, explain(run)).to.equal(1);
    });
  });

  describe('deviceClass=missing.example.com (no such DeviceClass)', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('dra', ['--set', 'deviceClass=missing.example.com']);
    });

    it('fails every functional subtest naming the deviceClass parameter', () => {
      const actions = subtests(run, TEST);
      expect(actions, explain(run)).to.deep.equal({
        APIServed: 'pass',
        ...Object.fromEntries(FUNCTIONAL.map((s) => [s, 'fail'])),
      });
      for (const s of FUNCTIONAL) {
        expect(run.output(`${TEST}/${s}`)).to.contain(
          "DeviceClass missing.example.com does not exist: install the accelerator's DRA driver, or set the deviceClass parameter",
        );
      }
      expect(run.code, explain(run)).to.equal(1);
    });
  });
});
