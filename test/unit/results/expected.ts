/** What the fixture must come out as in every evidence file, parents included: written by hand, not derived. */

import type { Outcome } from './parse-evidence.js';

export const EXPECTED_OUTCOMES: Record<string, Outcome> = {
  'ai-conformance/secure_accelerator_access TestSecureAcceleratorAccess': 'fail',
  'ai-conformance/secure_accelerator_access TestSecureAcceleratorAccess/PositiveAccessTest': 'pass',
  'ai-conformance/secure_accelerator_access TestSecureAcceleratorAccess/NegativeAccessTest': 'fail',
  'ai-conformance/secure_accelerator_access TestSecureAcceleratorAccess/DraAccessTest': 'skip',
  'ai-conformance/gang_scheduling TestGangScheduling': 'fail',
  'ai-conformance/gang_scheduling TestGangScheduling/PositiveGangScheduling': 'pass',
  // status `error`: Go has no such state, so it fails.
  'ai-conformance/gang_scheduling TestGangScheduling/NegativeGangScheduling': 'fail',
  'ai-conformance/accelerator_metrics TestAcceleratorMetrics': 'pass',
  // Every subtest skipped: the parent is skipped too (Go itself would say PASS).
  'ai-conformance/cluster_autoscaling TestAcceleratorClusterAutoscaling': 'skip',
  'ai-conformance/cluster_autoscaling TestAcceleratorClusterAutoscaling/ScaleUp': 'skip',
  'ai-conformance/cluster_autoscaling TestAcceleratorClusterAutoscaling/ScaleDown': 'skip',
};

export const EXPECTED_TALLY = { pass: 3, fail: 4, skip: 4 };

export const EXPECTED_PACKAGES: Record<string, 'ok' | 'FAIL'> = {
  'ai-conformance/secure_accelerator_access': 'FAIL',
  'ai-conformance/gang_scheduling': 'FAIL',
  'ai-conformance/accelerator_metrics': 'ok',
  'ai-conformance/cluster_autoscaling': 'ok',
};
