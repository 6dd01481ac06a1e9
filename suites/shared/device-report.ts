/**
 * In-container facts about accelerators (DESIGN.md "No special cases for test clusters"): the probe
 * container lists the device nodes it sees and the vendor tool's device ids, writes them as ONE JSON
 * line `{"devices":[...],"ids":[...]}` to its termination message, and sleeps for the time its
 * `ai-conformance.io/duration` annotation announces. The probe reads the line back from the pod status.
 */
import { readTerminationJson, TerminationMessageError } from '../../src/kube/termination.js';
import type { Pod } from '../../src/kube/objects.js';
import type { Accelerator } from '../../src/requirements/accelerators.js';
import { ProbeError } from '../../src/runner/probe.js';

export interface DeviceReport {
  /** Device nodes matching the accelerator's glob, e.g. `/dev/nvidia0`. */
  devices: string[];
  /** Device ids from the vendor tool (`nvidia-smi -L` UUIDs); empty where the vendor has none. */
  ids: string[];
}

/**
 * The container command (busybox sh): report, then hold the devices for `seconds`. A glob that
 * matches nothing stays literal in sh, hence the `-e` test; a missing vendor tool yields no ids.
 */
export function deviceReportScript(acc: Accelerator, seconds: number): string {
  const ids =
    acc.deviceIdCommand === undefined
      ? ''
      : `for i in $( (${acc.deviceIdCommand}) 2>/dev/null); do ids="$ids,\\"$i\\""; done; `;
  return (
    `devices=''; ids=''; ` +
    `for d in ${acc.deviceGlob}; do [ -e "$d" ] && devices="$devices,\\"$d\\""; done; ` +
    ids +
    `printf '{"devices":[%s],"ids":[%s]}\\n' "\${devices#,}" "\${ids#,}" > /dev/termination-log; ` +
    `sleep ${String(seconds)}`
  );
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** Checks the shape of a report; `where` names the container for the error. */
export function parseDeviceReport(json: Record<string, unknown>, where: string): DeviceReport {
  const devices = stringList(json['devices']);
  const ids = stringList(json['ids'] ?? []);
  if (devices === undefined || ids === undefined) {
    throw new ProbeError(
      `${where} reported ${JSON.stringify(json)}, not {"devices":[...],"ids":[...]} with string lists`,
    );
  }
  return { devices, ids };
}

/** The report of one container of a finished pod; a missing or malformed report means the probe could not run. */
export function readDeviceReport(pod: Pod, container: string): DeviceReport {
  const where = `container ${container} of pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? '?'}`;
  try {
    return parseDeviceReport(readTerminationJson(pod, container), where);
  } catch (err) {
    if (err instanceof TerminationMessageError)
      throw new ProbeError(`no device report: ${err.message}`, { cause: err });
    throw err;
  }
}

/** `1 device: /dev/nvidia0 (ids: GPU-…)`, `no device`: the wording of assertion messages. */
export function describeReport(r: DeviceReport): string {
  if (r.devices.length === 0 && r.ids.length === 0) return 'no device';
  const n = Math.max(r.devices.length, r.ids.length);
  const devices = r.devices.length > 0 ? `: ${r.devices.join(', ')}` : '';
  const ids = r.ids.length > 0 ? ` (ids: ${r.ids.join(', ')})` : '';
  return `${String(n)} device${n === 1 ? '' : 's'}${devices}${ids}`;
}

/** How many accelerators the container sees: device nodes, or vendor ids where those are more. */
export function deviceCount(r: DeviceReport): number {
  return Math.max(r.devices.length, r.ids.length);
}

/**
 * What identifies the devices two containers got: ids when both reported ids (device node names
 * can repeat across containers once a runtime renumbers them), else the device nodes.
 */
export function sharedDevices(a: DeviceReport, b: DeviceReport): string[] {
  const useIds = a.ids.length > 0 && b.ids.length > 0;
  const left = useIds ? a.ids : a.devices;
  const right = new Set(useIds ? b.ids : b.devices);
  return left.filter((x) => right.has(x));
}

export interface RunInterval {
  container: string;
  startedAt: string;
  finishedAt: string;
}

/** When a finished container ran, from its terminated state. */
export function runInterval(pod: Pod, container: string): RunInterval | undefined {
  const t = pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.terminated;
  if (t?.startedAt === undefined || t.finishedAt === undefined) return undefined;
  return { container: `${pod.metadata?.name ?? '?'}/${container}`, startedAt: t.startedAt, finishedAt: t.finishedAt };
}

/** True when every interval was running at one common instant (the latest start precedes the earliest finish). */
export function overlapping(intervals: readonly RunInterval[]): boolean {
  const latestStart = Math.max(...intervals.map((i) => Date.parse(i.startedAt)));
  const earliestFinish = Math.min(...intervals.map((i) => Date.parse(i.finishedAt)));
  return latestStart < earliestFinish;
}
