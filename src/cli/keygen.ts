/**
 * `ai-conformance keygen`: an ECDSA P-256 key pair for signing result bundles. The private key is
 * written 0600 and never replaces an existing file: losing a key silently is worse than a refusal.
 */

import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { DEFAULT_PASSPHRASE_ENV, generateKeyPair } from '../bundle/keys.js';

export interface KeygenArgs {
  outDir: string;
  name: string;
  encrypt: boolean;
}

async function exists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

async function writeNew(file: string, content: string, mode: number): Promise<void> {
  try {
    // 'wx' fails if the file appeared since the existence check, so nothing is ever overwritten.
    await writeFile(file, content, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`${file} already exists; not overwriting it`);
    throw new UsageError(`${file}: cannot write (${(err as Error).message})`, { cause: err });
  }
}

export async function keygen(args: KeygenArgs, out: { write(text: string): unknown } = process.stdout): Promise<void> {
  if (args.name === '' || args.name.includes('/') || args.name.includes(path.sep)) {
    throw new UsageError(`--name ${JSON.stringify(args.name)}: give a file name without a folder (use --out-dir)`);
  }
  const keyFile = path.join(args.outDir, `${args.name}.key`);
  const pubFile = path.join(args.outDir, `${args.name}.pub`);
  for (const file of [keyFile, pubFile]) {
    if (await exists(file)) throw new UsageError(`${file} already exists; not overwriting it`);
  }
  let passphrase: string | undefined;
  if (args.encrypt) {
    passphrase = process.env[DEFAULT_PASSPHRASE_ENV];
    if (passphrase === undefined || passphrase === '') {
      throw new UsageError(`--encrypt needs the passphrase in the environment variable ${DEFAULT_PASSPHRASE_ENV}`);
    }
  }
  const pair = generateKeyPair(passphrase);
  await mkdir(args.outDir, { recursive: true });
  await writeNew(keyFile, pair.privatePem, 0o600);
  await writeNew(pubFile, pair.publicPem, 0o644);
  const lines = [
    `private key  ${keyFile}${args.encrypt ? ` (encrypted; passphrase from ${DEFAULT_PASSPHRASE_ENV})` : ''}`,
    `public key   ${pubFile}`,
    `fingerprint  ${pair.fingerprint}`,
    `Keep ${path.basename(keyFile)} secret; publish ${path.basename(pubFile)} and its fingerprint where reviewers can find them.`,
  ];
  out.write(`${lines.join('\n')}\n`);
}

export const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: 'Create an ECDSA P-256 key pair for signing result bundles',
  builder: {
    'out-dir': { type: 'string', default: '.', describe: 'Folder to write <name>.key and <name>.pub into' },
    name: { type: 'string', default: 'ai-conformance', describe: 'Base name of the key files' },
    encrypt: {
      type: 'boolean',
      default: false,
      describe: `Encrypt the private key with the passphrase in $${DEFAULT_PASSPHRASE_ENV}`,
    },
  },
  handler: async (args) => {
    await keygen({ outDir: args.outDir, name: args.name, encrypt: args.encrypt });
  },
};
