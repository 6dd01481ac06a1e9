import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { UsageError, VerificationError } from '../../../src/errors.js';
import { verify as verifyCli } from '../../../src/cli/verify.js';
import { packAndSign, type SigstoreBundle } from '../../../src/bundle/sign.js';
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
    expect(report.fileCount).to.equal(6);
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
});
