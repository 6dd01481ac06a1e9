import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Kube } from '../../../src/kube/client.js';
import {
  describeEndpoint,
  fetchFromEndpoint,
  hasOwnPath,
  parseEndpoint,
  serviceProxyPath,
  type Endpoint,
} from '../../../src/metrics/endpoint.js';
import { UnreachableError } from '../../../src/metrics/http.js';
import { parseQueryResponse, promString, QueryError } from '../../../src/metrics/query.js';

function ok(text: string): Endpoint {
  const e = parseEndpoint(text);
  if ('problem' in e) throw new Error(e.problem);
  return e;
}

describe('metrics/endpoint: where a metrics endpoint lives', function () {
  it('parses URLs and namespace/service:port[/path]', function () {
    expect(describeEndpoint(ok('http://10.0.0.5:9400/metrics'))).to.equal('http://10.0.0.5:9400/metrics');
    expect(ok('gpu-operator/nvidia-dcgm-exporter:9400')).to.deep.equal({
      kind: 'service',
      namespace: 'gpu-operator',
      service: 'nvidia-dcgm-exporter',
      port: '9400',
      path: '',
    });
    expect(ok('monitoring/prometheus-k8s:web/prometheus')).to.deep.equal({
      kind: 'service',
      namespace: 'monitoring',
      service: 'prometheus-k8s',
      port: 'web',
      path: '/prometheus',
    });
    expect(describeEndpoint(ok('https://user:secret@prom.example/api'))).to.equal('https://prom.example/api');
  });

  it('explains what is wrong with a bad value', function () {
    for (const bad of ['prometheus', 'ns/svc', 'NS/svc:80', 'ns/svc:http_port', 'ftp://x', 'http://']) {
      const e = parseEndpoint(bad);
      expect(e, bad).to.have.property('problem');
    }
  });

  it('knows whether an endpoint names its own path', function () {
    expect(hasOwnPath(ok('http://x:9400'))).to.equal(false);
    expect(hasOwnPath(ok('http://x:9400/'))).to.equal(false);
    expect(hasOwnPath(ok('http://x:9400/custom'))).to.equal(true);
    expect(hasOwnPath(ok('ns/svc:9400'))).to.equal(false);
    expect(hasOwnPath(ok('ns/svc:9400/m'))).to.equal(true);
  });

  it('builds the service proxy path', function () {
    expect(serviceProxyPath('gpu-operator', 'dcgm', '9400', 'metrics')).to.equal(
      '/api/v1/namespaces/gpu-operator/services/dcgm:9400/proxy/metrics',
    );
    expect(serviceProxyPath('m', 'p', 'web', '/p/api/v1/query')).to.equal(
      '/api/v1/namespaces/m/services/p:web/proxy/p/api/v1/query',
    );
  });

  describe('fetchFromEndpoint with a URL', function () {
    let server: http.Server;
    let base: string;
    const seen: string[] = [];
    before(async function () {
      server = http.createServer((req, res) => {
        seen.push(req.url ?? '');
        res.setHeader('content-type', 'text/plain; version=0.0.4');
        res.end(req.url === '/missing' ? '' : 'up 1\n');
        if (req.url === '/missing') res.statusCode = 404;
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    });
    after(function () {
      server.close();
    });
    const kube = Object.create(null) as Kube; // URLs never touch the API server

    it('joins the base path and the query', async function () {
      const res = await fetchFromEndpoint(kube, ok(`${base}/prom/`), 'api/v1/query', { query: 'up{a="b"}' });
      expect(res.status).to.equal(200);
      expect(seen.at(-1)).to.equal('/prom/api/v1/query?query=up%7Ba%3D%22b%22%7D');
      await fetchFromEndpoint(kube, ok(base), 'metrics');
      expect(seen.at(-1)).to.equal('/metrics');
      await fetchFromEndpoint(kube, ok(`${base}/custom/path`), '');
      expect(seen.at(-1)).to.equal('/custom/path');
    });

    it('rejects with UnreachableError when nothing listens', async function () {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      closed.close();
      let error: unknown;
      try {
        await fetchFromEndpoint(kube, ok(`http://127.0.0.1:${String(port)}`), 'metrics');
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(UnreachableError);
      expect((error as UnreachableError).code).to.equal('ECONNREFUSED');
    });
  });
});

describe('metrics/query: Prometheus query API answers', function () {
  it('reads vectors and scalars', function () {
    const vector = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1700000000.1, '10'] }] },
    });
    expect(parseQueryResponse(vector, 'q')).to.deep.equal([{ metric: { job: 'x' }, value: 10 }]);
    const scalar = JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '1'] } });
    expect(parseQueryResponse(scalar, 'q')).to.deep.equal([{ metric: {}, value: 1 }]);
    const empty = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    expect(parseQueryResponse(empty, 'q')).to.deep.equal([]);
  });

  it('says why an answer is unusable', function () {
    expect(() => parseQueryResponse('<html>', 'query API x')).to.throw(
      QueryError,
      'query API x did not answer with JSON',
    );
    expect(() => parseQueryResponse(JSON.stringify({ status: 'error', error: 'parse error at char 3' }), 'q')).to.throw(
      QueryError,
      'parse error at char 3',
    );
    expect(() =>
      parseQueryResponse(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }), 'q'),
    ).to.throw(QueryError, 'expected a vector');
  });

  it('quotes label values', function () {
    expect(promString('aic-x-1')).to.equal('"aic-x-1"');
    expect(promString('a"b\\c')).to.equal('"a\\"b\\\\c"');
  });
});
