/**
 * `product init`: the submission folder `vX.Y/<product>/` for the CNCF pull request. PRODUCT.yaml is
 * the template itself (comments, order, quoting kept; `id`, `description`, `level` untouched) with
 * metadata from vendor.yaml and status/evidence/notes from the run, plus the run's evidence files.
 */

import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import { findRequirement } from '../requirements/catalogue.js';
import { readRunEvidence, type RunEvidence } from '../results/read-run.js';
import { EVIDENCE_FILES } from '../results/write.js';
import { failingTests, parseArtifact } from './artifacts.js';
import { decideItem, type ItemDecision } from './decide.js';
import { loadVendorMetadata, type ProductMetadata } from './metadata.js';
import { METADATA_FIELDS } from './schema.js';
import { loadTemplate, type Template } from './template.js';

export interface InitOptions {
  /** File, URL, or a version we ship (`1.36`). */
  template: string;
  /** vendor.yaml. */
  metadata: string;
  /** A run's output folder or its .tar.gz bundle. */
  results: string;
  /** The folder that will hold `vX.Y/<product>/`. */
  out: string;
  /** The `<product>` folder name; default from platformName. */
  productDir?: string;
  /** Replace an existing PRODUCT.yaml and evidence files. */
  force?: boolean;
}

export interface InitOutcome {
  productFile: string;
  dir: string;
  /** Evidence files written beside PRODUCT.yaml. */
  copied: string[];
  decisions: ItemDecision[];
  warnings: string[];
  template: Template;
  evidence: RunEvidence;
}

const PRODUCT_FILE = 'PRODUCT.yaml';
const DIR_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** `Acme AI Platform` → `acme-ai-platform`, the short folder name submissions use. */
export function productDirName(platformName: string): string {
  return platformName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export async function productInit(opts: InitOptions): Promise<InitOutcome> {
  const template = await loadTemplate(opts.template);
  const metadata = await loadVendorMetadata(opts.metadata, template.version);
  const evidence = await readRunEvidence(opts.results);
  const dirName = opts.productDir ?? productDirName(metadata.platformName ?? '');
  if (!DIR_NAME.test(dirName)) {
    throw new UsageError(
      `product folder name ${JSON.stringify(dirName)} is not a short lower-case name; pass --product-dir (e.g. acme-ai)`,
    );
  }
  const dir = path.join(opts.out, `v${template.version}`, dirName);
  const productFile = path.join(dir, PRODUCT_FILE);
  if (opts.force !== true && (await exists(productFile))) {
    throw new UsageError(`${productFile} already exists; pass --force to replace it and its evidence files`);
  }

  const { results } = evidence;
  const decisions = template.items.map((item) =>
    decideItem(
      item,
      results.tests.filter((t) => t.requirement === item.id),
      results.run,
    ),
  );
  const warnings = collectWarnings(template, evidence, decisions);

  await mkdir(dir, { recursive: true });
  await writeFile(productFile, renderProduct(template, metadata, decisions));
  const copied: string[] = [];
  for (const name of Object.values(EVIDENCE_FILES)) {
    const bytes = evidence.files.get(name);
    if (bytes === undefined) {
      warnings.push(`${evidence.source} has no ${name}; it is not copied`);
      continue;
    }
    await writeFile(path.join(dir, name), bytes);
    copied.push(name);
  }
  return { productFile, dir, copied, decisions, warnings, template, evidence };
}

function collectWarnings(template: Template, evidence: RunEvidence, decisions: ItemDecision[]): string[] {
  const warnings = decisions.flatMap((d) => (d.warning === undefined ? [] : [d.warning]));
  const run = evidence.results.run;
  const ranFor = run.profile.checklistVersion.replace(/^v/, '');
  if (ranFor !== template.version && ranFor !== 'unknown') {
    warnings.push(`the run used checklist v${ranFor}, the template is v${template.version}: levels may differ`);
  }
  if (run.incomplete) warnings.push('the run was interrupted or stopped early: its results are partial');
  const junit = evidence.files.get(EVIDENCE_FILES.junit);
  const failing = junit === undefined ? [] : failingTests(parseArtifact('junit', junit.toString('utf8')));
  if (failing.length > 0) {
    warnings.push(
      `junit.xml holds ${String(failing.length)} failing test(s) (${failing.slice(0, 3).join(', ')}${failing.length > 3 ? ', …' : ''}); ` +
        'the validator rejects every evidence link to an artifact with a failing test, so fix them and run again before submitting',
    );
  }
  const inTemplate = new Set(template.items.map((i) => i.id));
  const left = [...new Set(evidence.results.tests.map((t) => t.requirement))].filter((id) => !inTemplate.has(id));
  if (left.length > 0) {
    const label = left.map((id) => (findRequirement(id)?.ours === true ? `${id} (ours, not a CNCF requirement)` : id));
    warnings.push(`not in the v${template.version} checklist, so not written: ${label.join(', ')}`);
  }
  return warnings;
}

/** The template's text with metadata and the three filled fields set; everything else as it was. */
export function renderProduct(
  template: Template,
  metadata: ProductMetadata,
  decisions: readonly ItemDecision[],
): string {
  const doc = YAML.parseDocument(template.text);
  setMetadata(doc, metadata);
  const spec = doc.get('spec', true);
  for (const d of decisions) {
    const seq = spec instanceof YAMLMap ? spec.get(d.item.category, true) : undefined;
    const entry =
      seq instanceof YAMLSeq
        ? seq.items.find((i): i is YAMLMap => i instanceof YAMLMap && i.get('id') === d.item.id)
        : undefined;
    // templateFromText read every item from this same text, so the entry is always there.
    if (entry === undefined) throw new Error(`template item ${d.item.category}/${d.item.id} not found`);
    entry.set('status', quoted(d.status));
    entry.set('evidence', evidenceNode(doc, d.evidence));
    entry.set('notes', quoted(d.notes));
  }
  // lineWidth 0: never fold the long descriptions, which must stay byte-identical.
  return doc.toString({ lineWidth: 0 });
}

function setMetadata(doc: Document, metadata: ProductMetadata): void {
  let map = doc.get('metadata', true);
  if (!(map instanceof YAMLMap)) {
    map = new YAMLMap();
    doc.set('metadata', map);
  }
  const meta = map as YAMLMap;
  for (const f of METADATA_FIELDS) {
    const value = metadata[f.key];
    const key = meta.has(f.key) ? f.key : meta.has(f.snake) ? f.snake : f.key;
    if (value === undefined) {
      // An optional field the vendor left out: no `[Repository URL]` placeholder may stay behind.
      meta.delete(key);
      continue;
    }
    const node = meta.get(key, true);
    if (node instanceof Scalar) node.value = value;
    else meta.set(key, f.key === 'kubernetesVersion' ? value : quoted(value));
  }
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/** `[]` as in the template when empty; otherwise a block list of quoted strings, as submissions write it. */
function evidenceNode(doc: Document, evidence: readonly string[]): YAMLSeq {
  const seq = doc.createNode([]) as YAMLSeq;
  if (evidence.length === 0) {
    seq.flow = true;
    return seq;
  }
  for (const e of evidence) seq.items.push(quoted(e));
  return seq;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
