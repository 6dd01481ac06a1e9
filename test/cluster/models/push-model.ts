/**
 * Pushes the tiny ModelPack model to the test registry with our own OCI push code
 * (src/oci/push.ts). Usage: push-model.ts [reference]; prints one JSON line: reference, manifest
 * digest, and each file's path and digest. Idempotent: blobs already there are not sent again.
 */
import { parseReference } from '../../../src/oci/reference.js';
import { pushArtifact } from '../../../src/oci/push.js';
import { TINY_MODEL_REFERENCE, tinyModelArtifact, tinyModelFiles } from './tiny-model.js';

const ref = parseReference(process.argv[2] ?? TINY_MODEL_REFERENCE);
const artifact = tinyModelArtifact();
const result = await pushArtifact(ref, artifact);
const files = tinyModelFiles().map((f, i) => ({
  path: f.path,
  digest: artifact.layers[i]?.digest,
  size: f.content.length,
}));
console.log(JSON.stringify({ ...result, files }));
