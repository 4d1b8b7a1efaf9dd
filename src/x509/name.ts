// Distinguished names: parsing, and everything OpenSSL does with a name that pgtls has to
// reproduce byte for byte:
// - the canonical encoding (x509_name_canon in crypto/x509/x_name.c) behind X509_NAME_cmp
//   (issuer/subject matching while building chains) and X509_NAME_hash (the `<hash>.0` and
//   `<hash>.r0` file names in CA/CRL directories);
// - the printed forms (do_name_ex in crypto/asn1/a_strex.c): XN_FLAG_ONELINE, which
//   `openssl x509 -subject` prints by default, and XN_FLAG_RFC2253, which PostgreSQL matches
//   `clientname=DN` against; plus X509_NAME_oneline (`/CN=x/O=y`, used for DirName values)
//   and the `/CN=x` form PostgreSQL's sslinfo/pg_stat_ssl show.

import { md5, sha1 } from '@noble/hashes/legacy.js';
import { BerLog, DerError, OID, Tag, der, isKnownOid, oidShortName, parseDer, type StringType, type Tlv } from '../der/index.js';
import { derOid, derTlv } from '../der/writer.js';
import type { Name, NameAttribute } from './types.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };

// ---------------------------------------------------------------------------------------
// Parsing

/** Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue. */
export function parseName(t: Tlv): Name {
  // SEQUENCE OF SET OF: expectOf lets the BER-tolerant mode take the primitive forms, as
  // OpenSSL does; `der` keeps the bytes as received (X509_NAME caches them: i2d_X509_NAME,
  // X509_NAME_hash_old and the CA names a server sends use them, the canonical form does not)
  t = t.expectOf(T.SEQUENCE, 'Name');
  const rdns: NameAttribute[][] = [];
  const r = t.reader();
  while (!r.done()) {
    const set = r.expectOf(T.SET, `[${rdns.length}]`);
    rdns.push(parseRdn(set));
  }
  return { rdns, der: t.bytes() };
}

/** One RDN (a SET OF AttributeTypeAndValue); also the nameRelativeToCRLIssuer form of a distribution point. */
export function parseRdn(set: Tlv): NameAttribute[] {
  const attrs: NameAttribute[] = [];
  const sr = set.reader();
  while (!sr.done()) {
    const atv = sr.expect(T.SEQUENCE, `[${attrs.length}]`);
    const ar = atv.reader();
    const oid = D.oid(ar.expect(T.OID, 'type'));
    const v = ar.next('value');
    ar.end();
    // a segmented string value (BER) is read as the string it holds, as OpenSSL does
    const stringTag = D.isStringTag(v.tag) || (v.ber !== undefined && v.constructed && D.isStringTag(v.tag & ~0x20));
    attrs.push({ oid, value: stringTag ? D.string(v) : { type: 'non-string', tag: v.tag, der: v.bytes() } });
  }
  return attrs;
}

/** Parse a Name from its DER (throws DerError). */
export function parseNameDer(bytes: Uint8Array): Name {
  return parseName(parseDer(bytes, 'Name'));
}

const STRING_TAG: Record<StringType, number> = {
  UTF8String: T.UTF8String,
  NumericString: T.NumericString,
  PrintableString: T.PrintableString,
  T61String: T.T61String,
  VideotexString: T.VideotexString,
  IA5String: T.IA5String,
  GraphicString: T.GraphicString,
  VisibleString: T.VisibleString,
  GeneralString: T.GeneralString,
  UniversalString: T.UniversalString,
  BMPString: T.BMPString,
};

/** The universal tag an attribute value was encoded with. */
export function attributeTag(a: NameAttribute): number {
  return a.value.type === 'non-string' ? a.value.tag : STRING_TAG[a.value.type];
}

