/**
 * The four verifiers the interop tests run against one bundle (research/ecosystem.md §4.3): our
 * verifyBundle, the openssl + jq shell recipe, @sigstore/verify, and python3 + cryptography.
 * Each returns an Outcome instead of throwing, so a test can assert on what it said.
 */

import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { verifyBundle } from '../../../src/bundle/verify.js';

const run = promisify(execFile);

export interface Case {
  tarball: string;
  signature: string;
  pubFile: string;
}

export interface Outcome {
  ok: boolean;
  message: string;
}

export type VerifierName = 'ours' | 'openssl' | 'sigstore' | 'python';

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

export const VERIFIERS: Record<VerifierName, (c: Case) => Promise<Outcome>> = {
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

/** Why the python verifier cannot run here, or undefined when it can. */
export async function pythonMissing(): Promise<string | undefined> {
  return run('python3', ['-c', 'import cryptography']).then(
    () => undefined,
    (err: unknown) => `python3 cannot import cryptography (${(err as Error).message.split('\n')[0] ?? ''})`,
  );
}

/** Fails fast with a clear message when jq (for the openssl recipe) is not installed. */
export async function requireJq(): Promise<void> {
  await run('jq', ['--version']).catch(() => {
    throw new Error('jq is not installed: apt-get install -y jq');
  });
}
