import { expect } from 'chai';
import {
  formatReference,
  ImageReferenceError,
  isLoopbackRegistry,
  manifestReference,
  parseReference,
  registryBaseUrl,
} from '../../../src/oci/reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('oci/reference parseReference', () => {
  it('applies Docker Hub defaults to a bare name', () => {
    expect(parseReference('busybox')).to.deep.equal({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
    });
    expect(parseReference('busybox:1.36')).to.deep.equal({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: '1.36',
    });
    expect(parseReference('org/model:v1')).to.deep.equal({ registry: 'docker.io', repository: 'org/model', tag: 'v1' });
  });

  it('reads a registry with a port, a nested repository, a tag and a digest', () => {
    expect(parseReference('127.0.0.1:5000/aic/tiny-model:v1')).to.deep.equal({
      registry: '127.0.0.1:5000',
      repository: 'aic/tiny-model',
      tag: 'v1',
    });
    expect(parseReference(`ghcr.io/org/team/model:v2@${DIGEST}`)).to.deep.equal({
      registry: 'ghcr.io',
      repository: 'org/team/model',
      tag: 'v2',
      digest: DIGEST,
    });
    expect(parseReference(`localhost/model@${DIGEST}`)).to.deep.equal({
      registry: 'localhost',
      repository: 'model',
      digest: DIGEST,
    });
  });

  it('asks for the digest when pinned, else the tag', () => {
    expect(manifestReference(parseReference(`r.io/m:v1@${DIGEST}`))).to.equal(DIGEST);
    expect(manifestReference(parseReference('r.io/m:v1'))).to.equal('v1');
  });

  it('formats back to the full reference', () => {
    expect(formatReference(parseReference('busybox'))).to.equal('docker.io/library/busybox:latest');
    expect(formatReference(parseReference(`r.io:443/a/b@${DIGEST}`))).to.equal(`r.io:443/a/b@${DIGEST}`);
  });

  it('rejects upper case, bad tags, bad digests and empty input with the reason', () => {
    expect(() => parseReference('r.io/Model:v1')).to.throw(ImageReferenceError, /repository component "Model"/);
    expect(() => parseReference('r.io/m:-bad')).to.throw(ImageReferenceError, /not a valid tag/);
    expect(() => parseReference('r.io/m@sha256:xyz')).to.throw(ImageReferenceError, /not a digest/);
    expect(() => parseReference('  ')).to.throw(ImageReferenceError, /empty/);
  });
});

describe('oci/reference registryBaseUrl', () => {
  it('uses plain HTTP for loopback registries only', () => {
    expect(isLoopbackRegistry('127.0.0.1:5000')).to.equal(true);
    expect(isLoopbackRegistry('localhost:5000')).to.equal(true);
    expect(isLoopbackRegistry('[::1]:5000')).to.equal(true);
    expect(isLoopbackRegistry('127.example.com')).to.equal(false);
    expect(registryBaseUrl('127.0.0.1:5000')).to.equal('http://127.0.0.1:5000');
    expect(registryBaseUrl('ghcr.io')).to.equal('https://ghcr.io');
    expect(registryBaseUrl('docker.io')).to.equal('https://registry-1.docker.io');
  });
});
