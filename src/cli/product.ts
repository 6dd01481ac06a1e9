/**
 * `ai-conformance product init|check`: the CNCF submission. `init` writes vX.Y/<product>/PRODUCT.yaml
 * and the evidence from a run; `check` runs the CNCF validator's checks on it before the pull
 * request does. The work lives in src/product/, imported by the handlers so `--help` stays fast.
 */

import pc from 'picocolors';
import type { Argv, CommandModule } from 'yargs';
import { VerificationError } from '../errors.js';
import type { CheckReport } from '../product/check.js';
import { MUST_NA_RULES, type MustNaRule } from '../product/decide.js';
import type { InitOutcome } from '../product/init.js';
import type { Output } from './verify.js';

export interface ProductInitArgs {
  template: string;
  metadata: string;
  results: string;
  out: string;
  productDir?: string;
  force: boolean;
  mustNa?: MustNaRule;
}

export interface ProductCheckArgs {
  file: string;
  template?: string;
  online: boolean;
  mustNa?: MustNaRule;
}

type Colors = ReturnType<typeof pc.createColors>;

const STATUS_WIDTH = 'Partially Implemented'.length;

export function formatInit(outcome: InitOutcome, c: Colors): string[] {
  const { decisions, warnings, evidence } = outcome;
  const width = Math.max(0, ...decisions.map((d) => d.item.id.length));
  const mark = (d: InitOutcome['decisions'][number]): string =>
    d.status === 'Implemented' ? c.green('✔') : d.status === 'Not Implemented' ? c.red('✖') : c.yellow('-');
  const lines = [
    `wrote ${outcome.productFile}`,
    `  template ${outcome.template.source}; run ${evidence.results.run.runId} from ${evidence.source}`,
    `  evidence beside it: ${outcome.copied.join(', ') || 'none'} (${outcome.artifacts === 'copied' ? 'the run’s files byte for byte' : 'only the tests of the Implemented requirements'}; see ${outcome.note})`,
    '',
  ];
  for (const d of decisions) {
    const status = (d.status === '' ? '(empty)' : d.status).padEnd(STATUS_WIDTH);
    // One link stands for the rest (the same test in results.json and e2e.log, further top-level tests).
    const more = d.evidence.length > 1 ? ` (+${String(d.evidence.length - 1)})` : '';
    const why =
      d.verdict === 'missing' ? 'not in the run' : d.evidence[0] !== undefined ? `${d.evidence[0]}${more}` : d.verdict;
    lines.push(`  ${mark(d)} ${d.item.id.padEnd(width)}  ${d.item.level.padEnd(6)} ${status}  ${c.dim(why)}`);
  }
  if (warnings.length > 0) lines.push('');
  for (const w of warnings) lines.push(`${c.yellow('warning:')} ${w}`);
  lines.push('', `next: ai-conformance product check ${outcome.productFile}`);
  return lines;
}

export function formatCheck(report: CheckReport, c: Colors): string[] {
  const lines = report.problems.map((p) => `${report.file}:${String(p.line)}: ${p.field}: ${p.problem}`);
  for (const n of report.notices) lines.push(`${c.yellow('note:')} ${n}`);
  if (report.problems.length === 0) {
    lines.push(`${c.green('✔')} ${report.file}: no problems (template ${report.template.source})`);
  }
  return lines;
}

export async function productInitCli(args: ProductInitArgs, out: Output = process.stdout): Promise<InitOutcome> {
  const { productInit } = await import('../product/init.js');
  const outcome = await productInit({
    template: args.template,
    metadata: args.metadata,
    results: args.results,
    out: args.out,
    ...(args.productDir === undefined ? {} : { productDir: args.productDir }),
    force: args.force,
    mustNa: args.mustNa ?? 'reject',
  });
  const c = pc.createColors(Boolean(out.isTTY));
  out.write(`${formatInit(outcome, c).join('\n')}\n`);
  return outcome;
}

