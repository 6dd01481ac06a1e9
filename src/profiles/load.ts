/**
 * Loads a profile file, resolves `extends`, validates every field against the catalogue and the
 * parameter table, and applies `--set` overrides. Every problem is a ProfileError naming the file,
 * line and field; nothing here talks to a cluster.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { ProfileError, UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import {
  CATEGORY_DIRS,
  REQUIREMENTS,
  isChecklistVersion,
  type ChecklistVersion,
  type Level,
} from '../requirements/catalogue.js';
import {
  PARAMETERS,
  coerceParameter,
  defaultParameters,
  isParameterName,
  type ParameterValue,
  type Parameters,
} from './parameters.js';

export interface ResolvedProfile {
  name: string;
  description: string;
  /** The profile file first, then the files it extends, in resolution order. */
  files: string[];
  checklistVersion: ChecklistVersion | 'auto';
  levels: Level[];
  /** Requirement ids the profile selects, in catalogue order. */
  requirements: string[];
  parameters: Parameters;
  /** sha256 of the resolved profile (without files), for the bundle statement. */
  digest: string;
}

const TOP_LEVEL_FIELDS = [
  'name',
  'description',
  'extends',
  'checklistVersion',
  'levels',
  'requirements',
  'suites',
  'exclude',
  'parameters',
] as const;
type TopLevelField = (typeof TOP_LEVEL_FIELDS)[number];

/** One file's fields after validation, before merging with what it extends. */
interface ProfileLayer {
  file: string;
  name?: string;
  description?: string;
  extends?: string;
  checklistVersion?: ChecklistVersion | 'auto';
  levels?: Level[];
  requirements?: string[];
  suites?: string[];
  exclude?: string[];
  parameters: Partial<Parameters>;
}

export function profilesDir(): string {
  return path.join(packageRoot(), 'profiles');
}

/** A bare name (`full`) means profiles/full.yaml; anything with a slash or .yaml suffix is a path. */
export function resolveProfilePath(ref: string, relativeTo: string = process.cwd()): string {
  const isPath = ref.includes('/') || ref.includes(path.sep) || /\.ya?ml$/.test(ref);
  const file = isPath ? path.resolve(relativeTo, ref) : path.join(profilesDir(), `${ref}.yaml`);
  if (!existsSync(file)) {
    if (isPath) throw new UsageError(`profile file not found: ${file}`);
    throw new UsageError(`unknown profile "${ref}" (no ${file}); shipped profiles: ${shippedProfiles().join(', ')}`);
  }
  return file;
}

export function shippedProfiles(): string[] {
  const dir = profilesDir();
  if (!existsSync(dir)) return [];
  return readdirYaml(dir);
}

function readdirYaml(dir: string): string[] {
  // Sorted so messages and `list` are stable.
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadProfile(ref: string, overrides: readonly string[] = []): ResolvedProfile {
  const file = resolveProfilePath(ref);
  const layers: ProfileLayer[] = [];
  const seen: string[] = [];
  let current: string | undefined = file;
  while (current !== undefined) {
    if (seen.includes(current)) {
      throw new ProfileError(
        seen[seen.length - 1] ?? current,
        undefined,
        'extends',
        `cycle in extends: ${[...seen, current].map((f) => path.basename(f)).join(' -> ')}`,
      );
    }
    seen.push(current);
    const layer = parseLayer(current);
    layers.push(layer);
    current = layer.extends === undefined ? undefined : resolveExtends(layer);
  }
  return merge(layers, overrides);
}

function resolveExtends(layer: ProfileLayer): string {
  const ref = layer.extends ?? '';
  try {
    return resolveProfilePath(ref, path.dirname(layer.file));
  } catch (e) {
    throw new ProfileError(layer.file, lineOfField(layer.file, 'extends'), 'extends', (e as Error).message);
  }
}

function lineOfField(file: string, field: string): number | undefined {
  const text = readFileSync(file, 'utf8');
  const idx = text.split('\n').findIndex((l) => l.startsWith(`${field}:`));
  return idx < 0 ? undefined : idx + 1;
}

/** Parses and validates one profile file (no merging). Exported for tests. */
export function parseLayer(file: string): ProfileLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(file, undefined, undefined, `cannot read: ${(e as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0].line;
    throw new ProfileError(file, line, undefined, `invalid YAML: ${firstError.message.split('\n')[0] ?? ''}`);
  }
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const fail = (node: Node | null | undefined, field: string, problem: string): never => {
    throw new ProfileError(file, lineOf(node), field, problem);
  };

  const root = doc.contents;
  if (!isMap(root)) fail(root, '(top level)', 'a profile must be a YAML mapping');
  const layer: ProfileLayer = { file, parameters: {} };

  for (const pair of (root as YAMLMap).items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!(TOP_LEVEL_FIELDS as readonly string[]).includes(key)) {
      fail(pair.key, key, `unknown field (allowed: ${TOP_LEVEL_FIELDS.join(', ')})`);
    }
    const field = key as TopLevelField;
    const value = pair.value;
    const str = (): string => {
      if (!isScalar(value) || typeof value.value !== 'string')
        return fail(value ?? pair.key, field, 'expected a string');
      return value.value;
    };
    const list = (): string[] => {
      if (!isSeq(value)) return fail(value ?? pair.key, field, 'expected a list of strings');
      return value.items.map((item, i) => {
        if (!isScalar(item) || typeof item.value !== 'string')
          return fail(item as Node, `${field}[${String(i)}]`, 'expected a string');
        return item.value;
      });
    };
    switch (field) {
      case 'name':
        layer.name = str();
        if (!/^[a-z0-9][a-z0-9-]*$/.test(layer.name)) fail(value, field, 'use lower-case letters, digits and dashes');
        break;
      case 'description':
        layer.description = str();
        break;
      case 'extends':
        layer.extends = str();
        break;
      case 'checklistVersion': {
        const raw = isScalar(value) ? String(value.value) : '';
        const v = raw.replace(/^v/, '');
        if (v === 'auto') layer.checklistVersion = 'auto';
        else if (isChecklistVersion(v)) layer.checklistVersion = v;
        else
          fail(
            value ?? pair.key,
            field,
            `expected auto or one of 1.33, 1.34, 1.35, 1.36, 1.37, got ${JSON.stringify(raw)}`,
          );
        break;
      }
      case 'levels':
        layer.levels = list().map((l, i) => {
          if (l !== 'MUST' && l !== 'SHOULD')
            return fail(
              isSeq(value) ? (value.items[i] as Node) : value,
              `levels[${String(i)}]`,
              'expected MUST or SHOULD',
            );
          return l;
        });
        break;
      case 'requirements':
      case 'exclude': {
        const ids = list();
        ids.forEach((id, i) => {
          if (field === 'requirements' && id === 'all') return;
          if (!REQUIREMENTS.some((r) => r.id === id)) {
            fail(
              isSeq(value) ? (value.items[i] as Node) : value,
              `${field}[${String(i)}]`,
              `unknown requirement "${id}" (see \`ai-conformance list\`)`,
            );
          }
        });
        layer[field] = ids;
        break;
      }
      case 'suites': {
        const known = Object.values(CATEGORY_DIRS);
        const suites = list();
        suites.forEach((s, i) => {
          if (!known.includes(s))
            fail(
              isSeq(value) ? (value.items[i] as Node) : value,
              `suites[${String(i)}]`,
              `unknown suite "${s}" (known: ${known.join(', ')})`,
            );
        });
        layer.suites = suites;
        break;
      }
      case 'parameters': {
        if (!isMap(value)) fail(value ?? pair.key, field, 'expected a mapping of parameter names to values');
        for (const p of (value as YAMLMap).items as Pair<Node, Node>[]) {
          const name = isScalar(p.key) ? String(p.key.value) : '';
          if (!isParameterName(name))
            fail(p.key, `parameters.${name}`, `unknown parameter (see \`ai-conformance list --parameters\`)`);
          const raw: unknown = isScalar(p.value) ? p.value.value : p.value?.toJSON();
          const r = coerceParameter(name as keyof typeof PARAMETERS, raw, false);
          if ('problem' in r) fail(p.value ?? p.key, `parameters.${name}`, r.problem);
          else layer.parameters[name] = r.value;
        }
        break;
      }
    }
  }
  return layer;
}

