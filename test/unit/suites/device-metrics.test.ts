import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseExposition } from '../../../src/metrics/prometheus.js';
import { classifyDeviceMetrics, describeDeviceMetric, kindOf } from '../../../suites/observability/device-metrics.js';
import {
  describeExporters,
  findExporterServices,
  type Service,
} from '../../../suites/observability/metrics-exporters.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'metrics');
const samples = (file: string) => parseExposition(readFileSync(path.join(fixtures, file), 'utf8')).samples;

describe('observability/device-metrics: per-device accelerator metrics', function () {
  it('names the kind of a series from its name', function () {
    expect(kindOf('DCGM_FI_DEV_GPU_UTIL')).to.equal('utilization');
    expect(kindOf('DCGM_FI_DEV_MEM_COPY_UTIL')).to.equal('utilization');
    expect(kindOf('DCGM_FI_DEV_FB_USED')).to.equal('memory');
    expect(kindOf('GPU_USED_VRAM')).to.equal('memory');
    expect(kindOf('xpum_memory_used_bytes')).to.equal('memory');
    expect(kindOf('DCGM_FI_DEV_MEMORY_TEMP')).to.equal('temperature');
    expect(kindOf('DCGM_FI_DEV_MEM_CLOCK')).to.equal(undefined);
    expect(kindOf('DCGM_FI_DEV_POWER_USAGE')).to.equal('power');
    expect(kindOf('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).to.equal('power');
    expect(kindOf('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL')).to.equal('interconnect');
    expect(kindOf('GPU_XGMI_LINK_RX')).to.equal('interconnect');
    expect(kindOf('DCGM_FI_DEV_SM_CLOCK')).to.equal(undefined);
  });

  it('passes a dcgm-exporter endpoint and lists its devices', function () {
    const r = classifyDeviceMetrics(samples('dcgm.txt'));
    expect(r.missing).to.deep.equal([]);
    expect(r.byKind.utilization.map(describeDeviceMetric)).to.deep.equal([
      'DCGM_FI_DEV_GPU_UTIL (by UUID: 4 devices)',
      'DCGM_FI_DEV_MEM_COPY_UTIL (by UUID: 4 devices)',
    ]);
    expect(r.byKind.memory.map((m) => m.name)).to.deep.equal(['DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_USED']);
    expect(r.byKind.temperature.map((m) => m.name)).to.deep.equal(['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_MEMORY_TEMP']);
    expect(r.byKind.power).to.have.length(2);
    expect(r.byKind.interconnect.map((m) => m.name)).to.deep.equal([
      'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
      'DCGM_FI_PROF_PCIE_TX_BYTES',
    ]);
    expect(r.devices).to.have.length(4);
    expect(r.devices[0]).to.match(/^GPU-/);
  });

  it('fails an endpoint without a memory metric, naming what is missing', function () {
    const r = classifyDeviceMetrics(samples('dcgm-no-memory.txt'));
    expect(r.missing).to.have.length(1);
    expect(r.missing[0]).to.match(/^per-device memory metric \(no series name matches/);
    expect(r.byKind.utilization).to.have.length(2);
  });

  it('requires a device label', function () {
    const r = classifyDeviceMetrics(parseExposition('gpu_utilization 50\nfb_used_bytes{node="n1"} 1e9\n').samples);
    expect(r.missing).to.deep.equal([
      'per-device utilization metric (gpu_utilization has none of the device labels UUID, uuid, gpu, gpu_id, device_id, dev_id, card_id, GPU_I_ID, minor_number, pci_bus_id)',
      'per-device memory metric (fb_used_bytes has none of the device labels UUID, uuid, gpu, gpu_id, device_id, dev_id, card_id, GPU_I_ID, minor_number, pci_bus_id)',
    ]);
  });

  it('accepts AMD and Intel label keys', function () {
    const amd = classifyDeviceMetrics(
      parseExposition('gpu_gfx_utilization{gpu_id="0"} 10\nGPU_USED_VRAM{gpu_id="0"} 1024\n').samples,
    );
    expect(amd.missing).to.deep.equal([]);
    const intel = classifyDeviceMetrics(
      parseExposition('xpum_engine_group_utilization{dev_id="0"} 3\nxpum_memory_used_bytes{dev_id="0"} 5\n').samples,
    );
    expect(intel.missing).to.deep.equal([]);
  });

  it('uses the named metrics when overridden, and only those', function () {
    const s = parseExposition('busy_percent{card_id="1"} 40\nGPU_UTIL{gpu="0"} 1\nused_bytes{card_id="1"} 7\n').samples;
    const r = classifyDeviceMetrics(s, { utilization: 'busy_percent', memory: 'used_bytes' });
    expect(r.missing).to.deep.equal([]);
    expect(r.byKind.utilization.map((m) => m.name)).to.deep.equal(['busy_percent']);
    const missing = classifyDeviceMetrics(s, { memory: 'vram_used' });
    expect(missing.missing).to.deep.equal(['memory metric vram_used (not served)']);
  });
});

describe('observability/metrics-exporters: discovering an exporter Service', function () {
  function svc(namespace: string, name: string, port: number, labels: Record<string, string> = {}): Service {
    return { metadata: { namespace, name, labels }, spec: { ports: [{ port }] } };
  }

  it('finds dcgm-exporter Services by name, release prefix or app label, on the metrics port', function () {
    const found = findExporterServices(
      [
        svc('kube-system', 'kube-dns', 53),
        svc('gpu-operator', 'nvidia-dcgm-exporter', 9400),
        svc('monitoring', 'gpu-metrics', 9400, { 'app.kubernetes.io/name': 'dcgm-exporter' }),
        svc('gpu', 'my-release-dcgm-exporter', 9400),
        svc('gpu', 'dcgm-exporter', 8080),
        svc('gpu', 'not-a-dcgm-exporter-thing', 9400),
      ],
      'nvidia',
    );
    expect(found.map((f) => f.endpoint)).to.deep.equal([
      'gpu-operator/nvidia-dcgm-exporter:9400',
      'gpu/my-release-dcgm-exporter:9400',
      'monitoring/gpu-metrics:9400',
    ]);
  });

  it('is vendor specific and says what it looks for', function () {
    expect(findExporterServices([svc('gpu', 'dcgm-exporter', 9400)], 'amd')).to.deep.equal([]);
    expect(findExporterServices([svc('kube-amd-gpu', 'default-metrics-exporter', 5000)], 'amd')).to.have.length(1);
    expect(describeExporters('nvidia')).to.equal('nvidia-dcgm-exporter or dcgm-exporter (port 9400)');
    expect(describeExporters('tpu')).to.equal('none known');
  });
});
