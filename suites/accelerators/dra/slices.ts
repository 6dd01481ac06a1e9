/**
 * The DRA probe's reading of ResourceSlices: which slices a DeviceClass can draw from, and where an
 * allocated device lives. Pure functions over the JSON the server sends, so they are unit-tested.
 */
import type { V1DeviceClass, V1DeviceRequestAllocationResult, V1ResourceSlice } from '@kubernetes/client-node';
import type { Raw } from '../../../src/kube/objects.js';

export type DeviceClass = Raw<V1DeviceClass>;
export type ResourceSlice = Raw<V1ResourceSlice>;
export type AllocationResult = Raw<V1DeviceRequestAllocationResult>;

// `device.driver == 'gpu.nvidia.com'`, either way round, either quote.
const DRIVER_EQUALS = [/device\.driver\s*==\s*(['"])([^'"]+)\1/g, /(['"])([^'"]+)\1\s*==\s*device\.driver/g];

/**
 * The drivers a DeviceClass's CEL selectors pin (`device.driver == "x"`), or undefined when they
 * pin none: then any published device may match, and the probe considers every slice.
 */
export function driversOfClass(dc: DeviceClass): string[] | undefined {
  const drivers = new Set<string>();
  for (const selector of dc.spec.selectors ?? []) {
    const expression = selector.cel?.expression ?? '';
    for (const pattern of DRIVER_EQUALS) {
      for (const m of expression.matchAll(pattern)) if (m[2] !== undefined) drivers.add(m[2]);
    }
  }
  return drivers.size === 0 ? undefined : [...drivers].sort();
}

/** Slices that publish at least one device of the given drivers (all drivers when undefined). */
export function slicesWithDevices(
  slices: readonly ResourceSlice[],
  drivers: readonly string[] | undefined,
): ResourceSlice[] {
  return slices.filter(
    (s) => (drivers === undefined || drivers.includes(s.spec.driver)) && (s.spec.devices?.length ?? 0) > 0,
  );
}

export function deviceCount(slices: readonly ResourceSlice[]): number {
  return slices.reduce((n, s) => n + (s.spec.devices?.length ?? 0), 0);
}

/** `gpu.nvidia.com/gpu-a100-0/gpu-3`: driver, pool, device, as `kubectl get resourceclaim -o yaml` shows them. */
export function deviceId(r: { driver: string; pool: string; device: string }): string {
  return `${r.driver}/${r.pool}/${r.device}`;
}

export interface LocatedDevice {
  slice: string;
  /** The node whose slice (or device entry) publishes the device; undefined for network-attached pools. */
  node: string | undefined;
}

/** Finds the slice that publishes an allocated device (driver, pool and name must all agree). */
export function locateDevice(slices: readonly ResourceSlice[], result: AllocationResult): LocatedDevice | undefined {
  for (const s of slices) {
    if (s.spec.driver !== result.driver || s.spec.pool.name !== result.pool) continue;
    const device = s.spec.devices?.find((d) => d.name === result.device);
    if (device === undefined) continue;
    const node = s.spec.perDeviceNodeSelection === true ? device.nodeName : s.spec.nodeName;
    return { slice: s.metadata?.name ?? '?', node };
  }
  return undefined;
}

/** `4 slices on gpu-a100-0, gpu-a100-1, … (24 devices)` */
export function describeSlices(slices: readonly ResourceSlice[]): string {
  const nodes = [...new Set(slices.map((s) => s.spec.nodeName ?? '(no node)'))].sort();
  const shown = nodes.length > 6 ? `${nodes.slice(0, 6).join(', ')}, …` : nodes.join(', ');
  return `${String(slices.length)} slice${slices.length === 1 ? '' : 's'} on ${shown} (${String(deviceCount(slices))} devices)`;
}
