// libpq's connection-string parsers (fe-connect.c): conninfo_parse for `key = value` lists
// (values bare with backslash escapes, or 'single quoted'), conninfo_uri_parse for
// postgresql:// and postgres:// URIs (user:password@, comma-separated host[:port] lists,
// [IPv6], /dbname, ?key=value with percent-encoding), and conninfo_storeval's
// requiressl=1 translation. Like PQconninfoParse, the result holds only what the string sets;
// defaults and environment variables are resolve.ts's job. Errors carry libpq's exact text.

import { ConninfoError } from './errors.js';
import { LIBPQ } from '../messages.js';
import { findConninfoOption, MAX_PG_VERSION, MIN_PG_VERSION, DEFAULT_PG_VERSION } from './options.js';

/** The options a connection string sets, keyword -> value, in the order first set. */
export type ConninfoValues = Record<string, string>;

export interface ConninfoParseOptions {
  /** libpq major version, 13..18 (default DEFAULT_PG_VERSION): decides which keywords exist */
  pgVersion?: number;
}

const URI_DESIGNATORS = ['postgresql://', 'postgres://'];

/** uri_prefix_length: the length of a postgresql:// or postgres:// prefix, else 0. */
export function uriPrefixLength(s: string): number {
  for (const d of URI_DESIGNATORS) if (s.startsWith(d)) return d.length;
  return 0;
}

/** recognized_connection_string: a URI, or anything with an "=" (else it is a database name). */
export function isConnectionString(s: string): boolean {
  return uriPrefixLength(s) !== 0 || s.includes('=');
}

function checkVersion(v: number): number {
  if (!Number.isInteger(v) || v < MIN_PG_VERSION || v > MAX_PG_VERSION)
    throw new ConninfoError('BAD_ARGUMENT', `unsupported libpq version ${v} (pgtls knows ${MIN_PG_VERSION}..${MAX_PG_VERSION})`);
  return v;
}

// C isspace in the C locale
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** C strings end at NUL; libpq never sees what follows. */
const cString = (s: string) => {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
};

/** conninfo_uri_decode. */
export function uriDecode(str: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < str.length; ) {
    if (str[i] !== '%') {
      const cp = str.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      bytes.push(...enc.encode(ch));
      i += ch.length;
      continue;
    }
    const h = str.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(h)) throw new ConninfoError('SYNTAX', `invalid percent-encoded token: "${str}"`);
    const c = parseInt(h, 16);
    if (c === 0) throw new ConninfoError('SYNTAX', `forbidden value %00 in percent-encoded value: "${str}"`);
    bytes.push(c);
    i += 3;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** conninfo_storeval: requiressl is translated; an unknown keyword is an error unless ignoreMissing. */
function storeval(out: ConninfoValues, keyword: string, value: string, version: number, ignoreMissing: boolean, decode: boolean): boolean {
  let kw = keyword;
  let val = value;
  if (kw === 'requiressl') {
    kw = 'sslmode';
    val = val[0] === '1' ? 'require' : 'prefer';
  }
  if (!findConninfoOption(kw, version)) {
    if (ignoreMissing) return false;
    throw ConninfoError.of('UNKNOWN_OPTION', LIBPQ.invalidConnOption, kw);
  }
  out[kw] = decode ? uriDecode(val) : val;
  return true;
}

/** conninfo_parse: whitespace-separated keyword = value pairs. */
function parseKeywordValue(input: string, version: number): ConninfoValues {
  const s = cString(input);
  const out: ConninfoValues = {};
  let i = 0;
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++;
      continue;
    }
    const nameStart = i;
    let nameEnd = -1;
    while (i < s.length) {
      if (s[i] === '=') break;
      if (isSpace(s[i])) {
        nameEnd = i;
        while (i < s.length && isSpace(s[i])) i++;
        break;
      }
      i++;
    }
    const pname = s.slice(nameStart, nameEnd >= 0 ? nameEnd : i);
    if (s[i] !== '=') throw ConninfoError.of('SYNTAX', LIBPQ.missingEquals, pname);
    i++;
    while (i < s.length && isSpace(s[i])) i++;
    let pval = '';
    if (s[i] !== "'") {
      while (i < s.length) {
        if (isSpace(s[i])) {
          i++;
          break;
        }
        if (s[i] === '\\') {
          i++;
          if (i < s.length) pval += s[i++];
        } else pval += s[i++];
      }
    } else {
      i++;
      for (;;) {
        if (i >= s.length) throw new ConninfoError('SYNTAX', 'unterminated quoted string in connection info string');
        if (s[i] === '\\') {
          i++;
          if (i < s.length) pval += s[i++];
          continue;
        }
        if (s[i] === "'") {
          i++;
          break;
        }
        pval += s[i++];
      }
    }
    storeval(out, pname, pval, version, false, false);
  }
  return out;
}

