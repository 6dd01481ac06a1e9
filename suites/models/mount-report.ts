/**
 * In-container facts about a mounted model (DESIGN.md "No special cases for test clusters"): the
 * probe container lists every file under the mount with its sha256 and size, tries to write to
 * each file and to create one beside them, and writes ONE JSON line to its termination message:
 *   {"files":[{"path":"weights.bin","sha256":"<hex>","size":N}],"writable":false,"writableFiles":[]}
 * `writableFiles` names the files it could open for writing, and "." when it could create a file.
 * The probe reads the line back from the pod status and compares it with the artifact's manifest.
 */
import type { Pod } from '../../src/kube/objects.js';
import { readTerminationJson, TerminationMessageError } from '../../src/kube/termination.js';
import type { ModelFile } from '../../src/oci/modelpack.js';
import { ProbeError } from '../../src/runner/probe.js';

export interface MountedFile {
  path: string;
  sha256: string;
  size: number;
}

export interface MountReport {
  files: MountedFile[];
  writable: boolean;
  writableFiles: string[];
}

/** The kubelet keeps at most 4096 bytes of a termination message; stay below. */
export const REPORT_LIMIT = 4000;

/**
 * The container command (busybox sh): report, then stay for `seconds` (what the pod's
 * ai-conformance.io/duration annotation announces). Opening a file with `>>` and writing nothing
 * proves write access without changing the model. It always exits 0: problems go in the report.
 */
export function mountReportScript(mountPath: string, seconds: number): string {
  const list = `find . -type f | sort`;
  return [
    `cd '${mountPath}' 2>/dev/null || { printf '{"error":"mount path %s does not exist in the container"}\\n' '${mountPath}' > /dev/termination-log; sleep ${String(seconds)}; exit 0; }`,
    `files=$(${list} | while IFS= read -r f; do printf ',{"path":"%s","sha256":"%s","size":%s}' "\${f#./}" "$(sha256sum "$f" | cut -d' ' -f1)" "$(($(wc -c < "$f")))"; done)`,
    `wf=$(${list} | while IFS= read -r f; do (: >> "$f") 2>/dev/null && printf ',"%s"' "\${f#./}"; done)`,
    `if (: > .aic-write-probe) 2>/dev/null; then rm -f .aic-write-probe; wf="$wf,\\".\\""; fi`,
    `w=false; [ -n "$wf" ] && w=true`,
    `r=$(printf '{"files":[%s],"writable":%s,"writableFiles":[%s]}' "\${files#,}" "$w" "\${wf#,}")`,
    `[ \${#r} -gt ${String(REPORT_LIMIT)} ] && r=$(printf '{"error":"the report of %s bytes exceeds the termination message limit: use a model artifact with fewer files"}' \${#r})`,
    `echo "$r" > /dev/termination-log`,
    `sleep ${String(seconds)}`,
  ].join('; ');
}

function isMountedFile(v: unknown): v is MountedFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f['path'] === 'string' && typeof f['sha256'] === 'string' && typeof f['size'] === 'number';
}

/** Checks the shape of a report; a container that reported an error (no mount, too many files) is a ProbeError. */
export function parseMountReport(json: Record<string, unknown>, where: string): MountReport {
  if (typeof json['error'] === 'string') throw new ProbeError(`${where} reported: ${json['error']}`);
  const { files, writable, writableFiles } = json;
  if (!Array.isArray(files) || !files.every(isMountedFile) || typeof writable !== 'boolean') {
    throw new ProbeError(
      `${where} reported ${JSON.stringify(json).slice(0, 200)}, not {"files":[{"path","sha256","size"}],"writable":bool}`,
    );
  }
  const written = Array.isArray(writableFiles) ? writableFiles.filter((x): x is string => typeof x === 'string') : [];
  return { files, writable, writableFiles: written };
}

/** The report of the probe container of a finished pod; none (or a malformed one) means the probe could not judge. */
export function readMountReport(pod: Pod, container: string): MountReport {
  const where = `container ${container} of pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? '?'}`;
  try {
    return parseMountReport(readTerminationJson(pod, container), where);
  } catch (err) {
    if (err instanceof TerminationMessageError) throw new ProbeError(`no mount report: ${err.message}`, { cause: err });
    throw err;
  }
}

function listed(paths: readonly string[], max = 5): string {
  if (paths.length === 0) return 'no file';
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${String(paths.length - max)} more` : shown;
}

/**
 * One problem per expected file the mount does not show as declared: missing, other content
 * (sha256), or another size where only the size is declared. Empty when all match.
 */
export function modelFileProblems(expected: readonly ModelFile[], report: MountReport, mountPath: string): string[] {
  const seen = new Map(report.files.map((f) => [f.path, f]));
  const problems: string[] = [];
  for (const want of expected) {
    const got = seen.get(want.path);
    if (got === undefined) {
      problems.push(
        `${want.path}: not found under ${mountPath} (the container saw ${listed(report.files.map((f) => f.path))})`,
      );
      continue;
    }
    if (want.digest !== undefined && `sha256:${got.sha256}` !== want.digest) {
      problems.push(
        `${want.path}: content has sha256:${got.sha256} (${String(got.size)} bytes), the artifact declares ${want.digest}`,
      );
    } else if (want.size !== undefined && got.size !== want.size) {
      problems.push(`${want.path}: ${String(got.size)} bytes, the artifact declares ${String(want.size)}`);
    }
  }
  return problems;
}

/** `weights.bin, config.json and creating files in /models`: what the container could write. */
export function describeWritable(report: MountReport, mountPath: string): string {
  const files = report.writableFiles.filter((f) => f !== '.');
  const parts: string[] = [];
  if (files.length > 0) parts.push(`open ${listed(files)} for writing`);
  if (report.writableFiles.includes('.')) parts.push(`create a file in ${mountPath}`);
  return parts.length > 0 ? parts.join(' and ') : 'write (no detail reported)';
}
