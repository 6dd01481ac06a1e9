/**
 * junit.xml in the shape gotestsum writes: `<testsuites>` → one `<testsuite>` per Go package with
 * `<properties>` → one `<testcase classname=package name="TestX/Sub">` per test, parents included
 * (so `junit.xml#TestGangScheduling` resolves), parents listed before their subtests.
 *
 * Written by hand rather than with junit-report-builder: the builder's `skipped()` takes no message
 * (DESIGN.md wants `<skipped message>`), it cannot set the gotestsum `<testsuites>` attributes, and
 * its CDATA escaping replaces only the first `]]>`. Escaping plain text is simpler and exact.
 */

import type { RunInfo, RunResults } from './model.js';
import { messageWithDetails, testOutputLines } from './gotest-format.js';
import { buildTree, flattenTests, type PackageNode, type TestNode } from './tree.js';

export function formatJUnit(results: RunResults): string {
  const tree = buildTree(results);
  const suites = tree.packages.map((pkg) => ({ pkg, cases: flattenTests(pkg.tests) }));
  const all = suites.flatMap((s) => s.cases);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attrs({
      tests: all.length,
      failures: all.filter((t) => t.status === 'failed').length,
      errors: all.filter((t) => t.status === 'error').length,
      time: seconds(runDurationMs(results.run, tree.packages)),
    })}>`,
  );
  for (const { pkg, cases } of suites) out.push(...testSuite(pkg, cases, results.run));
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function testSuite(pkg: PackageNode, cases: TestNode[], run: RunInfo): string[] {
  const count = (status: TestNode['status']): number => cases.filter((t) => t.status === status).length;
  const out = [
    `\t<testsuite${attrs({
      name: pkg.name,
      tests: cases.length,
      failures: count('failed'),
      errors: count('error'),
      skipped: count('skipped'),
      time: seconds(pkg.durationMs),
      timestamp: new Date(pkg.startMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    })}>`,
    '\t\t<properties>',
    ...suiteProperties(pkg, run).map(([name, value]) => `\t\t\t<property${attrs({ name, value })}></property>`),
    '\t\t</properties>',
  ];
  for (const test of cases) out.push(...testCase(pkg, test));
  out.push('\t</testsuite>');
  return out;
}

/** gotestsum records `go.version`; the equivalent facts here are the tool, run, profile and cluster. */
function suiteProperties(pkg: PackageNode, run: RunInfo): [string, string][] {
  const props: [string, string][] = [
    ['tool.version', `${run.tool.name} ${run.tool.version}`],
    ['run.id', run.runId],
    ['profile.name', run.profile.name],
    ['profile.checklistVersion', run.profile.checklistVersion],
    ['profile.digest', run.profile.digest],
    ['requirement', pkg.requirement],
  ];
  if (run.serverVersion !== undefined) props.push(['kubernetes.serverVersion', run.serverVersion]);
  if (run.incomplete) props.push(['run.incomplete', 'true']);
  return props;
}

function testCase(pkg: PackageNode, test: TestNode): string[] {
  const open = `\t\t<testcase${attrs({ classname: pkg.name, name: test.name, time: seconds(test.durationMs) })}`;
  const body: string[] = [];
  const result = test.result;
  if (test.status === 'failed' || test.status === 'error') {
    const element = test.status === 'failed' ? 'failure' : 'error';
    const message = result ? (result.message ?? '') : failedChildrenMessage(test);
    // The element already says failure or error, so the text is the message as written.
    const text = result ? messageWithDetails(result) : '';
    body.push(`\t\t\t<${element}${attrs({ message, type: test.status })}>${escapeText(text)}</${element}>`);
  } else if (test.status === 'skipped') {
    const message = result ? (result.message ?? '') : 'all subtests skipped';
    body.push(`\t\t\t<skipped${attrs({ message })}></skipped>`);
  }
  if (result && result.log.length > 0) {
    // The same decorated lines as e2e.log, minus the status message that the element above holds.
    const log = testOutputLines({ ...result, status: 'passed' });
    body.push(`\t\t\t<system-out>${escapeText(log.join('\n') + '\n')}</system-out>`);
  }
  if (body.length === 0) return [open + '></testcase>'];
  return [open + '>', ...body, '\t\t</testcase>'];
}

function failedChildrenMessage(test: TestNode): string {
  const failed = test.children.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.name);
  return `subtests failed: ${failed.join(', ')}`;
}

/** The run's wall time when known (gotestsum reports its own elapsed), else the packages' span. */
function runDurationMs(run: RunInfo, packages: readonly PackageNode[]): number {
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  if (!Number.isNaN(ms) && ms >= 0) return ms;
  return packages.reduce((sum, p) => sum + p.durationMs, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
}

/** Characters XML 1.0 cannot hold at all; Go's encoding/xml writes U+FFFD for them too. */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeText(s: string): string {
  return s
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#xD;');
}

/** Attribute values also escape quotes and whitespace controls, which parsers would otherwise normalise to spaces. */
function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;');
}
