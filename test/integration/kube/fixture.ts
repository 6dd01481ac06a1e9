/** Shared setup for the kube integration tests: a client, a run id, a probe namespace per suite. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CleanupStack } from '../../../src/kube/cleanup.js';
import type { Kube } from '../../../src/kube/client.js';
import { runLabels } from '../../../src/kube/labels.js';
import { applyObjects, loadManifests, type ManifestParams } from '../../../src/kube/manifest.js';
import { createProbeNamespace } from '../../../src/kube/namespace.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { requireCluster, testKube } from '../cluster.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function manifest(name: string): string {
  return path.join(here, 'manifests', name);
}

/** Unique per test process, so reruns and parallel runs do not collide. */
export function testRunId(tag: string): string {
  return `it-${tag}-${Date.now().toString(36)}-${process.pid.toString(36)}`;
}

export interface ProbeFixture {
  kube: Kube;
  runId: string;
  probe: string;
  namespace: string;
  cleanup: CleanupStack;
  apply(file: string, params: ManifestParams): Promise<KubernetesObject[]>;
}

/**
 * Registers before/after hooks that give the suite a probe namespace, the way the runner does,
 * and return a handle filled in by `before`.
 */
export function probeFixture(probe: string): ProbeFixture {
  const fixture = { probe, cleanup: new CleanupStack() } as ProbeFixture;
  before(async function () {
    this.timeout(60_000);
    await requireCluster();
    fixture.kube = testKube();
    fixture.runId = testRunId(probe);
    fixture.namespace = await createProbeNamespace(fixture.kube, {
      runId: fixture.runId,
      probe,
      cleanup: fixture.cleanup,
    });
    fixture.apply = (file, params) =>
      applyObjects(fixture.kube, loadManifests(manifest(file), params), {
        namespace: fixture.namespace,
        labels: runLabels(fixture.runId, probe),
        cleanup: fixture.cleanup,
      });
  });
  after(async function () {
    this.timeout(180_000);
    const failures = await fixture.cleanup.run((line) => {
      console.error(line);
    });
    if (failures.length > 0) throw new Error(`cleanup failed: ${failures.map((f) => f.description).join(', ')}`);
  });
  return fixture;
}
