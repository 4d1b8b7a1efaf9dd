// The tokenizer PostgreSQL shares between pg_hba.conf and pg_ident.conf (tokenize_auth_file,
// next_field_expand and next_token in hba.c): backslash line continuation, blank/comma
// separated tokens, "double quoted" tokens with "" for a quote, # comments, and @file
// inclusion that splices the tokens of another file into one field. From 16 on the same
// files also take `include`, `include_if_exists` and `include_dir` lines. Files are
// scanned as byte strings; tokens are turned back into display text at the end.

import { CONFIG, fmt } from '../messages.js';
import type { LogLine } from '../log.js';
import type { SimFs } from '../fs.js';
import { lineContext } from './errors.js';
import { absoluteConfigLocation, fromByteString, joinPaths, toByteString } from './paths.js';

export interface AuthToken {
  string: string;
  /** written in double quotes (keywords such as all/sameuser then lose their meaning) */
  quoted: boolean;
}

export interface TokenizedAuthLine {
  /** each field is the comma list of tokens written in that column */
  fields: AuthToken[][];
  /** first physical line of the logical line (continuations count) */
  lineNum: number;
  rawLine: string;
  /** the file this line was read from (differs from the top file for PG 16 includes) */
  file: string;
  /** pg_hba_file_rules.error / pg_ident_file_mappings.error text */
  errMsg?: string;
}

export interface TokenizeOptions {
  pgVersion: number;
  /** collect LOG lines (start-up); omit for the views, which parse at DEBUG3 */
  log?: LogLine[];
}

/** hba.c MAX_TOKEN: a token may hold MAX_TOKEN - 1 bytes. */
export const MAX_TOKEN = 10240;
/** guc.h CONF_FILE_MAX_DEPTH, used by 16's include records; pgtls also bounds @file with it. */
const MAX_DEPTH = 10;

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r';

interface Cursor {
  s: string;
  i: number;
}
const at = (cur: Cursor): string => (cur.i < cur.s.length ? cur.s[cur.i] : '\0');

interface TokenResult {
  got: boolean;
  token: string;
  initialQuote: boolean;
  terminatingComma: boolean;
  error?: { log: string; errMsg: string };
}

/** next_token: one token out of the line, advancing the cursor past it. */
function nextToken(cur: Cursor): TokenResult {
  let inQuote = false;
  let wasQuote = false;
  let sawQuote = false;
  let initialQuote = false;
  let terminatingComma = false;
  let buf = '';
  let c = at(cur);
  cur.i++;
  while (c !== '\0' && (isBlank(c) || c === ',')) {
    c = at(cur);
    cur.i++;
  }
  while (c !== '\0' && (!isBlank(c) || inQuote)) {
    if (c === '#' && !inQuote) {
      cur.i = cur.s.length + 1;
      break;
    }
    if (buf.length >= MAX_TOKEN - 1) {
      cur.i = cur.s.length;
      return {
        got: false,
        token: buf,
        initialQuote,
        terminatingComma,
        error: {
          log: fmt(CONFIG.tokenTooLong, fromByteString(buf)),
          errMsg: fmt(CONFIG.tokenTooLongView),
        },
      };
    }
    if (c === ',' && !inQuote) {
      terminatingComma = true;
      break;
    }
    if (c !== '"' || wasQuote) buf += c;
    if (inQuote && c === '"') wasQuote = !wasQuote;
    else wasQuote = false;
    if (c === '"') {
      inQuote = !inQuote;
      sawQuote = true;
      if (buf.length === 0) initialQuote = true;
    }
    c = at(cur);
    cur.i++;
  }
  cur.i--;
  return { got: sawQuote || buf.length > 0, token: buf, initialQuote, terminatingComma };
}

interface Ctx {
  fs: SimFs;
  opts: TokenizeOptions;
}

function logLine(ctx: Ctx, message: string, context?: string): void {
  ctx.opts.log?.push({ level: 'LOG', message, ...(context ? { context } : {}) });
}

function readBytes(fs: SimFs, path: string): string | undefined {
  const st = fs.stat(path);
  if (!st?.isFile) return undefined;
  const b = fs.read(path);
  return b === undefined ? undefined : toByteString(b);
}

