/**
 * The in-toto Statement v1 the bundle signature covers (research/ecosystem.md §4.2). Only the four
 * standard top-level fields: sigstore-go (cosign) parses it with protojson, which rejects others.
 */

import {
  combinedStatus,
  countStatuses,
  overallResult,
  type RunResults,
  type Status,
  type TestResult,
} from '../results/model.js';
import { SUMS_FILE } from './sums.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://ai-conformance.dev/attestation/results/v1';
export const STATEMENT_FIELDS = ['_type', 'subject', 'predicateType', 'predicate'] as const;

export interface Subject {
  name: string;
  digest: { sha256: string };
}

export interface RequirementVerdict {
  verdict: Status;
  /** Names of the tests that decided it, in run order. */
  tests: string[];
}

export interface ResultsPredicate {
  result: 'PASSED' | 'FAILED' | 'INCOMPLETE';
  profile: { id: string; version: string; digest: { sha256: string } };
  tool: { name: string; version: string };
  kubernetes: { serverVersion?: string };
  startedOn: string;
  finishedOn: string;
  summary: { passed: number; failed: number; skipped: number; error: number; total: number };
  passedTests: string[];
  failedTests: string[];
  skippedTests: string[];
  errorTests: string[];
  /** Per requirement id, in the order the run first met it. */
  requirements: Record<string, RequirementVerdict>;
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: ResultsPredicate;
}

export interface StatementSubjects {
  tarball: { name: string; sha256: string };
  sumsSha256: string;
}

/** failed beats error beats passed beats skipped: one failure fails the requirement. */
/** A requirement's verdict from its tests' statuses (see combinedStatus: skipped parts are not a pass). */
export function requirementVerdict(statuses: readonly Status[]): Status {
  return combinedStatus(statuses);
}

export function requirementVerdicts(tests: readonly TestResult[]): Record<string, RequirementVerdict> {
  const byRequirement = new Map<string, TestResult[]>();
  for (const t of tests) {
    const list = byRequirement.get(t.requirement) ?? [];
    list.push(t);
    byRequirement.set(t.requirement, list);
  }
  // fromEntries defines own properties, so no id (even `__proto__`) can reach the prototype.
  return Object.fromEntries(
    [...byRequirement].map(([id, list]) => [
      id,
      { verdict: requirementVerdict(list.map((t) => t.status)), tests: list.map((t) => t.name) },
    ]),
  );
}

/** The model keeps the profile digest as `sha256:<hex>` or bare hex; in-toto wants the bare hex. */
function bareSha256(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}

export function buildStatement(results: RunResults, subjects: StatementSubjects): Statement {
  const { run, tests } = results;
  const named = (status: Status): string[] => tests.filter((t) => t.status === status).map((t) => t.name);
  return {
    _type: STATEMENT_TYPE,
    subject: [
      { name: subjects.tarball.name, digest: { sha256: subjects.tarball.sha256 } },
      { name: SUMS_FILE, digest: { sha256: subjects.sumsSha256 } },
    ],
    predicateType: PREDICATE_TYPE,
    predicate: {
      result: overallResult(results),
      profile: {
        id: run.profile.name,
        version: run.profile.checklistVersion,
        digest: { sha256: bareSha256(run.profile.digest) },
      },
      tool: { name: run.tool.name, version: run.tool.version },
      kubernetes: run.serverVersion === undefined ? {} : { serverVersion: run.serverVersion },
      startedOn: run.startedAt,
      finishedOn: run.finishedAt,
      summary: countStatuses(tests),
      passedTests: named('passed'),
      failedTests: named('failed'),
      skippedTests: named('skipped'),
      errorTests: named('error'),
      requirements: requirementVerdicts(tests),
    },
  };
}

/** The exact payload bytes: compact UTF-8 JSON, no BOM. Signed and verified as bytes, never re-serialized. */
export function serializeStatement(statement: Statement): Buffer {
  return Buffer.from(JSON.stringify(statement), 'utf8');
}
