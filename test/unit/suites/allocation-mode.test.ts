import { expect } from 'chai';
import { ACCELERATORS, type Accelerator } from '../../../src/requirements/accelerators.js';
import type { AcceleratorNode } from '../../../suites/shared/accelerator-nodes.js';
import {
  chooseAccessNode,
  chooseAllocationMode,
  draNodeDevices,
  driverOfDeviceClass,
  type DraFacts,
  type ResourceSliceLike,
} from '../../../suites/security/allocation-mode.js';

const nvidia = ACCELERATORS['nvidia'] as Accelerator;

function dra(nodes: DraFacts['nodes'], over: Partial<DraFacts> = {}): DraFacts {
  return { served: true, deviceClass: true, driver: 'gpu.nvidia.com', nodes, ...over };
}

function pluginNode(name: string, allocatable: number, free = allocatable, problems: string[] = []): AcceleratorNode {
  return { name, hostname: `${name}.host`, allocatable, free, problems };
}

function slice(
  node: string | undefined,
  devices: string[],
  pool = node ?? 'shared',
  generation = 1,
  driver = 'gpu.nvidia.com',
): ResourceSliceLike {
  return {
    spec: {
      driver,
      ...(node === undefined ? {} : { nodeName: node }),
      pool: { name: pool, generation },
      devices: devices.map((name) => ({ name })),
    },
  };
}

describe('suites/security/allocation-mode', () => {
  it('finds the driver a DeviceClass selects, else takes the class name', () => {
    expect(
      driverOfDeviceClass({
        metadata: { name: 'gpu' },
        spec: {
          selectors: [{ cel: { expression: "device.driver == 'gpu.example.com' && device.attributes['x'].y" } }],
        },
      }),
    ).to.equal('gpu.example.com');
    expect(
      driverOfDeviceClass({
        metadata: { name: 'gpu.nvidia.com' },
        spec: { selectors: [{ cel: { expression: 'true' } }] },
      }),
    ).to.equal('gpu.nvidia.com');
  });

  it('counts devices per node from the newest slice generation, minus devices allocated to claims', () => {
    const slices = [
      slice('n1', ['gpu-0', 'gpu-1', 'gpu-2'], 'n1', 2),
      slice('n1', ['old-0', 'old-1', 'old-2', 'old-3'], 'n1', 1),
      slice('n2', ['gpu-0']),
      slice(undefined, ['net-0']),
      slice('n3', ['x'], 'n3', 1, 'other.driver'),
    ];
    const claims = [
      { status: { allocation: { devices: { results: [{ driver: 'gpu.nvidia.com', pool: 'n1', device: 'gpu-1' }] } } } },
      { status: { allocation: { devices: { results: [{ driver: 'other.driver', pool: 'n2', device: 'gpu-0' }] } } } },
      {},
    ];
    expect(draNodeDevices(slices, claims, 'gpu.nvidia.com')).to.deep.equal([
      { name: 'n1', devices: 3, free: 2 },
      { name: 'n2', devices: 1, free: 1 },
    ]);
  });

  it('auto prefers DRA, falls back to the device plugin, and otherwise skips naming both', () => {
    const plugin = [pluginNode('g', 4), pluginNode('cpu', 0)];
    const withDra = dra([{ name: 'g', devices: 4, free: 4 }]);
    expect(chooseAllocationMode('auto', nvidia, withDra, plugin)).to.deep.include({ mode: 'dra' });
    const noSlices = chooseAllocationMode('auto', nvidia, dra([]), plugin);
    expect(noSlices).to.deep.include({ mode: 'device-plugin' });
    expect((noSlices as { why: string }).why).to.contain(
      'not DRA: no ResourceSlice on any node publishes devices of driver gpu.nvidia.com',
    );
    expect(chooseAllocationMode('auto', nvidia, dra([], { deviceClass: false }), plugin)).to.deep.include({
      mode: 'device-plugin',
    });
    expect(chooseAllocationMode('auto', nvidia, dra([], { served: false }), [pluginNode('cpu', 0)])).to.deep.equal({
      skip: 'no accelerator allocation on this cluster: the cluster does not serve resource.k8s.io/v1, and no node advertises nvidia.com/gpu allocatable; set accelerator, deviceClass or acceleratorResource',
    });
  });

  it('a forced mode is used when available and skipped with the missing capability otherwise', () => {
    const plugin = [pluginNode('g', 4)];
    expect(
      chooseAllocationMode('device-plugin', nvidia, dra([{ name: 'g', devices: 4, free: 4 }]), plugin),
    ).to.deep.include({
      mode: 'device-plugin',
    });
    expect(chooseAllocationMode('dra', nvidia, dra([]), plugin)).to.deep.equal({
      skip: 'allocationMode=dra but no ResourceSlice on any node publishes devices of driver gpu.nvidia.com (DeviceClass gpu.nvidia.com); set deviceClass, or allocationMode=auto',
    });
    expect(chooseAllocationMode('dra', nvidia, dra([], { deviceClass: false }), plugin)).to.deep.equal({
      skip: 'allocationMode=dra but DeviceClass gpu.nvidia.com does not exist; set deviceClass, or allocationMode=auto',
    });
    expect(chooseAllocationMode('device-plugin', nvidia, dra([{ name: 'g', devices: 4, free: 4 }]), [])).to.deep.equal({
      skip: 'allocationMode=device-plugin but no node advertises nvidia.com/gpu allocatable; set accelerator/acceleratorResource, or allocationMode=auto',
    });
  });

  it('pins to the usable node with the most free accelerators in the chosen mode', () => {
    const nodes = [
      pluginNode('a', 4, 4),
      pluginNode('b', 8, 1),
      pluginNode('c', 8, 8, ['cordoned']),
      pluginNode('d', 0),
    ];
    const facts = dra([
      { name: 'a', devices: 4, free: 0 },
      { name: 'b', devices: 8, free: 6 },
      { name: 'c', devices: 8, free: 8 },
    ]);
    expect(chooseAccessNode('device-plugin', nodes, facts)).to.deep.equal({ name: 'a', hostname: 'a.host', free: 4 });
    expect(chooseAccessNode('dra', nodes, facts)).to.deep.equal({ name: 'b', hostname: 'b.host', free: 6 });
    expect(chooseAccessNode('dra', nodes, dra([]))).to.equal(undefined);
  });
});
