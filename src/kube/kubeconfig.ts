/**
 * Finding and loading the kubeconfig the way kubectl does, with errors that name the file and
 * context. Order: --kubeconfig, else $KUBECONFIG (a path list, merged), else ~/.kube/config, else
 * the in-cluster ServiceAccount.
 */
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ClusterError } from '../errors.js';

export interface KubeConfigOptions {
  /** An explicit kubeconfig file (--kubeconfig); it must exist. */
  kubeconfig?: string;
  /** The context to use (--context) instead of the file's current-context. */
  context?: string;
}

/** Where to look; the defaults are the real environment. Tests point these at temp folders. */
export interface KubeConfigSources {
  env?: NodeJS.ProcessEnv;
  home?: string;
  serviceAccountDir?: string;
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** What was loaded, for messages: a file, `KUBECONFIG=a:b`, or `in-cluster service account`. */
  source: string;
  /** The context in use. */
  context: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function readKubeConfigFile(file: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ClusterError(`cannot read kubeconfig ${file}: ${why}`, { cause: err });
  }
  try {
    // client-node's loader crashes with a TypeError on an empty or scalar document; check the shape first.
    const doc: unknown = parseYaml(text);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new Error('not a kubeconfig (expected a mapping with clusters, users and contexts)');
    }
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return kc;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? String(err);
    throw new ClusterError(`invalid kubeconfig ${file}: ${message}`, { cause: err });
  }
}

/** kubectl's merge rule: the first file to define a name (or current-context) wins. */
function mergeKubeConfigs(configs: readonly KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const kc of configs) {
    for (const c of kc.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (currentContext === '' && kc.currentContext) currentContext = kc.currentContext;
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
  return merged;
}

function inClusterConfig(env: NodeJS.ProcessEnv, dir: string): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // client-node's tokenFile provider re-reads the projected token, which the kubelet rotates.
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return kc;
}

function findKubeConfig(options: KubeConfigOptions, sources: KubeConfigSources): { kc: KubeConfig; source: string } {
  const env = sources.env ?? process.env;
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
    return { kc: readKubeConfigFile(options.kubeconfig), source: options.kubeconfig };
  }
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (listed.length > 0) {
    // Like kubectl, files named in KUBECONFIG that do not exist are skipped.
    const present = listed.filter((f) => existsSync(f));
    if (present.length === 0) {
      throw new ClusterError(`no kubeconfig found: none of the files in KUBECONFIG exist (${listed.join(delimiter)})`);
    }
    const source = present.length === 1 ? (present[0] ?? '') : `KUBECONFIG=${present.join(delimiter)}`;
    return { kc: mergeKubeConfigs(present.map(readKubeConfigFile)), source };
  }
  const home = sources.home ?? env.HOME ?? homedir();
  const defaultFile = join(home, '.kube', 'config');
  if (existsSync(defaultFile)) return { kc: readKubeConfigFile(defaultFile), source: defaultFile };
  const saDir = sources.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(join(saDir, 'token'))) {
    return { kc: inClusterConfig(env, saDir), source: 'in-cluster service account' };
  }
  throw new ClusterError(`no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ${defaultFile}`);
}

/** Loads the kubeconfig, selects the context and checks that it names a defined cluster. */
export function loadKubeConfig(options: KubeConfigOptions = {}, sources: KubeConfigSources = {}): LoadedKubeConfig {
  const { kc, source } = findKubeConfig(options, sources);
  const available = kc.contexts.map((c) => c.name);
  const availableText = available.length > 0 ? available.join(', ') : '(none)';
  const wanted = options.context !== undefined && options.context !== '' ? options.context : kc.currentContext;
  if (!wanted) {
    throw new ClusterError(
      `kubeconfig ${source} has no current-context; pass --context (available contexts: ${availableText})`,
    );
  }
  const context = kc.getContextObject(wanted);
  if (context === null) {
    throw new ClusterError(
      `context "${wanted}" not found in kubeconfig ${source}; available contexts: ${availableText}`,
    );
  }
  if (kc.getCluster(context.cluster) === null) {
    throw new ClusterError(
      `context "${wanted}" in kubeconfig ${source} refers to cluster "${context.cluster}", which it does not define`,
    );
  }
  kc.setCurrentContext(wanted);
  return { kubeConfig: kc, source, context: wanted };
}
