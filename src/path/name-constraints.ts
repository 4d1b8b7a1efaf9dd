// Name constraints exactly as OpenSSL 3.0 applies them (crypto/x509/v3_ncons.c:
// NAME_CONSTRAINTS_check, nc_match, nc_dns, nc_email, nc_uri, nc_ip, nc_dn,
// NAME_CONSTRAINTS_check_CN with cn2dnsid). Returns X509_V_OK or the X509_V_ERR code.

import { OID } from '../der/index.js';
import type { Certificate, GeneralName, GeneralSubtree, Name } from '../x509/types.js';
import { nameHasPrefix } from './names.js';
import { X509_V_ERR, X509_V_OK, type X509ErrorCode } from './errors.js';

const NAME_CHECK_MAX = 1 << 20;
const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';

interface NameConstraints {
  permitted?: GeneralSubtree[];
  excluded?: GeneralSubtree[];
}

type Gen = GeneralName | { type: 'dirName'; name: Name };

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const ieq = (a: string, b: string) => a.length === b.length && lower(a) === lower(b);

function ncDns(dns: string, base: string): X509ErrorCode {
  if (base.length === 0) return X509_V_OK;
  if (dns.length < base.length) return X509_V_ERR.PERMITTED_VIOLATION;
  let d = dns;
  if (dns.length > base.length) {
    d = dns.slice(dns.length - base.length);
    if (base[0] !== '.' && dns[dns.length - base.length - 1] !== '.') return X509_V_ERR.PERMITTED_VIOLATION;
  }
  return ieq(d, base) ? X509_V_OK : X509_V_ERR.PERMITTED_VIOLATION;
}

function ncEmail(eml: string, base: string): X509ErrorCode {
  const baseat = base.lastIndexOf('@');
  const emlat = eml.lastIndexOf('@');
  if (emlat < 0) return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
  if (baseat < 0 && base.length > 0 && base[0] === '.') {
    if (eml.length > base.length && ieq(eml.slice(eml.length - base.length), base)) return X509_V_OK;
    return X509_V_ERR.PERMITTED_VIOLATION;
  }
  let bhost = base;
  if (baseat >= 0) {
    if (baseat !== 0) {
      if (baseat !== emlat) return X509_V_ERR.PERMITTED_VIOLATION;
      if (base.includes('\0') || eml.includes('\0')) return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
      if (base.slice(0, baseat) !== eml.slice(0, emlat)) return X509_V_ERR.PERMITTED_VIOLATION;
    }
    bhost = base.slice(baseat + 1);
  }
  const ehost = eml.slice(emlat + 1);
  return ieq(bhost, ehost) ? X509_V_OK : X509_V_ERR.PERMITTED_VIOLATION;
}

function ncUri(uri: string, base: string): X509ErrorCode {
  const colon = uri.indexOf(':');
  if (colon < 0 || uri.length - colon < 3 || uri[colon + 1] !== '/' || uri[colon + 2] !== '/') return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
  const hostStart = colon + 3;
  let end = uri.indexOf(':', hostStart);
  if (end < 0) end = uri.indexOf('/', hostStart);
  const host = end < 0 ? uri.slice(hostStart) : uri.slice(hostStart, end);
  if (host.length === 0) return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
  if (base.length > 0 && base[0] === '.') {
    if (host.length > base.length && ieq(host.slice(host.length - base.length), base)) return X509_V_OK;
    return X509_V_ERR.PERMITTED_VIOLATION;
  }
  return ieq(host, base) ? X509_V_OK : X509_V_ERR.PERMITTED_VIOLATION;
}

function ncIp(ip: Uint8Array, base: Uint8Array): X509ErrorCode {
  if (ip.length !== 4 && ip.length !== 16) return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
  if (base.length !== 8 && base.length !== 32) return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
  if (ip.length * 2 !== base.length) return X509_V_ERR.PERMITTED_VIOLATION;
  for (let i = 0; i < ip.length; i++)
    if ((ip[i] & base[ip.length + i]) !== (base[i] & base[ip.length + i])) return X509_V_ERR.PERMITTED_VIOLATION;
  return X509_V_OK;
}

function matchSingle(gen: Gen, base: GeneralName): X509ErrorCode {
  switch (gen.type) {
    case 'dirName':
      return base.type === 'dirName' && nameHasPrefix(gen.name, base.name) ? X509_V_OK : X509_V_ERR.PERMITTED_VIOLATION;
    case 'dns':
      return ncDns(gen.value, (base as { value: string }).value);
    case 'email':
      return ncEmail(gen.value, (base as { value: string }).value);
    case 'uri':
      return ncUri(gen.value, (base as { value: string }).value);
    case 'ip':
      return ncIp(gen.bytes, (base as { bytes: Uint8Array }).bytes);
    default:
      return X509_V_ERR.UNSUPPORTED_CONSTRAINT_TYPE;
  }
}

