/**
 * The container's part for the metrics probes on the kwok test cluster, where no container runs:
 * for every Running pod matching a selector, a host process listens on the pod's IP (added to the
 * loopback interface) as the pod's container would. The API server's service proxy and a real
 * Prometheus then reach "the pod" through the cluster's own Endpoints and service discovery, so
 * the probes' data path is the one they take on a real cluster. Needs root (ip addr add).
 *
 * Stand-ins: the serving stub (the probes' own Python script, with the pod's environment), a
 * static exporter serving a fixture file (an accelerator metrics exporter), and the autoscaling
 * probe's load generator (its shell loop, in Node: keep CONCURRENCY requests to TARGET_URL in
 * flight, the Service resolved to its Endpoints as kube-proxy would).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { promisify } from 'node:util';
import type { Kube } from '../../../src/kube/client.js';
import { httpRequest } from '../../../src/metrics/http.js';
import type { KubeObject, Pod } from '../../../src/kube/objects.js';
import { TargetWatcher } from '../../../src/kube/watch-state.js';
import { manifestFile } from '../../../src/paths.js';

const run = promisify(execFile);

/** Stops what serve() started. */
type Stop = () => Promise<void>;
/** Starts the stand-in for one pod, listening on `ip`. */
export type Serve = (pod: Pod, ip: string) => Promise<Stop>;

export interface StandIns {
  /** Pods currently stood in for, `namespace/name` → IP. */
  readonly serving: ReadonlyMap<string, string>;
  /** Lines describing what happened (started, stopped, failed), for test failure messages. */
  readonly log: string[];
  stop(): Promise<void>;
}

// Stand-ins holding each address, across all watchers: kwok hands a freed pod IP to the next pod,
// and the old pod's stand-in must not take the address away from the new one's.
const holders = new Map<string, number>();

/** Adds the pod IP to the loopback interface (once, however many stand-ins use it). */
async function holdAddress(ip: string): Promise<void> {
  const n = holders.get(ip) ?? 0;
  holders.set(ip, n + 1);
  if (n > 0) return;
  try {
    await run('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
  } catch (err) {
    if (String((err as { stderr?: string }).stderr).includes('File exists')) return;
    holders.set(ip, (holders.get(ip) ?? 1) - 1);
    throw new Error(`cannot add the pod IP ${ip} to the loopback interface (needs root): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Drops one hold on the address; the last one removes it. */
async function releaseAddress(ip: string): Promise<void> {
  const n = (holders.get(ip) ?? 1) - 1;
  if (n > 0) {
    holders.set(ip, n);
    return;
  }
  holders.delete(ip);
  await run('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']).catch(() => undefined);
}

/**
 * Watches pods matching `labelSelector` (all namespaces) and stands in for each Running one.
 * `onLine` also receives each log line as it happens (the pod agent prints them).
 */
export function standInForPods(
  kube: Kube,
  labelSelector: string,
  serve: Serve,
  onLine?: (line: string) => void,
): StandIns {
  const serving = new Map<string, string>();
  const stops = new Map<string, { ip: string; stop: Promise<Stop | undefined>; holds: boolean }>();
  const log: string[] = [];
  const note = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}`;
    log.push(stamped);
    if (log.length > 1000) log.shift();
    onLine?.(stamped);
  };

  const release = async (key: string): Promise<void> => {
    const entry = stops.get(key);
    if (entry === undefined) return;
    stops.delete(key);
    serving.delete(key);
    const stop = await entry.stop;
    await stop?.();
    if (entry.holds) await releaseAddress(entry.ip);
    note(`stopped ${key} (${entry.ip})`);
  };

  const onState = (observed: KubeObject | KubeObject[] | undefined): void => {
    const pods = (Array.isArray(observed) ? observed : []) as Pod[];
    const live = new Map<string, Pod>();
    for (const pod of pods) {
      const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
      const ip = pod.status?.podIP;
      if (pod.status?.phase === 'Running' && ip !== undefined && pod.metadata?.deletionTimestamp === undefined)
        live.set(key, pod);
    }
    for (const key of [...stops.keys()]) if (!live.has(key)) void release(key);
    for (const [key, pod] of live) {
      if (stops.has(key)) continue;
      const ip = pod.status?.podIP ?? '';
      const entry = { ip, holds: false, stop: Promise.resolve<Stop | undefined>(undefined) };
      entry.stop = (async () => {
        try {
          await holdAddress(ip);
          entry.holds = true;
          const stop = await serve(pod, ip);
          serving.set(key, ip);
          note(`standing in for ${key} on ${ip}`);
          return stop;
        } catch (err) {
          note(`cannot stand in for ${key} on ${ip}: ${(err as Error).message}`);
          return undefined;
        }
      })();
      stops.set(key, entry);
    }
  };

  const watcher = new TargetWatcher(kube, { apiVersion: 'v1', kind: 'Pod', labelSelector }, onState, (err) => {
    note(`pod watch failed: ${(err as Error).message}`);
  });
  watcher.start();
  return {
    serving,
    log,
    async stop() {
      watcher.stop();
      await Promise.all([...stops.keys()].map(release));
    },
  };
}

/** The serving stub's script run for the pod, with the environment its container spec gives it. */
export const servingStub: Serve = (pod, ip) => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const e of pod.spec?.containers[0]?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  env.HOST = ip;
  const child = spawn('python3', [manifestFile('observability', 'serving-stub.py')], { env, stdio: 'ignore' });
  return new Promise<Stop>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      resolve(async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      });
    });
  });
};

