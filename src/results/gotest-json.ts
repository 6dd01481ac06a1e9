/**
 * results.json: the `go test -json` event stream (test2json), one JSON object per line. Unlike the
 * -v transcript, JSON mode reports each test as soon as it ends, unindented, so the stream is a
 * post-order walk: `run`, `=== RUN` output, log output, `--- PASS` output and the `pass` action of a
 * subtest all come before its parent's result.
 */

import type { RunResults } from './model.js';
import {
  goAction,
  goElapsed,
  packageResultLine,
  packageVerdictLine,
  resultLine,
  runLine,
  testOutputLines,
  type GoAction,
} from './gotest-format.js';
import { buildTree, type TestNode } from './tree.js';

/** test2json's TestEvent, fields in Go's declaration order. */
export interface GoTestEvent {
  Time: string;
  Action: 'start' | 'run' | 'output' | GoAction;
  Package: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

export function goTestEvents(results: RunResults): GoTestEvent[] {
  const events: GoTestEvent[] = [];
  for (const pkg of buildTree(results).packages) {
    const Package = pkg.name;
    const endMs = pkg.startMs + pkg.durationMs;
    events.push({ Time: goTime(pkg.startMs), Action: 'start', Package });
    for (const test of pkg.tests) events.push(...testEvents(Package, test));
    events.push(
      { Time: goTime(endMs), Action: 'output', Package, Output: packageVerdictLine(pkg) + '\n' },
      { Time: goTime(endMs), Action: 'output', Package, Output: packageResultLine(pkg) + '\n' },
      // The package's Elapsed is measured, not parsed, so Go gives it millisecond precision.
      {
        Time: goTime(endMs),
        Action: pkg.status === 'failed' ? 'fail' : 'pass',
        Package,
        Elapsed: pkg.durationMs / 1000,
      },
    );
  }
  return events;
}

export function formatGoTestJson(results: RunResults): string {
  return goTestEvents(results)
    .map((e) => goJson(e) + '\n')
    .join('');
}

function testEvents(Package: string, node: TestNode): GoTestEvent[] {
  const Test = node.name;
  const start = goTime(node.startMs);
  const end = goTime(node.startMs + node.durationMs);
  const output = (Time: string, line: string): GoTestEvent => ({
    Time,
    Action: 'output',
    Package,
    Test,
    Output: line + '\n',
  });
  return [
    { Time: start, Action: 'run', Package, Test },
    output(start, runLine(Test)),
    ...(node.result ? testOutputLines(node.result).map((l) => output(start, l)) : []),
    ...node.children.flatMap((c) => testEvents(Package, c)),
    output(end, resultLine(node)),
    { Time: end, Action: goAction(node.status), Package, Test, Elapsed: goElapsed(node.durationMs) },
  ];
}

/** RFC 3339 with trailing zeros of the fraction dropped, as Go's time.RFC3339Nano prints. */
function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** JSON as Go's encoding/json writes it, which escapes <, > and & (and U+2028/9) inside strings. */
function goJson(event: GoTestEvent): string {
  return JSON.stringify(event).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
