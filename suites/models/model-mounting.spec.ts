/**
 * model_mounting (our own requirement): models packaged as CNCF ModelPack OCI artifacts are
 * mounted read-only into serving pods through the Kubernetes image volume source, and a PVC-backed
 * model store can be shared read-only by serving pods on different nodes.
 *
 * ImageVolumeAccepted: a server-side dry run keeps `volumes[].image` (or the answer names the gate).
 * ImageVolumeMountsModelFiles: the container finds every file the manifest declares, with its digest.
 * ReadOnlyMount: the same container could neither open those files for writing nor create one.
 * SharedModelStore: a ReadOnlyMany claim, Bound, mounted by two Running replicas on two nodes.
 */
import { expect } from 'chai';
import { describeApiError } from '../../src/kube/api-error.js';
import { describePod, matches, podsRunning } from '../../src/kube/conditions.js';
import { describeEvent, eventSeen, eventsTarget, listEvents } from '../../src/kube/events.js';
import { loadManifests } from '../../src/kube/manifest.js';
import type { KubeObject, Node, ObjectRef, Pod } from '../../src/kube/objects.js';
import { waitFor, WaitTimeoutError } from '../../src/kube/wait.js';
import { manifestFile } from '../../src/paths.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { podRef } from '../shared/accelerator-pods.js';
import { expectedModelFiles } from './expected-files.js';
import { droppedImageVolume, imageVolumeGateHint, imageVolumeRejection, serverMinor } from './image-volume.js';
import { chooseStorageClass, schedulableNodes } from './model-store.js';
import {
  describeWritable,
  modelFileProblems,
  mountReportScript,
  readMountReport,
  type MountReport,
} from './mount-report.js';

const CATEGORY = 'models';
const MOUNT_PATH = '/models';
/** How long the model reader stays after reporting (its duration annotation). */
const REPORT_SECONDS = 1;
const SERVER_LABEL = 'ai-conformance.io/role=model-server';

type MountOutcome = { report: MountReport } | { skip: string } | { error: string };

