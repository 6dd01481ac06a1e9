// The registry client against an in-process HTTP server that behaves like a public registry:
// anonymous bearer tokens, OCI error bodies, an index in front of the manifest, a tampered blob.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { sha256Digest } from '../../../src/oci/digest.js';
import { MODEL_ARTIFACT_TYPE, OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/modelpack.js';
import { fetchBlob, fetchManifest } from '../../../src/oci/pull.js';
import { uploadUrl } from '../../../src/oci/push.js';
import { parseReference } from '../../../src/oci/reference.js';
import { parseChallenge, RegistryClient, RegistryError, registryErrorText } from '../../../src/oci/registry-client.js';

const blob = Buffer.from('model weights');
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: MODEL_ARTIFACT_TYPE,
    config: { mediaType: 'application/vnd.cncf.model.config.v1+json', digest: sha256Digest(blob), size: blob.length },
    layers: [],
  }),
);
const index = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: sha256Digest(manifest),
        size: manifest.length,
        artifactType: MODEL_ARTIFACT_TYPE,
      },
    ],
  }),
);

describe('oci/registry-client against a fake registry', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method ?? ''} ${url.pathname} ${req.headers.authorization ?? '-'}`);
      if (url.pathname === '/token') {
        res.end(JSON.stringify({ token: `tok-${url.searchParams.get('scope') ?? ''}` }));
        return;
      }
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${base}/token",service="fake"` });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      const routes: Record<string, [Buffer, string]> = {
        '/v2/org/model/manifests/v1': [index, OCI_INDEX],
        [`/v2/org/model/manifests/${sha256Digest(manifest)}`]: [manifest, OCI_MANIFEST],
        [`/v2/org/model/blobs/${sha256Digest(blob)}`]: [blob, 'application/octet-stream'],
        [`/v2/org/tampered/blobs/${sha256Digest(blob)}`]: [Buffer.from('other'), 'application/octet-stream'],
      };
      const route = routes[url.pathname];
      if (route !== undefined) {
        res.writeHead(200, { 'Content-Type': route[1] });
        res.end(route[0]);
        return;
      }
      res.writeHead(404);
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(() => {
    server.close();
  });

  const client = (): RegistryClient => new RegistryClient('fake.example', { baseUrl: base });

  it('fetches an anonymous token on 401, then follows the index to the ModelPack manifest', async () => {
    seen.length = 0;
    const c = client();
    const pulled = await fetchManifest(parseReference('fake.example/org/model:v1'), c);
    expect(pulled.digest).to.equal(sha256Digest(manifest));
    expect(pulled.manifest.artifactType).to.equal(MODEL_ARTIFACT_TYPE);
    expect(seen[0]).to.equal('GET /v2/org/model/manifests/v1 -');
    expect(seen[1]).to.match(/^GET \/token /);
    expect(seen[2]).to.equal('GET /v2/org/model/manifests/v1 Bearer tok-repository:org/model:pull');
    // the token is reused for the second manifest GET
    expect(seen.slice(3)).to.deep.equal([
      `GET /v2/org/model/manifests/${sha256Digest(manifest)} Bearer tok-repository:org/model:pull`,
    ]);
  });

  it('returns blobs that match their digest and refuses ones that do not', async () => {
    expect(
      Buffer.from(
        await fetchBlob(parseReference('fake.example/org/model:v1'), sha256Digest(blob), client()),
      ).toString(),
    ).to.equal('model weights');
    try {
      await fetchBlob(parseReference('fake.example/org/tampered:v1'), sha256Digest(blob), client());
      expect.fail('a tampered blob was accepted');
    } catch (err) {
      expect((err as Error).message).to.match(/content has digest sha256:/);
    }
  });

  it('reports the registry error code of a missing manifest with its status', async () => {
    try {
      await fetchManifest(parseReference('fake.example/org/none:v1'), client());
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(RegistryError);
      expect((err as RegistryError).status).to.equal(404);
      expect((err as RegistryError).unreachable).to.equal(false);
      expect((err as Error).message).to.match(/HTTP 404 \(MANIFEST_UNKNOWN: manifest unknown\)/);
    }
  });

  it('marks a refused connection as unreachable', async () => {
    const spare = http.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const port = String((spare.address() as AddressInfo).port);
    await new Promise((resolve) => spare.close(resolve));
    const closed = new RegistryClient(`127.0.0.1:${port}`, { timeoutMs: 2000 });
    try {
      await fetchManifest(parseReference(`127.0.0.1:${port}/org/model:v1`), closed);
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(RegistryError);
      expect((err as RegistryError).unreachable).to.equal(true);
      expect((err as Error).message).to.equal(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    }
  });
});

describe('oci/registry-client helpers', () => {
  it('parses a bearer challenge', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.io/token",service="reg",scope="repository:a:pull"'),
    ).to.deep.equal({
      scheme: 'bearer',
      params: { realm: 'https://auth.io/token', service: 'reg', scope: 'repository:a:pull' },
    });
    expect(parseChallenge('Basic realm="x"').scheme).to.equal('basic');
  });

  it("words the registry's error body", () => {
    expect(registryErrorText('{"errors":[{"code":"DENIED","message":"no"}]}')).to.equal('DENIED: no');
    expect(registryErrorText('<html>\nbad gateway')).to.equal('<html>');
  });

  it('adds the digest to an upload location, relative or absolute, with or without a query', () => {
    const dg = `sha256:${'b'.repeat(64)}`;
    expect(uploadUrl('/v2/m/blobs/uploads/u1', 'http://r:5000', dg)).to.equal(
      `http://r:5000/v2/m/blobs/uploads/u1?digest=sha256%3A${'b'.repeat(64)}`,
    );
    expect(uploadUrl('https://r/v2/m/blobs/uploads/u1?_state=abc', 'http://x', dg)).to.equal(
      `https://r/v2/m/blobs/uploads/u1?_state=abc&digest=sha256%3A${'b'.repeat(64)}`,
    );
  });
});
