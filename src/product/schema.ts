/**
 * PRODUCT.yaml as the CNCF validator (cncf/k8s-ai-conformance scripts/validate.go) reads it. Facts
 * from research/requirements.md §2.2 and §3.2–3.3; nothing here is a guess at rules it does not make.
 */

import type { Level } from '../requirements/catalogue.js';

/** The exact status strings the validator accepts. */
export const PRODUCT_STATUSES = ['Implemented', 'Not Implemented', 'Partially Implemented', 'N/A'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export interface MetadataField {
  /** camelCase, as the templates write it. */
  key: string;
  /** snake_case, which the validator accepts as well. */
  snake: string;
  required: boolean;
  /** What to put there, condensed from instructions.md; shown when the field is missing. */
  meaning: string;
}

const field = (key: string, required: boolean, meaning: string): MetadataField => ({
  key,
  snake: key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  required,
  meaning,
});

/** In the order the templates list them; k8sConformanceUrl last (v1.35 puts it there). */
export const METADATA_FIELDS: readonly MetadataField[] = [
  field('kubernetesVersion', true, 'Kubernetes version certified, e.g. v1.36 (default: the template’s)'),
  field('platformName', true, 'name of the product being certified'),
  field('platformVersion', true, 'version of the product (not of the Kubernetes it runs)'),
  field('vendorName', true, 'legal entity certifying, exactly as listed under CNCF Members in the landscape'),
  field('websiteUrl', true, 'product information site (must resolve)'),
  field('repoUrl', false, 'primary source repository, if the product is open source'),
  field('documentationUrl', true, 'product documentation (must resolve)'),
  field('productLogoUrl', true, 'logo in SVG, AI or EPS (not PNG) that includes the product name'),
  field('description', true, 'one sentence describing the offering'),
  field('contactEmailAddress', true, 'maintainer contact e-mail'),
  field(
    'k8sConformanceUrl',
    true,
    'the product’s Kubernetes conformance submission, https://github.com/cncf/k8s-conformance/tree/main/vX.Y/<product>',
  ),
];

/** The validator requires it for every version, although only the v1.35 template has the line. */
export const K8S_CONFORMANCE_URL =
  /^https:\/\/github\.com\/cncf\/k8s-conformance\/tree\/(master|main)\/v\d+\.\d+\/[^/]+\/?$/;

/** A value still in template brackets: `[Vendor Name]`. */
export const PLACEHOLDER = /^\s*\[.*\]\s*$/s;

/** What the validator sends, after vendors' WAFs answered 403 to Go's default (7fb98c2, d45d88a). */
export const VALIDATOR_USER_AGENT =
  'CNCF-K8s-AI-Conformance-Validator/1.0 (+https://github.com/cncf/k8s-ai-conformance)';
export const URL_TIMEOUT_MS = 30_000;
export const LANDSCAPE_URL = 'https://raw.githubusercontent.com/cncf/landscape/master/landscape.yml';

/** Evidence files the v1.37 validator parses when referenced, matched on the base name, case-insensitively. */
export const PARSED_ARTIFACTS = ['junit.xml', 'results.json', 'e2e.log'] as const;

/**
 * The test the v1.37 validator checks when a `file://` link to a parsed artifact has no `#TestName`
 * fragment: the mapping documented in cncf/k8s-ai-conformance#141 covers these three only.
 */
export const MAPPED_UPSTREAM_TESTS: Readonly<Record<string, string>> = {
  secure_accelerator_access: 'TestSecureAcceleratorAccess',
  gang_scheduling: 'TestGangScheduling',
  cluster_autoscaling: 'TestAcceleratorClusterAutoscaling',
};

/** One requirement of a checklist template. */
export interface ChecklistItem {
  /** The key under `spec:` (`schedulingOrchestration`). */
  category: string;
  id: string;
  description: string;
  level: Level;
}

/** Where the official templates live, for the hint in errors. */
export function templateUrl(version: string): string {
  return `https://raw.githubusercontent.com/cncf/k8s-ai-conformance/main/docs/AIConformance-${version}.yaml`;
}
