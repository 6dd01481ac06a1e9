/**
 * scheduler-plugins coscheduling: a gang is a PodGroup (minMember = all pods) and bare pods with
 * the pod-group label, scheduled by the scheduler that runs the Coscheduling plugin. The verdict
 * shows on the pods (the PodGroup's status needs the optional scheduler-plugins controller).
 * Not exercised in CI (the test cluster has no scheduler-plugins); its manifests are unit-tested.
 */
import { loadManifests } from '../../../src/kube/manifest.js';
import { manifestFile } from '../../../src/paths.js';
import { gangPods, podGangStatus, podParams, type GangBackend, type GangPodSettings } from './backend.js';

export const COSCHEDULING_API = 'scheduling.x-k8s.io/v1alpha1';
/** The pod label naming a pod's PodGroup (scheduler-plugins v0.24 and later). */
export const COSCHEDULING_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';
/** The scheduler name of scheduler-plugins' Helm chart, installed as a second scheduler. */
export const COSCHEDULING_SCHEDULER = 'scheduler-plugins-scheduler';

export function coschedulingBackend(s: GangPodSettings, schedulerName: string): GangBackend {
  const scheduler = schedulerName === '' ? COSCHEDULING_SCHEDULER : schedulerName;
  return {
    id: 'coscheduling',
    title: `scheduler-plugins coscheduling (${COSCHEDULING_API}), scheduler ${scheduler}`,
    setupObjects: [],
    gangObjects: (gang) => {
      const group = loadManifests(manifestFile('scheduling', 'gang-coscheduling-podgroup.yaml'), podParams(gang, s));
      const pods = gangPods(gang, s).map((pod) => {
        pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, [COSCHEDULING_GROUP_LABEL]: gang.name } };
        if (pod.spec !== undefined) pod.spec.schedulerName = scheduler;
        return pod;
      });
      return [...group, ...pods];
    },
    status: (gang) => podGangStatus(s.namespace, gang),
    unseenHint: `no scheduler tried the gang's pods: is ${scheduler} running (set gangSchedulerName to the scheduler with the Coscheduling plugin)?`,
  };
}
