// pg_ident.conf (hba.c: parse_ident_line, check_ident_usermap, check_usermap): user name
// maps "MAPNAME SYSTEM-USERNAME PG-USERNAME". A system name starting with "/" is a regular
// expression (see pg-regex.ts for how PostgreSQL's ARE maps onto JavaScript); its first
// capture replaces the first "\1" in the PostgreSQL name. Before 16 the PostgreSQL name is
// always a literal; from 16 an unquoted `all`, `+group` or `/regex` there is special.
// The result of a failed check is the exact LOG line the server writes.

import type { LogLine } from '../log.js';
import { CONFIG, fmt, SERVER } from '../messages.js';
import type { SimFs } from '../fs.js';
import { hbaFileLabel, tokenizeAuthFile, type AuthToken } from './auth-file.js';
import { lineContext, PgConfigError } from './errors.js';
import { compilePgRegex } from './pg-regex.js';
import { canonicalizePath, isAbsolutePath } from './paths.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export interface IdentLine {
  file: string;
  lineNum: number;
  mapName: string;
  systemUser: AuthToken;
  pgUser: AuthToken;
  /** compiled when systemUser is a /regex */
  regex?: RegExp;
}

/** One row of the pg_ident_file_mappings view (PostgreSQL 15 columns). */
export interface IdentFileMapping {
  lineNumber: number;
  mapName: string | null;
  sysName: string | null;
  pgUsername: string | null;
  error: string | null;
}

export interface IdentParseOptions {
  pgVersion?: number;
  mode?: 'startup' | 'reload' | 'view';
}

export interface IdentParseResult {
  file: string;
  /** the lines the server would use: all of them, or none when `ok` is false */
  lines: IdentLine[];
  mappings: IdentFileMapping[];
  log: LogLine[];
  ok: boolean;
}

export function parseIdent(fs: SimFs, file: string, content: string | Uint8Array, opts: IdentParseOptions = {}): IdentParseResult {
  const version = opts.pgVersion ?? DEFAULT_PG_VERSION;
  if (!Number.isInteger(version) || version < 13 || version > 18)
    throw new PgConfigError('BAD_ARGUMENT', `unsupported PostgreSQL version ${version}`);
  if (!isAbsolutePath(file)) throw new PgConfigError('BAD_ARGUMENT', `pg_ident.conf path must be absolute: ${file}`);
  const path = canonicalizePath(file);
  const view = opts.mode === 'view';
  const log: LogLine[] = [];
  const lines: IdentLine[] = [];
  const mappings: IdentFileMapping[] = [];
  let ok = true;
  for (const tok of tokenizeAuthFile(fs, path, content, { pgVersion: version, log: view ? undefined : log })) {
    const fail = (error: string, entry: Omit<LogLine, 'level'>) => {
      if (!view) log.push({ level: 'LOG', ...entry });
      mappings.push({ lineNumber: tok.lineNum, mapName: null, sysName: null, pgUsername: null, error });
      ok = false;
    };
    if (tok.errMsg !== undefined) {
      mappings.push({ lineNumber: tok.lineNum, mapName: null, sysName: null, pgUsername: null, error: tok.errMsg });
      ok = false;
      continue;
    }
    const context = lineContext(tok.lineNum, tok.file);
    const [mapF, sysF, pgF] = tok.fields;
    const multi = () => fail(fmt(CONFIG.identMultipleValues), { message: fmt(CONFIG.identMultipleValues), context });
    const missing = () => fail(fmt(CONFIG.identMissingEntryView), { message: fmt(CONFIG.identMissingEntry, tok.file, tok.lineNum) });
    // checked in the server's order: map, system user, PostgreSQL user
    const problem =
      mapF.length > 1 ? multi : !sysF ? missing : sysF.length > 1 ? multi : !pgF ? missing : pgF.length > 1 ? multi : undefined;
    if (problem) {
      problem();
      continue;
    }
    const line: IdentLine = { file: tok.file, lineNum: tok.lineNum, mapName: mapF[0].string, systemUser: sysF[0], pgUser: pgF[0] };
    if (line.systemUser.string.startsWith('/')) {
      const r = compilePgRegex(line.systemUser.string.slice(1));
      if (!r.ok) {
        const msg = fmt(CONFIG.invalidRegularExpression, line.systemUser.string.slice(1), r.error);
        fail(msg, version >= 16 ? { message: msg, context } : { message: msg });
        continue;
      }
      line.regex = r.regex;
    }
    lines.push(line);
    mappings.push({
      lineNumber: tok.lineNum,
      mapName: line.mapName,
      sysName: line.systemUser.string,
      pgUsername: line.pgUser.string,
      error: null,
    });
  }
  if (!ok && opts.mode === 'reload')
    log.push({ level: 'LOG', message: fmt(CONFIG.authFileNotReloaded, hbaFileLabel(path, version, 'pg_ident.conf')) });
  return { file: path, lines: ok ? lines : [], mappings, log, ok };
}

