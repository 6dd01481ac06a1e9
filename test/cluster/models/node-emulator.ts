/**
 * The node's part for image volumes on the kwok test cluster, where nothing is mounted. A host
 * process that watches every pod with an `image` volume once it is bound to a node and does what
 * a correct kubelet + runtime would: pulls the referenced artifact (manifest and blobs, digests
 * checked) from its registry, starts the pod (Running), and, for run-to-completion pods, ends it
 * after its `ai-conformance.io/duration` with the termination message the probe container would
 * write (suites/models/mount-report.ts): every file under the mount with sha256 and size, and no
 * write access. A failed pull leaves the pod Pending with the container waiting (ErrImagePull).
 *
 * Broken variants, read from the variant file at each completion (test/cluster/models/variant):
 *   writable-mount  the container reports it could write to every model file and create one
 *   wrong-digest    the first weight file has other content than the manifest declares
 *
 * Only raw ModelPack layers (one blob = one file) are "mounted"; anything else is a pull error.
 * kwok's pod-ready and pod-complete Stages must leave pods with image volumes alone.
 *
 * Usage: node-emulator.ts --kubeconfig FILE --variant-file FILE
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { Kube } from '../../../src/kube/client.js';
import type { KubeObject, Node, Pod } from '../../../src/kube/objects.js';
import { TargetWatcher } from '../../../src/kube/watch-state.js';
import { modelFiles, modelLayerType } from '../../../src/oci/modelpack.js';
import { fetchBlob, fetchManifest } from '../../../src/oci/pull.js';
import { parseReference } from '../../../src/oci/reference.js';

type Variant = 'healthy' | 'writable-mount' | 'wrong-digest';
interface MountedFile {
  path: string;
  sha256: string;
  size: number;
  weight: boolean;
}
type PodSpec = NonNullable<Pod['spec']>;
type Container = PodSpec['containers'][number];

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, 'variant-file': { type: 'string' } } });
const kube = Kube.load({ kubeconfig: values.kubeconfig });
const variantFile = values['variant-file'];

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

function variant(): Variant {
  if (variantFile === undefined) return 'healthy';
  try {
    const v = readFileSync(variantFile, 'utf8').trim();
    return v === 'writable-mount' || v === 'wrong-digest' ? v : 'healthy';
  } catch {
    return 'healthy';
  }
}

// ---- pulling ("the node's image store") ----

const store = new Map<string, MountedFile[]>();

async function pull(reference: string, pullPolicy: string | undefined): Promise<MountedFile[]> {
  const ref = parseReference(reference);
  const always =
    pullPolicy === 'Always' || (pullPolicy === undefined && ref.tag === 'latest' && ref.digest === undefined);
  const cached = store.get(reference);
  if (cached !== undefined && !always) return cached;
  const { manifest } = await fetchManifest(ref);
  const files: MountedFile[] = [];
  for (const file of modelFiles(manifest, reference)) {
    const kind = modelLayerType(file.mediaType);
    if (kind?.packing !== 'raw' || file.digest === undefined) {
      throw new Error(`layer ${file.path} (${file.mediaType}): the node emulator mounts raw ModelPack layers only`);
    }
    const data = await fetchBlob(ref, file.digest);
    files.push({
      path: file.path,
      sha256: file.digest.slice('sha256:'.length),
      size: data.length,
      weight: kind.kind === 'weight',
    });
  }
  if (files.length === 0) throw new Error(`${reference} has no ModelPack layer with a file path: nothing to mount`);
  store.set(reference, files);
  return files;
}

// ---- the probe container's report ----

function report(files: readonly MountedFile[], mode: Variant): string {
  const firstWeight = files.findIndex((f) => f.weight);
  const listed = files
    .map((f, i) => {
      const sha256 =
        mode === 'wrong-digest' && i === firstWeight
          ? createHash('sha256').update(`stale:${f.sha256}`).digest('hex')
          : f.sha256;
      return { path: f.path, sha256, size: f.size };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const writable = mode === 'writable-mount';
  return JSON.stringify({
    files: listed,
    writable,
    writableFiles: writable ? [...listed.map((f) => f.path), '.'] : [],
  });
}

/** The mounted files a container sees through its one image-volume mount, if it has exactly one. */
function containerMount(c: Container, volumes: Map<string, MountedFile[]>): MountedFile[] | undefined {
  const mounts = (c.volumeMounts ?? []).filter((m) => volumes.has(m.name));
  return mounts.length === 1 ? volumes.get(mounts[0]?.name ?? '') : undefined;
}

