/**
 * Reads the three evidence files back into one shape, `package test → pass|fail|skip`, so tests can
 * check that they agree. Deliberately independent of src/results: small regex readers of the
 * formats as Go tooling reads them, not of our writers' internals.
 */

export type Outcome = 'pass' | 'fail' | 'skip';

/** Key `ai-conformance/<req> TestX/Sub`. */
export type Outcomes = Map<string, Outcome>;

export interface Tally {
  pass: number;
  fail: number;
  skip: number;
}

export function tally(outcomes: Outcomes): Tally {
  const t: Tally = { pass: 0, fail: 0, skip: 0 };
  for (const o of outcomes.values()) t[o] += 1;
  return t;
}

export interface JUnitCase {
  classname: string;
  name: string;
  time: number;
  /** `failure`, `error`, `skipped` or none. */
  element: 'failure' | 'error' | 'skipped' | undefined;
  message: string | undefined;
  body: string;
}

export interface JUnitSuite {
  attrs: Record<string, string>;
  cases: JUnitCase[];
}

export interface JUnitDoc {
  attrs: Record<string, string>;
  suites: JUnitSuite[];
}

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, ref: string) => {
    if (ref[0] === '#')
      return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[ref] ?? '';
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w.:-]+)="([^"]*)"/g)) out[m[1] ?? ''] = unescapeXml(m[2] ?? '');
  return out;
}

export function parseJUnit(xml: string): JUnitDoc {
  const root = /<testsuites\b([^>]*)>/.exec(xml);
  const suites: JUnitSuite[] = [];
  for (const s of xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const cases: JUnitCase[] = [];
    for (const c of (s[2] ?? '').matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attributes(c[1] ?? '');
      const body = c[2] ?? '';
      const el = /<(failure|error|skipped)\b([^>]*?)\/?>/.exec(body);
      cases.push({
        classname: a.classname ?? '',
        name: a.name ?? '',
        time: Number(a.time),
        element: el?.[1] as JUnitCase['element'],
        message: el ? attributes(el[2] ?? '').message : undefined,
        body,
      });
    }
    suites.push({ attrs: attributes(s[1] ?? ''), cases });
  }
  return { attrs: attributes(root?.[1] ?? ''), suites };
}

/** JUnit has no pass/fail/skip vocabulary of its own: failure and error both fail. */
export function junitOutcomes(doc: JUnitDoc): Outcomes {
  const out: Outcomes = new Map();
  for (const suite of doc.suites) {
    for (const c of suite.cases) {
      const outcome: Outcome = c.element === 'skipped' ? 'skip' : c.element === undefined ? 'pass' : 'fail';
      out.set(`${c.classname} ${c.name}`, outcome);
    }
  }
  return out;
}

export interface GoEvent {
  Time: string;
  Action: string;
  Package: string;
  Test?: string;
  Output?: string;
  Elapsed?: number;
}

export function parseGoJson(text: string): GoEvent[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as GoEvent);
}

/** Test-level pass/fail/skip actions, as test2json consumers read them. */
export function goJsonOutcomes(events: readonly GoEvent[]): Outcomes {
  const out: Outcomes = new Map();
  for (const e of events) {
    if (e.Test !== undefined && (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip')) {
      out.set(`${e.Package} ${e.Test}`, e.Action);
    }
  }
  return out;
}

/**
 * `--- PASS: Name (1.23s)` lines (any indentation) belong to the package named by the next
 * `ok  \tpkg` / `FAIL\tpkg` line, as `go test -v ./...` prints packages one after another.
 */
export function goLogOutcomes(log: string): { outcomes: Outcomes; packages: Map<string, 'ok' | 'FAIL'> } {
  const outcomes: Outcomes = new Map();
  const packages = new Map<string, 'ok' | 'FAIL'>();
  let pending: [string, Outcome][] = [];
  for (const line of log.split('\n')) {
    const result = /^(?: {4})*--- (PASS|FAIL|SKIP): (\S+) \(\d+\.\d{2}s\)$/.exec(line);
    if (result) {
      pending.push([result[2] ?? '', (result[1] ?? '').toLowerCase() as Outcome]);
      continue;
    }
    const pkg = /^(ok {2}|FAIL)\t(\S+)\t\d+\.\d{3}s$/.exec(line);
    if (pkg) {
      const name = pkg[2] ?? '';
      packages.set(name, pkg[1] === 'FAIL' ? 'FAIL' : 'ok');
      for (const [test, outcome] of pending) outcomes.set(`${name} ${test}`, outcome);
      pending = [];
    }
  }
  return { outcomes, packages };
}
