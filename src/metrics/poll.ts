/**
 * Waiting on something that cannot be watched (a monitoring system's query API, the custom metrics
 * API): read it every `intervalMs` until a condition holds or `timeoutMs` passes. The counterpart
 * of kube/wait.ts's watch-based waitFor, and it fails the same way: WaitTimeoutError saying what was
 * awaited and what was last seen (or the last error, when every read failed).
 */
import { describeApiError } from '../kube/api-error.js';
import type { Log } from '../kube/client.js';
import { formatDuration, WaitTimeoutError } from '../kube/wait.js';

export interface PollOptions {
  /** Completes "waiting for …": `ai_conformance_inference_requests_total to reach 10`. */
  description: string;
  timeoutMs: number;
  intervalMs: number;
  log?: Log;
  heartbeatMs?: number;
}

export interface Polled<T> {
  value: T;
  elapsedMs: number;
  reads: number;
}

/**
 * Calls `read` until `done(value)` holds. A failing read is remembered and retried (monitoring
 * systems restart, adapters relist); only the deadline ends the wait.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  describe: (value: T) => string,
  options: PollOptions,
): Promise<Polled<T>> {
  const started = Date.now();
  let lastHeartbeat = started;
  let reads = 0;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    reads += 1;
    try {
      const value = await read();
      last = { value };
      lastError = undefined;
      if (done(value)) return { value, elapsedMs: Date.now() - started, reads };
    } catch (err) {
      lastError = err;
    }
    const now = Date.now();
    if (now - started >= options.timeoutMs) break;
    if (options.log !== undefined && now - lastHeartbeat >= (options.heartbeatMs ?? 30_000)) {
      lastHeartbeat = now;
      const seen = last === undefined ? 'nothing yet' : describe(last.value);
      options.log(`still waiting: ${options.description} (${formatDuration(now - started)}; last seen: ${seen})`);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(options.intervalMs, Math.max(0, options.timeoutMs - (now - started)))),
    );
  }
  const elapsed = Date.now() - started;
  const seen = last === undefined ? 'nothing' : describe(last.value);
  const error = lastError === undefined ? '' : ` (last error: ${describeApiError(lastError)})`;
  throw new WaitTimeoutError(
    `timed out after ${formatDuration(elapsed)} waiting for ${options.description}; last seen: ${seen}${error}`,
    elapsed,
    seen,
  );
}
