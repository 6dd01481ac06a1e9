/**
 * Our signature, checked by four independent verifiers (research/ecosystem.md §4.3): our verify,
 * the openssl + jq shell recipe, @sigstore/verify, and python3 + cryptography. Each tampering must
 * be rejected by every verifier it applies to, with a message that names what was tampered with.
 */

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { generateKeyPair } from '../../../src/bundle/keys.js';
import type { SigstoreBundle } from '../../../src/bundle/sign.js';
import { removeDir, signedFixture, type SignedFixture } from './fixture.js';
import { VERIFIERS, pythonMissing, requireJq, type Case, type VerifierName } from './verifiers.js';

/** What each verifier must say; `null` where the tampering is outside what that verifier checks. */
interface Tampering {
  title: string;
  make: (f: SignedFixture, dir: string) => Promise<Case>;
  expect: Record<VerifierName, RegExp | null>;
}

async function copyOf(f: SignedFixture, dir: string): Promise<Case> {
  await mkdir(dir, { recursive: true });
  const tarball = path.join(dir, path.basename(f.bundle.tarball));
  const signature = path.join(dir, path.basename(f.bundle.signature));
  await copyFile(f.bundle.tarball, tarball);
  await copyFile(f.bundle.signature, signature);
  return { tarball, signature, pubFile: f.pubFile };
}

async function editBundle(file: string, edit: (b: SigstoreBundle) => void): Promise<void> {
  const b = JSON.parse(await readFile(file, 'utf8')) as SigstoreBundle;
  edit(b);
  await writeFile(file, JSON.stringify(b, null, 2));
}

const TAMPERINGS: Tampering[] = [
  {
    title: 'a byte flipped in the tarball',
    make: async (f, dir) => {
      const c = await copyOf(f, dir);
      const bytes = await readFile(c.tarball);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await writeFile(c.tarball, bytes);
      return c;
    },
    expect: {
      ours: /tarball ai-conformance-\d{12}-[0-9a-f-]+\.tar\.gz: sha256 mismatch/,
      openssl: /ai-conformance-\d{12}-[0-9a-f-]+\.tar\.gz: FAILED/,
      sigstore: null, // checks the signature over the statement only, not the subjects (§4.3)
      python: /ai-conformance-\d{12}-[0-9a-f-]+\.tar\.gz: digest does not match/,
    },
  },
  {
    title: 'a byte changed in the signed payload',
    make: async (f, dir) => {
      const c = await copyOf(f, dir);
      await editBundle(c.signature, (b) => {
        const statement = Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8');
        const forged = statement.replace('"result":"FAILED"', '"result":"PASSED"');
        if (forged === statement) throw new Error('fixture: result not found in payload');
        b.dsseEnvelope.payload = Buffer.from(forged, 'utf8').toString('base64');
      });
      return c;
    },
    expect: {
      ours: /^signature: does not verify with key sha256:[0-9a-f]{64}/,
      openssl: /Verification failure/,
      sigstore: /SIGNATURE_ERROR/,
      python: /signature: InvalidSignature/,
    },
  },
  {
    title: 'a byte flipped in the signature',
    make: async (f, dir) => {
      const c = await copyOf(f, dir);
      await editBundle(c.signature, (b) => {
        const sig = Buffer.from(b.dsseEnvelope.signatures[0].sig, 'base64');
        // The last byte is inside s, so the DER stays well-formed and only the value is wrong.
        sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 0x01;
        b.dsseEnvelope.signatures[0].sig = sig.toString('base64');
      });
      return c;
    },
    expect: {
      ours: /^signature: does not verify/,
      openssl: /Verification failure/,
      sigstore: /SIGNATURE_ERROR/,
      python: /signature: InvalidSignature/,
    },
  },
  {
    title: 'a different trusted key',
    make: async (f, dir) => {
      const c = await copyOf(f, dir);
      const pubFile = path.join(dir, 'other.pub');
      await writeFile(pubFile, generateKeyPair().publicPem);
      return { ...c, pubFile };
    },
    expect: {
      ours: /^key: the bundle was signed by another key \(hint [A-Za-z0-9+/=]+\); the trusted key sha256:/,
      openssl: /Verification failure/,
      sigstore: /SIGNATURE_ERROR/,
      python: /signature: InvalidSignature/,
    },
  },
  {
    title: 'a different trusted key, with the key hint removed',
    make: async (f, dir) => {
      const c = await copyOf(f, dir);
      await editBundle(c.signature, (b) => (b.verificationMaterial.publicKey.hint = ''));
      const pubFile = path.join(dir, 'other.pub');
      await writeFile(pubFile, generateKeyPair().publicPem);
      return { ...c, pubFile };
    },
    expect: {
      ours: /^signature: does not verify with key sha256:/,
      openssl: /Verification failure/,
      sigstore: /SIGNATURE_ERROR/,
      python: /signature: InvalidSignature/,
    },
  },
];

describe('bundle signature interop', function () {
  let fixture: SignedFixture;
  let pythonReason: string | undefined;

  before(async () => {
    fixture = await signedFixture();
    await requireJq();
    pythonReason = await pythonMissing();
  });
  after(async () => removeDir(fixture.root));

  const genuine = (): Case => ({
    tarball: fixture.bundle.tarball,
    signature: fixture.bundle.signature,
    pubFile: fixture.pubFile,
  });

  for (const name of Object.keys(VERIFIERS) as VerifierName[]) {
    it(`${name} accepts the genuine bundle`, async function () {
      if (name === 'python' && pythonReason !== undefined) {
        if (this.test) this.test.title += ` (skipped: ${pythonReason})`;
        this.skip();
      }
      const result = await VERIFIERS[name](genuine());
      expect(result.ok, result.message).to.equal(true);
      if (name === 'openssl') expect(result.message).to.include('Verified OK');
    });
  }

  for (const t of TAMPERINGS) {
    describe(t.title, () => {
      let tampered: Case;
      before(async () => {
        tampered = await t.make(fixture, path.join(fixture.root, t.title.replace(/\W+/g, '-')));
      });
      for (const name of Object.keys(VERIFIERS) as VerifierName[]) {
        const pattern = t.expect[name];
        if (pattern === null) continue;
        it(`${name} rejects it, naming what changed`, async function () {
          if (name === 'python' && pythonReason !== undefined) {
            if (this.test) this.test.title += ` (skipped: ${pythonReason})`;
            this.skip();
          }
          const result = await VERIFIERS[name](tampered);
          expect(result.ok, `${name} accepted a bundle with ${t.title}`).to.equal(false);
          expect(result.message).to.match(pattern);
        });
      }
    });
  }
});
