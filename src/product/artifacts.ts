/**
 * The three evidence files the v1.37 validator parses when PRODUCT.yaml references them, read the
 * way Go tooling writes them (gotestsum / go-junit-report JUnit, `go test -json`, `go test -v`),
 * down to what it checks: which tests exist and which failed. Any Go-shaped file works, not only ours.
 */

import { parseJUnit } from '../results/read-junit.js';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface ArtifactTests {
  format: 'junit' | 'go-test-json' | 'go-test-log';
  /** Test name (`TestX`, `TestX/Sub`) → outcome; a name in several packages keeps its worst. */
  tests: Map<string, Outcome>;
}

/** Which parser a file name selects: the validator matches base names case-insensitively. */
export function artifactFormat(fileName: string): ArtifactTests['format'] | undefined {
  const base = fileName.split('/').pop()?.toLowerCase();
  if (base === 'junit.xml') return 'junit';
  if (base === 'results.json') return 'go-test-json';
  if (base === 'e2e.log') return 'go-test-log';
  return undefined;
}

/** Throws with a one-line reason when the text is not in the format its name promises. */
export function parseArtifact(format: ArtifactTests['format'], text: string): ArtifactTests {
  const tests = new Map<string, Outcome>();
  const add = (name: string, outcome: Outcome): void => {
    tests.set(name, worse(tests.get(name), outcome));
  };
  if (format === 'junit') {
    for (const suite of parseJUnit(text).suites) {
      for (const c of suite.cases)
        add(c.name, c.status === 'passed' ? 'pass' : c.status === 'skipped' ? 'skip' : 'fail');
    }
  } else if (format === 'go-test-json') {
    let events = 0;
    for (const line of text.split('\n')) {
      // `go test -json` passes build output through as plain lines; only JSON objects are events.
      if (!line.startsWith('{')) continue;
      let event: { Action?: unknown; Test?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        continue;
      }
      events += 1;
      if (
        typeof event.Test === 'string' &&
        (event.Action === 'pass' || event.Action === 'fail' || event.Action === 'skip')
      ) {
        add(event.Test, event.Action);
      }
    }
    if (events === 0) throw new Error('no `go test -json` events in it');
  } else {
    let seen = false;
    for (const line of text.split('\n')) {
      if (/^=== RUN\s/.test(line)) seen = true;
      // Result lines are indented four spaces per subtest level.
      const m = /^\s*--- (PASS|FAIL|SKIP): (\S+) \(\d+(?:\.\d+)?s\)/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        seen = true;
        add(m[2], m[1].toLowerCase() as Outcome);
      }
    }
    if (!seen) throw new Error('no `go test -v` output (=== RUN / --- PASS lines) in it');
  }
  return { format, tests };
}

/** A failure anywhere fails; a pass outranks a skip. */
function worse(a: Outcome | undefined, b: Outcome): Outcome {
  if (a === 'fail' || b === 'fail') return 'fail';
  if (a === 'pass' || b === 'pass') return 'pass';
  return 'skip';
}

export function failingTests(artifact: ArtifactTests): string[] {
  return [...artifact.tests].filter(([, o]) => o === 'fail').map(([name]) => name);
}
