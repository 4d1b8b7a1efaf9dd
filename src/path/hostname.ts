// Host-name and IP checks against a server certificate, two ways:
//  (a) libpq's own rules (fe-secure-common.c pq_verify_peer_name_matches_certificate{,_name,_ip},
//      fe-secure-openssl.c pgtls_verify_peer_name_matches_certificate_guts), per PostgreSQL
//      major version, with libpq's exact messages. This is what `sslmode=verify-full` does.
//  (b) OpenSSL's X509_check_host (with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS) and X509_check_ip
//      (crypto/x509/v3_utl.c), which the limbo conformance harness uses.
// libpq never calls X509_check_host, so the two disagree on purpose (CN fallback with IP
// hosts, wildcard rules, embedded NULs).

import { OID } from '../der/index.js';
import type { Certificate, GeneralName } from '../x509/types.js';
import { IP_TEXT, formatIpAddress, parseIpAddress } from '../x509/ip-address.js';

// ---------------------------------------------------------------------------------------------
// Address text is src/x509/ip-address.ts's; these keep the path layer's names (null when the
// text is not an address of that kind).

/** glibc inet_aton, as libpq reads an IPv4 host ("127.1", "0x7f.0.0.1"; text after whitespace ignored). */
export function inetAton(s: string): Uint8Array | null {
  const a = parseIpAddress(s, IP_TEXT.libpqHost);
  return a?.family === 4 ? a.bytes : null;
}

/** inet_pton(AF_INET6). */
export function inetPton6(s: string): Uint8Array | null {
  const a = parseIpAddress(s, IP_TEXT.inetPton);
  return a?.family === 6 ? a.bytes : null;
}

/** pg_inet_net_ntop as libpq names certificate IPs (full length: no /N suffix). */
export const formatIp = (bytes: Uint8Array): string => formatIpAddress(bytes, 'inet_ntop');

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
};

// ---------------------------------------------------------------------------------------------
// (a) libpq

export type PgMajor = 13 | 14 | 15 | 16 | 17 | 18;

/** The rules of the nearest major pgtls models (a libpq before 13 as 13, after 18 as 18). */
export const asPgMajor = (version: number): PgMajor => Math.min(18, Math.max(13, Math.trunc(version))) as PgMajor;

/** libpq's messages (identical in 13..18; IP handling and CN fallback changed in 15). */
export const LIBPQ_HOST_MESSAGES = {
  noName: "could not get server's host name from server certificate",
  one: 'server certificate for "%s" does not match host name "%s"',
  manyOne: 'server certificate for "%s" (and %d other name) does not match host name "%s"',
  manyMore: 'server certificate for "%s" (and %d other names) does not match host name "%s"',
  embeddedNull: "SSL certificate's name contains embedded null",
  badIpLength: 'certificate contains IP address with invalid length %zu',
  noHost: 'host name must be specified for a verified SSL connection',
} as const;

/** Per version: does libpq look at iPAddress SANs, and when may the CN be used. */
export const LIBPQ_HOST_RULES: Record<PgMajor, { ipSans: boolean; cnFallback: 'no-dns-examined' | 'no-san-of-host-type' }> = {
  13: { ipSans: false, cnFallback: 'no-dns-examined' },
  // real libpq 14.23 says "could not get server's host name from server certificate" for a
  // certificate with only IP SANs, host=127.0.0.1 among them: IP SANs came in 15
  14: { ipSans: false, cnFallback: 'no-dns-examined' },
  15: { ipSans: true, cnFallback: 'no-san-of-host-type' },
  16: { ipSans: true, cnFallback: 'no-san-of-host-type' },
  17: { ipSans: true, cnFallback: 'no-san-of-host-type' },
  18: { ipSans: true, cnFallback: 'no-san-of-host-type' },
};

export interface LibpqHostResult {
  ok: boolean;
  /** libpq's error text when !ok (without the trailing newline) */
  message?: string;
  namesExamined: number;
  firstName?: string;
  /** which of LIBPQ_HOST_MESSAGES `message` is, with its arguments in order (for translating it) */
  why?: { id: keyof typeof LIBPQ_HOST_MESSAGES; args: (string | number)[] };
}

