/**
 * From a requirement's test results to its PRODUCT.yaml `status`, `evidence` and `notes`. The one
 * rule that matters most: nothing becomes `Implemented` unless a probe passed. A skip is reported,
 * never promoted; whether a skipped MUST is "not applicable" is the vendor's call, not ours.
 */

import { requirementVerdict } from '../bundle/statement.js';
import { countStatuses, type RunInfo, type Status, type TestResult } from '../results/model.js';
import { EVIDENCE_FILES } from '../results/write.js';
import type { ChecklistItem, ProductStatus } from './schema.js';

export interface ItemDecision {
  item: ChecklistItem;
  /** `missing`: the run has no test for this requirement. */
  verdict: Status | 'missing';
  status: ProductStatus | '';
  evidence: string[];
  notes: string;
  /** Said to the vendor, not written into the file. */
  warning?: string;
}

/** The validator's position on N/A for a MUST, and what submissions have done about it. */
export const MUST_NOT_APPLICABLE_ADVICE =
  'The CNCF FAQ allows "N/A" with a justification when a conditional MUST does not apply, but the validator ' +
  'rejects N/A on every MUST (cncf/k8s-ai-conformance#145, open). Decide yourself: if the condition truly does ' +
  'not apply, merged submissions use status "Implemented" with notes explaining why; otherwise configure the ' +
  'probe (see the reason) and run it again.';

export function decideItem(item: ChecklistItem, tests: readonly TestResult[], run: RunInfo): ItemDecision {
  const by = `ai-conformance ${run.tool.version}, run ${run.runId}`;
  if (tests.length === 0) {
    return {
      item,
      verdict: 'missing',
      status: '',
      evidence: [],
      notes: '',
      ...(item.level === 'MUST'
        ? { warning: `${item.id} (MUST): the run has no test for it; fill status, evidence and notes yourself` }
        : {}),
    };
  }
  const verdict = requirementVerdict(tests.map((t) => t.status));
  const counts = countStatuses(tests);
  const tally = (['passed', 'failed', 'error', 'skipped'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${String(counts[s])} ${s}`)
    .join(', ');
  const skipped = tests.filter((t) => t.status === 'skipped');

  if (verdict === 'passed') {
    const tops = unique(tests.filter((t) => t.status === 'passed').map((t) => topLevel(t.name)));
    const skips = skipped.map((t) => `${t.name}: ${firstLine(t.message)}`);
    const skipNote = skips.length === 0 ? '' : ` (${skips.join('; ')})`;
    return {
      item,
      verdict,
      status: 'Implemented',
      evidence: tops.map((name) => `file://${EVIDENCE_FILES.junit}#${name}`),
      notes: sentence(`Verified by ${by}: ${tally}${skipNote}`),
    };
  }
  if (verdict === 'failed' || verdict === 'error') {
    const bad = tests
      .filter((t) => t.status === 'failed' || t.status === 'error')
      .map((t) => `${t.name} ${t.status === 'error' ? 'could not run' : 'failed'}: ${t.message ?? 'no message'}`);
    return {
      item,
      verdict,
      status: 'Not Implemented',
      // No link: the validator rejects a referenced artifact that holds a failing test.
      evidence: [],
      notes: sentence(`Probed by ${by}: ${tally}`, ...bad),
      ...(item.level === 'MUST'
        ? {
            warning: `${item.id} (MUST) ${verdict === 'error' ? 'could not be probed' : 'failed'}: not conformant until it passes`,
          }
        : {}),
    };
  }
  const reasons = unique(skipped.map((t) => firstLine(t.message)));
  return {
    item,
    verdict,
    status: '',
    evidence: [],
    notes: sentence(`Not verified, skipped by ${by}: ${reasons.join('; ')}`),
    ...(item.level === 'MUST'
      ? {
          warning: `${item.id} (MUST) was skipped (${reasons.join('; ')}); status left empty. ${MUST_NOT_APPLICABLE_ADVICE}`,
        }
      : {}),
  };
}

/** `TestX/Sub/Leaf` → `TestX`: the junit.xml test case that covers all its subtests. */
function topLevel(name: string): string {
  return name.split('/')[0] ?? name;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function firstLine(text: string | undefined): string {
  return (text ?? 'no reason given').split('\n')[0] ?? '';
}

/** `head. part; part.`: one readable line for a notes field. */
function sentence(head: string, ...parts: string[]): string {
  const body = parts.length === 0 ? head : `${head}. ${parts.join('; ')}`;
  return /[.!?]$/.test(body) ? body : `${body}.`;
}
