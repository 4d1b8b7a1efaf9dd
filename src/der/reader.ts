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
    return this.buf.subarray(this.start, this.end);
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
    return new DerReader(this.buf, this.contentStart, this.end, this.path);
  }

  /** All children, named `path[i]`. */
  children(): Tlv[] {
    const r = this.reader();
    const out: Tlv[] = [];
    while (!r.done()) out.push(r.next(`[${out.length}]`));
    return out;
  }

  /** Throws unless this element has the given identifier byte. */
  expect(tag: number, what: string): this {
    if (this.tag !== tag) {
      throw this.error('UNEXPECTED_TAG', `expected ${what} (tag 0x${hex2(tag)}), found tag 0x${hex2(this.tag)}`);
    }
    return this;
  }

  /** Parse the contents of an OCTET STRING / BIT STRING wrapper as one DER element filling it exactly. */
  inner(name: string): Tlv {
    return parseDerAt(this.buf, this.contentStart, this.end, joinPath(this.path, name));
  }
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export function joinPath(base: string, name: string): string {
  if (!base) return name.startsWith('[') ? name : name;
  return name.startsWith('[') ? base + name : `${base}.${name}`;
}

/** Read one element header at `pos`, bounded by `limit`. Contents are not examined. */
export function readTlv(buf: Uint8Array, pos: number, limit: number, path: string): Tlv {
  const start = pos;
  if (pos >= limit) throw new DerError('TRUNCATED', 'expected an element but the input ended', pos, path);
  const tag = buf[pos++];
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    // High-tag-number form (X.690 §8.1.2.4): base-128, no leading 0x80, and only for numbers >= 31.
    if (pos >= limit) throw new DerError('TRUNCATED', 'tag number runs past the end', pos, path);
    if (buf[pos] === 0x80) throw new DerError('NON_MINIMAL_TAG', 'tag number has a leading zero septet', pos, path);
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit) throw new DerError('TRUNCATED', 'tag number runs past the end', pos, path);
      if (i >= 4) throw new DerError('LENGTH_TOO_LARGE', 'tag number too large', start, path);
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 31) throw new DerError('NON_MINIMAL_TAG', `tag number ${tagNumber} must use the short form`, start, path);
  }
  if (pos >= limit) throw new DerError('TRUNCATED', 'length octets run past the end', pos, path);
  const l0 = buf[pos++];
  let len: number;
  if (l0 < 0x80) {
    len = l0;
  } else if (l0 === 0x80) {
    throw new DerError('INDEFINITE_LENGTH', 'indefinite length (BER) is not allowed in DER', pos - 1, path);
  } else {
    const n = l0 & 0x7f;
    if (n > MAX_LENGTH_OCTETS) throw new DerError('LENGTH_TOO_LARGE', `length uses ${n} octets`, pos - 1, path);
    if (pos + n > limit) throw new DerError('TRUNCATED', 'length octets run past the end', pos, path);
    if (buf[pos] === 0) throw new DerError('NON_MINIMAL_LENGTH', 'length has a leading zero octet', pos - 1, path);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    if (len < 0x80) throw new DerError('NON_MINIMAL_LENGTH', `length ${len} must use the short form`, start + 1, path);
  }
  if (len > limit - pos) {
    throw new DerError('TRUNCATED', `element of length ${len} runs ${len - (limit - pos)} bytes past the end`, start, path);
  }
  return new Tlv(buf, tag, tagNumber, start, pos, pos + len, path);
}

/** Parse exactly one element filling buf[start, end). */
export function parseDerAt(buf: Uint8Array, start: number, end: number, path: string): Tlv {
  const t = readTlv(buf, start, end, path);
  if (t.end !== end) {
    throw new DerError('TRAILING_BYTES', `${end - t.end} bytes after the element`, t.end, path);
  }
  return t;
}

/** Parse a whole buffer that must hold exactly one DER element. */
export function parseDer(buf: Uint8Array, path = ''): Tlv {
  return parseDerAt(buf, 0, buf.length, path);
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
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.limit;
  }

  /** Identifier byte of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.limit ? this.buf[this.pos] : undefined;
  }

  /** The next element, whatever its tag. */
  next(name?: string): Tlv {
    const label = name ?? `[${this.index}]`;
    const p = joinPath(this.path, label);
    if (this.done()) throw new DerError('MISSING_ELEMENT', `missing ${name ?? 'element'}`, this.pos, p);
    const t = readTlv(this.buf, this.pos, this.limit, p);
    this.pos = t.end;
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

  /** Throw if elements remain. */
  end(): void {
    if (!this.done()) {
      throw new DerError('TRAILING_BYTES', `${this.limit - this.pos} unexpected bytes at the end of the structure`, this.pos, this.path);
    }
  }
}