function pgStrcasecmpEq(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

/** libpq wildcard_certificate_match: `*.` then the rest, `*` matches one non-empty label. */
function pgWildcardMatch(pattern: string, host: string): boolean {
  const lenpat = pattern.length;
  const lenstr = host.length;
  if (lenpat < 3 || pattern[0] !== '*' || pattern[1] !== '.') return false;
  if (lenpat > lenstr) return false;
  if (!pgStrcasecmpEq(pattern.slice(1), host.slice(lenstr - lenpat + 1))) return false;
  const dot = host.indexOf('.');
  if (dot >= 0 && dot < lenstr - lenpat) return false;
  return true;
}

/** 1 match, 0 no match, -1 error (message set). */
function pgNameMatch(raw: string, host: string): { rc: number; name?: string; error?: string } {
  if (raw.includes('\0')) return { rc: -1, error: LIBPQ_HOST_MESSAGES.embeddedNull };
  const rc = pgStrcasecmpEq(raw, host) || pgWildcardMatch(raw, host) ? 1 : 0;
  return { rc, name: raw };
}

function pgIpMatch(ip: Uint8Array, host: string): { rc: number; name?: string; error?: string } {
  if (ip.length !== 4 && ip.length !== 16) {
    return { rc: -1, error: LIBPQ_HOST_MESSAGES.badIpLength.replace('%zu', String(ip.length)) };
  }
  // inet_aton for a 4-octet SAN, inet_pton(AF_INET6) for a 16-octet one: no text reads as both
  const a = parseIpAddress(host, IP_TEXT.libpqHost);
  const match = a !== undefined && a.bytes.length === ip.length && a.bytes.every((b, i) => b === ip[i]) ? 1 : 0;
  return { rc: match, name: formatIp(ip) };
}

function firstCnRaw(cert: Certificate): string | undefined {
  for (const rdn of cert.subject.rdns)
    for (const a of rdn)
      if (a.oid === OID.commonName) {
        const v = a.value;
        return 'raw' in v ? latin1(v.raw) : latin1(v.der);
      }
  return undefined;
}

function sanNames(cert: Certificate): GeneralName[] {
  return cert.ext.subjectAltName?.names ?? [];
}

/**
 * What libpq (sslmode=verify-full) decides for `host` against the server certificate.
 * `pgMajor` selects the version's rules (the caller's libpq major: no default, the rules
 * changed in 15).
 */
export function libpqVerifyHost(cert: Certificate, host: string, pgMajor: PgMajor): LibpqHostResult {
  if (!host) return { ok: false, message: LIBPQ_HOST_MESSAGES.noHost, namesExamined: 0 };
  const rules = LIBPQ_HOST_RULES[pgMajor];
  const isIp = rules.ipSans && parseIpAddress(host, IP_TEXT.libpqHost) !== undefined;
  let examined = 0;
  let first: string | undefined;
  let rc = 0;
  let error: string | undefined;
  let checkCn = true;
  for (const g of sanNames(cert)) {
    if (rules.ipSans && ((isIp && g.type === 'ip') || (!isIp && g.type === 'dns'))) checkCn = false;
    let r: { rc: number; name?: string; error?: string } | undefined;
    if (g.type === 'dns') r = pgNameMatch(g.value, host);
    else if (g.type === 'ip' && rules.ipSans) r = pgIpMatch(g.bytes, host);
    if (r) {
      examined++;
      if (r.name !== undefined && first === undefined) first = r.name;
      rc = r.rc;
      error = r.error;
    }
    if (rc !== 0) {
      checkCn = false;
      break;
    }
  }
  if (rules.cnFallback === 'no-dns-examined') checkCn = rc === 0 && examined === 0;
  if (checkCn) {
    const cn = firstCnRaw(cert);
    if (cn !== undefined) {
      examined++;
      const r = pgNameMatch(cn, host);
      if (r.name !== undefined && first === undefined) first = r.name;
      rc = r.rc;
      error = r.error;
    }
  }
  if (rc === 1) return { ok: true, namesExamined: examined, firstName: first };
  if (rc < 0) return { ok: false, message: error, namesExamined: examined, firstName: first };
  let why: NonNullable<LibpqHostResult['why']>;
  if (examined > 1) why = { id: examined - 1 === 1 ? 'manyOne' : 'manyMore', args: [first ?? '(null)', examined - 1, host] };
  else if (examined === 1) why = { id: 'one', args: [first ?? '(null)', host] };
  else why = { id: 'noName', args: [] };
  let i = 0;
  const message = LIBPQ_HOST_MESSAGES[why.id].replace(/%[sd]/g, () => String(why.args[i++]));
  return { ok: false, message, namesExamined: examined, firstName: first, why };
}

// ---------------------------------------------------------------------------------------------
// (b) OpenSSL X509_check_host / X509_check_ip

const LABEL_START = 1;
const LABEL_IDNA = 2;
const LABEL_HYPHEN = 4;
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);

