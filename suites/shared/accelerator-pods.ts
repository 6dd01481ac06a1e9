/**
 * What the probes that run accelerator pods share: the templates' placeholders, the pod reference,
 * and the pod conditions of device-holding pods.
 */
import type { ManifestParams } from '../../src/kube/manifest.js';
import { describePod } from '../../src/kube/conditions.js';
import type { KubeObject, ObjectRef, Pod } from '../../src/kube/objects.js';
import { TerminalConditionError, type Condition } from '../../src/kube/wait.js';
import type { Accelerator } from '../../src/requirements/accelerators.js';
import type { ProbeHandle } from '../../src/runner/probe.js';
import { deviceReportScript } from './device-report.js';

export function podRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: 'v1', kind: 'Pod', namespace, name };
}

/**
 * The placeholders every accelerator pod template uses: image, vendor taint to tolerate, and the
 * device-report command that holds the devices for `seconds` (announced in the duration annotation).
 */
export function podParams(p: ProbeHandle, acc: Accelerator, name: string, seconds: number): ManifestParams {
  return {
    name,
    seconds,
    probeImage: p.param('probeImage'),
    taintKey: acc.taintKey,
    script: deviceReportScript(acc, seconds),
  };
}

/** Adds `name=value` to the environment of the named containers of a pod object. */
export function addEnv(pod: KubeObject, containers: readonly string[], name: string, value: string): void {
  const spec = pod.spec as { containers?: { name: string; env?: { name: string; value: string }[] }[] } | undefined;
  for (const c of spec?.containers ?? []) {
    if (containers.includes(c.name)) c.env = [...(c.env ?? []), { name, value }];
  }
}

/**
 * The pod got past scheduling and kubelet admission: Running, or already Succeeded. Terminal when
 * it Failed (a kubelet that cannot allocate the devices fails the pod with UnexpectedAdmissionError).
 */
export const podStarted: Condition<Pod | undefined, Pod> = {
  description: 'to start (Running or Succeeded)',
  test(pod) {
    if (pod === undefined) return false;
    if (pod.status?.phase === 'Failed') throw new TerminalConditionError(`pod failed: ${describePod(pod)}`);
    return pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' ? { done: true, value: pod } : false;
  },
  describe: describePod,
};

/**
 * The scheduler decided: the pod is bound to a node, or reported Unschedulable. For pods that fill
 * a node, where "could not be placed" must end the wait at once rather than after a timeout.
 */
export const podPlacedOrUnschedulable: Condition<Pod | undefined, Pod> = {
  description: 'to be bound to a node or reported Unschedulable',
  test(pod) {
    if (pod === undefined) return false;
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const unschedulable = scheduled?.status === 'False' && scheduled.reason === 'Unschedulable';
    return pod.spec?.nodeName !== undefined || unschedulable ? { done: true, value: pod } : false;
  },
  describe: describePod,
};
