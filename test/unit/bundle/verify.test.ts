import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { UsageError, VerificationError } from '../../../src/errors.js';
import { verify as verifyCli } from '../../../src/cli/verify.js';
import { loadPublicKey } from '../../../src/bundle/keys.js';
import { bundleFileName, packFolder } from '../../../src/bundle/pack.js';
import { packAndSign, signatureFileFor, signStatement, type SigstoreBundle } from '../../../src/bundle/sign.js';
import { buildStatement } from '../../../src/bundle/statement.js';
import { loadSigningKey } from '../../../src/bundle/keys.js';
import { runCli } from '../../integration/run-cli.js';
import { verifyBundle, type Check } from '../../../src/bundle/verify.js';
import {
  rejection,
  removeDir,
  sampleResults,
  signedFixture,
  tempDir,
  writeFiles,
  type SignedFixture,
} from './fixture.js';

describe('bundle/verify', () => {
  let f: SignedFixture;
  before(async () => {
    f = await signedFixture();
  });
  after(async () => removeDir(f.root));

  it('reports every check, the key fingerprint and the signed predicate', async () => {
    const seen: Check[] = [];
    const report = await verifyBundle({ tarball: f.bundle.tarball, key: f.pubFile, onCheck: (c) => seen.push(c) });
    expect(report.checks.map((c) => `${c.id}:${String(c.ok)}`)).to.deep.equal([
      'bundle:true',
      'key:true',
      'signature:true',
      'statement:true',
      'tarball:true',
      'archive:true',
      'sums:true',
      'files:true',
    ]);
    expect(seen).to.deep.equal(report.checks);
    expect(report.keyFingerprint).to.match(/^sha256:[0-9a-f]{64}$/);
    // SAMPLE_FILES and meta/signer.pub, which packAndSign adds for --key-fingerprint.
    expect(report.fileCount).to.equal(7);
    expect(report.predicate.result).to.equal('FAILED');
    expect(report.predicate.requirements.gang_scheduling?.verdict).to.equal('passed');
  });

  it('says an unsigned bundle is unsigned', async () => {
    const dir = await tempDir();
    try {
      await writeFiles(path.join(dir, 'out'), { 'results.json': '{}\n' });
      const packed = await packAndSign(path.join(dir, 'out'), sampleResults('unsigned'), {
        bundleDir: path.join(dir, 'bundles'),
      });
      expect(packed.unsigned).to.equal(true);
      expect(packed.signature).to.equal(undefined);
      const err = await rejection(verifyBundle({ tarball: packed.tarball, key: f.pubFile }));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.equal(
        `${packed.tarball}.sigstore.json not found: the bundle is unsigned, or its signature was not copied beside it (pass --signature if it lives elsewhere)`,
      );
    } finally {
      await removeDir(dir);
    }
  });

  it('names what is wrong with a malformed signature bundle', async () => {
    const original = JSON.parse(await readFile(f.bundle.signature, 'utf8')) as SigstoreBundle;
    const file = path.join(f.root, 'malformed.sigstore.json');
    const cases: Array<[(b: Record<string, unknown> & SigstoreBundle) => void, RegExp]> = [
      [
        (b) => (b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1' as never),
        /mediaType .* expected application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json/,
      ],
      [
        (b) => (b.dsseEnvelope.payloadType = 'application/json' as never),
        /payloadType "application\/json", expected application\/vnd\.in-toto\+json/,
      ],
      [
        (b) => (b.dsseEnvelope.signatures as unknown[]).push({ keyid: '', sig: 'AA==' }),
        /expected exactly one DSSE signature, found 2/,
      ],
      [(b) => delete (b as Partial<SigstoreBundle>).dsseEnvelope, /no dsseEnvelope/],
      [(b) => (b.dsseEnvelope.payload = '***'), /dsseEnvelope\.payload is not base64/],
    ];
    for (const [edit, pattern] of cases) {
      const b = structuredClone(original) as Record<string, unknown> & SigstoreBundle;
      edit(b);
      await writeFile(file, JSON.stringify(b));
      const err = await rejection(verifyBundle({ tarball: f.bundle.tarball, key: f.pubFile, signature: file }));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.match(pattern);
    }
  });

  it('treats a missing bundle or key as a usage error', async () => {
    const missing = path.join(f.root, 'nope.tar.gz');
    expect(await rejection(verifyBundle({ tarball: missing, key: f.pubFile }))).to.be.instanceOf(UsageError);
    const err = await rejection(verifyBundle({ tarball: f.bundle.tarball, key: path.join(f.root, 'nope.pub') }));
    expect(err).to.be.instanceOf(UsageError).and.not.instanceOf(VerificationError);
  });

  it('verify command prints each check and the signed run summary, exit code 0', async () => {
    const lines: string[] = [];
    await verifyCli({ bundle: f.bundle.tarball, key: f.pubFile }, { write: (text: string) => lines.push(text) });
    const text = lines.join('');
    expect(text.match(/^✔ /gm)).to.have.length(8);
    expect(text).to.match(/^key {10}sha256:[0-9a-f]{64}$/m);
    expect(text).to.match(/^result {7}FAILED$/m);
    expect(text).to.match(/^profile {6}full \(v1\.35\)$/m);
    expect(text).to.match(/^kubernetes {3}v1\.35\.2$/m);
    expect(text).to.include('3 passed, 1 failed, 1 skipped, 1 error (6 total)');
    expect(text).to.match(/^ {2}✖ secure_accelerator_access +MUST +failed +2 tests$/m);
    expect(text).to.match(/^ {6}✖ TestSecureAcceleratorAccess\/NegativeAccessTest failed$/m);
    expect(text).to.match(/^ {2}- dra_support +MUST +skipped +1 test$/m);
    expect(process.exitCode ?? 0).to.equal(0);
  });

  describe('--key-fingerprint (a reviewer given only the fingerprint keygen printed)', () => {
    let fingerprint = '';
    before(async () => {
      fingerprint = (await loadPublicKey(f.pubFile)).fingerprint;
    });

    it('alone: the tarball carries the signer key, trusted because its fingerprint matches', async () => {
      const report = await verifyBundle({ tarball: f.bundle.tarball, fingerprint });
      expect(report.keyFingerprint).to.equal(fingerprint);
      expect(report.checks.map((c) => c.id)).to.deep.equal([
        'bundle',
        'key',
        'key',
        'signature',
        'statement',
        'tarball',
        'archive',
        'sums',
        'files',
      ]);
      // The form keygen prints, bare hex and upper case all name the same key.
      await verifyBundle({ tarball: f.bundle.tarball, fingerprint: fingerprint.slice('sha256:'.length).toUpperCase() });
    });

    it('with --key: that key must have the fingerprint', async () => {
      await verifyBundle({ tarball: f.bundle.tarball, key: f.pubFile, fingerprint });
      const other = `sha256:${'0'.repeat(64)}`;
      const err = await rejection(verifyBundle({ tarball: f.bundle.tarball, key: f.pubFile, fingerprint: other }));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.equal(
        `key: the trusted key has fingerprint ${fingerprint}, not the ${other} you were given`,
      );
    });

    it('a mismatch fails (exit 1), naming both fingerprints', async () => {
      const other = `sha256:${'ab'.repeat(32)}`;
      const err = await rejection(verifyBundle({ tarball: f.bundle.tarball, fingerprint: other }));
      expect(err).to.be.instanceOf(VerificationError);
      expect((err as VerificationError).exitCode).to.equal(1);
      expect(err.message).to.equal(
        `key: the tarball's meta/signer.pub has fingerprint ${fingerprint}, not the ${other} you were given`,
      );
    });

    it('a tarball whose signer key was swapped for another (re-signed with it) fails on the fingerprint', async () => {
      const dir = await tempDir();
      try {
        // An attacker re-packs the run with their own key: everything verifies, except the fingerprint.
        const { writeKeyPair } = await import('./fixture.js');
        const { keyFile } = await writeKeyPair(dir, 'attacker');
        await writeFiles(path.join(dir, 'out'), { 'results.json': '{}\n' });
        const forged = await packAndSign(path.join(dir, 'out'), sampleResults(), {
          bundleDir: path.join(dir, 'bundles'),
          signKeyPath: keyFile,
        });
        const err = await rejection(verifyBundle({ tarball: forged.tarball, fingerprint }));
        expect(err).to.be.instanceOf(VerificationError);
        expect(err.message).to.match(
          /^key: the tarball's meta\/signer\.pub has fingerprint sha256:[0-9a-f]{64}, not the /,
        );
      } finally {
        await removeDir(dir);
      }
    });

    it('a bundle without meta/signer.pub cannot be verified by fingerprint alone (exit 1), but with --key', async () => {
      const dir = await tempDir();
      try {
        await writeFiles(path.join(dir, 'out'), { 'results.json': '{}\n' });
        const results = sampleResults();
        const name = bundleFileName(new Date(results.run.startedAt), results.run.runId);
        const packed = await packFolder(path.join(dir, 'out'), path.join(dir, name));
        const statement = buildStatement(results, {
          tarball: { name, sha256: packed.sha256 },
          sumsSha256: packed.sumsSha256,
        });
        await writeFile(
          signatureFileFor(packed.tarball),
          JSON.stringify(signStatement(statement, await loadSigningKey(f.keyFile))),
        );
        const err = await rejection(verifyBundle({ tarball: packed.tarball, fingerprint }));
        expect(err).to.be.instanceOf(VerificationError);
        expect(err.message).to.contain('the tarball has no meta/signer.pub');
        await verifyBundle({ tarball: packed.tarball, key: f.pubFile, fingerprint });
      } finally {
        await removeDir(dir);
      }
    });

    it('a malformed fingerprint, or neither --key nor --key-fingerprint, is a usage error', async () => {
      for (const bad of ['sha256:abc', 'md5:' + 'a'.repeat(64), 'SHA256:' + 'g'.repeat(64)]) {
        const err = await rejection(verifyBundle({ tarball: f.bundle.tarball, fingerprint: bad }));
        expect(err, bad).to.be.instanceOf(UsageError);
        expect(err.message).to.contain('expected sha256:<64 hex digits>');
      }
      expect(await rejection(verifyBundle({ tarball: f.bundle.tarball }))).to.be.instanceOf(UsageError);
    });

    it('exit codes from the command line: 0 match, 1 mismatch, 2 malformed or missing', async function () {
      this.timeout(60_000);
      const ok = await runCli(['verify', f.bundle.tarball, '--key-fingerprint', fingerprint]);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.contain('✔ meta/signer.pub in the tarball has the fingerprint you were given');
      const bad = await runCli(['verify', f.bundle.tarball, '--key-fingerprint', `sha256:${'cd'.repeat(32)}`]);
      expect(bad.code).to.equal(1);
      expect(bad.stdout + bad.stderr).to.contain('not the sha256:cdcd');
      expect((await runCli(['verify', f.bundle.tarball, '--key-fingerprint', 'nope'])).code).to.equal(2);
      expect((await runCli(['verify', f.bundle.tarball])).code).to.equal(2);
    });
  });

  it('an unsigned re-pack removes a stale meta/signer.pub', async () => {
    await packAndSign(f.outputDir, f.results, { bundleDir: path.join(f.root, 'unsigned') });
    const gone = await readFile(path.join(f.outputDir, 'meta', 'signer.pub')).then(
      () => false,
      () => true,
    );
    expect(gone).to.equal(true);
    await rm(path.join(f.root, 'unsigned'), { recursive: true, force: true });
  });
});
