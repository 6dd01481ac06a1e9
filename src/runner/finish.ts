/**
 * After the probes: write the evidence files, pack (and sign) the bundle, print the summary and
 * choose the exit code. Writers never talk to the cluster; everything they need is passed in.
 */
import path from 'node:path';
import { packAndSign } from '../bundle/sign.js';
import { ExitCode } from '../errors.js';
import type { ResolvedProfile } from '../profiles/load.js';
import { countStatuses, type RunResults } from '../results/model.js';
import { formatSummary } from '../results/summary.js';
import { writeResults } from '../results/write.js';
import type { Plan } from './plan.js';
import type { Progress } from './progress.js';

export interface FinishInput {
  results: RunResults;
  outputDir: string;
  profile: ResolvedProfile;
  plan: Plan;
  cluster: unknown;
  argv: string[];
  signKey: string | undefined;
  passphraseEnv: string;
  progress: Progress;
  interrupted: boolean;
  excluded: string[];
}

export function exitCodeFor(results: RunResults, interrupted: boolean): ExitCode {
  if (interrupted) return ExitCode.incomplete;
  const c = countStatuses(results.tests);
  if (c.failed > 0 || c.error > 0) return ExitCode.failed;
  if (results.run.incomplete) return ExitCode.incomplete;
  return ExitCode.ok;
}

/**
 * The reviewer's report of the bundle, beside it (`<bundle>.html`, not inside the bundle). A
 * report that cannot be rendered is a warning: the evidence and the bundle are already written.
 */
async function writeRunReport(tarball: string, progress: Progress): Promise<string | undefined> {
  const file = tarball.replace(/\.tar\.gz$/, '.html');
  try {
    const [{ buildReport }, { renderHtml }, { writeFile }] = await Promise.all([
      import('../report/data.js'),
      import('../report/html.js'),
      import('node:fs/promises'),
    ]);
    await writeFile(file, renderHtml(await buildReport({ source: tarball })));
    return file;
  } catch (err) {
    progress.line(progress.c.yellow(`report not written: ${(err as Error).message}`));
    return undefined;
  }
}

export async function finishRun(input: FinishInput): Promise<ExitCode> {
  const { results, outputDir, progress } = input;
  const resolvedProfile = {
    name: input.profile.name,
    description: input.profile.description,
    files: input.profile.files,
    checklistVersion: input.plan.checklistVersion,
    checklistSource: input.plan.checklistSource,
    levels: input.profile.levels,
    requirements: input.profile.requirements,
    parameters: input.profile.parameters,
    digest: input.profile.digest,
  };
  await writeResults(outputDir, results, { profile: resolvedProfile, cluster: input.cluster, argv: input.argv });
  const bundle = await packAndSign(outputDir, results, {
    bundleDir: path.dirname(outputDir),
    ...(input.signKey === undefined ? {} : { signKeyPath: input.signKey }),
    passphraseEnv: input.passphraseEnv,
  });

  progress.line('');
  progress.line(formatSummary(results));
  if (input.excluded.length > 0) {
    progress.line(`${String(input.excluded.length)} test(s) not selected by --focus/--skip and not run`);
  }
  if (input.interrupted) progress.line(progress.c.yellow('run interrupted: the results are partial'));
  else if (results.run.incomplete)
    progress.line(progress.c.yellow('run stopped early (--fail-fast): the results are partial'));
  progress.line(
    `results: ${path.relative(process.cwd(), outputDir) || '.'}/ (junit.xml, results.json, e2e.log, meta/)`,
  );
  const tarball = path.relative(process.cwd(), bundle.tarball);
  progress.line(`bundle:  ${tarball}`);
  if (bundle.unsigned || bundle.signature === undefined) {
    progress.line(
      progress.c.yellow(
        'bundle is UNSIGNED: make a key once (`ai-conformance keygen --out-dir keys`), then run with --sign-key keys/ai-conformance.key',
      ),
    );
  } else {
    progress.line(`signature: ${path.relative(process.cwd(), bundle.signature)}`);
  }
  const reportFile = await writeRunReport(bundle.tarball, progress);
  if (reportFile !== undefined) {
    const file = path.relative(process.cwd(), reportFile);
    progress.line(
      bundle.unsigned
        ? `report:  ${file} (unsigned bundle: nothing to check)`
        : `report:  ${file} (signature not checked there: \`ai-conformance report ${tarball} --key <your .pub> --out report.html\` checks it)`,
    );
  }
  return exitCodeFor(results, input.interrupted);
}
