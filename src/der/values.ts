// Decoders for DER primitive values. Each takes a Tlv (so errors carry offset and path),
// checks the tag and the type's DER rules, and returns a plain JS value.

import { Tag, type Tlv } from './reader.js';

function primitive(t: Tlv, tag: number, what: string): Uint8Array {
  if ((t.tag & ~0x20) === (tag & ~0x20) && t.constructed !== ((tag & 0x20) !== 0)) {
    throw t.error('CONSTRUCTED_PRIMITIVE', `${what} must use the primitive form`);
  }
  t.expect(tag, what);
  return t.content();
}

/**
 * Contents of a string type (OCTET STRING, BIT STRING, character strings, times): in
 * BER-tolerant mode the constructed form is read as its segments concatenated (OpenSSL's
 * asn1_d2i_ex_primitive refuses it only for NULL, BOOLEAN, OID, INTEGER and ENUMERATED).
 */
function stringContent(t: Tlv, tag: number, what: string): Uint8Array {
  if (t.ber && t.constructed && (t.tag & ~0x20) === tag) return t.stringContent(what);
  return primitive(t, tag, what);
}

/**
 * INTEGER contents (two's complement, big-endian), checked for DER minimality.
 * `tag` lets callers read IMPLICIT-tagged integers ([0] IMPLICIT INTEGER...).
 */
export function integerBytes(t: Tlv, tag: number = Tag.INTEGER): Uint8Array {
  const c = primitive(t, tag, 'INTEGER');
  if (c.length === 0) throw t.error('BAD_VALUE', 'INTEGER has no content octets');
  if (c.length > 1 && ((c[0] === 0x00 && (c[1] & 0x80) === 0) || (c[0] === 0xff && (c[1] & 0x80) !== 0))) {
    throw t.error('BAD_VALUE', 'INTEGER is not minimally encoded (leading padding octet)');
  }
  return c;
}

/** Signed big-endian two's complement (INTEGER contents) to bigint. */
export function bytesToBigInt(c: Uint8Array): bigint {
  const v = bytesToUnsigned(c);
  return c.length > 0 && c[0] & 0x80 ? v - (1n << BigInt(c.length * 8)) : v;
}

/**
 * Unsigned big-endian to bigint (RSA moduli, serials, ECDSA scalars), 64 bits at a time: RSA
 * moduli sit on the certificate-parsing hot path (a few µs, not tens).
 */
export function bytesToUnsigned(b: Uint8Array): bigint {
  const n = b.length;
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[i];
    return BigInt(v);
  }
  const dv = new DataView(b.buffer, b.byteOffset, n);
  let v = 0n;
  let i = 0;
  for (const head = n % 8; i < head; i++) v = (v << 8n) | BigInt(b[i]);
  for (; i < n; i += 8) v = (v << 64n) | dv.getBigUint64(i);
  return v;
}

export function integer(t: Tlv, tag: number = Tag.INTEGER): bigint {
  return bytesToBigInt(integerBytes(t, tag));
}

/** A small INTEGER that must fit in a JS safe integer (versions, pathLen, reason codes). */
export function smallInteger(t: Tlv, tag: number = Tag.INTEGER): number {
  const v = integer(t, tag);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw t.error('BAD_VALUE', 'INTEGER too large for this field');
  }
  return Number(v);
}

export function enumerated(t: Tlv): number {
  return smallInteger(t, Tag.ENUMERATED);
}

/** DER BOOLEAN: exactly one octet, 0x00 or 0xFF. */
export function boolean(t: Tlv): boolean {
  const c = primitive(t, Tag.BOOLEAN, 'BOOLEAN');
  if (c.length !== 1) throw t.error('BAD_VALUE', `BOOLEAN must have one content octet, has ${c.length}`);
  if (c[0] !== 0x00 && c[0] !== 0xff) {
    // asn1_ex_c2i: any non-zero octet is TRUE
    if (!t.ber) throw t.error('BAD_VALUE', `BOOLEAN content 0x${c[0].toString(16)} is not DER (0x00 or 0xFF)`);
    t.ber.add('boolean-value', t.start, t.path);
  }
  return c[0] !== 0;
}

export function nullValue(t: Tlv): null {
  const c = primitive(t, Tag.NULL, 'NULL');
  if (c.length !== 0) throw t.error('BAD_VALUE', 'NULL must be empty');
  return null;
}

const oidCache = new Map<string, string>();

