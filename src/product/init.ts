/**
 * `product init`: the submission folder `vX.Y/<product>/` for the CNCF pull request. PRODUCT.yaml is
 * the template itself (comments, order, quoting kept; `id`, `description`, `level` untouched) with
 * metadata from vendor.yaml and status/evidence/notes from the run, plus the evidence files and
 * ARTIFACTS.md, which says how they relate to the signed bundle.
 *
 * The validator rejects a referenced junit.xml / results.json / e2e.log holding any failing test.
 * So: a run without failures is copied byte for byte; a run with failures is cut to the packages of
 * the requirements marked Implemented (src/product/subset.ts), and ARTIFACTS.md says the signed
 * bundle holds the full run. A cut that does not come out clean is refused, never written.
 */

import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { bundleFileName } from '../bundle/pack.js';
import { sha256Bytes } from '../bundle/sums.js';
import { UsageError } from '../errors.js';
import { findRequirement } from '../requirements/catalogue.js';
import { readRunEvidence, type RunEvidence } from '../results/read-run.js';
import { packageName } from '../results/tree.js';
import { EVIDENCE_FILES } from '../results/write.js';
import { artifactFormat, failingTests, parseArtifact } from './artifacts.js';
import { decideItem, type ItemDecision, type MustNaRule } from './decide.js';
import { loadVendorMetadata, type ProductMetadata } from './metadata.js';
import { METADATA_FIELDS } from './schema.js';
import { subsetEvidence, SubsetError } from './subset.js';
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
  /** A MUST whose tests were all skipped: leave status empty (`reject`, default) or write N/A (`allow`). */
  mustNa?: MustNaRule;
}

export interface InitOutcome {
  productFile: string;
  dir: string;
  /** Evidence files written beside PRODUCT.yaml. */
  copied: string[];
  /** `copied`: the run's files byte for byte; `cut`: only the Implemented requirements' tests. */
  artifacts: 'copied' | 'cut';
  /** ARTIFACTS.md beside PRODUCT.yaml. */
  note: string;
  decisions: ItemDecision[];
  warnings: string[];
  template: Template;
  evidence: RunEvidence;
}

const PRODUCT_FILE = 'PRODUCT.yaml';
export const ARTIFACTS_NOTE = 'ARTIFACTS.md';
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
  const evidencePrefix = `v${template.version}/${dirName}/`;
  const decisions = template.items.map((item) =>
    decideItem(
      item,
      results.tests.filter((t) => t.requirement === item.id),
      results.run,
      { evidencePrefix, mustNa: opts.mustNa ?? 'reject' },
    ),
  );
  const warnings = collectWarnings(template, evidence, decisions);
  const artifacts = submissionArtifacts(evidence, decisions, warnings);

  await mkdir(dir, { recursive: true });
  await writeFile(productFile, renderProduct(template, metadata, decisions));
  const copied: string[] = [];
  for (const name of Object.values(EVIDENCE_FILES)) {
    const content = artifacts.files.get(name);
    // A file left from an earlier init (--force) must not stay beside a PRODUCT.yaml that no longer fits it.
    if (content === undefined) await rm(path.join(dir, name), { force: true });
    else {
      await writeFile(path.join(dir, name), content);
      copied.push(name);
    }
  }
  const note = path.join(dir, ARTIFACTS_NOTE);
  await writeFile(note, artifacts.note);
  return { productFile, dir, copied, artifacts: artifacts.kind, note, decisions, warnings, template, evidence };
}

interface SubmissionArtifacts {
  kind: 'copied' | 'cut';
  files: Map<string, string | Buffer>;
  /** ARTIFACTS.md. */
  note: string;
}

