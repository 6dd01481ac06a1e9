// The pure parts of the model-mounting probe: the container's mount report (the script run for
// real under sh), comparing it with the manifest, the image-volume acceptance verdicts, where the
// expected digests come from, the storage class and node choice, and the probe's workloads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import { loadManifests } from '../../../src/kube/manifest.js';
import type { KubeObject, Node, Pod } from '../../../src/kube/objects.js';
import { sha256Digest } from '../../../src/oci/digest.js';
import { MODEL_WEIGHT_RAW, type ModelFile } from '../../../src/oci/modelpack.js';
import { manifestFile } from '../../../src/paths.js';
import { expectedModelFiles, parseModelDigests } from '../../../suites/models/expected-files.js';
import {
  droppedImageVolume,
  imageVolumeGateHint,
  imageVolumeRejection,
  serverMinor,
} from '../../../suites/models/image-volume.js';
import { chooseStorageClass, schedulableNodes } from '../../../suites/models/model-store.js';
import {
  describeWritable,
  modelFileProblems,
  mountReportScript,
  parseMountReport,
  type MountReport,
} from '../../../suites/models/mount-report.js';

const hex = (text: string): string => sha256Digest(Buffer.from(text)).slice('sha256:'.length);

/** Runs the container script under sh with the termination log redirected to a file. */
function runScript(mountPath: string, dir: string): Record<string, unknown> {
  const log = path.join(dir, 'termination-log');
  const script = mountReportScript(mountPath, 0).replaceAll('/dev/termination-log', log);
  execFileSync('sh', ['-c', script]);
  return JSON.parse(execFileSync('cat', [log]).toString()) as Record<string, unknown>;
}

describe('models/mount-report: the container script', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aic-mount-'));
    mkdirSync(path.join(dir, 'model', 'tokenizer'), { recursive: true });
    writeFileSync(path.join(dir, 'model', 'weights.bin'), 'weights');
    writeFileSync(path.join(dir, 'model', 'tokenizer', 'vocab.txt'), 'a\nb\n');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every file under the mount with sha256 and size, sorted, and reports what it could write', () => {
    const report = parseMountReport(runScript(path.join(dir, 'model'), dir), 'test');
    expect(report.files).to.deep.equal([
      { path: 'tokenizer/vocab.txt', sha256: hex('a\nb\n'), size: 4 },
      { path: 'weights.bin', sha256: hex('weights'), size: 7 },
    ]);
    // a plain directory is writable: both files, and a new file beside them (".")
    expect(report.writable).to.equal(true);
    expect(report.writableFiles).to.deep.equal(['tokenizer/vocab.txt', 'weights.bin', '.']);
  });

  it('reports a missing mount path as an error the probe turns into a ProbeError', () => {
    const json = runScript(path.join(dir, 'absent'), dir);
    expect(json).to.deep.equal({ error: `mount path ${path.join(dir, 'absent')} does not exist in the container` });
    expect(() => parseMountReport(json, 'container probe')).to.throw(/container probe reported: mount path/);
  });
});

describe('models/mount-report: comparing with the manifest', () => {
  const report: MountReport = {
    files: [
      { path: 'weights.bin', sha256: hex('weights'), size: 7 },
      { path: 'config.json', sha256: hex('{}'), size: 2 },
    ],
    writable: false,
    writableFiles: [],
  };
  const want = (path: string, content: string, extra: Partial<ModelFile> = {}): ModelFile => ({
    path,
    mediaType: MODEL_WEIGHT_RAW,
    digest: sha256Digest(Buffer.from(content)),
    size: content.length,
    ...extra,
  });

  it('finds nothing wrong when every declared file is there with its digest', () => {
    expect(
      modelFileProblems([want('weights.bin', 'weights'), want('config.json', '{}')], report, '/models'),
    ).to.deep.equal([]);
  });

  it('names a file with other content, a missing file, and a wrong size where only the size is declared', () => {
    const problems = modelFileProblems(
      [
        want('weights.bin', 'other'),
        want('tokenizer.json', '[]'),
        { path: 'config.json', mediaType: 'application/vnd.cncf.model.weight.config.v1.tar', size: 9 },
      ],
      report,
      '/models',
    );
    expect(problems).to.deep.equal([
      `weights.bin: content has sha256:${hex('weights')} (7 bytes), the artifact declares ${sha256Digest(Buffer.from('other'))}`,
      'tokenizer.json: not found under /models (the container saw weights.bin, config.json)',
      'config.json: 2 bytes, the artifact declares 9',
    ]);
  });

  it('says what the container could write', () => {
    expect(describeWritable({ ...report, writable: true, writableFiles: ['weights.bin', '.'] }, '/models')).to.equal(
      'open weights.bin for writing and create a file in /models',
    );
  });

  it('refuses a report of the wrong shape', () => {
    expect(() => parseMountReport({ devices: [] }, 'c')).to.throw(/c reported \{"devices":\[\]\}/);
  });
});

