/**
 * dra_support: the DRA API is served, and it really allocates. A pod using a ResourceClaimTemplate
 * gets its claim allocated to a device that a ResourceSlice of the pod's own node publishes, the
 * claim is reserved for the pod and the pod runs; deleting the pod releases and removes the claim.
 * A claim no device can satisfy is never allocated and its pod never runs.
 */
import { expect } from 'chai';
import { claimAllocated, deleted, matches, podRunning } from '../../src/kube/conditions.js';
import { isNotFound } from '../../src/kube/client.js';
import { describeEvent, eventSeen, eventsTarget } from '../../src/kube/events.js';
import { runLabels } from '../../src/kube/labels.js';
import { applyObjects, loadManifests } from '../../src/kube/manifest.js';
import type { ObjectRef, Pod, ResourceClaim } from '../../src/kube/objects.js';
import { expectNever, waitFor } from '../../src/kube/wait.js';
import { manifestFile } from '../../src/paths.js';
import { acceleratorFor } from '../../src/requirements/accelerators.js';
import { probe } from '../../src/runner/probe.js';
import { chooseDraApi, discoverDra, type DraApi } from './dra/api.js';
import {
  describeSlices,
  deviceId,
  driversOfClass,
  locateDevice,
  slicesWithDevices,
  type DeviceClass,
  type ResourceSlice,
} from './dra/slices.js';

interface Devices {
  apiVersion: string;
  deviceClass: string;
  drivers: string[] | undefined;
}

interface Consumer {
  pod: Pod;
  claim: ResourceClaim;
}

