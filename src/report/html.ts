/**
 * The report as one self-contained HTML page: inline CSS, no scripts, no external fonts or images,
 * so it opens offline, archives as a single file and prints. Expandable parts use <details>, which
 * needs no JavaScript.
 */

import type { Status, TestResult } from '../results/model.js';
import { formatDuration, VERDICT_LABEL, type ReportData, type ReportRequirement, type Signature } from './data.js';

/** Banner colours; the screenshot test samples them, so they are part of the contract. */
export const BANNER_COLOURS = {
  verified: '#1a7f37',
  failed: '#cf222e',
  'not-checked': '#9a6700',
} as const;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;color:#1f2328;background:#f6f8fa}
.banner{color:#fff;padding:22px 32px;display:flex;gap:18px;align-items:center;min-height:112px}
.banner.verified{background:${BANNER_COLOURS.verified}}
.banner.failed{background:${BANNER_COLOURS.failed}}
.banner.not-checked{background:${BANNER_COLOURS['not-checked']}}
.banner .mark{font-size:46px;line-height:1;font-weight:700}
.banner h1{margin:0;font-size:26px}
.banner p{margin:4px 0 0;max-width:1000px;overflow-wrap:anywhere}
main{max-width:1180px;margin:0 auto;padding:20px 28px 40px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:18px 0}
h2{margin:0 0 12px;font-size:19px}
h3{margin:0;font-size:17px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:5px 10px;border-bottom:1px solid #eaeef2}
th{font-weight:600;color:#57606a;white-space:nowrap}
td.num{text-align:right;white-space:nowrap}
td{overflow-wrap:anywhere}
table.facts{table-layout:fixed}
table.facts th{width:30%;white-space:normal;overflow-wrap:anywhere}
table.facts td .mono{white-space:pre-wrap}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono","Liberation Mono",Menlo,monospace;font-size:13px}
pre{background:#f6f8fa;border:1px solid #eaeef2;border-radius:6px;padding:8px 10px;margin:6px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;border-radius:12px;padding:1px 10px;font-size:12px;font-weight:700;color:#fff;letter-spacing:.03em}
.passed{background:#1a7f37}.failed{background:#cf222e}.error{background:#bc4c00}.skipped{background:#6e7781}
.level{color:#57606a;font-size:13px;font-weight:600}
.req{border-left:6px solid #d0d7de}
.req.v-passed{border-left-color:#1a7f37}.req.v-failed{border-left-color:#cf222e}.req.v-error{border-left-color:#bc4c00}.req.v-skipped{border-left-color:#6e7781}
.test{border-top:1px solid #eaeef2;padding:10px 0 4px}
.test:first-of-type{border-top:0}
.test-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.test-head code,h3 code{overflow-wrap:anywhere;min-width:0}
.muted{color:#57606a}
.msg{margin:6px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.failed,.msg.error{background:#ffebe9;border:1px solid #ffcecb;color:#82071e;border-radius:6px;padding:6px 10px}
.msg.skipped{background:#f6f8fa;border:1px solid #eaeef2;color:#57606a;border-radius:6px;padding:6px 10px}
.counts span{margin-right:14px}
summary{cursor:pointer;color:#0969da}
footer{color:#57606a;font-size:13px;text-align:center;padding:0 20px 30px}
@media print{body{background:#fff}section{break-inside:avoid}}
`;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const e = escapeHtml;

function badge(status: Status): string {
  return `<span class="badge ${status}">${VERDICT_LABEL[status]}</span>`;
}

function banner(sig: Signature): string {
  if (sig.state === 'verified') {
    const files = `, the tarball and its ${String(sig.fileCount)} files`;
    return bannerHtml(
      'verified',
      '✔',
      'Signature verified',
      `Signed with the trusted key <code>${e(sig.keyFingerprint)}</code>; the signed statement${files} match. The results below are what the key holder signed.`,
    );
  }
  if (sig.state === 'failed') {
    const key = sig.keyFingerprint === undefined ? '' : ` against key <code>${e(sig.keyFingerprint)}</code>`;
    return bannerHtml(
      'failed',
      '✖',
      'Verification failed: tampered, or not signed by this key',
      `Checked${key}: ${e(sig.problem)}. Do not rely on the results below.`,
    );
  }
  return bannerHtml('not-checked', '?', 'Signature not checked', `${e(sig.reason)}.`);
}

function bannerHtml(kind: Signature['state'], mark: string, title: string, body: string): string {
  return `<header class="banner ${kind}" id="signature"><div class="mark" aria-hidden="true">${mark}</div><div><h1>${e(title)}</h1><p>${body}</p></div></header>`;
}

function rows(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `<tr><th>${e(k)}</th><td>${v}</td></tr>`).join('');
}

function runSection(data: ReportData): string {
  const { run, counts } = data;
  const pairs: [string, string][] = [
    ['result', `<strong>${e(data.result)}</strong>`],
    ['run id', `<code>${e(run.runId)}</code>`],
    ['profile', `${e(run.profile.name)} (checklist ${e(run.profile.checklistVersion)})`],
    ['kubernetes', e(run.serverVersion ?? 'unknown')],
    ['tool', `${e(run.tool.name)} ${e(run.tool.version)}`],
    ['started', e(run.startedAt)],
    ['finished', e(run.finishedAt || 'unknown')],
    ['source', `<code>${e(data.source)}</code> (${data.kind})`],
  ];
  if (data.tarballSha256 !== undefined) pairs.push(['tarball sha256', `<code>${e(data.tarballSha256)}</code>`]);
  if (data.argv !== undefined) pairs.push(['command', `<code>ai-conformance ${e(data.argv.join(' '))}</code>`]);
  if (run.incomplete) pairs.push(['note', 'the run was interrupted or stopped early: results are partial']);
  const tally = `<p class="counts"><span>${badge('passed')} ${String(counts.passed)}</span><span>${badge('failed')} ${String(counts.failed)}</span><span>${badge('error')} ${String(counts.error)}</span><span>${badge('skipped')} ${String(counts.skipped)}</span><span class="muted">${String(counts.total)} tests</span></p>`;
  return `<section id="run"><h2>Run</h2>${tally}<table>${rows(pairs)}</table></section>`;
}

function overview(reqs: readonly ReportRequirement[]): string {
  const body = reqs
    .map(
      (r) =>
        `<tr><td><a href="#req-${e(r.id)}"><code>${e(r.id)}</code></a>${r.title === undefined ? '' : ` <span class="muted">${e(r.title)}</span>`}</td><td>${e(r.level ?? '')}</td><td>${badge(r.verdict)}</td><td class="num">${String(r.tests.length)}</td><td class="num">${formatDuration(r.durationMs)}</td></tr>`,
    )
    .join('');
  return `<section id="requirements"><h2>Requirements</h2><table><thead><tr><th>requirement</th><th>level</th><th>verdict</th><th>tests</th><th>time</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

function clusterSection(data: ReportData): string {
  if (data.cluster === undefined) {
    return '<section id="cluster"><h2>Cluster</h2><p class="muted">No meta/cluster.json in this run.</p></section>';
  }
  const facts = data.cluster.facts.map((f): [string, string] => {
    const value = `<span class="mono">${e(f.value)}</span>`;
    // Long lists (node labels) fold away; <details> needs no script and opens on click.
    const lines = f.value.split('\n').length;
    return [f.key, lines > 6 ? `<details><summary>${String(lines)} entries</summary>${value}</details>` : value];
  });
  return `<section id="cluster"><h2>Cluster fingerprint</h2><p class="muted">meta/cluster.json sha256 <code>${e(data.cluster.sha256)}</code></p><table class="facts">${rows(facts)}</table></section>`;
}

function testHtml(t: TestResult): string {
  const message = t.message === undefined ? '' : `<div class="msg ${t.status}">${e(t.message)}</div>`;
  const details =
    t.details === undefined ? '' : `<details open><summary>details</summary><pre>${e(t.details)}</pre></details>`;
  const log =
    t.log.length === 0
      ? ''
      : `<details open><summary>evidence: ${String(t.log.length)} log ${t.log.length === 1 ? 'line' : 'lines'}</summary><pre>${e(t.log.join('\n'))}</pre></details>`;
  return `<div class="test"><div class="test-head">${badge(t.status)}<code>${e(t.name)}</code><span class="muted">${formatDuration(t.durationMs)}</span></div>${message}${details}${log}</div>`;
}

function requirementSection(r: ReportRequirement): string {
  const level = r.level === undefined ? '' : `<span class="level">${r.level}</span>`;
  const title = r.title === undefined ? '' : `<span class="muted">${e(r.title)}</span>`;
  return `<section class="req v-${r.verdict}" id="req-${e(r.id)}"><h3>${badge(r.verdict)}<code>${e(r.id)}</code>${level}${title}</h3>${r.tests.map(testHtml).join('')}</section>`;
}

function checksSection(sig: Signature): string {
  if (sig.state === 'not-checked' || sig.checks.length === 0) return '';
  const items = sig.checks
    .map((c) => `<tr><td>${c.ok ? '✔' : '✖'}</td><td>${e(c.id)}</td><td>${e(c.detail)}</td></tr>`)
    .join('');
  return `<section id="checks"><h2>Verification checks</h2><table>${items}</table></section>`;
}

export function renderHtml(data: ReportData): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>ai-conformance report: ${e(data.run.runId)}</title>`,
    `<style>${CSS}</style></head><body>`,
    banner(data.signature),
    '<main>',
    runSection(data),
    overview(data.requirements),
    clusterSection(data),
    ...data.requirements.map(requirementSection),
    checksSection(data.signature),
    '</main>',
    `<footer>ai-conformance report for run ${e(data.run.runId)}. Self-contained: no scripts, no network.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
