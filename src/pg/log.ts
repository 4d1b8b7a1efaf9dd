// Server log lines as the simulator predicts them, in the server's own shape
// (`LEVEL:  message`, then DETAIL/HINT/CONTEXT lines), so they can be compared with a real
// server log line for line.

export type LogLevel = 'LOG' | 'FATAL' | 'WARNING' | 'ERROR';

export interface LogLine {
  level: LogLevel;
  message: string;
  detail?: string;
  hint?: string;
  context?: string;
}

/** elog.c append_with_tabs: a line break inside a field continues on a tab-indented line. */
const tabbed = (s: string): string => s.replace(/\n/g, '\n\t');

/** The lines as PostgreSQL writes them with an empty log_line_prefix. */
export function formatLog(lines: LogLine[]): string {
  const out: string[] = [];
  for (const l of lines) {
    out.push(`${l.level}:  ${tabbed(l.message)}`);
    if (l.detail) out.push(`DETAIL:  ${tabbed(l.detail)}`);
    if (l.hint) out.push(`HINT:  ${tabbed(l.hint)}`);
    if (l.context) out.push(`CONTEXT:  ${tabbed(l.context)}`);
  }
  return out.join('\n');
}
