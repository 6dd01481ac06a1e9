/**
 * Go's `testing` output format, the lines both e2e.log and results.json carry. Facts from Go 1.26
 * `go test -v` / `go test -json` output:
 *   `=== RUN   TestX` (three spaces), log lines `    file.go:12: msg` with continuation lines
 *   indented by eight spaces, `--- PASS: TestX (1.23s)` (seconds with two decimals), then the
 *   package trailer `PASS` or `FAIL` and `ok  \tpkg\t1.234s` or `FAIL\tpkg\t1.234s`.
 */

import type { TestResult } from './model.js';
import type { NodeStatus, PackageNode, TestNode } from './tree.js';

export type GoAction = 'pass' | 'fail' | 'skip';

/** Go has no `error`: a test that could not run is a failed test. */
export function goAction(status: NodeStatus): GoAction {
  if (status === 'passed') return 'pass';
  if (status === 'skipped') return 'skip';
  return 'fail';
}

export function runLine(name: string): string {
  return `=== RUN   ${name}`;
}

/** `--- PASS: TestX/Sub (1.23s)`; the caller indents it where Go nests result lines. */
export function resultLine(node: TestNode): string {
  return `--- ${goAction(node.status).toUpperCase()}: ${node.name} (${goSeconds(node.durationMs)}s)`;
}

/** Seconds as Go prints a test's elapsed time: two decimals. */
export function goSeconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** test2json takes Elapsed from the `(1.23s)` of the result line, so it has the same precision. */
export function goElapsed(ms: number): number {
  return Number(goSeconds(ms));
}

/** `PASS` or `FAIL`, printed by the test binary after the last test. */
export function packageVerdictLine(pkg: PackageNode): string {
  return pkg.status === 'failed' ? 'FAIL' : 'PASS';
}

/** The go command's per-package line: `ok  \tpkg\t1.234s` or `FAIL\tpkg\t1.234s`. */
export function packageResultLine(pkg: PackageNode): string {
  const seconds = `${(pkg.durationMs / 1000).toFixed(3)}s`;
  return pkg.status === 'failed' ? `FAIL\t${pkg.name}\t${seconds}` : `ok  \t${pkg.name}\t${seconds}`;
}

/**
 * The lines a leaf test prints between its `=== RUN` and result lines: its log, then the failure,
 * error or skip message, as `t.Log` / `t.Error` / `t.Skip` would. Go prefixes `file.go:line`; we
 * have no source line, so the probe id (or the requirement id, when there is no probe) stands in.
 */
export function testOutputLines(result: TestResult): string[] {
  const source = result.probe !== '-' && result.probe !== '' ? result.probe : result.requirement;
  const entries = [...result.log];
  const message = statusMessage(result);
  if (message !== undefined) entries.push(message);
  return entries.flatMap((entry) => decorate(source, entry));
}

/** The message as the test would report it, with details (a stack, a diff) as continuation lines. */
function statusMessage(result: TestResult): string | undefined {
  if (result.status === 'passed') return undefined;
  const text = messageWithDetails(result);
  if (result.status === 'error') return `error: ${text === '' ? 'the probe could not run' : text}`;
  return text === '' ? undefined : text;
}

/** Message, then details on the following lines; empty when there is neither. */
export function messageWithDetails(result: TestResult): string {
  return [result.message, result.details].filter((s) => s !== undefined && s !== '').join('\n');
}

/** `    source: first line` and `        next line`, as Go's testing decorates a log entry. */
function decorate(source: string, entry: string): string[] {
  const lines = defuseResultMarkers(entry).replace(/\r\n?/g, '\n').split('\n');
  return lines.map((line, i) => (i === 0 ? `    ${source}: ${line}` : `        ${line}`));
}

/**
 * go-junit-report finds `--- FAIL: Name (1.00s)` anywhere in a line, not only at its start, so a
 * probe that logs another tool's output could invent a failing test. Such text loses one dash
 * (`-- FAIL:`); nothing else in a log line can be taken for a result, since every output line is
 * indented and Go's other markers (`=== RUN`, `PASS`, `ok  \tpkg`) only count at a line's start.
 */
function defuseResultMarkers(text: string): string {
  return text.replace(/-{3,}(?= (?:PASS|FAIL|SKIP|BENCH):)/g, '--');
}
