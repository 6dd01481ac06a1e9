/**
 * Probe workloads are plain YAML next to the spec (suites/<category>/manifests/*.yaml) with
 * `${name}` placeholders. loadManifests fills them in; applyObjects creates the objects with the
 * hygiene labels and registers their deletion.
 */
import { readFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LineCounter, parseAllDocuments, Scalar, visit } from 'yaml';
import { describeApiError, isNotFound } from './api-error.js';
import type { CleanupStack } from './cleanup.js';
import type { Kube } from './client.js';
import type { Labels } from './labels.js';
import type { KubeObject } from './objects.js';

export type ManifestParams = Readonly<Record<string, string | number | boolean>>;

/** A template that cannot be used: names the file (and line) and what is wrong. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

// `${name}`, or `$${name}` for a literal `${name}` (shell variables in container commands).
const PLACEHOLDER = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}$/;

/**
 * Parses a multi-document template and substitutes placeholders in every scalar (keys too).
 * Substitution happens on the parsed YAML, so a value can never change the document's structure.
 * A plain scalar that is exactly `${n}` takes the parameter's type (`replicas: ${replicas}` gives
 * a number); anywhere else the value is interpolated as text. `source` names the file in errors.
 */
export function parseManifests(text: string, params: ManifestParams, source: string): KubeObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs)) return [];
  const where = (offset: number | undefined): string => `${source}:${String(lineCounter.linePos(offset ?? 0).line)}`;
  const objects: KubeObject[] = [];
  docs.forEach((doc, index) => {
    const parseError = doc.errors[0];
    if (parseError !== undefined) {
      // yaml repeats the position at the end of its first line; we lead with file:line instead.
      const first = (parseError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new ManifestError(`${where(parseError.pos[0])}: ${first}`);
    }
    visit(doc, {
      Scalar(_key, node: Scalar) {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        const lookup = (name: string): string | number | boolean => {
          const value = params[name];
          if (value === undefined) {
            const known = Object.keys(params).sort().join(', ') || 'none';
            throw new ManifestError(
              `${where(node.range?.[0])}: unknown placeholder \${${name}} (parameters: ${known})`,
            );
          }
          return value;
        };
        const whole = WHOLE.exec(node.value);
        if (whole !== null && node.type === Scalar.PLAIN) {
          node.value = lookup(whole[1] ?? '');
          return;
        }
        node.value = node.value.replace(PLACEHOLDER, (_m, escaped: string, name: string) =>
          escaped === '$' ? `\${${name}}` : String(lookup(name)),
        );
      },
    });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
    const obj = value as KubeObject;
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      typeof obj.apiVersion !== 'string' ||
      typeof obj.kind !== 'string'
    ) {
      const start = doc.contents?.range[0];
      throw new ManifestError(
        `${where(start)}: document ${String(index + 1)} is not a Kubernetes object (it needs apiVersion and kind)`,
      );
    }
    objects.push(obj);
  });
  return objects;
}

/** Reads a manifest template file and fills in its placeholders. */
export function loadManifests(file: string, params: ManifestParams = {}): KubeObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read manifest ${file}: ${(err as Error).message}`);
  }
  return parseManifests(text, params, file);
}

/** Where pod templates sit in the workload kinds, so that pods carry the labels too. */
const POD_TEMPLATES: Record<string, string[][]> = {
  '/ReplicationController': [['spec', 'template']],
  '/PodTemplate': [['template']],
  'apps/Deployment': [['spec', 'template']],
  'apps/StatefulSet': [['spec', 'template']],
  'apps/DaemonSet': [['spec', 'template']],
  'apps/ReplicaSet': [['spec', 'template']],
  'batch/Job': [['spec', 'template']],
  'batch/CronJob': [
    ['spec', 'jobTemplate'],
    ['spec', 'jobTemplate', 'spec', 'template'],
  ],
};

function addLabels(holder: Record<string, unknown>, labels: Labels): void {
  const metadata = (holder.metadata ??= {}) as { labels?: Labels };
  // Ours win over the template's: cleanup and run isolation depend on them.
  metadata.labels = { ...metadata.labels, ...labels };
}

/** A copy of `obj` with `labels` on its metadata and on its pod template(s), if it has any. */
export function withLabels(obj: KubeObject, labels: Labels): KubeObject {
  const copy = structuredClone(obj);
  addLabels(copy, labels);
  const group = (copy.apiVersion ?? '').includes('/') ? (copy.apiVersion ?? '').split('/')[0] : '';
  for (const path of POD_TEMPLATES[`${group ?? ''}/${copy.kind ?? ''}`] ?? []) {
    let node: unknown = copy;
    for (const key of path)
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    if (typeof node === 'object' && node !== null) addLabels(node as Record<string, unknown>, labels);
  }
  return copy;
}

export interface ApplyOptions {
  /** Where namespaced objects go; a manifest naming another namespace is refused. */
  namespace?: string;
  /** The hygiene labels, usually runLabels(runId, probe), plus any the probe wants. */
  labels: Labels;
  cleanup: CleanupStack;
}

/**
 * Creates the objects in order (namespaced ones in `namespace`), each with `labels`, and pushes
 * a foreground delete for each on the cleanup stack. Returns the objects as the server created them.
 */
export async function applyObjects(
  kube: Kube,
  objects: readonly KubeObject[],
  options: ApplyOptions,
): Promise<KubernetesObject[]> {
  const created: KubernetesObject[] = [];
  for (const obj of objects) {
    const spec = withLabels(obj, options.labels);
    const apiVersion = spec.apiVersion ?? 'v1';
    const kind = spec.kind ?? '?';
    const metadata = (spec.metadata ??= {});
    const resource = await kube.resource(apiVersion, kind);
    if (resource === undefined)
      throw new Error(`cannot create ${kind}: the cluster does not serve ${kind} in ${apiVersion}`);
    if (resource.namespaced) {
      if (options.namespace === undefined)
        throw new Error(`cannot create ${kind} ${metadata.name ?? ''}: it is namespaced and no namespace was given`);
      if (metadata.namespace !== undefined && metadata.namespace !== options.namespace) {
        throw new Error(
          `cannot create ${kind} ${metadata.name ?? ''}: the manifest names namespace ${metadata.namespace}, not the probe's ${options.namespace}`,
        );
      }
      metadata.namespace = options.namespace;
    }
    const label = `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name ?? metadata.generateName ?? ''}`;
    let result: KubernetesObject;
    try {
      result = await kube.objects.create(spec as KubernetesObject);
    } catch (err) {
      throw kube.clusterError(err) ?? new Error(`cannot create ${label}: ${describeApiError(err)}`, { cause: err });
    }
    created.push(result);
    const ref = {
      apiVersion,
      kind,
      metadata: { name: result.metadata?.name ?? metadata.name ?? '', namespace: metadata.namespace },
    };
    options.cleanup.push(
      `delete ${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${ref.metadata.name}`,
      async () => {
        try {
          await kube.objects.delete(ref, undefined, undefined, undefined, undefined, 'Foreground');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      },
    );
  }
  return created;
}
