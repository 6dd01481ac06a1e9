/**
 * The Kubernetes Workload API (KEP-4671): a gang is a standalone scheduling.k8s.io PodGroup with a
 * gang policy (minCount = all pods) and bare pods that join it through spec.schedulingGroup;
 * kube-scheduler's GangScheduling plugin binds all or none. Served from Kubernetes 1.36
 * (v1alpha2, feature gate GenericWorkload); 1.35's v1alpha1 Workload/workloadRef shape is not
 * supported. Not exercised in CI; its manifests are unit-tested.
 */
import { loadManifests } from '../../../src/kube/manifest.js';
import { manifestFile } from '../../../src/paths.js';
import { gangPods, podGangStatus, podParams, type GangBackend, type GangPodSettings } from './backend.js';

/** Versions with the standalone PodGroup and spec.schedulingGroup, newest first. */
export const WORKLOAD_API_VERSIONS = [
  'scheduling.k8s.io/v1beta1',
  'scheduling.k8s.io/v1alpha3',
  'scheduling.k8s.io/v1alpha2',
] as const;

export function workloadApiBackend(s: GangPodSettings, apiVersion: string, schedulerName: string): GangBackend {
  return {
    id: 'workload-api',
    title: `Kubernetes Workload API (${apiVersion} PodGroup, gang policy)${schedulerName === '' ? '' : `, scheduler ${schedulerName}`}`,
    setupObjects: [],
    gangObjects: (gang) => {
      const group = loadManifests(manifestFile('scheduling', 'gang-workload-api-podgroup.yaml'), {
        ...podParams(gang, s),
        apiVersion,
      });
      const pods = gangPods(gang, s).map((pod) => {
        if (pod.spec !== undefined) {
          // Not in client-node's V1PodSpec yet (alpha): set as plain JSON.
          (pod.spec as Record<string, unknown>)['schedulingGroup'] = { podGroupName: gang.name };
          if (schedulerName !== '') pod.spec.schedulerName = schedulerName;
        }
        return pod;
      });
      return [...group, ...pods];
    },
    status: (gang) => podGangStatus(s.namespace, gang),
    unseenHint:
      "kube-scheduler never tried the gang's pods: is the GangScheduling plugin enabled (feature gates GenericWorkload, GangScheduling)?",
  };
}
