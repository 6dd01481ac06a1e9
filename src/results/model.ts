/**
 * The Results model: what every writer (JUnit, go-test JSON, go-test log, summary, PRODUCT.yaml,
 * bundle statement) reads. Probes never see it; the runner's reporter fills it.
 */

/** DESIGN.md "Statuses". `error` means the probe could not run (unreachable, forbidden, setup timeout). */
export type Status = 'passed' | 'failed' | 'skipped' | 'error';

export interface TestResult {
  /** Go-style test name: `TestGangScheduling/PositiveGangScheduling`, or `TestX` for a test without subtests. */
  name: string;
  /** CNCF requirement id (`gang_scheduling`) or our own (`model_mounting`). */
  requirement: string;
  /** Our probe id (`gang-scheduling`), or `-` for a requirement that has no probe in this version. */
  probe: string;
  status: Status;
  /** Skip reason, failure message or error message. Always set unless passed. */
  message?: string;
  /** Stack trace or longer detail for failures and errors. */
  details?: string;
  /** Wall time of the test body in milliseconds (0 for tests that never ran). */
  durationMs: number;
  /** ISO-8601 UTC time the test started (or was decided, for tests that never ran). */
  startedAt: string;
  /** Lines the probe logged while this test ran, without timestamps. */
  log: string[];
}

export interface RunInfo {
  runId: string;
  tool: { name: string; version: string };
  profile: { name: string; checklistVersion: string; digest: string };
  startedAt: string;
  finishedAt: string;
  /** Kubernetes server gitVersion, when the cluster was reached. */
  serverVersion?: string;
  /** True when the run was interrupted (SIGINT/SIGTERM) or stopped early (--fail-fast): results are partial. */
  incomplete: boolean;
}

export interface RunResults {
  run: RunInfo;
  /** Leaf tests in run order. Parents (`TestX` of `TestX/Sub`) are derived by the writers. */
  tests: TestResult[];
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  error: number;
  total: number;
}

export function countStatuses(tests: readonly TestResult[]): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0, error: 0, total: tests.length };
  for (const t of tests) counts[t.status] += 1;
  return counts;
}

/**
 * One verdict for several tests (a requirement's): failed > error > skipped > passed. A requirement
 * counts as passed only when every one of its tests passed: a part that was skipped is not proven.
 */
export function combinedStatus(statuses: readonly Status[]): Status {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('error')) return 'error';
  if (statuses.length === 0 || statuses.includes('skipped')) return 'skipped';
  return 'passed';
}

/** The overall verdict the bundle statement and the exit code use. */
export function overallResult(results: RunResults): 'PASSED' | 'FAILED' | 'INCOMPLETE' {
  const c = countStatuses(results.tests);
  if (c.failed > 0 || c.error > 0) return 'FAILED';
  if (results.run.incomplete) return 'INCOMPLETE';
  return 'PASSED';
}

/**
 * "Unknown" in the KARs: the probe met a mechanism it cannot judge, so a person must verify it. It is
 * a skip whose message starts with this phrase (JUnit `<skipped message="manual verification
 * required: …">`, go test JSON `skip`), so every reader, also one that reads back a bundle, sees it,
 * and it can never count as a pass or a failure.
 */
export const MANUAL_VERIFICATION = 'manual verification required';

export function manualVerificationMessage(reason: string): string {
  return `${MANUAL_VERIFICATION}: ${reason}`;
}

/** A test (or a test's status and message) that needs manual verification. */
export function needsManualVerification(t: { status: Status; message?: string }): boolean {
  return t.status === 'skipped' && (t.message ?? '').startsWith(`${MANUAL_VERIFICATION}:`);
}

/** What a reader is shown: the four statuses, and `manual` for a skip that needs manual verification. */
export type Outcome = Status | 'manual';

/**
 * A requirement's outcome: combinedStatus, except that a requirement that would be `skipped` and
 * has at least one test needing manual verification is `manual` (neither pass nor fail).
 */
export function requirementOutcome(tests: readonly { status: Status; message?: string }[]): Outcome {
  const status = combinedStatus(tests.map((t) => t.status));
  return status === 'skipped' && tests.some(needsManualVerification) ? 'manual' : status;
}

export function countManual(tests: readonly { status: Status; message?: string }[]): number {
  return tests.filter(needsManualVerification).length;
}
