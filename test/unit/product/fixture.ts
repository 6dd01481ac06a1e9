/**
 * Runs against the v1.36 checklist for the PRODUCT.yaml tests: one where every probed MUST passes,
 * one with a failure and an error, one where conditional MUSTs were skipped. Evidence is written
 * with the real writers (writeResults), as `ai-conformance run` writes it.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { NO_PROBE_REASON } from '../../../src/requirements/probes.js';
import type { RunResults, Status, TestResult } from '../../../src/results/model.js';
import { writeResults } from '../../../src/results/write.js';

export { removeDir, rejection, tempDir } from '../bundle/fixture.js';

const T0 = Date.parse('2026-09-01T12:00:00.000Z');
let clock = 0;

function t(name: string, requirement: string, status: Status, extra: Partial<TestResult> = {}): TestResult {
  clock += 2_000;
  return {
    name,
    requirement,
    probe: requirement.replace(/_/g, '-'),
    status,
    durationMs: status === 'skipped' ? 0 : 1_500,
    startedAt: new Date(T0 + clock).toISOString(),
    log: status === 'skipped' ? [] : [`probe for ${requirement} ran`],
    ...extra,
  };
}

function run(runId: string, tests: TestResult[]): RunResults {
  return {
    run: {
      runId,
      tool: { name: 'ai-conformance', version: '0.1.0' },
      profile: { name: 'full', checklistVersion: 'v1.36', digest: `sha256:${'cd'.repeat(32)}` },
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0 + 600_000).toISOString(),
      serverVersion: 'v1.36.2',
      incomplete: false,
    },
    tests,
  };
}

/** Every MUST probed and passed, SHOULDs mixed, plus one requirement of ours (never written to PRODUCT.yaml). */
function passingTests(): TestResult[] {
  clock = 0;
  return [
    t('TestAcceleratorDriverRuntimeManagement/VerifiableMechanismExposed', 'driver_runtime_management', 'passed'),
    t('TestAcceleratorDriverRuntimeManagement/DriverAndRuntimeCompatibility', 'driver_runtime_management', 'passed'),
    t('TestGPUSharing', 'gpu_sharing', 'skipped', {
      message: 'no GPU sharing mode found on any node (parameter gpuSharing not set)',
    }),
    t('TestVirtualizedAccelerator', 'virtualized_accelerator', 'skipped', { message: NO_PROBE_REASON }),
    t('TestAIInference/WeightedSplit', 'ai_inference', 'passed'),
    t('TestAIInference/HeaderRouting', 'ai_inference', 'passed'),
    t('TestAdvancedInferenceIngress', 'advanced_inference_ingress', 'skipped', { message: NO_PROBE_REASON }),
    t('TestGangScheduling/PositiveGangScheduling', 'gang_scheduling', 'passed'),
    t('TestGangScheduling/NegativeGangScheduling', 'gang_scheduling', 'passed'),
    t('TestAcceleratorClusterAutoscaling/ScaleUp', 'cluster_autoscaling', 'passed'),
    t('TestAcceleratorClusterAutoscaling/ScaleDown', 'cluster_autoscaling', 'passed'),
    t('TestPodAutoscaling/ScaleOnCustomMetric', 'pod_autoscaling', 'passed'),
    t('TestAcceleratorPerformanceMetrics', 'accelerator_metrics', 'passed'),
    t('TestAIServiceMetrics', 'ai_service_metrics', 'passed'),
    t('TestSecureAcceleratorAccess/PositiveAccessTest', 'secure_accelerator_access', 'passed'),
    t('TestSecureAcceleratorAccess/NegativeIsolationTest', 'secure_accelerator_access', 'passed'),
    t('TestRobustCRDControllerOperation/WebhookRejectsInvalidCR', 'robust_controller', 'passed'),
    t('TestModelMounting/OCIVolume', 'model_mounting', 'passed'),
  ];
}

export function passingRun(): RunResults {
  return run('aic-20260901-120000-pass', passingTests());
}

/** secure_accelerator_access fails, gang_scheduling could not run. */
export function failingRun(): RunResults {
  const tests = passingTests().map((x): TestResult => {
    if (x.name === 'TestSecureAcceleratorAccess/NegativeIsolationTest') {
      return {
        ...x,
        status: 'failed',
        message: 'pod without a GPU request saw /dev/nvidia0',
        details: 'AssertionError: expected [] to be empty',
      };
    }
    if (x.name === 'TestGangScheduling/NegativeGangScheduling') {
      return { ...x, status: 'error', message: 'timed out after 3m waiting for ClusterQueue aic-cq to be Active' };
    }
    return x;
  });
  return run('aic-20260901-120000-fail', tests);
}

/** The conditional MUSTs were skipped: no cluster autoscaler, no custom metrics API. */
export function skippingRun(): RunResults {
  const tests = passingTests().map((x): TestResult => {
    if (x.requirement === 'cluster_autoscaling') {
      return {
        ...x,
        status: 'skipped',
        durationMs: 0,
        log: [],
        message: 'parameter autoscalerNodePoolLabel is not set (no cluster autoscaler)',
      };
    }
    if (x.requirement === 'pod_autoscaling') {
      return {
        ...x,
        status: 'skipped',
        durationMs: 0,
        log: [],
        message: 'no custom.metrics.k8s.io APIService is Available',
      };
    }
    return x;
  });
  return run('aic-20260901-120000-skip', tests);
}

export const VENDOR = {
  platformName: 'Acme AI Platform',
  platformVersion: '2.4.0',
  vendorName: 'Acme Corporation',
  websiteUrl: 'https://acme.example/ai',
  repoUrl: 'https://github.com/acme/ai-platform',
  documentationUrl: 'https://docs.acme.example/ai',
  productLogoUrl: 'https://acme.example/logo.svg',
  description: 'Acme AI Platform runs training and inference on Kubernetes: GPUs, gang scheduling, autoscaling.',
  contactEmailAddress: 'conformance@acme.example',
  k8sConformanceUrl: 'https://github.com/cncf/k8s-conformance/tree/master/v1.36/acme-ai-platform',
};

/** A run's output folder as `ai-conformance run` leaves it. */
export async function writeRun(dir: string, results: RunResults): Promise<string> {
  await writeResults(dir, results, {
    argv: ['run', '--profile', 'full'],
    cluster: { serverVersion: { gitVersion: 'v1.36.2' } },
  });
  return dir;
}

export async function writeVendor(file: string, values: Record<string, unknown> = VENDOR): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, YAML.stringify(values));
  return file;
}
