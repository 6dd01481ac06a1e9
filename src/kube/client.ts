/**
 * The one Kubernetes client wrapper: the loaded kubeconfig, typed API clients made on first use,
 * raw JSON reads, discovery, and the preflight that turns "cannot use this cluster" into a
 * one-line ClusterError.
 */
import {
  ApiException,
  ApiextensionsV1Api,
  ApiregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  ResourceV1Api,
  StorageV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { asClusterError, describeApiError } from './api-error.js';
import { getJson, type Query, type RequestOptions } from './http-get.js';
import { loadKubeConfig, type KubeConfigOptions, type LoadedKubeConfig } from './kubeconfig.js';

export { loadKubeConfig, type KubeConfigOptions, type KubeConfigSources, type LoadedKubeConfig } from './kubeconfig.js';
export type { Query, RequestOptions } from './http-get.js';
export { describeApiError, httpStatus, isNotFound, isConflict, isNetworkError, asClusterError } from './api-error.js';

/** Where progress lines go (heartbeats, cleanup failures). */
export type Log = (line: string) => void;

export interface ServerVersion {
  gitVersion: string;
  major: string;
  minor: string;
  platform?: string;
}

/** What discovery says about a kind: its plural (the URL segment) and scope. */
export interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiResourceList {
  resources?: ApiResource[];
}

type ApiClass<T> = new (...args: never[]) => T;

/** The cluster does not serve this apiVersion/kind (a CRD not installed, an API not enabled). */
export class NotServedError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`the cluster does not serve ${kind} in ${apiVersion}`);
    this.name = 'NotServedError';
  }
}

export class Kube {
  readonly kubeConfig: KubeConfig;
  /** The kubeconfig file(s) or `in-cluster service account`, for messages. */
  readonly source: string;
  /** Raw GETs made so far (getJson, listAll, discovery); the fingerprint reports its share. */
  requestCount = 0;
  private readonly clients = new Map<unknown, unknown>();
  private readonly discovery = new Map<string, Promise<ApiResourceList | undefined>>();

  constructor(loaded: LoadedKubeConfig) {
    this.kubeConfig = loaded.kubeConfig;
    this.source = loaded.source;
  }

  /** loadKubeConfig + new Kube: the usual way in. Throws ClusterError for a bad kubeconfig. */
  static load(options: KubeConfigOptions = {}): Kube {
    return new Kube(loadKubeConfig(options));
  }

  server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '(no server)';
  }

  context(): string {
    return this.kubeConfig.getCurrentContext();
  }

  private client<T>(api: ApiClass<T>): T {
    let c = this.clients.get(api) as T | undefined;
    if (c === undefined) {
      c = this.kubeConfig.makeApiClient(api as never) as T;
      this.clients.set(api, c);
    }
    return c;
  }

  get core(): CoreV1Api {
    return this.client(CoreV1Api);
  }
  get apps(): AppsV1Api {
    return this.client(AppsV1Api);
  }
  get batch(): BatchV1Api {
    return this.client(BatchV1Api);
  }
  get autoscalingV2(): AutoscalingV2Api {
    return this.client(AutoscalingV2Api);
  }
  get resourceV1(): ResourceV1Api {
    return this.client(ResourceV1Api);
  }
  get apiextensions(): ApiextensionsV1Api {
    return this.client(ApiextensionsV1Api);
  }
  get apiregistration(): ApiregistrationV1Api {
    return this.client(ApiregistrationV1Api);
  }
  get storage(): StorageV1Api {
    return this.client(StorageV1Api);
  }
  get customObjects(): CustomObjectsApi {
    return this.client(CustomObjectsApi);
  }
  /** Any kind by apiVersion/kind (CRDs, DRA, Kueue). Positional parameters: see ecosystem.md §2.2. */
  get objects(): KubernetesObjectApi {
    let c = this.clients.get(KubernetesObjectApi) as KubernetesObjectApi | undefined;
    if (c === undefined) {
      c = KubernetesObjectApi.makeApiClient(this.kubeConfig);
      this.clients.set(KubernetesObjectApi, c);
    }
    return c;
  }

  /**
   * GET a path and return the JSON exactly as the server sent it (no model classes, so list
   * items look like watch events). HTTP ≥ 300 throws ApiException; socket/TLS errors keep their code.
   */
  getJson<T>(path: string, query: Query = {}, options: RequestOptions = {}): Promise<T> {
    this.requestCount += 1;
    return getJson<T>(this.kubeConfig, path, query, options);
  }

  /** Every item of a collection, 500 a page with continue tokens, so large clusters cost few calls. */
  async listAll<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.getJson<{ metadata?: { continue?: string }; items?: T[] }>(path, {
        ...query,
        limit: 500,
        continue: token,
      });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return items;
  }

  /**
   * Discovery for one kind: its plural and scope, or undefined when the cluster does not serve it.
   * Lists are cached per apiVersion; a miss re-reads once, since a CRD may have been installed since.
   */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const find = (list: ApiResourceList | undefined): ApiResource | undefined =>
      list?.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    const cached = this.discovery.get(apiVersion);
    if (cached !== undefined) {
      const hit = find(await cached);
      if (hit !== undefined) return hit;
    }
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const fresh = this.getJson<ApiResourceList>(path).catch((err: unknown) => {
      if (err instanceof ApiException && (err as ApiException<unknown>).code === 404) return undefined;
      this.discovery.delete(apiVersion);
      throw err;
    });
    this.discovery.set(apiVersion, fresh);
    return find(await fresh);
  }

  /** `/api/v1/namespaces/ns/pods`: the collection URL for list and watch. Throws when not served. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    if (r === undefined) throw new NotServedError(apiVersion, kind);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (r.namespaced && namespace !== undefined) return `${root}/namespaces/${encodeURIComponent(namespace)}/${r.name}`;
    return `${root}/${r.name}`;
  }

  /** ClusterError for unreachable / 401 / 403, naming this server and context; otherwise undefined. */
  clusterError(err: unknown): ClusterError | undefined {
    return asClusterError(err, { server: this.server(), context: this.context() });
  }

  /** GET /version with a short timeout: the first call of every command that talks to the cluster. */
  async preflight(timeoutMs = 10_000): Promise<ServerVersion> {
    let v: Partial<ServerVersion>;
    try {
      v = await this.getJson<Partial<ServerVersion>>('/version', {}, { timeoutMs });
    } catch (err) {
      throw (
        this.clusterError(err) ??
        new ClusterError(
          `cannot use the cluster at ${this.server()} (context ${this.context()}): ${describeApiError(err)}`,
          {
            cause: err,
          },
        )
      );
    }
    if (typeof v.gitVersion !== 'string') {
      throw new ClusterError(
        `the server at ${this.server()} (context ${this.context()}) is not a Kubernetes API server: /version has no gitVersion`,
      );
    }
    const version: ServerVersion = { gitVersion: v.gitVersion, major: v.major ?? '', minor: v.minor ?? '' };
    if (v.platform !== undefined) version.platform = v.platform;
    return version;
  }
}
