import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ClusterError, ExitCode } from '../../../src/errors.js';
import { asClusterError, describeApiError, Kube, loadKubeConfig } from '../../../src/kube/client.js';

/** `current: null` leaves current-context out. */
function kubeconfigYaml(
  server: string,
  contexts: string[] = ['ctx'],
  current: string | null = contexts[0] ?? null,
): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: c\n  cluster: {server: "${server}"}`,
    'users:',
    '- name: u\n  user: {token: t}',
    'contexts:',
    ...contexts.map((c) => `- name: ${c}\n  context: {cluster: c, user: u}`),
    ...(current === null ? [] : [`current-context: ${current}`]),
    '',
  ].join('\n');
}

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'aic-kubeconfig-'));
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A loopback port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const noEnv = (home: string): { env: NodeJS.ProcessEnv; home: string; serviceAccountDir: string } => ({
  env: {},
  home,
  serviceAccountDir: path.join(home, 'no-sa'),
});

describe('kube/client', () => {
  describe('loadKubeConfig', () => {
    it('loads an explicit file and its current context', () => {
      const file = write(tempDir(), 'config', kubeconfigYaml('https://10.0.0.1:6443', ['a', 'b'], 'b'));
      const loaded = loadKubeConfig({ kubeconfig: file }, noEnv(tempDir()));
      expect(loaded.source).to.equal(file);
      expect(loaded.context).to.equal('b');
      expect(new Kube(loaded).server()).to.equal('https://10.0.0.1:6443');
    });

    it('selects --context', () => {
      const file = write(tempDir(), 'config', kubeconfigYaml('https://x:1', ['a', 'b'], 'b'));
      expect(new Kube(loadKubeConfig({ kubeconfig: file, context: 'a' }, noEnv(tempDir()))).context()).to.equal('a');
    });

    it('lists the available contexts for an unknown one', () => {
      const file = write(tempDir(), 'config', kubeconfigYaml('https://x:1', ['kind-a', 'prod']));
      expect(() => loadKubeConfig({ kubeconfig: file, context: 'nope' })).to.throw(
        ClusterError,
        `context "nope" not found in kubeconfig ${file}; available contexts: kind-a, prod`,
      );
    });

    it('asks for --context when there is no current-context', () => {
      const file = write(tempDir(), 'config', kubeconfigYaml('https://x:1', ['a'], null));
      expect(() => loadKubeConfig({ kubeconfig: file })).to.throw(
        ClusterError,
        'has no current-context; pass --context (available contexts: a)',
      );
    });

    it('names a missing file', () => {
      expect(() => loadKubeConfig({ kubeconfig: '/nonexistent/kubeconfig' })).to.throw(
        ClusterError,
        'cannot read kubeconfig /nonexistent/kubeconfig: no such file',
      );
    });

    it('names an invalid file: broken YAML, empty, or not a kubeconfig', () => {
      const dir = tempDir();
      for (const [name, text] of [
        ['broken', 'clusters: [\n'],
        ['empty', ''],
        ['scalar', 'hello\n'],
        ['noserver', 'clusters:\n- name: c\n  cluster: {}\n'],
      ] as const) {
        const file = write(dir, name, text);
        expect(() => loadKubeConfig({ kubeconfig: file }), name).to.throw(ClusterError, `invalid kubeconfig ${file}: `);
      }
    });

    it('carries exit code 3', () => {
      try {
        loadKubeConfig({ kubeconfig: '/nonexistent/kubeconfig' });
        expect.fail('no error');
      } catch (err) {
        expect((err as ClusterError).exitCode).to.equal(ExitCode.cluster);
      }
    });

    it('merges KUBECONFIG files, the first to define a name or current-context winning, and skips missing ones', () => {
      const dir = tempDir();
      const first = write(dir, 'first', kubeconfigYaml('https://first:1', ['shared'], 'shared'));
      const second = write(dir, 'second', kubeconfigYaml('https://second:1', ['shared', 'extra'], 'extra'));
      const env = { KUBECONFIG: [path.join(dir, 'missing'), first, second].join(path.delimiter) };
      const loaded = loadKubeConfig({}, { env, home: dir });
      expect(loaded.context).to.equal('shared');
      expect(loaded.kubeConfig.getContexts().map((c) => c.name)).to.deep.equal(['shared', 'extra']);
      expect(new Kube(loaded).server()).to.equal('https://first:1');
      expect(loaded.source).to.equal(`KUBECONFIG=${first}${path.delimiter}${second}`);
    });

    it('fails when none of the KUBECONFIG files exist', () => {
      const env = { KUBECONFIG: '/nonexistent/a' };
      expect(() => loadKubeConfig({}, { env, home: tempDir() })).to.throw(
        ClusterError,
        'none of the files in KUBECONFIG exist (/nonexistent/a)',
      );
    });

    it('falls back to ~/.kube/config', () => {
      const home = tempDir();
      mkdirSync(path.join(home, '.kube'));
      const file = write(path.join(home, '.kube'), 'config', kubeconfigYaml('https://home:1'));
      expect(loadKubeConfig({}, noEnv(home)).source).to.equal(file);
    });

    it('falls back to the in-cluster service account', () => {
      const home = tempDir();
      const sa = path.join(home, 'sa');
      mkdirSync(sa);
      write(sa, 'token', 'tok');
      write(sa, 'ca.crt', 'ca');
      const loaded = loadKubeConfig(
        {},
        { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, home, serviceAccountDir: sa },
      );
      expect(loaded.source).to.equal('in-cluster service account');
      expect(new Kube(loaded).server()).to.equal('https://10.96.0.1:443');
    });

    it('says where it looked when there is no kubeconfig at all', () => {
      const home = tempDir();
      expect(() => loadKubeConfig({}, noEnv(home))).to.throw(
        ClusterError,
        `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ${path.join(home, '.kube', 'config')}`,
      );
    });
  });

  describe('preflight', () => {
    it('turns a refused connection into one ClusterError line naming server and context', async () => {
      const port = await closedPort();
      const file = write(tempDir(), 'config', kubeconfigYaml(`https://127.0.0.1:${String(port)}`, ['test-ctx']));
      const kube = Kube.load({ kubeconfig: file });
      try {
        await kube.preflight(2000);
        expect.fail('preflight passed');
      } catch (err) {
        expect(err).to.be.instanceOf(ClusterError);
        expect((err as Error).message).to.equal(
          `cannot reach the cluster at https://127.0.0.1:${String(port)} (context test-ctx): connection refused`,
        );
      }
    });

    it('reports a name that does not resolve as unreachable', async () => {
      const file = write(tempDir(), 'config', kubeconfigYaml('https://no-such-host.invalid:6443', ['c1']));
      try {
        await Kube.load({ kubeconfig: file }).preflight(5000);
        expect.fail('preflight passed');
      } catch (err) {
        expect(err).to.be.instanceOf(ClusterError);
        // Usually "host not found (DNS): no-such-host.invalid"; a sandbox without a resolver may time out instead.
        expect((err as Error).message).to.match(
          /^cannot reach the cluster at https:\/\/no-such-host\.invalid:6443 \(context c1\): (host not found|timed out|no response)/,
        );
      }
    });
  });

  describe('describeApiError and asClusterError', () => {
    const status = (code: number, reason: string, message: string): ApiException<unknown> =>
      new ApiException(
        code,
        `HTTP-Code: ${String(code)}\nMessage: …\nBody: …`,
        { kind: 'Status', code, reason, message },
        {},
      );
    const at = { server: 'https://k:6443', context: 'prod' };

    it('gives status, reason and the Status message on one line', () => {
      expect(describeApiError(status(404, 'NotFound', 'pods "p1" not found'))).to.equal(
        '404 NotFound: pods "p1" not found',
      );
      expect(
        describeApiError(new ApiException(500, 'x', '{"reason":"InternalError","message":"etcd down"}', {})),
      ).to.equal('500 InternalError: etcd down');
      expect(describeApiError(new ApiException(502, 'x', '', {}))).to.equal('502 Bad Gateway');
      expect(
        describeApiError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
      ).to.equal('connection refused');
      expect(describeApiError(new Error('first line\nsecond'))).to.equal('first line');
    });

    it('maps 401, 403 and network errors to ClusterError, and nothing else', () => {
      expect(asClusterError(status(401, 'Unauthorized', 'Unauthorized'), at)?.message).to.equal(
        'unauthorized by the cluster at https://k:6443 (context prod): the credentials were rejected (401 Unauthorized: Unauthorized)',
      );
      expect(
        asClusterError(status(403, 'Forbidden', 'nodes is forbidden: User "x" cannot list resource "nodes"'), at)
          ?.message,
      ).to.equal(
        'forbidden by the cluster at https://k:6443 (context prod): 403 Forbidden: nodes is forbidden: User "x" cannot list resource "nodes"',
      );
      expect(asClusterError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), at)?.message).to.equal(
        'cannot reach the cluster at https://k:6443 (context prod): timed out',
      );
      expect(asClusterError(status(404, 'NotFound', 'x'), at)).to.equal(undefined);
      expect(asClusterError(new Error('bug'), at)).to.equal(undefined);
    });
  });
});
