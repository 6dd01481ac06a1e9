/**
 * Typed profile parameters: every knob a probe reads, with its type, default and meaning. Profiles
 * and `--set` may only name parameters listed here, so a typo is an error instead of a silent default.
 */

export type ParameterType = 'string' | 'integer' | 'boolean' | 'duration' | 'enum' | 'stringList';

export interface ParameterSpec {
  type: ParameterType;
  description: string;
  default: ParameterValue;
  /** Allowed values for `enum`. */
  values?: readonly string[];
  /** Smallest allowed value for integers and durations (ms for durations). */
  min?: number;
}

export type ParameterValue = string | number | boolean | string[];
export type Parameters = Record<string, ParameterValue>;

export const PARAMETERS = {
  accelerator: {
    type: 'enum',
    values: ['nvidia', 'amd', 'intel', 'tpu'],
    default: 'nvidia',
    description: 'Accelerator vendor; selects resource name, product label and device path from the accelerator table.',
  },
  acceleratorResource: {
    type: 'string',
    default: '',
    description: 'Extended resource name of the accelerator (empty: from the accelerator table, e.g. nvidia.com/gpu).',
  },
  acceleratorProductLabel: {
    type: 'string',
    default: '',
    description: 'Node label holding the accelerator product (empty: from the accelerator table).',
  },
  deviceClass: {
    type: 'string',
    default: '',
    description: 'DRA DeviceClass for accelerator claims (empty: from the accelerator table, e.g. gpu.nvidia.com).',
  },
  allocationMode: {
    type: 'enum',
    values: ['auto', 'dra', 'device-plugin'],
    default: 'auto',
    description: 'How accelerators are requested: DRA claims, device-plugin extended resources, or auto-detect.',
  },
  gangScheduler: {
    type: 'enum',
    values: ['auto', 'kueue', 'volcano', 'coscheduling', 'workload-api', 'none'],
    default: 'auto',
    description: 'Gang scheduling solution to exercise; auto detects it from the served APIs.',
  },
  gangClusterQueue: {
    type: 'string',
    default: '',
    description: 'Kueue ClusterQueue the gang probe submits to (empty: the probe creates its own queue).',
  },
  gangSize: {
    type: 'integer',
    default: 4,
    min: 2,
    description: 'Number of pods in the gang of the positive gang scheduling test.',
  },
  gangSchedulerName: {
    type: 'string',
    default: '',
    description:
      "schedulerName of the gang probe's pods for Volcano, coscheduling and the Workload API (empty: volcano, scheduler-plugins-scheduler, the default scheduler).",
  },
  probeImage: {
    type: 'string',
    default: 'busybox:1.36',
    description: 'Image of the probe containers that report in-container facts (needs sh, ls, cat).',
  },
  modelImage: {
    type: 'string',
    default: '',
    description: 'OCI reference of a ModelPack model artifact for the model mounting probe (empty: skipped).',
  },
  modelDigests: {
    type: 'stringList',
    default: [],
    description:
      'Files the modelImage mount must show, as path=sha256:<hex> (empty: read from the manifest of modelImage in its registry).',
  },
  modelStorageClass: {
    type: 'string',
    default: '',
    description: 'StorageClass of the shared read-only model store (empty: the cluster default).',
  },
  customMetric: {
    type: 'string',
    default: 'inference_queue_depth',
    description:
      'Custom inference metric the HPA probe scales on (the serving stub exports its queue depth under this name).',
  },
  customMetricTarget: {
    type: 'integer',
    default: 10,
    min: 1,
    description:
      "Per-replica target (averageValue) of customMetric on the probe's HPA; the probe drives it to max replicas x this.",
  },
  inferenceMetricSource: {
    type: 'enum',
    values: ['auto', 'direct-write', 'pipeline'],
    default: 'auto',
    description:
      "Where the HPA probe's metric comes from: direct-write (the probe writes it to metricsWriteUrl), pipeline (serving pods export it, a load generator drives it, the platform scrapes it and its adapter serves it), auto (direct-write when metricsWriteUrl is set, else skipped).",
  },
  metricsWriteUrl: {
    type: 'string',
    default: '',
    description:
      'Base URL of a custom metrics adapter that accepts written values, as the custom-metrics-apiserver test adapter does (e.g. http://127.0.0.1:8080/write-metrics).',
  },
  servingStubImage: {
    type: 'string',
    default: 'python:3.13-alpine',
    description: 'Image running the serving stub of the autoscaling and AI service metrics probes (needs python3).',
  },
  metricsEndpoint: {
    type: 'string',
    default: '',
    description: 'Accelerator metrics endpoint (URL or namespace/service:port; empty: discover exporters).',
  },
  metricsUtilizationMetric: {
    type: 'string',
    default: '',
    description: 'Exact name of the per-device utilization metric (empty: any name matching util|utilization).',
  },
  metricsMemoryMetric: {
    type: 'string',
    default: '',
    description: 'Exact name of the per-device memory metric (empty: any name matching mem|memory|fb|vram|hbm).',
  },
  prometheusUrl: {
    type: 'string',
    default: '',
    description: 'Prometheus query API of the monitoring system (URL or namespace/service:port).',
  },
  scrapeLabels: {
    type: 'stringList',
    default: [],
    description:
      "key=value labels on the PodMonitor the metrics probes create, so the platform's Prometheus selects it.",
  },
  gatewayClass: {
    type: 'string',
    default: '',
    description:
      'GatewayClass the Gateway API probe uses (empty: the only GatewayClass whose controller accepted it; several accepted need a name).',
  },
  gatewayListenerPort: {
    type: 'integer',
    default: 80,
    min: 1,
    description: "Port of the HTTP listener on the Gateway API probe's Gateway (the implementation must serve it).",
  },
  inferenceRequests: {
    type: 'integer',
    default: 200,
    min: 100,
    description:
      'Requests the Gateway API probe sends through its 80/20 weighted HTTPRoute; the acceptance interval is computed from it (CONFORMANCE.md).',
  },
  inferenceModelHeader: {
    type: 'string',
    default: 'x-model-name',
    description: 'Request header carrying the model name, on which the header-based routing test matches.',
  },
  inferenceClient: {
    type: 'enum',
    values: ['auto', 'runner', 'pod'],
    default: 'auto',
    description:
      "Where the Gateway API probe's requests come from: runner (straight to the Gateway's address), pod (client pods in the cluster), auto (runner when the address answers it, else pods).",
  },
  echoImage: {
    type: 'string',
    default: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    description:
      "Image of the Gateway API probe's echo backends (runs `netexec`; GET /hostname answers with the pod name).",
  },
  autoscalerNodePoolLabel: {
    type: 'string',
    default: '',
    description:
      'Label key=value selecting the autoscaled accelerator node pool (empty: cluster autoscaling is skipped).',
  },
  operator: {
    type: 'enum',
    values: ['auto', 'kubeflow-trainer', 'none'],
    default: 'auto',
    description:
      'AI operator the robust controller probe exercises; auto detects it by its CRD (trainjobs.trainer.kubeflow.org for kubeflow-trainer).',
  },
  operatorRuntime: {
    type: 'string',
    default: '',
    description:
      "Runtime the robust controller probe's valid CR refers to (empty: the operator's default, ClusterTrainingRuntime torch-distributed for kubeflow-trainer).",
  },
  autoscalerPendingTimeout: {
    type: 'duration',
    default: '2m',
    min: 1000,
    description:
      'How long the cluster autoscaling probe waits for its scale-up trigger pod to be reported Unschedulable.',
  },
  autoscalerScaleUpTimeout: {
    type: 'duration',
    default: '20m',
    min: 1000,
    description: 'How long the autoscaled pool may take to add a node and run the trigger pod.',
  },
  autoscalerScaleDownTimeout: {
    type: 'duration',
    default: '30m',
    min: 1000,
    description:
      'How long the autoscaled pool may take to return to its baseline size after the trigger pod is deleted.',
  },
  autoscalerStabilityWindow: {
    type: 'duration',
    default: '30s',
    min: 1000,
    description:
      'How long the autoscaled pool must keep its size: before the test (baseline) and after the scale-down.',
  },
  probeTimeout: {
    type: 'duration',
    default: '10m',
    min: 1000,
    description: 'Longest a single test of a probe may take, setup included.',
  },
  waitTimeout: {
    type: 'duration',
    default: '3m',
    min: 1000,
    description: 'Longest a probe waits for one expected cluster reaction (pod Running, claim allocated, ...).',
  },
  negativeWindow: {
    type: 'duration',
    default: '20s',
    min: 1000,
    description: 'How long a negative test watches that something does NOT happen (no pod Running, no allocation).',
  },
  heartbeat: {
    type: 'duration',
    default: '30s',
    min: 1000,
    description: 'Interval of "still waiting" lines during long waits.',
  },
} as const satisfies Record<string, ParameterSpec>;

