/**
 * A last-in-first-out cleanup registry, filled as objects are created and run on every exit path
 * (after hooks, failures, timeouts, SIGINT/SIGTERM). One per probe and one per run.
 */
import { describeApiError } from './api-error.js';
import type { Log } from './client.js';

export type CleanupFn = () => Promise<void> | void;

export interface CleanupFailure {
  description: string;
  error: unknown;
}

interface Entry {
  description: string;
  fn: CleanupFn;
}

export class CleanupStack {
  private readonly entries: Entry[] = [];
  private running: Promise<CleanupFailure[]> | undefined;

  /** Registers an undo step; `description` says what it undoes (`delete namespace aic-x`). */
  push(description: string, fn: CleanupFn): void {
    this.entries.push({ description, fn });
  }

  /** Steps registered and not yet run. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Runs every step, newest first, continuing past failures (each is logged and returned). Each
   * step runs once: a second call finds nothing to do, and a call made while a run is in progress
   * (a signal arriving during an after hook) joins that run instead of starting steps twice.
   */
  run(log: Log): Promise<CleanupFailure[]> {
    this.running ??= this.drain(log).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(log: Log): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    // Steps pushed while draining (a cleanup that registers another) run in the same pass.
    for (let entry = this.entries.pop(); entry !== undefined; entry = this.entries.pop()) {
      try {
        await entry.fn();
      } catch (error) {
        failures.push({ description: entry.description, error });
        log(`cleanup failed: ${entry.description}: ${describeApiError(error)}`);
      }
    }
    return failures;
  }
}