/** OBJECT IDENTIFIER as dotted decimal. Sub-identifiers must be minimal and complete. */
export function oid(t: Tlv, tag: number = Tag.OID): string {
  const c = primitive(t, tag, 'OBJECT IDENTIFIER');
  if (c.length === 0) throw t.error('BAD_VALUE', 'OBJECT IDENTIFIER is empty');
  // Cache by content: certificates repeat the same few dozen OIDs.
  let key = '';
  if (c.length <= 16) {
    for (const b of c) key += String.fromCharCode(b);
    const hit = oidCache.get(key);
    if (hit !== undefined) return hit;
  }
  const arcs: (number | bigint)[] = [];
  let v = 0n;
  let small = 0;
  let useBig = false;
  let atStart = true;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    if (atStart && b === 0x80) throw t.error('BAD_VALUE', 'OBJECT IDENTIFIER sub-identifier has a leading 0x80 octet');
    atStart = false;
    if (useBig) v = (v << 7n) | BigInt(b & 0x7f);
    else {
      small = small * 128 + (b & 0x7f);
      if (small > 2 ** 45) {
        useBig = true;
        v = BigInt(small);
      }
    }
    if ((b & 0x80) === 0) {
      arcs.push(useBig ? v : small);
      small = 0;
      v = 0n;
      useBig = false;
      atStart = true;
    }
  }
  if (!atStart) throw t.error('BAD_VALUE', 'OBJECT IDENTIFIER ends inside a sub-identifier');
  const first = arcs[0];
  let head: string;
  if (typeof first === 'bigint') head = `2.${first - 80n}`;
  else if (first < 40) head = `0.${first}`;
  else if (first < 80) head = `1.${first - 40}`;
  else head = `2.${first - 80}`;
  const s = [head, ...arcs.slice(1).map(String)].join('.');
  if (key) oidCache.set(key, s);
  return s;
}

export interface BitString {
  /** unused bits in the last octet (0-7) */
  unusedBits: number;
  bytes: Uint8Array;
}

export function bitString(t: Tlv, tag: number = Tag.BIT_STRING): BitString {
  const c = stringContent(t, tag, 'BIT STRING');
  if (c.length === 0) throw t.error('BAD_VALUE', 'BIT STRING has no unused-bits octet');
  const unusedBits = c[0];
  if (unusedBits > 7) throw t.error('BAD_VALUE', `BIT STRING unused-bits octet is ${unusedBits}`);
  if (c.length === 1 && unusedBits !== 0) throw t.error('BAD_VALUE', 'empty BIT STRING with unused bits');
  return { unusedBits, bytes: c.subarray(1) };
}

/** Named-bit list (keyUsage, Netscape cert type): bit i set <=> (bytes[i>>3] >> (7 - i&7)) & 1. */
export function bitIsSet(bs: BitString, i: number): boolean {
  const byte = i >> 3;
  if (byte >= bs.bytes.length) return false;
  return ((bs.bytes[byte] >> (7 - (i & 7))) & 1) === 1;
}

export function octetString(t: Tlv, tag: number = Tag.OCTET_STRING): Uint8Array {
  return stringContent(t, tag, 'OCTET STRING');
}

export type StringType =
  | 'UTF8String'
  | 'NumericString'
  | 'PrintableString'
  | 'T61String'
  | 'VideotexString'
  | 'IA5String'
  | 'GraphicString'
  | 'VisibleString'
  | 'GeneralString'
  | 'UniversalString'
  | 'BMPString';

const STRING_TAGS: Record<number, StringType> = {
  [Tag.UTF8String]: 'UTF8String',
  [Tag.NumericString]: 'NumericString',
  [Tag.PrintableString]: 'PrintableString',
  [Tag.T61String]: 'T61String',
  [Tag.VideotexString]: 'VideotexString',
  [Tag.IA5String]: 'IA5String',
  [Tag.GraphicString]: 'GraphicString',
  [Tag.VisibleString]: 'VisibleString',
  [Tag.GeneralString]: 'GeneralString',
  [Tag.UniversalString]: 'UniversalString',
  [Tag.BMPString]: 'BMPString',
};

export function isStringTag(tag: number): boolean {
  return STRING_TAGS[tag] !== undefined;
}

