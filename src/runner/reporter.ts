/**
 * The one mocha reporter: turns runner events into TestResults (the Results model) and feeds the
 * console progress. Hook failures become `error` results for every test the hook kept from running.
 */
import Mocha from 'mocha';
import { ClusterError } from '../errors.js';
import type { TestResult } from '../results/model.js';
import { allTests, testName } from './names.js';
import { probeSuites, skipReasons, type ProbeInfo } from './probe.js';
import type { Progress } from './progress.js';

const { EVENT_TEST_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_HOOK_BEGIN } =
  Mocha.Runner.constants;

export interface ReporterSink {
  progress: Progress;
  results: TestResult[];
  /** One per reporter (one reporter per parallel mocha): records its running test as an error (SIGINT). */
  interruptHandlers: ((message: string) => void)[];
}

/** mocha instantiates reporters itself; the sink is handed over through this slot. */
let nextSink: ReporterSink | undefined;
export function setReporterSink(sink: ReporterSink): void {
  nextSink = sink;
}

/**
 * Log lines go to the test of their probe that runs now; lines from hooks go to the probe's next
 * test (or its last). Keyed by probe so that probes running in parallel keep their own logs.
 */
export class LogRouter {
  private readonly buffers = new Map<string, string[]>();
  private readonly lastResults = new Map<string, TestResult>();
  take(probe: string): string[] {
    const lines = this.buffers.get(probe) ?? [];
    this.buffers.delete(probe);
    return lines;
  }
  add(probe: string, line: string): void {
    const lines = this.buffers.get(probe) ?? [];
    lines.push(line);
    this.buffers.set(probe, lines);
  }
  attachLeftovers(probe: string): void {
    const last = this.lastResults.get(probe);
    if (last) last.log.push(...this.take(probe));
  }
  finished(probe: string, result: TestResult): void {
    this.lastResults.set(probe, result);
  }
}

export const logRouter = new LogRouter();

export function probeInfo(node: Mocha.Runnable | Mocha.Suite): ProbeInfo {
  let s: Mocha.Suite | undefined = node instanceof Mocha.Suite ? node : node.parent;
  while (s) {
    const info = probeSuites.get(s);
    if (info) return info;
    s = s.parent;
  }
  return { probe: '-', requirement: '-' };
}

function skipReason(test: Mocha.Runnable): string {
  let node: Mocha.Runnable | Mocha.Suite | undefined = test;
  while (node) {
    const r = skipReasons.get(node);
    if (r !== undefined) return r;
    node = node.parent;
  }
  return 'skipped without a reason (a probe bug: use skipWithReason)';
}

/** By name, not instanceof: the error may come from another copy of the module (see process-wide.ts). */
function isSetupError(err: unknown): boolean {
  return err instanceof Error && (err.name === ClusterError.name || err.name === 'ProbeError');
}

export class ConformanceReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const sink = nextSink;
    if (!sink) throw new Error('ConformanceReporter needs setReporterSink() before mocha.run()');
    const { progress, results } = sink;
    const reported = new Set<Mocha.Runnable>();
    const started = new Map<Mocha.Runnable, number>();

    const record = (test: Mocha.Runnable, status: TestResult['status'], message?: string, details?: string): void => {
      if (reported.has(test)) return;
      reported.add(test);
      const info = probeInfo(test);
      const start = started.get(test);
      const durationMs = start === undefined ? 0 : Date.now() - start;
      const result: TestResult = {
        name: testName(test),
        requirement: info.requirement,
        probe: info.probe,
        status,
        durationMs: status === 'passed' || status === 'failed' ? (test.duration ?? durationMs) : durationMs,
        startedAt: new Date(start ?? Date.now()).toISOString(),
        log: logRouter.take(info.probe),
      };
      if (message !== undefined) result.message = message;
      if (details !== undefined) result.details = details;
      results.push(result);
      logRouter.finished(info.probe, result);
      const symbol =
        status === 'passed' ? 'pass' : status === 'failed' ? 'fail' : status === 'skipped' ? 'skip' : 'error';
      progress.testFinished(symbol, result.name, result.durationMs, message);
    };

    let running: Mocha.Runnable | undefined;
    sink.interruptHandlers.push((message) => {
      if (running) record(running, 'error', message);
    });

    runner.on(EVENT_HOOK_BEGIN, (hook: Mocha.Hook) => {
      const first = hook.parent?.tests[0];
      if (first && hook.title.includes('before')) running = first;
      // A `before all` hook runs before the first test: count its time to that test.
      if (first && !started.has(first) && hook.title.includes('before all')) started.set(first, Date.now());
    });
    runner.on(EVENT_TEST_BEGIN, (test: Mocha.Test) => {
      if (!started.has(test)) started.set(test, Date.now());
      running = test;
      progress.testStarted(testName(test));
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      record(test, 'passed');
    });
    runner.on(EVENT_TEST_FAIL, (runnable: Mocha.Runnable, err: Error) => {
      const message = err.message.trim() || err.name;
      if (runnable instanceof Mocha.Hook) {
        const hook = runnable;
        if (hook.title.includes('after')) {
          const probe = probeInfo(hook).probe;
          logRouter.add(probe, `cleanup hook failed: ${message}`);
          logRouter.attachLeftovers(probe);
          progress.line(
            progress.c.red(`    ! ${hook.parent ? testName(hook.parent) : ''}: cleanup failed: ${message}`),
          );
          return;
        }
        // A failed `before` keeps every remaining test of its suite from running: each is an error.
        const suite = hook.parent;
        for (const t of suite ? allTests(suite) : []) {
          record(t, 'error', `setup failed: ${message}`, err.stack);
        }
        return;
      }
      record(runnable, isSetupError(err) ? 'error' : 'failed', message, err.stack);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      record(test, 'skipped', skipReason(test));
    });
  }
}
