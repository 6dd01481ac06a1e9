/**
 * The README's cosign commands, run as written there on a bundle made by keygen and the run's
 * pack-and-sign code: cosign v3 (and v2 when test/tools/install-go-tools built it with
 * AIC_COSIGN_V2=1) must verify the genuine bundle offline and reject tampered copies. Offline means
 * in a fresh network namespace (`unshare -n`) where this user may make one; otherwise the title
 * says the network was not cut. Skipped, with the reason, when cosign is not installed.
 */

import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { keygen } from '../../../src/cli/keygen.js';
import { packAndSign, type SigstoreBundle } from '../../../src/bundle/sign.js';
import { removeDir, sampleResults, SAMPLE_FILES, tempDir, writeFiles } from './fixture.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOOLS_BIN = path.join(
  process.env.AIC_CACHE_DIR ?? path.join(homedir(), '.cache', 'ai-conformance'),
  'tools',
  'bin',
);

/** The shell lines of README.md's "Reviewing a bundle" that start with `cosign` or write trusted-root.json. */
async function readmeLines(): Promise<{ cosign: string[]; trustedRoot: string }> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('### Reviewing a bundle')[1]?.split(/^##+ /m)[0] ?? '';
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n'));
  const trustedRoot = /^echo '(\{.*\})' > trusted-root\.json$/m.exec(blocks.join('\n'))?.[1] ?? '';
  return { cosign: blocks.filter((l) => l.startsWith('cosign ')), trustedRoot };
}

interface Fixture {
  dir: string;
  pub: string;
  tarball: string;
  signature: string;
}

async function signedBundle(dir: string): Promise<Fixture> {
  await keygen({ outDir: path.join(dir, 'keys'), name: 'vendor', encrypt: false }, { write: () => true });
  await writeFiles(path.join(dir, 'out'), SAMPLE_FILES);
  const packed = await packAndSign(path.join(dir, 'out'), sampleResults(), {
    bundleDir: path.join(dir, 'bundles'),
    signKeyPath: path.join(dir, 'keys', 'vendor.key'),
  });
  if (packed.signature === undefined) throw new Error('fixture: no signature');
  return { dir, pub: path.join(dir, 'keys', 'vendor.pub'), tarball: packed.tarball, signature: packed.signature };
}

/** A copy of the bundle in `name/`, changed by `edit`. */
async function tampered(f: Fixture, name: string, edit: (c: Fixture) => Promise<void>): Promise<Fixture> {
  const dir = path.join(f.dir, name);
  await mkdir(dir, { recursive: true });
  const c = {
    ...f,
    dir,
    tarball: path.join(dir, path.basename(f.tarball)),
    signature: path.join(dir, path.basename(f.signature)),
  };
  await copyFile(f.tarball, c.tarball);
  await copyFile(f.signature, c.signature);
  await edit(c);
  return c;
}

let offline: boolean | undefined;
async function canUnshare(): Promise<boolean> {
  offline ??= await run('unshare', ['-n', 'true']).then(
    () => true,
    () => false,
  );
  return offline;
}