/** load_ident: a missing file is only a LOG line; the server starts without maps. */
export function loadIdentFile(fs: SimFs, file: string, opts: IdentParseOptions = {}): IdentParseResult {
  const path = canonicalizePath(file);
  const st = fs.stat(path);
  const bytes = st?.isFile ? fs.read(path) : undefined;
  if (bytes === undefined) {
    const why = st?.isDir ? 'Is a directory' : st ? 'Permission denied' : 'No such file or directory';
    const log: LogLine[] = opts.mode === 'view' ? [] : [{ level: 'LOG', message: fmt(CONFIG.usermapOpenFailed, path, why) }];
    return { file: path, lines: [], mappings: [], log, ok: false };
  }
  return parseIdent(fs, path, bytes, opts);
}

export type UsermapResult = { ok: true; line?: IdentLine } | { ok: false; log: LogLine[] };

export interface UsermapOptions {
  pgVersion?: number;
  /** roles pgUser is a member of, for a 16+ "+group" PostgreSQL name */
  roles?: string[];
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const same = (a: string, b: string, ci: boolean) => (ci ? asciiLower(a) === asciiLower(b) : a === b);

/**
 * check_usermap: may system user `systemUser` log in as `pgUser` under map `mapName`?
 * With no map the names must be equal. On failure, the LOG line(s) the server writes.
 */
export function checkUsermap(
  lines: IdentLine[],
  mapName: string | undefined,
  pgUser: string,
  systemUser: string,
  caseInsensitive: boolean,
  opts: UsermapOptions = {},
): UsermapResult {
  const version = opts.pgVersion ?? DEFAULT_PG_VERSION;
  if (!mapName) {
    if (same(pgUser, systemUser, caseInsensitive)) return { ok: true };
    return {
      ok: false,
      log: [{ level: 'LOG', message: fmt(SERVER.userNameMismatch, pgUser, systemUser) }],
    };
  }
  for (const line of lines) {
    if (line.mapName !== mapName) continue;
    let wanted = line.pgUser.string;
    if (line.regex) {
      const m = line.regex.exec(systemUser);
      if (!m) continue;
      const at = wanted.indexOf('\\1');
      if (at >= 0) {
        if (m[1] === undefined) {
          return {
            ok: false,
            log: [{ level: 'LOG', message: fmt(SERVER.identNoSubexpression, line.systemUser.string.slice(1), wanted) }],
          };
        }
        wanted = wanted.slice(0, at) + m[1] + wanted.slice(at + 2);
      }
    } else if (!same(line.systemUser.string, systemUser, caseInsensitive)) continue;
    if (pgUserMatches(line.pgUser, wanted, pgUser, caseInsensitive, version, opts.roles)) return { ok: true, line };
  }
  return {
    ok: false,
    log: [{ level: 'LOG', message: fmt(SERVER.noUsermapMatch, mapName, pgUser, systemUser) }],
  };
}

function pgUserMatches(tok: AuthToken, wanted: string, pgUser: string, ci: boolean, version: number, roles: string[] | undefined): boolean {
  if (version >= 16 && !tok.quoted) {
    if (tok.string === 'all') return true;
    if (tok.string.startsWith('+')) return (roles ?? []).includes(tok.string.slice(1));
    if (tok.string.startsWith('/')) {
      const r = compilePgRegex(tok.string.slice(1));
      return r.ok && r.regex.test(pgUser);
    }
  }
  return same(wanted, pgUser, ci);
}
