// The config parsers report what the server would report (LogLine lists and per-line error
// strings) rather than throwing; PgConfigError is only for calls pgtls itself cannot make
// sense of (a relative top-level path, an unknown version), so callers can tell a bad file
// from a bad call.

export type PgConfigErrorCode = 'BAD_ARGUMENT';

export class PgConfigError extends Error {
  override readonly name = 'PgConfigError';
  constructor(
    readonly code: PgConfigErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The `line N of configuration file "F"` context the server adds to hba/ident errors. */
export function lineContext(line: number, file: string): string {
  return `line ${line} of configuration file "${file}"`;
}
