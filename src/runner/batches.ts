/**
 * Mocha driven from code. With `--parallel N` the spec files are dealt round-robin to N mocha
 * instances that run at the same time in this process; each has its own reporter feeding the same
 * Results list. Probes of different requirements keep to their own namespaces, so they do not
 * interfere. Files are loaded one instance after the other (mocha's `describe` is a global).
 */
import { pathToFileURL } from 'node:url';
import Mocha from 'mocha';
import { ExitCode } from '../errors.js';
import type { RunContext } from './context.js';
import { testName } from './names.js';
import type { Progress } from './progress.js';
import { ConformanceReporter, setReporterSink, type ReporterSink } from './reporter.js';

export interface BatchOptions {
  parallel: number;
  bail: boolean;
  timeoutMs: number;
}

const { EVENT_FILE_PRE_REQUIRE, EVENT_FILE_REQUIRE, EVENT_FILE_POST_REQUIRE } = Mocha.Suite.constants;

export async function loadBatches(files: readonly string[], options: BatchOptions): Promise<Mocha[]> {
  const count = Math.max(1, Math.min(options.parallel, files.length));
  const batches = Array.from(
    { length: count },
    () => new Mocha({ reporter: ConformanceReporter, bail: options.bail, timeout: options.timeoutMs }),
  );
  const assigned = batches.map((): string[] => []);
  files.forEach((f, i) => assigned[i % count]?.push(f));
  for (const [i, m] of batches.entries()) await importSpecs(m, assigned[i] ?? []);
  return batches;
}

/**
 * What mocha's loadFilesAsync does, with `import()` only. Mocha 12 tries `require()` first
 * (require(esm)); under a TypeScript loader that evaluates a second, CommonJS copy of the spec and
 * of src/runner, whose run context is empty, and the half-built suite then nests every later one.
 */
async function importSpecs(mocha: Mocha, files: readonly string[]): Promise<void> {
  (mocha as Mocha & { lazyLoadFiles(enable: boolean): Mocha }).lazyLoadFiles(true);
  for (const file of files) {
    mocha.files.push(file);
    mocha.suite.emit(EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
    const loaded: unknown = await import(pathToFileURL(file).href);
    mocha.suite.emit(EVENT_FILE_REQUIRE, loaded, file, mocha);
    mocha.suite.emit(EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
  }
}

/** Drops the tests a filter rejects, before anything runs; emptied suites then run no hooks. */
export function pruneTests(suite: Mocha.Suite, keep: (name: string) => boolean): string[] {
  const excluded: string[] = [];
  const walk = (s: Mocha.Suite): void => {
    s.tests = s.tests.filter((t) => {
      const ok = keep(testName(t));
      if (!ok) excluded.push(testName(t));
      return ok;
    });
    s.suites.forEach(walk);
    s.suites = s.suites.filter((c) => c.total() > 0);
  };
  walk(suite);
  return excluded;
}

export interface BatchOutcome {
  interrupted: boolean;
  /** Tests that were planned but never reported (a --fail-fast stop, or an interruption). */
  notRun: number;
}

export async function runBatches(
  batches: Mocha[],
  ctx: RunContext,
  progress: Progress,
  sink: ReporterSink,
): Promise<BatchOutcome> {
  const planned = batches.reduce((n, m) => n + m.suite.total(), 0);
  const before = sink.results.length;
  const runners: Mocha.Runner[] = [];
  const finished = Promise.all(
    batches.map(
      (m) =>
        new Promise<void>((resolve) => {
          setReporterSink(sink); // the reporter is created inside run(), synchronously
          runners.push(
            m.run(() => {
              resolve();
            }),
          );
        }),
    ),
  ).then(() => 'done' as const);

  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const interrupted = new Promise<'interrupted'>((resolve) => {
    onSignal = (signal) => {
      progress.line(`received ${signal}: stopping, cleaning up and writing partial results (again to force)`);
      detach();
      process.once('SIGINT', () => process.exit(ExitCode.incomplete));
      process.once('SIGTERM', () => process.exit(ExitCode.incomplete));
      for (const r of runners) r.abort();
      resolve('interrupted');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const detach = (): void => {
    if (!onSignal) return;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };

  const how = await Promise.race([finished, interrupted]);
  detach();
  if (how === 'interrupted') {
    for (const handler of sink.interruptHandlers) handler('interrupted before the test finished (SIGINT/SIGTERM)');
    // The aborted runners may still fire for the abandoned tests; nobody listens any more.
    for (const r of runners) r.removeAllListeners();
    // The running tests never end on their own now: drain every cleanup stack (each LIFO).
    for (const stack of [...ctx.pendingCleanups].reverse()) {
      await stack.run((line: string) => {
        progress.line(`    ${line}`);
      });
      ctx.pendingCleanups.delete(stack);
    }
  }
  // An interrupted instance still "runs" its abandoned test, and mocha refuses to dispose it then.
  if (how === 'done') for (const m of batches) m.dispose();
  return { interrupted: how === 'interrupted', notRun: Math.max(0, planned - (sink.results.length - before)) };
}
