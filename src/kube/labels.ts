/**
 * The hygiene labels every probe object carries (DESIGN.md "Cluster hygiene"), and the selectors
 * that find them again for cleanup.
 */

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ai-conformance';
export const RUN_LABEL = 'ai-conformance.io/run';
export const PROBE_LABEL = 'ai-conformance.io/probe';

export type Labels = Record<string, string>;

// A Kubernetes label value: at most 63 characters, alphanumeric at both ends, `-_.` inside.
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

/**
 * Makes any text a valid label value: other characters become `-`, then it is cut to 63 and
 * trimmed to alphanumeric ends. Probe names such as `TestGangScheduling/Negative` need this.
 */
export function toLabelValue(text: string): string {
  return text
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * The labels for objects of one run (and probe). The run id must already be a valid label value:
 * cleanup selects on it exactly, so it is never rewritten.
 */
export function runLabels(runId: string, probe?: string): Labels {
  if (runId === '' || !isLabelValue(runId)) {
    throw new Error(
      `run id "${runId}" is not a valid label value (63 characters at most: letters, digits, '-', '_', '.')`,
    );
  }
  const labels: Labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_LABEL]: runId };
  if (probe !== undefined) labels[PROBE_LABEL] = toLabelValue(probe);
  return labels;
}

/** Everything any ai-conformance run created. */
export function managedSelector(): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
}

/** Everything one run created. */
export function runSelector(runId: string): string {
  return `${managedSelector()},${RUN_LABEL}=${runId}`;
}

/** Everything one probe of one run created. */
export function probeSelector(runId: string, probe: string): string {
  return `${runSelector(runId)},${PROBE_LABEL}=${toLabelValue(probe)}`;
}
