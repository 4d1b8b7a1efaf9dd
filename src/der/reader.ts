// The strict DER reader every parser in pgtls stands on.
//
// Why our own and not asn1js on this path: signatures are checked over the exact bytes of
// the TBS structure, so every element keeps its offsets into the original buffer (no
// re-encoding), and a certificate has to parse in tens of microseconds (asn1js needs about
// 0.8 ms). Elements are read lazily: a Tlv is only a header plus offsets until someone asks
// for its children or its value.
//
// DER rules enforced here (X.690 §10): definite lengths only, lengths and tags in their
// shortest form, no bytes past an element's end or after the outermost element. Rules that
// depend on the type (minimal INTEGERs, primitive strings, BOOLEAN values) are enforced by
// the value decoders in values.ts.
//
// BER-tolerant mode (a BerLog passed to parseDer/readTlv; every element read under it
// carries it to its children and values): accepts exactly the relaxations OpenSSL 3.0's
// d2i accepts (ASN1_get_object / asn1_get_length in crypto/asn1/asn1_lib.c, the template
// decoder in crypto/asn1/tasn_dec.c) and records each one as a BerDeviation instead of
// throwing: the high-tag-number form for a tag below 31 (also with 0x80 padding septets),
// long-form and zero-padded lengths, indefinite lengths on constructed elements (the EOC
// closes them), SEQUENCE OF / SET OF in primitive form (Tlv.expectOf), constructed
// (segmented) strings and BOOLEANs other than 00/FF (values.ts). Strict DER stays the
// default; deviations are only ever examined on the failure branches of the strict checks,
// so the strict path costs nothing extra.

import { DerError, type DerErrorCode } from './errors.js';

/** Identifier octets for the universal types pgtls reads, as the single identifier byte. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  NumericString: 0x12,
  PrintableString: 0x13,
  T61String: 0x14,
  VideotexString: 0x15,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  GraphicString: 0x19,
  VisibleString: 0x1a,
  GeneralString: 0x1b,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag byte: [n] IMPLICIT primitive, or [n] constructed (EXPLICIT or constructed IMPLICIT). */
export const ctx = (n: number, constructed = false): number => 0x80 | (constructed ? 0x20 : 0) | n;

const MAX_LENGTH_OCTETS = 4; // nothing pgtls reads is 4 GiB; a longer length is hostile

/** What a BER-tolerant read accepted that DER forbids. */
export type BerDeviationKind =
  /** high-tag-number identifier form for a tag number below 31, or with a leading 0x80 septet */
  | 'high-tag-form'
  /** long-form length for a length below 128 */
  | 'long-length'
  /** long-form length with leading zero octets */
  | 'padded-length'
  /** indefinite length (0x80 ... 00 00) on a constructed element */
  | 'indefinite-length'
  /** SEQUENCE OF / SET OF in primitive form (0x10 / 0x11, or an IMPLICIT tag without the constructed bit) */
  | 'primitive-sequence-of'
  /** string type in constructed (segmented) form, read as the concatenation of its segments */
  | 'constructed-string'
  /** BOOLEAN content other than 0x00 / 0xFF (any non-zero octet is TRUE) */
  | 'boolean-value';

export interface BerDeviation {
  kind: BerDeviationKind;
  /** offset of the element's identifier octet */
  offset: number;
  path: string;
}

export const BER_DEVIATION_TEXT: Record<BerDeviationKind, string> = {
  'high-tag-form': 'tag number below 31 in the high-tag-number form',
  'long-length': 'length in the long form (DER needs the short form below 128)',
  'padded-length': 'length with leading zero octets',
  'indefinite-length': 'indefinite length (BER)',
  'primitive-sequence-of': 'SEQUENCE OF / SET OF in primitive form',
  'constructed-string': 'string in constructed (segmented) form',
  'boolean-value': 'BOOLEAN that is neither 0x00 nor 0xFF',
};

/**
 * The BER-tolerant reading mode: pass one to parseDer / readTlv and every element read
 * through it (children, inner elements, values) accepts what OpenSSL's d2i accepts and adds
 * each deviation from DER here, once per (kind, offset).
 */
