/**
 * `ai-conformance verify`: checks a bundle offline against a public key the reviewer trusts, prints
 * each check as it finishes, then the run summary taken from the signed statement only.
 */

import pc from 'picocolors';
import type { CommandModule } from 'yargs';
import type { Check, VerificationReport } from '../bundle/verify.js';
import { findRequirement, isChecklistVersion } from '../requirements/catalogue.js';
import type { Status } from '../results/model.js';

export interface VerifyArgs {
  bundle: string;
  key?: string;
  /** `sha256:<hex>` as keygen prints it; alone, the key is taken from the tarball's meta/signer.pub. */
  keyFingerprint?: string;
  signature?: string;
}

type Colors = ReturnType<typeof pc.createColors>;

export function formatCheck(check: Check, c: Colors): string {
  return check.ok ? `${c.green('✔')} ${check.detail}` : `${c.red('✖')} ${check.detail}`;
}

const MARK: Record<Status, string> = { passed: '✔', failed: '✖', skipped: '-', error: '!' };

/** The run summary, read from the signed predicate (never from files beside the bundle). */
export function formatSummary(report: VerificationReport, c: Colors): string[] {
  const p = report.predicate;
  const s = p.summary;
  const colour = (status: Status, text: string): string =>
    status === 'passed' ? c.green(text) : status === 'skipped' ? c.dim(text) : c.red(text);
  const ids = Object.keys(p.requirements);
  const width = Math.max(0, ...ids.map((id) => id.length));
  const lines = [
    '',
    `key          ${report.keyFingerprint}`,
    `result       ${p.result === 'PASSED' ? c.green(p.result) : c.red(p.result)}`,
    `profile      ${p.profile.id} (${p.profile.version})`,
    `kubernetes   ${p.kubernetes.serverVersion ?? 'unknown'}`,
    `run          ${p.startedOn} .. ${p.finishedOn}`,
    `tests        ${String(s.passed)} passed, ${String(s.failed)} failed, ${String(s.skipped)} skipped, ${String(s.error)} error (${String(s.total)} total)`,
    'requirements (signed verdicts)',
  ];
  // Every test's status, from the statement's own lists: a failed requirement names what failed.
  const statusOf = new Map<string, Status>();
  for (const [status, names] of [
    ['passed', p.passedTests],
    ['failed', p.failedTests],
    ['skipped', p.skippedTests],
    ['error', p.errorTests],
  ] as const) {
    for (const name of names) statusOf.set(name, status);
  }
  const version = p.profile.version.replace(/^v/, '');
  for (const id of ids) {
    const r = p.requirements[id];
    const verdict = r?.verdict ?? 'error';
    const tests = r?.tests ?? [];
    const req = findRequirement(id);
    const level = req?.ours === true ? 'ours' : isChecklistVersion(version) ? (req?.levels[version] ?? '—') : '';
    const count = `${String(tests.length)} ${tests.length === 1 ? 'test' : 'tests'}`;
    lines.push(
      `  ${colour(verdict, MARK[verdict])} ${id.padEnd(width)}  ${level.padEnd(6)}  ${colour(verdict, verdict.padEnd(7))}  ${count}`,
    );
    for (const name of tests) {
      const status = statusOf.get(name);
      if (status === 'failed' || status === 'error')
        lines.push(`      ${colour(status, MARK[status])} ${name} ${status}`);
    }
  }
  return lines;
}

/** Where the command prints; process.stdout unless a test or another command passes its own. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export async function verify(args: VerifyArgs, out: Output = process.stdout): Promise<VerificationReport> {
  // Colour only on a terminal, so piped output and CI logs stay plain.
  const c = pc.createColors(Boolean(out.isTTY));
  const print = (line: string): void => {
    out.write(`${line}\n`);
  };
  // Failed checks are printed here too; the VerificationError then reaches main.ts, which sets exit 1.
  // Imported here, not at the top: `--help` should not pay for the tar and crypto modules.
  const { verifyBundle } = await import('../bundle/verify.js');
  const report = await verifyBundle({
    tarball: args.bundle,
    ...(args.key === undefined ? {} : { key: args.key }),
    ...(args.keyFingerprint === undefined ? {} : { fingerprint: args.keyFingerprint }),
    ...(args.signature === undefined ? {} : { signature: args.signature }),
    onCheck: (check) => {
      print(formatCheck(check, c));
    },
  });
  for (const line of formatSummary(report, c)) print(line);
  process.exitCode = 0;
  return report;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <bundle>',
  describe: 'Verify a signed result bundle offline against a trusted public key or its fingerprint',
  builder: (yargs) =>
    yargs
      .positional('bundle', { type: 'string', demandOption: true, describe: 'The ai-conformance-*.tar.gz bundle' })
      .option('key', {
        type: 'string',
        describe: 'Public key (PEM) you trust, obtained from the vendor out-of-band',
      })
      .option('key-fingerprint', {
        type: 'string',
        describe:
          'sha256:<hex> of the vendor key, as `keygen` prints it: alone, the key is read from the tarball (meta/signer.pub) and trusted only with this fingerprint; with --key, that key must have it',
      })
      .check((a) => {
        if (a.key === undefined && a.keyFingerprint === undefined)
          throw new Error('give --key <vendor.pub> or --key-fingerprint <sha256:…>');
        return true;
      })
      .option('signature', {
        type: 'string',
        describe: 'Sigstore bundle with the signature (default: <bundle>.sigstore.json)',
      }),
  handler: async (args) => {
    await verify({
      bundle: args.bundle,
      ...(args.key === undefined ? {} : { key: args.key }),
      ...(args.keyFingerprint === undefined ? {} : { keyFingerprint: args.keyFingerprint }),
      ...(args.signature === undefined ? {} : { signature: args.signature }),
    });
  },
};
