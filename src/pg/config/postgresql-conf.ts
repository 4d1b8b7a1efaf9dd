// postgresql.conf as PostgreSQL 15 reads it: the flex scanner of guc-file.l (longest match,
// earlier rule wins a tie), ParseConfigFp's "name [=] value" lines with include,
// include_if_exists and include_dir, and ProcessConfigFileInternal's checks (unrecognized
// names, duplicate settings, value validation). Two modes reproduce the two places a user
// sees the result: `startup` is the postmaster reading the file (LOG lines then FATAL
// `configuration file "..." contains errors`), `view` is the pg_file_settings view (no log,
// and a file is abandoned at its first syntax error because the view parses at DEBUG3).

import { CONFIG, fmt } from '../messages.js';
import type { LogLine } from '../log.js';
import type { SimFs } from '../fs.js';
import { PgConfigError } from './errors.js';
import { findGuc, type GucDef } from './guc-table.js';
import { absoluteConfigLocation, canonicalizePath, fromByteString, isAbsolutePath, joinPaths, toByteString } from './paths.js';

/** One entry of the parsed list: a setting, or an error recorded in place (name undefined). */
export interface ConfigItem {
  name?: string;
  value?: string;
  /** absolute path of the file holding it (undefined for an error about the main file itself) */
  file?: string;
  line: number;
  /** 1-based order, pg_file_settings.seqno */
  seqno: number;
  /** pg_file_settings.error */
  error?: string;
  /** what the server logs for this line's bad value (a reload logs it again, in file order) */
  errorLine?: LogLine;
  /** pg_file_settings.applied */
  applied: boolean;
  /** superseded by a later line with the same name */
  ignored: boolean;
}

export interface ParseConfOptions {
  /**
   * how the result is used: postmaster start-up (default), a reload (SIGHUP: one pass, and
   * errors end with LOG "...; no changes were applied" / "...; unaffected changes were
   * applied" instead of FATAL), or the pg_file_settings view
   */
  mode?: 'startup' | 'reload' | 'view';
  /** PGDATA: relative top-level paths resolve here, and postgresql.auto.conf is read from it */
  dataDir?: string;
  /** read PGDATA/postgresql.auto.conf after the main file (default true when dataDir is set) */
  readAutoConf?: boolean;
  /** the server's major: which parameters it recognizes */
  pgVersion: number;
}

export interface ParsedConf {
  /** the canonical absolute path of the main file */
  file: string;
  items: ConfigItem[];
  /** what the postmaster logs at start-up (empty in view mode) */
  log: LogLine[];
  /** false when the server would refuse the file (start-up FATAL) */
  ok: boolean;
  /**
   * At start-up, a main file that cannot be stat()ed stops the postmaster before any
   * logging, with this line on stderr (and exit code 2).
   */
  stderr?: string;
  /** effective value of every applied setting, by lower-case name, with where it came from */
  settings: Map<string, { name: string; value: string; file?: string; line: number }>;
}

const CONF_FILE_MAX_DEPTH = 10;
const MAX_SYNTAX_ERRORS = 100;

// ---------------------------------------------------------------------------------------
// Scanner (guc-file.l)

const Tok = {
  EOF: 0,
  ID: 1,
  STRING: 2,
  INTEGER: 3,
  REAL: 4,
  EQUALS: 5,
  UNQUOTED_STRING: 6,
  QUALIFIED_ID: 7,
  EOL: 99,
  ERROR: 100,
} as const;
type Tok = (typeof Tok)[keyof typeof Tok];

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetterOrDigit = (c: number) => isLetter(c) || isDigit(c);
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isUnitLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSign = (c: number) => c === 43 || c === 45;

class Scanner {
  pos = 0;
  line = 1;
  text = '';
  constructor(private readonly s: string) {}

  private c(i: number): number {
    return i < this.s.length ? this.s.charCodeAt(i) : -1;
  }

  private idLen(p: number): number {
    if (!isLetter(this.c(p))) return 0;
    let q = p + 1;
    while (isLetterOrDigit(this.c(q))) q++;
    return q - p;
  }

