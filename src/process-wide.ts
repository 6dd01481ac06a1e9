/**
 * One instance per process of a piece of shared state, even when the module holding it is loaded
 * twice: mocha loads test files with require() first, so under a TypeScript loader the harness and
 * the spec files it imports can see a CommonJS copy and an ESM copy of the same module.
 */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`ai-conformance.${name}`);
  const store = globalThis as unknown as Record<symbol, unknown>;
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}
