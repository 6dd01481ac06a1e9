import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ProfileError, UsageError } from '../../../src/errors.js';
import { loadProfile, shippedProfiles } from '../../../src/profiles/load.js';
import { defaultParameters, parseDuration } from '../../../src/profiles/parameters.js';
import { REQUIREMENTS } from '../../../src/requirements/catalogue.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/profiles');
const fixture = (name: string): string => path.join(fixtures, `${name}.yaml`);

function profileError(ref: string, overrides: string[] = []): ProfileError {
  try {
    loadProfile(ref, overrides);
  } catch (e) {
    if (e instanceof ProfileError) return e;
    throw e;
  }
  throw new Error(`expected ${ref} to fail`);
}

describe('profiles', () => {
  describe('shipped profiles', () => {
    it('ships the six profiles the issue names, plus base', () => {
      expect(shippedProfiles()).to.include.members([
        'base',
        'full',
        'gpu-scheduling',
        'dra',
        'gang-scheduling',
        'model-mounting',
        'inference-autoscaling',
        'reference-cluster',
      ]);
    });

    it('reference-cluster is full plus the test cluster endpoints', () => {
      const full = loadProfile('full');
      const ref = loadProfile('reference-cluster');
      expect(ref.requirements).to.deep.equal(full.requirements);
      expect(ref.parameters['metricsWriteUrl']).to.equal('http://127.0.0.1:8080/write-metrics');
      expect(ref.parameters['modelImage']).to.equal('127.0.0.1:5000/aic/tiny-model:v1');
    });

    for (const name of [
      'full',
      'gpu-scheduling',
      'dra',
      'gang-scheduling',
      'model-mounting',
      'inference-autoscaling',
      'ai-inference',
      'reference-cluster',
    ]) {
      it(`${name} loads and selects at least one requirement`, () => {
        const p = loadProfile(name);
        expect(p.name).to.equal(name);
        expect(p.requirements).to.not.be.empty;
        expect(p.files[0]).to.match(new RegExp(`profiles/${name}\\.yaml$`));
        expect(p.digest).to.match(/^[0-9a-f]{64}$/);
      });
    }

    it('full selects every requirement of the catalogue', () => {
      expect(loadProfile('full').requirements).to.deep.equal(REQUIREMENTS.map((r) => r.id));
    });

    it('base alone selects nothing and says so', () => {
      const e = profileError('base');
      expect(e.message).to.contain('selects no requirement');
    });
  });

  describe('extends and overrides', () => {
    it('a child inherits, overrides parameters and the checklist version', () => {
      const p = loadProfile(fixture('child'));
      expect(p.requirements).to.deep.equal(['gang_scheduling']);
      expect(p.checklistVersion).to.equal('1.35');
      expect(p.parameters['gangSize']).to.equal(8);
      expect(p.parameters['waitTimeout']).to.equal('90s');
      // Inherited from base.yaml through gang-scheduling.yaml:
      expect(p.parameters['probeImage']).to.equal('busybox:1.36');
      expect(p.files.map((f) => path.basename(f))).to.deep.equal(['child.yaml', 'gang-scheduling.yaml', 'base.yaml']);
    });

    it('--set overrides win over every file and are type-checked', () => {
      const p = loadProfile(fixture('child'), ['gangSize=3', 'negativeWindow=5s', 'gangScheduler=kueue']);
      expect(p.parameters['gangSize']).to.equal(3);
      expect(p.parameters['negativeWindow']).to.equal('5s');
      expect(p.parameters['gangScheduler']).to.equal('kueue');
      expect(() => loadProfile('full', ['gangSize=many'])).to.throw(UsageError, '--set gangSize: expected an integer');
      expect(() => loadProfile('full', ['nope=1'])).to.throw(UsageError, '--set nope: unknown parameter');
      expect(() => loadProfile('full', ['gangScheduler=slurm'])).to.throw(UsageError, 'expected one of auto, kueue');
      expect(() => loadProfile('full', ['gangSize'])).to.throw(UsageError, 'expected name=value');
    });

    it('the digest changes with the parameters', () => {
      expect(loadProfile('full').digest).to.not.equal(loadProfile('full', ['gangSize=5']).digest);
      expect(loadProfile('full').digest).to.equal(loadProfile('full').digest);
    });
  });

  describe('invalid profiles fail with file, line and field', () => {
    const cases: [string, number | undefined, string | undefined, string][] = [
      ['bad-yaml', 3, undefined, 'invalid YAML'],
      ['unknown-field', 4, 'paramters', 'unknown field'],
      ['wrong-type', 5, 'parameters.gangSize', 'expected an integer'],
      ['unknown-suite', 5, 'suites[1]', 'unknown suite "quantum"'],
      ['unknown-requirement', 5, 'requirements[1]', 'unknown requirement "teleportation"'],
      ['unknown-parameter', 6, 'parameters.gpuCount', 'unknown parameter'],
      ['bad-version', 3, 'checklistVersion', 'expected auto or one of'],
      ['bad-duration', 5, 'parameters.waitTimeout', 'expected a duration'],
      ['missing-parent', 2, 'extends', 'profile file not found'],
    ];
    for (const [name, line, field, text] of cases) {
      it(`${name}: ${text}`, () => {
        const e = profileError(fixture(name));
        expect(e.exitCode).to.equal(2);
        expect(e.file).to.equal(fixture(name));
        expect(e.line, 'line').to.equal(line);
        expect(e.field, 'field').to.equal(field);
        expect(e.message).to.contain(text);
        expect(e.message.startsWith(`${fixture(name)}${line === undefined ? '' : `:${String(line)}`}: `)).to.equal(
          true,
        );
      });
    }

    it('a cycle in extends names the chain', () => {
      const e = profileError(fixture('cycle-a'));
      expect(e.field).to.equal('extends');
      expect(e.message).to.contain('cycle in extends: cycle-a.yaml -> cycle-b.yaml -> cycle-a.yaml');
    });

    it('an unknown profile name lists the shipped ones', () => {
      expect(() => loadProfile('nonexistent')).to.throw(
        UsageError,
        /unknown profile "nonexistent".*shipped profiles: .*gang-scheduling/,
      );
    });
  });

  describe('parameters', () => {
    it('parses durations', () => {
      expect(parseDuration('500ms')).to.equal(500);
      expect(parseDuration('30s')).to.equal(30_000);
      expect(parseDuration('10m')).to.equal(600_000);
      expect(parseDuration('1h')).to.equal(3_600_000);
      expect(parseDuration('45')).to.equal(45_000);
      expect(parseDuration('soon')).to.equal(undefined);
    });

    it('has a default for every parameter', () => {
      for (const [name, value] of Object.entries(defaultParameters())) expect(value, name).to.not.equal(undefined);
    });
  });
});