export type ParameterName = keyof typeof PARAMETERS;

export function isParameterName(name: string): name is ParameterName {
  return Object.hasOwn(PARAMETERS, name);
}

export function defaultParameters(): Parameters {
  const out: Parameters = {};
  for (const [name, spec] of Object.entries(PARAMETERS) as [string, ParameterSpec][]) {
    out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses `500ms`, `30s`, `10m`, `1h`, or a plain number of seconds. Returns undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const m = DURATION.exec(trimmed);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/**
 * Checks and normalises one value for a parameter. `raw` comes from YAML (any type) or from `--set`
 * (always a string). Returns the value or a problem description.
 */
export function coerceParameter(
  name: ParameterName,
  raw: unknown,
  fromString: boolean,
): { value: ParameterValue } | { problem: string } {
  const spec: ParameterSpec = PARAMETERS[name];
  switch (spec.type) {
    case 'string':
      if (typeof raw === 'string') return { value: raw };
      if (fromString) return { value: String(raw) };
      return { problem: `expected a string, got ${describe(raw)}` };
    case 'enum': {
      const s = typeof raw === 'string' ? raw : undefined;
      if (s !== undefined && spec.values?.includes(s)) return { value: s };
      return { problem: `expected one of ${(spec.values ?? []).join(', ')}, got ${describe(raw)}` };
    }
    case 'integer': {
      const n =
        typeof raw === 'number'
          ? raw
          : fromString && typeof raw === 'string' && /^-?\d+$/.test(raw)
            ? Number(raw)
            : NaN;
      if (!Number.isInteger(n)) return { problem: `expected an integer, got ${describe(raw)}` };
      if (spec.min !== undefined && n < spec.min)
        return { problem: `must be at least ${String(spec.min)}, got ${String(n)}` };
      return { value: n };
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (fromString && (raw === 'true' || raw === 'false')) return { value: raw === 'true' };
      return { problem: `expected true or false, got ${describe(raw)}` };
    case 'duration': {
      const ms = typeof raw === 'string' ? parseDuration(raw) : typeof raw === 'number' ? raw * 1000 : undefined;
      if (ms === undefined) return { problem: `expected a duration like 30s, 10m or 1h, got ${describe(raw)}` };
      if (spec.min !== undefined && ms < spec.min) return { problem: `must be at least ${String(spec.min / 1000)}s` };
      return { value: typeof raw === 'string' ? raw.trim() : `${String(raw)}s` };
    }
    case 'stringList':
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { value: raw };
      if (fromString && typeof raw === 'string')
        return {
          value: raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        };
      return { problem: `expected a list of strings, got ${describe(raw)}` };
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A duration parameter in milliseconds (values are validated when the profile loads). */
export function durationMs(params: Parameters, name: ParameterName): number {
  const v = params[name];
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) throw new Error(`parameter ${name} is not a duration: ${String(v)}`);
  return ms;
}
