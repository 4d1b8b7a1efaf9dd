// libpq's password file (fe-connect.c, PostgreSQL 15): which file connectOptions2 reads
// (passfile=, else PGPASSFILE through the option table, else $HOME/.pgpass), the key it
// looks up for each host (passwordFromFile: the host, else the hostaddr; empty or the
// default socket directory -> "localhost"; an empty port -> 5432), the checks before it
// reads the file (not a regular file, group or world access: a WARNING on stderr, the file
// ignored), the line matching (pwdfMatchesString: `*` fields, backslash escapes, '#'
// comments, the first matching line wins) and the password's de-escaping. Pure: the file
// is seen through PassFileAccess. Checked against psql 15 in test/pg/pgpass-oracle.test.ts.

import { fmt, LIBPQ, type MessageCall, type MessageDef } from '../messages.js';

/** PGPASSFILE's default name in the home directory (fe-connect.c, non-Windows). */
export const PASSFILE_NAME = '.pgpass';
/** DefaultHost: what an empty host or the default socket directory is looked up as. */
export const PASSFILE_LOCALHOST = 'localhost';
/** DEF_PGPORT_STR */
const DEFAULT_PORT = '5432';

/** The file as the client process sees it. */
export interface PassFileAccess {
  /** stat() (following links), or undefined when it fails */
  stat(path: string): { isFile: boolean; mode: number } | undefined;
  /** the text fopen() + fgets() read, or undefined when the file cannot be opened */
  read(path: string): string | undefined;
}

/** The four values a line must match, in the file's order. */
export interface PassKey {
  host: string;
  port: string;
  dbname: string;
  user: string;
}

/** Why no password came from the file. */
export type PassMiss = 'no-user-or-dbname' | 'no-file' | 'not-regular' | 'group-world' | 'unreadable' | 'no-match';

export type PassLookup =
  | { found: true; file: string; key: PassKey; password: string; lineNo: number }
  | { found: false; file: string; key?: PassKey; reason: PassMiss; mode?: number };

/** What each miss means, for the trace. */
export const PASS_MISS: Record<PassMiss, string> = {
  'no-user-or-dbname': 'no user name or database name to look up',
  'no-file': 'the file does not exist',
  'not-regular': 'not a regular file: libpq warns and ignores it',
  'group-world': 'group or others may access it: libpq warns and ignores it',
  unreadable: 'the client cannot open it: libpq ignores it silently',
  'no-match': 'no line matches',
};

/** The warnings passwordFromFile prints to stderr itself (fprintf), with the file name. */
const WARNING: Partial<Record<PassMiss, MessageDef>> = {
  'not-regular': LIBPQ.passfileNotPlain,
  'group-world': LIBPQ.passfileInsecure,
};

/** is_unixsock_path */
const isUnixSockPath = (p: string): boolean => p.startsWith('/') || p.startsWith('@');

/**
 * The host name passwordFromFile looks up: connectOptions2 passes the host, else the
 * hostaddr; an empty one and the default socket directory (compared as strings, no
 * canonicalisation) become "localhost". Other socket directories are looked up as written.
 */
export function passfileHost(host: string | undefined, hostaddr: string | undefined, defaultSocketDir: string): string {
  const h = host ? host : (hostaddr ?? '');
  if (h === '') return PASSFILE_LOCALHOST;
  return isUnixSockPath(h) && h === defaultSocketDir ? PASSFILE_LOCALHOST : h;
}

/** The port as libpq has it for the host (the string as written; empty -> 5432). */
export function passfilePort(portText: string): string {
  return portText === '' ? DEFAULT_PORT : portText;
}

/**
 * pwdfMatchesString: does the field at `pos` match `token`? Returns where the next field
 * starts, or undefined. A field that is exactly `*` matches anything; a backslash makes the
 * next character literal; the field ends at an unescaped ':' once the token is used up.
 */
export function matchField(line: string, pos: number, token: string): number | undefined {
  if (line[pos] === '*' && line[pos + 1] === ':') return pos + 2;
  let i = pos;
  let j = 0;
  let bslash = false;
  while (i < line.length) {
    if (line[i] === '\\' && !bslash) {
      i++;
      bslash = true;
    }
    if (line[i] === ':' && j === token.length && !bslash) return i + 1;
    bslash = false;
    if (j === token.length) return undefined;
    if (line[i] !== token[j]) return undefined;
    i++;
    j++;
  }
  return undefined;
}

/** The password field de-escaped: up to the first unescaped ':' (a lone trailing backslash stays). */
export function unescapePassword(field: string): string {
  let out = '';
  for (let i = 0; i < field.length && field[i] !== ':'; i++) {
    if (field[i] === '\\' && i + 1 < field.length) i++;
    out += field[i];
  }
  return out;
}

