/**
 * The CNCF checklist template (`AIConformance-1.XX.yaml`): from a file, a URL, or the copies we ship
 * (v1.33 to v1.37). The text is kept as well as the parsed items, so PRODUCT.yaml can be written from
 * the template itself with its comments and order.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import { type ChecklistItem, URL_TIMEOUT_MS, templateUrl } from './schema.js';
import { TEMPLATE_1_33 } from './templates/v1.33.js';
import { TEMPLATE_1_34 } from './templates/v1.34.js';
import { TEMPLATE_1_35 } from './templates/v1.35.js';
import { TEMPLATE_1_36 } from './templates/v1.36.js';
import { TEMPLATE_1_37 } from './templates/v1.37.js';

export interface Template {
  /** `1.36`. */
  version: string;
  /** The file, URL or `built-in v1.36` it came from. */
  source: string;
  /** The template's text, with a k8sConformanceUrl line added where it had none. */
  text: string;
  /** True when that line was added (every template but v1.35's lacks it). */
  addedK8sConformanceUrl: boolean;
  items: ChecklistItem[];
}

/** The upstream text, byte for byte; loadTemplate adds the k8sConformanceUrl line. */
export const BUILT_IN: Readonly<Record<string, string>> = {
  '1.33': TEMPLATE_1_33,
  '1.34': TEMPLATE_1_34,
  '1.35': TEMPLATE_1_35,
  '1.36': TEMPLATE_1_36,
  '1.37': TEMPLATE_1_37,
};

export const BUILT_IN_VERSIONS = Object.keys(BUILT_IN);

/** `1.36`, `v1.36`, `v1.36.3` → `1.36`; anything else undefined. */
export function minorVersion(text: string): string | undefined {
  return /^v?(\d+\.\d+)(\.\d+)?$/.exec(text.trim())?.[1];
}

/** A file path, an http(s) URL, or a version (`1.36`) whose template we ship. */
export async function loadTemplate(spec: string): Promise<Template> {
  const version = minorVersion(spec);
  if (version !== undefined) {
    const text = BUILT_IN[version];
    if (text === undefined) {
      throw new UsageError(
        `no built-in template for v${version} (${BUILT_IN_VERSIONS.map((v) => `v${v}`).join(', ')} ship verbatim); ` +
          `pass --template ${templateUrl(version)} or a downloaded copy`,
      );
    }
    return templateFromText(text, `built-in v${version}`);
  }
  if (/^https?:\/\//i.test(spec)) return templateFromText(await fetchTemplate(spec), spec);
  return templateFromText(await readUserFile(spec, '--template '), spec);
}

async function fetchTemplate(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(URL_TIMEOUT_MS) });
  } catch (err) {
    throw new UsageError(
      `cannot fetch template ${url} (${networkReason(err)}); offline? download it elsewhere and pass the file to --template`,
      { cause: err },
    );
  }
  if (!response.ok) throw new UsageError(`cannot fetch template ${url}: HTTP ${String(response.status)}`);
  return response.text();
}

/** The useful part of a fetch failure: `ENOTFOUND`, `ECONNREFUSED`, `timeout`, ... */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** Reads the items under `spec:`. Throws UsageError when the text is not an AI conformance checklist. */
export function templateFromText(text: string, source: string): Template {
  const bad = (problem: string): never => {
    throw new UsageError(`${source}: not an AI conformance checklist template (${problem})`);
  };
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) bad(doc.errors[0]?.message ?? 'bad YAML');
  const data = doc.toJS() as unknown;
  if (!isRecord(data)) return bad('not a YAML map');
  const declared = isRecord(data.metadata) ? data.metadata.kubernetesVersion : undefined;
  const version =
    (typeof declared === 'string' ? minorVersion(declared) : undefined) ??
    /AIConformance-(\d+\.\d+)\.ya?ml$/i.exec(path.basename(source))?.[1] ??
    bad('metadata.kubernetesVersion is not vX.Y');
  if (!isRecord(data.spec)) return bad('no spec map');
  const items: ChecklistItem[] = [];
  for (const [category, list] of Object.entries(data.spec)) {
    if (!Array.isArray(list)) return bad(`spec.${category} is not a list`);
    list.forEach((entry: unknown, i) => {
      const where = `spec.${category}[${String(i)}]`;
      if (!isRecord(entry)) return bad(`${where} is not a map`);
      const { id, description, level } = entry;
      if (typeof id !== 'string' || id === '') return bad(`${where}.id is missing`);
      if (typeof description !== 'string') return bad(`${where}.description is missing`);
      if (level !== 'MUST' && level !== 'SHOULD') return bad(`${where}.level is not MUST or SHOULD`);
      items.push({ category, id, description, level });
      return undefined;
    });
  }
  if (items.length === 0) bad('no requirements under spec');
  const amended = withK8sConformanceUrl(text, version);
  return { version, source, text: amended, addedK8sConformanceUrl: amended !== text, items };
}

/**
 * The validator requires metadata.k8sConformanceUrl for every version, but only the v1.35 template
 * has the line. Where it is missing, v1.35's line (with this version) goes after contactEmailAddress,
 * where v1.35 has it; nothing else in the text changes.
 */
export function withK8sConformanceUrl(text: string, version: string): string {
  if (/^[ \t]+(k8sConformanceUrl|k8s_conformance_url):/m.test(text)) return text;
  const line =
    `k8sConformanceUrl: "[URL to k8s-conformance submission, e.g., ` +
    `https://github.com/cncf/k8s-conformance/tree/master/v${version}/product-name]"`;
  const after = /^([ \t]+)(contactEmailAddress|contact_email_address):.*\n/m.exec(text);
  // Without that line the renderer still adds the key at the end of metadata.
  if (after === null) return text;
  const end = after.index + after[0].length;
  return `${text.slice(0, end)}${after[1] ?? '  '}${line}\n${text.slice(end)}`;
}

/** A file named on the command line; a missing or unreadable one is a usage error that names it. */
export async function readUserFile(file: string, flag = ''): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`${flag}${file}: cannot read it (${e.code ?? e.message})`, { cause: err });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
