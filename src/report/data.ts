/**
 * Everything a reviewer's report shows, gathered once and rendered twice (HTML, Markdown): the
 * signature verdict, the run, the cluster fingerprint, and per requirement its verdict and the
 * tests behind it with their messages and logs. Read from a bundle (streamed) or a run folder;
 * no cluster is needed.
 */

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { requirementVerdict, type ResultsPredicate } from '../bundle/statement.js';
import { SUMS_FILE } from '../bundle/sums.js';
import { loadPublicKey } from '../bundle/keys.js';
import { verifyBundle, type Check } from '../bundle/verify.js';
import { UsageError, VerificationError } from '../errors.js';
import { findRequirement, isChecklistVersion, type Level } from '../requirements/catalogue.js';
import {
  countStatuses,
  overallResult,
  type Counts,
  type RunInfo,
  type Status,
  type TestResult,
} from '../results/model.js';
import { META_FILES, readRunEvidence, type RunEvidence } from '../results/read-run.js';

export type Signature =
  | { state: 'verified'; keyFingerprint: string; checks: Check[]; fileCount: number }
  | { state: 'failed'; keyFingerprint?: string; checks: Check[]; problem: string }
  | { state: 'not-checked'; reason: string };

export interface ReportRequirement {
  id: string;
  title?: string;
  category?: string;
  /** Level in the run's checklist version, when the catalogue knows it. */
  level?: Level;
  /** From the signed statement when verified, else derived from the tests. */
  verdict: Status;
  durationMs: number;
  tests: TestResult[];
}

export interface ClusterFact {
  key: string;
  value: string;
}

export interface ReportData {
  source: string;
  kind: RunEvidence['kind'];
  signature: Signature;
  run: RunInfo;
  result: ResultsPredicate['result'];
  counts: Counts;
  argv?: string[];
  /** sha256 of the tarball, for a bundle. */
  tarballSha256?: string;
  cluster?: { sha256: string; facts: ClusterFact[] };
  requirements: ReportRequirement[];
}

export interface BuildReportOptions {
  source: string;
  /** Trusted public key (PEM); without it the signature is not checked. */
  key?: string;
  /** Sigstore bundle; default `<tarball>.sigstore.json`. */
  signature?: string;
}

