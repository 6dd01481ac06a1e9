/**
 * The AI operators the robust_controller probe knows, as data: which CRDs detect and make up the
 * operator, its custom resource, where its pods run when it is installed as its chart installs it,
 * its validating webhook configuration, the object a valid CR refers to, and the chain of child
 * objects its controller creates. Adding an operator (KubeRay, KServe) is one more entry here, its
 * two manifests in suites/operator/manifests/, and its id in the `operator` parameter's values.
 */

/** One level of the objects the operator's controller creates for the CR (owner first). */
export interface ChildKind {
  apiVersion: string;
  kind: string;
  /** Condition type (status `True`) or pod phase that says this child finished its work. */
  done: { condition: string } | { phase: string };
}

export interface OperatorProfile {
  /** The `operator` parameter's value. */
  id: string;
  title: string;
  /** CRDs that must be Established; the first one detects the operator (`operator=auto`). */
  crds: string[];
  /** The custom resource the probe creates. */
  resource: { apiVersion: string; kind: string; plural: string };
  /** Where the upstream test looks for the operator's Ready pods (the Helm chart's install). */
  pods: { namespace: string; labelSelector: string };
  /** ValidatingWebhookConfiguration that holds the CR's validating webhook. */
  validatingWebhook: string;
  /** The cluster-scoped object a valid CR refers to (`runtime` is its name, parameter operatorRuntime). */
  prerequisite: { apiVersion: string; kind: string; defaultName: string; parameter: string };
  /** Manifests in suites/operator/manifests/ with `${name}` and `${runtime}` placeholders. */
  manifests: { valid: string; invalid: string };
  /** Name the invalid CR refers to: an object of the prerequisite's kind that does not exist. */
  missingPrerequisite: string;
  /** Conditions on the CR: `complete` True is success, `failed` True is terminal failure. */
  complete: string;
  failed: string;
  /** The controller's own children, top down (each owned by the one before, the first by the CR). */
  children: ChildKind[];
}

export const OPERATORS: readonly OperatorProfile[] = [
  {
    id: 'kubeflow-trainer',
    title: 'Kubeflow Trainer v2',
    crds: [
      'trainjobs.trainer.kubeflow.org',
      'clustertrainingruntimes.trainer.kubeflow.org',
      'trainingruntimes.trainer.kubeflow.org',
    ],
    resource: { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', plural: 'trainjobs' },
    pods: { namespace: 'kubeflow-system', labelSelector: 'app.kubernetes.io/name=kubeflow-trainer' },
    validatingWebhook: 'validator.trainer.kubeflow.org',
    prerequisite: {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'ClusterTrainingRuntime',
      defaultName: 'torch-distributed',
      parameter: 'operatorRuntime',
    },
    manifests: { valid: 'trainjob-valid.yaml', invalid: 'trainjob-invalid.yaml' },
    missingPrerequisite: 'does-not-exist-runtime',
    complete: 'Complete',
    failed: 'Failed',
    children: [
      { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', done: { condition: 'Completed' } },
      { apiVersion: 'batch/v1', kind: 'Job', done: { condition: 'Complete' } },
      { apiVersion: 'v1', kind: 'Pod', done: { phase: 'Succeeded' } },
    ],
  },
];

export type OperatorChoice = { profile: OperatorProfile; note: string } | { skip: string } | { fail: string };

/**
 * Picks the operator to probe from the `operator` parameter and the CRDs the cluster has:
 * `auto` takes the first known operator whose detecting CRD exists; a named one is taken as is
 * (its missing CRD then fails CRDRegistered with the reason).
 */
export function chooseOperator(param: string, installedCrds: ReadonlySet<string>): OperatorChoice {
  if (param === 'none')
    return {
      skip: 'operator=none: the profile declares no AI operator (set operator to auto or to the operator to test)',
    };
  if (param !== 'auto') {
    const profile = OPERATORS.find((o) => o.id === param);
    if (profile === undefined)
      return { fail: `operator=${param} is not a known operator (known: ${OPERATORS.map((o) => o.id).join(', ')})` };
    return { profile, note: `operator=${param}: ${profile.title}` };
  }
  const found = OPERATORS.filter((o) => installedCrds.has(o.crds[0] ?? ''));
  const [first, ...others] = found;
  if (first === undefined) {
    const looked = OPERATORS.map((o) => `${o.crds[0] ?? '?'} (${o.title})`).join(', ');
    return {
      skip: `operator=auto: no supported AI operator detected: none of the CRDs ${looked} exists; install one or set the operator parameter`,
    };
  }
  const also = others.length === 0 ? '' : `; also installed: ${others.map((o) => o.id).join(', ')}`;
  return { profile: first, note: `operator=auto: detected ${first.title} (CRD ${first.crds[0] ?? '?'})${also}` };
}
