import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ExpositionError,
  familyOf,
  parseExposition,
  parseSampleValue,
  samplesByName,
} from '../../../src/metrics/prometheus.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'metrics');

describe('metrics/prometheus: text exposition parser', function () {
  it('reads samples, labels, HELP and TYPE', function () {
    const e = parseExposition(
      [
        '# HELP http_requests_total Requests served,\\nby code.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        '',
        '# a free comment',
        'up 1',
      ].join('\n'),
    );
    expect(e.samples).to.deep.equal([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000 },
      { name: 'up', labels: {}, value: 1 },
    ]);
    expect(e.types.get('http_requests_total')).to.equal('counter');
    expect(e.help.get('http_requests_total')).to.equal('Requests served,\nby code.');
  });

  it('unescapes label values and accepts a trailing comma, blanks and CRLF', function () {
    const e = parseExposition(
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\"",} 1.458255915e9\r\n',
    );
    expect(e.samples[0]?.labels).to.deep.equal({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(e.samples[0]?.value).to.equal(1.458255915e9);
    expect(parseExposition('x { a = "1" , b="2" }  7').samples[0]).to.deep.equal({
      name: 'x',
      labels: { a: '1', b: '2' },
      value: 7,
    });
  });

  it('reads special values', function () {
    expect(parseSampleValue('+Inf')).to.equal(Infinity);
    expect(parseSampleValue('-Inf')).to.equal(-Infinity);
    expect(parseSampleValue('NaN')).to.be.NaN;
    expect(parseSampleValue('-1.5e-3')).to.equal(-0.0015);
    expect(parseSampleValue('.5')).to.equal(0.5);
    expect(parseSampleValue('12abc')).to.equal(undefined);
    const e = parseExposition('h_bucket{le="+Inf"} 10\nh_sum NaN');
    expect(e.samples.map((s) => s.labels['le'] ?? s.value)).to.deep.equal(['+Inf', NaN]);
  });

  it('reads OpenMetrics: # EOF, UNIT, exemplars and quoted UTF-8 metric names', function () {
    const e = parseExposition(
      [
        '# TYPE acme_http_router_request_seconds histogram',
        '# UNIT acme_http_router_request_seconds seconds',
        'acme_http_router_request_seconds_bucket{le="0.1"} 8 # {trace_id="KOO5S4vxi0o"} 0.067 1520879607.789',
        '{"gpu.util", gpu="0"} 42',
        '# EOF',
      ].join('\n'),
    );
    expect(e.samples.map((s) => [s.name, s.value])).to.deep.equal([
      ['acme_http_router_request_seconds_bucket', 8],
      ['gpu.util', 42],
    ]);
  });

  it('rejects malformed lines with their line number', function () {
    const bad = [
      ['ok 1\nbad{a="1" 2', 2, 'expected "," or "}"'],
      ['x{a="1} 2', 1, 'unterminated'],
      ['x 1 2 3', 1, 'unexpected text'],
      ['x abc', 1, 'invalid sample value'],
      ['x{a="1",a="2"} 1', 1, 'duplicate label a'],
      ['x{a="\\t"} 1', 1, 'invalid escape'],
      ['1x 1', 1, 'metric name'],
      ['x', 1, 'a blank and a value'],
      ['# TYPE x flavour', 1, 'unknown metric type'],
      ['# EOF\nx 1', 2, 'after # EOF'],
      ['<html><body>hello</body></html>', 1, 'metric name'],
    ] as const;
    for (const [text, line, words] of bad) {
      expect(() => parseExposition(text), text).to.throw(ExpositionError, words);
      try {
        parseExposition(text);
      } catch (err) {
        expect((err as ExpositionError).line, text).to.equal(line);
      }
    }
  });

  it('finds a sample family and groups samples by name', function () {
    const e = parseExposition(
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 0.2\n# TYPE c counter\nc_total 4\nother 1\n',
    );
    expect(e.samples.map((s) => familyOf(s.name, e.types))).to.deep.equal(['h', 'h', 'h', 'c', 'other']);
    expect([...samplesByName(e.samples).keys()]).to.deep.equal(['h_bucket', 'h_count', 'h_sum', 'c_total', 'other']);
  });

  it('parses the dcgm-exporter-shaped fixtures', function () {
    const e = parseExposition(readFileSync(path.join(fixtures, 'dcgm.txt'), 'utf8'));
    expect(e.samples).to.have.length(49);
    expect(e.types.get('DCGM_FI_DEV_FB_USED')).to.equal('gauge');
    expect(parseExposition(readFileSync(path.join(fixtures, 'dcgm-no-memory.txt'), 'utf8')).samples).to.have.length(20);
  });
});
