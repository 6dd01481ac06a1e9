/**
 * The three evidence files the v1.37 validator parses when PRODUCT.yaml references them, read the
 * way Go tooling writes them (gotestsum / go-junit-report JUnit, `go test -json`, `go test -v`),
 * down to what it checks: which tests exist and which failed. Any Go-shaped file works, not only ours.
 */

import { parseJUnit } from '../results/read-junit.js';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface ArtifactTests {
  format: 'junit' | 'go-test-json' | 'go-test-log';
  /**
   * Test name (`TestX`, `TestX/Sub`) → outcome, recorded as the validator records them: a later
   * outcome replaces an earlier one, except that a failure is never replaced.
   */
  tests: Map<string, Outcome>;
  /** What the validator calls the artifact's failing tests: failed test names, else `package <pkg>`. */
  failures: string[];
}

/** Which parser a file name selects: the validator matches base names case-insensitively. */
export function artifactFormat(fileName: string): ArtifactTests['format'] | undefined {
  const base = fileName.split('/').pop()?.toLowerCase();
  if (base === 'junit.xml') return 'junit';
  if (base === 'results.json') return 'go-test-json';
  if (base === 'e2e.log') return 'go-test-log';
  return undefined;
}

/**
 * The validator's e2e.log result line, `^\s*--- (PASS|FAIL|SKIP): (\S+)`, with Go's `\s`: ASCII
 * white space only (JavaScript's `\s` also matches Unicode spaces).
 */
const RESULT_LINE = /^[\t\n\f\r ]*--- (PASS|FAIL|SKIP): ([^\t\n\f\r ]+)/;
/** bufio.Scanner's limit in the validator: a longer line is an error. */
const MAX_LINE = 16 * 1024 * 1024;

/** Throws with a one-line reason when the text is not in the format its name promises. */
export function parseArtifact(format: ArtifactTests['format'], text: string): ArtifactTests {
  const tests = new Map<string, Outcome>();
  const failures: string[] = [];
  const record = (name: string, outcome: Outcome): void => {
    if (tests.get(name) === 'fail') return;
    tests.set(name, outcome);
    if (outcome === 'fail') failures.push(name);
  };
  if (format === 'junit') {
    for (const suite of parseJUnit(text).suites) {
      for (const c of suite.cases)
        record(c.name, c.status === 'passed' ? 'pass' : c.status === 'skipped' ? 'skip' : 'fail');
    }
    if (tests.size === 0) throw new Error('no <testcase> elements in it');
  } else if (format === 'go-test-json') {
    const packageFailures: string[] = [];
    for (const [i, raw] of lines(text).entries()) {
      const line = raw.trim();
      if (line === '') continue;
      const event = goTestEvent(line, i + 1);
      const outcome = event.Action;
      if (outcome !== 'pass' && outcome !== 'fail' && outcome !== 'skip') continue;
      if (event.Test === undefined || event.Test === '') {
        if (outcome === 'fail') packageFailures.push(event.Package ?? '');
        continue;
      }
      record(event.Test, outcome);
    }
    // A package that failed with no failed test (a build error, a panic) is a failure of its own.
    if (failures.length === 0) failures.push(...packageFailures.map((p) => `package ${p}`));
    if (tests.size === 0 && failures.length === 0) throw new Error('no `go test -json` test events in it');
  } else {
    for (const line of lines(text)) {
      const m = RESULT_LINE.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) record(m[2], m[1].toLowerCase() as Outcome);
    }
    if (tests.size === 0) throw new Error('no `--- PASS/FAIL/SKIP: Name` result lines in it');
  }
  return { format, tests, failures };
}

/** Lines as bufio.ScanLines splits them: at `\n`, a trailing `\r` dropped. */
function lines(text: string): string[] {
  const out = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (out.at(-1) === '') out.pop();
  for (const [i, l] of out.entries()) {
    if (l.length > MAX_LINE) throw new Error(`line ${String(i + 1)} is longer than 16 MiB`);
  }
  return out;
}

interface GoTestEvent {
  Action?: string;
  Package?: string;
  Test?: string;
}

/**
 * One line as Go's json.Unmarshal reads it into {Action, Package, Test string}: a JSON object (or
 * null), keys matched case-insensitively, those three strings or null; anything else is an error.
 */
function goTestEvent(line: string, lineNo: number): GoTestEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`line ${String(lineNo)} is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`line ${String(lineNo)} is not a JSON object`);
  }
  const event: GoTestEvent = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const field of ['Action', 'Package', 'Test'] as const) {
    // Go prefers the exact key, else the last key that matches ignoring case.
    const exact = entries.find(([k]) => k === field);
    const match = exact ?? entries.filter(([k]) => k.toLowerCase() === field.toLowerCase()).at(-1);
    if (match === undefined || match[1] === null) continue;
    if (typeof match[1] !== 'string') throw new Error(`line ${String(lineNo)}: ${field} is not a string`);
    event[field] = match[1];
  }
  return event;
}

/**
 * The validator's outcome of a named test: the exact name, else the subtests `name/…` together
 * (any failed → fail, all skipped → skip, else pass); undefined when there is neither.
 */
export function outcomeFor(artifact: ArtifactTests, name: string): Outcome | undefined {
  const exact = artifact.tests.get(name);
  if (exact !== undefined) return exact;
  const subs = [...artifact.tests].filter(([n]) => n.startsWith(`${name}/`)).map(([, o]) => o);
  if (subs.length === 0) return undefined;
  if (subs.includes('fail')) return 'fail';
  if (subs.every((o) => o === 'skip')) return 'skip';
  return 'pass';
}

/** The failing tests the validator names when it rejects the artifact, each once. */
export function failingTests(artifact: ArtifactTests): string[] {
  return [...new Set(artifact.failures)];
}
