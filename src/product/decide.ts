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

/**
 * N/A on a MUST: `reject` is the merged validator (cncf/k8s-ai-conformance#141: a MUST must be
 * "Implemented"); `allow` is open PR #146 (N/A with notes passes, with a warning for the reviewer).
 */
export const MUST_NA_RULES = ['reject', 'allow'] as const;
export type MustNaRule = (typeof MUST_NA_RULES)[number];

/** The validator's position on N/A for a MUST, and what the vendor can do about it. */
export const MUST_NOT_APPLICABLE_ADVICE =
  'The CNCF FAQ allows "N/A" with a justification when a conditional MUST does not apply, but the merged ' +
  'validator (cncf/k8s-ai-conformance#141) accepts only "Implemented" on a MUST (issue #145; PR #146, open, ' +
  'would accept N/A with notes). Either configure the probe (see the reason) and run it again until it passes, ' +
  'or, if the condition truly does not apply, write "N/A" with the justification in notes (--must-na allow) ' +
  'and expect the validator check to fail until #146 is merged or a reviewer accepts it.';

export interface DecideOptions {
  /** Evidence path prefix, `vX.Y/<product>/`: the product folder as seen from the repository root. */
  evidencePrefix: string;
  mustNa: MustNaRule;
}

/** The evidence files an Implemented requirement links to, in this order (as GKE's v1.37 submission). */
const LINKED_ARTIFACTS = [EVIDENCE_FILES.junit, EVIDENCE_FILES.goTestJson, EVIDENCE_FILES.goTestLog] as const;

export function decideItem(
  item: ChecklistItem,
  tests: readonly TestResult[],
  run: RunInfo,
  opts: DecideOptions,
): ItemDecision {
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
      evidence: LINKED_ARTIFACTS.flatMap((file) => tops.map((name) => `file://${opts.evidencePrefix}${file}#${name}`)),
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
  // N/A only when nothing of it ran: a MUST with some tests passed and others skipped is not proven.
  if (item.level === 'MUST' && opts.mustNa === 'allow' && skipped.length === tests.length) {
    return {
      item,
      verdict,
      status: 'N/A',
      evidence: [],
      notes: sentence(`Not applicable: ${reasons.join('; ')} (skipped by ${by})`),
      warning:
        `${item.id} (MUST) was skipped (${reasons.join('; ')}); written as "N/A" with the reason as notes (--must-na allow). ` +
        'Check that the condition truly does not apply and extend the notes; the merged validator rejects N/A on a MUST ' +
        '(cncf/k8s-ai-conformance#141), open PR #146 accepts it.',
    };
  }
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
