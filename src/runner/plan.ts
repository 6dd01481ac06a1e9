/**
 * The plan: for each requirement the profile selects, whether it runs (and through which probes)
 * or why it is skipped. Decided before anything touches the cluster; `--dry-run` prints it.
 */
import type { ResolvedProfile } from '../profiles/load.js';
import {
  CHECKLIST_VERSIONS,
  findRequirement,
  type ChecklistVersion,
  type Level,
  type Requirement,
} from '../requirements/catalogue.js';
import { NO_PROBE_REASON, probesFor, type Probe } from '../requirements/probes.js';

export interface PlanItem {
  requirement: Requirement;
  /** Level in the run's checklist version; undefined when the version does not carry it. */
  level: Level | undefined;
  probes: Probe[];
  run: boolean;
  reason?: string;
}

export interface Plan {
  checklistVersion: ChecklistVersion;
  /** How the version was chosen, for the console and meta/run.json. */
  checklistSource: string;
  items: PlanItem[];
}

const OLDEST = CHECKLIST_VERSIONS[0];
const NEWEST = CHECKLIST_VERSIONS[CHECKLIST_VERSIONS.length - 1] ?? '1.37';

/** `auto` follows the server's minor version, clamped to the checklists that exist. */
export function resolveChecklistVersion(
  profileVersion: ResolvedProfile['checklistVersion'],
  server: { major: string; minor: string } | undefined,
): { version: ChecklistVersion; source: string } {
  if (profileVersion !== 'auto') return { version: profileVersion, source: 'set by the profile' };
  if (!server) return { version: NEWEST, source: `auto: cluster not reached, assuming the newest (${NEWEST})` };
  const minor = Number.parseInt(server.minor, 10);
  const wanted = `${server.major}.${String(minor)}`;
  const found = CHECKLIST_VERSIONS.find((v) => v === wanted);
  if (found) return { version: found, source: `auto: cluster runs Kubernetes ${wanted}` };
  const newest = Number.parseInt(NEWEST.split('.')[1] ?? '0', 10);
  const version = minor > newest ? NEWEST : OLDEST;
  return { version, source: `auto: cluster runs Kubernetes ${wanted}, nearest checklist is ${version}` };
}

export function buildPlan(profile: ResolvedProfile, version: ChecklistVersion, source: string): Plan {
  const items: PlanItem[] = [];
  for (const id of profile.requirements) {
    const requirement = findRequirement(id);
    if (!requirement) continue;
    const level = requirement.levels[version];
    if (level !== undefined && !profile.levels.includes(level)) continue;
    const probes = probesFor(id);
    // A requirement the version's checklist dropped (dra_support from v1.36) still runs when we have
    // a probe: the capability is still worth proving, and PRODUCT.yaml only takes template ids.
    if (probes.length === 0) {
      items.push({ requirement, level, probes, run: false, reason: NO_PROBE_REASON });
    } else {
      items.push({ requirement, level, probes, run: true });
    }
  }
  return { checklistVersion: version, checklistSource: source, items };
}
