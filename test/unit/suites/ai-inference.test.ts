import { expect } from 'chai';
import { loadManifests } from '../../../src/kube/manifest.js';
import { manifestFile } from '../../../src/paths.js';
import { chooseGatewayClass, crdProblem, type GatewayClassInfo } from '../../../suites/networking/gateway/detect.js';
import { acceptanceInterval, binomialPmf, judgeSplit } from '../../../suites/networking/gateway/split.js';
import { describeTally, tallyFromReport } from '../../../suites/networking/gateway/traffic.js';

const WEIGHTS = { a: { name: 'inference-a', weight: 80 }, b: { name: 'inference-b', weight: 20 } };
const cls = (name: string, accepted: boolean): GatewayClassInfo => ({
  name,
  controllerName: `${name}.io/gateway-controller`,
  accepted,
  acceptedText: accepted
    ? 'Accepted=True (Accepted: Handled by Traefik controller)'
    : 'Accepted=Unknown (Pending: Waiting for controller)',
});

describe('suites/networking/gateway', () => {
  describe('split statistics', () => {
    it('the binomial pmf sums to 1', () => {
      const sum = binomialPmf(200, 0.8).reduce((a, b) => a + b, 0);
      expect(sum).to.be.closeTo(1, 1e-9);
    });

    it('200 requests at 80/20: A must get 137..180, a conforming split fails with probability ≤ 1e-4', () => {
      const i = acceptanceInterval(200, 0.8);
      expect([i.lo, i.hi]).to.deep.equal([137, 180]);
      expect(i.falseFailure).to.be.at.most(1e-4);
      // the interval is the narrowest: one more value on either side would exceed alpha/2 there
      const pmf = binomialPmf(200, 0.8);
      const below = pmf.slice(0, i.lo + 1).reduce((a, b) => a + b, 0);
      const above = pmf.slice(i.hi).reduce((a, b) => a + b, 0);
      expect(below).to.be.above(5e-5);
      expect(above).to.be.above(5e-5);
    });

    it('an exact 160/40 passes; 50/50 and a single backend fail with the counts', () => {
      expect(judgeSplit({ 'inference-a': 160, 'inference-b': 40 }, WEIGHTS, 200).ok).to.equal(true);
      const even = judgeSplit({ 'inference-a': 100, 'inference-b': 100 }, WEIGHTS, 200);
      expect(even.ok).to.equal(false);
      expect(even.summary).to.contain('observed inference-a 100 (50.0%), inference-b 100 (50.0%) of 200 requests');
      expect(even.summary).to.contain('accepted for inference-a: 137..180 (weights 80/20');
      expect(judgeSplit({ 'inference-a': 200 }, WEIGHTS, 200).ok).to.equal(false);
      expect(judgeSplit({ 'inference-b': 200 }, WEIGHTS, 200).ok).to.equal(false);
    });

    it('every request must be answered by one of the two backends', () => {
      const v = judgeSplit({ 'inference-a': 159, 'inference-b': 40 }, WEIGHTS, 200);
      expect(v.ok).to.equal(false);
      expect(v.summary).to.contain('1 answered otherwise');
    });

    it('from the smallest allowed inferenceRequests (100) a single backend is outside the interval', () => {
      expect(acceptanceInterval(100, 0.8).hi).to.be.below(100);
    });
  });

  describe('GatewayClass choice', () => {
    it('takes the only accepted class', () => {
      const c = chooseGatewayClass([cls('traefik', true), cls('other', false)], '');
      expect(c).to.have.nested.property('gatewayClass.name', 'traefik');
    });

    it('several accepted classes need the gatewayClass parameter, and the error lists them', () => {
      const c = chooseGatewayClass([cls('a', true), cls('b', true)], '');
      expect((c as { fail: string }).fail).to.equal(
        'several GatewayClasses are accepted: a, b; name the one to probe with the gatewayClass parameter',
      );
      expect(chooseGatewayClass([cls('a', true), cls('b', true)], 'b')).to.have.nested.property(
        'gatewayClass.name',
        'b',
      );
    });

    it('none accepted fails, listing each class with its condition', () => {
      const c = chooseGatewayClass([cls('traefik', false)], '');
      expect((c as { fail: string }).fail).to.contain('no GatewayClass is Accepted=True');
      expect((c as { fail: string }).fail).to.contain(
        'traefik (controller traefik.io/gateway-controller, Accepted=Unknown',
      );
      expect((chooseGatewayClass([], '') as { fail: string }).fail).to.contain('GatewayClasses: none exist');
    });

    it('a named class must exist and be accepted', () => {
      expect((chooseGatewayClass([cls('a', true)], 'x') as { fail: string }).fail).to.contain(
        'GatewayClass x (parameter gatewayClass) does not exist',
      );
      expect((chooseGatewayClass([cls('x', false)], 'x') as { fail: string }).fail).to.contain('is not accepted');
    });
  });

  describe('CRDs', () => {
    const ok = (name: string) => ({ name, established: true, servedVersions: ['v1', 'v1beta1'] });
    it('absent CRDs skip, naming them', () => {
      const p = crdProblem([
        ok('gatewayclasses.gateway.networking.k8s.io'),
        { name: 'httproutes.gateway.networking.k8s.io', servedVersions: [] },
      ]);
      expect(p).to.deep.equal({
        skip: 'the Gateway API is not installed: CustomResourceDefinitions httproutes.gateway.networking.k8s.io not found (install the Gateway API CRDs, standard channel, and a Gateway implementation)',
      });
    });
    it('a CRD without v1 fails', () => {
      const p = crdProblem([
        { name: 'gateways.gateway.networking.k8s.io', established: true, servedVersions: ['v1beta1'] },
      ]);
      expect(p).to.have.property('fail').that.contains('serves v1beta1');
      expect(crdProblem([ok('gateways.gateway.networking.k8s.io')])).to.equal(undefined);
    });
  });

  describe('client pod report', () => {
    it('reads answers and statuses', () => {
      const t = tallyFromReport({ counts: { 'inference-a': 18, 'status:404': 1, 'status:none': 1 } }, 20);
      expect(t.answers).to.deep.equal({ 'inference-a': 18 });
      expect(t.others).to.deep.equal({ '404': 1, unreachable: 1 });
      expect(describeTally(t)).to.equal('inference-a 18, HTTP 404 ×1, no answer ×1 (20 sent)');
    });
    it('rejects a report that is not a count report or counts the wrong number', () => {
      expect(() => tallyFromReport({ devices: [] }, 20)).to.throw('has no "counts" object');
      expect(() => tallyFromReport({ counts: { a: 3 } }, 20)).to.throw('reports 3 requests, 20 were asked for');
    });
  });
});

