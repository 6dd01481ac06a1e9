/**
 * One conformance run, start to end: profile → plan → cluster preflight → mocha over the planned
 * probes → Results → writers → bundle. SIGINT/SIGTERM drain every cleanup stack, write the partial
 * results and end with exit code 4.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import type { Kube } from '../kube/client.js';
import { applyOverrides, loadProfile, type ResolvedProfile } from '../profiles/load.js';
import { durationMs } from '../profiles/parameters.js';
import { specFile, packageVersion } from '../paths.js';
import type { RunResults, TestResult } from '../results/model.js';
import { setRunContext, type RunContext } from './context.js';
import { allTests, goNameForRequirement, testName } from './names.js';
import { buildPlan, resolveChecklistVersion, type Plan } from './plan.js';
import { Progress } from './progress.js';
import { logRouter, probeInfo, type ReporterSink } from './reporter.js';
import { loadBatches, pruneTests, runBatches } from './batches.js';
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
  /** Mocha instances running probes at the same time (default 1). */
  parallel?: number | undefined;
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
    log: (line, probe = '-') => {
      logRouter.add(probe, line);
      progress.line(`    ${progress.c.dim(new Date().toISOString().slice(11, 19))} ${probe}: ${line}`);
    },
  };
  setRunContext(ctx);

  const files = [...new Set(plan.items.filter((i) => i.run).flatMap((i) => i.probes.map((p) => specFile(p.spec))))];
  const batches = await loadBatches(files, {
    parallel: o.parallel ?? 1,
    bail: o.failFast,
    timeoutMs: durationMs(profile.parameters, 'probeTimeout'),
  });
  const excluded = batches.flatMap((m) => pruneTests(m.suite, (name) => selected(name, focus, skip)));

  if (o.dryRun) {
    printPlan(
      progress,
      profile,
      plan,
      batches.flatMap((m) => allTests(m.suite)),
      excluded,
    );
    for (const m of batches) m.dispose();
    return ExitCode.ok;
  }

  const startedAt = new Date();
  progress.line(`ai-conformance ${packageVersion()} run ${runId}`);
  progress.line(`profile ${profile.name}, checklist v${version} (${source})`);
  progress.line(`cluster ${kube?.server() ?? '?'} (Kubernetes ${server?.gitVersion ?? '?'})`);
  if (batches.length > 1) progress.line(`running ${String(batches.length)} probe batches in parallel`);

  const results: TestResult[] = planSkips(plan, focus, skip);
  for (const r of results) progress.testFinished('skip', r.name, 0, r.message);
  const sink: ReporterSink = { progress, results, interruptHandlers: [] };

  const outcome = await runBatches(batches, ctx, progress, sink);
  progress.stop();

  const runResults: RunResults = {
    run: {
      runId,
      tool: { name: 'ai-conformance', version: packageVersion() },
      profile: { name: profile.name, checklistVersion: version, digest: profile.digest },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      incomplete: outcome.interrupted || outcome.notRun > 0,
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

function printPlan(
  progress: Progress,
  profile: ResolvedProfile,
  plan: Plan,
  tests: Mocha.Test[],
  excluded: string[],
): void {
  progress.line(`profile ${profile.name} (${profile.files.map((f) => path.relative(process.cwd(), f)).join(' <- ')})`);
  progress.line(`checklist v${plan.checklistVersion} (${plan.checklistSource})`);
  progress.line('dry run: nothing is created; this is what a run would do:');
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