function strerror(fs: SimFs, path: string): string {
  const st = fs.stat(path);
  if (st?.isDir) return 'Is a directory';
  if (st) return 'Permission denied';
  return 'No such file or directory';
}

/** @file: the flat token list of another file, relative to the including file's directory. */
function expandFile(ctx: Ctx, outer: string, inc: string, depth: number, line: number): { tokens: AuthToken[]; errMsg?: string } {
  const full = fromByteString(absoluteConfigLocation(inc, outer, '/'));
  const incShown = fromByteString(inc);
  const modern = ctx.opts.pgVersion >= 16;
  const ctxText = modern ? lineContext(line, fromByteString(outer)) : undefined;
  if (depth > MAX_DEPTH) {
    const msg = fmt(CONFIG.couldOpenFileMaximumNesting, full);
    logLine(ctx, msg, ctxText);
    return { tokens: [], errMsg: msg };
  }
  const text = readBytes(ctx.fs, full);
  if (text === undefined) {
    const msg = modern
      ? fmt(CONFIG.couldOpenFile, full, strerror(ctx.fs, full))
      : fmt(CONFIG.couldOpenSecondaryAuthenticationFile, incShown, full, strerror(ctx.fs, full));
    logLine(ctx, msg, ctxText);
    return { tokens: [], errMsg: msg };
  }
  const lines = tokenizeBytes(ctx, toByteString(full), text, depth);
  const tokens: AuthToken[] = [];
  for (const l of lines) {
    if (l.errMsg) return { tokens, errMsg: l.errMsg };
    for (const f of l.fields) tokens.push(...f);
  }
  return { tokens };
}

function nextFieldExpand(ctx: Ctx, file: string, cur: Cursor, depth: number, line: number): { tokens: AuthToken[]; errMsg?: string } {
  const tokens: AuthToken[] = [];
  for (;;) {
    const t = nextToken(cur);
    if (t.error) {
      logLine(ctx, t.error.log, ctx.opts.pgVersion >= 16 ? lineContext(line, fromByteString(file)) : undefined);
      return { tokens, errMsg: t.error.errMsg };
    }
    if (!t.got) break;
    if (!t.initialQuote && t.token.length > 1 && t.token[0] === '@') {
      const r = expandFile(ctx, file, t.token.slice(1), depth + 1, line);
      // the included tokens are already display text
      tokens.push(...r.tokens.map((x) => ({ ...x, string: toByteString(x.string) })));
      if (r.errMsg) return { tokens, errMsg: r.errMsg };
    } else tokens.push({ string: t.token, quoted: t.initialQuote });
    if (!t.terminatingComma) break;
  }
  return { tokens };
}

/** Physical lines joined by backslash continuations, C-string semantics (a NUL ends a line). */
function logicalLines(text: string, continuation: boolean): { text: string; lineNum: number }[] {
  const out: { text: string; lineNum: number }[] = [];
  let pos = 0;
  let lineNum = 1;
  while (pos < text.length) {
    let buf = '';
    let lastBackslash = 0;
    let continuations = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl + 1;
      buf += text.slice(pos, end);
      pos = end;
      const nul = buf.indexOf('\0');
      if (nul >= 0) buf = buf.slice(0, nul);
      buf = buf.replace(/[\r\n]+$/, '');
      if (continuation && buf.length > lastBackslash && buf.endsWith('\\')) {
        buf = buf.slice(0, -1);
        lastBackslash = buf.length;
        continuations++;
        continue;
      }
      break;
    }
    out.push({ text: buf, lineNum });
    lineNum += continuations + 1;
  }
  return out;
}

