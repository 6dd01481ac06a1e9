#!/usr/bin/env node
/**
 * The ai-conformance command line. Each command lives in its own module; heavy modules (the
 * Kubernetes client, mocha) are imported by handlers only, so `--help` and `list` start fast.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError, UserError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { cleanupCommand } from './cleanup.js';
import { keygenCommand } from './keygen.js';
import { listCommand } from './list.js';
import { productCommand } from './product.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { verifyCommand } from './verify.js';

/** Unknown flags are errors in every command, not only at the top level. */
function strict<T>(command: CommandModule<object, T>): CommandModule<object, T> {
  const builder = command.builder;
  return {
    ...command,
    builder: (y: Argv) => {
      const built = typeof builder === 'function' ? builder(y) : y.options(builder ?? {});
      return (built as Argv<T>).strict();
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await yargs(argv)
      .scriptName('ai-conformance')
      .usage('$0 <command> [options]\n\nProbes whether a Kubernetes cluster can run AI/ML workloads, and proves it.')
      .option('debug', {
        type: 'boolean',
        default: false,
        describe: 'Print stack traces and client details on errors',
        global: true,
      })
      .command(strict(runCommand))
      .command(strict(listCommand))
      .command(strict(keygenCommand))
      .command(strict(verifyCommand))
      .command(strict(cleanupCommand))
      .command(strict(productCommand))
      .command(strict(reportCommand))
      .demandCommand(1, 'Name a command; see --help')
      .strict()
      .version(packageVersion())
      .help()
      .alias('h', 'help')
      .wrap(Math.min(120, process.stdout.columns || 100))
      .epilogue(
        'Exit codes: 0 all passed or skipped with a reason, 1 a probe failed, 2 bad usage or profile, 3 cluster unreachable or unauthorized, 4 interrupted or incomplete.',
      )
      .fail((msg: string | null, err: Error | undefined) => {
        // Validation failures (msg set, also from .check()) must stop here: yargs would otherwise
        // still run the handler. Errors thrown by handlers arrive with msg null.
        if (msg !== null) throw new UsageError(`${msg} (see ai-conformance --help)`);
        throw err ?? new UsageError('bad usage (see ai-conformance --help)');
      })
      .parseAsync();
  } catch (err) {
    return reportError(err, debug);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (debug && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`internal error: ${e.message}\n`);
  process.stderr.write(debug ? `${e.stack ?? ''}\n` : '(run again with --debug for the stack trace)\n');
  return 1;
}

// Watches and keep-alive sockets may hold the event loop open: leave explicitly once done.
const code = await main(hideBin(process.argv));
process.exit(code);
