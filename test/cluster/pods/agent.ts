/**
 * The test cluster's pod agent: a host process that plays the container runtime for the pods the
 * reference cluster's components and the reference run need (kwok runs no container). For every
 * Running pod matching a rule it listens on the pod's IP (added to the loopback interface), as the
 * container would, so the API server's service proxy, the Endpoints and Prometheus reach "the pod"
 * on the cluster's own data path (stand-ins.ts).
 *
 *   ai-conformance.io/stand-in=prometheus     a real Prometheus (Debian package) on <pod IP>:9090,
 *                                             discovering annotated pods (prometheus.io/scrape)
 *   ai-conformance.io/stand-in=dcgm-exporter  dcgm-exporter metrics (fixture dcgm.txt) on :9400
 *   app.kubernetes.io/name=serving-stub       the AI service metrics probe's own serving stub script
 *   app.kubernetes.io/name=inference-echo     the Gateway API probe's echo backends (agnhost netexec:
 *                                             GET /hostname answers the pod name); Traefik reaches
 *                                             them through the Services' EndpointSlices
 *
 * The inference-autoscaling pipeline's stub and load generator pods stay with their integration
 * test, which also plays the platform's metrics adapter there.
 *
 * Usage: agent.ts --kubeconfig FILE
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kube } from '../../../src/kube/client.js';
import { startPrometheus } from './prometheus.js';
import { hostnameEcho, servingStub, standInForPods, staticExporter, type Serve, type StandIns } from './stand-ins.js';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
const kube = Kube.load({ kubeconfig: values.kubeconfig });
const here = path.dirname(new URL(import.meta.url).pathname);
const DCGM_FIXTURE = path.join(here, '..', '..', 'fixtures', 'metrics', 'dcgm.txt');

function log(line: string): void {
  console.log(line);
}

/** A Prometheus for the pod: listens on its IP, port 9090, scrapes every 2s. */
const prometheus: Serve = async (_pod, ip) => {
  const server = await startPrometheus(kube, { listen: `${ip}:9090`, intervalSeconds: 2 });
  return () => server.stop();
};

const RULES: { selector: string; serve: Serve }[] = [
  { selector: 'ai-conformance.io/stand-in=prometheus', serve: prometheus },
  { selector: 'ai-conformance.io/stand-in=dcgm-exporter', serve: staticExporter(DCGM_FIXTURE, 9400) },
  { selector: 'app.kubernetes.io/name=serving-stub', serve: servingStub },
  { selector: 'app.kubernetes.io/name=inference-echo', serve: hostnameEcho },
];

const running: StandIns[] = RULES.map((r) => standInForPods(kube, r.selector, r.serve, log));
log(`${new Date().toISOString()} watching pods: ${RULES.map((r) => r.selector).join(', ')}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(running.map((s) => s.stop()));
  log(`${new Date().toISOString()} stopped`);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
