/**
 * Reads junit.xml back: the generic shape any Go JUnit writer produces (gotestsum, go-junit-report,
 * ours), and, for our own files, the Results model again. junit.xml is the one evidence file that
 * keeps everything the model has: status including `error`, message, details, time and the log.
 */

import type { RunInfo, RunResults, Status, TestResult } from './model.js';
import { PACKAGE_PREFIX } from './tree.js';
import { childElements, parseXml, textContent, type XmlElement } from './xml.js';

export interface JUnitCase {
  /** The `<testsuite name>`: the Go package. */
  suite: string;
  classname: string;
  name: string;
  durationMs: number;
  status: Status;
  /** The `message` attribute of `<failure>`, `<error>` or `<skipped>`. */
  message?: string;
  /** The text inside `<failure>` or `<error>`. */
  text?: string;
  /** `<system-out>` text. */
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  /** The `timestamp` attribute, when given. */
  timestamp?: string;
  properties: Record<string, string>;
  cases: JUnitCase[];
}

export interface JUnitReport {
  suites: JUnitSuite[];
}

/** Throws XmlSyntaxError on XML that does not parse; the caller names the file. */
export function parseJUnit(xml: string): JUnitReport {
  const root = parseXml(xml);
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new Error(`root element is <${root.name}>, not <testsuites> or <testsuite>`);
  }
  const suites: JUnitSuite[] = [];
  collectSuites(root, suites);
  return { suites };
}

/** Some writers nest `<testsuite>` in `<testsuite>`; every level is read. */
function collectSuites(element: XmlElement, into: JUnitSuite[]): void {
  if (element.name === 'testsuite') into.push(readSuite(element));
  for (const child of childElements(element, 'testsuite')) collectSuites(child, into);
}

function readSuite(element: XmlElement): JUnitSuite {
  const name = element.attrs.name ?? '';
  const properties: Record<string, string> = {};
  for (const props of childElements(element, 'properties')) {
    for (const p of childElements(props, 'property')) {
      if (p.attrs.name !== undefined) properties[p.attrs.name] = p.attrs.value ?? textContent(p);
    }
  }
  return {
    name,
    ...(element.attrs.timestamp === undefined ? {} : { timestamp: element.attrs.timestamp }),
    properties,
    cases: childElements(element, 'testcase').map((c) => readCase(name, c)),
  };
}

function readCase(suite: string, element: XmlElement): JUnitCase {
  const seconds = Number(element.attrs.time ?? '0');
  const outcome = childElements(element).find((c) => ['failure', 'error', 'skipped'].includes(c.name));
  const status: Status =
    outcome === undefined
      ? 'passed'
      : outcome.name === 'failure'
        ? 'failed'
        : outcome.name === 'error'
          ? 'error'
          : 'skipped';
  const out = childElements(element, 'system-out');
  const text = outcome === undefined || outcome.name === 'skipped' ? '' : textContent(outcome);
  return {
    suite,
    classname: element.attrs.classname ?? suite,
    name: element.attrs.name ?? '',
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    status,
    ...(outcome?.attrs.message === undefined ? {} : { message: outcome.attrs.message }),
    ...(text === '' ? {} : { text }),
    ...(out.length === 0 ? {} : { systemOut: out.map(textContent).join('') }),
  };
}

/**
 * The Results model from one of our junit.xml files. Parents (`TestX` of `TestX/Sub`) are derived
 * by the writers, so only leaves become results. `run` comes from meta/run.json when the caller has
 * it; otherwise from the suite properties our writer records.
 */
export function resultsFromJUnit(report: JUnitReport, run?: RunInfo): RunResults {
  const tests: TestResult[] = [];
  for (const suite of report.suites) {
    const parents = new Set<string>();
    for (const c of suite.cases) {
      for (let i = c.name.indexOf('/'); i !== -1; i = c.name.indexOf('/', i + 1)) parents.add(c.name.slice(0, i));
    }
    const requirement = suite.properties.requirement ?? stripPrefix(suite.name);
    for (const c of suite.cases) {
      if (parents.has(c.name)) continue;
      tests.push(testResult(c, requirement, suite.timestamp));
    }
  }
  return { run: run ?? runFromProperties(report), tests };
}

function testResult(c: JUnitCase, requirement: string, timestamp: string | undefined): TestResult {
  const log = undecorate(c.systemOut ?? '');
  const message = c.message;
  // Our writer puts `message` then `details` in the element text; split them again.
  let details: string | undefined;
  if (c.text !== undefined && c.text !== message) {
    details = message !== undefined && c.text.startsWith(`${message}\n`) ? c.text.slice(message.length + 1) : c.text;
  }
  return {
    name: c.name,
    requirement,
    probe: log.source ?? '-',
    status: c.status,
    ...(message === undefined || message === '' ? {} : { message }),
    ...(details === undefined || details === '' ? {} : { details }),
    durationMs: c.durationMs,
    startedAt: timestamp ?? '',
    log: log.entries,
  };
}

function stripPrefix(suite: string): string {
  return suite.startsWith(PACKAGE_PREFIX) ? suite.slice(PACKAGE_PREFIX.length) : suite;
}

/**
 * Go decorates a log entry as `    source: first line` with continuation lines indented by eight
 * spaces (src/results/gotest-format.ts); this undoes it. Lines of another shape are kept as they are.
 */
export function undecorate(systemOut: string): { source?: string; entries: string[] } {
  const entries: string[] = [];
  let source: string | undefined;
  if (systemOut === '') return { entries };
  const lines = systemOut.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  for (const line of lines) {
    const first = /^ {4}([^\s:]+): (.*)$/s.exec(line);
    if (first && !line.startsWith('        ')) {
      source ??= first[1];
      entries.push(first[2] ?? '');
    } else if (line.startsWith('        ') && entries.length > 0) {
      entries.push(`${entries.pop() ?? ''}\n${line.slice(8)}`);
    } else {
      entries.push(line);
    }
  }
  return { ...(source === undefined ? {} : { source }), entries };
}

/** RunInfo from the properties our writer puts on every suite, for a folder without meta/run.json. */
function runFromProperties(report: JUnitReport): RunInfo {
  const p = report.suites[0]?.properties ?? {};
  const tool = (p['tool.version'] ?? '').split(' ');
  const times = report.suites.map((s) => Date.parse(s.timestamp ?? '')).filter((t) => !Number.isNaN(t));
  const startedAt = times.length > 0 ? new Date(Math.min(...times)).toISOString() : '';
  return {
    runId: p['run.id'] ?? 'unknown',
    tool: { name: tool[0] ?? 'unknown', version: tool[1] ?? 'unknown' },
    profile: {
      name: p['profile.name'] ?? 'unknown',
      checklistVersion: p['profile.checklistVersion'] ?? 'unknown',
      digest: p['profile.digest'] ?? '',
    },
    startedAt,
    finishedAt: '',
    ...(p['kubernetes.serverVersion'] === undefined ? {} : { serverVersion: p['kubernetes.serverVersion'] }),
    incomplete: p['run.incomplete'] === 'true',
  };
}
