/**
 * The shape of a probe in a spec file: `probe(id, 'TestGangScheduling', (p) => { ... })` is a mocha
 * `describe` whose `before` makes the probe's own namespace and cleanup stack and whose `after`
 * runs that stack (LIFO), on every path. Tests inside are the Go-style subtests.
 */
import Mocha from 'mocha';
import { processWide } from '../process-wide.js';
import { applyObjects } from '../kube/apply.js';
import { CleanupStack } from '../kube/cleanup.js';
import type { Kube } from '../kube/client.js';
import { deleteIfPresent, getObject, listObjects, type DeleteOptions } from '../kube/crud.js';
import { runLabels } from '../kube/labels.js';
import { loadManifests, type ManifestParams } from '../kube/manifest.js';
import { createProbeNamespace } from '../kube/namespace.js';
import type { KubeObject, ListTarget, ObjectRef } from '../kube/objects.js';
import type { NeverOptions, WaitOptions } from '../kube/wait.js';
import { manifestFile } from '../paths.js';
import { durationMs, type Parameters } from '../profiles/parameters.js';
import { PROBES } from '../requirements/probes.js';
import { manualVerificationMessage } from '../results/model.js';
import { runContext, type RunContext } from './context.js';

/** The probe could not run (missing permission, setup timed out, ...): reported as `error`. */
export class ProbeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProbeError';
  }
}

export interface ProbeInfo {
  probe: string;
  requirement: string;
}

/** The reporter finds a test's probe and requirement by walking up to the probe's suite. */
export const probeSuites = processWide('probe-suites', () => new WeakMap<Mocha.Suite, ProbeInfo>());

/** Skip reasons by test or suite; a skip without a reason is never reported. */
export const skipReasons = processWide('skip-reasons', () => new WeakMap<Mocha.Runnable | Mocha.Suite, string>());