/** A field that matches exactly `value`: `\` and `:` escaped, and a lone `*` or a leading `#` too. */
export function escapePassfileField(value: string): string {
  const e = value.replace(/[\\:]/g, (c) => `\\${c}`);
  return e === '*' || e.startsWith('#') ? `\\${e}` : e;
}

/**
 * The first line of `text` matching `key`, and its password. Lines are what fgets reads
 * (up to '\n', any length); a line whose first character is '#' is a comment; trailing CR
 * and LF are stripped (pg_strip_crlf); a line with too few fields matches nothing.
 */
export function findPassword(text: string, key: PassKey): { password: string; lineNo: number } | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const tokens = [key.host, key.port, key.dbname, key.user];
  for (const [i, raw] of lines.entries()) {
    if (raw.startsWith('#')) continue;
    const line = raw.replace(/[\r\n]+$/, '');
    if (line === '') continue;
    let pos: number | undefined = 0;
    for (const t of tokens) {
      pos = matchField(line, pos, t);
      if (pos === undefined) break;
    }
    if (pos !== undefined) return { password: unescapePassword(line.slice(pos)), lineNo: i + 1 };
  }
  return undefined;
}

/** passwordFromFile for one host: the checks, then the lookup; `warn` gets what libpq prints to stderr. */
export function passwordFromFile(
  key: PassKey,
  file: string,
  access: PassFileAccess,
  warn: (line: string, said?: MessageCall) => void = () => {},
): PassLookup {
  if (!key.dbname || !key.user) return { found: false, file, reason: 'no-user-or-dbname' };
  const st = access.stat(file);
  const miss: PassMiss | undefined = !st ? 'no-file' : !st.isFile ? 'not-regular' : st.mode & 0o077 ? 'group-world' : undefined;
  if (miss) {
    const w = WARNING[miss];
    if (w) warn(fmt(w, file), { def: w, args: [file] });
    return { found: false, file, key, reason: miss, mode: st?.mode };
  }
  const text = access.read(file);
  if (text === undefined) return { found: false, file, key, reason: 'unreadable' };
  const m = findPassword(text, key);
  return m ? { found: true, file, key, ...m } : { found: false, file, key, reason: 'no-match' };
}

/**
 * connectOptions2's choice of file: passfile= (or PGPASSFILE, which the option table already
 * put there) unless empty, else $HOME/.pgpass. Undefined without HOME: libpq would then ask
 * getpwuid() for the home directory, which pgtls does not know.
 */
export function passfilePath(passfile: string | undefined, home: string | undefined): string | undefined {
  if (passfile) return passfile;
  return home ? `${home}/${PASSFILE_NAME}` : undefined;
}

/** What connectOptions2 did about the password file. */
export type PassfileUse =
  | { kind: 'read'; path: string }
  /** a non-empty password= / PGPASSWORD: no file is looked at */
  | { kind: 'password-given' }
  /** no passfile and no HOME */
  | { kind: 'no-home' }
  /** the caller gave no PassFileAccess */
  | { kind: 'not-modelled' };

export interface PassfileStepInput {
  /** password= / PGPASSWORD as resolved */
  password: string | undefined;
  /** passfile= / PGPASSFILE as resolved */
  passfile: string | undefined;
  home: string | undefined;
  access: PassFileAccess | undefined;
  targets: readonly { host?: string; hostaddr?: string; portText: string }[];
  dbname: string;
  user: string;
  defaultSocketDir: string;
  /** the host a hostaddr-only target has (see ResolveInput.pgWrapperHost) */
  hostaddrOnlyHost?: string;
  warn?: (line: string, said?: MessageCall) => void;
}

/**
 * connectOptions2's password step: when no password was given, one passwordFromFile per
 * host, in order (each may print its warning), whatever later happens to that host.
 */
export function passfileStep(i: PassfileStepInput): { use: PassfileUse; lookups: (PassLookup | undefined)[] } {
  const none = i.targets.map(() => undefined);
  if (i.password) return { use: { kind: 'password-given' }, lookups: none };
  if (!i.access) return { use: { kind: 'not-modelled' }, lookups: none };
  const path = passfilePath(i.passfile, i.home);
  if (!path) return { use: { kind: 'no-home' }, lookups: none };
  const lookups = i.targets.map((t) => {
    const host = passfileHost(t.host ?? (t.hostaddr ? i.hostaddrOnlyHost : undefined), t.hostaddr, i.defaultSocketDir);
    return passwordFromFile({ host, port: passfilePort(t.portText), dbname: i.dbname, user: i.user }, path, i.access!, i.warn);
  });
  return { use: { kind: 'read', path }, lookups };
}