probe('dra', 'TestDRASupport', (p) => {
  let api: DraApi;
  let devicesReady: Promise<Devices> | undefined;
  let consumerReady: Promise<Consumer> | undefined;

  const ref = (apiVersion: string, kind: string, name: string): ObjectRef => ({
    apiVersion,
    kind,
    namespace: p.namespace,
    name,
  });
  // Long enough to outlast every wait of the test that uses the pod; the probe deletes it earlier.
  const durationSeconds = (): number => Math.ceil((2 * p.waitMs + p.negativeWindowMs) / 1000);
  const manifestParams = (apiVersion: string, deviceClass: string): Record<string, string | number> => ({
    draApiVersion: apiVersion,
    deviceClass,
    taintKey: acceleratorFor(p.params).taintKey,
    probeImage: p.param('probeImage'),
    duration: durationSeconds(),
  });

  /** Creates a workload of suites/accelerators/manifests in the probe namespace, with its cleanup. */
  async function create(manifest: string, d: Devices): Promise<void> {
    const objects = loadManifests(manifestFile('accelerators', manifest), manifestParams(d.apiVersion, d.deviceClass));
    await applyObjects(p.kube, objects, {
      namespace: p.namespace,
      labels: runLabels(p.ctx.runId, p.id),
      cleanup: p.cleanup,
    });
  }

  /** What every functional test needs: a v1-shaped API, the DeviceClass, and devices published for it. */
  async function findDevices(mochaCtx: Mocha.Context): Promise<Devices> {
    if (api.apiVersion === undefined) expect.fail(`DRA API not served: ${api.summary}`);
    if (!api.functional) p.skip(mochaCtx, `${api.summary} (functional DRA tests need resource.k8s.io v1 or v1beta2)`);
    const apiVersion = api.apiVersion;
    devicesReady ??= (async () => {
      const deviceClass = acceleratorFor(p.params).deviceClass;
      let dc: DeviceClass;
      try {
        dc = await p.kube.getJson<DeviceClass>(`/apis/${apiVersion}/deviceclasses/${encodeURIComponent(deviceClass)}`);
      } catch (err) {
        if (isNotFound(err)) {
          expect.fail(
            `DeviceClass ${deviceClass} does not exist: install the accelerator's DRA driver, or set the deviceClass parameter to its DeviceClass`,
          );
        }
        throw err;
      }
      const drivers = driversOfClass(dc);
      const all = await p.list<ResourceSlice>({ apiVersion, kind: 'ResourceSlice' });
      const slices = slicesWithDevices(all, drivers);
      const scope = drivers === undefined ? 'any driver (its selectors name none)' : `driver ${drivers.join(', ')}`;
      if (slices.length === 0) {
        expect.fail(
          `no ResourceSlices publish devices for DeviceClass ${deviceClass} (${scope}; ${String(all.length)} ResourceSlices in the cluster): ` +
            'the DRA driver publishes no devices, so no claim can be allocated',
        );
      }
      p.log(`DeviceClass ${deviceClass} selects ${scope}: ${describeSlices(slices)}`);
      return { apiVersion, deviceClass, drivers };
    })();
    return devicesReady;
  }

  /** The positive case's pod and its allocated claim, shared by the allocation and release tests. */
  function consumer(mochaCtx: Mocha.Context): Promise<Consumer> {
    return (consumerReady ??= (async () => {
      const d = await findDevices(mochaCtx);
      await create('dra-claim-template-pod.yaml', d);
      p.log(`created ResourceClaimTemplate one-accelerator and pod dra-consumer`);
      const pod = await waitFor<Pod>(p.kube, ref('v1', 'Pod', 'dra-consumer'), podRunning, p.waitOptions());
      const claimName = pod.status?.resourceClaimStatuses?.find((s) => s.name === 'accelerator')?.resourceClaimName;
      if (claimName === undefined)
        expect.fail(`pod dra-consumer runs, but its status names no ResourceClaim generated for "accelerator"`);
      const claim = await waitFor<ResourceClaim>(
        p.kube,
        ref(d.apiVersion, 'ResourceClaim', claimName),
        claimAllocated,
        p.waitOptions(),
      );
      return { pod, claim };
    })());
  }

  before(async function () {
    api = chooseDraApi(await discoverDra(p.kube));
  });

  it('APIServed', async function () {
    if (api.apiVersion === undefined) expect.fail(api.summary);
    p.log(api.summary);
    if (!api.functional) return;
    // A dry-run create proves the server validates and admits DRA objects, without side effects.
    const [claim] = loadManifests(manifestFile('accelerators', 'dra-dry-run-claim.yaml'), {
      draApiVersion: api.apiVersion,
      deviceClass: acceleratorFor(p.params).deviceClass,
    });
    if (claim === undefined) throw new Error('dra-dry-run-claim.yaml holds no object');
    const body = { ...claim, metadata: { name: claim.metadata?.name ?? 'dry-run', namespace: p.namespace } };
    await p.kube.objects.create(body, undefined, 'All');
    p.log(`dry-run create of a ResourceClaim in ${api.apiVersion} accepted`);
  });

  it('ClaimAllocatedOnPodNode', async function () {
    const d = await findDevices(this);
    const { pod, claim } = await consumer(this);
    const node = pod.spec?.nodeName ?? '';
    const results = claim.status?.allocation?.devices?.results ?? [];
    expect(results, `claim ${claim.metadata?.name ?? ''} allocation results`).to.have.length.greaterThan(0);
    const slices = await p.list<ResourceSlice>({ apiVersion: d.apiVersion, kind: 'ResourceSlice' });
    for (const r of results) {
      const where = locateDevice(slices, r);
      if (where === undefined) expect.fail(`allocated device ${deviceId(r)} is not published in any ResourceSlice`);
      p.log(
        `claim ${claim.metadata?.name ?? ''} request ${r.request}: device ${deviceId(r)} from ResourceSlice ${where.slice} (node ${where.node ?? 'none: network-attached'})`,
      );
      if (where.node !== undefined) {
        expect(where.node, `node of the ResourceSlice publishing ${deviceId(r)} (the pod runs on ${node})`).to.equal(
          node,
        );
      }
    }
    const reserved = claim.status?.reservedFor ?? [];
    const forPod = reserved.some(
      (c) => c.resource === 'pods' && c.name === pod.metadata?.name && c.uid === pod.metadata.uid,
    );
    expect(
      forPod,
      `claim reservedFor ${JSON.stringify(reserved)} names pod dra-consumer (uid ${pod.metadata?.uid ?? '?'})`,
    ).to.equal(true);
    p.log(`claim reserved for pod dra-consumer, which runs on ${node}`);
  });

  it('ClaimReleasedAfterPod', async function () {
    const d = await findDevices(this);
    const { claim } = await consumer(this);
    const claimName = claim.metadata?.name ?? '';
    await p.kube.core.deleteNamespacedPod({ namespace: p.namespace, name: 'dra-consumer', gracePeriodSeconds: 0 });
    p.log('deleted pod dra-consumer');
    await waitFor(p.kube, ref('v1', 'Pod', 'dra-consumer'), deleted, p.waitOptions());
    const seen = { released: false };
    const gone = matches<ResourceClaim | undefined>('to be released and removed', (c) => {
      if (c !== undefined && (c.status?.reservedFor ?? []).length === 0) seen.released = true;
      return c === undefined;
    });
    await waitFor(p.kube, ref(d.apiVersion, 'ResourceClaim', claimName), gone, p.waitOptions());
    p.log(`generated claim ${claimName} removed${seen.released ? ' (its reservation was dropped first)' : ''}`);
  });

  it('UnsatisfiableClaimNeverAllocated', async function () {
    const d = await findDevices(this);
    await create('dra-unsatisfiable.yaml', d);
    p.log(`created ResourceClaim unsatisfiable (its CEL selector matches no device) and pod dra-unsatisfiable`);
    const podRef = ref('v1', 'Pod', 'dra-unsatisfiable');
    const window = {
      durationMs: p.negativeWindowMs,
      log: (l: string) => {
        p.log(l);
      },
      heartbeatMs: p.heartbeatMs,
    };
    const [ran, allocated] = await Promise.all([
      expectNever<Pod>(p.kube, podRef, podRunning, window),
      expectNever<ResourceClaim>(p.kube, ref(d.apiVersion, 'ResourceClaim', 'unsatisfiable'), claimAllocated, window),
    ]);
    expect(allocated.met, allocated.summary).to.equal(false);
    expect(ran.met, ran.summary).to.equal(false);
    p.log(allocated.summary);
    p.log(ran.summary);
    const pod = await p.kube.core.readNamespacedPod({ namespace: p.namespace, name: 'dra-unsatisfiable' });
    const event = await waitFor(
      p.kube,
      eventsTarget({ ...podRef, uid: pod.metadata?.uid ?? '' }),
      eventSeen({ reason: 'FailedScheduling' }),
      p.waitOptions(),
    );
    p.log(`scheduler: ${describeEvent(event)}`);
    expect(event.message ?? '', 'FailedScheduling message names the claim as the reason').to.match(/claim/i);
  });
});