export async function buildReport(opts: BuildReportOptions): Promise<ReportData> {
  const info = await stat(opts.source).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${opts.source}: no such run folder or bundle`);
  const kind: RunEvidence['kind'] = info.isDirectory() ? 'folder' : 'bundle';
  if (kind === 'folder' && opts.key !== undefined) {
    throw new UsageError(
      `${opts.source} is a run folder, which carries no signature: give its .tar.gz bundle to check --key`,
    );
  }
  // The signature first: a bundle whose contents no longer read must still be called tampered.
  const checked = await checkSignature(kind, opts);
  let evidence: RunEvidence;
  try {
    evidence = await readRunEvidence(opts.source);
  } catch (err) {
    if (checked.state === 'failed' && err instanceof UsageError) {
      throw new VerificationError(`${checked.problem}; and its contents do not read: ${err.message}`, { cause: err });
    }
    throw err;
  }
  const signature = sameBytes(checked, evidence);
  const predicate = signature.state === 'verified' ? signature.predicate : undefined;
  const { results } = evidence;
  const counts = predicate?.summary ?? countStatuses(results.tests);
  const clusterBytes = evidence.files.get(META_FILES.cluster);
  return {
    source: opts.source,
    kind,
    signature: signature.state === 'verified' ? withoutPredicate(signature) : signature,
    run: results.run,
    result: predicate?.result ?? overallResult(results),
    counts,
    ...(evidence.meta === undefined ? {} : { argv: evidence.meta.argv }),
    ...(evidence.tarball === undefined ? {} : { tarballSha256: evidence.tarball.sha256 }),
    ...(clusterBytes === undefined
      ? {}
      : {
          cluster: {
            sha256: createHash('sha256').update(clusterBytes).digest('hex'),
            facts: clusterFacts(evidence.cluster),
          },
        }),
    requirements: requirementsOf(results.tests, results.run, predicate),
  };
}

type Verified = Extract<Signature, { state: 'verified' }> & { predicate: ResultsPredicate; tarballSha256: string };
type Checked = Exclude<Signature, { state: 'verified' }> | Verified;

function withoutPredicate(checked: Verified): Signature {
  return {
    state: 'verified',
    keyFingerprint: checked.keyFingerprint,
    checks: checked.checks,
    fileCount: checked.fileCount,
  };
}

/** The page shows what was read in a second pass over the tarball; it must be the bytes that verified. */
function sameBytes(checked: Checked, evidence: RunEvidence): Checked {
  if (checked.state !== 'verified' || evidence.tarball?.sha256 === checked.tarballSha256) return checked;
  return {
    state: 'failed',
    keyFingerprint: checked.keyFingerprint,
    checks: checked.checks,
    problem: 'the tarball changed while the report was being made',
  };
}

async function checkSignature(kind: RunEvidence['kind'], opts: BuildReportOptions): Promise<Checked> {
  if (kind === 'folder') {
    return {
      state: 'not-checked',
      reason: 'a run folder carries no signature; report on its .tar.gz bundle with --key to check one',
    };
  }
  if (opts.key === undefined)
    return { state: 'not-checked', reason: 'no --key given: pass the vendor’s public key to check the signature' };
  const key = await loadPublicKey(opts.key);
  const checks: Check[] = [];
  try {
    const report = await verifyBundle({
      tarball: opts.source,
      key,
      ...(opts.signature === undefined ? {} : { signature: opts.signature }),
      onCheck: (c) => checks.push(c),
    });
    const name = path.basename(report.tarball);
    const subjects = report.statement.subject;
    const subject = subjects.find((s) => s.name === name) ?? subjects.find((s) => s.name !== SUMS_FILE);
    return {
      state: 'verified',
      keyFingerprint: report.keyFingerprint,
      checks,
      fileCount: report.fileCount,
      predicate: report.predicate,
      tarballSha256: subject?.digest.sha256 ?? '',
    };
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err;
    return { state: 'failed', keyFingerprint: key.fingerprint, checks, problem: err.message };
  }
}

function requirementsOf(
  tests: readonly TestResult[],
  run: RunInfo,
  predicate: ResultsPredicate | undefined,
): ReportRequirement[] {
  const version = run.profile.checklistVersion.replace(/^v/, '');
  const ids = [...new Set([...Object.keys(predicate?.requirements ?? {}), ...tests.map((t) => t.requirement)])];
  return ids.map((id) => {
    const own = tests.filter((t) => t.requirement === id);
    const req = findRequirement(id);
    const level = req !== undefined && isChecklistVersion(version) ? req.levels[version] : undefined;
    return {
      id,
      // Our own requirements are no CNCF requirement; say so where the title shows.
      ...(req === undefined
        ? {}
        : { title: req.ours === true ? `${req.title} (ai-conformance's own)` : req.title, category: req.category }),
      ...(level === undefined ? {} : { level }),
      verdict: predicate?.requirements[id]?.verdict ?? requirementVerdict(own.map((t) => t.status)),
      durationMs: own.reduce((sum, t) => sum + t.durationMs, 0),
      tests: own,
    };
  });
}

/**
 * meta/cluster.json flattened to `a.b.c: value` rows. The fingerprint's shape belongs to src/kube
 * and may grow; a generic flattening shows every field without this page having to follow it.
 * List items are labelled by their `name` where they have one; a wide map of plain values (node
 * labels) stays one row with a line per entry, so the table stays readable.
 */
export function clusterFacts(cluster: unknown, prefix = ''): ClusterFact[] {
  const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  if (isScalar(cluster)) return prefix === '' ? [] : [{ key: prefix, value: text(cluster) }];
  if (Array.isArray(cluster)) {
    if (cluster.length === 0) return [{ key: prefix, value: '(none)' }];
    if (cluster.every(isScalar)) return [{ key: prefix, value: cluster.map(text).join(', ') }];
    return cluster.flatMap((item: unknown, i) => {
      // Labelled by name, the name itself need not be a row of its own.
      if (typeof item === 'object' && item !== null && 'name' in item && typeof item.name === 'string') {
        const { name, ...rest } = item as Record<string, unknown> & { name: string };
        return clusterFacts(rest, `${prefix}[${name}]`);
      }
      return clusterFacts(item, `${prefix}[${String(i)}]`);
    });
  }
  const entries = Object.entries(cluster as Record<string, unknown>);
  if (entries.length === 0) return prefix === '' ? [] : [{ key: prefix, value: '(none)' }];
  if (prefix !== '' && entries.length > 4 && entries.every(([, v]) => isScalar(v))) {
    return [{ key: prefix, value: entries.map(([k, v]) => `${k}: ${text(v)}`).join('\n') }];
  }
  return entries.flatMap(([k, v]) => clusterFacts(v, prefix === '' ? k : `${prefix}.${k}`));
}

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${String(min)} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}

export const VERDICT_LABEL: Record<Status, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
};
