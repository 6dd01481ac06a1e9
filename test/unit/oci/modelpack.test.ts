import { expect } from 'chai';
import { sha256Digest } from '../../../src/oci/digest.js';
import {
  buildModelArtifact,
  chooseFromIndex,
  FILE_METADATA_ANNOTATION,
  FILEPATH_ANNOTATION,
  hasWeights,
  isModelManifest,
  ManifestFormatError,
  MODEL_ARTIFACT_TYPE,
  MODEL_CONFIG,
  MODEL_WEIGHT_CONFIG_RAW,
  MODEL_WEIGHT_RAW,
  modelFiles,
  modelLayerType,
  OCI_MANIFEST,
  parseManifestDocument,
  type Manifest,
} from '../../../src/oci/modelpack.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

function manifestOf(layers: object[], extra: object = {}): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: MODEL_ARTIFACT_TYPE,
    config: { mediaType: MODEL_CONFIG, digest: d('c'), size: 10 },
    layers,
    ...extra,
  });
}

function parsed(text: string): Manifest {
  const doc = parseManifestDocument(text, 'test');
  if (doc.kind !== 'manifest') throw new Error('expected a manifest');
  return doc.manifest;
}

describe('oci/modelpack parseManifestDocument', () => {
  it('parses a ModelPack manifest and recognises it as a model', () => {
    const m = parsed(
      manifestOf([
        { mediaType: MODEL_WEIGHT_RAW, digest: d('1'), size: 5, annotations: { [FILEPATH_ANNOTATION]: 'w.bin' } },
      ]),
    );
    expect(m.artifactType).to.equal(MODEL_ARTIFACT_TYPE);
    expect(m.layers[0]?.annotations).to.deep.equal({ [FILEPATH_ANNOTATION]: 'w.bin' });
    expect(isModelManifest(m)).to.equal(true);
  });

  it('recognises a model by its config media type, and the older cnai names', () => {
    expect(isModelManifest(parsed(manifestOf([], { artifactType: undefined })))).to.equal(true);
    const legacy = JSON.stringify({
      schemaVersion: 2,
      artifactType: 'application/vnd.cnai.model.manifest.v1+json',
      config: { mediaType: 'application/vnd.cnai.model.config.v1+json', digest: d('c'), size: 1 },
      layers: [],
    });
    expect(isModelManifest(parsed(legacy))).to.equal(true);
    const image = JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 1 },
      layers: [],
    });
    expect(isModelManifest(parsed(image))).to.equal(false);
  });

  it('parses an index and picks the ModelPack entry, else linux/amd64, else the first', () => {
    const doc = parseManifestDocument(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
          { mediaType: OCI_MANIFEST, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: OCI_MANIFEST, digest: d('3'), size: 1, artifactType: MODEL_ARTIFACT_TYPE },
        ],
      }),
      'idx',
    );
    expect(doc.kind).to.equal('index');
    if (doc.kind !== 'index') return;
    expect(chooseFromIndex(doc.index)?.digest).to.equal(d('3'));
    expect(chooseFromIndex({ ...doc.index, manifests: doc.index.manifests.slice(0, 2) })?.digest).to.equal(d('2'));
    expect(chooseFromIndex({ ...doc.index, manifests: doc.index.manifests.slice(0, 1) })?.digest).to.equal(d('1'));
  });

  it('names what is wrong with a malformed document', () => {
    expect(() => parseManifestDocument('{', 'm')).to.throw(ManifestFormatError, /m is not JSON/);
    expect(() => parseManifestDocument('{"schemaVersion":1}', 'm')).to.throw(ManifestFormatError, /schemaVersion 1/);
    expect(() => parseManifestDocument('{"schemaVersion":2}', 'm')).to.throw(
      ManifestFormatError,
      /neither layers nor manifests/,
    );
    expect(() =>
      parseManifestDocument(manifestOf([{ mediaType: MODEL_WEIGHT_RAW, digest: 'nope', size: 1 }]), 'm'),
    ).to.throw(ManifestFormatError, /layers\[0\] has no valid digest/);
    expect(() =>
      parseManifestDocument(manifestOf([{ mediaType: MODEL_WEIGHT_RAW, digest: d('1'), size: -1 }]), 'm'),
    ).to.throw(ManifestFormatError, /layers\[0\] has no valid size/);
  });
});

