// Shared by the probe integration tests: run the CLI against the test cluster and read a probe's
// subtests, its wall time, and its messages from the go-test events.
import { testKubeconfig } from '../cluster.js';
import { clusterVariant, runCli, type CliRun } from '../run-cli.js';

/** `ai-conformance run --profile <profile> --kubeconfig <test cluster> ...extra`. */
export function runProfile(profile: string, extra: string[] = []): Promise<CliRun> {
  return runCli(['run', '--profile', profile, '--kubeconfig', testKubeconfig(), ...extra], { timeoutMs: 20 * 60_000 });
}

/** Final action of every subtest of `test` (`TestX/Sub` → pass|fail|skip), by subtest name. */
export function subtests(run: CliRun, test: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, action] of run.actions) if (name.startsWith(`${test}/`)) out[name.slice(test.length + 1)] = action;
  return out;
}

/** Seconds the top-level test took, from its final go-test event (the probe's wall time). */
export function elapsedSeconds(run: CliRun, test: string): number | undefined {
  const end = [...run.events].reverse().find((e) => e.Test === test && ['pass', 'fail', 'skip'].includes(e.Action));
  return (end as { Elapsed?: number } | undefined)?.Elapsed;
}

/** What a failing assertion printed, for messages when the test itself fails. */
export function explain(run: CliRun): string {
  return `exit ${String(run.code)}\n${run.stdout.slice(-6000)}\n${run.stderr.slice(-2000)}`;
}

/**
 * Registers a `before` that switches a broken variant on, runs `body` (the CLI runs to judge) and
 * switches it off again at once, since the variant affects everyone on the cluster; and an `after`
 * that switches it off whatever happened.
 */
export function inVariant(name: string, body: () => Promise<void>): void {
  before(async function () {
    await clusterVariant(name, 'on');
    try {
      await body();
    } finally {
      await clusterVariant(name, 'off');
    }
  });
  after(async function () {
    await clusterVariant(name, 'off');
  });
}