function equalNocase(pattern: string, subject: string, dotSubdomains: boolean): boolean {
  let p = pattern;
  if (dotSubdomains) {
    // skip_prefix: compare an equal-length suffix of the pattern with a ".sub" subject
    let q = p;
    while (q.length > subject.length && q[0] !== '\0') q = q.slice(1);
    if (q.length === subject.length) p = q;
  }
  if (p.length !== subject.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\0') return false;
    if (p[i] !== subject[i] && p[i].toLowerCase() !== subject[i].toLowerCase()) {
      const l = p.charCodeAt(i);
      const r = subject.charCodeAt(i);
      const lo = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
      if (lo(l) !== lo(r)) return false;
    }
  }
  return true;
}

function validStar(p: string, noPartial: boolean): number {
  let star = -1;
  let state = LABEL_START;
  let dots = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      const atstart = (state & LABEL_START) !== 0;
      const atend = i === p.length - 1 || p[i + 1] === '.';
      if (star >= 0 || (state & LABEL_IDNA) !== 0 || dots) return -1;
      if (noPartial && (!atstart || !atend)) return -1;
      if (!atstart && !atend) return -1;
      star = i;
      state &= ~LABEL_START;
    } else if (isAlnum(c)) {
      if ((state & LABEL_START) !== 0 && p.length - i >= 4 && p.slice(i, i + 4).toLowerCase() === 'xn--') state |= LABEL_IDNA;
      state &= ~(LABEL_HYPHEN | LABEL_START);
    } else if (c === '.') {
      if ((state & (LABEL_HYPHEN | LABEL_START)) !== 0) return -1;
      state = LABEL_START;
      ++dots;
    } else if (c === '-') {
      if ((state & LABEL_START) !== 0) return -1;
      state |= LABEL_HYPHEN;
    } else return -1;
  }
  if ((state & (LABEL_START | LABEL_HYPHEN)) !== 0 || dots < 2) return -1;
  return star;
}

function wildcardMatch(prefix: string, suffix: string, subject: string): boolean {
  if (subject.length < prefix.length + suffix.length) return false;
  if (!equalNocase(prefix, subject.slice(0, prefix.length), false)) return false;
  const ws = prefix.length;
  const we = subject.length - suffix.length;
  if (!equalNocase(subject.slice(we), suffix, false)) return false;
  let allowIdna = false;
  if (prefix.length === 0 && suffix[0] === '.') {
    if (ws === we) return false;
    allowIdna = true;
  }
  if (!allowIdna && subject.length >= 4 && subject.slice(0, 4).toLowerCase() === 'xn--') return false;
  if (we === ws + 1 && subject[ws] === '*') return true;
  for (let i = ws; i < we; i++) if (!(isAlnum(subject[i]) || subject[i] === '-')) return false;
  return true;
}

function equalWildcard(pattern: string, subject: string, noPartial: boolean, dotSub: boolean): boolean {
  const star = subject.length > 1 && subject[0] === '.' ? -1 : validStar(pattern, noPartial);
  if (star < 0) return equalNocase(pattern, subject, dotSub);
  return wildcardMatch(pattern.slice(0, star), pattern.slice(star + 1), subject);
}

