/**
 * Errors a user can hit. Each carries the exit code from DESIGN.md and a one-line message that says
 * what to do; the CLI prints `message` alone (the stack only with --debug).
 */

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  cluster: 3,
  incomplete: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flags, bad files given on the command line, bad profile. Exit 2. */
export class UsageError extends UserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/** A profile that does not load: names file, line and field. Exit 2. */
export class ProfileError extends UsageError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${String(line)}`;
    super(`${where}: ${field === undefined ? '' : `${field}: `}${problem}`);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Bad kubeconfig, unreachable, unauthorized or forbidden cluster. Exit 3. */
export class ClusterError extends UserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.cluster, options);
  }
}

/** A bundle whose signature, statement or contents do not match. Exit 1. */
export class VerificationError extends UserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.failed, options);
  }
}
