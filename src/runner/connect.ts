/**
 * Reaching the cluster before any probe runs: kubeconfig, /version, and the fingerprint recorded in
 * meta/cluster.json. Any failure here is a ClusterError (exit 3) and nothing has been created.
 */
import { Kube, loadKubeConfig } from '../kube/client.js';
import { clusterFingerprint } from '../kube/fingerprint.js';

export interface Connected {
  kube: Kube;
  server: { gitVersion: string; major: string; minor: string };
  cluster: unknown;
}

export async function connect(kubeconfig: string | undefined, context: string | undefined): Promise<Connected> {
  const kc = loadKubeConfig({ kubeconfig, context });
  const kube = new Kube(kc);
  const server = await kube.preflight();
  const cluster = await clusterFingerprint(kube);
  return { kube, server, cluster };
}