export interface ProbeHandle {
  readonly id: string;
  readonly ctx: RunContext;
  readonly kube: Kube;
  readonly params: Parameters;
  /** The probe's own namespace, created in `before`. */
  readonly namespace: string;
  readonly cleanup: CleanupStack;
  readonly waitMs: number;
  readonly negativeWindowMs: number;
  readonly heartbeatMs: number;
  log(line: string): void;
  /** Marks the running test (or, from a hook, the whole probe) skipped with a reason, then stops it. */
  skip(mochaCtx: Mocha.Context, reason: string): never;
  /**
   * Like `skip`, for the KARs' "Unknown": the probe cannot judge what it found (an unrecognised
   * accelerator or mechanism), so the test is reported as `manual verification required: <reason>`,
   * never as pass or fail.
   */
  unknown(mochaCtx: Mocha.Context, reason: string): never;
  /** A string parameter's value (the profile validated the types). */
  param(name: string): string;
  /** Wait options: `timeoutMs` (default waitTimeout), heartbeats into the probe's log. */
  waitOptions(timeoutMs?: number): WaitOptions;
  /** Options of a negative check (expectNever): `durationMs` (default negativeWindow), heartbeats. */
  window(durationMs?: number): NeverOptions;
  /**
   * Creates the objects of `suites/<category>/manifests/<file>` in the probe's namespace, with the
   * hygiene labels and their deletion on the cleanup stack, and logs each; `adjust` may edit them first.
   */
  create(
    category: string,
    file: string,
    params: ManifestParams,
    adjust?: (obj: KubeObject) => void,
  ): Promise<KubeObject[]>;
  /** Creates these objects like `create` (labels, namespace, cleanup), without a log line. */
  apply(objects: readonly KubeObject[]): Promise<KubeObject[]>;
  /** The object as the server has it now; undefined when it does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  /** Every object of the target (paginated). */
  list<T = KubeObject>(target: ListTarget): Promise<T[]>;
  /** Deletes the object (Background by default); false when it was already gone. */
  deleteIfPresent(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;
}

export function skipWithReason(mochaCtx: Mocha.Context, reason: string): never {
  // From a hook the reason belongs to the whole suite (mocha points currentTest at the next test).
  const runnable = mochaCtx.test;
  const target = runnable instanceof Mocha.Hook ? runnable.parent : (mochaCtx.currentTest ?? runnable?.parent);
  if (target) skipReasons.set(target, reason);
  mochaCtx.skip();
}

/** `skipWithReason` with the manual-verification marker (see MANUAL_VERIFICATION). */
export function unknownWithReason(mochaCtx: Mocha.Context, reason: string): never {
  return skipWithReason(mochaCtx, manualVerificationMessage(reason));
}

export interface ProbeOptions {
  /** Create a namespace for the probe (default true). Cluster-scoped-only probes may opt out. */
  namespace?: boolean;
}

export function probe(
  id: string,
  goTestName: string,
  body: (p: ProbeHandle) => void,
  options: ProbeOptions = {},
): void {
  const def = PROBES.find((p) => p.id === id);
  if (!def) throw new Error(`probe ${id} is not in the catalogue (src/requirements/probes.ts)`);
  let namespace: string | undefined;
  let cleanup: CleanupStack | undefined;

  /** The progress part of wait and window options: heartbeats into the probe's log. */

  const heartbeats = (): { log: (line: string) => void; heartbeatMs: number } => ({
    log: (line: string) => {
      handle.log(line);
    },
    heartbeatMs: handle.heartbeatMs,
  });

  const handle: ProbeHandle = {
    id,
    get ctx() {
      return runContext();
    },
    get kube() {
      const k = runContext().kube;
      if (!k) throw new Error('no cluster in this run');
      return k;
    },
    get params() {
      return runContext().params;
    },
    get namespace() {
      if (namespace === undefined) throw new Error(`probe ${id}: namespace not created yet (use it in before/it)`);
      return namespace;
    },
    get cleanup() {
      if (!cleanup) throw new Error(`probe ${id}: cleanup stack not ready yet (use it in before/it)`);
      return cleanup;
    },
    get waitMs() {
      return durationMs(runContext().params, 'waitTimeout');
    },
    get negativeWindowMs() {
      return durationMs(runContext().params, 'negativeWindow');
    },
    get heartbeatMs() {
      return durationMs(runContext().params, 'heartbeat');
    },
    log(line: string) {
      runContext().log(line, id);
    },
    skip: skipWithReason,
    unknown: unknownWithReason,
    param(name: string) {
      const v = runContext().params[name];
      return typeof v === 'string' ? v : String(v);
    },
    waitOptions(timeoutMs = handle.waitMs) {
      return { timeoutMs, ...heartbeats() };
    },
    window(durationMs = handle.negativeWindowMs) {
      return { durationMs, ...heartbeats() };
    },
    async create(category, file, params, adjust) {
      const objects = loadManifests(manifestFile(category, file), params);
      if (adjust !== undefined) objects.forEach(adjust);
      const created = await handle.apply(objects);
      for (const o of created) handle.log(`created ${o.kind ?? '?'} ${o.metadata?.name ?? '?'} from ${file}`);
      return created;
    },
    async apply(objects) {
      const created = await applyObjects(handle.kube, objects, {
        namespace: handle.namespace,
        labels: runLabels(handle.ctx.runId, id),
        cleanup: handle.cleanup,
      });
      return created as KubeObject[];
    },
    get(ref) {
      return getObject(handle.kube, ref);
    },
    list(target) {
      return listObjects(handle.kube, target);
    },
    deleteIfPresent(ref, options) {
      return deleteIfPresent(handle.kube, ref, options);
    },
  };

  const suite = describe(goTestName, function () {
    // Per-test limit from the profile (`--timeout` overrides probeTimeout).
    this.timeout(durationMs(runContext().params, 'probeTimeout'));
    before(async function () {
      const ctx = runContext();
      cleanup = new CleanupStack();
      ctx.pendingCleanups.add(cleanup);
      if (options.namespace !== false) {
        namespace = await createProbeNamespace(handle.kube, { runId: ctx.runId, probe: id, cleanup });
        handle.log(`namespace ${namespace} created`);
      }
    });
    after(async function () {
      const ctx = runContext();
      this.timeout(durationMs(ctx.params, 'waitTimeout') + 30_000);
      if (cleanup) {
        await cleanup.run((line: string) => {
          handle.log(line);
        });
        ctx.pendingCleanups.delete(cleanup);
      }
    });
    body(handle);
  });
  probeSuites.set(suite, { probe: id, requirement: def.requirement });
}
