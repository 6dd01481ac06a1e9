/**
 * Which resource.k8s.io version the DRA probe talks: v1 (GA since Kubernetes 1.34), else the betas
 * of older servers. v1beta2 has the v1 shapes the probe's manifests use (`exactly`, flat device
 * attributes); v1beta1 does not, so on a v1beta1-only server only the API check runs.
 */
import type { Kube } from '../../../src/kube/client.js';

export const DRA_GROUP = 'resource.k8s.io';
/** Newest first: the probe uses the first that serves every kind. */
export const DRA_VERSIONS = ['v1', 'v1beta2', 'v1beta1'] as const;
export const DRA_KINDS = ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'] as const;
/** Versions whose request and device shapes match suites/accelerators/manifests/dra-*.yaml. */
const V1_SHAPED = new Set<string>(['v1', 'v1beta2']);

/** What discovery says: for each DRA version the server offers, the DRA kinds it serves. */
export type DraDiscovery = Record<string, string[]>;

export interface DraApi {
  /** `resource.k8s.io/v1`, or undefined when no version serves all four kinds. */
  apiVersion: string | undefined;
  /** A beta version, served because the server predates DRA GA. */
  beta: boolean;
  /** The functional tests can use this version's shapes. */
  functional: boolean;
  /** One line for the log or a failure: what is served and what the probe makes of it. */
  summary: string;
}

export async function discoverDra(kube: Kube): Promise<DraDiscovery> {
  const served: DraDiscovery = {};
  for (const version of DRA_VERSIONS) {
    const kinds: string[] = [];
    for (const kind of DRA_KINDS) {
      if ((await kube.resource(`${DRA_GROUP}/${version}`, kind)) !== undefined) kinds.push(kind);
    }
    if (kinds.length > 0) served[version] = kinds;
  }
  return served;
}

function servedText(d: DraDiscovery): string {
  const parts = Object.entries(d).map(([v, kinds]) => `${v} (${kinds.join(', ')})`);
  return parts.length === 0
    ? `the server does not serve ${DRA_GROUP} at all`
    : `${DRA_GROUP} serves ${parts.join('; ')}`;
}

/** Picks the newest version that serves every DRA kind; pure, so unit-tested. */
export function chooseDraApi(d: DraDiscovery): DraApi {
  const complete = DRA_VERSIONS.find((v) => DRA_KINDS.every((k) => d[v]?.includes(k) === true));
  if (complete === undefined) {
    return {
      apiVersion: undefined,
      beta: false,
      functional: false,
      summary: `no ${DRA_GROUP} version serves all of ${DRA_KINDS.join(', ')}: ${servedText(d)} (DRA is disabled or not installed)`,
    };
  }
  const beta = complete !== 'v1';
  const functional = V1_SHAPED.has(complete);
  let summary = `${DRA_GROUP}/${complete} serves ${DRA_KINDS.join(', ')}`;
  if (beta) summary += ` (beta: the server does not serve ${DRA_GROUP}/v1, DRA GA since Kubernetes 1.34)`;
  if (!functional) summary += `; its request shapes predate v1beta2, so only the API check runs`;
  return { apiVersion: `${DRA_GROUP}/${complete}`, beta, functional, summary };
}
