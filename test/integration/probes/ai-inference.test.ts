// TestAIInference on the test cluster, through the real CLI, with a real Gateway implementation:
// Traefik (host process, kubernetesGateway provider) programs the probe's Gateway and routes, and
// proxies every request. The echo backends' pods run on kwok nodes; their container's part
// (agnhost netexec: GET /hostname answers the pod name) is played on the pod IP by a stand-in
// (test/cluster/pods/stand-ins.ts), which Traefik reaches through the Services' EndpointSlices, made by the real
// kube-controller-manager. The stand-in is the test cluster's pod agent (test/cluster/pods, started
// by up). Variants: Traefik stopped, weights rewritten to 1/1 on admission, the
// Gateway API CRDs deleted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { managedSelector, RUN_LABEL } from '../../../src/kube/labels.js';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestAIInference';
const SUBTESTS = [
  'GatewayAPIInstalled',
  'GatewayProgrammed',
  'WeightedTrafficSplit',
  'HeaderBasedRouting',
  'RouteStatus',
];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));

function run(extra: string[] = []): Promise<CliRun> {
  return runProfile('ai-inference', ['--focus', `^${TEST}`, ...extra]);
}

function runIdOf(r: CliRun): string {
  return (JSON.parse(readFileSync(path.join(r.dir, 'meta', 'run.json'), 'utf8')) as { run: { runId: string } }).run
    .runId;
}

describe('probe ai-inference (TestAIInference) on the test cluster', function () {
  this.timeout(15 * 60_000);
  before(requireCluster);
  const why = (r: CliRun): string => explain(r);

  describe('healthy cluster (Traefik)', () => {
    let r: CliRun;
    before(async () => {
      r = await run();
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(r, TEST))}s`);
      console.log(
        `      ${r
          .output(`${TEST}/WeightedTrafficSplit`)
          .split('\n')
          .filter((l) => l.includes('requests'))
          .join('\n      ')}`,
      );
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(r, TEST), why(r)).to.deep.equal(all('pass'));
      expect(r.code, why(r)).to.equal(0);
    });

    it('found the CRDs and the traefik GatewayClass, and the Gateway got Traefik’s address', () => {
      expect(r.output(`${TEST}/GatewayAPIInstalled`), why(r)).to.match(
        /GatewayClass traefik \(controller traefik\.io\/gateway-controller\): Accepted=True/,
      );
      expect(r.output(`${TEST}/GatewayProgrammed`), why(r)).to.match(
        /Gateway inference \(class traefik\) Programmed: .*Programmed=True.*; address 127\.0\.0\.1/,
      );
    });

    it('measured the 80/20 split inside the acceptance interval, from the runner', () => {
      const out = r.output(`${TEST}/WeightedTrafficSplit`);
      expect(out, out).to.contain('inferenceClient=auto: requests go from the runner');
      expect(out, out).to.match(
        /observed inference-a (\d+) \(\d+\.\d%\), inference-b (\d+) \(\d+\.\d%\) of 200 requests; accepted for inference-a: 137\.\.180/,
      );
      const m = /observed inference-a (\d+) .*, inference-b (\d+) /.exec(out);
      expect(Number(m?.[1]) + Number(m?.[2])).to.equal(200);
    });

    it('routed every model header to its backend and gave the unknown model 404', () => {
      const out = r.output(`${TEST}/HeaderBasedRouting`);
      expect(out, out).to.match(/x-model-name: model-a → inference-a 20 \(20 sent/);
      expect(out, out).to.match(/x-model-name: model-b → inference-b 20 \(20 sent/);
      expect(out, out).to.match(/x-model-name: model-unknown → HTTP 404 ×5 \(5 sent/);
    });

    it('read Accepted/ResolvedRefs from Traefik, and ResolvedRefs=False for the missing Service', () => {
      const out = r.output(`${TEST}/RouteStatus`);
      expect(out, out).to.match(
        /HTTPRoute status-valid: traefik\.io\/gateway-controller: Accepted=True.*ResolvedRefs=True/,
      );
      expect(out, out).to.match(
        /HTTPRoute status-missing .*: traefik\.io\/gateway-controller: .*ResolvedRefs=False \(BackendNotFound/,
      );
    });

    it('left no namespace of the run behind', async () => {
      const namespaces = await testKube().core.listNamespace({
        labelSelector: `${managedSelector()},${RUN_LABEL}=${runIdOf(r)}`,
      });
      expect(namespaces.items.map((n) => n.metadata?.name)).to.deep.equal([]);
    });
  });

  describe('variant weights-ignored (routes split 50/50)', () => {
    let r: CliRun;
    inVariant('weights-ignored', async () => {
      r = await run();
    });
    it('fails WeightedTrafficSplit with the observed counts; the rest passes', () => {
      expect(subtests(r, TEST), why(r)).to.deep.equal({ ...all('pass'), WeightedTrafficSplit: 'fail' });
      expect(r.output(`${TEST}/WeightedTrafficSplit`), why(r)).to.match(
        /the 80\/20 split is not honoured: observed inference-a 100 \(50\.0%\), inference-b 100 \(50\.0%\) of 200 requests; accepted for inference-a: 137\.\.180/,
      );
      expect(r.code, why(r)).to.equal(1);
    });
  });

  describe('variant gateway-stopped (Traefik down)', () => {
    let r: CliRun;
    inVariant('gateway-stopped', async () => {
      r = await run(['--set', 'waitTimeout=15s']);
    });
    it('fails GatewayProgrammed saying what it waited for and what it last saw', () => {
      const s = subtests(r, TEST);
      expect(s, why(r)).to.deep.equal({ ...all('fail'), GatewayAPIInstalled: 'pass' });
      expect(r.output(`${TEST}/GatewayProgrammed`), why(r)).to.match(
        /timed out after 1\ds waiting for gateway aic-ai-inference-\w+\/inference to be Programmed with an address; last seen: .*Programmed=Unknown.*address none/,
      );
      expect(r.code, why(r)).to.equal(1);
    });
  });

  describe('variant no-gateway-api (CRDs absent)', () => {
    let r: CliRun;
    inVariant('no-gateway-api', async () => {
      r = await run();
    });
    it('skips every subtest naming the missing CRDs; exit 0', () => {
      expect(subtests(r, TEST), why(r)).to.deep.equal(all('skip'));
      for (const s of SUBTESTS)
        expect(r.output(`${TEST}/${s}`), why(r)).to.contain(
          'the Gateway API is not installed: CustomResourceDefinitions gatewayclasses.gateway.networking.k8s.io, gateways.gateway.networking.k8s.io, httproutes.gateway.networking.k8s.io not found',
        );
      expect(r.code, why(r)).to.equal(0);
    });
  });
});
