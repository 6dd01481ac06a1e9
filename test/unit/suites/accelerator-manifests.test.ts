// The probe workloads of gpu-scheduling and secure-accelerator-access load with the parameters the
// specs give them, and say what the specs rely on: the right request, the pin, the vendor taint
// tolerated, the duration annotation, and never privileged or hostPath.
import { expect } from 'chai';
import { loadManifests } from '../../../src/kube/manifest.js';
import type { KubeObject, Pod } from '../../../src/kube/objects.js';
import { manifestFile } from '../../../src/paths.js';
import { acceleratorFor } from '../../../src/requirements/accelerators.js';
import { addEnv } from '../../../suites/shared/accelerator-pods.js';
import { deviceReportScript } from '../../../suites/shared/device-report.js';

const amd = acceleratorFor({ accelerator: 'amd' });
const common = {
  probeImage: 'busybox:1.36',
  taintKey: amd.taintKey,
  script: deviceReportScript(amd, 5),
  seconds: 5,
  resource: amd.resource,
};

function onePod(category: string, file: string, params: Record<string, string | number>): Pod {
  const objects = loadManifests(manifestFile(category, file), { ...common, ...params });
  const pods = objects.filter((o) => o.kind === 'Pod');
  expect(pods, file).to.have.length(1);
  return pods[0] as Pod;
}

function expectProbePod(pod: Pod, name: string): void {
  expect(pod.metadata?.name).to.equal(name);
  expect(pod.metadata?.annotations?.['ai-conformance.io/duration']).to.equal('5s');
  expect(pod.spec?.restartPolicy).to.equal('Never');
  expect(pod.spec?.tolerations).to.deep.equal([{ key: 'amd.com/gpu', operator: 'Exists' }]);
  expect(pod.spec?.volumes ?? [], 'no hostPath').to.satisfy((v: { hostPath?: unknown }[]) =>
    v.every((x) => x.hostPath === undefined),
  );
  for (const c of pod.spec?.containers ?? []) {
    expect(c.securityContext?.privileged, `${c.name} privileged`).to.equal(false);
    expect(c.image).to.equal('busybox:1.36');
    expect(c.command).to.deep.equal(['sh', '-c', common.script]);
  }
}

describe('suites accelerator manifests', () => {
  it('gpu-pod.yaml asks for the count of the vendor resource and lets the scheduler choose', () => {
    const pod = onePod('accelerators', 'gpu-pod.yaml', { name: 'capable', count: 5 });
    expectProbePod(pod, 'capable');
    expect(pod.spec?.containers[0]?.resources?.limits).to.deep.equal({ 'amd.com/gpu': 5 });
    expect(pod.spec?.nodeSelector).to.equal(undefined);
  });

  it('gpu-pod-on.yaml adds the node selector it is given', () => {
    const pod = onePod('accelerators', 'gpu-pod-on.yaml', {
      name: 'filler-0',
      count: 2,
      selectorKey: 'kubernetes.io/hostname',
      selectorValue: 'gpu-a100-0',
    });
    expectProbePod(pod, 'filler-0');
    expect(pod.spec?.nodeSelector).to.deep.equal({ 'kubernetes.io/hostname': 'gpu-a100-0' });
  });

  it('device-plugin access pods request one accelerator per given container and pin to the node', () => {
    const one = onePod('security', 'one-accelerator-device-plugin.yaml', { name: 'positive', hostname: 'n1' });
    expectProbePod(one, 'positive');
    expect(one.spec?.nodeSelector).to.deep.equal({ 'kubernetes.io/hostname': 'n1' });
    expect(one.spec?.containers[0]?.resources?.limits).to.deep.equal({ 'amd.com/gpu': 1 });
    const two = onePod('security', 'two-containers-device-plugin.yaml', { name: 'two', hostname: 'n1' });
    expectProbePod(two, 'two');
    expect(two.spec?.containers.map((c) => [c.name, c.resources?.limits ?? null])).to.deep.equal([
      ['given', { 'amd.com/gpu': 1 }],
      ['not-given', null],
    ]);
  });

  it('DRA access pods take their claim from the one-accelerator template, in the given container only', () => {
    const [template] = loadManifests(manifestFile('security', 'claim-template.yaml'), { deviceClass: amd.deviceClass });
    expect(template?.apiVersion).to.equal('resource.k8s.io/v1');
    expect(
      (template as KubeObject & { spec: { spec: { devices: { requests: unknown[] } } } }).spec.spec.devices.requests,
    ).to.deep.equal([
      { name: 'accelerator', exactly: { deviceClassName: 'gpu.amd.com', allocationMode: 'ExactCount', count: 1 } },
    ]);
    const one = onePod('security', 'one-accelerator-dra.yaml', { name: 'positive', hostname: 'n1' });
    expectProbePod(one, 'positive');
    expect(one.spec?.resourceClaims).to.deep.equal([
      { name: 'accelerator', resourceClaimTemplateName: template?.metadata?.name },
    ]);
    expect(one.spec?.containers[0]?.resources).to.deep.equal({ claims: [{ name: 'accelerator' }] });
    const two = onePod('security', 'two-containers-dra.yaml', { name: 'two', hostname: 'n1' });
    expect(two.spec?.containers.map((c) => [c.name, c.resources ?? null])).to.deep.equal([
      ['given', { claims: [{ name: 'accelerator' }] }],
      ['not-given', null],
    ]);
  });

  it('the no-accelerator pod asks for nothing; the probe adds the visible-devices bypass variable', () => {
    const pod = onePod('security', 'no-accelerator.yaml', { name: 'no-request', hostname: 'n1' });
    expectProbePod(pod, 'no-request');
    expect(pod.spec?.containers[0]?.resources).to.equal(undefined);
    addEnv(pod, ['probe'], 'AMD_VISIBLE_DEVICES', 'all');
    expect(pod.spec?.containers[0]?.env).to.deep.equal([{ name: 'AMD_VISIBLE_DEVICES', value: 'all' }]);
  });
});