  private unquotedLen(p: number): number {
    if (!isLetter(this.c(p))) return 0;
    let q = p + 1;
    for (;;) {
      const ch = this.c(q);
      if (isLetterOrDigit(ch) || ch === 45 || ch === 46 || ch === 95 || ch === 58 || ch === 47) q++;
      else break;
    }
    return q - p;
  }

  /** \'([^'\\\n]|\\.|\'\')*\' : the longest end of a match, 0 if none. */
  private stringLen(p: number): number {
    if (this.c(p) !== 39) return 0;
    let q = p + 1;
    let best = 0;
    for (;;) {
      const ch = this.c(q);
      if (ch === -1 || ch === 10) return best;
      if (ch === 39) {
        best = q + 1 - p;
        if (this.c(q + 1) === 39) {
          q += 2;
          continue;
        }
        return best;
      }
      if (ch === 92) {
        const n = this.c(q + 1);
        if (n === -1 || n === 10) return best;
        q += 2;
        continue;
      }
      q++;
    }
  }

  private integerLen(p: number): number {
    let q = p;
    if (isSign(this.c(q))) q++;
    const units = (r: number) => {
      while (isUnitLetter(this.c(r))) r++;
      return r;
    };
    let best = 0;
    let d = q;
    while (isDigit(this.c(d))) d++;
    if (d > q) best = units(d) - p;
    if (this.c(q) === 48 && this.c(q + 1) === 120 && isHex(this.c(q + 2))) {
      let h = q + 2;
      while (isHex(this.c(h))) h++;
      best = Math.max(best, units(h) - p);
    }
    return best;
  }

  private realLen(p: number): number {
    let q = p;
    if (isSign(this.c(q))) q++;
    while (isDigit(this.c(q))) q++;
    if (this.c(q) !== 46) return 0;
    q++;
    while (isDigit(this.c(q))) q++;
    const e = this.c(q);
    if (e === 69 || e === 101) {
      let r = q + 1;
      if (isSign(this.c(r))) r++;
      const ds = r;
      while (isDigit(this.c(r))) r++;
      if (r > ds) q = r;
    }
    return q - p;
  }

  next(): Tok {
    for (;;) {
      const p = this.pos;
      const ch = this.c(p);
      if (ch === -1) {
        this.text = '';
        return Tok.EOF;
      }
      if (ch === 10) {
        this.pos++;
        this.line++;
        this.text = '\n';
        return Tok.EOL;
      }
      if (ch === 32 || ch === 9 || ch === 13) {
        let q = p + 1;
        while ([32, 9, 13].includes(this.c(q))) q++;
        this.pos = q;
        continue;
      }
      if (ch === 35) {
        let q = p + 1;
        while (this.c(q) !== 10 && this.c(q) !== -1) q++;
        this.pos = q;
        continue;
      }
      // flex: longest match wins; on a tie the rule listed first wins
      const id = this.idLen(p);
      let qid = 0;
      if (id && this.c(p + id) === 46) {
        const id2 = this.idLen(p + id + 1);
        if (id2) qid = id + 1 + id2;
      }
      const candidates: [Tok, number][] = [
        [Tok.ID, id],
        [Tok.QUALIFIED_ID, qid],
        [Tok.STRING, this.stringLen(p)],
        [Tok.UNQUOTED_STRING, this.unquotedLen(p)],
        [Tok.INTEGER, this.integerLen(p)],
        [Tok.REAL, this.realLen(p)],
        [Tok.EQUALS, ch === 61 ? 1 : 0],
      ];
      let tok: Tok = Tok.ERROR;
      let len = 1;
      let best = 0;
      for (const [t, l] of candidates) {
        if (l > best) {
          best = l;
          tok = t;
          len = l;
        }
      }
      this.text = this.s.slice(p, p + len);
      this.pos = p + len;
      return tok;
    }
  }
}

