/**
 * PRODUCT.yaml `metadata:`: the vendor's facts, read from a vendor.yaml (camelCase or snake_case,
 * as the validator accepts) and checked the way the validator checks them. `product init` and
 * `product check` share these rules, so init never writes what check would reject.
 */

import YAML from 'yaml';
import { UsageError } from '../errors.js';
import { K8S_CONFORMANCE_URL, METADATA_FIELDS, PLACEHOLDER, type MetadataField } from './schema.js';
import { isRecord, minorVersion, readUserFile } from './template.js';

/** camelCase key → value. */
export type ProductMetadata = Record<string, string>;

export interface FieldLookup {
  /** The key as written: camelCase or snake_case. */
  key: string;
  value: unknown;
}

/** The field's value under its camelCase or snake_case key (camelCase wins, as in the validator's order). */
export function lookupField(map: Record<string, unknown>, f: MetadataField): FieldLookup | undefined {
  if (Object.hasOwn(map, f.key)) return { key: f.key, value: map[f.key] };
  if (Object.hasOwn(map, f.snake)) return { key: f.snake, value: map[f.snake] };
  return undefined;
}

/** What is wrong with one present value, or undefined. Empty optional values are fine. */
export function fieldValueProblem(f: MetadataField, value: unknown): string | undefined {
  // YAML reads `2.10` as the number 2.1 and `true` as a boolean; the validator wants strings.
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `is a ${typeof value} to YAML, not a string: quote it, e.g. "${String(value)}"`;
  }
  if (typeof value !== 'string') return value === null ? 'is empty' : 'must be a string, not a list or map';
  if (value.trim() === '') return f.required ? 'is empty' : undefined;
  if (PLACEHOLDER.test(value)) return `still holds the template placeholder ${value}`;
  if (f.key === 'k8sConformanceUrl' && !K8S_CONFORMANCE_URL.test(value)) {
    return `must match ${K8S_CONFORMANCE_URL.source} (the product's folder in cncf/k8s-conformance)`;
  }
  return undefined;
}

/**
 * The metadata of a vendor.yaml, ready for PRODUCT.yaml. Every problem is listed in one error,
 * field by field with what belongs there, so a vendor fixes the file in one go.
 */
export async function loadVendorMetadata(file: string, templateVersion: string): Promise<ProductMetadata> {
  const text = await readUserFile(file, '--metadata ');
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new UsageError(`${file}: ${doc.errors[0]?.message ?? 'bad YAML'}`);
  const raw = doc.toJS() as unknown;
  // A copied PRODUCT.yaml (with metadata: on top) is accepted as well.
  const map = isRecord(raw) && isRecord(raw.metadata) ? raw.metadata : raw;
  if (!isRecord(map))
    throw new UsageError(`${file}: expected a map of metadata fields (see README "Submitting to the CNCF")`);
  return validateVendorMetadata(map, file, templateVersion);
}

export function validateVendorMetadata(
  map: Record<string, unknown>,
  file: string,
  templateVersion: string,
): ProductMetadata {
  const problems: string[] = [];
  const known = new Set(METADATA_FIELDS.flatMap((f) => [f.key, f.snake]));
  for (const key of Object.keys(map)) {
    if (!known.has(key)) problems.push(`${key}: not a PRODUCT.yaml metadata field`);
  }
  const out: ProductMetadata = {};
  for (const f of METADATA_FIELDS) {
    const both = f.snake !== f.key && Object.hasOwn(map, f.key) && Object.hasOwn(map, f.snake);
    if (both) problems.push(`${f.key}: given twice (${f.key} and ${f.snake}); keep one`);
    const found = lookupField(map, f);
    if (found === undefined || found.value === null || found.value === '') {
      // The template knows the Kubernetes version; the vendor may still refine it (v1.36.3).
      if (f.key === 'kubernetesVersion') out[f.key] = `v${templateVersion}`;
      else if (f.required) problems.push(`${f.key} (or ${f.snake}): missing — ${f.meaning}`);
      continue;
    }
    // PRODUCT.yaml gets the trimmed value, so that is what is checked.
    const problem = fieldValueProblem(f, typeof found.value === 'string' ? found.value.trim() : found.value);
    if (problem !== undefined) {
      problems.push(`${found.key}: ${problem}`);
      continue;
    }
    const value = (found.value as string).trim();
    if (value !== '') out[f.key] = value;
  }
  const version = out.kubernetesVersion;
  if (version !== undefined && minorVersion(version) !== templateVersion) {
    problems.push(
      `kubernetesVersion: ${version} is not a v${templateVersion} version, but the template is for v${templateVersion}`,
    );
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw new UsageError(
      `${file}: ${String(n)} metadata ${n === 1 ? 'problem' : 'problems'} (fields may be camelCase or snake_case):\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
  }
  return out;
}
