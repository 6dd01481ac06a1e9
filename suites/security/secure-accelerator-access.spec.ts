/**
 * secure_accelerator_access (KAR-0049): a container sees exactly the accelerators Kubernetes gave
 * it, through the device plugin or DRA, and nothing else. All pods are pinned to one accelerator
 * node, never privileged, never with hostPath; each container reports the devices it sees
 * (suites/shared/device-report.ts) and the probe compares that with what it was given.
 */
import { expect } from 'chai';
import { isNotFound } from '../../src/kube/api-error.js';
import { describePod, podSucceeded } from '../../src/kube/conditions.js';
import type { KubeObject, Pod } from '../../src/kube/objects.js';
import { TerminalConditionError, waitFor, type Condition } from '../../src/kube/wait.js';
import { acceleratorFor, type Accelerator } from '../../src/requirements/accelerators.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { readAcceleratorNodes } from '../shared/accelerator-nodes.js';
import { addEnv, podParams, podRef } from '../shared/accelerator-pods.js';
import {
  describeReport,
  deviceCount,
  overlapping,
  readDeviceReport,
  runInterval,
  sharedDevices,
  type DeviceReport,
  type RunInterval,
} from '../shared/device-report.js';
import {
  chooseAccessNode,
  chooseAllocationMode,
  readDraFacts,
  type AccessNode,
  type AllocationMode,
} from './allocation-mode.js';

const CATEGORY = 'security';
/** Seconds a reporting container runs. */
const REPORT_SECONDS = 2;
/** Seconds the two DistinctDevicesTest pods hold their device, so that they surely hold them together. */
const HOLD_SECONDS = 8;

interface Setup {
  acc: Accelerator;
  mode: AllocationMode;
  node: AccessNode;
}

