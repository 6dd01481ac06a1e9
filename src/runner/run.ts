/**
 * One conformance run, start to end: profile → plan → cluster preflight → mocha over the planned
 * probes → Results → writers → bundle. SIGINT/SIGTERM drain every cleanup stack, write the partial
 * results and end with exit code 4.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Mocha from 'mocha';
import { ExitCode, UsageError } from '../errors.js';
import type { Kube } from '../kube/client.js';
import { applyOverrides, loadProfile, type ResolvedProfile } from '../profiles/load.js';
import { durationMs } from '../profiles/parameters.js';
import { specFile, packageVersion } from '../paths.js';
import type { RunResults, TestResult } from '../results/model.js';
import { setRunContext, type RunContext } from './context.js';
import { goNameForRequirement, testName } from './names.js';
import { buildPlan, resolveChecklistVersion, type Plan } from './plan.js';
import { Progress } from './progress.js';
import { ConformanceReporter, logRouter, probeInfo, setReporterSink, type ReporterSink } from './reporter.js';
import { finishRun } from './finish.js';
import { loadSigningKey } from '../bundle/keys.js';

export interface RunOptions {
  profile: string;
  set: string[];
  kubeconfig?: string | undefined;
  context?: string | undefined;
  output?: string | undefined;
  focus?: string | undefined;
  skip?: string | undefined;
  dryRun: boolean;
  failFast: boolean;
  timeout?: string | undefined;
  signKey?: string | undefined;
  passphraseEnv: string;
  argv: string[];
  stdout?: NodeJS.WriteStream;
}

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function compileFilter(flag: string, source: string | undefined): RegExp | undefined {
  if (source === undefined || source === '') return undefined;
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UsageError(`${flag}: invalid regular expression: ${(e as Error).message}`);
  }
}

export function selected(name: string, focus: RegExp | undefined, skip: RegExp | undefined): boolean {
  return (focus === undefined || focus.test(name)) && (skip === undefined || !skip.test(name));
}

function resolveProfile(o: RunOptions): ResolvedProfile {
  const profile = loadProfile(o.profile, o.set);
  if (o.timeout !== undefined) applyOverrides(profile.parameters, [`probeTimeout=${o.timeout}`]);
  return profile;
}

export async function runConformance(o: RunOptions): Promise<ExitCode> {
  const out = o.stdout ?? process.stdout;
  const profile = resolveProfile(o);
  const focus = compileFilter('--focus', o.focus);
  const skip = compileFilter('--skip', o.skip);
  const runId = newRunId();
  const progress = new Progress({ stream: out, heartbeatMs: durationMs(profile.parameters, 'heartbeat') });

  let kube: Kube | undefined;
  let server: { gitVersion: string; major: string; minor: string } | undefined;
  let cluster: unknown;
  if (!o.dryRun) {
    // A bad key or passphrase must fail now, not after a long run.
    if (o.signKey !== undefined) await loadSigningKey(o.signKey, o.passphraseEnv);
    const { connect } = await import('./connect.js');
    ({ kube, server, cluster } = await connect(o.kubeconfig, o.context));
  }
  const { version, source } = resolveChecklistVersion(profile.checklistVersion, server);
  const plan = buildPlan(profile, version, source);

  const ctx: RunContext = {
    runId,
    checklistVersion: version,
    params: profile.parameters,
    kube,
    pendingCleanups: new Set(),
    log: (line) => {
      logRouter.add(line);
      progress.line(`    ${progress.c.dim(new Date().toISOString().slice(11, 19))} ${line}`);
    },
  };
  setRunContext(ctx);

  const mocha = new Mocha({ reporter: ConformanceReporter, bail: o.failFast, timeout: durationMs(profile.parameters, 'probeTimeout') });
  const files = [...new Set(plan.items.filter((i) => i.run).flatMap((i) => i.probes.map((p) => specFile(p.spec))))];
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const excluded = pruneTests(mocha.suite, focus, skip);

  if (o.dryRun) {
    printPlan(progress, profile, plan, mocha.suite, excluded);
    mocha.dispose();
    return ExitCode.ok;
  }

  const startedAt = new Date();
  progress.line(`ai-conformance ${packageVersion()} run ${runId}`);
  progress.line(`profile ${profile.name}, checklist v${version} (${source})`);
  progress.line(`cluster ${kube?.server() ?? '?'} (Kubernetes ${server?.gitVersion ?? '?'})`);

  const results: TestResult[] = planSkips(plan, focus, skip);
  for (const r of results) progress.testFinished('skip', r.name, 0, r.message);
  const sink: ReporterSink = { progress, results };
  setReporterSink(sink);

  const outcome = await runMocha(mocha, ctx, progress, sink);
  progress.stop();
  mocha.dispose();

  const runResults: RunResults = {
    run: {
      runId,
      tool: { name: 'ai-conformance', version: packageVersion() },
      profile: { name: profile.name, checklistVersion: version, digest: profile.digest },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      incomplete: outcome.interrupted || outcome.bailed,
      ...(server ? { serverVersion: server.gitVersion } : {}),
    },
    tests: results,
  };
  const outputDir = path.resolve(o.output ?? path.join('reports', runId));
  return finishRun({
    results: runResults,
    outputDir,
    profile,
    plan,
    cluster,
    argv: o.argv,
    signKey: o.signKey,
    passphraseEnv: o.passphraseEnv,
    progress,
    interrupted: outcome.interrupted,
    excluded,
  });
}

/** Requirements that will not run get one skipped result each, named after the upstream test. */
function planSkips(plan: Plan, focus: RegExp | undefined, skip: RegExp | undefined): TestResult[] {
  const now = new Date().toISOString();
  return plan.items
    .filter((i) => !i.run)
    .map((i): TestResult => ({
      name: i.requirement.upstreamTest ?? goNameForRequirement(i.requirement.id),
      requirement: i.requirement.id,
      probe: '-',
      status: 'skipped',
      message: i.reason ?? 'skipped',
      durationMs: 0,
      startedAt: now,
      log: [],
    }))
    .filter((r) => selected(r.name, focus, skip));
}