/** DeescapeQuotedString: strip the quotes, collapse '' and backslash escapes. */
export function deescapeQuotedString(s: string): string {
  let out = '';
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      i++;
      const e = body[i];
      if (e === undefined) break;
      const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (simple[e] !== undefined) out += simple[e];
      else if (e >= '0' && e <= '7') {
        let k = 0;
        let v = 0;
        while (k < 3 && body[i + k] !== undefined && body[i + k] >= '0' && body[i + k] <= '7') {
          v = (v << 3) + (body.charCodeAt(i + k) - 48);
          k++;
        }
        i += k - 1;
        out += String.fromCharCode(v & 0xff);
      } else out += e;
    } else if (ch === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
    } else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// ParseConfigFile / ParseConfigFp / ParseConfigDirectory

interface ParseState {
  fs: SimFs;
  items: ConfigItem[];
  log: LogLine[];
  view: boolean;
  pgVersion: number;
}

function record(st: ParseState, error: string, file: string | undefined, line: number): void {
  st.items.push({ file: file === undefined ? undefined : fromByteString(file), line, seqno: 0, error, applied: false, ignored: true });
}

function logAt(st: ParseState, message: string, extra: Partial<LogLine> = {}): void {
  if (!st.view) st.log.push({ level: 'LOG', message, ...extra });
}

function readText(fs: SimFs, path: string): string | undefined {
  const st = fs.stat(path);
  if (!st?.isFile) return undefined;
  const b = fs.read(path);
  return b === undefined ? undefined : toByteString(b);
}

function isBlank(s: string): boolean {
  return /^[ \t\r\n]*$/.test(s);
}

function parseConfigFile(
  st: ParseState,
  configFile: string,
  strict: boolean,
  callingFile: string | undefined,
  callingLine: number,
  depth: number,
  baseDir: string,
): boolean {
  const shown = fromByteString(configFile);
  if (isBlank(configFile)) {
    logAt(st, fmt(CONFIG.emptyConfigurationFileName, shown));
    record(st, fmt(CONFIG.emptyFileNameView), callingFile, callingLine);
    return false;
  }
  if (depth > CONF_FILE_MAX_DEPTH) {
    logAt(st, fmt(CONFIG.couldOpenConfigurationFileMaximum, shown));
    record(st, fmt(CONFIG.nestingDepthExceeded), callingFile, callingLine);
    return false;
  }
  const abs = absoluteConfigLocation(configFile, callingFile, baseDir);
  const absShown = fromByteString(abs);
  if (callingFile && abs === callingFile) {
    logAt(st, fmt(CONFIG.configurationFileRecursion, fromByteString(callingFile)));
    record(st, fmt(CONFIG.recursionView), callingFile, callingLine);
    return false;
  }
  const text = readText(st.fs, absShown);
  if (text === undefined) {
    if (strict) {
      logAt(st, fmt(CONFIG.couldOpenConfigurationFile, absShown, errnoText(st.fs, absShown)));
      record(st, fmt(CONFIG.couldOpenFileView, absShown), callingFile, callingLine);
      return false;
    }
    // at LOG whatever elevel is, so start-up shows it
    if (!st.view) st.log.push({ level: 'LOG', message: fmt(CONFIG.skippingMissingConfigurationFile, absShown) });
    return true;
  }
  return parseConfigFp(st, text, abs, depth, baseDir);
}

function errnoText(fs: SimFs, path: string): string {
  const s = fs.stat(path);
  if (s?.isDir) return 'Is a directory';
  if (s) return 'Permission denied';
  return 'No such file or directory';
}

function parseConfigDirectory(
  st: ParseState,
  includeDir: string,
  callingFile: string,
  callingLine: number,
  depth: number,
  baseDir: string,
): boolean {
  if (isBlank(includeDir)) {
    logAt(st, fmt(CONFIG.emptyConfigurationDirectoryName, fromByteString(includeDir)));
    record(st, fmt(CONFIG.emptyDirNameView), callingFile, callingLine);
    return false;
  }
  const dir = fromByteString(absoluteConfigLocation(includeDir, callingFile, baseDir));
  const names = st.fs.list(dir);
  if (!names) {
    logAt(st, fmt(CONFIG.couldOpenConfigurationDirectory, dir, errnoText(st.fs, dir)));
    record(st, fmt(CONFIG.couldOpenDirectoryView, dir), callingFile, callingLine);
    return false;
  }
  const files: string[] = [];
  for (const name of names) {
    if (name.length < 6 || name.startsWith('.') || !name.endsWith('.conf')) continue;
    const full = joinPaths(dir, name);
    const s = st.fs.stat(full);
    if (!s) {
      logAt(st, fmt(CONFIG.couldStatFileNoSuch, full));
      record(st, fmt(CONFIG.couldStatFile, full), callingFile, callingLine);
      return false;
    }
    if (!s.isDir) files.push(full);
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const f of files) {
    if (!parseConfigFile(st, toByteString(f), true, callingFile, callingLine, depth, baseDir)) return false;
  }
  return true;
}

