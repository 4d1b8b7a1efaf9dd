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

/** The lines as PostgreSQL writes them with an empty log_line_prefix. */
export function formatLog(lines: LogLine[]): string {
  const out: string[] = [];
  for (const l of lines) {
    out.push(`${l.level}:  ${l.message}`);
    if (l.detail) out.push(`DETAIL:  ${l.detail}`);
    if (l.hint) out.push(`HINT:  ${l.hint}`);
    if (l.context) out.push(`CONTEXT:  ${l.context}`);
  }
  return out.join('\n');
}
