/**
 * Where the package's own files live, whether we run compiled (dist/src/...) or from source under
 * tsx (src/...): the nearest folder above this module that holds package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  cached = dir;
  return dir;
}

/** True when running from TypeScript sources (tsx), false when running compiled JavaScript. */
export function runningFromSource(): boolean {
  return import.meta.url.endsWith('.ts');
}

/** Absolute path of a suite spec (`scheduling/gang-scheduling`) in the form this process can load. */
export function specFile(spec: string): string {
  if (path.isAbsolute(spec)) return spec;
  return runningFromSource()
    ? path.join(packageRoot(), 'suites', `${spec}.spec.ts`)
    : path.join(packageRoot(), 'dist', 'suites', `${spec}.spec.js`);
}

/** Manifests stay YAML next to their spec in suites/<category>/manifests, never compiled. */
export function manifestFile(category: string, name: string): string {
  return path.join(packageRoot(), 'suites', category, 'manifests', name);
}

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
  return version;
}