probe('secure-accelerator-access', 'TestSecureAcceleratorAccess', (p) => {
  let setup: Setup | undefined;
  let notApplicable: string | undefined;

  before(async function () {
    const acc = acceleratorFor(p.params);
    const [nodes, dra] = await Promise.all([readAcceleratorNodes(p.kube, acc), readDraFacts(p.kube, acc)]);
    const choice = chooseAllocationMode(p.param('allocationMode') as 'auto' | AllocationMode, acc, dra, nodes);
    if ('skip' in choice) {
      notApplicable = choice.skip;
      return;
    }
    const node = chooseAccessNode(choice.mode, nodes, dra);
    if (node === undefined) {
      throw new ProbeError(
        `allocation mode ${choice.mode} (${choice.why}), but no usable node has a free accelerator to give out`,
      );
    }
    p.log(`allocation mode ${choice.mode} (${choice.why}); node ${node.name} with ${String(node.free)} free`);
    if (choice.mode === 'dra') await p.create(CATEGORY, 'claim-template.yaml', { deviceClass: acc.deviceClass });
    setup = { acc, mode: choice.mode, node };
  });

  // Skipping per test (not from `before`) gives every subtest its reason.
  beforeEach(function () {
    if (notApplicable !== undefined) p.skip(this, notApplicable);
  });

  const given = (s: Setup): string =>
    s.mode === 'dra' ? `a claim on DeviceClass ${s.acc.deviceClass}` : `1 ${s.acc.resource}`;

  it('PositiveAccessTest', async function () {
    const s = ready(setup);
    const { pod, allocated } = await runPod(p, s, `one-accelerator-${s.mode}.yaml`, 'positive', REPORT_SECONDS);
    const report = readDeviceReport(pod, 'probe');
    p.log(`container probe, given ${given(s)}${allocationText(allocated)}, sees ${describeReport(report)}`);
    expect(
      deviceCount(report),
      `container probe of pod ${pod.metadata?.name ?? ''}, given ${given(s)}, sees ${describeReport(report)}; expected exactly 1`,
    ).to.equal(1);
    if (report.ids.length > 0)
      expect(
        report.devices.length,
        `device ids ${report.ids.join(', ')} but device nodes ${report.devices.join(', ') || 'none'}`,
      ).to.be.at.most(1);
  });

  it('NegativeIsolationTest', async function () {
    const s = ready(setup);
    const env = s.acc.visibleDevicesEnv;
    const { pod } = await runPod(p, s, 'no-accelerator.yaml', 'no-request', REPORT_SECONDS, (o) => {
      if (env !== undefined) addEnv(o, ['probe'], env, 'all');
    });
    const report = readDeviceReport(pod, 'probe');
    const asked = `which asked for no accelerator${env === undefined ? '' : ` (with ${env}=all in its environment)`}`;
    p.log(`container probe, ${asked}, sees ${describeReport(report)}`);
    expect(
      deviceCount(report),
      `container probe of pod ${pod.metadata?.name ?? ''} on node ${s.node.name}, ${asked}, sees ${describeReport(report)}`,
    ).to.equal(0);
  });

  it('MultiContainerIsolationTest', async function () {
    const s = ready(setup);
    const env = s.acc.visibleDevicesEnv;
    const { pod, allocated } = await runPod(
      p,
      s,
      `two-containers-${s.mode}.yaml`,
      'two-containers',
      REPORT_SECONDS,
      (o) => {
        if (env !== undefined) addEnv(o, ['not-given'], env, 'all');
      },
    );
    const withDevice = readDeviceReport(pod, 'given');
    const without = readDeviceReport(pod, 'not-given');
    p.log(
      `container given, given ${given(s)}${allocationText(allocated)}, sees ${describeReport(withDevice)}; container not-given sees ${describeReport(without)}`,
    );
    expect(
      deviceCount(without),
      `container not-given of pod ${pod.metadata?.name ?? ''}, which asked for no accelerator while its sibling container was given ${given(s)}, sees ${describeReport(without)}`,
    ).to.equal(0);
    expect(
      deviceCount(withDevice),
      `container given of pod ${pod.metadata?.name ?? ''}, given ${given(s)}, sees ${describeReport(withDevice)}; expected exactly 1`,
    ).to.equal(1);
  });

  it('DistinctDevicesTest', async function () {
    const s = ready(setup);
    if (s.node.free < 2) {
      return p.skip(
        this,
        `node ${s.node.name} has ${String(s.node.free)} free accelerator; two pods given one each at the same time need 2 on one node`,
      );
    }
    const file = `one-accelerator-${s.mode}.yaml`;
    // Both pods are created before either is awaited, so that they hold their devices together.
    const names = ['distinct-a', 'distinct-b'];
    const created: KubeObject[] = [];
    for (const name of names) created.push(await createPod(p, s, file, name, HOLD_SECONDS));
    const allocations: string[][] = [];
    for (const o of created) allocations.push(await observeAllocation(p, o));
    const pods: Pod[] = [];
    for (const name of names)
      pods.push(await waitFor(p.kube, podRef(p.namespace, name), podSucceeded, p.waitOptions()));
    const [a, b] = pods as [Pod, Pod];
    const reports = pods.map((pod) => readDeviceReport(pod, 'probe')) as [DeviceReport, DeviceReport];
    for (const [i, pod] of pods.entries()) {
      p.log(
        `pod ${pod.metadata?.name ?? ''}${allocationText(allocations[i] ?? [])} sees ${describeReport(reports[i] as DeviceReport)}`,
      );
    }
    const intervals = pods.map((pod) => runInterval(pod, 'probe')).filter((x): x is RunInterval => x !== undefined);
    if (intervals.length < 2 || !overlapping(intervals)) {
      throw new ProbeError(
        `pods distinct-a and distinct-b did not hold their devices at the same time (${intervals.map((i) => `${i.container} ${i.startedAt}..${i.finishedAt}`).join('; ') || 'no start/finish times'}), so one may rightly have reused the other's device`,
      );
    }
    for (const [i, r] of reports.entries()) {
      expect(
        deviceCount(r),
        `pod ${pods[i]?.metadata?.name ?? ''}, given ${given(s)}, sees ${describeReport(r)}; expected exactly 1`,
      ).to.equal(1);
    }
    const shared = sharedDevices(reports[0], reports[1]);
    expect(
      shared,
      `pods ${a.metadata?.name ?? ''} and ${b.metadata?.name ?? ''}, each given ${given(s)} on node ${s.node.name} at the same time, both see ${shared.join(', ')}`,
    ).to.deep.equal([]);
    const [da, db] = allocations as [string[], string[]];
    const bothAllocated = da.filter((d) => db.includes(d));
    expect(
      bothAllocated,
      `the claims of pods ${a.metadata?.name ?? ''} and ${b.metadata?.name ?? ''} were both allocated ${bothAllocated.join(', ')}`,
    ).to.deep.equal([]);
  });
});

