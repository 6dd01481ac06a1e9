import { expect } from 'chai';
import {
  describePrometheusServices,
  findPrometheusServices,
  type Service,
} from '../../../suites/observability/monitoring-discovery.js';

function svc(namespace: string, name: string, port: number): Service {
  return { metadata: { namespace, name }, spec: { ports: [{ port }] } };
}

describe('observability/monitoring-discovery: finding the platform Prometheus', function () {
  it('ranks the operator Service first, then kube-prometheus, release-prefixed and plain names, then the chart server', function () {
    const found = findPrometheusServices([
      svc('kube-system', 'kube-dns', 53),
      svc('monitoring', 'prometheus-server', 80),
      svc('monitoring', 'kube-prometheus-stack-prometheus', 9090),
      svc('monitoring', 'prometheus-operated', 9090),
      svc('monitoring', 'prometheus-k8s', 9090),
      svc('other', 'prometheus', 9090),
    ]);
    expect(found.map((f) => f.endpoint)).to.deep.equal([
      'monitoring/prometheus-operated:9090',
      'monitoring/prometheus-k8s:9090',
      'monitoring/kube-prometheus-stack-prometheus:9090',
      'other/prometheus:9090',
      'monitoring/prometheus-server:80',
    ]);
    expect(found[0]?.from).to.equal('prometheus-operator');
  });

  it('ignores look-alikes and Services without the query port', function () {
    expect(
      findPrometheusServices([
        svc('monitoring', 'prometheus-adapter', 443),
        svc('monitoring', 'prometheus-node-exporter', 9100),
        svc('monitoring', 'kube-prometheus-stack-alertmanager', 9093),
        svc('monitoring', 'prometheus', 8080),
        svc('monitoring', 'myprometheus', 9090),
      ]),
    ).to.deep.equal([]);
  });

  it('says what it looks for', function () {
    expect(describePrometheusServices()).to.equal(
      'prometheus-operated:9090, prometheus-k8s:9090, prometheus:9090, prometheus-server:80',
    );
  });
});
