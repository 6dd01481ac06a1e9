/**
 * A real Prometheus (Debian package `prometheus`, installed with apt-get when missing) for the
 * metrics probes on the test cluster. It scrapes the pods annotated prometheus.io/scrape=true at
 * their pod IP and prometheus.io/port, the common convention of platform Prometheus setups.
 * Debian builds Prometheus without kubernetes_sd_configs, so discovery goes through its HTTP
 * service discovery: a loopback endpoint here lists the cluster's Running annotated pods on each
 * refresh (1s), with the namespace and pod labels kubernetes_sd's usual relabeling gives.
 * `discover: false` starts one that scrapes nothing (a monitoring system that does not collect
 * the workload).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Kube } from '../../../src/kube/client.js';
import type { Pod } from '../../../src/kube/objects.js';
import { httpRequest } from '../../../src/metrics/http.js';
import { pollUntil } from '../../../src/metrics/poll.js';

const run = promisify(execFile);

export interface PrometheusServer {
  /** Base URL of the query API, e.g. http://127.0.0.1:39090 */
  url: string;
  stop(): Promise<void>;
}

async function have(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** Installs the Debian package when `prometheus` is not on PATH (.ci/run installs it up front). */
export async function ensurePrometheus(): Promise<void> {
  if (await have('prometheus')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], { env, timeout: 300_000 });
  } catch {
    await run('apt-get', ['update', '-qq'], { env, timeout: 300_000 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], { env, timeout: 300_000 });
  }
  if (!(await have('prometheus'))) throw new Error('apt-get install prometheus did not provide a prometheus binary');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Scrape targets of the annotated Running pods, as kubernetes_sd + the usual relabeling would give them. */
export function podTargets(pods: readonly Pod[]): TargetGroup[] {
  return pods.flatMap((pod) => {
    const a = pod.metadata?.annotations ?? {};
    const ip = pod.status?.podIP;
    if (a['prometheus.io/scrape'] !== 'true' || pod.status?.phase !== 'Running' || ip === undefined) return [];
    const port = a['prometheus.io/port'] ?? '80';
    return [
      {
        targets: [`${ip}:${port}`],
        labels: {
          namespace: pod.metadata?.namespace ?? '',
          pod: pod.metadata?.name ?? '',
          __metrics_path__: a['prometheus.io/path'] ?? '/metrics',
        },
      },
    ];
  });
}

/** The HTTP service discovery endpoint: GET / lists the cluster's annotated pods. */
async function startDiscovery(kube: Kube): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => {
    kube
      .getJson<{ items?: Pod[] }>('/api/v1/pods')
      .then((list) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(podTargets(list.items ?? [])));
      })
      .catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`,
    close: () => {
      server.close();
    },
  };
}

function config(discoveryUrl: string | undefined, intervalS: number): string {
  const every = `${String(intervalS)}s`;
  const pods = `
  - job_name: kubernetes-pods
    scrape_interval: ${every}
    scrape_timeout: ${every}
    http_sd_configs:
      - url: ${JSON.stringify(discoveryUrl)}
        refresh_interval: ${every}
`;
  return `global:\n  evaluation_interval: ${every}\nscrape_configs:${discoveryUrl === undefined ? ' []\n' : pods}`;
}

export interface PrometheusOptions {
  /** false: scrape nothing (a monitoring system that does not collect the workload). */
  discover?: boolean;
  /** host:port to listen on (default: a free loopback port). */
  listen?: string;
  /** Scrape and discovery interval in seconds (default 1). */
  intervalSeconds?: number;
}

/** Starts Prometheus (on a free loopback port unless `listen` says where) and waits until it is ready. */
export async function startPrometheus(kube: Kube, options: PrometheusOptions = {}): Promise<PrometheusServer> {
  await ensurePrometheus();
  const discovery = options.discover === false ? undefined : await startDiscovery(kube);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aic-prometheus-'));
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, config(discovery?.url, options.intervalSeconds ?? 1));
  const listen = options.listen ?? `127.0.0.1:${String(await freePort())}`;
  const url = `http://${listen}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=${listen}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
    discovery?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pollUntil(
      () => httpRequest(new URL(`${url}/-/ready`)),
      (r) => r.status === 200,
      (r) => `HTTP ${String(r.status)}`,
      { description: `prometheus at ${url} to be ready`, timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return { url, stop };
}
