/**
 * The end-of-run table for stdout: one row per requirement, then totals, then the plain line CI
 * reads (`N passed, N failed, N skipped, N errors`). Counts are leaf tests, as the user wrote them;
 * column widths come from the content, so any terminal width works and no table library is needed.
 */

import pc from 'picocolors';
import { combinedStatus, countStatuses, type Counts, type RunResults, type Status } from './model.js';
import { buildTree } from './tree.js';

export type Verdict = 'PASS' | 'FAIL' | 'ERROR' | 'SKIP';

export interface SummaryRow {
  requirement: string;
  verdict: Verdict;
  counts: Counts;
  durationMs: number;
}

export interface SummaryOptions {
  /** ANSI colour for the verdicts; off unless the caller asks (TTY, FORCE_COLOR). */
  color?: boolean;
}

/** A failure outranks an error, which outranks a pass; a requirement is SKIP only when every test skipped. */
export function verdictOf(counts: Counts): Verdict {
  const statuses: Status[] = [];
  for (const status of ['passed', 'failed', 'skipped', 'error'] as const) if (counts[status] > 0) statuses.push(status);
  return VERDICTS[combinedStatus(statuses)];
}

const VERDICTS: Record<Status, Verdict> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', error: 'ERROR' };

export function summaryRows(results: RunResults): SummaryRow[] {
  return buildTree(results).packages.map((pkg) => {
    const counts = countStatuses(results.tests.filter((t) => t.requirement === pkg.requirement));
    return { requirement: pkg.requirement, verdict: verdictOf(counts), counts, durationMs: pkg.durationMs };
  });
}

/** The final line, also what our own test reporter prints: `3 passed, 1 failed, 2 skipped, 0 errors`. */
export function countsLine(counts: Counts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.error} errors`;
}

export function formatSummary(results: RunResults, options: SummaryOptions = {}): string {
  const colors = pc.createColors(options.color ?? false);
  const paint: Record<Verdict, (s: string) => string> = {
    PASS: colors.green,
    FAIL: colors.red,
    ERROR: colors.magenta,
    SKIP: colors.yellow,
  };
  const rows = summaryRows(results);
  const totals = countStatuses(results.tests);
  const totalMs = rows.reduce((sum, r) => sum + r.durationMs, 0);

  const header = ['REQUIREMENT', 'VERDICT', 'PASSED', 'FAILED', 'SKIPPED', 'ERRORS', 'TIME'];
  const cells = (name: string, verdict: Verdict, c: Counts, ms: number): string[] => [
    name,
    verdict,
    String(c.passed),
    String(c.failed),
    String(c.skipped),
    String(c.error),
    `${(ms / 1000).toFixed(1)}s`,
  ];
  const body = rows.map((r) => cells(r.requirement, r.verdict, r.counts, r.durationMs));
  const total = cells('TOTAL', verdictOf(totals), totals, totalMs);
  const table = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));

  // Pad before painting: escape codes would otherwise count towards the width.
  const render = (row: string[], verdict?: Verdict): string =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const padded = i < 2 ? cell.padEnd(width) : cell.padStart(width);
        return i === 1 && verdict ? paint[verdict](padded) : padded;
      })
      .join('  ')
      .trimEnd();

  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1));
  const lines = [
    colors.bold(render(header)),
    ...body.map((row, i) => render(row, rows[i]?.verdict)),
    rule,
    render(total, verdictOf(totals)),
  ];
  // Why a run is incomplete (interrupt, --fail-fast) is the caller's to say; the table only counts.
  lines.push('', countsLine(totals));
  return lines.join('\n') + '\n';
}
