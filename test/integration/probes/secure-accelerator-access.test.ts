// TestSecureAcceleratorAccess on the test cluster, through the real CLI: passes in every allocation
// mode on the healthy cluster; a leaky node fails the negative tests naming the leaked device; a
// node handing out one device twice fails DistinctDevicesTest; without ResourceSlices, auto falls
// back to the device plugin while a forced DRA mode skips with the reason.
import { expect } from 'chai';
import { requireCluster } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestSecureAcceleratorAccess';
const SUBTESTS = ['PositiveAccessTest', 'NegativeIsolationTest', 'MultiContainerIsolationTest', 'DistinctDevicesTest'];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));
const focus = (...names: string[]): string[] => ['--focus', `^${TEST}/(${names.join('|')})$`];

describe('probe secure-accelerator-access (TestSecureAcceleratorAccess) on the test cluster', function () {
  this.timeout(20 * 60_000);
  before(requireCluster);

  for (const mode of ['auto', 'dra', 'device-plugin']) {
    describe(`healthy cluster, allocationMode=${mode}`, () => {
      let run: CliRun;
      before(async () => {
        run = await runProfile('gpu-scheduling', ['--focus', `^${TEST}`, '--set', `allocationMode=${mode}`]);
        console.log(`      ${TEST} (allocationMode=${mode}) wall time: ${String(elapsedSeconds(run, TEST))}s`);
      });

      it('exits 0 with every subtest passed', () => {
        expect(subtests(run, TEST), explain(run)).to.deep.equal(all('pass'));
        expect(run.code, explain(run)).to.equal(0);
      });

      it('used the expected allocation path and compared devices by id', () => {
        const used = mode === 'device-plugin' ? 'device-plugin' : 'dra';
        expect(run.output(`${TEST}/PositiveAccessTest`)).to.contain(`allocation mode ${used} (`);
        expect(run.output(`${TEST}/PositiveAccessTest`)).to.match(/sees 1 device: \/dev\/nvidia0 \(ids: GPU-/);
        expect(run.output(`${TEST}/NegativeIsolationTest`)).to.contain(
          'with NVIDIA_VISIBLE_DEVICES=all in its environment), sees no device',
        );
        if (used === 'dra')
          expect(run.output(`${TEST}/PositiveAccessTest`)).to.match(
            /given a claim on DeviceClass gpu\.nvidia\.com \(allocated gpu\.nvidia\.com\/gpu-\w+-\d\/gpu-\d+\), sees 1 device/,
          );
      });
    });
  }

  describe('variant leaky-devices', () => {
    let run: CliRun;
    inVariant('leaky-devices', async () => {
      run = await runProfile(
        'gpu-scheduling',
        focus('PositiveAccessTest', 'NegativeIsolationTest', 'MultiContainerIsolationTest'),
      );
    });

    it('fails the negative and multi-container tests, keeps the positive one, exits 1', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({
        PositiveAccessTest: 'pass',
        NegativeIsolationTest: 'fail',
        MultiContainerIsolationTest: 'fail',
      });
      expect(run.code, explain(run)).to.equal(1);
    });

    it('names the leaked device in both failures', () => {
      expect(run.output(`${TEST}/NegativeIsolationTest`)).to.match(
        /container probe of pod no-request on node \S+, which asked for no accelerator \(with NVIDIA_VISIBLE_DEVICES=all in its environment\), sees 1 device: \/dev\/nvidia0 \(ids: GPU-/,
      );
      expect(run.output(`${TEST}/MultiContainerIsolationTest`)).to.match(
        /container not-given of pod two-containers, which asked for no accelerator while its sibling container was given .*, sees 1 device: \/dev\/nvidia0/,
      );
    });
  });

  describe('variant shared-devices', () => {
    let run: CliRun;
    inVariant('shared-devices', async () => {
      run = await runProfile('gpu-scheduling', focus('DistinctDevicesTest'));
    });

    it('fails DistinctDevicesTest naming the device both pods see, exits 1', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({ DistinctDevicesTest: 'fail' });
      expect(run.output(`${TEST}/DistinctDevicesTest`)).to.match(
        /pods distinct-a and distinct-b, each given .* on node \S+ at the same time, both see GPU-[0-9a-f-]+/,
      );
      expect(run.code, explain(run)).to.equal(1);
    });
  });

  describe('variant no-resourceslices', () => {
    let auto: CliRun;
    let dra: CliRun;
    inVariant('no-resourceslices', async () => {
      auto = await runProfile('gpu-scheduling', focus('PositiveAccessTest'));
      dra = await runProfile('gpu-scheduling', [...focus('PositiveAccessTest'), '--set', 'allocationMode=dra']);
    });

    it('auto falls back to the device plugin, saying why, and passes', () => {
      expect(subtests(auto, TEST), explain(auto)).to.deep.equal({ PositiveAccessTest: 'pass' });
      expect(auto.output(`${TEST}/PositiveAccessTest`)).to.contain(
        'allocation mode device-plugin (5 nodes advertise nvidia.com/gpu allocatable; not DRA: no ResourceSlice on any node publishes devices of driver gpu.nvidia.com',
      );
    });

    it('allocationMode=dra skips with the missing capability', () => {
      expect(subtests(dra, TEST), explain(dra)).to.deep.equal({ PositiveAccessTest: 'skip' });
      expect(dra.output(`${TEST}/PositiveAccessTest`)).to.contain(
        'allocationMode=dra but no ResourceSlice on any node publishes devices of driver gpu.nvidia.com (DeviceClass gpu.nvidia.com); set deviceClass, or allocationMode=auto',
      );
      expect(dra.code, explain(dra)).to.equal(0);
    });
  });
});
