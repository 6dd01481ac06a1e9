/**
 * Go-style test names from mocha titles: describe('TestGangScheduling') > it('PositiveGangScheduling')
 * is `TestGangScheduling/PositiveGangScheduling`. Go replaces spaces in subtest names with '_'.
 */

export function goName(titles: readonly string[]): string {
  return titles.map((t) => t.trim().replace(/\s+/g, '_')).join('/');
}

/** Titles from the probe's suite (the `TestXxx` describe) down to the runnable, root excluded. */
export function titlesOf(runnable: Mocha.Runnable | Mocha.Suite): string[] {
  const titles: string[] = [];
  let node: Mocha.Runnable | Mocha.Suite | undefined = runnable;
  while (node) {
    if (!('root' in node && node.root) && node.title !== '') titles.unshift(node.title);
    node = node.parent;
  }
  return titles;
}

export function testName(runnable: Mocha.Runnable | Mocha.Suite): string {
  return goName(titlesOf(runnable));
}

/** A fallback Go test name for a requirement without a probe or upstream test: `dra_support` → `TestDraSupport`. */
export function goNameForRequirement(id: string): string {
  return (
    'Test' +
    id
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')
  );
}

/** Every test under a suite, depth first, in mocha's order. */
export function allTests(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(allTests)];
}