/** The README line with its placeholders filled, run in `cwd` (where trusted-root.json lies). */
async function cosign(bin: string, line: string, f: Fixture): Promise<{ ok: boolean; output: string }> {
  const args = line
    .split(/\s+/)
    .slice(1)
    .map((a) =>
      a === 'vendor.pub' ? f.pub : a === '<tarball>' ? f.tarball : a === '<tarball>.sigstore.json' ? f.signature : a,
    );
  const [cmd, argv] = (await canUnshare()) ? ['unshare', ['-n', bin, ...args]] : [bin, args];
  try {
    const r = await run(cmd, argv, { cwd: f.dir, timeout: 60_000 });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

const COSIGNS = [
  { name: 'cosign v3', bin: path.join(TOOLS_BIN, 'cosign') },
  { name: 'cosign v2', bin: path.join(TOOLS_BIN, 'cosign-v2') },
];

describe('the README’s cosign commands', function () {
  this.timeout(120_000);
  let root = '';
  let genuine: Fixture;
  let lines: { cosign: string[]; trustedRoot: string };
  const cases: { title: string; make: () => Promise<Fixture>; expect: RegExp }[] = [];
  const made: { title: string; fixture: Fixture; expect: RegExp }[] = [];

  before(async () => {
    root = await tempDir('aic-cosign-');
    genuine = await signedBundle(root);
    lines = await readmeLines();
    cases.push(
      {
        title: 'a byte flipped in the tarball',
        make: () =>
          tampered(genuine, 'tarball', async (c) => {
            const bytes = await readFile(c.tarball);
            const at = Math.floor(bytes.length / 2);
            bytes[at] = (bytes[at] ?? 0) ^ 0x01;
            await writeFile(c.tarball, bytes);
          }),
        expect: /provided artifact digests? do(es)? not match/,
      },
      {
        title: 'the signed statement changed (result FAILED → PASSED)',
        make: () =>
          tampered(genuine, 'payload', async (c) => {
            const b = JSON.parse(await readFile(c.signature, 'utf8')) as SigstoreBundle;
            const statement = Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8');
            const forged = statement.replace('"result":"FAILED"', '"result":"PASSED"');
            if (forged === statement) throw new Error('fixture: result not found');
            b.dsseEnvelope.payload = Buffer.from(forged).toString('base64');
            await writeFile(c.signature, JSON.stringify(b));
          }),
        expect: /Error: .*signature/,
      },
      {
        title: 'another key',
        make: () =>
          tampered(genuine, 'key', async (c) => {
            await keygen({ outDir: path.join(c.dir, 'other'), name: 'other', encrypt: false }, { write: () => true });
            c.pub = path.join(c.dir, 'other', 'other.pub');
          }),
        expect: /Error: .*signature/,
      },
    );
    for (const t of cases) made.push({ title: t.title, fixture: await t.make(), expect: t.expect });
    for (const f of [genuine, ...made.map((m) => m.fixture)])
      await writeFile(path.join(f.dir, 'trusted-root.json'), lines.trustedRoot);
  });
  after(async () => removeDir(root));

  it('README shows the v3 command and the trusted-root form, with an "empty" trusted root', () => {
    expect(lines.cosign).to.have.length(2);
    for (const l of lines.cosign) {
      expect(l).to.match(/^cosign verify-blob-attestation --key vendor\.pub --insecure-ignore-tlog=true /);
      expect(l).to.contain('--type https://ai-conformance.dev/attestation/results/v1');
      expect(l).to.match(/--bundle <tarball>\.sigstore\.json <tarball>$/);
    }
    expect(JSON.parse(lines.trustedRoot)).to.deep.equal({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    });
  });

  for (const c of COSIGNS) {
    describe(c.name, () => {
      const how =
        c.name === 'cosign v2' ? 'AIC_COSIGN_V2=1 test/tools/install-go-tools' : 'test/tools/install-go-tools';
      /** Skips the test, saying why, when this cosign is not installed. */
      function requireBin(ctx: Mocha.Context): void {
        if (existsSync(c.bin)) return;
        if (ctx.test) ctx.test.title += ` [skipped: ${c.bin} missing; run ${how}]`;
        ctx.skip();
      }

      it('verifies the genuine bundle with the README line(s) it supports', async function () {
        requireBin(this);
        if (!(await canUnshare()) && this.test) this.test.title += ' (network not cut: unshare -n not permitted)';
        // v2 needs the trusted-root form; v3 takes both.
        const usable = c.name === 'cosign v2' ? lines.cosign.filter((l) => l.includes('--trusted-root')) : lines.cosign;
        expect(usable).to.not.have.length(0);
        for (const line of usable) {
          const r = await cosign(c.bin, line, genuine);
          expect(r.ok, `${line}\n${r.output}`).to.equal(true);
          expect(r.output).to.contain('Verified OK');
        }
      });

      it('rejects tampered bundles: tarball, signed statement, another key', async function () {
        requireBin(this);
        const line = lines.cosign.find((l) => l.includes('--trusted-root')) ?? '';
        for (const t of made) {
          const r = await cosign(c.bin, line, t.fixture);
          expect(r.ok, `${c.name} accepted ${t.title}`).to.equal(false);
          expect(r.output, t.title).to.match(t.expect);
        }
      });
    });
  }
});
