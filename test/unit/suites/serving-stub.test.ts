// The serving stub is Python run by the probes' pods; here it runs for real on loopback, and its
// /metrics is read back with our own parser. The probes' manifests are loaded with their placeholders.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { loadManifests } from '../../../src/kube/manifest.js';
import { httpRequest } from '../../../src/metrics/http.js';
import { pollUntil } from '../../../src/metrics/poll.js';
import { parseExposition } from '../../../src/metrics/prometheus.js';
import { manifestFile } from '../../../src/paths.js';
import {
  DURATION_METRIC,
  QUEUE_METRIC,
  REQUESTS_METRIC,
  STUB_BUCKETS,
  stubScript,
} from '../../../suites/observability/serving-stub.js';

describe('observability/serving-stub: the stand-in inference server', function () {
  this.timeout(20_000);
  let child: ChildProcess;
  let base: string;

  before(async function () {
    child = spawn('python3', [manifestFile('observability', 'serving-stub.py')], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CONFORMANCE_RUN: 'aic-test "run"',
        QUEUE_METRIC: 'inference_queue_depth',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // "serving-stub listening on 127.0.0.1:PORT (run …)"
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on ([\d.]+:\d+)/.exec(out);
        if (m !== null) resolve(`http://${m[1] ?? ''}`);
      });
      child.once('exit', (code) => {
        reject(new Error(`the stub exited (${String(code)}): ${out}`));
      });
    });
    await pollUntil(
      () => httpRequest(new URL(`${base}/healthz`)),
      (r) => r.status === 200,
      (r) => String(r.status),
      { description: 'the stub to answer', timeoutMs: 10_000, intervalMs: 50 },
    );
  });
  after(function () {
    child.kill();
  });

  const get = async (path: string) => (await httpRequest(new URL(base + path))).text;
  const metrics = async () => parseExposition(await get('/metrics'));

  it('counts requests into a counter and a histogram, labelled with the run', async function () {
    for (let i = 0; i < 5; i += 1) expect(JSON.parse(await get('/infer?ms=1'))).to.have.property('served', i + 1);
    const e = await metrics();
    const run = (name: string) =>
      e.samples.filter((s) => s.name === name && s.labels['conformance_run'] === 'aic-test "run"');
    expect(run(REQUESTS_METRIC).map((s) => s.value)).to.deep.equal([5]);
    expect(run(`${DURATION_METRIC}_count`).map((s) => s.value)).to.deep.equal([5]);
    const buckets = run(`${DURATION_METRIC}_bucket`);
    expect(buckets).to.have.length(STUB_BUCKETS + 1);
    expect(buckets.at(-1)?.labels['le']).to.equal('+Inf');
    expect(buckets.at(-1)?.value).to.equal(5);
    expect(buckets.map((b) => b.value)).to.deep.equal([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(e.types.get(REQUESTS_METRIC)).to.equal('counter');
    expect(e.types.get(DURATION_METRIC)).to.equal('histogram');
    expect(run('inference_queue_depth').map((s) => s.value)).to.deep.equal([0]);
    expect(run(QUEUE_METRIC)).to.deep.equal([]); // renamed by QUEUE_METRIC
  });

  it('reports requests in flight as queue depth', async function () {
    const slow = Promise.all([1, 2, 3].map(() => get('/infer?ms=1500')));
    const seen = await pollUntil(
      metrics,
      (e) => e.samples.some((s) => s.name === 'inference_queue_depth' && s.value === 3),
      () => 'fewer',
      {
        description: 'queue depth 3',
        timeoutMs: 1400,
        intervalMs: 20,
      },
    );
    expect(seen.value.samples.find((s) => s.name === 'inference_queue_depth')?.value).to.equal(3);
    await slow;
    expect((await metrics()).samples.find((s) => s.name === 'inference_queue_depth')?.value).to.equal(0);
  });
});

describe('the metrics probes manifests', function () {
  const base = { name: 'x', port: 8000, stubImage: 'python:3.13-alpine', stubScript: stubScript(), run: 'aic-run' };

  it('serving-stub.yaml: ConfigMap with the script, Deployment, Service', function () {
    const objects = loadManifests(manifestFile('observability', 'serving-stub.yaml'), base);
    expect(objects.map((o) => o.kind)).to.deep.equal(['ConfigMap', 'Deployment', 'Service']);
    expect((objects[0]?.['data'] as Record<string, string>)['serving-stub.py']).to.equal(`${stubScript()}\n`);
    const container = (
      objects[1] as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } }
    ).spec.template.spec.containers[0];
    expect(container?.ports[0]?.containerPort).to.equal(8000);
  });

  it('inference-server.yaml asks for one accelerator per pod and names the metric', function () {
    const objects = loadManifests(manifestFile('scheduling', 'inference-server.yaml'), {
      ...base,
      metric: 'q',
      resource: 'nvidia.com/gpu',
      taintKey: 'nvidia.com/gpu',
    });
    const text = JSON.stringify(objects[1]);
    expect(text).to.include('"limits":{"nvidia.com/gpu":1}');
    expect(text).to.include('{"name":"QUEUE_METRIC","value":"q"}');
  });

  it('the HPA templates set a short scale-down window and the metric', function () {
    for (const [file, type] of [
      ['inference-hpa-object.yaml', 'Object'],
      ['inference-hpa-pods.yaml', 'Pods'],
    ] as const) {
      const [h] = loadManifests(manifestFile('scheduling', file), {
        name: 'inference',
        metric: 'q',
        target: 10,
        maxReplicas: 3,
      });
      const spec = h?.['spec'] as {
        maxReplicas: number;
        metrics: { type: string }[];
        behavior: { scaleDown: { stabilizationWindowSeconds: number } };
      };
      expect(spec.maxReplicas).to.equal(3);
      expect(spec.metrics[0]?.type).to.equal(type);
      expect(spec.behavior.scaleDown.stabilizationWindowSeconds).to.equal(0);
      expect(JSON.stringify(spec)).to.include('"averageValue":"10"');
    }
  });

  it('inference-load.yaml and the PodMonitor load', function () {
    const [load] = loadManifests(manifestFile('scheduling', 'inference-load.yaml'), {
      name: 'l',
      probeImage: 'busybox:1.36',
      service: 'inference',
      port: 8000,
      concurrency: 30,
      holdMs: 1000,
    });
    const text = JSON.stringify(load);
    expect(text).to.include('{"name":"TARGET_URL","value":"http://inference:8000/infer?ms=1000"}');
    expect(text).to.include('{"name":"CONCURRENCY","value":"30"}');
    expect(text).to.include('while [ \\"$i\\" -lt \\"$CONCURRENCY\\" ]');
    const [pm] = loadManifests(manifestFile('observability', 'serving-stub-podmonitor.yaml'), { name: 'x' });
    expect(pm?.kind).to.equal('PodMonitor');
  });
});