/** Universal tag number and content octets of an attribute value. */
function tagAndContent(a: NameAttribute): { tag: number; content: Uint8Array; der: Uint8Array | null } {
  const v = a.value;
  if (v.type === 'non-string') return { tag: v.tag, content: contentOf(v.der), der: v.der };
  return { tag: STRING_TAG[v.type], content: v.raw, der: null };
}

function contentOf(derBytes: Uint8Array): Uint8Array {
  // a value read by the loaders may be BER (their BER-tolerant mode): read it the same way
  const t = parseDer(derBytes, '', new BerLog());
  return t.constructed && t.cls === 0 && t.tag !== T.SEQUENCE && t.tag !== T.SET ? t.stringContent('value') : t.content();
}

/** The attributes in encoded order with the index of the RDN each sits in (OpenSSL's X509_NAME_ENTRY.set). */
function entries(name: Name): { attr: NameAttribute; set: number }[] {
  const out: { attr: NameAttribute; set: number }[] = [];
  name.rdns.forEach((rdn, i) => {
    for (const attr of rdn) out.push({ attr, set: i });
  });
  return out;
}

/** Values of every commonName attribute, in encoded order. */
export function commonNames(name: Name): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === OID.commonName) out.push(valueText(a));
  return out;
}

/**
 * The common name PostgreSQL uses for `clientcert=verify-full` / cert authentication and
 * `ssl_client_cn`: the FIRST commonName (X509_NAME_get_text_by_NID starts at index -1), as
 * its raw content octets (no charset conversion). PostgreSQL rejects the connection when
 * these octets contain a NUL (`embeddedNul`). Undefined when there is no commonName.
 */
export function postgresPeerCommonName(name: Name): { value: string; raw: Uint8Array; embeddedNul: boolean } | undefined {
  for (const rdn of name.rdns) {
    for (const a of rdn) {
      if (a.oid !== OID.commonName) continue;
      const { content } = tagAndContent(a);
      return { value: valueText(a), raw: content, embeddedNul: content.includes(0) };
    }
  }
  return undefined;
}

/** Text of a value: the decoded string, or `#hex` of the DER for non-strings. */
export function valueText(a: NameAttribute): string {
  const v = a.value;
  if (v.type === 'non-string') return `#${hexUpper(v.der)}`;
  return v.value;
}

// ---------------------------------------------------------------------------------------
// Canonical encoding, comparison and hashes

const canonCache = new WeakMap<Name, Uint8Array>();

/**
 * OpenSSL's canonical encoding of a name: each RDN re-encoded as a DER SET (members sorted),
 * concatenated without the outer SEQUENCE; string values of the types OpenSSL canonicalises
 * (UTF8, BMP, Universal, Printable, T61, IA5, Visible) converted to UTF-8, leading/trailing
 * ASCII whitespace removed, inner whitespace runs collapsed to one space, ASCII lowercased,
 * and re-tagged UTF8String. Other values are kept as encoded. An empty name encodes to
 * nothing. Throws DerError when OpenSSL could not canonicalise the name either (invalid
 * UTF-8, a BMPString of odd length...): OpenSSL then fails to load the certificate.
 */
export function canonicalName(name: Name): Uint8Array {
  const hit = canonCache.get(name);
  if (hit) return hit;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < name.rdns.length; i++) {
    const rdn = name.rdns[i];
    if (rdn.length === 0) continue; // OpenSSL keeps no entries for an empty SET, so it vanishes
    const members = rdn.map((a) => canonicalEntry(a, i));
    members.sort(compareDer);
    const set = tlv(T.SET, members);
    parts.push(set);
    total += set.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  canonCache.set(name, out);
  return out;
}

/** DER SET OF ordering as OpenSSL sorts it (memcmp of the common prefix, then shorter first). */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const CANON_TAGS = new Set<number>([
  T.UTF8String,
  T.BMPString,
  T.UniversalString,
  T.PrintableString,
  T.T61String,
  T.IA5String,
  T.VisibleString,
]);

