/**
 * secure_accelerator_access (KAR-0049): a container sees exactly the accelerators Kubernetes gave
 * it, through the device plugin or DRA, and nothing else. All pods are pinned to one accelerator
 * node, never privileged, never with hostPath; each container reports the devices it sees
 * (suites/accelerators/device-report.ts) and the probe compares that with what it was given.
 */
import { expect } from 'chai';
import { podSucceeded } from '../../src/kube/conditions.js';
import type { KubeObject, Pod } from '../../src/kube/objects.js';
import { waitFor } from '../../src/kube/wait.js';
import { acceleratorFor, type Accelerator } from '../../src/requirements/accelerators.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { readAcceleratorNodes } from '../accelerators/accelerator-nodes.js';
import { addEnv, createFromTemplate, podParams, podRef, waitOptions } from '../accelerators/accelerator-pods.js';
import {
  describeReport,
  deviceCount,
  overlapping,
  readDeviceReport,
  runInterval,
  sharedDevices,
  type DeviceReport,
  type RunInterval,
} from '../accelerators/device-report.js';
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
    if (choice.mode === 'dra')
      await createFromTemplate(p, CATEGORY, 'claim-template.yaml', { deviceClass: acc.deviceClass });
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
    const pod = await runPod(p, s, `one-accelerator-${s.mode}.yaml`, 'positive', REPORT_SECONDS);
    const report = readDeviceReport(pod, 'probe');
    p.log(`container probe, given ${given(s)}, sees ${describeReport(report)}${await allocationText(p, pod)}`);
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
    const pod = await runPod(p, s, 'no-accelerator.yaml', 'no-request', REPORT_SECONDS, (o) => {
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
    const pod = await runPod(p, s, `two-containers-${s.mode}.yaml`, 'two-containers', REPORT_SECONDS, (o) => {
      if (env !== undefined) addEnv(o, ['not-given'], env, 'all');
    });
    const withDevice = readDeviceReport(pod, 'given');
    const without = readDeviceReport(pod, 'not-given');
    p.log(
      `container given, given ${given(s)}, sees ${describeReport(withDevice)}; container not-given sees ${describeReport(without)}`,
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
    const objects = [
      await createPod(p, s, file, 'distinct-a', HOLD_SECONDS),
      await createPod(p, s, file, 'distinct-b', HOLD_SECONDS),
    ];
    const pods: Pod[] = [];
    for (const o of objects)
      pods.push(await waitFor(p.kube, podRef(p.namespace, o.metadata?.name ?? ''), podSucceeded, waitOptions(p)));
    const [a, b] = pods as [Pod, Pod];
    const reports = pods.map((pod) => readDeviceReport(pod, 'probe')) as [DeviceReport, DeviceReport];
    for (const [i, pod] of pods.entries()) {
      p.log(
        `pod ${pod.metadata?.name ?? ''} sees ${describeReport(reports[i] as DeviceReport)}${await allocationText(p, pod)}`,
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
  const [pod] = await createFromTemplate(p, CATEGORY, file, params, adjust);
  if (pod === undefined) throw new ProbeError(`${file} holds no object`);
  return pod;
}

/** Creates a reporting pod and waits until it has finished; a pod that never does fails the test. */
async function runPod(
  p: ProbeHandle,
  s: Setup,
  file: string,
  name: string,
  seconds: number,
  adjust?: (o: KubeObject) => void,
): Promise<Pod> {
  const pod = await createPod(p, s, file, name, seconds, adjust);
  return waitFor(p.kube, podRef(p.namespace, pod.metadata?.name ?? name), podSucceeded, waitOptions(p));
}

/**
 * `; its claim was allocated gpu.nvidia.com/node/gpu-3` for the log (DRA mode), best effort: a
 * finished pod's generated claim may already be deallocated or gone.
 */
async function allocationText(p: ProbeHandle, pod: Pod): Promise<string> {
  const devices: string[] = [];
  for (const status of pod.status?.resourceClaimStatuses ?? []) {
    if (status.resourceClaimName === undefined) continue;
    try {
      const claim = await p.kube.getJson<ClaimStatus>(
        `/apis/resource.k8s.io/v1/namespaces/${p.namespace}/resourceclaims/${status.resourceClaimName}`,
      );
      for (const r of claim.status?.allocation?.devices?.results ?? [])
        devices.push(`${r.driver}/${r.pool}/${r.device}`);
    } catch {
      // Gone already: nothing to show.
    }
  }
  return devices.length === 0 ? '' : `; its claim was allocated ${devices.join(', ')}`;
}

interface ClaimStatus {
  status?: { allocation?: { devices?: { results?: { driver: string; pool: string; device: string }[] } } };
}
