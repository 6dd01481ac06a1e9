import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { UsageError } from '../../../src/errors.js';
import { keygen as keygenCommandFunction, type KeygenArgs } from '../../../src/cli/keygen.js';
import { DEFAULT_PASSPHRASE_ENV, generateKeyPair, loadPublicKey, loadSigningKey } from '../../../src/bundle/keys.js';
import { rejection, removeDir, tempDir } from './fixture.js';

const run = promisify(execFile);
const ENV = 'AIC_TEST_KEY_PASSPHRASE';

/** keygen prints paths and the fingerprint; keep them out of the mocha report. */
async function keygen(args: KeygenArgs): Promise<void> {
  await keygenCommandFunction(args, { write: () => true });
}

describe('bundle/keys and keygen', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    Reflect.deleteProperty(process.env, ENV);
    Reflect.deleteProperty(process.env, DEFAULT_PASSPHRASE_ENV);
    await removeDir(dir);
  });

  it('writes a public key byte-identical to `openssl ec -pubout`, and openssl pkey accepts the private key', async () => {
    await keygen({ outDir: dir, name: 'vendor', encrypt: false });
    const keyFile = path.join(dir, 'vendor.key');
    const ours = await readFile(path.join(dir, 'vendor.pub'), 'utf8');
    const { stdout: theirs } = await run('openssl', ['ec', '-in', keyFile, '-pubout']);
    expect(ours).to.equal(theirs);
    expect(ours).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
    const { stdout: text } = await run('openssl', ['pkey', '-in', keyFile, '-noout', '-text']);
    expect(text).to.include('prime256v1');
    expect((await readFile(keyFile, 'utf8')).startsWith('-----BEGIN PRIVATE KEY-----\n')).to.equal(true);
    expect((await stat(keyFile)).mode & 0o777).to.equal(0o600);
  });

  it('never overwrites an existing key or public key file', async () => {
    await keygen({ outDir: dir, name: 'vendor', encrypt: false });
    const before = await readFile(path.join(dir, 'vendor.key'));
    const err = await rejection(keygen({ outDir: dir, name: 'vendor', encrypt: false }));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.include('vendor.key already exists');
    expect(Buffer.compare(before, await readFile(path.join(dir, 'vendor.key')))).to.equal(0);
    await removeDir(path.join(dir, 'vendor.key'));
    const err2 = await rejection(keygen({ outDir: dir, name: 'vendor', encrypt: false }));
    expect(err2.message).to.include('vendor.pub already exists');
  });

  it('encrypts with the passphrase from the environment; the key loads only with it', async () => {
    expect((await rejection(keygen({ outDir: dir, name: 'enc', encrypt: true }))).message).to.include(
      DEFAULT_PASSPHRASE_ENV,
    );
    process.env[DEFAULT_PASSPHRASE_ENV] = 'correct horse';
    await keygen({ outDir: dir, name: 'enc', encrypt: true });
    const keyFile = path.join(dir, 'enc.key');
    expect(await readFile(keyFile, 'utf8')).to.match(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    await run('openssl', ['pkey', '-in', keyFile, '-passin', `env:${DEFAULT_PASSPHRASE_ENV}`, '-noout']);

    const missing = await rejection(loadSigningKey(keyFile, ENV));
    expect(missing).to.be.instanceOf(UsageError);
    expect(missing.message).to.equal(`${keyFile} is encrypted: set ${ENV} to its passphrase`);
    process.env[ENV] = 'wrong';
    const wrong = await rejection(loadSigningKey(keyFile, ENV));
    expect(wrong).to.be.instanceOf(UsageError);
    expect(wrong.message).to.equal(`${keyFile}: wrong passphrase in ${ENV}`);
    process.env[ENV] = 'correct horse';
    const key = await loadSigningKey(keyFile, ENV);
    const pub = await loadPublicKey(path.join(dir, 'enc.pub'));
    expect(key.publicKey.fingerprint).to.equal(pub.fingerprint);
  });

  it('loads keys openssl made, with the Sigstore hint base64(sha256(SPKI DER))', async () => {
    const keyFile = path.join(dir, 'ossl.key');
    const pubFile = path.join(dir, 'ossl.pub');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    await run('openssl', ['pkey', '-in', keyFile, '-pubout', '-out', pubFile]);
    const { stdout: der } = await run('sh', [
      '-c',
      `openssl pkey -pubin -in ${pubFile} -outform DER | openssl dgst -sha256 -binary | base64`,
    ]);
    const key = await loadSigningKey(keyFile);
    const pub = await loadPublicKey(pubFile);
    expect(pub.hint).to.equal(der.trim());
    expect(key.publicKey.hint).to.equal(pub.hint);
    expect(pub.fingerprint).to.equal(`sha256:${Buffer.from(pub.hint, 'base64').toString('hex')}`);
  });

  it('gives clear UsageErrors for a missing file, another curve, RSA, and a private key passed as public', async () => {
    const absent = path.join(dir, 'absent.key');
    expect((await rejection(loadSigningKey(absent))).message).to.equal(`signing key ${absent} not found`);
    expect((await rejection(loadPublicKey(absent))).message).to.equal(`public key ${absent} not found`);

    const p384 = path.join(dir, 'p384.key');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', p384]);
    const curve = await rejection(loadSigningKey(p384));
    expect(curve).to.be.instanceOf(UsageError);
    expect(curve.message).to.include('expected an ECDSA P-256 (prime256v1) key, found EC curve secp384r1');

    const rsa = path.join(dir, 'rsa.key');
    await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsa]);
    expect((await rejection(loadSigningKey(rsa))).message).to.include('found rsa');

    const pair = generateKeyPair();
    const priv = path.join(dir, 'priv.pem');
    await writeFile(priv, pair.privatePem);
    expect((await rejection(loadPublicKey(priv))).message).to.include('is a private key');
    const junk = path.join(dir, 'junk.pub');
    await writeFile(junk, 'hello\n');
    expect(await rejection(loadPublicKey(junk))).to.be.instanceOf(UsageError);
  });
});
