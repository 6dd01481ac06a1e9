/**
 * Which gang scheduling solution the probe exercises: the gangScheduler parameter, or with `auto`
 * the first whose API the cluster serves (discovery), in the order Kueue, Volcano, coscheduling,
 * Workload API. The choice is pure (unit-tested); only servedGangApis talks to the cluster.
 */
import type { Kube } from '../../../src/kube/client.js';
import type { GangSchedulerId } from './backend.js';
import { GANG_SCHEDULERS } from './backend.js';
import { COSCHEDULING_API } from './coscheduling.js';
import { VOLCANO_API } from './volcano.js';
import { WORKLOAD_API_VERSIONS } from './workload-api.js';

interface GangApi {
  title: string;
  kind: string;
  /** Group/versions that serve `kind`, preferred first. */
  versions: readonly string[];
}

export const GANG_APIS: Record<GangSchedulerId, GangApi> = {
  kueue: { title: 'Kueue', kind: 'Workload', versions: ['kueue.x-k8s.io/v1beta2', 'kueue.x-k8s.io/v1beta1'] },
  volcano: { title: 'Volcano', kind: 'PodGroup', versions: [VOLCANO_API] },
  coscheduling: { title: 'scheduler-plugins coscheduling', kind: 'PodGroup', versions: [COSCHEDULING_API] },
  'workload-api': { title: 'the Kubernetes Workload API', kind: 'PodGroup', versions: WORKLOAD_API_VERSIONS },
};

/** For each solution whose API is served: the group/version the probe uses. */
export type ServedGangApis = Partial<Record<GangSchedulerId, string>>;

export async function servedGangApis(kube: Kube): Promise<ServedGangApis> {
  const served: ServedGangApis = {};
  for (const id of GANG_SCHEDULERS) {
    for (const apiVersion of GANG_APIS[id].versions) {
      if ((await kube.resource(apiVersion, GANG_APIS[id].kind)) !== undefined) {
        served[id] = apiVersion;
        break;
      }
    }
  }
  return served;
}

export type GangChoice =
  | { id: GangSchedulerId; apiVersion: string; note: string }
  | { skip: string }
  /** The profile names a solution the cluster does not serve. */
  | { fail: string };

function apiText(id: GangSchedulerId): string {
  const api = GANG_APIS[id];
  return `${api.versions.join(' or ')} ${api.kind}`;
}

function servedText(served: ServedGangApis): string {
  const ids = GANG_SCHEDULERS.filter((id) => served[id] !== undefined);
  return ids.map((id) => `${id} (${served[id] ?? ''})`).join(', ');
}

export function chooseGangScheduler(parameter: string, served: ServedGangApis): GangChoice {
  if (parameter === 'none') {
    return {
      skip: 'gangScheduler=none: the profile declares no gang scheduling solution (set gangScheduler to auto or to the solution to test)',
    };
  }
  if (parameter === 'auto') {
    const found = GANG_SCHEDULERS.filter((id) => served[id] !== undefined);
    const first = found[0];
    if (first === undefined) {
      const looked = GANG_SCHEDULERS.map((id) => `${GANG_APIS[id].title} (${apiText(id)})`).join(', ');
      return {
        skip: `no gang scheduling solution detected: the cluster serves none of ${looked}; set the gangScheduler parameter to the solution this platform uses`,
      };
    }
    const others = found.slice(1);
    const note =
      `gangScheduler=auto: detected ${GANG_APIS[first].title} (${served[first] ?? ''})` +
      (others.length > 0
        ? `; also served: ${others.map((id) => `${id} (${served[id] ?? ''})`).join(', ')} (set gangScheduler to test another)`
        : '');
    return { id: first, apiVersion: served[first] ?? '', note };
  }
  const id = (GANG_SCHEDULERS as readonly string[]).includes(parameter) ? (parameter as GangSchedulerId) : undefined;
  if (id === undefined)
    return {
      fail: `gangScheduler=${parameter} is not a known gang scheduling solution (${GANG_SCHEDULERS.join(', ')})`,
    };
  const apiVersion = served[id];
  if (apiVersion === undefined) {
    const instead = servedText(served);
    return {
      fail:
        `gangScheduler=${id}, but the cluster does not serve ${GANG_APIS[id].title}'s API (${apiText(id)}): ${GANG_APIS[id].title} is not installed` +
        (instead === '' ? '' : `; the cluster serves ${instead} (set gangScheduler=auto or to one of those)`),
    };
  }
  return { id, apiVersion, note: `gangScheduler=${id}: ${GANG_APIS[id].title} (${apiVersion})` };
}
