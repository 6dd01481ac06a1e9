/**
 * The Go-test view of a run that every evidence writer shares: leaf results grouped into Go
 * "packages" and nested under derived parent tests, so that junit.xml, results.json and e2e.log
 * agree on which tests exist and which failed.
 *
 * Package choice: one package per requirement, `ai-conformance/<requirement id>`. A requirement is
 * the unit the CNCF checklist and our summary report on, and it keeps a package's ok/FAIL line
 * equal to that requirement's verdict.
 */

import type { RunResults, Status, TestResult } from './model.js';

export const PACKAGE_PREFIX = 'ai-conformance/';

/** Parents are never `error`: Go has no such state, and a parent with an errored child failed. */
export type NodeStatus = Status;

export interface TestNode {
  /** Full Go test name: `TestX`, `TestX/Sub`. */
  name: string;
  /** 0 for a top-level test, 1 for `TestX/Sub`, ... */
  depth: number;
  status: NodeStatus;
  /** The leaf result this node stands for; absent on a derived parent. */
  result?: TestResult;
  /** Subtests in run order. */
  children: TestNode[];
  /** Epoch milliseconds; a parent spans its children. */
  startMs: number;
  durationMs: number;
}

export interface PackageNode {
  /** `ai-conformance/<requirement id>`. */
  name: string;
  requirement: string;
  /** Go reports a package as failed or ok; an all-skipped package is ok. */
  status: 'passed' | 'failed';
  /** Top-level tests in run order. */
  tests: TestNode[];
  startMs: number;
  durationMs: number;
}

export interface ResultTree {
  packages: PackageNode[];
}

export function packageName(requirement: string): string {
  return PACKAGE_PREFIX + requirement;
}

/** Derives packages and parent tests from the leaf results; the model itself is not changed. */
export function buildTree(results: RunResults): ResultTree {
  const fallbackMs = parseTime(results.run.startedAt, 0);
  const packages = new Map<string, { requirement: string; roots: TestNode[]; seen: Set<string> }>();

  for (const result of results.tests) {
    const name = packageName(result.requirement);
    let pkg = packages.get(name);
    if (!pkg) {
      pkg = { requirement: result.requirement, roots: [], seen: new Set() };
      packages.set(name, pkg);
    }
    // Go writes subtest names with `_` for spaces; Go tooling splits result lines at spaces.
    const leafName = uniqueName(result.name.replace(/\s/g, '_'), pkg.seen);
    insertLeaf(pkg.roots, leafName, result, parseTime(result.startedAt, fallbackMs));
  }

  return {
    packages: [...packages].map(([name, pkg]) => {
      pkg.roots.forEach(settle);
      const { startMs, durationMs } = span(pkg.roots);
      const failed = pkg.roots.some((t) => isFailing(t.status));
      return {
        name,
        requirement: pkg.requirement,
        status: failed ? 'failed' : 'passed',
        tests: pkg.roots,
        startMs,
        durationMs,
      };
    }),
  };
}

/** Every node, parents before their children (the order go-junit-report lists test cases in). */
export function flattenTests(nodes: readonly TestNode[]): TestNode[] {
  return nodes.flatMap((n) => [n, ...flattenTests(n.children)]);
}

/** Failed and error both fail in Go terms. */
export function isFailing(status: Status): boolean {
  return status === 'failed' || status === 'error';
}

/** Go reports a repeated test name as `Name#01`, `Name#02`, ...; do the same so names stay unique. */
function uniqueName(name: string, seen: Set<string>): string {
  let unique = name;
  for (let n = 1; seen.has(unique); n += 1) unique = `${name}#${String(n).padStart(2, '0')}`;
  seen.add(unique);
  return unique;
}

function insertLeaf(roots: TestNode[], name: string, result: TestResult, startMs: number): void {
  const parts = name.split('/');
  let siblings = roots;
  let node: TestNode | undefined;
  for (let depth = 0; depth < parts.length; depth += 1) {
    const prefix = parts.slice(0, depth + 1).join('/');
    node = siblings.find((n) => n.name === prefix);
    if (!node) {
      node = { name: prefix, depth, status: 'passed', children: [], startMs, durationMs: 0 };
      siblings.push(node);
    }
    siblings = node.children;
  }
  // `node` is set: a name always has at least one part.
  const leaf = node as TestNode;
  leaf.result = result;
  leaf.status = result.status;
  leaf.startMs = startMs;
  leaf.durationMs = Number.isFinite(result.durationMs) ? Math.max(0, result.durationMs) : 0;
}

/** Fills in status and timing of derived parents, bottom-up. */
function settle(node: TestNode): void {
  if (node.children.length === 0) return;
  node.children.forEach(settle);
  const statuses = node.children.map((c) => c.status);
  if (node.result) statuses.push(node.result.status);
  if (statuses.some(isFailing)) node.status = 'failed';
  else if (statuses.every((s) => s === 'skipped')) node.status = 'skipped';
  else node.status = 'passed';
  const children = span(node.children);
  const ownEnd = node.result ? node.startMs + node.durationMs : children.startMs;
  node.startMs = node.result ? Math.min(node.startMs, children.startMs) : children.startMs;
  node.durationMs = Math.max(children.startMs + children.durationMs, ownEnd) - node.startMs;
}

/** Wall-clock span of sibling tests: from the first start to the last end. */
function span(nodes: readonly TestNode[]): { startMs: number; durationMs: number } {
  if (nodes.length === 0) return { startMs: 0, durationMs: 0 };
  const startMs = Math.min(...nodes.map((n) => n.startMs));
  const endMs = Math.max(...nodes.map((n) => n.startMs + n.durationMs));
  return { startMs, durationMs: endMs - startMs };
}

function parseTime(iso: string, fallbackMs: number): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? fallbackMs : ms;
}