// ---- pod status ----

async function patchStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
  await kube.core.patchNamespacedPodStatus(
    { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

function hashed(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function baseStatus(c: Container, uid: string): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: `${c.image ?? ''}@sha256:${hashed(c.image ?? '')}`,
    containerID: `containerd://${hashed(`${uid}/${c.name}`)}`,
    restartCount: 0,
  };
}

function conditions(pod: Pod, ready: boolean, reason: string | undefined, now: string): unknown[] {
  const ours = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];
  const kept = (pod.status?.conditions ?? []).filter((c) => !ours.includes(c.type));
  const state = (type: string, status: boolean): Record<string, unknown> => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: now,
    ...(status || reason === undefined ? {} : { reason }),
  });
  return [
    ...kept,
    state('PodReadyToStartContainers', ready || reason === 'PodCompleted'),
    state('Initialized', true),
    state('Ready', ready),
    state('ContainersReady', ready),
  ];
}

async function nodeIP(name: string): Promise<string | undefined> {
  const node = await kube.getJson<Node>(`/api/v1/nodes/${encodeURIComponent(name)}`).catch(() => undefined);
  return node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

async function startPod(pod: Pod, now: string): Promise<void> {
  const uid = pod.metadata?.uid ?? '';
  const h = hashed(uid);
  const podIP = `10.244.${String(parseInt(h.slice(0, 2), 16))}.${String(parseInt(h.slice(2, 4), 16) || 1)}`;
  const hostIP = await nodeIP(pod.spec?.nodeName ?? '');
  await patchStatus(pod, {
    phase: 'Running',
    startTime: now,
    conditions: conditions(pod, true, undefined, now),
    ...(hostIP === undefined ? {} : { hostIP, hostIPs: [{ ip: hostIP }] }),
    podIP,
    podIPs: [{ ip: podIP }],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      ...baseStatus(c, uid),
      ready: true,
      started: true,
      state: { running: { startedAt: now } },
    })),
  });
}

async function completePod(pod: Pod, volumes: Map<string, MountedFile[]>, startedAt: string): Promise<void> {
  const mode = variant();
  const now = new Date().toISOString();
  const uid = pod.metadata?.uid ?? '';
  await patchStatus(pod, {
    phase: 'Succeeded',
    conditions: conditions(pod, false, 'PodCompleted', now),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => {
      const files = containerMount(c, volumes);
      return {
        ...baseStatus(c, uid),
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt,
            finishedAt: now,
            ...(files === undefined ? {} : { message: report(files, mode) }),
          },
        },
      };
    }),
  });
  log(`${podName(pod)}: Succeeded (${mode})`);
}

