/** A request the service refused or could not take (status 0: the service was not reached). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Bad lines of an upload, as the services list them in an error's details. */
interface LineErrors {
  errors?: Array<{ line: number | null; input: string; reason: string }>;
  errorCount?: number;
}

/** Problems of a validated document (mapping rules), as the services list them in an error's details. */
interface Problems {
  problems?: Array<{ path: string; message: string }>;
}

/** The error's listed bad lines or problems as indented lines, each after a newline; null when it lists neither. */
function detailLines(details: unknown): string | null {
  const d = (details ?? {}) as LineErrors & Problems;
  if (d.errors) {
    const lines = d.errors.map(
      (e) => `  ${e.line === null ? '(not in file)' : `line ${e.line}`}: ${e.input ? `${e.input}: ` : ''}${e.reason}`,
    );
    const hidden = (d.errorCount ?? 0) - d.errors.length;
    return `\n${lines.join('\n')}${hidden > 0 ? `\n  ... and ${hidden} more` : ''}`;
  }
  if (d.problems) return d.problems.map((p) => `\n  ${p.path}: ${p.message}`).join('');
  return null;
}

export interface FailureTextOptions {
  /** Append "(HTTP status, code)" to an error without listed details. */
  withStatus: boolean;
}

/** What a CLI prints for a failed command: the message, then any listed bad lines or problems. */
export function failureText(err: unknown, options: FailureTextOptions): string {
  if (!(err instanceof ApiFailure)) return (err as Error).message;
  const details = detailLines(err.details);
  if (details !== null) return `${err.message}${details}`;
  return `${err.message}${options.withStatus && err.status ? ` (HTTP ${err.status}, ${err.code})` : ''}`;
}

/** Prints `<program>: <message>` on stderr and exits: 1 when a request failed, 2 for usage or setup. */
export function fail(program: string, message: string, code = 1): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(code);
}