function podParams(p: ProbeHandle, name: string, reference: string): Record<string, string | number> {
  return {
    name,
    reference,
    mountPath: MOUNT_PATH,
    seconds: REPORT_SECONDS,
    probeImage: p.param('probeImage'),
    script: mountReportScript(MOUNT_PATH, REPORT_SECONDS),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const podFinished = matches<Pod | undefined>(
  'to finish (Succeeded or Failed)',
  (pod) => pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed',
  describePod,
);

/** Warning events of an object, one line, for failure messages. */
async function warnings(p: ProbeHandle, ref: ObjectRef): Promise<string> {
  const events = await listEvents(p.kube, ref, { type: 'Warning' }).catch(() => []);
  return events.length === 0 ? 'no warning events' : events.slice(-3).map(describeEvent).join('; ');
}

probe('model-mounting', 'TestModelMounting', (p) => {
  let mount: MountOutcome | undefined;

  it('ImageVolumeAccepted', async function () {
    // Any OCI reference will do for the API server: the model when given, else the probe image.
    const reference = p.param('modelImage') || p.param('probeImage');
    const [pod] = loadManifests(
      manifestFile(CATEGORY, 'image-volume-pod.yaml'),
      podParams(p, 'image-volume-dry-run', reference),
    );
    if (pod === undefined) throw new ProbeError('image-volume-pod.yaml holds no object');
    pod.metadata = { ...pod.metadata, namespace: p.namespace };
    const version = await p.kube.preflight();
    const hint = imageVolumeGateHint(version.gitVersion, serverMinor(version.minor));
    let returned: KubeObject;
    try {
      returned = await p.kube.objects.create(pod as never, undefined, 'All');
    } catch (err) {
      const rejected = imageVolumeRejection(err);
      if (rejected === undefined) {
        throw (
          p.kube.clusterError(err) ??
          new ProbeError(`server-side dry run of a pod with an image volume failed: ${describeApiError(err)}`)
        );
      }
      expect.fail(`${rejected}; ${hint}`);
    }
    const dropped = droppedImageVolume(pod, returned);
    if (dropped !== undefined) expect.fail(`${dropped}; ${hint}`);
    p.log(`server ${version.gitVersion} keeps volumes[model].image.reference=${reference} in a server-side dry run`);
  });

  it('ImageVolumeMountsModelFiles', async function () {
    const reference = p.param('modelImage');
    if (reference === '') {
      mount = { skip: 'parameter modelImage is not set (the OCI reference of a ModelPack model artifact to mount)' };
      return p.skip(this, mount.skip);
    }
    const expected = await expectedModelFiles(reference, stringList(p.params['modelDigests']));
    if ('skip' in expected) {
      mount = { skip: expected.skip };
      return p.skip(this, expected.skip);
    }
    p.log(
      `expecting ${String(expected.files.length)} files from ${expected.source}: ${expected.files.map((f) => f.path).join(', ')}`,
    );
    mount = { error: 'the model pod did not report' };
    try {
      await p.create(CATEGORY, 'image-volume-pod.yaml', podParams(p, 'model-reader', reference));
      const ref = podRef(p.namespace, 'model-reader');
      let pod: Pod | undefined;
      try {
        pod = await waitFor(p.kube, ref, podFinished, p.waitOptions());
      } catch (err) {
        if (err instanceof WaitTimeoutError) expect.fail(`${err.message}; ${await warnings(p, ref)}`);
        throw err;
      }
      if (pod === undefined) throw new ProbeError('the model pod vanished');
      const report = readMountReport(pod, 'probe');
      mount = { report };
      p.log(
        `the container saw under ${MOUNT_PATH}: ${report.files.map((f) => `${f.path} (${String(f.size)} bytes, sha256:${f.sha256.slice(0, 12)}…)`).join(', ') || 'no file'}`,
      );
      const problems = modelFileProblems(expected.files, report, MOUNT_PATH);
      if (problems.length > 0)
        expect.fail(`the model mounted at ${MOUNT_PATH} differs from ${expected.source}: ${problems.join('; ')}`);
    } catch (err) {
      if ('error' in mount) mount = { error: err instanceof Error ? err.message : String(err) };
      throw err;
    }
  });

  it('ReadOnlyMount', function () {
    if (mount === undefined) throw new ProbeError('ImageVolumeMountsModelFiles did not run');
    if ('skip' in mount) return p.skip(this, mount.skip);
    if ('error' in mount)
      throw new ProbeError(`no mount report to judge (ImageVolumeMountsModelFiles: ${mount.error})`);
    const { report } = mount;
    if (report.writable)
      expect.fail(
        `the model mounted at ${MOUNT_PATH} is writable: the container could ${describeWritable(report, MOUNT_PATH)}`,
      );
    p.log(
      `the container could not write to the ${String(report.files.length)} model files nor create one in ${MOUNT_PATH}`,
    );
  });

  it('SharedModelStore', async function () {
    const classes = await p.kube.getJson<{ items?: KubeObject[] }>('/apis/storage.k8s.io/v1/storageclasses');
    const choice = chooseStorageClass(p.param('modelStorageClass'), classes.items ?? []);
    if ('skip' in choice) return p.skip(this, choice.skip);
    const nodes = schedulableNodes((await p.kube.getJson<{ items?: Node[] }>('/api/v1/nodes')).items ?? []);
    if (nodes.length < 2) {
      return p.skip(
        this,
        `a model store shared across nodes needs two schedulable nodes; the cluster has ${String(nodes.length)}`,
      );
    }
    const storageClass = choice.name;
    p.log(
      `StorageClass ${storageClass} (${choice.named ? 'parameter modelStorageClass' : 'the cluster default'}); schedulable nodes: ${nodes.join(', ')}`,
    );
    await p.create(CATEGORY, 'model-store.yaml', { storageClass, probeImage: p.param('probeImage') });

    const pvcRef: ObjectRef = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: p.namespace,
      name: 'model-store',
    };
    const unbound = await bindOrWhyNot(p, pvcRef);
    if (unbound !== undefined) {
      const what = `a ReadOnlyMany claim of StorageClass ${storageClass} was not bound: ${unbound}`;
      if (!choice.named) return p.skip(this, `${what}; set modelStorageClass to the class of the shared model store`);
      expect.fail(what);
    }
    const target = { apiVersion: 'v1', kind: 'Pod', namespace: p.namespace, labelSelector: SERVER_LABEL };
    let pods: Pod[];
    try {
      pods = await waitFor<Pod>(p.kube, target, podsRunning(2), p.waitOptions());
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      const list = await p.kube.getJson<{ items?: Pod[] }>(`/api/v1/namespaces/${p.namespace}/pods`, {
        labelSelector: SERVER_LABEL,
      });
      const why = await Promise.all(
        (list.items ?? []).map(
          async (pod) =>
            `${pod.metadata?.name ?? '?'}: ${await warnings(p, podRef(p.namespace, pod.metadata?.name ?? ''))}`,
        ),
      );
      expect.fail(`two replicas sharing the read-only claim did not both run: ${err.message}; ${why.join('; ')}`);
    }
    const running = pods.filter((pod) => pod.status?.phase === 'Running');
    const placed = running.map((pod) => `${pod.metadata?.name ?? '?'} on ${pod.spec?.nodeName ?? '?'}`);
    p.log(`Running: ${placed.join(', ')}`);
    const onNodes = new Set(running.map((pod) => pod.spec?.nodeName));
    expect(
      onNodes.size,
      `the replicas sharing the model store run on one node only: ${placed.join(', ')}`,
    ).to.be.at.least(2);
    const pvc = await p.kube.getJson<KubeObject>(
      `/api/v1/namespaces/${p.namespace}/persistentvolumeclaims/model-store`,
    );
    const status = pvc['status'] as { phase?: string; accessModes?: string[] } | undefined;
    const spec = pvc['spec'] as { volumeName?: string } | undefined;
    p.log(
      `claim model-store: ${status?.phase ?? '?'} to ${spec?.volumeName ?? '?'}, access modes ${(status?.accessModes ?? []).join(', ')}`,
    );
    expect(status?.phase, 'claim model-store phase while both replicas run').to.equal('Bound');
    expect(
      status?.accessModes ?? [],
      `claim model-store of StorageClass ${storageClass} was bound to a volume without ReadOnlyMany`,
    ).to.include('ReadOnlyMany');
  });
});

/**
 * Waits until the claim is Bound; returns undefined then, else why not: a ProvisioningFailed
 * event (which ends the wait at once) or what was last seen when the wait timed out.
 */
async function bindOrWhyNot(p: ProbeHandle, pvcRef: ObjectRef): Promise<string | undefined> {
  const stop = new AbortController();
  const options = { ...p.waitOptions(), signal: stop.signal };
  type Outcome = { bound: true } | { why: string } | { error: unknown };
  const bound: Promise<Outcome> = waitFor(
    p.kube,
    pvcRef,
    matches<KubeObject | undefined>(
      'to be Bound',
      (c) => (c?.['status'] as { phase?: string } | undefined)?.phase === 'Bound',
    ),
    options,
  ).then(
    () => ({ bound: true }),
    (err: unknown) => (err instanceof WaitTimeoutError ? { why: err.message } : { error: err }),
  );
  // Only an event may win with this one; its timeout or abort leaves the answer to `bound`.
  const failed: Promise<Outcome> = waitFor(
    p.kube,
    eventsTarget(pvcRef),
    eventSeen({ type: 'Warning', reason: 'ProvisioningFailed' }),
    {
      timeoutMs: p.waitMs,
      signal: stop.signal,
    },
  ).then(
    (e) => ({ why: describeEvent(e) }),
    () => new Promise<never>(() => undefined),
  );
  let outcome: Outcome;
  try {
    outcome = await Promise.race([bound, failed]);
  } finally {
    stop.abort();
  }
  if ('error' in outcome) throw outcome.error;
  return 'why' in outcome ? outcome.why : undefined;
}