async function pullFailed(pod: Pod, message: string, now: string): Promise<void> {
  const uid = pod.metadata?.uid ?? '';
  await patchStatus(pod, {
    phase: 'Pending',
    conditions: conditions(pod, false, 'ContainersNotReady', now),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      ...baseStatus(c, uid),
      imageID: '',
      containerID: undefined,
      ready: false,
      started: false,
      state: { waiting: { reason: 'ErrImagePull', message } },
    })),
  });
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${pod.metadata?.name ?? 'pod'}.`, namespace: pod.metadata?.namespace },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      uid,
    },
    reason: 'Failed',
    type: 'Warning',
    message,
    source: { component: 'aic-node-emulator', host: pod.spec?.nodeName },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  await kube.objects.create(event as KubernetesObject).catch((err: unknown) => {
    log(`cannot record an event for ${podName(pod)}: ${String(err)}`);
  });
}

// ---- the loop ----

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function imageVolumes(pod: Pod): { name: string; reference: string; pullPolicy: string | undefined }[] {
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.image?.reference === undefined
      ? []
      : [{ name: v.name, reference: v.image.reference, pullPolicy: v.image.pullPolicy }],
  );
}

const live = new Map<string, Pod>();
const handled = new Set<string>();
const timers = new Map<string, NodeJS.Timeout>();
const RETRY_MS = [5_000, 10_000, 20_000, 40_000, 60_000];

function durationMs(pod: Pod): number {
  const text = pod.metadata?.annotations?.['ai-conformance.io/duration'] ?? '2s';
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return 2000;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

async function play(uid: string, attempt = 0): Promise<void> {
  const pod = live.get(uid);
  if (pod === undefined) return;
  const volumes = new Map<string, MountedFile[]>();
  const now = new Date().toISOString();
  try {
    for (const v of imageVolumes(pod)) volumes.set(v.name, await pull(v.reference, v.pullPolicy));
  } catch (err) {
    const message = `failed to pull image volume: ${err instanceof Error ? err.message : String(err)}`;
    log(`${podName(pod)}: ${message}`);
    if (pod.status?.phase === 'Pending') await pullFailed(pod, message, now);
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 60_000;
    timers.set(
      uid,
      setTimeout(() => void play(uid, attempt + 1).catch(logError), delay),
    );
    return;
  }
  if (pod.status?.phase === 'Running')
    log(`WARNING ${podName(pod)} was already Running: a kwok Stage does not leave image-volume pods alone`);
  else await startPod(pod, now);
  log(
    `${podName(pod)}: Running, mounted ${[...volumes.entries()].map(([n, f]) => `${n} (${String(f.length)} files)`).join(', ')}`,
  );
  if (pod.spec?.restartPolicy === 'Never' || pod.spec?.restartPolicy === 'OnFailure') {
    timers.set(
      uid,
      setTimeout(() => {
        const current = live.get(uid);
        if (current !== undefined) completePod(current, volumes, now).catch(logError);
      }, durationMs(pod)),
    );
  }
}

function logError(err: unknown): void {
  log(`ERROR ${err instanceof Error ? err.message : String(err)}`);
}

function onPods(observed: KubeObject | KubeObject[] | undefined): void {
  const pods = (Array.isArray(observed) ? observed : []) as Pod[];
  const seen = new Set<string>();
  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? '';
    if (imageVolumes(pod).length === 0 || pod.metadata?.deletionTimestamp !== undefined) continue;
    seen.add(uid);
    live.set(uid, pod);
    const phase = pod.status?.phase;
    if (handled.has(uid) || pod.spec?.nodeName === undefined || phase === 'Succeeded' || phase === 'Failed') continue;
    handled.add(uid);
    log(
      `${podName(pod)} on ${pod.spec.nodeName}: image volumes ${imageVolumes(pod)
        .map((v) => v.reference)
        .join(', ')}`,
    );
    play(uid).catch(logError);
  }
  for (const uid of [...live.keys()]) {
    if (seen.has(uid)) continue;
    live.delete(uid);
    handled.delete(uid);
    clearTimeout(timers.get(uid));
    timers.delete(uid);
  }
}

const watcher = new TargetWatcher(kube, { apiVersion: 'v1', kind: 'Pod' }, onPods, (err) => {
  logError(err);
  process.exit(1);
});
watcher.start();
log(`watching pods with image volumes on ${kube.server()} (variant file ${variantFile ?? 'none'})`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    watcher.stop();
    for (const t of timers.values()) clearTimeout(t);
    log(`stopped (${signal})`);
    process.exit(0);
  });
}