const VALUE_TOKENS = new Set<Tok>([Tok.ID, Tok.STRING, Tok.INTEGER, Tok.REAL, Tok.UNQUOTED_STRING]);

function parseConfigFp(st: ParseState, text: string, configFile: string, depth: number, baseDir: string): boolean {
  const sc = new Scanner(text);
  const fileShown = fromByteString(configFile);
  let ok = true;
  let errorCount = 0;
  let token: Tok;
  while ((token = sc.next()) !== Tok.EOF) {
    if (token === Tok.EOL) continue;
    let failed = false;
    let name = '';
    let value = '';
    if (token !== Tok.ID && token !== Tok.QUALIFIED_ID) failed = true;
    else {
      name = sc.text;
      token = sc.next();
      if (token === Tok.EQUALS) token = sc.next();
      if (!VALUE_TOKENS.has(token)) failed = true;
      else {
        value = token === Tok.STRING ? deescapeQuotedString(sc.text) : sc.text;
        token = sc.next();
        if (token !== Tok.EOL) {
          if (token !== Tok.EOF) failed = true;
          // EOF counts as a newline for line numbering (PostgreSQL bug 4752)
          else sc.line++;
        }
      }
    }
    if (!failed) {
      const line = sc.line - 1;
      const lname = name.toLowerCase();
      if (lname === 'include_dir') {
        if (!parseConfigDirectory(st, value, configFile, line, depth + 1, baseDir)) ok = false;
      } else if (lname === 'include_if_exists') {
        if (!parseConfigFile(st, value, false, configFile, line, depth + 1, baseDir)) ok = false;
      } else if (lname === 'include') {
        if (!parseConfigFile(st, value, true, configFile, line, depth + 1, baseDir)) ok = false;
      } else {
        st.items.push({
          name: fromByteString(name),
          value: fromByteString(value),
          file: fileShown,
          line,
          seqno: 0,
          applied: false,
          ignored: false,
        });
      }
      if (token === Tok.EOF) break;
      continue;
    }
    // parse_error
    if (token === Tok.EOL || token === Tok.EOF) {
      logAt(st, fmt(CONFIG.syntaxErrorNearEol, fileShown, sc.line - 1));
      record(st, fmt(CONFIG.syntaxError), fileShown, sc.line - 1);
    } else {
      logAt(st, fmt(CONFIG.syntaxErrorNearToken, fileShown, sc.line, fromByteString(sc.text)));
      record(st, fmt(CONFIG.syntaxError), fileShown, sc.line);
    }
    ok = false;
    errorCount++;
    if (errorCount >= MAX_SYNTAX_ERRORS || st.view) {
      logAt(st, fmt(CONFIG.tooManySyntaxErrorsFound, fileShown));
      break;
    }
    while (token !== Tok.EOL && token !== Tok.EOF) token = sc.next();
    if (token === Tok.EOF) break;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------
// Values (parse_bool, parse_int, enums) and ProcessConfigFileInternal

/** parse_bool: on/off, true/false, yes/no, 1/0 and unique prefixes, case-insensitive. */
export function parsePgBool(value: string): boolean | undefined {
  const v = value.toLowerCase();
  const n = v.length;
  if (n === 0) return undefined;
  const prefixOf = (word: string, min = 1) => n >= min && n <= word.length && word.startsWith(v);
  switch (v[0]) {
    case 't':
      return prefixOf('true') ? true : undefined;
    case 'f':
      return prefixOf('false') ? false : undefined;
    case 'y':
      return prefixOf('yes') ? true : undefined;
    case 'n':
      return prefixOf('no') ? false : undefined;
    case 'o':
      // "o" alone is ambiguous
      if (prefixOf('on', 2)) return true;
      if (prefixOf('off', 2)) return false;
      return undefined;
    case '1':
      return n === 1 ? true : undefined;
    case '0':
      return n === 1 ? false : undefined;
    default:
      return undefined;
  }
}

/** parse_int for a unitless parameter: strtol base 0, else a float rounded; trailing blanks ok. */
export function parsePgInt(value: string): number | undefined {
  const m = /^[ \t\n\r\f\v]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(value);
  let n: number | undefined;
  let rest = '';
  if (m) {
    const digits = m[2];
    const mag = /^0[xX]/.test(digits)
      ? parseInt(digits.slice(2), 16)
      : digits.length > 1 && digits[0] === '0'
        ? parseInt(digits, 8)
        : parseInt(digits, 10);
    n = m[1] === '-' ? -mag : mag;
    rest = value.slice(m[0].length);
    if (/^[.eE]/.test(rest)) n = undefined;
  }
  if (n === undefined) {
    const f = /^[ \t\n\r\f\v]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(value);
    if (!f) return undefined;
    const d = Number(f[1]);
    if (!Number.isFinite(d)) return undefined;
    n = Math.round(d);
    rest = value.slice(f[0].length);
  }
  if (!/^[ \t\n\r\f\v]*$/.test(rest)) return undefined;
  if (n > 2147483647 || n < -2147483648) return undefined;
  return n;
}

/** Check one value the way set_config_option would at start-up: the LogLine on failure. */
export function checkGucValue(def: GucDef, name: string, value: string): LogLine | undefined {
  if (def.context === 'internal') return { level: 'LOG', message: fmt(CONFIG.parameterCannotChanged, name) };
  switch (def.type) {
    case 'bool':
      return parsePgBool(value) === undefined ? { level: 'LOG', message: fmt(CONFIG.parameterRequiresBooleanValue, name) } : undefined;
    case 'enum': {
      if (!def.enumValues) return undefined;
      if (def.enumValues.some((e) => e.toLowerCase() === value.toLowerCase())) return undefined;
      return {
        level: 'LOG',
        message: fmt(CONFIG.invalidValueParameter, name, value),
        hint: fmt(CONFIG.availableValues, def.enumValues.join(', ')),
      };
    }
    case 'integer': {
      if (def.min === undefined || def.max === undefined) return undefined;
      const n = parsePgInt(value);
      if (n === undefined) return { level: 'LOG', message: fmt(CONFIG.invalidValueParameter, name, value) };
      if (n < def.min || n > def.max) return { level: 'LOG', message: fmt(CONFIG.outsideRange, n, name, def.min, def.max) };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** valid_custom_variable_name: dot-separated identifiers, at least one dot. */
function validCustomName(name: string): boolean {
  const parts = name.split('.');
  if (parts.length < 2) return false;
  return parts.every((p) => /^[A-Za-z_\x80-\uffff][A-Za-z_0-9$\x80-\uffff]*$/.test(p));
}

/**
 * Read a postgresql.conf (and what it includes) the way the PostgreSQL 15 server does.
 * `file` must be absolute (or relative to `dataDir`).
 */
export function parsePostgresqlConf(fs: SimFs, file: string, opts: ParseConfOptions): ParsedConf {
  const view = opts.mode === 'view';
  const baseDir = opts.dataDir ?? '/';
  if (!isAbsolutePath(file) && !opts.dataDir) throw new PgConfigError('BAD_ARGUMENT', `configuration file path must be absolute: ${file}`);
  const main = canonicalizePath(isAbsolutePath(file) ? file : joinPaths(baseDir, file));
  const parse = (withAuto: boolean) => {
    const st: ParseState = { fs, items: [], log: [], view, pgVersion: opts.pgVersion };
    let ok = parseConfigFile(st, toByteString(main), true, undefined, 0, 0, baseDir);
    let errorFile = main;
    if (ok && withAuto && opts.dataDir && opts.readAutoConf !== false) {
      const auto = joinPaths(opts.dataDir, 'postgresql.auto.conf');
      ok = parseConfigFile(st, toByteString(auto), false, undefined, 0, 0, baseDir);
      if (!ok) errorFile = auto;
    }
    return { st, ok, errorFile };
  };
  // The postmaster reads the file twice (SelectConfigFiles): first without
  // postgresql.auto.conf, keeping only data_directory, so that pass reports parse errors
  // only (and is fatal on them); then again with it, checking names and values. Messages of
  // a successful parse (skipping missing files) therefore appear twice in the log.
  let first: ReturnType<typeof parse> | undefined;
  if (!view && !fs.stat(main)) {
    return {
      file: main,
      items: [],
      log: [],
      ok: false,
      settings: new Map(),
      stderr: fmt(CONFIG.noConfigFile, main),
    };
  }
  const mode = opts.mode ?? 'startup';
  if (mode === 'startup') {
    first = parse(false);
    if (!first.ok) return finish(first.st, 'none', first.errorFile, main, mode);
  }
  const second = parse(true);
  const st = second.st;
  if (first) st.log = [...first.st.log, ...st.log];
  let error = !second.ok;
  let errorFile = second.errorFile;
  // a parse error or an unknown name applies nothing; bad values fail only their own lines
  let applied: 'none' | 'unaffected' = 'none';

  if (!error) {
    // mark duplicates (exact-name match, as the server compares with strcmp) and unknown names
    const seen = new Set<string>();
    for (let i = 0; i < st.items.length; i++) {
      const item = st.items[i];
      if (item.name === undefined) continue;
      const def = findGuc(item.name, st.pgVersion);
      if (def) {
        if (seen.has(def.name)) {
          for (let j = 0; j < i; j++) {
            const p = st.items[j];
            if (!p.ignored && p.name === item.name) p.ignored = true;
          }
        }
        seen.add(def.name);
      } else if (!validCustomName(item.name)) {
        logAt(st, fmt(CONFIG.unrecognizedConfigurationParameterFileLine, item.name, String(item.file), item.line));
        item.error = fmt(CONFIG.unrecognizedConfigurationParameter);
        error = true;
        errorFile = item.file ?? main;
      }
    }
  }

  if (!error) {
    applied = 'unaffected';
    for (const item of st.items) {
      if (item.name === undefined || item.ignored) continue;
      const def = findGuc(item.name, st.pgVersion);
      const bad = def ? checkGucValue(def, item.name, item.value ?? '') : undefined;
      if (bad) {
        if (!view) st.log.push(bad);
        item.error = fmt(CONFIG.settingCouldApplied);
        item.errorLine = bad;
        error = true;
        errorFile = item.file ?? main;
      } else item.applied = true;
    }
  }

  // A failed parse or an unknown name stops before anything is applied; a bad value only
  // fails its own line (applied stays true for the others, as pg_file_settings shows).
  return finish(st, error ? applied : false, errorFile, main, mode);
}

/** `error`: false, or what an erroneous file still applied (which the reload message names). */
function finish(
  st: ParseState,
  error: false | 'none' | 'unaffected',
  errorFile: string,
  main: string,
  mode: 'startup' | 'reload' | 'view',
): ParsedConf {
  st.items.forEach((it, i) => {
    it.seqno = i + 1;
  });
  if (error && mode === 'startup') st.log.push({ level: 'FATAL', message: fmt(CONFIG.configFileErrors, errorFile) });
  if (error && mode === 'reload')
    st.log.push({
      level: 'LOG',
      message: fmt(CONFIG.configFileErrorsApplied, errorFile, error === 'none' ? 'no' : 'unaffected'),
    });
  const settings: ParsedConf['settings'] = new Map();
  for (const it of st.items) {
    if (it.applied && it.name !== undefined) {
      settings.set(it.name.toLowerCase(), { name: it.name, value: it.value ?? '', file: it.file, line: it.line });
    }
  }
  return { file: main, items: st.items, log: st.log, ok: !error, settings };
}
