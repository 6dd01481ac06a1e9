// The CLI as a user meets it, run as a child process: help texts, list, dry-run, and the exit code
// plus one-line message for each kind of bad input. No cluster is needed for any of these.
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../integration/run-cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aic-cli-unit-'));

describe('CLI', function () {
  this.timeout(60_000);

  it('--help lists every command and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).to.equal(0);
    for (const c of ['run', 'list', 'keygen', 'verify <bundle>', 'cleanup'])
      expect(r.stdout).to.contain(`ai-conformance ${c}`);
    expect(r.stdout).to.match(/3\s+cluster\s+unreachable\s+or\s+unauthorized/);
  });

  it('run --help explains every flag', async () => {
    const r = await runCli(['run', '--help'], { withOutput: false });
    expect(r.code).to.equal(0);
    for (const flag of [
      '--profile',
      '--kubeconfig',
      '--context',
      '--output',
      '--set',
      '--focus',
      '--skip',
      '--dry-run',
      '--fail-fast',
      '--timeout',
      '--sign-key',
      '--passphrase-env',
      '--debug',
    ]) {
      expect(r.stdout, flag).to.contain(flag);
    }
  });

  it('list shows every requirement with levels per version and probe coverage', async () => {
    const r = await runCli(['list']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^REQUIREMENT\s+CATEGORY\s+v1\.33\s+v1\.34\s+v1\.35\s+v1\.36\s+v1\.37/m);
    expect(r.stdout).to.match(/^dra_support\s+accelerators\s+SHOULD\s+MUST\s+MUST\s+—\s+—/m);
    expect(r.stdout).to.match(/^workload_sandboxing\s+security\s+—\s+—\s+—\s+—\s+SHOULD/m);
    expect(r.stdout).to.match(/requirements have a probe in this version/);
  });

  it('list --profile for a fixed checklist shows only that version', async () => {
    const r = await runCli(['list', '--profile', 'test/fixtures/profiles/child.yaml']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^REQUIREMENT\s+CATEGORY\s+v1\.35\s+UPSTREAM TEST/m);
    expect(r.stdout).to.match(/^gang_scheduling\s+schedulingOrchestration\s+MUST\s+TestGangScheduling/m);
    expect(r.stdout).to.not.contain('dra_support');
  });

  it('list --parameters shows types, defaults and meanings', async () => {
    const r = await runCli(['list', '--parameters', '--profile', 'test/fixtures/profiles/child.yaml']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^gangSize\s+integer\s+8\s+Number of pods/m);
    expect(r.stdout).to.match(/^gangScheduler\s+auto\|kueue\|volcano/m);
  });

  it('run --dry-run prints the plan without a cluster and creates nothing', async () => {
    const r = await runCli(['run', '--profile', 'full', '--dry-run', '--kubeconfig', '/nonexistent']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('dry run: nothing is created');
    expect(r.stdout).to.match(/ai_inference \[MUST\]: run probes ai-inference/);
    expect(r.stdout).to.match(
      /advanced_inference_ingress \[SHOULD\]: skip \(no probe in this version of ai-conformance\)/,
    );
    expect(existsSync(r.dir)).to.equal(false);
  });

  describe('bad input: one line, the right exit code, no stack trace', () => {
    const cases: [string, string[], number, RegExp][] = [
      [
        'a malformed profile',
        ['run', '--profile', 'test/fixtures/profiles/wrong-type.yaml'],
        2,
        /wrong-type\.yaml:5: parameters\.gangSize: expected an integer/,
      ],
      ['an unknown profile', ['run', '--profile', 'nope'], 2, /unknown profile "nope"/],
      ['an unknown parameter in --set', ['run', '--set', 'gpus=3'], 2, /--set gpus: unknown parameter/],
      ['a bad --focus', ['run', '--focus', '(', '--dry-run'], 2, /--focus: invalid regular expression/],
      ['an unknown flag', ['run', '--profiel', 'full'], 2, /Unknown argument: profiel/],
      [
        'a missing kubeconfig',
        ['run', '--profile', 'gang-scheduling', '--kubeconfig', '/nonexistent/kubeconfig'],
        3,
        /kubeconfig/,
      ],
      ['an unknown command', ['frobnicate'], 2, /Unknown argument: frobnicate/],
    ];
    for (const [what, args, code, message] of cases) {
      it(`${what} → exit ${String(code)}`, async () => {
        const r = await runCli(args, { withOutput: false });
        expect(r.code, r.stderr).to.equal(code);
        expect(r.stderr).to.match(message);
        expect(r.stderr).to.not.match(/^\s+at /m);
        expect(r.stderr.trim().split('\n')[0]).to.match(/^error: /);
      });
    }

    it('an unreachable cluster → exit 3 naming the server', async () => {
      const kubeconfig = path.join(tmp, 'closed-port.yaml');
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
          'users: [{name: u, user: {token: abc}}]',
          'contexts: [{name: x, context: {cluster: c, user: u}}]',
          'current-context: x',
        ].join('\n'),
      );
      const r = await runCli(['run', '--profile', 'gang-scheduling', '--kubeconfig', kubeconfig], {
        withOutput: false,
      });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.match(/^error: .*127\.0\.0\.1:1/);
      expect(r.stderr).to.not.match(/^\s+at /m);
    });

    it('--debug adds the stack trace', async () => {
      const r = await runCli(['run', '--profile', 'test/fixtures/profiles/wrong-type.yaml', '--debug'], {
        withOutput: false,
      });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/^\s+at /m);
    });
  });
});
