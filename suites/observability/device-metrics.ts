/**
 * What an accelerator metrics endpoint offers, read from its parsed exposition: per-device
 * utilization and memory metrics (the MUST of accelerator_metrics), and temperature, power and
 * interconnect metrics (reported where present). Vendor neutral: a series is "per device" when it
 * carries one of the device label keys that upstream's TestAcceleratorPerformanceMetrics accepts,
 * and its kind is read from the name. Pure, so it is unit-tested without an exporter.
 */
import type { Sample } from '../../src/metrics/prometheus.js';

/** Upstream's device label keys, plus AMD's device metrics exporter's `gpu_id`; a device is named by the first one present. */
export const DEVICE_LABELS = [
  'UUID',
  'uuid',
  'gpu',
  'gpu_id',
  'device_id',
  'dev_id',
  'card_id',
  'GPU_I_ID',
  'minor_number',
  'pci_bus_id',
];

export type MetricKind = 'utilization' | 'memory' | 'temperature' | 'power' | 'interconnect';

// Upstream's name patterns for the two required kinds; the others are ours (DCGM, AMD, Intel names).
const PATTERNS: Record<MetricKind, RegExp> = {
  utilization: /util|utilization/i,
  memory: /mem|memory|fb|vram|hbm/i,
  temperature: /temp/i,
  power: /power|energy/i,
  interconnect: /nvlink|xgmi|pcie|interconnect|infinity_fabric|fabric/i,
};

export interface DeviceMetric {
  name: string;
  /** The device label the metric's samples carry (the first one of DEVICE_LABELS found). */
  deviceLabel: string;
  /** Distinct values of that label. */
  devices: string[];
  samples: number;
}

export interface DeviceMetricsReport {
  byKind: Record<MetricKind, DeviceMetric[]>;
  /** Series names that match a kind's pattern but carry no device label (not per-device). */
  withoutDeviceLabel: Record<MetricKind, string[]>;
  /** Distinct devices across the utilization and memory metrics. */
  devices: string[];
  /** The required kinds with no per-device metric, in words; empty when the endpoint conforms. */
  missing: string[];
}

export interface MetricNameOverrides {
  /** Exact series name to use as the utilization metric (upstream's -metrics-utilization-metric). */
  utilization?: string;
  /** Exact series name to use as the memory metric (upstream's -metrics-memory-metric). */
  memory?: string;
}

/**
 * Which kind a series name is, or none. Utilization wins over memory (DCGM's MEM_COPY_UTIL is
 * memory bandwidth, not memory in use), and so do temperature, power and interconnect
 * (DCGM_FI_DEV_MEMORY_TEMP is a temperature); memory clocks are not memory either.
 */
export function kindOf(name: string): MetricKind | undefined {
  for (const kind of ['utilization', 'temperature', 'power', 'interconnect'] as const) {
    if (PATTERNS[kind].test(name)) return kind;
  }
  return PATTERNS.memory.test(name) && !/clock|clk/i.test(name) ? 'memory' : undefined;
}

function deviceLabelOf(samples: readonly Sample[]): string | undefined {
  for (const key of DEVICE_LABELS) {
    if (samples.some((s) => Object.hasOwn(s.labels, key))) return key;
  }
  return undefined;
}

function emptyByKind<T>(): Record<MetricKind, T[]> {
  return { utilization: [], memory: [], temperature: [], power: [], interconnect: [] };
}

export function classifyDeviceMetrics(
  samples: readonly Sample[],
  overrides: MetricNameOverrides = {},
): DeviceMetricsReport {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const byKind = emptyByKind<DeviceMetric>();
  const withoutDeviceLabel = emptyByKind<string>();
  const forced = new Map<string, MetricKind>();
  if (overrides.utilization) forced.set(overrides.utilization, 'utilization');
  if (overrides.memory) forced.set(overrides.memory, 'memory');

  for (const [name, list] of byName) {
    const kind = forced.get(name) ?? kindOf(name);
    if (kind === undefined) continue;
    // With an override, only the named series counts for that kind.
    if (
      forced.get(name) === undefined &&
      ((kind === 'utilization' && overrides.utilization) || (kind === 'memory' && overrides.memory))
    )
      continue;
    const label = deviceLabelOf(list);
    if (label === undefined) {
      withoutDeviceLabel[kind].push(name);
      continue;
    }
    const devices = [
      ...new Set(list.map((s) => s.labels[label]).filter((v): v is string => v !== undefined && v !== '')),
    ].sort();
    byKind[kind].push({ name, deviceLabel: label, devices, samples: list.length });
  }

  const missing: string[] = [];
  for (const kind of ['utilization', 'memory'] as const) {
    if (byKind[kind].length > 0) continue;
    const named = overrides[kind];
    const without = withoutDeviceLabel[kind];
    if (named !== undefined && named !== '' && !byName.has(named)) {
      missing.push(`${kind} metric ${named} (not served)`);
    } else if (without.length > 0) {
      missing.push(
        `per-device ${kind} metric (${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} none of the device labels ${DEVICE_LABELS.join(', ')})`,
      );
    } else {
      missing.push(`per-device ${kind} metric (no series name matches ${String(PATTERNS[kind])})`);
    }
  }
  const devices = new Set<string>();
  for (const m of [...byKind.utilization, ...byKind.memory]) for (const d of m.devices) devices.add(d);
  return { byKind, withoutDeviceLabel, devices: [...devices].sort(), missing };
}

/** `DCGM_FI_DEV_GPU_UTIL (by UUID: 8 devices)` */
export function describeDeviceMetric(m: DeviceMetric): string {
  return `${m.name} (by ${m.deviceLabel}: ${String(m.devices.length)} device${m.devices.length === 1 ? '' : 's'})`;
}