/** conninfo_uri_parse_options. */
function parseUri(input: string, version: number): ConninfoValues {
  const uri = cString(input);
  const out: ConninfoValues = {};
  const prefix = uriPrefixLength(uri);
  let p = prefix;
  const ch = (i: number) => (i < uri.length ? uri[i] : '\0');

  // user[:password]@ when an @ comes before the first /
  let q = p;
  while (ch(q) !== '\0' && ch(q) !== '@' && ch(q) !== '/') q++;
  if (ch(q) === '@') {
    let e = p;
    while (ch(e) !== ':' && ch(e) !== '@') e++;
    const user = uri.slice(p, e);
    if (user) storeval(out, 'user', user, version, false, true);
    if (ch(e) === ':') {
      const pwStart = e + 1;
      while (ch(e) !== '@') e++;
      const password = uri.slice(pwStart, e);
      if (password) storeval(out, 'password', password, version, false, true);
    }
    p = e + 1;
  }

  const hosts: string[] = [];
  const ports: string[] = [];
  let prevchar = '\0';
  for (;;) {
    let host: string;
    if (ch(p) === '[') {
      const hs = ++p;
      while (ch(p) !== '\0' && ch(p) !== ']') p++;
      if (ch(p) === '\0')
        throw new ConninfoError('SYNTAX', `end of string reached when looking for matching "]" in IPv6 host address in URI: "${uri}"`);
      if (p === hs) throw new ConninfoError('SYNTAX', `IPv6 host address may not be empty in URI: "${uri}"`);
      host = uri.slice(hs, p);
      p++;
      const c = ch(p);
      if (c !== '\0' && c !== ':' && c !== '/' && c !== '?' && c !== ',')
        throw new ConninfoError('SYNTAX', `unexpected character "${c}" at position ${p + 1} in URI (expected ":" or "/"): "${uri}"`);
    } else {
      const hs = p;
      while (!['\0', ':', '/', '?', ','].includes(ch(p))) p++;
      host = uri.slice(hs, p);
    }
    prevchar = ch(p);
    hosts.push(host);
    let port = '';
    if (prevchar === ':') {
      const ps = ++p;
      while (!['\0', '/', '?', ','].includes(ch(p))) p++;
      port = uri.slice(ps, p);
      prevchar = ch(p);
    }
    ports.push(port);
    if (prevchar !== ',') break;
    p++;
  }
  const hostStr = hosts.join(',');
  // like libpq's buffers: a comma per extra host, so "h1:1,h2" stores port "1," and
  // "h1,h2" stores port ","
  const portStr = ports.join(',');
  if (hostStr) storeval(out, 'host', hostStr, version, false, true);
  if (portStr !== '') storeval(out, 'port', portStr, version, false, true);

  if (prevchar !== '\0' && prevchar !== '?') {
    const ds = ++p;
    while (ch(p) !== '\0' && ch(p) !== '?') p++;
    const dbname = uri.slice(ds, p);
    prevchar = ch(p);
    if (dbname) storeval(out, 'dbname', dbname, version, false, true);
  }
  if (prevchar !== '\0') parseUriParams(uri.slice(p + 1), out, version);
  return out;
}

/** conninfo_uri_parse_params: key=value&... with the JDBC-style ssl=true alias. */
function parseUriParams(params: string, out: ConninfoValues, version: number): void {
  let rest = params;
  while (rest.length > 0) {
    const amp = rest.indexOf('&');
    const pair = amp < 0 ? rest : rest.slice(0, amp);
    rest = amp < 0 ? '' : rest.slice(amp + 1);
    const eq = pair.indexOf('=');
    if (eq < 0) throw new ConninfoError('SYNTAX', `missing key/value separator "=" in URI query parameter: "${pair}"`);
    if (pair.indexOf('=', eq + 1) >= 0)
      throw new ConninfoError('SYNTAX', `extra key/value separator "=" in URI query parameter: "${pair.slice(0, eq)}"`);
    let keyword = uriDecode(pair.slice(0, eq));
    let value = uriDecode(pair.slice(eq + 1));
    if (keyword === 'ssl' && value === 'true') {
      keyword = 'sslmode';
      value = 'require';
    }
    if (!storeval(out, keyword, value, version, true, false))
      throw new ConninfoError('UNKNOWN_OPTION', `invalid URI query parameter: "${keyword}"`);
  }
}

/**
 * PQconninfoParse: the options a keyword=value string or a postgresql:// URI sets.
 * Throws ConninfoError with libpq's message for anything libpq rejects while parsing.
 */
export function parseConninfo(conninfo: string, opts: ConninfoParseOptions = {}): ConninfoValues {
  const version = checkVersion(opts.pgVersion ?? DEFAULT_PG_VERSION);
  return uriPrefixLength(conninfo) ? parseUri(conninfo, version) : parseKeywordValue(conninfo, version);
}