/** Prints one line per problem; exit 1 (VerificationError) when there is any. */
export async function productCheckCli(args: ProductCheckArgs, out: Output = process.stdout): Promise<CheckReport> {
  const { checkProduct } = await import('../product/check.js');
  const report = await checkProduct({
    file: args.file,
    ...(args.template === undefined ? {} : { template: args.template }),
    online: args.online,
    mustNa: args.mustNa ?? 'reject',
  });
  const c = pc.createColors(Boolean(out.isTTY));
  out.write(`${formatCheck(report, c).join('\n')}\n`);
  const n = report.problems.length;
  if (n > 0) {
    throw new VerificationError(
      `${report.file}: ${String(n)} ${n === 1 ? 'problem' : 'problems'} the CNCF validator or reviewers would reject`,
    );
  }
  return report;
}

const MUST_NA_INIT_HELP =
  'A MUST whose tests were all skipped: reject = leave status empty and warn (the merged validator accepts only ' +
  'Implemented on a MUST); allow = write N/A with the skip reason as notes (open PR cncf/k8s-ai-conformance#146)';
const MUST_NA_CHECK_HELP =
  'N/A on a MUST: reject = a problem, as the merged validator (#141); allow = a note, as open PR #146';

const initCommand: CommandModule<object, ProductInitArgs> = {
  command: 'init',
  describe: 'Write vX.Y/<product>/PRODUCT.yaml and its evidence files from a run',
  builder: (y: Argv) =>
    y
      .option('template', {
        type: 'string',
        demandOption: true,
        describe: 'CNCF checklist AIConformance-1.XX.yaml: 1.33 to 1.37 (shipped verbatim), a file, or an https URL',
      })
      .option('metadata', {
        type: 'string',
        demandOption: true,
        describe: 'vendor.yaml with platformName, vendorName, websiteUrl, ... (camelCase or snake_case; see README)',
      })
      .option('results', {
        type: 'string',
        demandOption: true,
        describe: 'Output folder of `ai-conformance run`, or its .tar.gz bundle',
      })
      .option('out', {
        type: 'string',
        default: '.',
        describe: 'Folder to create vX.Y/<product>/ in (e.g. a clone of cncf/k8s-ai-conformance)',
      })
      .option('product-dir', {
        type: 'string',
        describe: 'Name of the <product> folder (default: platformName in lower case with dashes)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Replace an existing PRODUCT.yaml and evidence files',
      })
      .option('must-na', {
        choices: MUST_NA_RULES,
        default: 'reject',
        describe: MUST_NA_INIT_HELP,
      }),
  handler: async (args) => {
    await productInitCli(args);
  },
};

const checkCommand: CommandModule<object, ProductCheckArgs> = {
  command: 'check <file>',
  describe: 'Run the CNCF validator’s checks on a PRODUCT.yaml (offline unless --online)',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'The vX.Y/<product>/PRODUCT.yaml to check' })
      .option('template', {
        type: 'string',
        describe: 'Checklist template (1.33 to 1.37, a file or a URL); default: the version of the vX.Y folder',
      })
      .option('online', {
        type: 'boolean',
        default: false,
        describe:
          'Also resolve every URL (HEAD, then GET, as the validator does) and look up vendorName in the CNCF landscape',
      })
      .option('must-na', {
        choices: MUST_NA_RULES,
        default: 'reject',
        describe: MUST_NA_CHECK_HELP,
      }),
  handler: async (args) => {
    await productCheckCli(args);
  },
};

export const productCommand: CommandModule = {
  command: 'product',
  describe: 'Prepare the CNCF submission: PRODUCT.yaml from a run (init), and the validator’s checks (check)',
  builder: (y: Argv) =>
    y
      .command(initCommand as unknown as CommandModule)
      .command(checkCommand as unknown as CommandModule)
      .demandCommand(1, 'Name a product command: init or check'),
  handler: () => undefined,
};
