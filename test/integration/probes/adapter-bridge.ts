/**
 * The platform adapter's part in the autoscaling probe's pipeline mode, on the test cluster:
 * prometheus-adapter (or KEDA, or a vendor's) reads a metric from the monitoring system and serves
 * it per pod through custom.metrics.k8s.io. The test cluster's adapter serves only what is written
 * to it, so this bridge reads `<metric>{namespace,pod}` from a real Prometheus every second and
 * writes each pod's value to the test adapter, as such an adapter's rule would map it. Everything
 * around it is the real thing: the stub's exposition, Prometheus's discovery and scrapes, the
 * custom metrics API, the HPA controller.
 */
import { httpRequest } from '../../../src/metrics/http.js';
import { parseQueryResponse } from '../../../src/metrics/query.js';

export interface Bridge {
  /** Writes done, for messages. */
  readonly writes: number;
  readonly errors: string[];
  stop(): Promise<void>;
}

export function bridgePrometheusToAdapter(prometheusUrl: string, writeUrl: string, metric: string): Bridge {
  const control = { stopped: false };
  const state = { writes: 0, errors: [] as string[] };
  const once = async (): Promise<void> => {
    const query = new URL(`${prometheusUrl}/api/v1/query`);
    query.searchParams.set('query', metric);
    const res = await httpRequest(query);
    for (const sample of parseQueryResponse(res.text, 'prometheus')) {
      const { namespace, pod } = sample.metric;
      if (namespace === undefined || pod === undefined || !Number.isFinite(sample.value)) continue;
      const url = new URL(`${writeUrl.replace(/\/+$/, '')}/namespaces/${namespace}/pods/${pod}/${metric}`);
      const body = JSON.stringify(`${String(Math.round(sample.value * 1000))}m`);
      const w = await httpRequest(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (w.status >= 300) throw new Error(`write ${url.pathname}: HTTP ${String(w.status)} ${w.text}`);
      state.writes += 1;
    }
  };
  const loop = (async () => {
    while (!control.stopped) {
      await once().catch((err: unknown) => {
        state.errors.push((err as Error).message);
        state.errors.splice(0, state.errors.length - 20);
      });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    get writes() {
      return state.writes;
    },
    get errors() {
      return state.errors;
    },
    async stop() {
      control.stopped = true;
      await loop;
    },
  };
}