function merge(layers: ProfileLayer[], overrides: readonly string[]): ResolvedProfile {
  const first = layers[0];
  if (!first) throw new Error('no profile layers');
  // The most specific file wins: walk from the root ancestor to the file itself.
  const ordered = [...layers].reverse();
  const pick = <K extends keyof ProfileLayer>(k: K): ProfileLayer[K] | undefined => {
    let v: ProfileLayer[K] | undefined;
    for (const l of ordered) if (l[k] !== undefined) v = l[k];
    return v;
  };
  const parameters = defaultParameters();
  for (const l of ordered) Object.assign(parameters, l.parameters);
  applyOverrides(parameters, overrides);

  const levels = pick('levels') ?? ['MUST', 'SHOULD'];
  const requirements = selectRequirements(pick('requirements'), pick('suites'), pick('exclude') ?? []);
  if (requirements.length === 0) {
    throw new ProfileError(
      first.file,
      undefined,
      'requirements',
      'the profile selects no requirement (set requirements or suites, here or in a profile it extends)',
    );
  }
  const name = first.name ?? path.basename(first.file).replace(/\.ya?ml$/, '');
  const resolved = {
    name,
    description: pick('description') ?? '',
    checklistVersion: pick('checklistVersion') ?? 'auto',
    levels,
    requirements,
    parameters,
  };
  const digest = createHash('sha256').update(JSON.stringify(resolved)).digest('hex');
  return { ...resolved, files: layers.map((l) => l.file), digest };
}

function selectRequirements(
  requirements: string[] | undefined,
  suites: string[] | undefined,
  exclude: string[],
): string[] {
  const chosen = new Set<string>();
  for (const r of REQUIREMENTS) {
    if (requirements?.includes('all') === true || requirements?.includes(r.id) === true) chosen.add(r.id);
    if (suites?.includes(CATEGORY_DIRS[r.category]) === true) chosen.add(r.id);
  }
  for (const id of exclude) chosen.delete(id);
  return REQUIREMENTS.filter((r) => chosen.has(r.id)).map((r) => r.id);
}

/** `--set name=value` overrides; errors name the flag, not a file. */
export function applyOverrides(parameters: Parameters, overrides: readonly string[]): void {
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${o}: expected name=value`);
    const name = o.slice(0, eq).trim();
    const raw = o.slice(eq + 1);
    if (!isParameterName(name)) {
      throw new UsageError(`--set ${name}: unknown parameter (see \`ai-conformance list --parameters\`)`);
    }
    const r = coerceParameter(name, raw, true);
    if ('problem' in r) throw new UsageError(`--set ${name}: ${r.problem}`);
    parameters[name] = r.value satisfies ParameterValue;
  }
}
