/**
 * One namespace per probe per run (DESIGN.md "Cluster hygiene"), labelled for cleanup-by-label,
 * deleted LIFO by the probe's cleanup stack, and usable as soon as this returns.
 */
import { createHash } from 'node:crypto';
import { describeApiError, isConflict, isNotFound } from './api-error.js';
import type { CleanupStack } from './cleanup.js';
import type { Kube } from './client.js';
import { deleted, matches } from './conditions.js';
import { runLabels, type Labels } from './labels.js';
import type { KubeObject } from './objects.js';
import { waitFor } from './wait.js';

export interface ProbeNamespaceOptions {
  runId: string;
  probe: string;
  cleanup: CleanupStack;
  /** Extra labels besides the hygiene ones. */
  labels?: Labels;
  /** How long the cleanup step waits for the namespace to be gone (default 120 s). */
  deleteTimeoutMs?: number;
  /** How long to wait for the `default` ServiceAccount (default 60 s). */
  readyTimeoutMs?: number;
}

const NAME_MAX = 63;
const HASH_LENGTH = 8;

/**
 * `aic-<probe>-<8 hex of sha256(runId)>`: a DNS label of at most 63 characters. The run id is
 * hashed because run ids are long and differ only at the end; the full id is in the run label.
 */
export function probeNamespaceName(runId: string, probe: string): string {
  const short = createHash('sha256').update(runId).digest('hex').slice(0, HASH_LENGTH);
  let slug = probe
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = NAME_MAX - 'aic-'.length - 1 - HASH_LENGTH;
  if (slug.length > room) {
    // Keep two long probe names that share a prefix apart: end the cut slug with a hash of the whole.
    const tag = createHash('sha256').update(probe).digest('hex').slice(0, 4);
    slug = `${slug.slice(0, room - 5).replace(/-+$/, '')}-${tag}`;
  }
  return `aic-${slug === '' ? 'probe' : slug}-${short}`;
}

/**
 * Creates the probe namespace, registers its deletion (which waits, bounded, until it is gone, so
 * the next probe finds the GPUs free), and waits for the `default` ServiceAccount, without which
 * pod creation is refused. Returns the namespace name.
 */
export async function createProbeNamespace(kube: Kube, options: ProbeNamespaceOptions): Promise<string> {
  const name = probeNamespaceName(options.runId, options.probe);
  const labels = { ...options.labels, ...runLabels(options.runId, options.probe) };
  try {
    await kube.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
  } catch (err) {
    const clusterError = kube.clusterError(err);
    if (clusterError !== undefined) throw clusterError;
    if (isConflict(err)) {
      throw new Error(
        `namespace ${name} already exists: probe "${options.probe}" was already set up in run ${options.runId}`,
        {
          cause: err,
        },
      );
    }
    throw new Error(`cannot create namespace ${name}: ${describeApiError(err)}`, { cause: err });
  }
  const ref = { apiVersion: 'v1', kind: 'Namespace', name };
  options.cleanup.push(`delete namespace ${name}`, async () => {
    try {
      await kube.core.deleteNamespace({ name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await waitFor(kube, ref, deleted, { timeoutMs: options.deleteTimeoutMs ?? 120_000 });
  });
  await waitFor(
    kube,
    { apiVersion: 'v1', kind: 'ServiceAccount', namespace: name, name: 'default' },
    matches<KubeObject | undefined>('to be created', (sa) => sa !== undefined),
    { timeoutMs: options.readyTimeoutMs ?? 60_000 },
  );
  return name;
}
