// Our OCI push and pull against a real registry: Debian's docker-registry (distribution 2.8),
// started here on a free loopback port with its own storage, stopped afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MODEL_ARTIFACT_TYPE, modelFiles } from '../../../src/oci/modelpack.js';
import { fetchBlob, fetchManifest } from '../../../src/oci/pull.js';
import { pushArtifact } from '../../../src/oci/push.js';
import { parseReference } from '../../../src/oci/reference.js';
import { tinyModelArtifact, tinyModelFiles } from '../../cluster/models/tiny-model.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

describe('oci push and pull against docker-registry', function () {
  this.timeout(60_000);
  let registry: ChildProcess | undefined;
  let dir: string;
  let host: string;
  let log = '';

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aic-registry-'));
    host = `127.0.0.1:${String(await freePort())}`;
    const config = path.join(dir, 'config.yml');
    writeFileSync(
      config,
      `version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: ${dir}/data}}\nhttp: {addr: "${host}"}\n`,
    );
    registry = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    registry.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    registry.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      registry?.on('error', (err) => {
        reject(new Error(`cannot start docker-registry (apt-get install docker-registry): ${err.message}`));
      }),
    );
    const deadline = Date.now() + 20_000;
    const ready = (async () => {
      while (!(await answers(`http://${host}/v2/`))) {
        if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host}: ${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.race([ready, spawnError]);
  });

  after(() => {
    registry?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes the tiny ModelPack model and reads back manifest and every blob', async () => {
    const ref = parseReference(`${host}/aic/tiny-model:v1`);
    const artifact = tinyModelArtifact();
    const pushed = await pushArtifact(ref, artifact);
    expect(pushed).to.deep.equal({
      reference: `${host}/aic/tiny-model:v1`,
      digest: artifact.manifestDigest,
      uploaded: 4,
      skipped: 0,
    });

    const pulled = await fetchManifest(ref);
    expect(pulled.digest).to.equal(artifact.manifestDigest);
    expect(pulled.manifest.artifactType).to.equal(MODEL_ARTIFACT_TYPE);
    const files = modelFiles(pulled.manifest);
    expect(files.map((f) => f.path)).to.deep.equal(tinyModelFiles().map((f) => f.path));
    for (const [i, f] of files.entries()) {
      const data = await fetchBlob(ref, f.digest ?? '');
      expect(Buffer.from(data).equals(Buffer.from(tinyModelFiles()[i]?.content ?? [])), f.path).to.equal(true);
    }
    // by digest too
    expect((await fetchManifest(parseReference(`${host}/aic/tiny-model@${artifact.manifestDigest}`))).digest).to.equal(
      artifact.manifestDigest,
    );
  });

  it('skips blobs the registry already has', async () => {
    const pushed = await pushArtifact(parseReference(`${host}/aic/tiny-model:v2`), tinyModelArtifact());
    expect({ uploaded: pushed.uploaded, skipped: pushed.skipped }).to.deep.equal({ uploaded: 0, skipped: 4 });
  });
});
