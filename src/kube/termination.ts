/**
 * In-container facts come back through the termination message (DESIGN.md "No special cases for
 * test clusters"): the container writes one JSON line to /dev/termination-log, and the probe reads
 * it here from the pod status. The same path works on kwok (a Stage writes it) and on real nodes.
 */
import type { Pod } from './objects.js';

export class TerminationMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminationMessageError';
  }
}

/** The pod-status parts this reads; accepts raw JSON pods and client-node V1Pod alike. */
interface PodLike {
  metadata?: { name?: string; namespace?: string };
  status?: {
    containerStatuses?: readonly ContainerStatusLike[];
    initContainerStatuses?: readonly ContainerStatusLike[];
  };
}

interface TerminatedLike {
  message?: string;
  reason?: string;
  exitCode?: number;
}

interface ContainerStatusLike {
  name: string;
  state?: { terminated?: TerminatedLike; running?: unknown; waiting?: { reason?: string } };
  lastState?: { terminated?: TerminatedLike };
}

function stateText(s: ContainerStatusLike): string {
  if (s.state?.running !== undefined) return 'running';
  if (s.state?.waiting !== undefined)
    return `waiting${s.state.waiting.reason === undefined ? '' : ` (${s.state.waiting.reason})`}`;
  return 'no state yet';
}

/**
 * Parses the JSON object a container left in its termination message (current state, else the
 * previous run's). With several lines, the last non-empty line that is JSON wins, so a container
 * may log before it reports.
 */
export function readTerminationJson(pod: PodLike | Pod, containerName: string): Record<string, unknown> {
  const p = pod;
  const podName = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? '?'}`;
  const statuses = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === containerName);
  if (status === undefined) {
    const known = statuses.map((s) => s.name).join(', ') || 'none yet';
    throw new TerminationMessageError(
      `pod ${podName} has no status for container ${containerName} (containers with status: ${known})`,
    );
  }
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (terminated === undefined) {
    throw new TerminationMessageError(
      `container ${containerName} in pod ${podName} has not terminated yet (${stateText(status)})`,
    );
  }
  const message = terminated.message ?? '';
  const how = `${terminated.reason ?? 'terminated'}, exit ${String(terminated.exitCode ?? '?')}`;
  if (message.trim() === '') {
    throw new TerminationMessageError(
      `container ${containerName} in pod ${podName} terminated (${how}) without a termination message`,
    );
  }
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i] ?? '');
    } catch {
      continue;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  }
  const preview = message.length > 120 ? `${message.slice(0, 119)}…` : message;
  throw new TerminationMessageError(
    `termination message of container ${containerName} in pod ${podName} (${how}) has no JSON object line: ${JSON.stringify(preview)}`,
  );
}
