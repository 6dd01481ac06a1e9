/**
 * `ai-conformance report`: what a certification reviewer reads. One self-contained HTML page (or
 * Markdown) from a bundle or run folder: signature status, cluster fingerprint, per requirement the
 * verdict and the tests and logs behind it. A failed signature check still renders the page, with
 * a red banner, and exits 1.
 */

import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { VerificationError } from '../errors.js';
import type { ReportData } from '../report/data.js';
import type { Output } from './verify.js';

export type ReportFormat = 'html' | 'markdown';

export interface ReportArgs {
  source: string;
  format: ReportFormat;
  key?: string;
  signature?: string;
  out?: string;
}

export async function report(
  args: ReportArgs,
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<ReportData> {
  const [{ buildReport }, { renderHtml }, { renderMarkdown }] = await Promise.all([
    import('../report/data.js'),
    import('../report/html.js'),
    import('../report/markdown.js'),
  ]);
  const data = await buildReport({
    source: args.source,
    ...(args.key === undefined ? {} : { key: args.key }),
    ...(args.signature === undefined ? {} : { signature: args.signature }),
  });
  const text = args.format === 'markdown' ? renderMarkdown(data) : renderHtml(data);
  if (args.out === undefined) out.write(text);
  else {
    await writeFile(args.out, text);
    err.write(`wrote ${args.out}\n`);
  }
  if (data.signature.state === 'failed') {
    throw new VerificationError(`signature check failed (the report says so): ${data.signature.problem}`);
  }
  return data;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <source>',
  describe: 'Render a reviewer’s report (HTML or Markdown) of a bundle or run folder, no cluster needed',
  builder: (y: Argv) =>
    y
      .positional('source', {
        type: 'string',
        demandOption: true,
        describe: 'A bundle ai-conformance-*.tar.gz, or a run’s output folder',
      })
      .option('format', {
        type: 'string',
        choices: ['html', 'markdown'] as const,
        default: 'html',
        describe: 'html: one self-contained page (no scripts, no network); markdown: for a pull request or issue',
      })
      .option('key', {
        type: 'string',
        describe:
          'Vendor public key (PEM) to check the bundle’s signature with; without it the page says "not checked"',
      })
      .option('signature', {
        type: 'string',
        describe: 'Sigstore bundle with the signature (default: <bundle>.sigstore.json)',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: 'File to write (default: standard output)',
      }) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    await report(args);
  },
};