describe('suites/networking manifests', () => {
  const params = {
    name: 'x',
    echoImage: 'agnhost',
    port: 8080,
    gatewayClass: 'traefik',
    gateway: 'inference',
    hostname: 'split.ns.ai-conformance.invalid',
    domain: 'ns.ai-conformance.invalid',
    backendA: 'inference-a',
    backendB: 'inference-b',
    missing: 'inference-missing',
    weightA: 80,
    weightB: 20,
    header: 'x-model-name',
    modelA: 'model-a',
    modelB: 'model-b',
    probeImage: 'busybox',
    script: 'echo',
    url: 'http://127.0.0.1:80/hostname',
    host: 'h',
    count: '200',
    warmup: '1',
  };
  it('every template loads, with numbers where the API wants numbers', () => {
    const kinds = (file: string): string[] =>
      loadManifests(manifestFile('networking', file), params).map((o) => o.kind ?? '?');
    expect(kinds('inference-backend.yaml')).to.deep.equal(['Pod', 'Service']);
    expect(kinds('inference-gateway.yaml')).to.deep.equal(['Gateway']);
    expect(kinds('inference-header-route.yaml')).to.deep.equal(['HTTPRoute']);
    expect(kinds('inference-status-routes.yaml')).to.deep.equal(['HTTPRoute', 'HTTPRoute']);
    expect(kinds('inference-client.yaml')).to.deep.equal(['Pod']);
    const [split] = loadManifests(manifestFile('networking', 'inference-split-route.yaml'), params);
    expect((split?.spec as { rules: { backendRefs: unknown[] }[] }).rules[0]?.backendRefs).to.deep.equal([
      { name: 'inference-a', port: 8080, weight: 80 },
      { name: 'inference-b', port: 8080, weight: 20 },
    ]);
  });
});
