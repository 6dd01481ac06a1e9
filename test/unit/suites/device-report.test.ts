import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Pod } from '../../../src/kube/objects.js';
import { ACCELERATORS, type Accelerator } from '../../../src/requirements/accelerators.js';
import {
  describeReport,
  deviceCount,
  deviceReportScript,
  overlapping,
  parseDeviceReport,
  readDeviceReport,
  runInterval,
  sharedDevices,
} from '../../../suites/shared/device-report.js';

const nvidia = ACCELERATORS['nvidia'] as Accelerator;

/** Runs the report script in a real shell, with a fake /dev and vendor tool, and returns what it wrote. */
function runScript(acc: Accelerator, devices: string[], toolOutput: string | undefined): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aic-report-'));
  const dev = path.join(dir, 'dev');
  const bin = path.join(dir, 'bin');
  mkdirSync(dev);
  mkdirSync(bin);
  for (const d of devices) writeFileSync(path.join(dev, d), '');
  if (toolOutput !== undefined) {
    writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\ncat <<'EOF'\n${toolOutput}\nEOF\n`);
    chmodSync(path.join(bin, 'nvidia-smi'), 0o755);
  }
  const out = path.join(dir, 'termination-log');
  const script = deviceReportScript({ ...acc, deviceGlob: acc.deviceGlob.replace('/dev/', `${dev}/`) }, 0).replace(
    '/dev/termination-log',
    out,
  );
  execFileSync('sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin` } });
  return readFileSync(out, 'utf8');
}

describe('suites/shared/device-report', () => {
  it('the container script reports device nodes and nvidia-smi UUIDs as one JSON line', () => {
    const line = runScript(
      nvidia,
      ['nvidia0', 'nvidia3', 'nvidiactl', 'nvidia-uvm'],
      'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa-1111)\nGPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-bbbb-2222)\n  MIG 1g.10gb     Device  0: (UUID: MIG-cccc-3333)',
    );
    expect(line.endsWith('\n')).to.equal(true);
    const json = JSON.parse(line) as { devices: string[]; ids: string[] };
    expect(json.devices.map((d) => path.basename(d))).to.deep.equal(['nvidia0', 'nvidia3']);
    expect(json.ids).to.deep.equal(['GPU-aaaa-1111', 'GPU-bbbb-2222', 'MIG-cccc-3333']);
  });

  it('reports nothing, as valid JSON, when no device matches and the vendor tool is missing', () => {
    expect(JSON.parse(runScript(nvidia, ['nvidiactl'], undefined))).to.deep.equal({ devices: [], ids: [] });
  });

  it('vendors without an id tool report device nodes only', () => {
    const amd = ACCELERATORS['amd'] as Accelerator;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aic-amd-'));
    mkdirSync(path.join(dir, 'dri'));
    writeFileSync(path.join(dir, 'dri', 'renderD128'), '');
    const out = path.join(dir, 'log');
    const script = deviceReportScript({ ...amd, deviceGlob: `${dir}/dri/renderD*` }, 0).replace(
      '/dev/termination-log',
      out,
    );
    execFileSync('sh', ['-c', script]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.deep.equal({ devices: [`${dir}/dri/renderD128`], ids: [] });
  });

  it('the script holds the devices for the announced seconds', () => {
    expect(deviceReportScript(nvidia, 30)).to.match(/; sleep 30$/);
  });

  it('parses reports and rejects malformed ones as could-not-run errors', () => {
    expect(parseDeviceReport({ devices: ['/dev/nvidia0'], ids: ['GPU-1'] }, 'c')).to.deep.equal({
      devices: ['/dev/nvidia0'],
      ids: ['GPU-1'],
    });
    expect(parseDeviceReport({ devices: [] }, 'c')).to.deep.equal({ devices: [], ids: [] });
    expect(() => parseDeviceReport({ devices: 'x' }, 'container probe')).to.throw(
      /container probe reported .*not \{"devices"/,
    );
    expect(() => parseDeviceReport({ devices: [], ids: [1] }, 'c'))
      .to.throw()
      .with.property('name', 'ProbeError');
  });

  it('reads the report from the pod status; a missing message is a ProbeError', () => {
    const pod = (message?: string): Pod => ({
      metadata: { name: 'p', namespace: 'ns' },
      status: {
        containerStatuses: [
          {
            name: 'probe',
            image: 'busybox',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, ...(message === undefined ? {} : { message }) } },
          },
        ],
      },
    });
    expect(readDeviceReport(pod('{"devices":["/dev/nvidia1"],"ids":[]}'), 'probe').devices).to.deep.equal([
      '/dev/nvidia1',
    ]);
    expect(() => readDeviceReport(pod(), 'probe'))
      .to.throw(/no device report: .*without a termination message/)
      .with.property('name', 'ProbeError');
  });

  it('describes and counts what a container sees', () => {
    expect(describeReport({ devices: [], ids: [] })).to.equal('no device');
    expect(describeReport({ devices: ['/dev/nvidia0'], ids: ['GPU-1'] })).to.equal(
      '1 device: /dev/nvidia0 (ids: GPU-1)',
    );
    expect(describeReport({ devices: ['/dev/nvidia0', '/dev/nvidia1'], ids: [] })).to.equal(
      '2 devices: /dev/nvidia0, /dev/nvidia1',
    );
    expect(deviceCount({ devices: [], ids: ['GPU-1'] })).to.equal(1);
  });

  it('compares devices by id when both containers report ids, else by device node', () => {
    expect(
      sharedDevices({ devices: ['/dev/nvidia0'], ids: ['GPU-a'] }, { devices: ['/dev/nvidia0'], ids: ['GPU-b'] }),
    ).to.deep.equal([]);
    expect(
      sharedDevices({ devices: ['/dev/nvidia0'], ids: ['GPU-a'] }, { devices: ['/dev/nvidia1'], ids: ['GPU-a'] }),
    ).to.deep.equal(['GPU-a']);
    expect(sharedDevices({ devices: ['/dev/accel0'], ids: [] }, { devices: ['/dev/accel0'], ids: [] })).to.deep.equal([
      '/dev/accel0',
    ]);
    expect(sharedDevices({ devices: ['/dev/accel0'], ids: [] }, { devices: ['/dev/accel1'], ids: [] })).to.deep.equal(
      [],
    );
  });

  it('knows whether two containers ran at the same time', () => {
    const pod = (name: string, startedAt: string, finishedAt: string): Pod => ({
      metadata: { name },
      status: {
        containerStatuses: [
          {
            name: 'probe',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, startedAt, finishedAt } },
          },
        ],
      },
    });
    const a = runInterval(pod('a', '2026-01-01T00:00:00Z', '2026-01-01T00:00:08Z'), 'probe');
    const b = runInterval(pod('b', '2026-01-01T00:00:01Z', '2026-01-01T00:00:09Z'), 'probe');
    const c = runInterval(pod('c', '2026-01-01T00:00:08Z', '2026-01-01T00:00:16Z'), 'probe');
    expect(a?.container).to.equal('a/probe');
    expect(overlapping([a, b].filter((x) => x !== undefined))).to.equal(true);
    expect(overlapping([a, c].filter((x) => x !== undefined))).to.equal(false);
    expect(runInterval({ metadata: { name: 'x' }, status: {} }, 'probe')).to.equal(undefined);
  });
});