function utf8Latin1(s: string): string {
  return latin1(new TextEncoder().encode(s));
}

export interface CheckHostOptions {
  /** X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (what the limbo harness and libcurl use); default true */
  noPartialWildcards?: boolean;
  /** X509_CHECK_FLAG_NEVER_CHECK_SUBJECT */
  neverCheckSubject?: boolean;
  /** X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT */
  alwaysCheckSubject?: boolean;
}

/** X509_check_host: 1 match, 0 no match, -1 a name could not be decoded, -2 bad input. */
export function x509CheckHost(cert: Certificate, host: string, opts: CheckHostOptions = {}): number {
  const noPartial = opts.noPartialWildcards ?? true;
  let chk = host;
  if (chk.length > 1 && chk.slice(0, -1).includes('\0')) return -2;
  if (chk.length > 1 && chk.endsWith('\0')) chk = chk.slice(0, -1);
  const dotSub = chk.length > 1 && chk[0] === '.';
  let sanPresent = false;
  const san = cert.ext.subjectAltName;
  if (san) {
    for (const g of san.names) {
      if (g.type !== 'dns') continue;
      sanPresent = true;
      if (!g.value.length) continue;
      if (equalWildcard(g.value, chk, noPartial, dotSub)) return 1;
    }
    if (sanPresent && !opts.alwaysCheckSubject) return 0;
  }
  if (opts.neverCheckSubject) return 0;
  for (const rdn of cert.subject.rdns)
    for (const a of rdn) {
      if (a.oid !== OID.commonName) continue;
      const v = a.value;
      if (!('raw' in v)) continue;
      if (!v.raw.length) continue;
      if (!v.valid && (v.type === 'BMPString' || v.type === 'UniversalString' || v.type === 'UTF8String')) return -1;
      if (equalWildcard(utf8Latin1(v.value), chk, noPartial, dotSub)) return 1;
    }
  return 0;
}

/** equal_email: same length, the part from the last '@' compared without case, the local part exactly */
function equalEmail(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = a.length;
  while (i > 0) {
    --i;
    if (a[i] === '@' || b[i] === '@') {
      if (!equalNocase(a.slice(i), b.slice(i), false)) return false;
      break;
    }
  }
  if (i === 0) i = a.length;
  return a.slice(0, i) === b.slice(0, i);
}

/**
 * X509_check_email(x, email, 0, 0): rfc822Name SANs, and only when there are none the
 * subject's emailAddress attributes. 1 match, 0 none, -2 an embedded NUL.
 */
export function x509CheckEmail(cert: Certificate, email: string): number {
  let chk = email;
  if (chk.length > 1 && chk.slice(0, -1).includes('\0')) return -2;
  if (chk.length > 1 && chk.endsWith('\0')) chk = chk.slice(0, -1);
  chk = utf8Latin1(chk);
  let sanPresent = false;
  for (const g of cert.ext.subjectAltName?.names ?? []) {
    if (g.type !== 'email') continue;
    sanPresent = true;
    if (g.value.length && equalEmail(g.value, chk)) return 1;
  }
  if (sanPresent) return 0;
  for (const rdn of cert.subject.rdns)
    for (const a of rdn) {
      if (a.oid !== OID.emailAddress) continue;
      const v = a.value;
      if (!('raw' in v) || !v.raw.length) continue;
      if (equalEmail(utf8Latin1(v.value), chk)) return 1;
    }
  return 0;
}

/** X509_check_ip: exact byte comparison with iPAddress SANs (never the CN). */
export function x509CheckIp(cert: Certificate, ip: Uint8Array): number {
  for (const g of cert.ext.subjectAltName?.names ?? []) {
    if (g.type !== 'ip' || g.bytes.length === 0) continue;
    if (g.bytes.length === ip.length && g.bytes.every((b, i) => b === ip[i])) return 1;
  }
  return 0;
}

/** ossl_a2i_ipadd (X509_VERIFY_PARAM_set1_ip_asc): the address OpenSSL reads from the text. */
export function parseIpAsc(s: string): Uint8Array | null {
  return parseIpAddress(s, IP_TEXT.openssl)?.bytes ?? null;
}