/** An HTTP server on `ip:port` for a pod's container; resolves to its stop function once it listens. */
function listenFor(ip: string, port: number, handle: http.RequestListener): Promise<Stop> {
  return new Promise<Stop>((resolve, reject) => {
    const server = http.createServer(handle);
    server.once('error', reject);
    server.listen(port, ip, () => {
      resolve(
        () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      );
    });
  });
}

/** A metrics exporter serving `file` at /metrics on the pod IP and `port`. */
export function staticExporter(file: string, port: number): Serve {
  const body = readFileSync(file, 'utf8');
  return (_pod, ip) =>
    listenFor(ip, port, (req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        res.end('not found\n');
        return;
      }
      res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(body);
    });
}

/**
 * `agnhost netexec` as the Gateway API probe's echo backends run it: GET /hostname answers the
 * pod's name, on the container's first port.
 */
export const hostnameEcho: Serve = (pod, ip) => {
  const name = pod.metadata?.name ?? '?';
  return listenFor(ip, pod.spec?.containers[0]?.ports?.[0]?.containerPort ?? 8080, (req, res) => {
    if (req.url !== '/hostname') {
      res.statusCode = 404;
      res.end('not found\n');
      return;
    }
    res.end(name);
  });
};

interface Endpoints {
  subsets?: { addresses?: { ip: string }[]; ports?: { port: number; name?: string }[] }[];
}

/**
 * The load generator's container: CONCURRENCY loops, each sending GET TARGET_URL
 * (`http://<service>:<port>/<path>`) again as soon as the last one is answered, to a ready
 * endpoint of the Service picked at random, like the `wget` loops through kube-proxy.
 */
export function loadGenerator(kube: Kube): Serve {
  return (pod) => {
    const env = Object.fromEntries((pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? '']));
    const target = new URL(env['TARGET_URL'] ?? '');
    const concurrency = Number(env['CONCURRENCY'] ?? '1');
    const namespace = pod.metadata?.namespace ?? '';
    const service = target.hostname;
    const control = { stopped: false };
    let addresses: string[] = [];
    const refresh = async (): Promise<void> => {
      const eps = await kube
        .getJson<Endpoints>(`/api/v1/namespaces/${namespace}/endpoints/${service}`)
        .catch((): Endpoints => ({}));
      addresses = (eps.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
    };
    const loop = async (): Promise<void> => {
      while (!control.stopped) {
        const ip = addresses[Math.floor(Math.random() * addresses.length)];
        const ok =
          ip !== undefined &&
          (await httpRequest(new URL(`http://${ip}:${target.port}${target.pathname}${target.search}`), {
            timeoutMs: 60_000,
          }).then(
            () => true,
            () => false,
          ));
        if (!ok) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const timer = setInterval(() => void refresh(), 1000);
    const loops = refresh().then(() => Promise.all(Array.from({ length: concurrency }, loop)));
    return Promise.resolve(async () => {
      control.stopped = true;
      clearInterval(timer);
      await loops;
    });
  };
}
