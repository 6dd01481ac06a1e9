/**
 * Where the integration tests find the test cluster that test/cluster/up starts (kwok + a real
 * control plane). Tests fail, never skip, when it is missing: a green run must mean it ran.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kube } from '../../src/kube/client.js';

/** `$AIC_KUBECONFIG`, else `~/.cache/ai-conformance/kubeconfig` (the path test/cluster/lib.sh uses). */
export function testKubeconfig(): string {
  const fromEnv = process.env.AIC_KUBECONFIG;
  return fromEnv !== undefined && fromEnv !== ''
    ? fromEnv
    : path.join(os.homedir(), '.cache', 'ai-conformance', 'kubeconfig');
}

/** True when test/cluster/up has written the kubeconfig (the cluster may still be starting). */
export function clusterAvailable(): boolean {
  return existsSync(testKubeconfig());
}

/** A mocha `before` hook: fails with what to do when the test cluster is not there or not answering. */
export async function requireCluster(): Promise<void> {
  const file = testKubeconfig();
  if (!clusterAvailable()) {
    throw new Error(`no test cluster: ${file} does not exist; run test/cluster/up (or set AIC_KUBECONFIG)`);
  }
  try {
    await Kube.load({ kubeconfig: file }).preflight();
  } catch (err) {
    throw new Error(`test cluster not answering (${(err as Error).message}); run test/cluster/up`, { cause: err });
  }
}

/** A client for the test cluster. */
export function testKube(): Kube {
  return Kube.load({ kubeconfig: testKubeconfig() });
}