function tokenizeBytes(ctx: Ctx, file: string, text: string, depth: number): TokenizedAuthLine[] {
  const out: TokenizedAuthLine[] = [];
  const fileShown = fromByteString(file);
  for (const { text: lineText, lineNum } of logicalLines(text, ctx.opts.pgVersion >= 14)) {
    const cur: Cursor = { s: lineText, i: 0 };
    const fields: AuthToken[][] = [];
    let errMsg: string | undefined;
    while (cur.i < cur.s.length && errMsg === undefined) {
      const r = nextFieldExpand(ctx, file, cur, depth, lineNum);
      if (r.tokens.length) fields.push(r.tokens);
      errMsg = r.errMsg;
    }
    if (fields.length === 0 && errMsg === undefined) continue;
    if (ctx.opts.pgVersion >= 16 && errMsg === undefined && fields.length === 2) {
      const first = fields[0][0].string;
      const second = fields[1][0].string;
      if (first === 'include' || first === 'include_if_exists') {
        const inc = includeFile(ctx, file, second, depth + 1, first === 'include_if_exists', lineNum);
        if (inc.errMsg === undefined) {
          out.push(...inc.lines);
          continue;
        }
        errMsg = inc.errMsg;
      } else if (first === 'include_dir') {
        const dir = fromByteString(absoluteConfigLocation(second, file, '/'));
        const names = ctx.fs.list(dir);
        if (!names) {
          errMsg = fmt(CONFIG.couldOpenDirectory, dir, strerror(ctx.fs, dir));
          logLine(ctx, errMsg, lineContext(lineNum, fileShown));
        } else {
          const errs: string[] = [];
          const files = names
            .filter((n) => n.length >= 6 && !n.startsWith('.') && n.endsWith('.conf'))
            .map((n) => joinPaths(dir, n))
            .filter((p) => !ctx.fs.stat(p)?.isDir)
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          for (const f of files) {
            const inc = includeFile(ctx, file, toByteString(f), depth + 1, false, lineNum);
            out.push(...inc.lines);
            if (inc.errMsg) errs.push(inc.errMsg);
          }
          if (errs.length === 0) continue;
          errMsg = errs.join('\n');
        }
      }
    }
    out.push({
      fields: fields.map((f) => f.map((t) => ({ string: fromByteString(t.string), quoted: t.quoted }))),
      lineNum,
      rawLine: fromByteString(lineText),
      file: fileShown,
      errMsg,
    });
  }
  return out;
}

/** 16's include / include_if_exists: the lines of another file, in place. */
function includeFile(
  ctx: Ctx,
  outer: string,
  inc: string,
  depth: number,
  missingOk: boolean,
  line: number,
): { lines: TokenizedAuthLine[]; errMsg?: string } {
  const full = fromByteString(absoluteConfigLocation(inc, outer, '/'));
  const context = lineContext(line, fromByteString(outer));
  if (depth > MAX_DEPTH) {
    const msg = fmt(CONFIG.couldOpenFileMaximumNesting, full);
    logLine(ctx, msg, context);
    return { lines: [], errMsg: msg };
  }
  const text = readBytes(ctx.fs, full);
  if (text === undefined) {
    // open_auth_file logs its failure before tokenize_include_file looks at missing_ok
    // (real 16, 17, 18: both lines for a missing include_if_exists file)
    const msg = fmt(CONFIG.couldOpenFile, full, strerror(ctx.fs, full));
    logLine(ctx, msg, context);
    if (missingOk && !ctx.fs.stat(full)) {
      logLine(ctx, fmt(CONFIG.skippingMissingAuthenticationFile, full), context);
      return { lines: [] };
    }
    return { lines: [], errMsg: msg };
  }
  return { lines: tokenizeBytes(ctx, toByteString(full), text, depth) };
}

/**
 * Tokenize an authentication file the server has already opened (its contents given).
 * `file` is the absolute path, used for @file and include paths and in messages.
 */
export function tokenizeAuthFile(fs: SimFs, file: string, content: string | Uint8Array, opts: TokenizeOptions): TokenizedAuthLine[] {
  return tokenizeBytes({ fs, opts }, toByteString(file), toByteString(content), 0);
}

/**
 * How postmaster.c names the file when it cannot load it: "pg_hba.conf" up to 15, the
 * configured path (HbaFileName / IdentFileName) from 16 (real 16, 17 and 18 log
 * `FATAL:  could not load /path/to/data/pg_hba.conf`, 13 and 14 `could not load pg_hba.conf`).
 */
export function hbaFileLabel(path: string, pgVersion: number, base = 'pg_hba.conf'): string {
  return pgVersion >= 16 ? path : base;
}
