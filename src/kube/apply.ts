/**
 * Creating probe objects: each gets the hygiene labels (on its pod templates too, so that pods can
 * be found and cleaned up by label) and a delete step on the cleanup stack. KubernetesObjectApi
 * handles any kind: core, CRDs, DRA, Kueue.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeApiError } from './api-error.js';
import type { CleanupStack } from './cleanup.js';
import type { Kube } from './client.js';
import { deleteIfPresent } from './crud.js';
import type { Labels } from './labels.js';
import { refOf, type KubeObject } from './objects.js';

/** Where pod templates sit in the workload kinds, so that pods carry the labels too. */
const POD_TEMPLATES: Record<string, string[][]> = {
  '/ReplicationController': [['spec', 'template']],
  '/PodTemplate': [['template']],
  'apps/Deployment': [['spec', 'template']],
  'apps/StatefulSet': [['spec', 'template']],
  'apps/DaemonSet': [['spec', 'template']],
  'apps/ReplicaSet': [['spec', 'template']],
  'batch/Job': [['spec', 'template']],
  'batch/CronJob': [
    ['spec', 'jobTemplate'],
    ['spec', 'jobTemplate', 'spec', 'template'],
  ],
};

function addLabels(holder: Record<string, unknown>, labels: Labels): void {
  const metadata = (holder.metadata ??= {}) as { labels?: Labels };
  // Ours win over the template's: cleanup and run isolation depend on them.
  metadata.labels = { ...metadata.labels, ...labels };
}

/** A copy of `obj` with `labels` on its metadata and on its pod template(s), if it has any. */
export function withLabels(obj: KubeObject, labels: Labels): KubeObject {
  const copy = structuredClone(obj);
  addLabels(copy, labels);
  const group = (copy.apiVersion ?? '').includes('/') ? (copy.apiVersion ?? '').split('/')[0] : '';
  for (const path of POD_TEMPLATES[`${group ?? ''}/${copy.kind ?? ''}`] ?? []) {
    let node: unknown = copy;
    for (const key of path)
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    if (typeof node === 'object' && node !== null) addLabels(node as Record<string, unknown>, labels);
  }
  return copy;
}

export interface ApplyOptions {
  /** Where namespaced objects go; a manifest naming another namespace is refused. */
  namespace?: string;
  /** The hygiene labels, usually runLabels(runId, probe), plus any the probe wants. */
  labels: Labels;
  cleanup: CleanupStack;
}

/**
 * Creates the objects in order (namespaced ones in `namespace`), each with `labels`, and pushes
 * a foreground delete for each on the cleanup stack. Returns the objects as the server created them.
 */
export async function applyObjects(
  kube: Kube,
  objects: readonly KubeObject[],
  options: ApplyOptions,
): Promise<KubernetesObject[]> {
  const created: KubernetesObject[] = [];
  for (const obj of objects) {
    const spec = withLabels(obj, options.labels);
    const apiVersion = spec.apiVersion ?? 'v1';
    const kind = spec.kind ?? '?';
    const metadata = (spec.metadata ??= {});
    const resource = await kube.resource(apiVersion, kind);
    if (resource === undefined)
      throw new Error(`cannot create ${kind}: the cluster does not serve ${kind} in ${apiVersion}`);
    if (resource.namespaced) {
      if (options.namespace === undefined)
        throw new Error(`cannot create ${kind} ${metadata.name ?? ''}: it is namespaced and no namespace was given`);
      if (metadata.namespace !== undefined && metadata.namespace !== options.namespace) {
        throw new Error(
          `cannot create ${kind} ${metadata.name ?? ''}: the manifest names namespace ${metadata.namespace}, not the probe's ${options.namespace}`,
        );
      }
      metadata.namespace = options.namespace;
    }
    const label = `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name ?? metadata.generateName ?? ''}`;
    let result: KubernetesObject;
    try {
      result = await kube.objects.create(spec as KubernetesObject);
    } catch (err) {
      throw kube.clusterError(err) ?? new Error(`cannot create ${label}: ${describeApiError(err)}`, { cause: err });
    }
    created.push(result);
    const ref = {
      apiVersion,
      kind,
      metadata: { name: result.metadata?.name ?? metadata.name ?? '', namespace: metadata.namespace },
    };
    options.cleanup.push(
      `delete ${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${ref.metadata.name}`,
      async () => {
        await deleteIfPresent(kube, refOf(ref), { propagation: 'Foreground' });
      },
    );
  }
  return created;
}
