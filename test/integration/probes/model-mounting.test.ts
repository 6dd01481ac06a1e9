// TestModelMounting on the test cluster, through the real CLI. The model side of the cluster
// (test/cluster/models): a docker-registry on 127.0.0.1:5000 holding the tiny ModelPack model, and
// the node emulator that plays the kubelet for image volumes. Healthy → every subtest passes, with
// digests from the registry or given as parameters; no modelImage → the mount subtests skip naming
// it; unreachable registry → skip naming modelDigests; broken node (wrong digest, writable mount)
// → the right subtest fails naming the file; a StorageClass that does not exist → error naming it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { CliRun } from '../run-cli.js';
import { requireCluster, testKube } from '../cluster.js';
import { TINY_MODEL_REFERENCE, tinyModelDigests } from '../../cluster/models/tiny-model.js';
import { elapsedSeconds, explain, runProfile, subtests } from './probe-run.js';

const TEST = 'TestModelMounting';
const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cluster', 'models');
const MODEL = ['--set', `modelImage=${TINY_MODEL_REFERENCE}`];
const STORE = ['--set', 'modelStorageClass=aic-models'];

/** Runs a test/cluster/models script; resolves with its exit code. */
function models(...args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(MODELS, args[0] ?? ''), ...args.slice(1)],
      { timeout: 120_000 },
      (err, _out, stderr) => {
        if (err === null) resolve(0);
        else if (typeof err.code === 'number' && args[1] === 'status') resolve(err.code);
        else reject(new Error(`test/cluster/models/${args.join(' ')} failed: ${stderr}`));
      },
    );
  });
}

/** kwok's pod-ready and pod-complete Stages must leave pods with image volumes to the emulator. */
async function requireStagesLeaveImageVolumes(): Promise<void> {
  const kube = testKube();
  for (const name of ['pod-ready', 'pod-complete']) {
    const stage = await kube.getJson<object>(`/apis/kwok.x-k8s.io/v1alpha1/stages/${name}`);
    if (!JSON.stringify(stage).includes('.spec.volumes.[].image')) {
      throw new Error(
        `kwok Stage ${name} does not leave pods with image volumes alone, so it races the node emulator (see test/cluster/models/README.md)`,
      );
    }
  }
}

function timed(run: CliRun): CliRun {
  console.log(`      ${TEST} wall time: ${String(elapsedSeconds(run, TEST))}s`);
  return run;
}