function canonicalEntry(a: NameAttribute, rdnIndex: number): Uint8Array {
  const oidDer = encodeOid(a.oid);
  let value: Uint8Array;
  const { tag, content, der: valueDer } = tagAndContent(a);
  if (valueDer) value = valueDer;
  else if (CANON_TAGS.has(tag)) value = tlv(T.UTF8String, [canonText(toUtf8(tag, content, rdnIndex))]);
  else value = tlv(tag, [content]);
  return tlv(T.SEQUENCE, [oidDer, value]);
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** asn1_string_canon's whitespace and case folding, on UTF-8 bytes (non-ASCII bytes untouched). */
function canonText(s: Uint8Array): Uint8Array {
  let from = 0;
  let len = s.length;
  while (len > 0 && isSpace(s[from])) {
    from++;
    len--;
  }
  while (len > 0 && isSpace(s[from + len - 1])) len--;
  const out = new Uint8Array(len);
  let o = 0;
  const end = from + len;
  for (let i = from; i < end; ) {
    const c = s[i];
    if (c >= 0x80) {
      out[o++] = c;
      i++;
    } else if (isSpace(c)) {
      out[o++] = 0x20;
      while (i < end && isSpace(s[i])) i++;
    } else {
      out[o++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
      i++;
    }
  }
  return out.subarray(0, o);
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** ASN1_STRING_to_UTF8 for the canonicalised types. */
function toUtf8(tag: number, c: Uint8Array, rdnIndex: number): Uint8Array {
  const fail = (why: string) => new DerError('BAD_STRING', `${why}; OpenSSL cannot canonicalise this name`, 0, `Name[${rdnIndex}]`);
  if (tag === T.UTF8String) {
    try {
      utf8Fatal.decode(c);
    } catch {
      throw fail('invalid UTF-8 in UTF8String');
    }
    return c;
  }
  const out: number[] = [];
  if (tag === T.BMPString) {
    if (c.length & 1) throw fail('BMPString of odd length');
    for (let i = 0; i < c.length; i += 2) {
      const u = (c[i] << 8) | c[i + 1];
      if (u >= 0xd800 && u <= 0xdfff) throw fail('surrogate code unit in BMPString');
      putUtf8(out, u);
    }
  } else if (tag === T.UniversalString) {
    if (c.length & 3) throw fail('UniversalString length not a multiple of 4');
    for (let i = 0; i < c.length; i += 4) {
      const cp = ((c[i] << 24) | (c[i + 1] << 16) | (c[i + 2] << 8) | c[i + 3]) >>> 0;
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw fail('UniversalString character is not a Unicode scalar value');
      putUtf8(out, cp);
    }
  } else {
    for (let i = 0; i < c.length; i++) putUtf8(out, c[i]); // one octet per character (Latin-1)
  }
  return Uint8Array.from(out);
}

/** UTF8_putc as OpenSSL writes it (no surrogate check; 5/6-byte forms above U+1FFFFF). Returns bytes written (0 when unencodable). */
function putUtf8(out: number[], v: number): number {
  if (v < 0x80) {
    out.push(v);
    return 1;
  }
  if (v < 0x800) {
    out.push(0xc0 | (v >> 6), 0x80 | (v & 0x3f));
    return 2;
  }
  if (v < 0x10000) {
    out.push(0xe0 | (v >> 12), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f));
    return 3;
  }
  if (v < 0x200000) {
    out.push(0xf0 | (v >> 18), 0x80 | ((v >> 12) & 0x3f), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f));
    return 4;
  }
  if (v < 0x4000000) {
    out.push(0xf8 | (v >>> 24), 0x80 | ((v >> 18) & 0x3f), 0x80 | ((v >> 12) & 0x3f), 0x80 | ((v >> 6) & 0x3f), 0x80 | (v & 0x3f));
    return 5;
  }
  if (v < 0x80000000) {
    out.push(
      0xfc | (v >>> 30),
      0x80 | ((v >>> 24) & 0x3f),
      0x80 | ((v >> 18) & 0x3f),
      0x80 | ((v >> 12) & 0x3f),
      0x80 | ((v >> 6) & 0x3f),
      0x80 | (v & 0x3f),
    );
    return 6;
  }
  return 0;
}

const oidDerCache = new Map<string, Uint8Array>();

/** DER of an OBJECT IDENTIFIER from its dotted form (names carry the dotted form only), cached. */
function encodeOid(dotted: string): Uint8Array {
  let d = oidDerCache.get(dotted);
  if (!d) oidDerCache.set(dotted, (d = derOid(dotted)));
  return d;
}

const tlv = (tag: number, parts: Uint8Array[]): Uint8Array => derTlv(tag, ...parts);

/** X509_NAME_cmp: canonical encodings compared by length first, then bytes. Returns -1, 0 or 1. */
export function compareNames(a: Name, b: Name): number {
  const ca = canonicalName(a);
  const cb = canonicalName(b);
  if (ca.length !== cb.length) return ca.length < cb.length ? -1 : 1;
  for (let i = 0; i < ca.length; i++) if (ca[i] !== cb[i]) return ca[i] < cb[i] ? -1 : 1;
  return 0;
}

/** The names match as OpenSSL matches issuer to subject. */
export function namesEqual(a: Name, b: Name): boolean {
  return compareNames(a, b) === 0;
}

function hash32le(h: Uint8Array): string {
  const v = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
  return v.toString(16).padStart(8, '0');
}

/** X509_NAME_hash (= `openssl x509 -subject_hash`): SHA-1 of the canonical encoding, first 4 bytes little-endian, as 8 hex digits. */
export function nameHash(name: Name): string {
  return hash32le(sha1(canonicalName(name)));
}

/** X509_NAME_hash_old (`-subject_hash_old`, OpenSSL < 1.0 directory names): MD5 of the DER. */
export function nameHashOld(name: Name): string {
  return hash32le(md5(name.der));
}

// ---------------------------------------------------------------------------------------
// Printing (do_name_ex / do_print_ex / do_esc_char from crypto/asn1/a_strex.c)

const ESC_2253 = 0x01;
const ESC_CTRL = 0x02;
const ESC_MSB = 0x04;
const ESC_QUOTE = 0x08;
const FIRST_ESC = 0x20; // CHARTYPE_FIRST_ESC_2253
const LAST_ESC = 0x40; // CHARTYPE_LAST_ESC_2253
const BS_ESC = ESC_2253 | FIRST_ESC | LAST_ESC;

/** charmap.h, the escape-relevant bits for ASCII. */
const CHAR_TYPE = new Uint8Array(128);
for (let i = 0; i < 32; i++) CHAR_TYPE[i] = ESC_CTRL;
CHAR_TYPE[127] = ESC_CTRL;
CHAR_TYPE[0x20] = FIRST_ESC | LAST_ESC | ESC_QUOTE;
CHAR_TYPE[0x23] = FIRST_ESC | ESC_QUOTE; // '#'
for (const c of ',+;<>') CHAR_TYPE[c.charCodeAt(0)] = ESC_2253 | ESC_QUOTE;
for (const c of '"\\') CHAR_TYPE[c.charCodeAt(0)] = ESC_2253;

/** Characters per octet for the string types do_print_ex displays (tag2nbyte); others are dumped as #hex. */
const WIDTH: Record<number, number> = {
  [T.UTF8String]: 0,
  [T.NumericString]: 1,
  [T.PrintableString]: 1,
  [T.T61String]: 1,
  [T.IA5String]: 1,
  [T.UTCTime]: 1,
  [T.GeneralizedTime]: 1,
  [T.VisibleString]: 1,
  [T.UniversalString]: 4,
  [T.BMPString]: 2,
};

interface PrintStyle {
  /** escape flags (ESC_* above) */
  esc: number;
  sepDn: string;
  sepMv: string;
  sepEq: string;
  reverse: boolean;
  /** XN_FLAG_DUMP_UNKNOWN_FIELDS: values of attribute types OpenSSL has no name for are dumped */
  dumpUnknownFields: boolean;
}

const ONELINE: PrintStyle = {
  esc: ESC_2253 | ESC_CTRL | ESC_MSB | ESC_QUOTE,
  sepDn: ', ',
  sepMv: ' + ',
  sepEq: ' = ',
  reverse: false,
  dumpUnknownFields: false,
};
const RFC2253: PrintStyle = {
  esc: ESC_2253 | ESC_CTRL | ESC_MSB,
  sepDn: ',',
  sepMv: '+',
  sepEq: '=',
  reverse: true,
  dumpUnknownFields: true,
};

class Unprintable extends Error {}

const HEXU = '0123456789ABCDEF';
function hexUpper(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEXU[b[i] >> 4] + HEXU[b[i] & 15];
  return s;
}

/** do_esc_char for one octet (UTF-8 conversion always on, so characters never exceed 0xFF here). */
function escChar(out: number[], c: number, flags: number): boolean {
  const chflgs = c > 0x7f ? flags & ESC_MSB : CHAR_TYPE[c] & flags;
  if (chflgs & BS_ESC) {
    if (chflgs & ESC_QUOTE) {
      out.push(c);
      return true; // the value must be quoted
    }
    out.push(0x5c, c);
    return false;
  }
  if (chflgs & (ESC_CTRL | ESC_MSB)) {
    out.push(0x5c, HEXU.charCodeAt(c >> 4), HEXU.charCodeAt(c & 15));
    return false;
  }
  if (c === 0x5c && flags & (ESC_2253 | ESC_CTRL | ESC_MSB | ESC_QUOTE)) {
    out.push(0x5c, 0x5c);
    return false;
  }
  out.push(c);
  return false;
}

/** do_buf with ASN1_STRFLGS_UTF8_CONVERT: characters to UTF-8 octets, each escaped. */
function printString(out: number[], tag: number, c: Uint8Array, esc: number): void {
  let width = WIDTH[tag];
  if (width === 0) width = 1; // UTF8String is passed through octet by octet
  if ((width === 4 && c.length & 3) || (width === 2 && c.length & 1)) throw new Unprintable();
  const body: number[] = [];
  let quotes = false;
  const utf: number[] = [];
  for (let p = 0; p < c.length; ) {
    let orflags = p === 0 && esc & ESC_2253 ? FIRST_ESC : 0;
    let ch: number;
    if (width === 4) ch = ((c[p] << 24) | (c[p + 1] << 16) | (c[p + 2] << 8) | c[p + 3]) >>> 0;
    else if (width === 2) ch = (c[p] << 8) | c[p + 1];
    else ch = c[p];
    p += width;
    if (p === c.length && esc & ESC_2253) orflags = LAST_ESC;
    if (tag === T.UTF8String) {
      if (escChar(body, ch, esc | orflags)) quotes = true;
      continue;
    }
    utf.length = 0;
    putUtf8(utf, ch);
    for (const b of utf) if (escChar(body, b, esc | orflags)) quotes = true;
  }
  if (quotes) out.push(0x22);
  for (const b of body) out.push(b);
  if (quotes) out.push(0x22);
}

function pushAscii(out: number[], s: string): void {
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** do_print_ex for one attribute value. */
function printValue(out: number[], a: NameAttribute, esc: number, dumpAll: boolean): void {
  const { tag, content, der: valueDer } = tagAndContent(a);
  if (dumpAll || valueDer || WIDTH[tag] === undefined) {
    pushAscii(out, `#${hexUpper(valueDer ?? tlv(tag, [content]))}`);
    return;
  }
  printString(out, tag, content, esc);
}

/** Printed output is octets (ASCII, or UTF-8 where a form keeps it unescaped). */
const outputDecoder = new TextDecoder('utf-8');

function formatWith(name: Name, style: PrintStyle): string {
  const list = entries(name);
  if (style.reverse) list.reverse();
  const out: number[] = [];
  let prev = -1;
  try {
    for (const { attr, set } of list) {
      if (prev !== -1) pushAscii(out, prev === set ? style.sepMv : style.sepDn);
      prev = set;
      const known = isKnownOid(attr.oid);
      pushAscii(out, (known ? oidShortName(attr.oid) : attr.oid) + style.sepEq);
      printValue(out, attr, style.esc, style.dumpUnknownFields && !known);
    }
  } catch (e) {
    // OpenSSL stops printing at a value it cannot decode and keeps what it wrote so far.
    if (!(e instanceof Unprintable)) throw e;
  }
  return outputDecoder.decode(Uint8Array.from(out));
}

/** `openssl x509 -subject` (OpenSSL 3.0 default, XN_FLAG_ONELINE): `CN = foo, O = "a, b"`. */
export function formatNameOneline(name: Name): string {
  return formatWith(name, ONELINE);
}

/**
 * XN_FLAG_RFC2253 (`-nameopt RFC2253`): last RDN first, `,` between RDNs, `+` inside one,
 * RFC 2253 backslash escapes, non-ASCII as `\XX` UTF-8 octets, `#hex` for non-string values
 * and for attribute types OpenSSL has no name for. This is the string PostgreSQL compares
 * with the user name for `clientname=DN`.
 */
export function formatNameRfc2253(name: Name): string {
  return formatWith(name, RFC2253);
}

/**
 * The form PostgreSQL's X509_NAME_to_cstring builds for ssl_client_dn()/pg_stat_ssl:
 * `/CN=x/O=y` for every attribute in encoded order, RFC 2253 escaping but UTF-8 kept as is.
 * Returns undefined where PostgreSQL raises an error (an attribute type OpenSSL cannot name).
 */
export function formatNamePostgres(name: Name): string | undefined {
  const out: number[] = [];
  try {
    for (const { attr } of entries(name)) {
      if (!isKnownOid(attr.oid)) return undefined;
      pushAscii(out, `/${oidShortName(attr.oid)}=`);
      printValue(out, attr, ESC_2253 | ESC_CTRL, false);
    }
  } catch (e) {
    if (!(e instanceof Unprintable)) throw e;
  }
  return outputDecoder.decode(Uint8Array.from(out));
}

/**
 * X509_NAME_oneline: `/CN=x/O=y`, octets outside printable ASCII as `\xHH`, `/` and `+`
 * backslash-escaped. OpenSSL uses it for DirName values in extension printouts.
 */
export function formatNameSlashes(name: Name): string {
  let s = '';
  for (const { attr } of entries(name)) {
    const { tag, content: inner, der: whole } = tagAndContent(attr);
    // OpenSSL keeps the whole encoding as the "data" of a SEQUENCE value, the contents otherwise
    const content = tag === T.SEQUENCE && whole ? whole : inner;
    s += `/${isKnownOid(attr.oid) ? oidShortName(attr.oid) : attr.oid}=`;
    let keep = [true, true, true, true];
    if (tag === T.GeneralString && content.length % 4 === 0) {
      // OpenSSL's guess at a UCS-4 value hidden in a GeneralString: print only the low octets.
      const nz = [false, false, false, false];
      content.forEach((b, j) => {
        if (b !== 0) nz[j & 3] = true;
      });
      keep = nz[0] || nz[1] || nz[2] ? [true, true, true, true] : [false, false, false, true];
    }
    for (let j = 0; j < content.length; j++) {
      if (!keep[j & 3]) continue;
      const n = content[j];
      if (n < 0x20 || n > 0x7e) s += `\\x${HEXU[n >> 4]}${HEXU[n & 15]}`;
      else if (n === 0x2f || n === 0x2b) s += `\\${String.fromCharCode(n)}`;
      else s += String.fromCharCode(n);
    }
  }
  return s;
}
