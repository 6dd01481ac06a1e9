/**
 * Our signature, checked by four independent verifiers (research/ecosystem.md §4.3): our verify,
 * the openssl + jq shell recipe, @sigstore/verify, and python3 + cryptography. Each tampering must
 * be rejected by every verifier it applies to, with a message that names what was tampered with.
 */

import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { expect } from 'chai';
import { generateKeyPair } from '../../../src/bundle/keys.js';
import type { SigstoreBundle } from '../../../src/bundle/sign.js';
import { verifyBundle } from '../../../src/bundle/verify.js';
import { removeDir, signedFixture, type SignedFixture } from './fixture.js';

const run = promisify(execFile);

interface Case {
  tarball: string;
  signature: string;
  pubFile: string;
}

interface Outcome {
  ok: boolean;
  message: string;
}

type VerifierName = 'ours' | 'openssl' | 'sigstore' | 'python';

async function outcome(body: () => Promise<unknown>): Promise<Outcome> {
  try {
    const out = await body();
    return { ok: true, message: typeof out === 'string' ? out : '' };
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string; code?: unknown };
    const message = [e.message, e.stdout, e.stderr, typeof e.code === 'string' ? e.code : ''].join('\n');
    return { ok: false, message };
  }
}

/** The openssl + jq recipe from research/ecosystem.md §4.3, plus the SHA256SUMS subject. */
const OPENSSL_RECIPE = String.raw`
set -eu
B="$1"; PUB="$2"; T="$3"; W="$4"
PT=$(jq -r .dsseEnvelope.payloadType "$B")
jq -r .dsseEnvelope.payload "$B" | base64 -d > "$W/statement.json"
jq -r '.dsseEnvelope.signatures[0].sig' "$B" | base64 -d > "$W/sig.der"
{ printf 'DSSEv1 %d %s %d ' "$(printf %s "$PT" | wc -c)" "$PT" "$(wc -c < "$W/statement.json")"; cat "$W/statement.json"; } > "$W/pae.bin"
openssl dgst -sha256 -verify "$PUB" -signature "$W/sig.der" "$W/pae.bin"
cd "$(dirname "$T")"
jq -r '.subject[] | select(.name != "SHA256SUMS") | "\(.digest.sha256)  \(.name)"' "$W/statement.json" | sha256sum -c -
want=$(jq -r '.subject[] | select(.name == "SHA256SUMS") | .digest.sha256' "$W/statement.json")
have=$(tar -xzOf "$T" SHA256SUMS | sha256sum | cut -d' ' -f1)
[ "$want" = "$have" ] || { echo "SHA256SUMS: FAILED"; exit 1; }
`;

/** python3 + cryptography: the same PAE, then the tarball and SHA256SUMS subjects. */
const PYTHON_RECIPE = String.raw`
import base64, hashlib, json, os, sys, tarfile
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
bundle_file, pub_file, tarball = sys.argv[1:4]
env = json.load(open(bundle_file))["dsseEnvelope"]
payload = base64.b64decode(env["payload"])
ptype = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
key = serialization.load_pem_public_key(open(pub_file, "rb").read())
try:
    key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
except InvalidSignature:
    sys.exit("signature: InvalidSignature")
subjects = {s["name"]: s["digest"]["sha256"] for s in json.loads(payload)["subject"]}
name = os.path.basename(tarball)
if hashlib.sha256(open(tarball, "rb").read()).hexdigest() != subjects.get(name):
    sys.exit(name + ": digest does not match the statement subject")
with tarfile.open(tarball, "r:gz") as tf:
    sums = tf.extractfile("SHA256SUMS").read()
if hashlib.sha256(sums).hexdigest() != subjects.get("SHA256SUMS"):
    sys.exit("SHA256SUMS: digest does not match the statement subject")
print("OK")
`;

let pythonReason: string | undefined;

const VERIFIERS: Record<VerifierName, (c: Case) => Promise<Outcome>> = {
  ours: (c) => outcome(() => verifyBundle({ tarball: c.tarball, signature: c.signature, key: c.pubFile })),
  openssl: (c) =>
    outcome(async () => {
      const work = path.join(path.dirname(c.signature), `openssl-${String(Math.random()).slice(2)}`);
      await mkdir(work);
      const { stdout, stderr } = await run('bash', [
        '-c',
        OPENSSL_RECIPE,
        'recipe',
        c.signature,
        c.pubFile,
        c.tarball,
        work,
      ]);
      return stdout + stderr;
    }),
  sigstore: (c) =>
    outcome(async () => {
      const json = JSON.parse(await readFile(c.signature, 'utf8')) as Parameters<typeof bundleFromJSON>[0];
      const publicKey = createPublicKey(await readFile(c.pubFile, 'utf8'));
      const trust = toTrustMaterial(
        {
          mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
          tlogs: [],
          certificateAuthorities: [],
          ctlogs: [],
          timestampAuthorities: [],
        },
        () => ({ publicKey, validFor: () => true }),
      );
      new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
        toSignedEntity(bundleFromJSON(json)),
      );
    }),
  python: (c) =>
    outcome(async () => {
      const { stdout } = await run('python3', ['-c', PYTHON_RECIPE, c.signature, c.pubFile, c.tarball]);
      return stdout;
    }),
};

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

  before(async () => {
    fixture = await signedFixture();
    await run('jq', ['--version']);
    await run('python3', ['-c', 'import cryptography']).catch((err: unknown) => {
      pythonReason = `python3 cannot import cryptography (${(err as Error).message.split('\n')[0] ?? ''})`;
    });
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
