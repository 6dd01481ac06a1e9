/**
 * Volcano: a gang is a PodGroup (minMember = all pods, minResources = their accelerators) in a
 * Volcano queue, and bare pods that name it and Volcano's scheduler. Volcano's verdict shows on the
 * PodGroup: phase Running once the gang is placed, condition Unschedulable while it is held back.
 * Not exercised in CI (the test cluster has no Volcano); its manifests are unit-tested.
 */
import { describeObject, describeObjects } from '../../../src/kube/conditions.js';
import { loadManifests } from '../../../src/kube/manifest.js';
import { objectName, type KubeObject } from '../../../src/kube/objects.js';
import { manifestFile } from '../../../src/paths.js';
import {
  GANG_LABEL,
  gangPods,
  podParams,
  type GangBackend,
  type GangCondition,
  type GangPodSettings,
  type GangSpec,
  type GangStatus,
} from './backend.js';

export const VOLCANO_API = 'scheduling.volcano.sh/v1beta1';
/** The pod annotation naming a pod's PodGroup. */
export const VOLCANO_GROUP_ANNOTATION = 'scheduling.k8s.io/group-name';
export const VOLCANO_SCHEDULER = 'volcano';
/** The queue Volcano creates at install. */
export const VOLCANO_QUEUE = 'default';

interface PodGroup extends KubeObject {
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

function onPodGroup(gang: string, description: string, met: (pg: PodGroup) => boolean): GangCondition {
  const find = (objs: readonly KubeObject[]): PodGroup | undefined => objs.find((o) => o.metadata?.name === gang);
  return {
    description,
    test: (objs) => {
      const pg = find(objs);
      return pg !== undefined && met(pg)
        ? { done: true, value: `PodGroup ${objectName(pg)}: ${describeObject(pg)}` }
        : false;
    },
    describe: (objs) => {
      const pg = find(objs);
      return pg === undefined ? describeObjects(objs) : `PodGroup ${objectName(pg)}: ${describeObject(pg)}`;
    },
  };
}

const hasCondition = (pg: PodGroup, type: string): boolean =>
  pg.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;

export function volcanoStatus(namespace: string, gang: GangSpec): GangStatus {
  return {
    target: { apiVersion: VOLCANO_API, kind: 'PodGroup', namespace, labelSelector: `${GANG_LABEL}=${gang.name}` },
    seen: onPodGroup(gang.name, 'to be taken up by Volcano (a phase)', (pg) => (pg.status?.phase ?? '') !== ''),
    admitted: onPodGroup(
      gang.name,
      'to be Running',
      (pg) => pg.status?.phase === 'Running' || pg.status?.phase === 'Completed' || hasCondition(pg, 'Scheduled'),
    ),
    held: onPodGroup(gang.name, 'to be reported Unschedulable', (pg) => hasCondition(pg, 'Unschedulable')),
  };
}

export function volcanoBackend(s: GangPodSettings, schedulerName: string): GangBackend {
  const scheduler = schedulerName === '' ? VOLCANO_SCHEDULER : schedulerName;
  return {
    id: 'volcano',
    title: `Volcano (${VOLCANO_API}), queue ${VOLCANO_QUEUE}, scheduler ${scheduler}`,
    setupObjects: [],
    gangObjects: (gang) => {
      const group = loadManifests(manifestFile('scheduling', 'gang-volcano-podgroup.yaml'), {
        ...podParams(gang, s),
        queue: VOLCANO_QUEUE,
      });
      const pods = gangPods(gang, s).map((pod) => {
        pod.metadata = {
          ...pod.metadata,
          annotations: { ...pod.metadata?.annotations, [VOLCANO_GROUP_ANNOTATION]: gang.name },
        };
        if (pod.spec !== undefined) pod.spec.schedulerName = scheduler;
        return pod;
      });
      return [...group, ...pods];
    },
    status: (gang) => volcanoStatus(s.namespace, gang),
    unseenHint: `Volcano never gave the PodGroup a phase: is the Volcano scheduler (${scheduler}) and controller running?`,
  };
}