function sameType(gen: Gen, base: GeneralName): boolean {
  if (gen.type !== base.type) return false;
  if (gen.type === 'otherName' && base.type === 'otherName') return gen.oid === base.oid;
  return true;
}

const minmaxValid = (s: GeneralSubtree) => s.minimum === 0 && s.maximum === undefined;

function effective(gen: Gen): Gen {
  // RFC 8398 SmtpUTF8Mailbox otherNames are e-mail addresses to OpenSSL; it then compares
  // them only with otherName bases of the same type, which pgtls treats as unsupported.
  return gen;
}

function ncMatch(gen0: Gen, nc: NameConstraints): X509ErrorCode {
  const gen = effective(gen0);
  let match = 0;
  for (const sub of nc.permitted ?? []) {
    if (!sameType(gen, sub.base)) continue;
    if (!minmaxValid(sub)) return X509_V_ERR.SUBTREE_MINMAX;
    if (match === 2) continue;
    if (match === 0) match = 1;
    const r =
      gen.type === 'otherName' && gen.oid === SMTP_UTF8_MAILBOX ? X509_V_ERR.UNSUPPORTED_CONSTRAINT_TYPE : matchSingle(gen, sub.base);
    if (r === X509_V_OK) match = 2;
    else if (r !== X509_V_ERR.PERMITTED_VIOLATION) return r;
  }
  if (match === 1) return X509_V_ERR.PERMITTED_VIOLATION;
  for (const sub of nc.excluded ?? []) {
    if (!sameType(gen, sub.base)) continue;
    if (!minmaxValid(sub)) return X509_V_ERR.SUBTREE_MINMAX;
    const r = matchSingle(gen, sub.base);
    if (r === X509_V_OK) return X509_V_ERR.EXCLUDED_VIOLATION;
    if (r !== X509_V_ERR.PERMITTED_VIOLATION) return r;
  }
  return X509_V_OK;
}

/** NAME_CONSTRAINTS_check(x, nc) */
export function nameConstraintsCheck(x: Certificate, nc: NameConstraints): X509ErrorCode {
  const nm = x.subject;
  const entries = nm.rdns.reduce((n, r) => n + r.length, 0);
  const sans = x.ext.subjectAltName?.names ?? [];
  const names = entries + sans.length;
  const constraints = (nc.permitted?.length ?? 0) + (nc.excluded?.length ?? 0);
  if (names > 0 && constraints > NAME_CHECK_MAX / names) return X509_V_ERR.UNSPECIFIED;
  if (entries > 0) {
    let r = ncMatch({ type: 'dirName', name: nm }, nc);
    if (r !== X509_V_OK) return r;
    for (const rdn of nm.rdns)
      for (const a of rdn) {
        if (a.oid !== OID.emailAddress) continue;
        const v = a.value;
        if (!('raw' in v) || v.type !== 'IA5String') return X509_V_ERR.UNSUPPORTED_NAME_SYNTAX;
        r = ncMatch({ type: 'email', value: v.value }, nc);
        if (r !== X509_V_OK) return r;
      }
  }
  for (const g of sans) {
    const r = ncMatch(g, nc);
    if (r !== X509_V_OK) return r;
  }
  return X509_V_OK;
}

/** cn2dnsid: the CN as a DNS-ID when it looks like a multi-label host name, else '' */
function cn2dnsid(value: string): { err: X509ErrorCode; id: string } {
  let s = new TextEncoder().encode(value);
  let n = s.length;
  while (n > 0 && s[n - 1] === 0) n--;
  s = s.subarray(0, n);
  if (s.includes(0)) return { err: X509_V_ERR.UNSUPPORTED_NAME_SYNTAX, id: '' };
  let isdns = false;
  for (let i = 0; i < n; i++) {
    const c = s[i];
    const ch = String.fromCharCode(c);
    if (/[A-Za-z0-9_]/.test(ch)) continue;
    if (i > 0 && i < n - 1) {
      if (ch === '-') continue;
      if (ch === '.' && s[i + 1] !== 0x2e && s[i - 1] !== 0x2d && s[i + 1] !== 0x2d) {
        isdns = true;
        continue;
      }
    }
    isdns = false;
    break;
  }
  return { err: X509_V_OK, id: isdns ? String.fromCharCode(...s) : '' };
}

/** NAME_CONSTRAINTS_check_CN */
export function nameConstraintsCheckCn(x: Certificate, nc: NameConstraints): X509ErrorCode {
  for (const rdn of x.subject.rdns)
    for (const a of rdn) {
      if (a.oid !== OID.commonName) continue;
      const v = a.value;
      const text = 'raw' in v ? v.value : '';
      const { err, id } = cn2dnsid(text);
      if (err !== X509_V_OK) return err;
      if (!id) continue;
      const r = ncMatch({ type: 'dns', value: id }, nc);
      if (r !== X509_V_OK) return r;
    }
  return X509_V_OK;
}

export const hasSanOfType = (x: Certificate, type: GeneralName['type']): boolean =>
  (x.ext.subjectAltName?.names ?? []).some((g) => g.type === type);
