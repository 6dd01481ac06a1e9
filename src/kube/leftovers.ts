/**
 * Deleting what an interrupted run left behind, by label (Gardener's pre-clean): probe namespaces
 * first (that removes every namespaced object and frees Kueue quota), then the cluster-scoped
 * kinds probes create. Kinds whose API the cluster does not serve are skipped.
 */
import { describeApiError, httpStatus, isNotFound } from './api-error.js';
import type { Kube, Log } from './client.js';
import { managedSelector, runSelector } from './labels.js';
import type { KubeObject } from './objects.js';

export type LeftoverScope = { runId: string } | { all: true };

export interface Leftover {
  apiVersion: string;
  kind: string;
  name: string;
}

export interface LeftoversResult {
  /** Deleted (or, with dryRun, that would be deleted). */
  deleted: Leftover[];
  /** Already terminating; nothing to do. */
  terminating: Leftover[];
  /** Kinds or objects that could not be listed or deleted, with why. */
  failures: { what: string; reason: string }[];
}

export interface LeftoverOptions {
  /** List what would be deleted without deleting. */
  dryRun?: boolean;
}

/** [group, kind] in deletion order: namespaces first, definitions (CRDs) last. */
const KINDS: readonly (readonly [string, string])[] = [
  ['', 'Namespace'],
  ['kueue.x-k8s.io', 'ClusterQueue'],
  ['kueue.x-k8s.io', 'ResourceFlavor'],
  ['kueue.x-k8s.io', 'WorkloadPriorityClass'],
  ['kueue.x-k8s.io', 'Cohort'],
  ['resource.k8s.io', 'DeviceClass'],
  ['scheduling.k8s.io', 'PriorityClass'],
  ['node.k8s.io', 'RuntimeClass'],
  ['storage.k8s.io', 'StorageClass'],
  ['', 'PersistentVolume'],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io', 'ClusterRole'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding'],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
  ['apiextensions.k8s.io', 'CustomResourceDefinition'],
];

interface GroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string } }[];
}

export function leftoverSelector(scope: LeftoverScope): string {
  return 'runId' in scope ? runSelector(scope.runId) : managedSelector();
}

/**
 * Deletes every namespace and cluster-scoped object carrying our managed-by label (and the run
 * label for `{ runId }`). Logs each one; continues past failures and returns them.
 */
export async function deleteLeftovers(
  kube: Kube,
  scope: LeftoverScope,
  log: Log,
  options: LeftoverOptions = {},
): Promise<LeftoversResult> {
  const result: LeftoversResult = { deleted: [], terminating: [], failures: [] };
  const selector = leftoverSelector(scope);
  const groups = await kube.getJson<GroupList>('/apis').catch((err: unknown) => {
    throw kube.clusterError(err) ?? err;
  });
  const versionOf = (group: string): string | undefined =>
    group === '' ? 'v1' : groups.groups?.find((g) => g.name === group)?.preferredVersion?.groupVersion;

  for (const [group, kind] of KINDS) {
    const apiVersion = versionOf(group);
    if (apiVersion === undefined) continue;
    let items: KubeObject[];
    try {
      if ((await kube.resource(apiVersion, kind)) === undefined) continue;
      items = await kube.listAll<KubeObject>(await kube.collectionPath(apiVersion, kind), { labelSelector: selector });
    } catch (err) {
      const status = httpStatus(err);
      if (status === 401 || status === undefined) throw kube.clusterError(err) ?? err;
      result.failures.push({ what: `list ${kind}`, reason: describeApiError(err) });
      log(`cannot list ${kind} (${apiVersion}): ${describeApiError(err)}`);
      continue;
    }
    for (const item of items) {
      const name = item.metadata?.name ?? '';
      const leftover: Leftover = { apiVersion, kind, name };
      const what = `${kind.toLowerCase()} ${name}`;
      if (item.metadata?.deletionTimestamp !== undefined) {
        result.terminating.push(leftover);
        log(`already being deleted: ${what}`);
        continue;
      }
      if (options.dryRun === true) {
        result.deleted.push(leftover);
        log(`would delete ${what}`);
        continue;
      }
      try {
        const ref = { apiVersion, kind, metadata: { name } };
        await kube.objects.delete(ref, undefined, undefined, undefined, undefined, 'Background');
        result.deleted.push(leftover);
        log(`deleted ${what}`);
      } catch (err) {
        if (isNotFound(err)) continue;
        result.failures.push({ what: `delete ${what}`, reason: describeApiError(err) });
        log(`cannot delete ${what}: ${describeApiError(err)}`);
      }
    }
  }
  return result;
}