describe('probe model-mounting (TestModelMounting) on the test cluster', function () {
  this.timeout(20 * 60_000);
  const started: string[] = [];

  before(requireCluster);
  before(requireStagesLeaveImageVolumes);
  before(async () => {
    for (const part of ['registry', 'emulator']) {
      if ((await models(part, 'status')) !== 0) {
        await models(part, 'up');
        started.push(part);
      }
    }
  });
  after(async () => {
    await models('variant', 'wrong-digest', 'off');
    await models('variant', 'writable-mount', 'off');
    for (const part of started.reverse()) await models(part, 'down');
  });

  describe('healthy cluster, digests from the registry', () => {
    let run: CliRun;
    before(async () => {
      run = timed(await runProfile('model-mounting', [...MODEL, ...STORE]));
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({
        ImageVolumeAccepted: 'pass',
        ImageVolumeMountsModelFiles: 'pass',
        ReadOnlyMount: 'pass',
        SharedModelStore: 'pass',
      });
      expect(run.code, explain(run)).to.equal(0);
    });

    it('compared the mounted files with the manifest read from the registry', () => {
      const out = run.output(`${TEST}/ImageVolumeMountsModelFiles`);
      expect(out).to.match(
        /expecting 3 files from manifest sha256:[a-f0-9]{64} of 127\.0\.0\.1:5000\/aic\/tiny-model:v1/,
      );
      expect(out).to.contain('weights.bin (262144 bytes, sha256:1f47f09c2755…)');
      expect(out).to.contain('tokenizer/vocab.txt');
      expect(run.output(`${TEST}/ReadOnlyMount`)).to.contain('could not write to the 3 model files');
    });

    it('shared one ReadOnlyMany claim between replicas on two nodes', () => {
      const out = run.output(`${TEST}/SharedModelStore`);
      expect(out).to.contain('StorageClass aic-models (parameter modelStorageClass)');
      expect(out).to.match(/claim model-store: Bound to aic-models-\d, access modes ReadOnlyMany/);
      const nodes = [...out.matchAll(/model-server-\S+ on (\S+?)[,\n]/g)].map((m) => m[1]);
      expect(new Set(nodes).size, out).to.equal(2);
    });
  });

  describe('digests given as parameters', () => {
    let run: CliRun;
    before(async () => {
      run = timed(
        await runProfile('model-mounting', [
          ...MODEL,
          ...STORE,
          '--set',
          `modelDigests=${tinyModelDigests().join(',')}`,
        ]),
      );
    });

    it('passes, comparing with the parameter instead of the registry', () => {
      expect(subtests(run, TEST), explain(run)).to.include({
        ImageVolumeMountsModelFiles: 'pass',
        ReadOnlyMount: 'pass',
      });
      expect(run.output(`${TEST}/ImageVolumeMountsModelFiles`)).to.contain(
        'expecting 3 files from parameter modelDigests',
      );
    });
  });

  describe('no modelImage', () => {
    let run: CliRun;
    before(async () => {
      run = timed(await runProfile('model-mounting'));
    });

    it('skips the mount subtests naming modelImage, and still probes the API and the default StorageClass', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal({
        ImageVolumeAccepted: 'pass',
        ImageVolumeMountsModelFiles: 'skip',
        ReadOnlyMount: 'skip',
        SharedModelStore: 'pass',
      });
      for (const sub of ['ImageVolumeMountsModelFiles', 'ReadOnlyMount']) {
        expect(run.output(`${TEST}/${sub}`)).to.contain('parameter modelImage is not set');
      }
      expect(run.output(`${TEST}/SharedModelStore`)).to.contain('StorageClass aic-standard (the cluster default)');
      expect(run.code, explain(run)).to.equal(0);
    });
  });

  describe('registry not reachable from the test process, no digests', () => {
    let run: CliRun;
    before(async () => {
      run = timed(await runProfile('model-mounting', ['--set', 'modelImage=127.0.0.1:5999/aic/absent:v1', ...STORE]));
    });

    it('skips the mount subtests naming modelDigests', () => {
      expect(subtests(run, TEST), explain(run)).to.include({
        ImageVolumeMountsModelFiles: 'skip',
        ReadOnlyMount: 'skip',
      });
      expect(run.output(`${TEST}/ImageVolumeMountsModelFiles`)).to.match(
        /the manifest of modelImage 127\.0\.0\.1:5999\/aic\/absent:v1 cannot be read from here \(cannot reach http:\/\/127\.0\.0\.1:5999: ECONNREFUSED\) and parameter modelDigests is not set/,
      );
      expect(run.code, explain(run)).to.equal(0);
    });
  });

  describe('broken node: wrong digest', () => {
    let run: CliRun;
    before(async () => {
      await models('variant', 'wrong-digest', 'on');
      try {
        run = timed(await runProfile('model-mounting', [...MODEL, ...STORE]));
      } finally {
        await models('variant', 'wrong-digest', 'off');
      }
    });

    it('fails ImageVolumeMountsModelFiles naming weights.bin and the declared digest', () => {
      expect(subtests(run, TEST), explain(run)).to.include({
        ImageVolumeMountsModelFiles: 'fail',
        ReadOnlyMount: 'pass',
      });
      expect(run.output(`${TEST}/ImageVolumeMountsModelFiles`)).to.match(
        /weights\.bin: content has sha256:[a-f0-9]{64} \(262144 bytes\), the artifact declares sha256:1f47f09c27554f4490b9b59e4de18d15d37420f1ab8733339251c3c32c49f87a/,
      );
      expect(run.code).to.equal(1);
    });
  });

  describe('broken node: writable mount', () => {
    let run: CliRun;
    before(async () => {
      await models('variant', 'writable-mount', 'on');
      try {
        run = timed(await runProfile('model-mounting', [...MODEL, ...STORE]));
      } finally {
        await models('variant', 'writable-mount', 'off');
      }
    });

    it('fails ReadOnlyMount naming the files it could write', () => {
      expect(subtests(run, TEST), explain(run)).to.include({
        ImageVolumeMountsModelFiles: 'pass',
        ReadOnlyMount: 'fail',
      });
      expect(run.output(`${TEST}/ReadOnlyMount`)).to.contain(
        'the model mounted at /models is writable: the container could open config.json, tokenizer/vocab.txt, weights.bin for writing and create a file in /models',
      );
      expect(run.code).to.equal(1);
    });
  });

  describe('a modelStorageClass that does not exist', () => {
    let run: CliRun;
    before(async () => {
      run = timed(await runProfile('model-mounting', ['--set', 'modelStorageClass=no-such-class']));
    });

    it('reports SharedModelStore as an error naming the parameter', () => {
      expect(subtests(run, TEST), explain(run)).to.include({ SharedModelStore: 'fail' });
      expect(run.output(`${TEST}/SharedModelStore`)).to.contain('modelStorageClass no-such-class does not exist');
    });
  });
});
