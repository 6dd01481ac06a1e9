/**
 * e2e.log: the `go test -v` transcript of a run, one package after another as `go test -v ./...`
 * prints them. In verbose mode Go streams `=== RUN` and log lines as tests run, but holds the
 * `--- PASS/FAIL/SKIP` lines of subtests until their top-level test ends, then prints them
 * parent first, each level indented by four more spaces.
 */

import type { RunResults } from './model.js';
import { packageResultLine, packageVerdictLine, resultLine, runLine, testOutputLines } from './gotest-format.js';
import { buildTree, type TestNode } from './tree.js';

export function formatGoTestLog(results: RunResults): string {
  const tree = buildTree(results);
  const lines: string[] = [];
  for (const pkg of tree.packages) {
    for (const test of pkg.tests) {
      lines.push(...transcript(test));
      lines.push(...resultLines(test));
    }
    lines.push(packageVerdictLine(pkg), packageResultLine(pkg));
  }
  // The go command ends with a bare FAIL when any package failed.
  if (tree.packages.some((p) => p.status === 'failed')) lines.push('FAIL');
  return lines.map((l) => l + '\n').join('');
}

/** `=== RUN` and output lines, in run order. */
function transcript(node: TestNode): string[] {
  const own = node.result ? testOutputLines(node.result) : [];
  return [runLine(node.name), ...own, ...node.children.flatMap(transcript)];
}

/** The held-back result lines: parent first, children indented below it. */
function resultLines(node: TestNode): string[] {
  return [' '.repeat(4 * node.depth) + resultLine(node), ...node.children.flatMap(resultLines)];
}
