/**
 * `ai-conformance run`: flags only. The work happens in src/runner/run.ts, imported when the
 * command runs so that `--help` stays fast.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_PASSPHRASE_ENV } from '../bundle/keys.js';

interface RunArgs {
  profile: string;
  kubeconfig?: string;
  context?: string;
  output?: string;
  set: string[];
  focus?: string;
  skip?: string;
  'dry-run': boolean;
  'fail-fast': boolean;
  parallel: number;
  timeout?: string;
  'sign-key'?: string;
  'passphrase-env': string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the probes of a profile against a live cluster and write the evidence and bundle',
  builder: (y: Argv) =>
    y
      .option('profile', {
        alias: 'p',
        type: 'string',
        default: 'full',
        describe: 'Profile name (profiles/<name>.yaml) or path to a profile file',
      })
      .option('kubeconfig', {
        type: 'string',
        describe: 'Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster config)',
      })
      .option('context', { type: 'string', describe: 'Kubeconfig context to use (default: the current context)' })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe:
          'Folder for junit.xml, results.json, e2e.log and meta/ (default: reports/<run-id>/); the bundle goes beside it',
      })
      .option('set', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'Override a profile parameter, e.g. --set gangSize=8 (repeatable; see `list --parameters`)',
      })
      .option('focus', {
        type: 'string',
        describe: 'Run only tests whose Go-style name matches this regular expression',
      })
      .option('skip', {
        type: 'string',
        describe: 'Do not run tests whose Go-style name matches this regular expression',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Print the plan (each requirement, its probes and tests, or why it is skipped) and create nothing',
      })
      .option('fail-fast', {
        type: 'boolean',
        default: false,
        describe: 'Stop after the first failed test (results are marked incomplete)',
      })
      .option('parallel', {
        type: 'number',
        default: 1,
        describe: 'Run the probes of up to N spec files at the same time (each probe keeps its own namespace)',
      })
      .check((a) => {
        const n = (a as { parallel?: unknown }).parallel;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
          throw new Error('--parallel must be a whole number ≥ 1');
        return true;
      })
      .option('timeout', {
        type: 'string',
        describe: 'Longest one test may take, e.g. 15m (overrides the probeTimeout parameter)',
      })
      .option('sign-key', {
        type: 'string',
        describe: 'ECDSA P-256 private key (PEM) that signs the bundle; without it the bundle is unsigned',
      })
      .option('passphrase-env', {
        type: 'string',
        default: DEFAULT_PASSPHRASE_ENV,
        describe: 'Environment variable holding the passphrase of an encrypted --sign-key',
      }),
  handler: async (args) => {
    const { runConformance } = await import('../runner/run.js');
    process.exitCode = await runConformance({
      profile: args.profile,
      set: args.set,
      kubeconfig: args.kubeconfig,
      context: args.context,
      output: args.output,
      focus: args.focus,
      skip: args.skip,
      dryRun: args['dry-run'],
      failFast: args['fail-fast'],
      parallel: args.parallel,
      timeout: args.timeout,
      signKey: args['sign-key'],
      passphraseEnv: args['passphrase-env'],
      // meta/run.json keeps the command line; the writer removes secret values.
      argv: process.argv.slice(2),
    });
  },
};
