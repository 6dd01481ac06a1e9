/**
 * The submission's evidence files when a run had failures: the CNCF validator rejects a referenced
 * junit.xml / results.json / e2e.log that holds any failing test, even one of another requirement,
 * so `product init` keeps only the Go packages (one per requirement, src/results/tree.ts) of the
 * requirements it marks Implemented. The files are cut, not rewritten: every kept line is a line of
 * the signed run's file, so a reviewer can match them against the bundle. Each cut is parsed again
 * the way the validator parses it; a cut that does not come out as expected is refused.
 */

import { artifactFormat, failingTests, parseArtifact, type ArtifactTests } from './artifacts.js';

export class SubsetError extends Error {}

/** `<testsuite name="pkg">…</testsuite>` blocks as our JUnit writer lays them out (one tab indent). */
const JUNIT_SUITE = /^[ \t]*<testsuite\b[^>]*>[\s\S]*?<\/testsuite>[ \t]*\n/gm;

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** junit.xml with only the suites of `keep`, the root's counts summed again from them. */
export function subsetJUnit(text: string, keep: ReadonlySet<string>): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const body = text.replace(JUNIT_SUITE, (block) => {
    const open = /<testsuite\b[^>]*>/.exec(block)?.[0] ?? '';
    if (!keep.has(unescapeXml(attr(open, 'name') ?? ''))) return '';
    tests += Number(attr(open, 'tests') ?? 0);
    failures += Number(attr(open, 'failures') ?? 0);
    errors += Number(attr(open, 'errors') ?? 0);
    return block;
  });
  return body.replace(/<testsuites\b[^>]*>/, (root) =>
    root
      .replace(/\stests="[^"]*"/, ` tests="${String(tests)}"`)
      .replace(/\sfailures="[^"]*"/, ` failures="${String(failures)}"`)
      .replace(/\serrors="[^"]*"/, ` errors="${String(errors)}"`),
  );
}

/** results.json with only the events of the packages in `keep`. */
export function subsetGoTestJson(text: string, keep: ReadonlySet<string>): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => {
      if (line.trim() === '') return false;
      const event = JSON.parse(line) as { Package?: unknown };
      return typeof event.Package === 'string' && keep.has(event.Package);
    })
    .join('');
}

/**
 * e2e.log with only the blocks of the packages in `keep`. `go test -v ./...` prints each package's
 * transcript, then its `ok  \tpkg\t1.2s` or `FAIL\tpkg\t1.2s` line; a bare `FAIL` closes the log
 * when any package failed.
 */
export function subsetGoTestLog(text: string, keep: ReadonlySet<string>): string {
  const out: string[] = [];
  let block: string[] = [];
  let anyFailed = false;
  for (const line of text.split(/(?<=\n)/)) {
    block.push(line);
    const end = /^(ok {2}|FAIL)\t(\S+)\t/.exec(line);
    if (end === null) continue;
    if (keep.has(end[2] ?? '')) {
      out.push(...block);
      anyFailed ||= end[1] === 'FAIL';
    }
    block = [];
  }
  // What follows the last package line is the go command's trailer (`FAIL`), nothing of a test.
  if (anyFailed) out.push('FAIL\n');
  return out.join('');
}

export interface SubsetResult {
  /** File name → its cut text. */
  files: Map<string, string>;
  /** Test names in the cut (from junit.xml). */
  tests: string[];
}

/**
 * Cuts every evidence file to the packages in `keep` and checks each cut as the validator reads it:
 * no failing test, and the same tests in all three. Throws SubsetError when a cut is not right.
 */
export function subsetEvidence(files: ReadonlyMap<string, Buffer>, keep: ReadonlySet<string>): SubsetResult {
  const cut = new Map<string, string>();
  const parsed = new Map<string, ArtifactTests>();
  for (const [name, bytes] of files) {
    const format = artifactFormat(name);
    if (format === undefined) continue;
    const text = bytes.toString('utf8');
    let subset: string;
    try {
      subset =
        format === 'junit'
          ? subsetJUnit(text, keep)
          : format === 'go-test-json'
            ? subsetGoTestJson(text, keep)
            : subsetGoTestLog(text, keep);
    } catch (err) {
      throw new SubsetError(`${name}: cannot be cut to the Implemented requirements (${(err as Error).message})`);
    }
    let tests: ArtifactTests;
    try {
      tests = parseArtifact(format, subset);
    } catch (err) {
      throw new SubsetError(`${name}: the cut does not parse as the validator reads it (${(err as Error).message})`);
    }
    const failing = failingTests(tests);
    if (failing.length > 0) throw new SubsetError(`${name}: the cut still holds failing tests (${failing.join(', ')})`);
    cut.set(name, subset);
    parsed.set(name, tests);
  }
  const names = (t: ArtifactTests | undefined): string => [...(t?.tests.keys() ?? [])].sort().join(' ');
  const reference = parsed.get('junit.xml');
  for (const [name, tests] of parsed) {
    if (names(tests) !== names(reference)) {
      throw new SubsetError(`${name}: the cut holds other tests than the cut junit.xml`);
    }
  }
  return { files: cut, tests: [...(reference?.tests.keys() ?? [])] };
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}
