/**
 * `product check`: the CNCF validator's checks (research/requirements.md §3.2–3.3) run locally on a
 * PRODUCT.yaml, each problem with the line and field it is about. Offline by default; `online`
 * adds the URL and vendor-name look-ups. Also checks what the instructions require but the
 * validator skips (id/description/level unchanged), since reviewers do compare.
 */

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import YAML, { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import { artifactFormat, failingTests, outcomeFor, parseArtifact, type ArtifactTests } from './artifacts.js';
import { MUST_NOT_APPLICABLE_ADVICE, type MustNaRule } from './decide.js';
import { fieldValueProblem } from './metadata.js';
import { closeNames, cncfMemberNames, resolveUrl, type Fetch } from './online.js';
import { MAPPED_UPSTREAM_TESTS, METADATA_FIELDS, PLACEHOLDER, PRODUCT_STATUSES, type ChecklistItem } from './schema.js';
import { loadTemplate, minorVersion, readUserFile, type Template } from './template.js';

export interface Problem {
  line: number;
  /** `metadata.vendorName`, `spec.security[secure_accelerator_access].evidence[0]`. */
  field: string;
  problem: string;
}

export interface CheckOptions {
  file: string;
  /** File, URL or shipped version; default: the version in the file's path or metadata. */
  template?: string;
  online?: boolean;
  fetch?: Fetch;
  /** N/A on a MUST: `reject` as the merged validator (default), `allow` as open PR #146 (a notice). */
  mustNa?: MustNaRule;
}

export interface CheckReport {
  file: string;
  template: Template;
  problems: Problem[];
  /** Not problems, but what the validator prints as warnings, and what --online could not reach. */
  notices: string[];
}

/** `PRODUCT.yaml:12: spec.x[y].status: problem`. */
export function formatProblem(file: string, p: Problem): string {
  return `${file}:${String(p.line)}: ${p.field}: ${p.problem}`;
}

interface UrlUse {
  url: string;
  line: number;
  field: string;
}

export async function checkProduct(opts: CheckOptions): Promise<CheckReport> {
  const text = await readUserFile(opts.file);
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const problems: Problem[] = [];
  const lineOf = (node: Node | Pair | null | undefined, fallback = 1): number => {
    const range =
      node && 'range' in node ? node.range : node && 'key' in node ? (node.key as Node | null)?.range : undefined;
    return range ? lines.linePos(range[0]).line : fallback;
  };
  const add = (line: number, field: string, problem: string): void => {
    problems.push({ line, field, problem });
  };
  for (const e of doc.errors) add(e.linePos?.[0]?.line ?? 1, '(yaml)', e.message.split('\n')[0] ?? 'bad YAML');

  const productDir = path.dirname(path.resolve(opts.file));
  const pathVersion = /(?:^|[/\\])v(\d+\.\d+)[/\\][^/\\]+[/\\][^/\\]+$/.exec(path.resolve(opts.file))?.[1];
  const root = doc.contents;
  const metadata = isMap(root) ? root.get('metadata', true) : undefined;
  const declared = isMap(metadata)
    ? (metadata.get('kubernetesVersion') ?? metadata.get('kubernetes_version'))
    : undefined;
  const declaredVersion = typeof declared === 'string' ? minorVersion(declared) : undefined;
  if (pathVersion === undefined) {
    add(
      1,
      '(path)',
      'the validator takes the version from the folder vX.Y/<product>/PRODUCT.yaml; this file is not in one',
    );
  }
  const version = pathVersion ?? declaredVersion;
  const templateSpec = opts.template ?? version;
  if (templateSpec === undefined) {
    throw new UsageError(`${opts.file}: no vX.Y in its path or metadata.kubernetesVersion; pass --template`);
  }
  const template = await loadTemplate(templateSpec);
  if (pathVersion !== undefined && pathVersion !== template.version) {
    add(1, '(path)', `the folder says v${pathVersion} but the template is v${template.version}`);
  }

  const urls: UrlUse[] = [];
  const notices: string[] = [];
  const mustNa = opts.mustNa ?? 'reject';
  // The validator's hybridVerificationMinMinor: the artifact warning applies from v1.37.
  const hybrid = Number(template.version.split('.')[1] ?? 0) >= 37;

  // Metadata: every required field present (camelCase or snake_case), a string, not a placeholder.
  if (!isMap(metadata)) {
    add(lineOf(metadata ?? root), 'metadata', 'missing: PRODUCT.yaml needs a metadata map');
  } else {
    for (const f of METADATA_FIELDS) {
      const pair = findPair(metadata, f.key) ?? findPair(metadata, f.snake);
      const field = `metadata.${f.key}`;
      if (pair === undefined) {
        if (f.required) add(lineOf(metadata, 1), field, `missing (or ${f.snake}): ${f.meaning}`);
        continue;
      }
      const value: unknown = isScalar(pair.value) ? pair.value.value : pair.value === null ? null : [];
      const where = lineOf(pair);
      const keyName = isScalar(pair.key) ? String(pair.key.value) : f.key;
      const problem = value === null ? (f.required ? 'is empty' : undefined) : fieldValueProblem(f, value);
      if (problem !== undefined) add(where, `metadata.${keyName}`, problem);
      else if (typeof value === 'string' && /^http/i.test(value.trim()))
        urls.push({ url: value.trim(), line: where, field: `metadata.${keyName}` });
    }
    if (pathVersion !== undefined && declaredVersion !== undefined && declaredVersion !== pathVersion) {
      add(
        lineOf(findPair(metadata, 'kubernetesVersion') ?? findPair(metadata, 'kubernetes_version')),
        'metadata.kubernetesVersion',
        `v${declaredVersion} does not match the folder v${pathVersion}`,
      );
    }
  }

  // Spec: every template requirement under the same category, with the filled fields valid.
  const spec = isMap(root) ? root.get('spec', true) : undefined;
  const artifacts = new Map<string, ArtifactTests | string>();
  if (!isMap(spec)) {
    add(lineOf(spec ?? root), 'spec', 'missing: PRODUCT.yaml needs a spec map');
  } else {
    for (const item of template.items) {
      const found = findItem(spec, item.id, item.category);
      const field = `spec.${item.category}[${item.id}]`;
      if (found === undefined) {
        add(
          lineOf(findPair(spec, item.category), lineOf(spec)),
          field,
          `missing: the v${template.version} template has ${item.id} under spec.${item.category}`,
        );
        continue;
      }
      if (found.category !== item.category) {
        add(
          lineOf(found.entry),
          `spec.${found.category}[${item.id}]`,
          `is under ${found.category}; the template has it under ${item.category}`,
        );
        continue;
      }
      await checkItem(item, found.entry, field);
    }
  }

  async function checkItem(item: ChecklistItem, entry: YAMLMap, field: string): Promise<void> {
    const line = (key: string): number => lineOf(findPair(entry, key) ?? entry);
    for (const key of ['description', 'level'] as const) {
      if (entry.get(key) !== item[key]) {
        add(
          line(key),
          `${field}.${key}`,
          'differs from the template: id, description and level must be copied unchanged (instructions.md)',
        );
      }
    }
    const statusValue = entry.get('status');
    const status = statusValue === undefined || statusValue === null ? '' : statusValue;
    const evidenceNode = entry.get('evidence', true);
    const evidence: { value: unknown; line: number }[] = isSeq(evidenceNode)
      ? evidenceNode.items.map((n) => ({ value: isScalar(n) ? n.value : n, line: lineOf(n as Node) }))
      : [];
    if (
      evidenceNode !== undefined &&
      !isSeq(evidenceNode) &&
      !(isScalar(evidenceNode) && evidenceNode.value === null)
    ) {
      add(line('evidence'), `${field}.evidence`, 'must be a list of URLs or files');
    }
    const notesValue = entry.get('notes');
    const notes = typeof notesValue === 'string' ? notesValue.trim() : '';

    if (item.level === 'SHOULD' && status === '' && evidence.length === 0) return; // the validator skips these
    const valid = typeof status === 'string' && (PRODUCT_STATUSES as readonly string[]).includes(status);
    const shown = status === '' ? 'is empty' : `${JSON.stringify(status)}${valid ? '' : ' is not a valid status'}`;
    if (item.level === 'MUST' && status === 'N/A' && mustNa === 'allow') {
      notices.push(
        `${field}: a MUST marked N/A; accepted under --must-na allow (open PR cncf/k8s-ai-conformance#146, a warning ` +
          'for the reviewer), rejected by the merged validator',
      );
    } else if (item.level === 'MUST' && status !== 'Implemented') {
      const extra = status === 'N/A' ? `. ${MUST_NOT_APPLICABLE_ADVICE}` : '';
      add(line('status'), `${field}.status`, `${shown}, but the validator requires "Implemented" for a MUST${extra}`);
    } else if (!valid) {
      add(
        line('status'),
        `${field}.status`,
        `${shown}: use one of ${PRODUCT_STATUSES.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    if (status === 'N/A' && notes === '') add(line('notes'), `${field}.notes`, 'N/A needs a justification in notes');
    if (typeof notesValue === 'string' && PLACEHOLDER.test(notesValue))
      add(line('notes'), `${field}.notes`, `still holds the placeholder ${notesValue}`);

    let linksArtifact = false;
    for (const [i, e] of evidence.entries()) {
      const efield = `${field}.evidence[${String(i)}]`;
      // The validator passes over an empty string (but counts it as evidence, above).
      if (e.value === '') continue;
      if (typeof e.value !== 'string') {
        add(e.line, efield, 'must be a string (a URL or a file in the product folder)');
        continue;
      }
      const value = e.value;
      if (PLACEHOLDER.test(value)) add(e.line, efield, `still holds the placeholder ${value}`);
      else if (value.startsWith('http://') || value.startsWith('https://'))
        urls.push({ url: value, line: e.line, field: efield });
      else if (await checkFileEvidence(item, typeof status === 'string' ? status : '', value, e.line, efield))
        linksArtifact = true;
    }
    const upstream = MAPPED_UPSTREAM_TESTS[item.id];
    if (upstream !== undefined && status === 'Implemented' && !linksArtifact && hybrid) {
      notices.push(
        `${field}: covered by the upstream test ${upstream}; from v1.37 the validator warns when an Implemented ` +
          'requirement like it links no junit.xml, results.json or e2e.log',
      );
    }
  }

  /**
   * A local evidence link, resolved as the validator does (resolveEvidencePath, #141): `file://`
   * and a `#TestName` fragment taken off, a leading `/` and the product's own `vX.Y/<dir>/` prefix
   * stripped; another product's folder or a way out of this one is an error. Returns true when the
   * link names a parsed artifact (junit.xml, results.json, e2e.log) that exists.
   */
  async function checkFileEvidence(
    item: ChecklistItem,
    status: string,
    value: string,
    line: number,
    field: string,
  ): Promise<boolean> {
    let raw = value.trim();
    if (raw.startsWith('file://')) raw = raw.slice('file://'.length);
    const hash = raw.indexOf('#');
    const fragment = hash === -1 ? '' : raw.slice(hash + 1);
    if (hash !== -1) raw = raw.slice(0, hash);
    raw = raw.trim().replace(/^\//, '');
    if (raw === '') {
      add(line, field, `${value}: empty file path`);
      return false;
    }
    const own = `${path.basename(path.dirname(productDir))}/${path.basename(productDir)}/`;
    if (raw.startsWith(own)) raw = raw.slice(own.length);
    else if (/^v\d+\.\d+\/[^/]+\//.test(raw)) {
      add(line, field, `${value} references another product folder; evidence must be in ${own}`);
      return false;
    }
    const resolved = path.join(productDir, raw);
    const inside = path.relative(productDir, resolved);
    if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
      add(line, field, `${value} escapes the product folder ${own}`);
      return false;
    }
    // The validator only asks that the path exists; a folder passes too.
    if ((await stat(resolved).catch(() => undefined)) === undefined) {
      add(line, field, `file ${inside} not found beside PRODUCT.yaml`);
      return false;
    }
    const format = artifactFormat(inside);
    if (format === undefined) return false; // other files are existence-checked only
    let parsed = artifacts.get(resolved);
    if (parsed === undefined) {
      try {
        parsed = parseArtifact(format, await readFile(resolved, 'utf8'));
      } catch (err) {
        parsed = (err as Error).message;
      }
      artifacts.set(resolved, parsed);
      if (typeof parsed === 'string') {
        add(line, field, `${inside} is parsed by the validator as ${format} output but does not parse: ${parsed}`);
      } else {
        const failing = failingTests(parsed);
        if (failing.length > 0) {
          add(
            line,
            field,
            `${inside} contains failing tests (${failing.slice(0, 5).join(', ')}${failing.length > 5 ? ', …' : ''}); ` +
              'the validator rejects every artifact with a failing test, even one of another requirement',
          );
        }
      }
    }
    if (typeof parsed === 'string') return true;
    const test = fragment !== '' ? fragment : MAPPED_UPSTREAM_TESTS[item.id];
    if (test === undefined) return true;
    const outcome = outcomeFor(parsed, test);
    const how = fragment !== '' ? `#${test}` : `${test} (checked because the link has no #TestName)`;
    if (outcome === undefined) add(line, field, `${how} is not a test in ${inside}`);
    else if (outcome === 'fail') add(line, field, `${how} failed in ${inside}`);
    else if (outcome === 'skip' && status === 'Implemented')
      add(line, field, `${how} was skipped in ${inside}: a skipped test is no evidence for Implemented`);
    return true;
  }

  if (opts.online === true) await checkOnline(urls, metadata, opts.fetch ?? fetch, add, notices, lineOf);
  problems.sort((a, b) => a.line - b.line);
  return { file: opts.file, template, problems, notices };
}

async function checkOnline(
  urls: UrlUse[],
  metadata: unknown,
  fetchImpl: Fetch,
  add: (line: number, field: string, problem: string) => void,
  notices: string[],
  lineOf: (node: Pair | undefined) => number,
): Promise<void> {
  // The landscape doubles as the connectivity probe: unreachable means offline, and then every
  // URL would "fail" for our reasons, not the vendor's.
  const members = await cncfMemberNames(fetchImpl);
  if (!members.ok && members.network) {
    notices.push(`--online: cannot reach the network (${members.reason}); URL and vendor-name checks were not made`);
    return;
  }
  if (!members.ok)
    notices.push(`--online: the CNCF landscape could not be read (${members.reason}); vendorName not checked`);
  else if (isMap(metadata)) {
    const pair = findPair(metadata, 'vendorName') ?? findPair(metadata, 'vendor_name');
    const vendor =
      pair && isScalar(pair.value) && typeof pair.value.value === 'string' ? pair.value.value.trim() : undefined;
    if (vendor !== undefined && vendor !== '' && !members.names.has(vendor)) {
      const close = closeNames(vendor, members.names);
      const hint = close.length > 0 ? ` (close: ${close.map((c) => JSON.stringify(c)).join(', ')})` : '';
      add(
        lineOf(pair),
        'metadata.vendorName',
        `${JSON.stringify(vendor)} is not a name under CNCF Members in the landscape; it must match exactly${hint}`,
      );
    }
  }
  const unique = [...new Set(urls.map((u) => u.url))];
  const results = new Map<string, Awaited<ReturnType<typeof resolveUrl>>>();
  // A few at a time: vendor sites rate-limit, and the validator itself goes one by one.
  for (let i = 0; i < unique.length; i += 6) {
    const batch = unique.slice(i, i + 6);
    const done = await Promise.all(batch.map((u) => resolveUrl(u, fetchImpl)));
    batch.forEach((u, j) => results.set(u, done[j] ?? { ok: false, reason: 'not checked', network: true }));
  }
  for (const use of urls) {
    const r = results.get(use.url);
    if (r !== undefined && !r.ok) add(use.line, use.field, `${use.url} does not resolve (${r.reason})`);
  }
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

/** The entry with this id: under its template category, else under any other. */
function findItem(spec: YAMLMap, id: string, category: string): { category: string; entry: YAMLMap } | undefined {
  const own = spec.get(category, true);
  if (isSeq(own)) {
    const entry = own.items.find((e) => isMap(e) && e.get('id') === id);
    if (entry !== undefined) return { category, entry: entry as YAMLMap };
  }
  for (const pair of spec.items) {
    const category = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!isSeq(pair.value)) continue;
    for (const entry of pair.value.items) {
      if (isMap(entry) && entry.get('id') === id) return { category, entry };
    }
  }
  return undefined;
}