describe('models/image-volume: acceptance verdicts', () => {
  it('names the gate and what each Kubernetes version needs', () => {
    expect(imageVolumeGateHint('v1.30.2', serverMinor('30'))).to.match(/has no image volume source: it came in v1.31/);
    expect(imageVolumeGateHint('v1.32.1', serverMinor('32'))).to.match(
      /ImageVolume feature gate is alpha in v1.32.1: turn it on/,
    );
    expect(imageVolumeGateHint('v1.34.0', serverMinor('34+'))).to.match(/beta but off by default in v1.34.0/);
    expect(imageVolumeGateHint('v1.36.3', serverMinor('36'))).to.match(
      /on by default since v1.35, so it was turned off/,
    );
  });

  it('sees an image volume dropped from what the server returns', () => {
    const sent: KubeObject = { spec: { volumes: [{ name: 'model', image: { reference: 'r.io/m:v1' } }] } };
    expect(droppedImageVolume(sent, sent)).to.equal(undefined);
    expect(droppedImageVolume(sent, { spec: { volumes: [{ name: 'model' }] } })).to.match(
      /dropped spec.volumes\[model\].image/,
    );
  });

  it('recognises the rejection of a pod whose image volume was dropped, and nothing else', () => {
    const status = (code: number, message: string): ApiException<unknown> =>
      new ApiException(code, 'x', { kind: 'Status', code, message }, {});
    expect(
      imageVolumeRejection(
        status(422, 'Pod "p" is invalid: spec.volumes[0]: Required value: must specify a volume type'),
      ),
    ).to.match(/rejected the pod's image volume \(HTTP 422: Pod "p" is invalid: spec.volumes\[0\]/);
    expect(imageVolumeRejection(status(400, 'strict decoding error: unknown field "spec.volumes[0].image"'))).to.match(
      /HTTP 400/,
    );
    expect(imageVolumeRejection(status(403, 'forbidden'))).to.equal(undefined);
    expect(imageVolumeRejection(status(422, 'spec.containers[0].image: Required value'))).to.equal(undefined);
  });
});

describe('models/expected-files', () => {
  it('parses modelDigests entries and names a malformed one', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseModelDigests([`./model/weights.bin=${digest}`])).to.deep.equal([
      { path: 'model/weights.bin', mediaType: '', digest },
    ]);
    expect(() => parseModelDigests(['weights.bin'])).to.throw(/"weights.bin" is not path=sha256/);
    expect(() => parseModelDigests(['weights.bin=sha256:abc'])).to.throw(/is not path=sha256/);
  });

  it('prefers digests given as parameters over the registry', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const expected = await expectedModelFiles('127.0.0.1:1/none:v1', [`w=${digest}`]);
    expect(expected).to.deep.equal({ files: [{ path: 'w', mediaType: '', digest }], source: 'parameter modelDigests' });
  });

  it('skips, naming modelDigests, when the registry cannot be reached from here', async () => {
    const expected = await expectedModelFiles('127.0.0.1:9/aic/none:v1', []);
    expect(expected)
      .to.have.property('skip')
      .that.matches(
        /cannot be read from here \(cannot reach http:\/\/127.0.0.1:9: .*\) and parameter modelDigests is not set/,
      );
  });

  it('is an error when modelImage is no reference at all', async () => {
    try {
      await expectedModelFiles('Not A Reference', []);
      expect.fail('no error');
    } catch (err) {
      expect((err as Error).name).to.equal('ProbeError');
      expect((err as Error).message).to.match(/^modelImage: /);
    }
  });
});

