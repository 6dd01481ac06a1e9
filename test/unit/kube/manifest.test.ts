import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadManifests, ManifestError, parseManifests, withLabels } from '../../../src/kube/manifest.js';
import { runLabels, MANAGED_BY_LABEL, RUN_LABEL, PROBE_LABEL } from '../../../src/kube/labels.js';
import type { KubeObject } from '../../../src/kube/objects.js';

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: gang-\${suffix}
  labels: {app: "\${app}"}
spec:
  parallelism: \${size}
  suspend: \${suspend}
  template:
    metadata:
      labels: {app: gang, ${MANAGED_BY_LABEL}: someone-else}
    spec:
      containers:
      - name: c
        image: \${image}
        command: ["sh", "-c", "echo $\${HOME} \${message}"]
`;

function field(obj: KubeObject | undefined, ...keys: string[]): unknown {
  let node: unknown = obj;
  for (const k of keys) node = (node as Record<string, unknown> | undefined)?.[k];
  return node;
}

describe('kube/manifest', () => {
  describe('parseManifests', () => {
    const params = { suffix: 'a1', app: 'w', size: 4, suspend: true, image: 'busybox:1.36', message: 'done' };

    it('substitutes placeholders and keeps a whole plain placeholder typed', () => {
      const [job] = parseManifests(JOB, params, 'job.yaml');
      expect(field(job, 'metadata', 'name')).to.equal('gang-a1');
      expect(field(job, 'metadata', 'labels', 'app')).to.equal('w');
      expect(field(job, 'spec', 'parallelism')).to.equal(4);
      expect(field(job, 'spec', 'suspend')).to.equal(true);
    });

    it('turns $${x} into a literal ${x} for shell variables', () => {
      const [job] = parseManifests(JOB, params, 'job.yaml');
      const command = field(job, 'spec', 'template', 'spec', 'containers') as { command: string[] }[];
      expect(command[0]?.command[2]).to.equal('echo ${HOME} done');
    });

    it('inserts values as scalars: YAML syntax in a value cannot change the structure', () => {
      const evil = { ...params, image: 'x\nkind: Secret', message: '"]\n- rm -rf /' };
      const [job] = parseManifests(JOB, evil, 'job.yaml');
      expect(job?.kind).to.equal('Job');
      const containers = field(job, 'spec', 'template', 'spec', 'containers') as { image: string; command: string[] }[];
      expect(containers[0]?.image).to.equal('x\nkind: Secret');
      expect(containers[0]?.command).to.have.length(3);
    });

    it('keeps a quoted whole placeholder a string, and substitutes in keys', () => {
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  "${key}": "${n}"\n';
      const [cm] = parseManifests(text, { key: 'size', n: 3 }, 'cm.yaml');
      expect(cm?.data).to.deep.equal({ size: '3' });
    });

    it('names the file, line and placeholder for an unknown placeholder', () => {
      expect(() => parseManifests(JOB, { suffix: 'a' }, 'suites/x/job.yaml')).to.throw(
        ManifestError,
        'suites/x/job.yaml:5: unknown placeholder ${app} (parameters: suffix)',
      );
    });

    it('returns every document and skips empty ones', () => {
      const text = `${JOB}---\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n`;
      const objs = parseManifests(text, params, 'two.yaml');
      expect(objs.map((o) => o.kind)).to.deep.equal(['Job', 'Pod']);
    });

    it('reports YAML syntax errors with file and line', () => {
      expect(() => parseManifests('apiVersion: v1\nkind: [Pod\n', {}, 'bad.yaml')).to.throw(
        ManifestError,
        /^bad\.yaml:\d+: /,
      );
    });

    it('refuses documents that are not Kubernetes objects', () => {
      expect(() => parseManifests('apiVersion: v1\nkind: Pod\n---\n- a\n- b\n', {}, 'list.yaml')).to.throw(
        ManifestError,
        'list.yaml:4: document 2 is not a Kubernetes object (it needs apiVersion and kind)',
      );
    });
  });

  describe('loadManifests', () => {
    it('reads a file', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'aic-manifest-'));
      const file = path.join(dir, 'pod.yaml');
      writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: "${name}"}\n');
      expect(loadManifests(file, { name: 'p1' })[0]?.metadata?.name).to.equal('p1');
    });

    it('names a file it cannot read', () => {
      expect(() => loadManifests('/nonexistent/pod.yaml')).to.throw(
        ManifestError,
        'cannot read manifest /nonexistent/pod.yaml',
      );
    });
  });

  describe('withLabels', () => {
    const labels = runLabels('run-1', 'gang-scheduling');

    it('labels metadata and the pod template of a Job, ours winning over the template', () => {
      const [job] = parseManifests(
        JOB,
        { suffix: 'a', app: 'w', size: 1, suspend: false, image: 'i', message: 'm' },
        'job.yaml',
      );
      const labelled = withLabels(job as KubeObject, labels);
      expect(field(labelled, 'metadata', 'labels')).to.deep.equal({ app: 'w', ...labels });
      expect(field(labelled, 'spec', 'template', 'metadata', 'labels')).to.deep.equal({ app: 'gang', ...labels });
      expect(field(job, 'metadata', 'labels')).to.deep.equal({ app: 'w' }, 'the input is not modified');
    });

    it('creates the template metadata of a Deployment when it has none', () => {
      const dep: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { template: { spec: {} } },
      };
      expect(field(withLabels(dep, labels), 'spec', 'template', 'metadata', 'labels')).to.deep.equal(labels);
    });

    it('labels both the job template and the pod template of a CronJob', () => {
      const cron: KubeObject = {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c' },
        spec: { jobTemplate: { spec: { template: { spec: {} } } } },
      };
      const out = withLabels(cron, labels);
      expect(field(out, 'spec', 'jobTemplate', 'metadata', 'labels')).to.deep.equal(labels);
      expect(field(out, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels')).to.deep.equal(labels);
    });

    it('leaves spec.template of other kinds alone (a CRD may mean something else by it)', () => {
      const cr: KubeObject = {
        apiVersion: 'example.com/v1',
        kind: 'Job',
        metadata: { name: 'x' },
        spec: { template: { a: 1 } },
      };
      const out = withLabels(cr, labels);
      expect(field(out, 'spec', 'template')).to.deep.equal({ a: 1 });
      expect(field(out, 'metadata', 'labels', RUN_LABEL)).to.equal('run-1');
      expect(field(out, 'metadata', 'labels', PROBE_LABEL)).to.equal('gang-scheduling');
    });
  });
});
