/**
 * The one wait: `waitFor(kube, target, condition, { timeoutMs })`, in the shape of e2e-framework's
 * `wait.For(conditions.PodRunning)`. Watch-based (see watch-state.ts): no fixed sleeps, no polling.
 * `expectNever` is its negative twin for "nothing reaches Running within the window".
 */
import { UserError, ExitCode } from '../errors.js';
import { TerminalConditionError, type Condition, type ConditionResult } from './conditions.js';
import { describeApiError } from './api-error.js';
import type { Kube, Log } from './client.js';
import { describeTarget, type KubeObject, type ListTarget, type ObjectRef } from './objects.js';
import { formatDuration } from './status-text.js';
import { TargetWatcher, type Observed } from './watch-state.js';

export { TerminalConditionError, type Condition, type ConditionResult } from './conditions.js';
export { formatDuration } from './status-text.js';

/** A wait that ran out of time; the message says what was awaited and what was last seen. */
export class WaitTimeoutError extends UserError {
  readonly elapsedMs: number;
  readonly lastSeen: string;
  constructor(message: string, elapsedMs: number, lastSeen: string) {
    super(message, ExitCode.failed);
    this.elapsedMs = elapsedMs;
    this.lastSeen = lastSeen;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Receives `still waiting: …` heartbeats; without it there are none. */
  log?: Log;
  /** Heartbeat period, default 30 s. */
  heartbeatMs?: number;
  /** Ends the wait early (SIGINT), rejecting with the signal's reason. */
  signal?: AbortSignal;
}

export interface NeverOptions {
  durationMs: number;
  log?: Log;
  heartbeatMs?: number;
  signal?: AbortSignal;
}

/** What expectNever saw. `met: false` is the passing outcome of a negative check. */
export interface NeverResult<In, V> {
  met: boolean;
  /** The condition's value when it was met. */
  value?: V;
  /** When it was met, or how long it was watched. */
  elapsedMs: number;
  /** The last state seen. */
  last: In;
  /** One line for logs and assertion messages. */
  summary: string;
}

interface Outcome<In, V> {
  kind: 'met' | 'terminal' | 'expired';
  value?: V;
  reason?: string;
  last: In | undefined;
  seen: boolean;
  lastError: unknown;
  elapsedMs: number;
}

/** Runs the watcher until the condition is met, is terminal, or `windowMs` passes. */
function observe<In, V>(
  kube: Kube,
  target: ObjectRef | ListTarget,
  condition: Condition<In, V>,
  windowMs: number,
  opts: { log?: Log; heartbeatMs?: number; signal?: AbortSignal },
): Promise<Outcome<In, V>> {
  const started = Date.now();
  const what = `${describeTarget(target)} ${condition.description}`;
  return new Promise((resolve, reject) => {
    let last: In | undefined;
    let seen = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: Omit<Outcome<In, V>, 'last' | 'seen' | 'lastError' | 'elapsedMs'> | Error): void => {
      for (const t of timers) clearTimeout(t); // also clears the heartbeat interval
      watcher.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve({ ...outcome, last, seen, lastError: watcher.lastError, elapsedMs: Date.now() - started });
    };
    const onAbort = (): void => {
      const reason: unknown = opts.signal?.reason;
      finish(reason instanceof Error ? reason : new Error(`wait aborted: ${what}`));
    };
    const watcher = new TargetWatcher(
      kube,
      target,
      (observed: Observed) => {
        last = observed as In;
        seen = true;
        let result: ConditionResult<V>;
        try {
          result = condition.test(last);
        } catch (err) {
          if (err instanceof TerminalConditionError) finish({ kind: 'terminal', reason: err.message });
          else finish(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (result === true) finish({ kind: 'met', value: last as unknown as V });
        else if (result !== false) finish({ kind: 'met', value: result.value });
      },
      (err) => {
        finish(new Error(`cannot watch ${describeTarget(target)}: ${describeApiError(err)}`, { cause: err }));
      },
    );
    timers.push(
      setTimeout(() => {
        finish({ kind: 'expired' });
      }, windowMs),
    );
    if (opts.log !== undefined) {
      const log = opts.log;
      timers.push(
        setInterval(() => {
          log(`still waiting: ${what} (${formatDuration(Date.now() - started)})`);
        }, opts.heartbeatMs ?? 30_000),
      );
    }
    if (opts.signal?.aborted === true) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort);
    watcher.start();
  });
}

function lastSeenText<In>(condition: Condition<In, unknown>, o: Outcome<In, unknown>): string {
  const seen = o.seen ? condition.describe(o.last as In) : 'nothing yet';
  return o.lastError === undefined ? seen : `${seen} (last API error: ${describeApiError(o.lastError)})`;
}

/**
 * Waits until `condition` holds for the target and returns the object (or list) that met it, or
 * the condition's value. Throws WaitTimeoutError at `timeoutMs` and TerminalConditionError when the
 * condition says it can no longer be met.
 */
export function waitFor<T extends KubeObject = KubeObject, V = T>(
  kube: Kube,
  target: ObjectRef,
  condition: Condition<T | undefined, V>,
  options: WaitOptions,
): Promise<V>;
export function waitFor<T extends KubeObject = KubeObject, V = T[]>(
  kube: Kube,
  target: ListTarget,
  condition: Condition<T[], V>,
  options: WaitOptions,
): Promise<V>;
export async function waitFor<V>(
  kube: Kube,
  target: ObjectRef | ListTarget,
  condition: Condition<never, V>,
  options: WaitOptions,
): Promise<V> {
  const c = condition as Condition<unknown, V>;
  const o = await observe(kube, target, c, options.timeoutMs, options);
  const what = `${describeTarget(target)} ${c.description}`;
  if (o.kind === 'met') return o.value as V;
  if (o.kind === 'terminal') {
    throw new TerminalConditionError(
      `gave up waiting for ${what} after ${formatDuration(o.elapsedMs)}: ${o.reason ?? ''}`,
    );
  }
  const seen = lastSeenText(c, o);
  throw new WaitTimeoutError(
    `timed out after ${formatDuration(o.elapsedMs)} waiting for ${what}; last seen: ${seen}`,
    o.elapsedMs,
    seen,
  );
}

/**
 * Watches the target for `durationMs` and reports whether `condition` was ever met (it returns
 * as soon as it is). A condition that turns terminal ends the window early with `met: false`.
 * Throws when the target could not be observed at all, so an API failure never passes as "never".
 */
export function expectNever<T extends KubeObject = KubeObject, V = T>(
  kube: Kube,
  target: ObjectRef,
  condition: Condition<T | undefined, V>,
  options: NeverOptions,
): Promise<NeverResult<T | undefined, V>>;
export function expectNever<T extends KubeObject = KubeObject, V = T[]>(
  kube: Kube,
  target: ListTarget,
  condition: Condition<T[], V>,
  options: NeverOptions,
): Promise<NeverResult<T[], V>>;
export async function expectNever<V>(
  kube: Kube,
  target: ObjectRef | ListTarget,
  condition: Condition<never, V>,
  options: NeverOptions,
): Promise<NeverResult<unknown, V>> {
  const c = condition as Condition<unknown, V>;
  const o = await observe(kube, target, c, options.durationMs, options);
  const what = `${describeTarget(target)} ${c.description}`;
  if (!o.seen) {
    throw new Error(
      `could not observe ${describeTarget(target)} during ${formatDuration(o.elapsedMs)}: ${lastSeenText(c, o)}`,
    );
  }
  if (o.kind === 'met') {
    const result: NeverResult<unknown, V> = {
      met: true,
      elapsedMs: o.elapsedMs,
      last: o.last,
      summary: `saw ${what} after ${formatDuration(o.elapsedMs)}: ${c.describe(o.last)}`,
    };
    if (o.value !== undefined) result.value = o.value;
    return result;
  }
  const summary =
    o.kind === 'terminal'
      ? `${what} can no longer happen (after ${formatDuration(o.elapsedMs)}): ${o.reason ?? ''}`
      : `for ${formatDuration(o.elapsedMs)}, never saw ${what}; last seen: ${lastSeenText(c, o)}`;
  return { met: false, elapsedMs: o.elapsedMs, last: o.last, summary };
}
