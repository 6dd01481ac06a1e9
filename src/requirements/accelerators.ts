/**
 * The accelerator table: how each vendor's accelerators appear to Kubernetes. Probes read it through
 * `acceleratorFor(params)`, so the vendor is a parameter, never a branch in a probe. Facts: the
 * vendors' device plugins, feature-discovery labels and DRA drivers (shared/research).
 */
import type { Parameters } from '../profiles/parameters.js';

export interface Accelerator {
  vendor: string;
  /** Extended resource the device plugin advertises. */
  resource: string;
  /** Node label holding the product name (feature discovery). */
  productLabel: string;
  /** Node label present on nodes with this accelerator. */
  presenceLabel: string;
  /** DRA DeviceClass of the vendor's driver. */
  deviceClass: string;
  /** Shell glob of the device nodes a container that was given accelerators sees. */
  deviceGlob: string;
  /** Taint key vendors commonly put on accelerator nodes (tolerated by probe pods). */
  taintKey: string;
  /**
   * Environment variable through which the vendor's container runtime hook exposes devices
   * (`NVIDIA_VISIBLE_DEVICES=all`): a known bypass when set in a pod that requested none.
   */
  visibleDevicesEnv?: string;
  /** Shell pipeline printing one device id per line inside a container, where the vendor has a tool for it. */
  deviceIdCommand?: string;
}

export const ACCELERATORS: Record<string, Accelerator> = {
  nvidia: {
    vendor: 'NVIDIA',
    resource: 'nvidia.com/gpu',
    productLabel: 'nvidia.com/gpu.product',
    presenceLabel: 'nvidia.com/gpu.present',
    deviceClass: 'gpu.nvidia.com',
    deviceGlob: '/dev/nvidia[0-9]*',
    taintKey: 'nvidia.com/gpu',
    visibleDevicesEnv: 'NVIDIA_VISIBLE_DEVICES',
    // `GPU 0: NVIDIA H100 (UUID: GPU-…)` and MIG lines `MIG 1g.10gb Device 0: (UUID: MIG-…)`.
    deviceIdCommand: "nvidia-smi -L | sed -n 's/.*(UUID: \\([^)]*\\)).*/\\1/p'",
  },
  amd: {
    vendor: 'AMD',
    resource: 'amd.com/gpu',
    productLabel: 'amd.com/gpu.product-name',
    presenceLabel: 'amd.com/gpu.device-id',
    deviceClass: 'gpu.amd.com',
    deviceGlob: '/dev/dri/renderD*',
    taintKey: 'amd.com/gpu',
    visibleDevicesEnv: 'AMD_VISIBLE_DEVICES',
  },
  intel: {
    vendor: 'Intel',
    resource: 'gpu.intel.com/i915',
    productLabel: 'gpu.intel.com/device-id.0380-0bd5.present',
    presenceLabel: 'intel.feature.node.kubernetes.io/gpu',
    deviceClass: 'gpu.intel.com',
    deviceGlob: '/dev/dri/renderD*',
    taintKey: 'gpu.intel.com/i915',
  },
  tpu: {
    vendor: 'Google TPU',
    resource: 'google.com/tpu',
    productLabel: 'cloud.google.com/gke-tpu-accelerator',
    presenceLabel: 'cloud.google.com/gke-tpu-accelerator',
    deviceClass: 'tpu.google.com',
    deviceGlob: '/dev/accel*',
    taintKey: 'google.com/tpu',
  },
};

/** The profile's accelerator, with `acceleratorResource`, `acceleratorProductLabel` and `deviceClass` overrides applied. */
export function acceleratorFor(params: Parameters): Accelerator {
  const vendor = String(params['accelerator'] ?? 'nvidia');
  const base = ACCELERATORS[vendor];
  if (!base) throw new Error(`unknown accelerator ${vendor} (known: ${Object.keys(ACCELERATORS).join(', ')})`);
  const override = (name: string, fallback: string): string => {
    const v = params[name];
    return typeof v === 'string' && v !== '' ? v : fallback;
  };
  return {
    ...base,
    resource: override('acceleratorResource', base.resource),
    productLabel: override('acceleratorProductLabel', base.productLabel),
    deviceClass: override('deviceClass', base.deviceClass),
  };
}