describe('models/model-store', () => {
  const sc = (name: string, isDefault = false): KubeObject => ({
    metadata: { name, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
  });

  it('uses the named class, else the default, else skips naming modelStorageClass', () => {
    expect(chooseStorageClass('nfs', [sc('std', true), sc('nfs')])).to.deep.equal({ name: 'nfs', named: true });
    expect(chooseStorageClass('', [sc('nfs'), sc('std', true)])).to.deep.equal({ name: 'std', named: false });
    expect(chooseStorageClass('', [sc('nfs')])).to.deep.equal({
      skip: 'parameter modelStorageClass is not set and the cluster has no default StorageClass',
    });
    expect(() => chooseStorageClass('gone', [sc('nfs')])).to.throw(
      /modelStorageClass gone does not exist \(StorageClasses: nfs\)/,
    );
  });

  it('counts only nodes a plain pod can land on', () => {
    const node = (name: string, ready: string, extra: Partial<NonNullable<Node['spec']>> = {}): Node => ({
      metadata: { name },
      spec: extra,
      status: { conditions: [{ type: 'Ready', status: ready }] },
    });
    expect(
      schedulableNodes([
        node('a', 'True'),
        node('b', 'False'),
        node('c', 'True', { unschedulable: true }),
        node('d', 'True', { taints: [{ key: 'gpu', effect: 'NoSchedule' }] }),
        node('e', 'True', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      ]),
    ).to.deep.equal(['a', 'e']);
  });
});

describe('models manifests', () => {
  it('mounts the model through an image volume, without readOnly on the mount, and reports from the probe container', () => {
    const script = mountReportScript('/models', 2);
    const [pod] = loadManifests(manifestFile('models', 'image-volume-pod.yaml'), {
      name: 'model-reader',
      reference: '127.0.0.1:5000/aic/tiny-model:v1',
      mountPath: '/models',
      seconds: 2,
      probeImage: 'busybox:1.36',
      script,
    }) as Pod[];
    expect(pod?.metadata?.annotations?.['ai-conformance.io/duration']).to.equal('2s');
    expect(pod?.spec?.restartPolicy).to.equal('Never');
    expect(pod?.spec?.volumes).to.deep.equal([
      { name: 'model', image: { reference: '127.0.0.1:5000/aic/tiny-model:v1', pullPolicy: 'IfNotPresent' } },
    ]);
    const c = pod?.spec?.containers[0];
    expect(c?.volumeMounts).to.deep.equal([{ name: 'model', mountPath: '/models' }]);
    expect(c?.command).to.deep.equal(['sh', '-c', script]);
  });

  it('shares one ReadOnlyMany claim read-only between two replicas kept apart by anti-affinity', () => {
    const objects = loadManifests(manifestFile('models', 'model-store.yaml'), {
      storageClass: 'nfs',
      probeImage: 'busybox:1.36',
    });
    const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim') as {
      spec: { accessModes: string[]; storageClassName: string };
    };
    expect(pvc.spec).to.include({ storageClassName: 'nfs' });
    expect(pvc.spec.accessModes).to.deep.equal(['ReadOnlyMany']);
    const deploy = objects.find((o) => o.kind === 'Deployment') as {
      spec: { replicas: number; template: { spec: Pod['spec'] & object } };
    };
    expect(deploy.spec.replicas).to.equal(2);
    const spec = deploy.spec.template.spec;
    expect(spec.volumes).to.deep.equal([
      { name: 'models', persistentVolumeClaim: { claimName: 'model-store', readOnly: true } },
    ]);
    expect(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey).to.equal(
      'kubernetes.io/hostname',
    );
  });
});
