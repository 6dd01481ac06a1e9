/**
 * The probes this version of ai-conformance ships: which spec file covers which requirement, with
 * which Go-style test names, reading which profile parameters. A requirement with no probe here is
 * reported as skipped with NO_PROBE_REASON, never as passed.
 */

import { processWide } from '../process-wide.js';

export const NO_PROBE_REASON = 'no probe in this version of ai-conformance';

export interface Probe {
  id: string;
  requirement: string;
  /** Spec file under suites/, without extension: `scheduling/gang-scheduling` (tests may give an absolute path). */
  spec: string;
  /** Top-level Go-style tests the spec defines (subtests are discovered from the suite). */
  tests: string[];
  /** Profile parameters the probe reads; shown by `list` and CONFORMANCE.md. */
  parameters: string[];
}

// Process-wide so that a test harness can register fixture probes that the runner then sees.
export const PROBES: readonly Probe[] = processWide('probes', (): Probe[] => [
  {
    id: 'dra',
    requirement: 'dra_support',
    spec: 'accelerators/dra',
    tests: ['TestDRASupport'],
    parameters: ['accelerator', 'deviceClass', 'probeImage', 'waitTimeout', 'negativeWindow'],
  },
  {
    id: 'gang-scheduling',
    requirement: 'gang_scheduling',
    spec: 'scheduling/gang-scheduling',
    tests: ['TestGangScheduling'],
    parameters: [
      'gangScheduler',
      'gangClusterQueue',
      'gangSize',
      'gangSchedulerName',
      'accelerator',
      'acceleratorResource',
      'probeImage',
      'waitTimeout',
      'negativeWindow',
    ],
  },
  {
    id: 'gpu-scheduling',
    requirement: 'gpu_scheduling',
    spec: 'accelerators/gpu-scheduling',
    tests: ['TestGPUScheduling'],
    parameters: [
      'accelerator',
      'acceleratorResource',
      'acceleratorProductLabel',
      'probeImage',
      'waitTimeout',
      'negativeWindow',
    ],
  },
  {
    id: 'secure-accelerator-access',
    requirement: 'secure_accelerator_access',
    spec: 'security/secure-accelerator-access',
    tests: ['TestSecureAcceleratorAccess'],
    parameters: ['accelerator', 'acceleratorResource', 'deviceClass', 'allocationMode', 'probeImage', 'waitTimeout'],
  },
  {
    id: 'cluster-autoscaling',
    requirement: 'cluster_autoscaling',
    spec: 'scheduling/cluster-autoscaling',
    tests: ['TestAcceleratorClusterAutoscaling'],
    parameters: [
      'autoscalerNodePoolLabel',
      'autoscalerPendingTimeout',
      'autoscalerScaleUpTimeout',
      'autoscalerScaleDownTimeout',
      'autoscalerStabilityWindow',
      'accelerator',
      'acceleratorResource',
      'deviceClass',
      'allocationMode',
      'probeImage',
      'waitTimeout',
    ],
  },
  {
    id: 'inference-autoscaling',
    requirement: 'pod_autoscaling',
    spec: 'scheduling/inference-autoscaling',
    tests: ['TestPodAutoscaling'],
    parameters: [
      'customMetric',
      'customMetricTarget',
      'inferenceMetricSource',
      'metricsWriteUrl',
      'servingStubImage',
      'scrapeLabels',
      'accelerator',
      'acceleratorResource',
      'probeImage',
      'waitTimeout',
    ],
  },
  {
    id: 'accelerator-metrics',
    requirement: 'accelerator_metrics',
    spec: 'observability/accelerator-metrics',
    tests: ['TestAcceleratorPerformanceMetrics'],
    parameters: ['metricsEndpoint', 'metricsUtilizationMetric', 'metricsMemoryMetric', 'accelerator'],
  },
  {
    id: 'ai-service-metrics',
    requirement: 'ai_service_metrics',
    spec: 'observability/ai-service-metrics',
    tests: ['TestAIServiceMetrics'],
    parameters: ['prometheusUrl', 'scrapeLabels', 'servingStubImage', 'waitTimeout'],
  },
  {
    id: 'robust-controller',
    requirement: 'robust_controller',
    spec: 'operator/robust-controller',
    tests: ['TestRobustCRDControllerOperation'],
    parameters: ['operator', 'operatorRuntime', 'waitTimeout'],
  },
  {
    id: 'ai-inference',
    requirement: 'ai_inference',
    spec: 'networking/ai-inference',
    tests: ['TestAIInference'],
    parameters: [
      'gatewayClass',
      'gatewayListenerPort',
      'inferenceRequests',
      'inferenceModelHeader',
      'inferenceClient',
      'echoImage',
      'probeImage',
      'waitTimeout',
    ],
  },
  {
    id: 'model-mounting',
    requirement: 'model_mounting',
    spec: 'models/model-mounting',
    tests: ['TestModelMounting'],
    parameters: ['modelImage', 'modelDigests', 'modelStorageClass', 'probeImage', 'waitTimeout'],
  },
]);

export function probesFor(requirementId: string): Probe[] {
  return PROBES.filter((p) => p.requirement === requirementId);
}
