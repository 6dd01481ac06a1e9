/**
 * The tiny ModelPack model the test registry serves: three small files, generated (not stored)
 * and identical on every machine, so tests can name their digests without reading the registry.
 */
import { createHash } from 'node:crypto';
import {
  buildModelArtifact,
  MODEL_WEIGHT_CONFIG_RAW,
  MODEL_WEIGHT_RAW,
  type BuiltArtifact,
  type ModelFileContent,
} from '../../../src/oci/modelpack.js';

/** Where `registry up` serves it (plain HTTP on loopback, as runtimes allow for localhost). */
export const MODEL_REGISTRY = '127.0.0.1:5000';
export const TINY_MODEL_REFERENCE = `${MODEL_REGISTRY}/aic/tiny-model:v1`;

/** `n` bytes of a sha256 counter stream: incompressible, and the same everywhere. */
function streamBytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, off = 0; off < n; i++, off += 32) {
    createHash('sha256')
      .update(`${seed}/${String(i)}`)
      .digest()
      .copy(out, off);
  }
  return out;
}

export function tinyModelFiles(): ModelFileContent[] {
  const config = { architectures: ['AicTinyModel'], hidden_size: 64, num_hidden_layers: 2, vocab_size: 256 };
  return [
    { path: 'weights.bin', mediaType: MODEL_WEIGHT_RAW, content: streamBytes('aic-tiny-model/weights', 256 * 1024) },
    {
      path: 'config.json',
      mediaType: MODEL_WEIGHT_CONFIG_RAW,
      content: Buffer.from(`${JSON.stringify(config, null, 2)}\n`),
    },
    {
      path: 'tokenizer/vocab.txt',
      mediaType: MODEL_WEIGHT_CONFIG_RAW,
      content: Buffer.from(Array.from({ length: 256 }, (_, i) => `t${String(i)}`).join('\n') + '\n'),
    },
  ];
}

export function tinyModelArtifact(): BuiltArtifact {
  return buildModelArtifact(
    tinyModelFiles(),
    { name: 'aic-tiny-model', version: '1', family: 'aic' },
    { format: 'raw', paramSize: '64k' },
  );
}

/** `path=sha256:<hex>` for each file: the form of the modelDigests parameter. */
export function tinyModelDigests(): string[] {
  return tinyModelFiles().map((f) => `${f.path}=sha256:${createHash('sha256').update(f.content).digest('hex')}`);
}
