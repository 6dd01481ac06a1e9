/**
 * One fixed run that exercises every writer rule: each status, a test without subtests, parents
 * with mixed children, an all-skipped parent, multi-line messages, XML-special characters and a
 * log line with a tab, and a log that quotes another tool's `--- FAIL` line. Times are fixed so the golden files are stable.
 */

import type { RunResults, TestResult } from '../../../src/results/model.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

function test(partial: Omit<TestResult, 'log'> & { log?: string[] }): TestResult {
  return { log: [], ...partial };
}

export const fixture: RunResults = {
  run: {
    runId: 'aic-20260301-100000-abcd',
    tool: { name: 'ai-conformance', version: '0.1.0' },
    profile: { name: 'full', checklistVersion: 'v1.37', digest: 'sha256:0123456789abcdef' },
    startedAt: at(0),
    finishedAt: at(60_000),
    serverVersion: 'v1.36.3',
    incomplete: false,
  },
  tests: [
    // Parent with mixed children: passed, failed (multi-line, XML-special), skipped.
    test({
      name: 'TestSecureAcceleratorAccess/PositiveAccessTest',
      requirement: 'secure_accelerator_access',
      probe: 'secure-accelerator-access',
      status: 'passed',
      durationMs: 1234,
      startedAt: at(1_000),
      log: [
        'created pod gpu-probe in aic-run-1',
        'device files:\t/dev/nvidia0',
        // Another tool's Go output in a log must not read as a result of ours.
        'nvidia-validator said:\n--- FAIL: TestDriver (0.00s)\nFAIL',
      ],
    }),
    test({
      name: 'TestSecureAcceleratorAccess/NegativeAccessTest',
      requirement: 'secure_accelerator_access',
      probe: 'secure-accelerator-access',
      status: 'failed',
      message: 'pod without a GPU request saw devices <nvidia0> & "nvidia1"\nexpected: []\nactual: [/dev/nvidia0]',
      details:
        "AssertionError: expected [ '/dev/nvidia0' ] to be empty\n    at Context.<anonymous> (suites/security/secure-accelerator-access.spec.ts:42:7)",
      durationMs: 2500,
      startedAt: at(2_300),
      log: ['created pod no-gpu-probe'],
    }),
    test({
      name: 'TestSecureAcceleratorAccess/DraAccessTest',
      requirement: 'secure_accelerator_access',
      probe: 'secure-accelerator-access',
      status: 'skipped',
      message: 'parameter dra.deviceClass is not set',
      durationMs: 0,
      startedAt: at(4_800),
    }),
    // Parent whose children passed and errored.
    test({
      name: 'TestGangScheduling/PositiveGangScheduling',
      requirement: 'gang_scheduling',
      probe: 'gang-scheduling',
      status: 'passed',
      durationMs: 5000,
      startedAt: at(10_000),
      log: ['workload admitted by kueue'],
    }),
    test({
      name: 'TestGangScheduling/NegativeGangScheduling',
      requirement: 'gang_scheduling',
      probe: 'gang-scheduling',
      status: 'error',
      message: 'timed out after 30s waiting for namespace aic-gang-2 to be Active; last seen: Terminating',
      durationMs: 30_000,
      startedAt: at(15_100),
    }),
    // A test without subtests.
    test({
      name: 'TestAcceleratorMetrics',
      requirement: 'accelerator_metrics',
      probe: 'accelerator-metrics',
      status: 'passed',
      durationMs: 750,
      startedAt: at(46_000),
      log: ['scraped 12 series from dcgm-exporter'],
    }),
    // All children skipped: the parent is skipped; one of them has no probe at all.
    test({
      name: 'TestAcceleratorClusterAutoscaling/ScaleUp',
      requirement: 'cluster_autoscaling',
      probe: 'cluster-autoscaling',
      status: 'skipped',
      message: 'parameter autoscaling.nodePoolLabel is not set\n(the platform has no cluster autoscaler)',
      durationMs: 0,
      startedAt: at(47_000),
    }),
    test({
      name: 'TestAcceleratorClusterAutoscaling/ScaleDown',
      requirement: 'cluster_autoscaling',
      probe: '-',
      status: 'skipped',
      message: 'no probe for this requirement in v1.37',
      durationMs: 0,
      startedAt: at(47_000),
    }),
  ],
};
