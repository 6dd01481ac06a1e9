/**
 * The report as GitHub-flavoured Markdown, for a pull-request comment or an issue: the same content
 * as the HTML page. Table cells escape `|` and fold newlines; code blocks get a fence longer than
 * any backtick run inside them, so no log line can end a block early.
 */

import type { TestResult } from '../results/model.js';
import { formatDuration, VERDICT_LABEL, type ReportData, type ReportRequirement, type Signature } from './data.js';

const MARK = { passed: '✔', failed: '✖', error: '!', skipped: '–' } as const;

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `\`${text}\`` : `${fence} ${text} ${fence}`;
}

function block(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}text`, text, fence];
}

function signatureLines(sig: Signature): string[] {
  if (sig.state === 'verified') {
    return [
      `> **✔ Signature verified** with the trusted key ${code(sig.keyFingerprint)}: the signed statement, the tarball and its ${String(sig.fileCount)} files match.`,
    ];
  }
  if (sig.state === 'failed') {
    const key = sig.keyFingerprint === undefined ? '' : ` against key ${code(sig.keyFingerprint)}`;
    return [
      `> **✖ Verification failed: tampered, or not signed by this key.** Checked${key}: ${sig.problem.replace(/\n/g, ' ')}`,
      '>',
      '> Do not rely on the results below.',
    ];
  }
  return [`> **Signature not checked:** ${sig.reason}.`];
}

function testLines(t: TestResult): string[] {
  const lines = [
    `#### ${MARK[t.status]} ${code(t.name)} — ${VERDICT_LABEL[t.status]}, ${formatDuration(t.durationMs)}`,
    '',
  ];
  if (t.message !== undefined) lines.push(...block(t.message), '');
  if (t.details !== undefined)
    lines.push('<details><summary>details</summary>', '', ...block(t.details), '', '</details>', '');
  if (t.log.length > 0) {
    lines.push(
      `<details><summary>evidence: ${String(t.log.length)} log ${t.log.length === 1 ? 'line' : 'lines'}</summary>`,
      '',
    );
    lines.push(...block(t.log.join('\n')), '', '</details>', '');
  }
  return lines;
}

function requirementLines(r: ReportRequirement): string[] {
  const level = r.level === undefined ? '' : ` (${r.level})`;
  const title = r.title === undefined ? [] : [`_${r.title}_`, ''];
  return [
    `### ${MARK[r.verdict]} ${r.id}${level}: ${VERDICT_LABEL[r.verdict]}`,
    '',
    ...title,
    ...r.tests.flatMap(testLines),
  ];
}

export function renderMarkdown(data: ReportData): string {
  const { run, counts } = data;
  const lines: string[] = [`# ai-conformance report: run ${run.runId}`, '', ...signatureLines(data.signature), ''];
  lines.push('## Run', '', '| | |', '|---|---|');
  const facts: [string, string][] = [
    ['result', `**${data.result}**`],
    [
      'tests',
      `${String(counts.passed)} passed, ${String(counts.failed)} failed, ${String(counts.error)} error, ${String(counts.skipped)} skipped (${String(counts.total)} total)`,
    ],
    ['run id', code(run.runId)],
    ['profile', cell(`${run.profile.name} (checklist ${run.profile.checklistVersion})`)],
    ['kubernetes', cell(run.serverVersion ?? 'unknown')],
    ['tool', cell(`${run.tool.name} ${run.tool.version}`)],
    ['started', cell(run.startedAt)],
    ['finished', cell(run.finishedAt || 'unknown')],
    ['source', `${code(data.source)} (${data.kind})`],
  ];
  if (data.tarballSha256 !== undefined) facts.push(['tarball sha256', code(data.tarballSha256)]);
  if (data.argv !== undefined) facts.push(['command', code(`ai-conformance ${data.argv.join(' ')}`)]);
  if (run.incomplete) facts.push(['note', 'the run was interrupted or stopped early: results are partial']);
  for (const [k, v] of facts) lines.push(`| ${k} | ${v} |`);

  lines.push('', '## Requirements', '', '| requirement | level | verdict | tests | time |', '|---|---|---|---:|---:|');
  for (const r of data.requirements) {
    lines.push(
      `| ${code(r.id)} | ${r.level ?? ''} | ${MARK[r.verdict]} ${VERDICT_LABEL[r.verdict]} | ${String(r.tests.length)} | ${formatDuration(r.durationMs)} |`,
    );
  }

  lines.push('', '## Cluster fingerprint', '');
  if (data.cluster === undefined) lines.push('No meta/cluster.json in this run.');
  else {
    lines.push(`meta/cluster.json sha256 ${code(data.cluster.sha256)}`, '', '| fact | value |', '|---|---|');
    for (const f of data.cluster.facts) lines.push(`| ${cell(f.key)} | ${cell(f.value)} |`);
  }

  lines.push('', '## Evidence per requirement', '');
  for (const r of data.requirements) lines.push(...requirementLines(r));

  if (data.signature.state !== 'not-checked' && data.signature.checks.length > 0) {
    lines.push('## Verification checks', '');
    for (const c of data.signature.checks) lines.push(`- ${c.ok ? '✔' : '✖'} ${c.id}: ${c.detail}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