/** The evidence files to write, and the note that relates them to the signed run. */
function submissionArtifacts(
  evidence: RunEvidence,
  decisions: readonly ItemDecision[],
  warnings: string[],
): SubmissionArtifacts {
  const run = evidence.results.run;
  const present = new Map<string, Buffer>();
  for (const name of Object.values(EVIDENCE_FILES)) {
    const bytes = evidence.files.get(name);
    if (bytes === undefined) warnings.push(`${evidence.source} has no ${name}; it is not written`);
    else present.set(name, bytes);
  }
  const failing = runFailures(present, warnings);
  const bundle = bundleOf(evidence);
  const full = [...present].map(([name, bytes]) => `    ${sha256Bytes(bytes)}  ${name}`);
  const verifyLine = `Check the bundle with \`ai-conformance verify ${bundle.name} --key <vendor>.pub\` (or cosign, see the ai-conformance README).`;
  if (failing.length === 0) {
    return {
      kind: 'copied',
      files: present,
      note: [
        '# Test artifacts',
        '',
        `${[...present.keys()].join(', ')} are the files of ai-conformance run \`${run.runId}\` ` +
          `(${run.tool.name} ${run.tool.version}) byte for byte, as in its signed bundle ${bundle.described}. ` +
          "Their sha256, as listed in the bundle's SHA256SUMS:",
        '',
        ...full,
        '',
        verifyLine,
        '',
      ].join('\n'),
    };
  }
  const implemented = decisions.filter((d) => d.status === 'Implemented').map((d) => d.item.id);
  const keep = new Set(implemented.map(packageName));
  let files = new Map<string, string | Buffer>();
  if (implemented.length > 0) {
    try {
      files = subsetEvidence(present, keep).files;
    } catch (err) {
      if (!(err instanceof SubsetError)) throw err;
      throw new UsageError(
        `${evidence.source}: the run has failing tests, and its evidence files could not be cut to the requirements ` +
          `marked Implemented (${err.message}); nothing was written. Fix the failures and run again.`,
        { cause: err },
      );
    }
  }
  const shown = failing.slice(0, 5).join(', ') + (failing.length > 5 ? ', …' : '');
  warnings.push(
    `the run has ${String(failing.length)} failing test(s) (${shown}), and the validator rejects a referenced artifact with any ` +
      (implemented.length === 0
        ? 'failing test: no requirement is Implemented, so no evidence file is written (see ARTIFACTS.md)'
        : `failing test: ${[...files.keys()].join(', ')} hold only the tests of the ${String(implemented.length)} ` +
          'requirement(s) marked Implemented; the signed bundle keeps the full run (see ARTIFACTS.md)'),
  );
  const held =
    implemented.length === 0
      ? 'No requirement is marked Implemented, so no test artifact is submitted.'
      : `${[...files.keys()].join(', ')} hold only the tests of the requirements this PRODUCT.yaml marks Implemented ` +
        `(${implemented.join(', ')}), cut from those of ai-conformance run \`${run.runId}\` (${run.tool.name} ${run.tool.version}): ` +
        'every line in them is a line of the signed file, and only whole Go packages (one per requirement) were left out.';
  return {
    kind: 'cut',
    files,
    note: [
      '# Test artifacts',
      '',
      held,
      '',
      `The run had ${String(failing.length)} failing test(s) (${failing.join(', ')}). The CNCF validator rejects a ` +
        'referenced junit.xml, results.json or e2e.log that holds any failing test, even one of another requirement, ' +
        `so the full run is not here. It is in the signed bundle ${bundle.described}, whose SHA256SUMS lists the full files:`,
      '',
      ...full,
      '',
      verifyLine,
      '',
    ].join('\n'),
  };
}

/**
 * Failing tests in any of the run's evidence files, as the validator would name them. A file the
 * validator could not parse is dropped (with a warning): linking it would fail the submission.
 */
function runFailures(files: Map<string, Buffer>, warnings: string[]): string[] {
  const names = new Set<string>();
  for (const [name, bytes] of files) {
    const format = artifactFormat(name);
    if (format === undefined) continue;
    try {
      for (const f of failingTests(parseArtifact(format, bytes.toString('utf8')))) names.add(f);
    } catch (err) {
      files.delete(name);
      warnings.push(`${name} does not parse as the validator reads it (${(err as Error).message}); it is not written`);
    }
  }
  return [...names];
}

/** The signed bundle's name, and how a reviewer finds it. */
function bundleOf(evidence: RunEvidence): { name: string; described: string } {
  if (evidence.kind === 'bundle') {
    const name = path.basename(evidence.source);
    return { name, described: `\`${name}\` (sha256 ${evidence.tarball?.sha256 ?? 'unknown'})` };
  }
  const run = evidence.results.run;
  let name = `ai-conformance-<stamp>-${run.runId}.tar.gz`;
  try {
    name = bundleFileName(new Date(run.startedAt), run.runId);
  } catch {
    // A run without a usable start time or id: the generic name stays.
  }
  return { name, described: `\`${name}\` (written beside the run folder)` };
}

function collectWarnings(template: Template, evidence: RunEvidence, decisions: ItemDecision[]): string[] {
  const warnings = decisions.flatMap((d) => (d.warning === undefined ? [] : [d.warning]));
  const run = evidence.results.run;
  const ranFor = run.profile.checklistVersion.replace(/^v/, '');
  if (ranFor !== template.version && ranFor !== 'unknown') {
    warnings.push(`the run used checklist v${ranFor}, the template is v${template.version}: levels may differ`);
  }
  if (run.incomplete) warnings.push('the run was interrupted or stopped early: its results are partial');
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