export interface DecodedString {
  type: StringType;
  /** the text as Unicode (single-byte types are read as Latin-1, as OpenSSL does) */
  value: string;
  /** the raw content octets */
  raw: Uint8Array;
  /** false when the octets are not valid for the type (bad UTF-8, odd BMP length...) */
  valid: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Decode any ASN.1 character string type; never throws on bad contents (see `valid`). */
export function string(t: Tlv): DecodedString {
  const type = STRING_TAGS[t.tag & ~0x20];
  if (!type) throw t.error('UNEXPECTED_TAG', `expected a character string, found tag 0x${t.tag.toString(16)}`);
  const raw = t.stringContent(type);
  switch (type) {
    case 'UTF8String':
      try {
        return { type, value: utf8.decode(raw), raw, valid: true };
      } catch {
        return { type, value: new TextDecoder().decode(raw), raw, valid: false };
      }
    case 'BMPString': {
      let s = '';
      for (let i = 0; i + 1 < raw.length; i += 2) s += String.fromCharCode((raw[i] << 8) | raw[i + 1]);
      return { type, value: s, raw, valid: raw.length % 2 === 0 };
    }
    case 'UniversalString': {
      let s = '';
      let valid = raw.length % 4 === 0;
      for (let i = 0; i + 3 < raw.length; i += 4) {
        const cp = ((raw[i] << 24) | (raw[i + 1] << 16) | (raw[i + 2] << 8) | raw[i + 3]) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          valid = false;
          s += '\ufffd';
        } else s += String.fromCodePoint(cp);
      }
      return { type, value: s, raw, valid };
    }
    case 'PrintableString':
      return { type, value: latin1(raw), raw, valid: /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(latin1(raw)) };
    case 'IA5String':
    case 'VisibleString':
    case 'NumericString':
      return { type, value: latin1(raw), raw, valid: raw.every((b) => b < 0x80) };
    default:
      return { type, value: latin1(raw), raw, valid: true };
  }
}

export interface DecodedTime {
  kind: 'UTCTime' | 'GeneralizedTime';
  /** the characters as encoded */
  text: string;
  /** milliseconds since the epoch, or null when the text is not a time at all */
  ms: number | null;
  /**
   * true when the text is in the one form RFC 5280 and OpenSSL's X509_cmp_time accept:
   * UTCTime YYMMDDHHMMSSZ, GeneralizedTime YYYYMMDDHHMMSSZ (digits then 'Z', no fraction).
   */
  strict: boolean;
}

/**
 * UTCTime or GeneralizedTime. Lenient forms (no seconds, offsets, fractions) are decoded
 * when possible with strict=false, because the verdict on them belongs to the validator
 * (OpenSSL reports ERROR_IN_CERT_NOT_BEFORE_FIELD rather than failing to parse).
 */
export function time(t: Tlv): DecodedTime {
  const tag = t.ber ? t.tag & ~0x20 : t.tag;
  if (tag !== Tag.UTCTime && tag !== Tag.GeneralizedTime) {
    throw t.error('UNEXPECTED_TAG', `expected UTCTime or GeneralizedTime, found tag 0x${tag.toString(16)}`);
  }
  const kind = tag === Tag.UTCTime ? 'UTCTime' : 'GeneralizedTime';
  const text = latin1(t.stringContent(kind));
  return { kind, text, ...parseTimeText(kind, text) };
}

const STRICT_UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const STRICT_GEN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const LOOSE_UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const LOOSE_GEN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/;

export function parseTimeText(kind: DecodedTime['kind'], text: string): { ms: number | null; strict: boolean } {
  const strictM = (kind === 'UTCTime' ? STRICT_UTC : STRICT_GEN).exec(text);
  const m = strictM ?? (kind === 'UTCTime' ? LOOSE_UTC : LOOSE_GEN).exec(text);
  if (!m) return { ms: null, strict: false };
  let year = Number(m[1]);
  if (kind === 'UTCTime') year += year >= 50 ? 1900 : 2000; // RFC 5280 §4.1.2.5.1
  const mon = Number(m[2]);
  const day = Number(m[3]);
  const hh = Number(m[4]);
  const mm = Number(m[5] ?? 0);
  const ss = Number(m[6] ?? 0);
  if (mon < 1 || mon > 12 || day < 1 || day > daysIn(year, mon) || hh > 23 || mm > 59 || ss > 59) {
    return { ms: null, strict: false };
  }
  let ms = Date.UTC(year, mon - 1, day, hh, mm, ss);
  if (year < 100) ms = new Date(ms).setUTCFullYear(year); // Date.UTC maps 0-99 to 1900+
  const zone = strictM ? 'Z' : kind === 'UTCTime' ? m[7] : m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '+' ? 1 : -1;
    const off = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60000;
    ms -= sign * off;
  }
  if (!strictM && kind === 'GeneralizedTime' && m[7]) ms += Math.floor(Number(`0.${m[7]}`) * 1000);
  return { ms, strict: strictM !== null };
}

function daysIn(year: number, month: number): number {
  return [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}
