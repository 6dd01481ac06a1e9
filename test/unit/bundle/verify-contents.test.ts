import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import * as tar from 'tar';
import { VerificationError } from '../../../src/errors.js';
import { loadSigningKey } from '../../../src/bundle/keys.js';
import { FIXED_MTIME } from '../../../src/bundle/pack.js';
import { signStatement, signatureFileFor, type SigstoreBundle } from '../../../src/bundle/sign.js';
import { buildStatement, type Statement } from '../../../src/bundle/statement.js';
import { SUMS_FILE, listFiles, sha256Bytes, sha256File } from '../../../src/bundle/sums.js';
import { verifyBundle } from '../../../src/bundle/verify.js';
import { rejection, removeDir, signedFixture, type SignedFixture } from './fixture.js';

/**
 * What an insider with the signing key could do wrong: pack `folder` as it is now (keeping its
 * old SHA256SUMS, plus any `extraPaths` entries as given) and sign that tarball honestly.
 */
async function repackAndSign(
  f: SignedFixture,
  folder: string,
  name: string,
  editStatement: (s: Statement) => void = () => undefined,
): Promise<{ tarball: string; signature: string }> {
  const dir = path.join(f.root, `repacked-${String(Math.random()).slice(2)}`);
  const tarball = path.join(dir, name);
  await mkdir(dir, { recursive: true });
  await tar.create({ file: tarball, cwd: folder, gzip: true, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, [
    SUMS_FILE,
    ...(await listFiles(folder)),
  ]);
  const sums = await readFile(path.join(folder, SUMS_FILE));
  const statement = buildStatement(f.results, {
    tarball: { name, sha256: await sha256File(tarball) },
    sumsSha256: sha256Bytes(sums),
  });
  editStatement(statement);
  const bundle = signStatement(statement, await loadSigningKey(f.keyFile));
  await writeFile(signatureFileFor(tarball), JSON.stringify(bundle));
  return { tarball, signature: signatureFileFor(tarball) };
}

/** Re-signs `b` for its tarball's current bytes, keeping the rest of the statement. */
async function resign(f: SignedFixture, b: { tarball: string; signature: string }): Promise<void> {
  const bundle = JSON.parse(await readFile(b.signature, 'utf8')) as SigstoreBundle;
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as Statement;
  statement.subject[0] = { name: path.basename(b.tarball), digest: { sha256: await sha256File(b.tarball) } };
  await writeFile(b.signature, JSON.stringify(signStatement(statement, await loadSigningKey(f.keyFile))));
}

/**
 * Tarballs whose contents disagree with their own SHA256SUMS, or that are not plain archives,
 * signed by the trusted key all the same: verify must still reject them and name the entry.
 */
describe('bundle/verify: tarball contents', () => {
  let f: SignedFixture;
  before(async () => {
    f = await signedFixture();
  });
  after(async () => removeDir(f.root));

  describe('a tarball whose contents no longer match its SHA256SUMS (re-packed and signed)', () => {
    let folder: string;
    const name = 'ai-conformance-202611221340-repacked.tar.gz';
    beforeEach(async () => {
      folder = path.join(f.root, `copy-${String(Math.random()).slice(2)}`);
      await cp(f.outputDir, folder, { recursive: true });
    });

    it('names a changed file with both digests', async () => {
      await writeFile(path.join(folder, 'results.json'), '{"tests":7}\n');
      const b = await repackAndSign(f, folder, name);
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.match(
        /^results\.json: sha256 mismatch \(SHA256SUMS says [0-9a-f]{12}…, tarball has [0-9a-f]{12}…\)$/,
      );
    });

    it('names an added file', async () => {
      await writeFile(path.join(folder, 'podlogs', 'smuggled.log'), 'x\n');
      const b = await repackAndSign(f, folder, name);
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err.message).to.equal('podlogs/smuggled.log: in the tarball but not listed in SHA256SUMS');
    });

    it('names a removed file', async () => {
      await rm(path.join(folder, 'junit.xml'));
      const b = await repackAndSign(f, folder, name);
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err.message).to.equal('junit.xml: listed in SHA256SUMS but missing from the tarball');
    });

    it('names every problem at once', async () => {
      await rm(path.join(folder, 'junit.xml'));
      await writeFile(path.join(folder, 'e2e.log'), 'changed\n');
      const b = await repackAndSign(f, folder, name);
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err.message).to.match(/^e2e\.log: sha256 mismatch .*; junit\.xml: listed in SHA256SUMS but missing/);
    });

    it('names a changed SHA256SUMS that the statement does not cover', async () => {
      await writeFile(path.join(folder, 'results.json'), '{"tests":7}\n');
      const b = await repackAndSign(f, folder, name, (s) => {
        s.subject[1] = { name: SUMS_FILE, digest: { sha256: '0'.repeat(64) } };
      });
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err.message).to.match(/^SHA256SUMS: sha256 mismatch \(statement says 000000000000…, tarball has/);
    });
  });

  it('rejects a statement with a field beyond the standard four, even when signed', async () => {
    const folder = path.join(f.root, 'copy-extra-field');
    await cp(f.outputDir, folder, { recursive: true });
    const b = await repackAndSign(f, folder, 'ai-conformance-202611221340-x.tar.gz', (s) => {
      (s as unknown as Record<string, unknown>).runId = 'x';
    });
    const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
    expect(err.message).to.equal('statement: unexpected top-level field runId');
  });

  it('rejects path-traversal entries even when SHA256SUMS lists them', async () => {
    const folder = path.join(f.root, 'copy-traversal');
    await cp(f.outputDir, folder, { recursive: true });
    const name = 'ai-conformance-202611221340-t.tar.gz';
    const b = await repackAndSign(f, folder, name);
    // Rebuild the same tarball with one entry renamed to climb out of the extraction folder.
    await tar.create(
      {
        file: b.tarball,
        cwd: folder,
        gzip: true,
        portable: true,
        preservePaths: true,
        onWriteEntry: (e) => {
          if (e.path === 'e2e.log') e.path = '../e2e.log';
        },
      },
      [SUMS_FILE, 'e2e.log'],
    );
    await resign(f, b);
    const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
    expect(err.message).to.include('../e2e.log: unexpected File entry in the tarball');
  });

  for (const [title, corrupt] of [
    ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['not gzip at all', (bytes: Buffer) => Buffer.alloc(bytes.length, 7)],
    ['gzip of garbage', () => gzipSync(Buffer.alloc(4096, 7))],
  ] as const) {
    it(`rejects a signed tarball that is ${title}, without hanging`, async () => {
      const folder = path.join(f.root, `copy-${title.replace(/\W+/g, '-')}`);
      await cp(f.outputDir, folder, { recursive: true });
      const b = await repackAndSign(f, folder, 'ai-conformance-202611221340-c.tar.gz');
      await writeFile(b.tarball, corrupt(await readFile(b.tarball)));
      await resign(f, b);
      const err = await rejection(verifyBundle({ tarball: b.tarball, key: f.pubFile }));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.match(/^tarball: /);
    });
  }
});
