/**
 * `ai-conformance list`: the requirement catalogue as a table — level per checklist version, the
 * upstream test, our probes — or, with --parameters, every profile parameter.
 */
import type { Argv, CommandModule } from 'yargs';
import type { ResolvedProfile } from '../profiles/load.js';
import { PARAMETERS, type ParameterSpec } from '../profiles/parameters.js';
import { CHECKLIST_VERSIONS, REQUIREMENTS, type ChecklistVersion } from '../requirements/catalogue.js';
import { probesFor } from '../requirements/probes.js';

interface ListArgs {
  profile?: string;
  parameters: boolean;
}

export const listCommand: CommandModule<object, ListArgs> = {
  command: 'list',
  describe: 'List requirements, their level per checklist version and the probes that cover them',
  builder: (y: Argv) =>
    y
      .option('profile', {
        alias: 'p',
        type: 'string',
        describe: "Show only the profile's requirements, with levels for its checklist version",
      })
      .option('parameters', {
        type: 'boolean',
        default: false,
        describe: 'List the profile parameters (type, default, meaning; with --profile, its values)',
      }),
  handler: async (args) => {
    // The YAML parser is loaded only when a profile is read, so `--help` stays fast.
    const { loadProfile } = await import('../profiles/load.js');
    const profile = args.profile === undefined ? undefined : loadProfile(args.profile);
    const text = args.parameters ? parameterTable(profile) : requirementTable(profile);
    process.stdout.write(text);
  },
};

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function requirementTable(profile: ResolvedProfile | undefined): string {
  const versions: readonly ChecklistVersion[] =
    profile === undefined || profile.checklistVersion === 'auto' ? CHECKLIST_VERSIONS : [profile.checklistVersion];
  const header = ['REQUIREMENT', 'CATEGORY', ...versions.map((v) => `v${v}`), 'UPSTREAM TEST', 'PROBES'];
  const rows = [header];
  const selected = REQUIREMENTS.filter((r) => profile === undefined || profile.requirements.includes(r.id));
  for (const r of selected) {
    const probes = probesFor(r.id).map((p) => p.id);
    rows.push([
      r.ours === true ? `${r.id} *` : r.id,
      r.category,
      ...versions.map((v) => r.levels[v] ?? '—'),
      r.upstreamTest ?? '—',
      probes.length > 0 ? probes.join(', ') : 'no probe yet',
    ]);
  }
  const covered = selected.filter((r) => probesFor(r.id).length > 0).length;
  let text = table(rows);
  text += `\n${String(covered)} of ${String(selected.length)} requirements have a probe in this version of ai-conformance.\n`;
  text += '* our own requirement, not in the CNCF checklist (never written into PRODUCT.yaml)\n';
  if (profile !== undefined) {
    text += `profile ${profile.name}: checklist ${profile.checklistVersion === 'auto' ? "auto (the cluster's Kubernetes minor)" : `v${profile.checklistVersion}`}, levels ${profile.levels.join('+')}\n`;
  }
  return text;
}

export function parameterTable(profile: ResolvedProfile | undefined): string {
  const rows = [['PARAMETER', 'TYPE', profile === undefined ? 'DEFAULT' : 'VALUE', 'MEANING']];
  for (const [name, spec] of Object.entries(PARAMETERS) as [string, ParameterSpec][]) {
    const value = profile === undefined ? spec.default : profile.parameters[name];
    const type = spec.type === 'enum' ? (spec.values ?? []).join('|') : spec.type;
    rows.push([name, type, JSON.stringify(value ?? ''), spec.description]);
  }
  return table(rows);
}