/** Drops tests that --focus/--skip exclude, before anything runs; empty suites then run no hooks. */
function pruneTests(suite: Mocha.Suite, focus: RegExp | undefined, skip: RegExp | undefined): string[] {
  const excluded: string[] = [];
  const walk = (s: Mocha.Suite): void => {
    s.tests = s.tests.filter((t) => {
      const keep = selected(testName(t), focus, skip);
      if (!keep) excluded.push(testName(t));
      return keep;
    });
    s.suites.forEach(walk);
    s.suites = s.suites.filter((c) => c.total() > 0);
  };
  walk(suite);
  return excluded;
}

interface MochaOutcome {
  interrupted: boolean;
  bailed: boolean;
}

async function runMocha(mocha: Mocha, ctx: RunContext, progress: Progress, sink: ReporterSink): Promise<MochaOutcome> {
  let runner: Mocha.Runner | undefined;
  let failures = 0;
  const finished = new Promise<'done'>((resolve) => {
    runner = mocha.run((f) => {
      failures = f;
      resolve('done');
    });
  });
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const interrupted = new Promise<'interrupted'>((resolve) => {
    onSignal = (signal) => {
      progress.line(`received ${signal}: stopping, cleaning up and writing partial results (again to force)`);
      process.removeListener('SIGINT', onSignal!);
      process.removeListener('SIGTERM', onSignal!);
      process.once('SIGINT', () => process.exit(ExitCode.incomplete));
      process.once('SIGTERM', () => process.exit(ExitCode.incomplete));
      runner?.abort();
      resolve('interrupted');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const how = await Promise.race([finished, interrupted]);
  if (onSignal) {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (how === 'interrupted') {
    sink.interruptRunning?.('interrupted before the test finished (SIGINT/SIGTERM)');
    // The aborted runner may still fire for the abandoned test; nobody listens any more.
    runner?.removeAllListeners();
    // The test that was running never ends on its own now: drain every cleanup stack (LIFO each).
    for (const stack of [...ctx.pendingCleanups].reverse()) {
      await stack.run((line: string) => {
        progress.line(`    ${line}`);
      });
      ctx.pendingCleanups.delete(stack);
    }
    return { interrupted: true, bailed: false };
  }
  const total = mocha.suite.total();
  return { interrupted: false, bailed: mocha.options.bail === true && failures > 0 && runner !== undefined && total > 0 };
}

function printPlan(progress: Progress, profile: ResolvedProfile, plan: Plan, root: Mocha.Suite, excluded: string[]): void {
  progress.line(`profile ${profile.name} (${profile.files.map((f) => path.relative(process.cwd(), f)).join(' <- ')})`);
  progress.line(`checklist v${plan.checklistVersion} (${plan.checklistSource})`);
  progress.line('dry run: nothing is created; this is what a run would do:');
  const tests = collectTests(root);
  for (const item of plan.items) {
    const level = item.level ?? '—';
    const head = `${item.requirement.id} [${level}]`;
    if (!item.run) {
      progress.line(`  - ${head}: skip (${item.reason ?? ''})`);
      continue;
    }
    progress.line(`  + ${head}: run probes ${item.probes.map((p) => p.id).join(', ')}`);
    for (const t of tests.filter((t) => probeInfo(t).requirement === item.requirement.id)) {
      progress.line(`      ${testName(t)}`);
    }
  }
  if (excluded.length > 0) progress.line(`not selected by --focus/--skip: ${excluded.join(', ')}`);
}

function collectTests(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(collectTests)];
}
