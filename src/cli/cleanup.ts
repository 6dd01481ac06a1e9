/**
 * `ai-conformance cleanup`: deletes what earlier runs left in the cluster, found by our labels.
 * The Kubernetes client is imported by the handler only, so `--help` stays fast.
 */
import type { Argv, CommandModule } from 'yargs';
import { ClusterError, UsageError } from '../errors.js';
import { isLabelValue } from '../kube/labels.js';

export interface CleanupArgs {
  run?: string;
  all: boolean;
  kubeconfig?: string;
  context?: string;
  'dry-run': boolean;
}

/** Runs the cleanup and prints one line per object; throws UsageError / ClusterError. */
export async function cleanup(args: CleanupArgs, print: (line: string) => void): Promise<void> {
  const hasRun = args.run !== undefined && args.run !== '';
  if (hasRun === args.all) throw new UsageError('cleanup: pass exactly one of --run <id> or --all');
  if (hasRun && !isLabelValue(args.run ?? '')) {
    throw new UsageError(
      `cleanup: --run ${JSON.stringify(args.run)} is not a run id (letters, digits, '-', '_', '.'; 63 at most)`,
    );
  }
  const { Kube } = await import('../kube/client.js');
  const { deleteLeftovers } = await import('../kube/leftovers.js');
  const kube = Kube.load({ kubeconfig: args.kubeconfig, context: args.context });
  await kube.preflight();
  const scope = hasRun ? { runId: args.run ?? '' } : { all: true as const };
  const which = hasRun ? `run ${args.run ?? ''}` : 'all runs';
  print(
    `${args['dry-run'] ? 'looking for' : 'deleting'} objects of ${which} on ${kube.server()} (context ${kube.context()})`,
  );
  const result = await deleteLeftovers(kube, scope, print, { dryRun: args['dry-run'] });
  const n = result.deleted.length;
  const objects = `${String(n)} object${n === 1 ? '' : 's'}`;
  if (n === 0 && result.terminating.length === 0 && result.failures.length === 0)
    print(`nothing left over from ${which}`);
  else print(args['dry-run'] ? `would delete ${objects} (dry run: nothing deleted)` : `deleted ${objects}`);
  if (result.failures.length > 0) {
    const first = result.failures[0];
    throw new ClusterError(
      `cleanup: ${String(result.failures.length)} step(s) failed, first: ${first?.what ?? ''}: ${first?.reason ?? ''}`,
    );
  }
}

export const cleanupCommand: CommandModule<object, CleanupArgs> = {
  command: 'cleanup',
  describe: 'Delete namespaces and cluster-scoped objects that earlier runs left behind (found by label)',
  builder: (y: Argv) =>
    y
      .option('run', {
        type: 'string',
        describe: 'Delete what the run with this id created (the id is in meta/run.json and the bundle name)',
      })
      .option('all', { type: 'boolean', default: false, describe: 'Delete what any ai-conformance run created' })
      .option('kubeconfig', {
        type: 'string',
        describe: 'Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster config)',
      })
      .option('context', { type: 'string', describe: 'Kubeconfig context to use (default: the current context)' })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Print what would be deleted and delete nothing',
      })
      .example('$0 cleanup --run 20260101-120000-a1b2c3', 'Remove the leftovers of one interrupted run')
      .example('$0 cleanup --all --dry-run', 'List everything any run left behind'),
  handler: async (args) => {
    await cleanup(args, (line) => void process.stdout.write(`${line}\n`));
    process.exitCode = 0;
  },
};