function ready(setup: Setup | undefined): Setup {
  if (setup === undefined) throw new ProbeError('setup did not finish');
  return setup;
}

async function createPod(
  p: ProbeHandle,
  s: Setup,
  file: string,
  name: string,
  seconds: number,
  adjust?: (o: KubeObject) => void,
): Promise<KubeObject> {
  const params = { ...podParams(p, s.acc, name, seconds), hostname: s.node.hostname, resource: s.acc.resource };
  const [pod] = await p.create(CATEGORY, file, params, adjust);
  if (pod === undefined) throw new ProbeError(`${file} holds no object`);
  return pod;
}

interface Ran {
  pod: Pod;
  /** DRA mode: `driver/pool/device` allocated to the pod's claims. */
  allocated: string[];
}

/** Creates a reporting pod and waits until it has finished; a pod that never does fails the test. */
async function runPod(
  p: ProbeHandle,
  s: Setup,
  file: string,
  name: string,
  seconds: number,
  adjust?: (o: KubeObject) => void,
): Promise<Ran> {
  const created = await createPod(p, s, file, name, seconds, adjust);
  const allocated = await observeAllocation(p, created);
  return { pod: await waitFor(p.kube, podRef(p.namespace, name), podSucceeded, p.waitOptions()), allocated };
}

/** The pod is bound to a node and the controller has named the claims made for it. */
const boundWithClaims: Condition<Pod | undefined, Pod> = {
  description: 'to be bound with its ResourceClaims created',
  test(pod) {
    if (pod?.status?.phase === 'Failed') throw new TerminalConditionError(`pod failed: ${describePod(pod)}`);
    const claims = pod?.status?.resourceClaimStatuses ?? [];
    const ready = pod?.spec?.nodeName !== undefined && claims.length > 0 && claims.every((c) => c.resourceClaimName);
    return ready ? { done: true, value: pod } : false;
  },
  describe: describePod,
};

/**
 * The devices the scheduler allocated to a created pod's claims (DRA mode), read as soon as the
 * pod is bound (the scheduler allocates before binding). Empty for pods without claims, and for a
 * claim already released because its pod finished first.
 */
async function observeAllocation(p: ProbeHandle, created: KubeObject): Promise<string[]> {
  const claims = (created.spec as { resourceClaims?: unknown[] } | undefined)?.resourceClaims ?? [];
  if (claims.length === 0) return [];
  const name = created.metadata?.name ?? '';
  const pod = await waitFor(p.kube, podRef(p.namespace, name), boundWithClaims, p.waitOptions());
  const devices: string[] = [];
  for (const status of pod.status?.resourceClaimStatuses ?? []) {
    const claim: ClaimStatus = await p.kube
      .getJson<ClaimStatus>(
        `/apis/resource.k8s.io/v1/namespaces/${p.namespace}/resourceclaims/${status.resourceClaimName ?? ''}`,
      )
      .catch((err: unknown): ClaimStatus => {
        if (isNotFound(err)) return {};
        throw err;
      });
    for (const r of claim.status?.allocation?.devices?.results ?? []) devices.push(`${r.driver}/${r.pool}/${r.device}`);
  }
  return devices;
}

/** ` (allocated gpu.nvidia.com/gpu-h100-0/gpu-3)` for log lines; empty without claims. */
function allocationText(devices: readonly string[]): string {
  return devices.length === 0 ? '' : ` (allocated ${devices.join(', ')})`;
}

interface ClaimStatus {
  status?: { allocation?: { devices?: { results?: { driver: string; pool: string; device: string }[] } } };
}
