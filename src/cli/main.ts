#!/usr/bin/env node
/**
 * The ai-conformance command line. Each command lives in its own module; heavy modules (the
 * Kubernetes client, mocha) are imported by handlers only, so `--help` and `list` start fast.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { cleanupCommand } from './cleanup.js';
import { keygenCommand } from './keygen.js';
import { listCommand } from './list.js';
import { runCommand } from './run.js';
import { verifyCommand } from './verify.js';

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let usageFailure: string | undefined;
  try {
    await yargs(argv)
      .scriptName('ai-conformance')
      .usage('$0 <command> [options]\n\nProbes whether a Kubernetes cluster can run AI/ML workloads, and proves it.')
      .option('debug', { type: 'boolean', default: false, describe: 'Print stack traces and client details on errors', global: true })
      .command(runCommand)
      .command(listCommand)
      .command(keygenCommand)
      .command(verifyCommand)
      .command(cleanupCommand)
      .demandCommand(1, 'Name a command; see --help')
      .strict()
      .recommendCommands()
      .version(packageVersion())
      .help()
      .alias('h', 'help')
      .wrap(Math.min(120, process.stdout.columns || 100))
      .epilogue('Exit codes: 0 all passed or skipped with a reason, 1 a probe failed, 2 bad usage or profile, 3 cluster unreachable or unauthorized, 4 interrupted or incomplete.')
      .fail((msg, err) => {
        if (err) throw err;
        usageFailure = msg;
      })
      .parseAsync();
  } catch (err) {
    return reportError(err, debug);
  }
  if (usageFailure !== undefined) {
    process.stderr.write(`error: ${usageFailure}\n(see ai-conformance --help)\n`);
    return 2;
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
