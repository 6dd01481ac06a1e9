/**
 * Keeps the current state of a wait target up to date: list, then watch from the list's
 * resourceVersion, re-watch when the server closes the stream, re-list after a watch error or
 * 410 Gone. Every change is pushed to `onState`. `stop()` aborts the request in flight, so a
 * finished wait leaves no socket open (client-node 1.4 watches otherwise keep the process alive).
 */
import { Watch } from '@kubernetes/client-node';
import { describeApiError, httpStatus } from './api-error.js';
import { NotServedError, type Kube } from './client.js';
import { isObjectRef, type KubeObject, type ListTarget, type ObjectRef } from './objects.js';

/** What a condition sees: the object (undefined while absent) or the matching objects, sorted. */
export type Observed = KubeObject | undefined | KubeObject[];

interface ObjectList {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

interface WatchStatus {
  code?: number;
  message?: string;
}

// Server-side watch timeout; the stream is simply reopened from the last resourceVersion.
const WATCH_SECONDS = 300;
const MAX_BACKOFF_MS = 5_000;

/** 401/403/404 will not fix themselves by retrying: end the wait with the error. */
function isPermanent(err: unknown): boolean {
  if (err instanceof NotServedError) return true;
  const status = httpStatus(err);
  return status === 401 || status === 403 || status === 404;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class TargetWatcher {
  /** The most recent list or watch error, for timeout messages; cleared by a successful list. */
  lastError: unknown;
  private stopped = false;
  private readonly objects = new Map<string, KubeObject>();
  private readonly abort = new AbortController();
  private watchAbort: Promise<AbortController> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly kube: Kube,
    private readonly target: ObjectRef | ListTarget,
    private readonly onState: (observed: Observed) => void,
    private readonly onFatal: (err: unknown) => void,
  ) {}

  start(): void {
    this.run().catch((err: unknown) => {
      if (!this.stopped) this.onFatal(err);
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    void this.watchAbort
      ?.then((c) => {
        c.abort();
      })
      .catch(() => undefined);
    this.wake?.();
  }

  /** A method, not the field, so that TypeScript does not carry a narrowed value across awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private selectors(): Record<string, string | undefined> {
    const t = this.target;
    if (isObjectRef(t)) return { fieldSelector: `metadata.name=${t.name}` };
    return { labelSelector: t.labelSelector, fieldSelector: t.fieldSelector };
  }

  private publish(): void {
    if (this.stopped) return;
    const items = [...this.objects.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => o);
    this.onState(isObjectRef(this.target) ? items[0] : items);
  }

  private async run(): Promise<void> {
    const { apiVersion, kind, namespace } = this.target;
    let path: string | undefined;
    let backoffMs = 0;
    while (!this.stopped) {
      try {
        // Discovery is retried like the list: an API server restarting mid-wait is no reason to fail.
        path ??= await this.kube.collectionPath(apiVersion, kind, namespace);
        const list = await this.kube.getJson<ObjectList>(path, this.selectors(), { signal: this.abort.signal });
        this.lastError = undefined;
        this.objects.clear();
        for (const item of list.items ?? []) {
          // List items carry no apiVersion/kind; watch events do. Make them look the same.
          this.objects.set(keyOf(item), { apiVersion, kind, ...item });
        }
        this.publish();
        backoffMs = 0;
        let resourceVersion = list.metadata?.resourceVersion ?? '';
        // Re-watch from where we are while the server merely closes streams; re-list otherwise.
        for (;;) {
          const result = await this.watchOnce(path, resourceVersion);
          if (result.relist || this.isStopped()) break;
          resourceVersion = result.resourceVersion;
        }
      } catch (err) {
        if (this.isStopped()) return;
        if (isPermanent(err)) throw err;
        this.lastError = err;
      }
      if (this.isStopped()) return;
      // Back off only between failed attempts, so a flapping server is not hammered.
      if (this.lastError !== undefined) {
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? 250 : backoffMs * 2);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoffMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private watchOnce(path: string, from: string): Promise<{ relist: boolean; resourceVersion: string }> {
    const { apiVersion, kind } = this.target;
    let resourceVersion = from;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (relist: boolean, err?: unknown): void => {
        if (settled) return;
        settled = true;
        void this.watchAbort
          ?.then((c) => {
            c.abort();
          })
          .catch(() => undefined);
        if (err !== undefined && isPermanent(err))
          reject(err instanceof Error ? err : new Error(describeApiError(err)));
        else resolve({ relist, resourceVersion });
      };
      const query = {
        ...this.selectors(),
        resourceVersion: from,
        allowWatchBookmarks: true,
        timeoutSeconds: WATCH_SECONDS,
      };
      this.watchAbort = new Watch(this.kube.kubeConfig).watch(
        path,
        query,
        (type: string, obj: unknown) => {
          if (settled || this.stopped) return;
          if (type === 'ERROR') {
            // Usually 410 Gone: our resourceVersion is too old. Either way, start over with a list.
            const status = obj as WatchStatus;
            this.lastError = new Error(`watch error ${String(status.code ?? '')}: ${status.message ?? 'unknown'}`);
            settle(true);
            return;
          }
          const o = obj as KubeObject;
          resourceVersion = o.metadata?.resourceVersion ?? resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'DELETED') this.objects.delete(keyOf(o));
          else this.objects.set(keyOf(o), { apiVersion, kind, ...o });
          this.publish();
        },
        (err: unknown) => {
          // Our own abort (after an ERROR event, or at stop) also ends up here; it is no error.
          if (err !== null && err !== undefined && !settled && !this.stopped) this.lastError = err;
          settle(err !== null && err !== undefined, err ?? undefined);
        },
      );
      // watch() rejects (rather than calling done) when credentials cannot be prepared.
      this.watchAbort.catch((err: unknown) => {
        settle(true, err);
      });
      if (this.stopped) settle(true);
    });
  }
}