export class BerLog {
  readonly deviations: BerDeviation[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly silent = false) {}
  add(kind: BerDeviationKind, offset: number, path: string): void {
    if (this.silent) return;
    const key = `${kind}@${offset}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.deviations.push({ kind, offset, path });
  }
}

/** Used while looking for the end of an indefinite-length element: its children are logged when read for real. */
const SCAN = new BerLog(true);
/** Nesting of indefinite lengths being scanned; bounded so hostile input cannot exhaust the stack. */
let scanDepth = 0;
const MAX_INDEFINITE_NEST = 64;

/** Universal types OpenSSL reads in constructed form (asn1_d2i_ex_primitive refuses it for NULL, BOOLEAN, OID, INTEGER, ENUMERATED). */
const SEGMENTABLE = new Set([0x03, 0x04, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1e]);

/** OpenSSL's limit on nested segmented strings (ASN1_MAX_STRING_NEST in tasn_dec.c). */
const MAX_STRING_NEST = 5;

/**
 * One DER element: identifier, length and the offsets of its contents within `buf`.
 * `tag` is the first identifier byte for tag numbers below 31 (the only ones X.509 and TLS
 * use); for the high-tag-number form it is the first byte (low five bits all set) and
 * `tagNumber` holds the number.
 */
export class Tlv {
  constructor(
    readonly buf: Uint8Array,
    readonly tag: number,
    readonly tagNumber: number,
    /** offset of the identifier byte */
    readonly start: number,
    /** offset of the first content byte */
    readonly contentStart: number,
    /** offset one past the last content byte */
    readonly end: number,
    /** where this element sits in the structure, for error messages */
    readonly path: string,
    /** set in BER-tolerant mode: where deviations from DER are recorded */
    readonly ber?: BerLog,
    /** offset one past the element, end-of-contents octets included (differs from `end` only for an indefinite length) */
    readonly after: number = end,
  ) {}

  get cls(): 0 | 1 | 2 | 3 {
    return (this.tag >> 6) as 0 | 1 | 2 | 3;
  }
  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }
  get length(): number {
    return this.end - this.contentStart;
  }
  /** The whole element, header included: the exact bytes that were signed. */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.after);
  }
  /** The contents only. */
  content(): Uint8Array {
    return this.buf.subarray(this.contentStart, this.end);
  }

  error(code: DerErrorCode, detail: string, offset = this.start): DerError {
    return new DerError(code, detail, offset, this.path);
  }

  /** A cursor over the children of a constructed element. */
  reader(): DerReader {
    if (!this.constructed) throw this.error('CONSTRUCTED_PRIMITIVE', 'expected a constructed element');
    return new DerReader(this.buf, this.contentStart, this.end, this.path, this.ber, this.after - this.end);
  }

  /** All children, named `path[i]`. */
  children(): Tlv[] {
    const r = this.reader();
    const out: Tlv[] = [];
    while (!r.done()) out.push(r.next(`[${out.length}]`));
    return out;
  }

  /**
   * Throws unless this element has the given identifier byte. In BER-tolerant mode a universal
   * string type (BIT STRING, OCTET STRING, character strings, times) may come constructed
   * (segmented); its value decoder joins the segments.
   */
  expect(tag: number, what: string): this {
    if (this.tag !== tag && !(this.ber && this.tag === (tag | 0x20) && SEGMENTABLE.has(tag))) {
      throw this.error('UNEXPECTED_TAG', `expected ${what} (tag 0x${hex2(tag)}), found tag 0x${hex2(this.tag)}`);
    }
    return this;
  }

  /**
   * `expect` for a SEQUENCE OF / SET OF (or an IMPLICIT tag on one): in BER-tolerant mode the
   * primitive form is accepted too, as OpenSSL's template decoder never checks the
   * constructed bit of a SEQUENCE OF / SET OF; the element comes back constructed.
   */
  expectOf(tag: number, what: string): Tlv {
    if (this.tag === tag) return this;
    if (this.ber && (tag & 0x20) !== 0 && this.tag === (tag & ~0x20)) {
      this.ber.add('primitive-sequence-of', this.start, this.path);
      return new Tlv(this.buf, tag, this.tagNumber, this.start, this.contentStart, this.end, this.path, this.ber, this.after);
    }
    return this.expect(tag, what);
  }

  /** Parse the contents of an OCTET STRING / BIT STRING wrapper as one DER element filling it exactly. */
  inner(name: string): Tlv {
    return parseDerAt(this.buf, this.contentStart, this.end, joinPath(this.path, name), this.ber);
  }

  /**
   * The contents of a string type. A constructed (segmented) string is only accepted in
   * BER-tolerant mode (asn1_collect: the segments' contents concatenated, whatever their tags,
   * nested at most 5 deep); `what` names the type for the error otherwise.
   */
  stringContent(what: string): Uint8Array {
    if (!this.constructed) return this.content();
    if (!this.ber) throw this.error('CONSTRUCTED_PRIMITIVE', `${what} must use the primitive form`);
    this.ber.add('constructed-string', this.start, this.path);
    const parts: Uint8Array[] = [];
    const collect = (t: Tlv, depth: number): void => {
      const r = t.reader();
      while (!r.done()) {
        const s = r.next();
        if (!s.constructed) parts.push(s.content());
        else if (depth >= MAX_STRING_NEST) throw s.error('BAD_VALUE', `segmented ${what} nested more than ${MAX_STRING_NEST} deep`);
        else collect(s, depth + 1);
      }
    };
    collect(this, 0);
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) {
      out.set(p, n);
      n += p.length;
    }
    return out;
  }
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export function joinPath(base: string, name: string): string {
  if (!base) return name.startsWith('[') ? name : name;
  return name.startsWith('[') ? base + name : `${base}.${name}`;
}

/**
 * Read one element header at `pos`, bounded by `limit`. Contents are not examined (except
 * to find the end-of-contents octets of an indefinite length, in BER-tolerant mode).
 * `slack` is how many bytes OpenSSL may still read past `limit` (the two EOC octets closing
 * an indefinite-length parent).
 */
export function readTlv(buf: Uint8Array, pos: number, limit: number, path: string, ber?: BerLog, slack = 0): Tlv {
  const start = pos;
  if (pos >= limit) throw new DerError('TRUNCATED', 'expected an element but the input ended', pos, path);
  let tag = buf[pos++];
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    // High-tag-number form (X.690 §8.1.2.4): base-128, no leading 0x80, and only for numbers >= 31.
    if (pos >= limit) throw new DerError('TRUNCATED', 'tag number runs past the end', pos, path);
    if (buf[pos] === 0x80) {
      if (!ber) throw new DerError('NON_MINIMAL_TAG', 'tag number has a leading zero septet', pos, path);
      ber.add('high-tag-form', start, path);
    }
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit) throw new DerError('TRUNCATED', 'tag number runs past the end', pos, path);
      if (i >= 4 && !(ber && tagNumber === 0)) throw new DerError('LENGTH_TOO_LARGE', 'tag number too large', start, path);
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 31) {
      if (!ber) throw new DerError('NON_MINIMAL_TAG', `tag number ${tagNumber} must use the short form`, start, path);
      ber.add('high-tag-form', start, path);
      tag = (tag & 0xe0) | tagNumber; // the identifier byte the short form would have had
    }
  }
  if (pos >= limit) throw new DerError('TRUNCATED', 'length octets run past the end', pos, path);
  const l0 = buf[pos++];
  let len: number;
  if (l0 < 0x80) {
    len = l0;
  } else if (l0 === 0x80) {
    if (!ber) throw new DerError('INDEFINITE_LENGTH', 'indefinite length (BER) is not allowed in DER', pos - 1, path);
    return indefinite(buf, tag, tagNumber, start, pos, limit, path, ber);
  } else {
    let n = l0 & 0x7f;
    if (ber && buf[pos] === 0 && pos < limit) {
      // asn1_get_length: leading zero octets are skipped; the octets must leave one byte after them
      if (pos + n >= limit + slack)
        throw new DerError('TRUNCATED', 'long-form length with nothing after it (OpenSSL needs one more byte)', pos - 1, path);
      ber.add('padded-length', start, path);
      while (n > 0 && buf[pos] === 0) {
        pos++;
        n--;
      }
    }
    if (n > MAX_LENGTH_OCTETS) throw new DerError('LENGTH_TOO_LARGE', `length uses ${n} octets`, pos - 1, path);
    if (pos + n > limit) throw new DerError('TRUNCATED', 'length octets run past the end', pos, path);
    if (n > 0 && buf[pos] === 0) throw new DerError('NON_MINIMAL_LENGTH', 'length has a leading zero octet', pos - 1, path);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    if (len < 0x80) {
      if (!ber) throw new DerError('NON_MINIMAL_LENGTH', `length ${len} must use the short form`, start + 1, path);
      if (pos >= limit + slack)
        throw new DerError('TRUNCATED', 'long-form length with nothing after it (OpenSSL needs one more byte)', start + 1, path);
      ber.add('long-length', start, path);
    }
  }
  if (len > limit - pos) {
    throw new DerError('TRUNCATED', `element of length ${len} runs ${len - (limit - pos)} bytes past the end`, start, path);
  }
  return new Tlv(buf, tag, tagNumber, start, pos, pos + len, path, ber);
}

/** An indefinite-length element whose contents start at `pos`: its children run up to the end-of-contents octets 00 00. */
function indefinite(
  buf: Uint8Array,
  tag: number,
  tagNumber: number,
  start: number,
  pos: number,
  limit: number,
  path: string,
  ber: BerLog,
): Tlv {
  if ((tag & 0x20) === 0) throw new DerError('INDEFINITE_LENGTH', 'indefinite length on a primitive element', pos - 1, path);
  const contentStart = pos;
  if (scanDepth >= MAX_INDEFINITE_NEST)
    throw new DerError('UNSUPPORTED', `indefinite lengths nested more than ${MAX_INDEFINITE_NEST} deep`, start, path);
  scanDepth++;
  try {
    for (;;) {
      if (pos + 2 > limit) throw new DerError('TRUNCATED', 'indefinite length without end-of-contents octets', start, path);
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      pos = readTlv(buf, pos, limit, path, SCAN).after;
    }
  } finally {
    scanDepth--;
  }
  ber.add('indefinite-length', start, path);
  return new Tlv(buf, tag, tagNumber, start, contentStart, pos, path, ber, pos + 2);
}

/** Parse exactly one element filling buf[start, end) (BER-tolerant when `ber` is given). */
export function parseDerAt(buf: Uint8Array, start: number, end: number, path: string, ber?: BerLog): Tlv {
  const t = readTlv(buf, start, end, path, ber);
  if (t.after !== end) {
    throw new DerError('TRAILING_BYTES', `${end - t.after} bytes after the element`, t.after, path);
  }
  return t;
}

/** Parse a whole buffer that must hold exactly one DER element (BER-tolerant when `ber` is given). */
export function parseDer(buf: Uint8Array, path = '', ber?: BerLog): Tlv {
  return parseDerAt(buf, 0, buf.length, path, ber);
}

/** Sequential reader over the children of a constructed element. */
export class DerReader {
  private pos: number;
  private index = 0;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly limit: number,
    readonly path: string,
    readonly ber?: BerLog,
    /** bytes OpenSSL may read past `limit` (2 inside an indefinite-length element) */
    private readonly slack = 0,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.limit;
  }

  /** Identifier byte of the next element (its short-form equivalent in BER-tolerant mode), or undefined at the end. */
  peekTag(): number | undefined {
    if (this.pos >= this.limit) return undefined;
    const b = this.buf[this.pos];
    if (!this.ber || (b & 0x1f) !== 0x1f) return b;
    try {
      return readTlv(this.buf, this.pos, this.limit, this.path, SCAN, this.slack).tag;
    } catch {
      return b;
    }
  }

  /** The next element, whatever its tag. */
  next(name?: string): Tlv {
    const label = name ?? `[${this.index}]`;
    const p = joinPath(this.path, label);
    if (this.done()) throw new DerError('MISSING_ELEMENT', `missing ${name ?? 'element'}`, this.pos, p);
    const t = readTlv(this.buf, this.pos, this.limit, p, this.ber, this.slack);
    this.pos = t.after;
    this.index++;
    return t;
  }

  /** The next element, which must have this tag. */
  expect(tag: number, name: string): Tlv {
    return this.next(name).expect(tag, name);
  }

  /** The next element if it has this tag, else nothing is consumed. */
  optional(tag: number, name: string): Tlv | undefined {
    return this.peekTag() === tag ? this.next(name) : undefined;
  }

  /** The next element, a SEQUENCE OF / SET OF with this tag (see Tlv.expectOf). */
  expectOf(tag: number, name: string): Tlv {
    return this.next(name).expectOf(tag, name);
  }

  /** `optional` for a SEQUENCE OF / SET OF (see Tlv.expectOf). */
  optionalOf(tag: number, name: string): Tlv | undefined {
    const p = this.peekTag();
    return p === tag || (this.ber && p === (tag & ~0x20)) ? this.expectOf(tag, name) : undefined;
  }

  /** Throw if elements remain. */
  end(): void {
    if (!this.done()) {
      throw new DerError('TRAILING_BYTES', `${this.limit - this.pos} unexpected bytes at the end of the structure`, this.pos, this.path);
    }
  }
}
