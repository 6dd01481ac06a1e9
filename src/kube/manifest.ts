/**
 * Probe workloads are plain YAML next to the spec (suites/<category>/manifests/*.yaml) with
 * `${name}` placeholders. loadManifests fills them in; applyObjects creates the objects with the
 * hygiene labels and registers their deletion (apply.ts, re-exported here).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments, Scalar, visit } from 'yaml';
import type { KubeObject } from './objects.js';

export { applyObjects, withLabels, type ApplyOptions } from './apply.js';

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
