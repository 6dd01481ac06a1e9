/**
 * The requirement catalogue: every CNCF Kubernetes AI conformance requirement of checklists
 * v1.33..v1.37, plus our own requirements that the checklist lacks. Plain typed data; facts from
 * shared/research/requirements.md §1.2–1.3.
 */

export const CHECKLIST_VERSIONS = ['1.33', '1.34', '1.35', '1.36', '1.37'] as const;
export type ChecklistVersion = (typeof CHECKLIST_VERSIONS)[number];

export type Level = 'MUST' | 'SHOULD';

/** CNCF checklist keys under `spec:`, plus `models`, which the checklist lacks. */
export const CATEGORIES = [
  'accelerators',
  'networking',
  'schedulingOrchestration',
  'observability',
  'security',
  'operator',
  'models',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Folder under suites/ for each category (DESIGN.md: suites/<category>/). */
export const CATEGORY_DIRS: Record<Category, string> = {
  accelerators: 'accelerators',
  networking: 'networking',
  schedulingOrchestration: 'scheduling',
  observability: 'observability',
  security: 'security',
  operator: 'operator',
  models: 'models',
};

export interface Requirement {
  id: string;
  category: Category;
  /** A short title of our own; the verbatim description lives in the CNCF template. */
  title: string;
  /** Level per checklist version; a version missing here does not carry the requirement. */
  levels: Partial<Record<ChecklistVersion, Level>>;
  /** The upstream Go test (kubernetes-sigs/ai-conformance/test) where one exists. */
  upstreamTest?: string;
  /** KAR number in kubernetes-sigs/ai-conformance, where one exists. */
  kar?: string;
  /** True for requirements of ours that no CNCF checklist has (never written into PRODUCT.yaml). */
  ours?: boolean;
}

const fromV133 = (level: Level): Requirement['levels'] => ({
  '1.33': level,
  '1.34': level,
  '1.35': level,
  '1.36': level,
  '1.37': level,
});
const fromV135Should: Requirement['levels'] = { '1.35': 'SHOULD', '1.36': 'SHOULD', '1.37': 'SHOULD' };
const fromV136Should: Requirement['levels'] = { '1.36': 'SHOULD', '1.37': 'SHOULD' };

export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'dra_support',
    category: 'accelerators',
    title: 'Dynamic Resource Allocation APIs',
    levels: { '1.33': 'SHOULD', '1.34': 'MUST', '1.35': 'MUST' },
    kar: 'KAR-0051',
  },
  {
    id: 'driver_runtime_management',
    category: 'accelerators',
    title: 'Verifiable accelerator driver and runtime versions',
    levels: fromV135Should,
    upstreamTest: 'TestAcceleratorDriverRuntimeManagement',
    kar: 'KAR-0001',
  },
  {
    id: 'gpu_sharing',
    category: 'accelerators',
    title: 'At least one GPU sharing strategy',
    levels: fromV135Should,
    kar: 'KAR-0003',
  },
  {
    id: 'virtualized_accelerator',
    category: 'accelerators',
    title: 'Virtualized accelerators exposed and managed',
    levels: fromV135Should,
    kar: 'KAR-0004',
  },
  {
    id: 'ai_inference',
    category: 'networking',
    title: 'Gateway API implementation for inference traffic',
    levels: fromV133('MUST'),
  },
  {
    id: 'advanced_inference_ingress',
    category: 'networking',
    title: 'Gateway API Inference Extension implementation',
    levels: fromV136Should,
    kar: 'KAR-0011',
  },
  {
    id: 'high_performance_networking',
    category: 'networking',
    title: 'High performance pod networking exposed through DRA',
    levels: fromV136Should,
    kar: 'KAR-0010',
  },
  {
    id: 'disaggregated_inference',
    category: 'networking',
    title: 'Disaggregated (prefill/decode) inference',
    levels: fromV136Should,
    kar: 'KAR-0041',
  },
  {
    id: 'gang_scheduling',
    category: 'schedulingOrchestration',
    title: 'All-or-nothing gang scheduling',
    levels: fromV133('MUST'),
    upstreamTest: 'TestGangScheduling',
    kar: 'KAR-0053',
  },
  {
    id: 'cluster_autoscaling',
    category: 'schedulingOrchestration',
    title: 'Cluster autoscaling of accelerator node groups',
    levels: fromV133('MUST'),
    upstreamTest: 'TestAcceleratorClusterAutoscaling',
    kar: 'KAR-0055',
  },
  {
    id: 'pod_autoscaling',
    category: 'schedulingOrchestration',
    title: 'HPA on custom metrics for accelerator pods',
    levels: fromV133('MUST'),
    kar: 'KAR-0057',
  },
  {
    id: 'accelerator_metrics',
    category: 'observability',
    title: 'Per-accelerator utilization and memory metrics',
    levels: fromV133('MUST'),
    upstreamTest: 'TestAcceleratorPerformanceMetrics',
    kar: 'KAR-0059',
  },
  {
    id: 'ai_service_metrics',
    category: 'observability',
    title: 'Monitoring system collects workload metrics',
    levels: fromV133('MUST'),
    upstreamTest: 'TestAIServiceMetrics',
    kar: 'KAR-0061',
  },
  {
    id: 'secure_accelerator_access',
    category: 'security',
    title: 'Isolated, mediated accelerator access',
    levels: fromV133('MUST'),
    upstreamTest: 'TestSecureAcceleratorAccess',
    kar: 'KAR-0049',
  },
  {
    id: 'workload_sandboxing',
    category: 'security',
    title: 'Sandboxed workloads with kernel isolation',
    levels: { '1.37': 'SHOULD' },
    upstreamTest: 'TestWorkloadSandboxing',
    kar: 'KAR-0020',
  },
  {
    id: 'robust_controller',
    category: 'operator',
    title: 'A complex AI operator installs and reconciles',
    levels: fromV133('MUST'),
    upstreamTest: 'TestRobustCRDControllerOperation',
    kar: 'KAR-0063',
  },
  {
    id: 'gpu_scheduling',
    category: 'accelerators',
    title: 'Accelerators scheduled as extended resources',
    levels: fromV133('SHOULD'),
    ours: true,
  },
  {
    id: 'model_mounting',
    category: 'models',
    title: 'OCI model artifacts and model stores mounted read-only',
    levels: fromV133('SHOULD'),
    ours: true,
  },
];

export function findRequirement(id: string): Requirement | undefined {
  return REQUIREMENTS.find((r) => r.id === id);
}

/** Requirements carried by a checklist version (ours included: they apply to every version). */
export function requirementsFor(version: ChecklistVersion): Requirement[] {
  return REQUIREMENTS.filter((r) => r.levels[version] !== undefined);
}

export function isChecklistVersion(v: string): v is ChecklistVersion {
  return (CHECKLIST_VERSIONS as readonly string[]).includes(v);
}
