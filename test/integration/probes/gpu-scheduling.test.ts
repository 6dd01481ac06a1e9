// TestGPUScheduling on the test cluster, through the real CLI: passes on the healthy cluster, skips
// with the reason when no node offers the accelerator (no-gpu-nodes variant, or another vendor).
import { expect } from 'chai';
import { requireCluster } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestGPUScheduling';
const SUBTESTS = [
  'RequestLandsOnCapableNode',
  'NodeSelectorOnProductHonoured',
  'OversizedRequestStaysPending',
  'NoOvercommit',
];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));

describe('probe gpu-scheduling (TestGPUScheduling) on the test cluster', function () {
  this.timeout(20 * 60_000);
  before(requireCluster);

  describe('healthy cluster', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('gpu-scheduling', ['--focus', `^${TEST}`]);
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(run, TEST))}s`);
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('pass'));
      expect(run.code, explain(run)).to.equal(0);
    });

    it('placed the 5-accelerator pod on an 8-accelerator node and selected the A100 product', () => {
      expect(run.output(`${TEST}/RequestLandsOnCapableNode`)).to.match(
        /pod asking for 5 nvidia\.com\/gpu runs on gpu-h100-\d \(allocatable 8\)/,
      );
      expect(run.output(`${TEST}/NodeSelectorOnProductHonoured`)).to.match(
        /nodeSelector nvidia\.com\/gpu\.product=NVIDIA-A100-SXM4-40GB runs on gpu-a100-\d \(nvidia\.com\/gpu\.product=NVIDIA-A100-SXM4-40GB\)/,
      );
    });

    it('saw the scheduler refuse the oversized and the extra pod with "Insufficient nvidia.com/gpu"', () => {
      expect(run.output(`${TEST}/OversizedRequestStaysPending`)).to.match(
        /FailedScheduling: .*Insufficient nvidia\.com\/gpu/,
      );
      const overcommit = run.output(`${TEST}/NoOvercommit`);
      expect(overcommit).to.match(/filling node gpu-a100-\d .* with pods of 2 \+ 2/);
      expect(overcommit).to.match(/FailedScheduling: .*Insufficient nvidia\.com\/gpu/);
      expect(overcommit).to.match(/requested by unfinished bound pods 4 /);
    });
  });

  describe('accelerator=amd on this NVIDIA-only cluster', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('gpu-scheduling', ['--focus', `^${TEST}`, '--set', 'accelerator=amd']);
    });

    it('skips every subtest, naming the resource and the parameters to set', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('skip'));
      for (const s of SUBTESTS) {
        expect(run.output(`${TEST}/${s}`)).to.contain(
          'no node advertises amd.com/gpu allocatable; set accelerator/acceleratorResource',
        );
      }
      expect(run.code, explain(run)).to.equal(0);
    });
  });

  describe('variant no-gpu-nodes', () => {
    let run: CliRun;
    // Both accelerator probes in one short window: the variant affects everyone on the cluster.
    inVariant('no-gpu-nodes', async () => {
      run = await runProfile('gpu-scheduling');
    });

    it('skips every gpu-scheduling subtest with the reason, and exits 0', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('skip'));
      for (const s of SUBTESTS) {
        expect(run.output(`${TEST}/${s}`)).to.contain(
          'no node advertises nvidia.com/gpu allocatable; set accelerator/acceleratorResource',
        );
      }
      expect(run.code, explain(run)).to.equal(0);
    });

    it('skips secure accelerator access too, naming both allocation paths it looked for', () => {
      const access = subtests(run, 'TestSecureAcceleratorAccess');
      expect(Object.values(access), explain(run)).to.deep.equal(['skip', 'skip', 'skip', 'skip']);
      expect(run.output('TestSecureAcceleratorAccess/PositiveAccessTest')).to.contain(
        'no accelerator allocation on this cluster: no ResourceSlice on any node publishes devices of driver gpu.nvidia.com (DeviceClass gpu.nvidia.com), and no node advertises nvidia.com/gpu allocatable',
      );
    });
  });
});
