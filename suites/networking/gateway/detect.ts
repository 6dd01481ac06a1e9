/**
 * Is the Gateway API installed, and which GatewayClass does the probe use? The CRDs are read from
 * apiextensions (Established, v1 served); the class is the profile's gatewayClass, else the only
 * one whose controller has accepted it. Pure choices are kept apart from the reads for unit tests.
 */
import type { Kube } from '../../../src/kube/client.js';
import { isNotFound } from '../../../src/kube/client.js';
import type { KubeObject } from '../../../src/kube/objects.js';
import { conditionText, findCondition } from '../../../src/kube/status-text.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_API = `${GATEWAY_GROUP}/v1`;
/** The CRDs the probe needs (plural names); each must be Established and serve v1. */
export const GATEWAY_CRDS = ['gatewayclasses', 'gateways', 'httproutes'] as const;

export interface CrdState {
  name: string;
  /** undefined: the CRD does not exist. */
  established?: boolean;
  servedVersions: string[];
}

export interface GatewayClassInfo {
  name: string;
  controllerName: string;
  accepted: boolean;
  /** `Accepted=True (Accepted: …)`, or `no Accepted condition`. */
  acceptedText: string;
}

interface Crd extends KubeObject {
  spec?: { versions?: { name: string; served?: boolean }[] };
}

export async function readGatewayCrds(kube: Kube): Promise<CrdState[]> {
  const out: CrdState[] = [];
  for (const plural of GATEWAY_CRDS) {
    const name = `${plural}.${GATEWAY_GROUP}`;
    try {
      const crd = await kube.getJson<Crd>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      out.push({
        name,
        established: findCondition(crd, 'Established')?.status === 'True',
        servedVersions: (crd.spec?.versions ?? []).filter((v) => v.served === true).map((v) => v.name),
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      out.push({ name, servedVersions: [] });
    }
  }
  return out;
}

/** Why the probe cannot use the Gateway API CRDs, or undefined when all are usable. */
export function crdProblem(crds: readonly CrdState[]): { skip: string } | { fail: string } | undefined {
  const missing = crds.filter((c) => c.established === undefined).map((c) => c.name);
  if (missing.length > 0)
    return {
      skip: `the Gateway API is not installed: CustomResourceDefinitions ${missing.join(', ')} not found (install the Gateway API CRDs, standard channel, and a Gateway implementation)`,
    };
  const bad = crds
    .filter((c) => c.established !== true || !c.servedVersions.includes('v1'))
    .map(
      (c) =>
        `${c.name} (${c.established === true ? 'Established' : 'not Established'}, serves ${c.servedVersions.join(', ') || 'no version'})`,
    );
  if (bad.length > 0) return { fail: `Gateway API CRDs not usable at ${GATEWAY_API}: ${bad.join('; ')}` };
  return undefined;
}

export function gatewayClassInfo(obj: KubeObject): GatewayClassInfo {
  const accepted = findCondition(obj, 'Accepted');
  const controller = (obj.spec as { controllerName?: unknown } | undefined)?.controllerName;
  return {
    name: obj.metadata?.name ?? '?',
    controllerName: typeof controller === 'string' ? controller : '?',
    accepted: accepted?.status === 'True',
    acceptedText: accepted === undefined ? 'no Accepted condition' : conditionText(accepted),
  };
}

function listClasses(classes: readonly GatewayClassInfo[]): string {
  return classes.length === 0
    ? 'none exist'
    : classes.map((c) => `${c.name} (controller ${c.controllerName}, ${c.acceptedText})`).join('; ');
}

/** The class named by `wanted` (parameter gatewayClass), else the only accepted one. */
export function chooseGatewayClass(
  classes: readonly GatewayClassInfo[],
  wanted: string,
): { gatewayClass: GatewayClassInfo; note: string } | { fail: string } {
  if (wanted !== '') {
    const c = classes.find((x) => x.name === wanted);
    if (c === undefined)
      return {
        fail: `GatewayClass ${wanted} (parameter gatewayClass) does not exist; GatewayClasses: ${listClasses(classes)}`,
      };
    if (!c.accepted)
      return {
        fail: `GatewayClass ${wanted} (parameter gatewayClass) is not accepted by its controller ${c.controllerName}: ${c.acceptedText}`,
      };
    return { gatewayClass: c, note: `gatewayClass=${wanted}: controller ${c.controllerName}, ${c.acceptedText}` };
  }
  const accepted = classes.filter((c) => c.accepted);
  if (accepted.length === 0)
    return {
      fail: `no GatewayClass is Accepted=True, so no Gateway implementation serves this cluster; GatewayClasses: ${listClasses(classes)}`,
    };
  if (accepted.length > 1)
    return {
      fail: `several GatewayClasses are accepted: ${accepted.map((c) => c.name).join(', ')}; name the one to probe with the gatewayClass parameter`,
    };
  const only = accepted[0] as GatewayClassInfo;
  return {
    gatewayClass: only,
    note: `gatewayClass: ${only.name}, the only accepted one (controller ${only.controllerName})`,
  };
}
