import { expect } from 'chai';
import { chooseDraApi } from '../../../suites/accelerators/dra/api.js';
import {
  deviceCount,
  describeSlices,
  driversOfClass,
  locateDevice,
  slicesWithDevices,
  type ResourceSlice,
} from '../../../suites/accelerators/dra/slices.js';

const ALL = ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'];

function slice(
  name: string,
  driver: string,
  node: string | undefined,
  devices: string[],
  extra: object = {},
): ResourceSlice {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name },
    spec: {
      driver,
      pool: { name: node ?? 'shared', generation: 1, resourceSliceCount: 1 },
      ...(node === undefined ? {} : { nodeName: node }),
      devices: devices.map((d) => ({ name: d })),
      ...extra,
    },
  };
}

const SLICES = [
  slice('gpu-a100-0-gpu.nvidia.com', 'gpu.nvidia.com', 'gpu-a100-0', ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3']),
  slice('gpu-h100-0-gpu.nvidia.com', 'gpu.nvidia.com', 'gpu-h100-0', ['gpu-0', 'gpu-1']),
  slice('gpu-h100-0-nic', 'net.example.com', 'gpu-h100-0', ['eth1']),
  slice('empty', 'gpu.nvidia.com', 'cpu-0', []),
];

describe('suites/accelerators/dra', () => {
  describe('chooseDraApi', () => {
    it('uses v1 when it serves every DRA kind', () => {
      expect(chooseDraApi({ v1: ALL, v1beta2: ALL })).to.deep.equal({
        apiVersion: 'resource.k8s.io/v1',
        beta: false,
        functional: true,
        summary: 'resource.k8s.io/v1 serves DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice',
      });
    });

    it('falls back to v1beta2 on older servers, reported as beta, still functional', () => {
      const api = chooseDraApi({ v1beta2: ALL, v1beta1: ALL });
      expect(api).to.include({ apiVersion: 'resource.k8s.io/v1beta2', beta: true, functional: true });
      expect(api.summary).to.include(
        '(beta: the server does not serve resource.k8s.io/v1, DRA GA since Kubernetes 1.34)',
      );
    });

    it('on a v1beta1-only server runs the API check only', () => {
      const api = chooseDraApi({ v1beta1: ALL });
      expect(api).to.include({ apiVersion: 'resource.k8s.io/v1beta1', beta: true, functional: false });
      expect(api.summary).to.include('only the API check runs');
    });

    it('reports what is served when no version is complete', () => {
      expect(chooseDraApi({})).to.deep.include({
        apiVersion: undefined,
        summary:
          'no resource.k8s.io version serves all of DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice: the server does not serve resource.k8s.io at all (DRA is disabled or not installed)',
      });
      expect(chooseDraApi({ v1: ['DeviceClass', 'ResourceSlice'] }).summary).to.include(
        'resource.k8s.io serves v1 (DeviceClass, ResourceSlice)',
      );
    });
  });

  describe('ResourceSlices of a DeviceClass', () => {
    const dc = (...expressions: string[]) => ({
      metadata: { name: 'x' },
      spec: { selectors: expressions.map((expression) => ({ cel: { expression } })) },
    });

    it('takes the drivers the class pins, in either quoting and order', () => {
      expect(
        driversOfClass(dc("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'")),
      ).to.deep.equal(['gpu.nvidia.com']);
      expect(driversOfClass(dc('"gpu.amd.com" == device.driver', 'device.driver=="gpu.intel.com"'))).to.deep.equal([
        'gpu.amd.com',
        'gpu.intel.com',
      ]);
      expect(driversOfClass(dc("device.attributes['x'].y == 1"))).to.equal(undefined);
      expect(driversOfClass({ metadata: { name: 'x' }, spec: {} })).to.equal(undefined);
    });

    it('keeps the slices with devices of those drivers (all drivers when none is pinned)', () => {
      expect(slicesWithDevices(SLICES, ['gpu.nvidia.com']).map((s) => s.metadata?.name)).to.deep.equal([
        'gpu-a100-0-gpu.nvidia.com',
        'gpu-h100-0-gpu.nvidia.com',
      ]);
      expect(slicesWithDevices(SLICES, undefined)).to.have.length(3);
      expect(slicesWithDevices(SLICES, ['gpu.amd.com'])).to.deep.equal([]);
      expect(deviceCount(slicesWithDevices(SLICES, ['gpu.nvidia.com']))).to.equal(6);
      expect(describeSlices(slicesWithDevices(SLICES, ['gpu.nvidia.com']))).to.equal(
        '2 slices on gpu-a100-0, gpu-h100-0 (6 devices)',
      );
    });
  });

  describe('locateDevice', () => {
    it('finds the node whose slice publishes the allocated device (driver, pool and name agree)', () => {
      expect(
        locateDevice(SLICES, { request: 'accelerator', driver: 'gpu.nvidia.com', pool: 'gpu-h100-0', device: 'gpu-1' }),
      ).to.deep.equal({
        slice: 'gpu-h100-0-gpu.nvidia.com',
        node: 'gpu-h100-0',
      });
      // Same device name in another pool is another device.
      expect(
        locateDevice(SLICES, { request: 'a', driver: 'gpu.nvidia.com', pool: 'gpu-h100-0', device: 'gpu-3' }),
      ).to.equal(undefined);
      expect(
        locateDevice(SLICES, { request: 'a', driver: 'gpu.amd.com', pool: 'gpu-h100-0', device: 'gpu-0' }),
      ).to.equal(undefined);
    });

    it("takes the device entry's node where the pool selects nodes per device, none for network-attached pools", () => {
      const perDevice = slice('pd', 'gpu.nvidia.com', undefined, [], {
        perDeviceNodeSelection: true,
        devices: [{ name: 'gpu-0', nodeName: 'gpu-a100-1' }],
      });
      expect(
        locateDevice([perDevice], { request: 'a', driver: 'gpu.nvidia.com', pool: 'shared', device: 'gpu-0' }),
      ).to.deep.equal({ slice: 'pd', node: 'gpu-a100-1' });
      const network = slice('net', 'gpu.nvidia.com', undefined, ['gpu-9'], { allNodes: true });
      expect(
        locateDevice([network], { request: 'a', driver: 'gpu.nvidia.com', pool: 'shared', device: 'gpu-9' }),
      ).to.deep.equal({ slice: 'net', node: undefined });
    });
  });
});
