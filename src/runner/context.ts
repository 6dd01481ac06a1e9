/**
 * What a running probe can reach: the cluster, the resolved parameters, the run id and the log.
 * The runner sets it before loading the suites; suites read it through `probe()` (probe.ts), so a
 * spec file never parses flags or profiles itself.
 */
import { processWide } from '../process-wide.js';
import type { CleanupStack } from '../kube/cleanup.js';
import type { Kube } from '../kube/client.js';
import type { Parameters } from '../profiles/parameters.js';
import type { ChecklistVersion } from '../requirements/catalogue.js';

export interface RunContext {
  runId: string;
  checklistVersion: ChecklistVersion;
  params: Parameters;
  /** Absent only in `--dry-run`, where no hook runs. */
  kube: Kube | undefined;
  /** Every cleanup stack not yet run; the runner drains them on SIGINT/SIGTERM. */
  pendingCleanups: Set<CleanupStack>;
  /** Appends a line to the log of the probe's running test (and prints it). */
  log: (line: string, probe?: string) => void;
}

const slot = processWide('run-context', (): { current: RunContext | undefined } => ({ current: undefined }));

export function setRunContext(ctx: RunContext | undefined): void {
  slot.current = ctx;
}

export function runContext(): RunContext {
  const current = slot.current;
  if (current === undefined) {
    throw new Error('no run context: suites must be loaded by the ai-conformance runner');
  }
  return current;
}
