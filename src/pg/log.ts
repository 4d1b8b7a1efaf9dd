// Server log lines as the simulator predicts them, in the server's own shape
// (`LEVEL:  message`, then DETAIL/HINT/CONTEXT lines), so they can be compared with a real
// server log line for line.

import { ELOG, fmt, say, type MessageFormatter, type Text } from './messages.js';

export type LogLevel = 'LOG' | 'FATAL' | 'WARNING' | 'ERROR';

export interface LogLine {
  level: LogLevel;
  message: string;
  detail?: string;
  hint?: string;
  context?: string;
}

/** A log line still to be printed: its texts are messages, formatted once per language by `sayLog`. */
export interface LogEntry {
  level: LogLevel;
  message: Text;
  detail?: Text;
  hint?: Text;
  context?: Text;
}

/** The entries' lines in the language of `f` (fields that are absent or print empty are left out). */
export function sayLog(entries: readonly LogEntry[], f: MessageFormatter = fmt): LogLine[] {
  return entries.map((e) => {
    const line: LogLine = { level: e.level, message: say(f, e.message) };
    for (const k of ['detail', 'hint', 'context'] as const) {
      const t = e[k];
      if (t !== undefined) line[k] = say(f, t);
    }
    return line;
  });
}

/** elog.c append_with_tabs: a line break inside a field continues on a tab-indented line. */
const tabbed = (s: string): string => s.replace(/\n/g, '\n\t');

/**
 * The lines as PostgreSQL writes them with an empty log_line_prefix; the severity and field
 * words in the server's language when `f` translates (elog.c translates them too).
 */
export function formatLog(lines: LogLine[], f: MessageFormatter = fmt): string {
  const out: string[] = [];
  for (const l of lines) {
    out.push(`${f(ELOG[l.level])}:  ${tabbed(l.message)}`);
    if (l.detail) out.push(`${f(ELOG.DETAIL)}${tabbed(l.detail)}`);
    if (l.hint) out.push(`${f(ELOG.HINT)}${tabbed(l.hint)}`);
    if (l.context) out.push(`${f(ELOG.CONTEXT)}${tabbed(l.context)}`);
  }
  return out.join('\n');
}