describe('oci/modelpack modelFiles', () => {
  it('takes path, digest and size of raw layers, and only the path (and declared size) of archives', () => {
    const m = parsed(
      manifestOf([
        {
          mediaType: MODEL_WEIGHT_RAW,
          digest: d('1'),
          size: 100,
          annotations: { [FILEPATH_ANNOTATION]: 'model/weights.bin' },
        },
        {
          mediaType: MODEL_WEIGHT_CONFIG_RAW,
          digest: d('2'),
          size: 7,
          annotations: { 'org.opencontainers.image.title': 'config.json' },
        },
        {
          mediaType: 'application/vnd.cncf.model.weight.v1.tar',
          digest: d('3'),
          size: 2048,
          annotations: {
            [FILEPATH_ANNOTATION]: './shard-2.safetensors',
            [FILE_METADATA_ANNOTATION]: '{"name":"shard-2.safetensors","size":1000}',
          },
        },
        {
          mediaType: 'application/vnd.cnai.model.doc.v1.tar',
          digest: d('4'),
          size: 512,
          annotations: { 'org.cnai.model.filepath': 'README.md' },
        },
        { mediaType: MODEL_WEIGHT_RAW, digest: d('5'), size: 1 },
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: d('6'),
          size: 1,
          annotations: { [FILEPATH_ANNOTATION]: 'x' },
        },
      ]),
    );
    expect(modelFiles(m)).to.deep.equal([
      { path: 'model/weights.bin', mediaType: MODEL_WEIGHT_RAW, digest: d('1'), size: 100 },
      { path: 'config.json', mediaType: MODEL_WEIGHT_CONFIG_RAW, digest: d('2'), size: 7 },
      { path: 'shard-2.safetensors', mediaType: 'application/vnd.cncf.model.weight.v1.tar', size: 1000 },
      { path: 'README.md', mediaType: 'application/vnd.cnai.model.doc.v1.tar' },
    ]);
  });

  it('refuses a file path that leaves the model directory', () => {
    const m = parsed(
      manifestOf([
        {
          mediaType: MODEL_WEIGHT_RAW,
          digest: d('1'),
          size: 1,
          annotations: { [FILEPATH_ANNOTATION]: 'a/../../etc/passwd' },
        },
      ]),
    );
    expect(() => modelFiles(m, 'manifest of x')).to.throw(
      ManifestFormatError,
      /manifest of x: layers\[0\]: file path "a\/..\/..\/etc\/passwd" leaves/,
    );
  });

  it('tells weight layers from the other model layers', () => {
    expect(modelLayerType(MODEL_WEIGHT_RAW)).to.deep.equal({ kind: 'weight', packing: 'raw' });
    expect(modelLayerType('application/vnd.cncf.model.weight.config.v1.tar+gzip')).to.deep.equal({
      kind: 'weight.config',
      packing: 'tar+gzip',
    });
    expect(modelLayerType('application/vnd.cnai.model.weight.v1')).to.deep.equal({ kind: 'weight', packing: 'raw' });
    expect(modelLayerType('application/vnd.oci.image.layer.v1.tar')).to.equal(undefined);
    expect(hasWeights([{ path: 'c.json', mediaType: MODEL_WEIGHT_CONFIG_RAW }])).to.equal(false);
    expect(hasWeights([{ path: 'w', mediaType: 'application/vnd.cncf.model.weight.v1.tar' }])).to.equal(true);
  });
});

describe('oci/modelpack buildModelArtifact', () => {
  const files = [
    { path: 'weights.bin', mediaType: MODEL_WEIGHT_RAW, content: Buffer.from('weights') },
    { path: 'config.json', mediaType: MODEL_WEIGHT_CONFIG_RAW, content: Buffer.from('{}') },
  ];

  it('builds a ModelPack manifest whose files read back with their content digests', () => {
    const a = buildModelArtifact(files, { name: 'm', version: '1' });
    const m = parsed(Buffer.from(a.manifest).toString('utf8'));
    expect(m.artifactType).to.equal(MODEL_ARTIFACT_TYPE);
    expect(m.config).to.deep.equal({ mediaType: MODEL_CONFIG, digest: a.config.digest, size: a.config.data.length });
    expect(modelFiles(m)).to.deep.equal([
      { path: 'weights.bin', mediaType: MODEL_WEIGHT_RAW, digest: sha256Digest(Buffer.from('weights')), size: 7 },
      { path: 'config.json', mediaType: MODEL_WEIGHT_CONFIG_RAW, digest: sha256Digest(Buffer.from('{}')), size: 2 },
    ]);
    expect(a.manifestDigest).to.equal(sha256Digest(a.manifest));
    const config = JSON.parse(Buffer.from(a.config.data).toString('utf8')) as {
      modelfs: { type: string; diffIds: string[] };
    };
    expect(config.modelfs).to.deep.equal({ type: 'layers', diffIds: a.layers.map((l) => l.digest) });
  });

  it('is deterministic', () => {
    expect(buildModelArtifact(files, { name: 'm', version: '1' }).manifestDigest).to.equal(
      buildModelArtifact(files, { name: 'm', version: '1' }).manifestDigest,
    );
  });
});
