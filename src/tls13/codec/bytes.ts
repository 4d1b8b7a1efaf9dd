// Byte reader and writer for TLS presentation-language vectors (RFC 8446 §3): big-endian
// u8/u16/u24/u32 and length-prefixed vectors. The reader never reads past its window and
// reports the offset and a path on every failure, so a bad message names its bad byte.

import { TlsDecodeError } from '../errors.js';

export class TlsReader {
  private pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    readonly path = '',
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  done(): boolean {
    return this.pos >= this.end;
  }

  fail(detail: string, alert: 'decode_error' | 'illegal_parameter' = 'decode_error', at = this.pos): never {
    throw new TlsDecodeError(detail, at, this.path, alert);
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) this.fail(`${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }
  u24(what = 'u24'): number {
    this.need(3, what);
    const v = (this.buf[this.pos] << 16) | (this.buf[this.pos + 1] << 8) | this.buf[this.pos + 2];
    this.pos += 3;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = ((this.buf[this.pos] << 24) | (this.buf[this.pos + 1] << 16) | (this.buf[this.pos + 2] << 8) | this.buf[this.pos + 3]) >>> 0;
    this.pos += 4;
    return v;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  rest(): Uint8Array {
    return this.bytes(this.end - this.pos);
  }

  /** A sub-reader over a vector with a 1, 2 or 3 byte length prefix, checked against min/max. */
  vec(lenBytes: 1 | 2 | 3, name: string, min = 0, max = Infinity): TlsReader {
    const at = this.pos;
    const n = lenBytes === 1 ? this.u8(name) : lenBytes === 2 ? this.u16(name) : this.u24(name);
    if (n < min || n > max) this.fail(`${name} length ${n} outside ${min}..${max}`, 'decode_error', at);
    this.need(n, name);
    const r = new TlsReader(this.buf, this.pos, this.pos + n, this.path ? `${this.path}.${name}` : name);
    this.pos += n;
    return r;
  }
  vecBytes(lenBytes: 1 | 2 | 3, name: string, min = 0, max = Infinity): Uint8Array {
    return this.vec(lenBytes, name, min, max).rest();
  }

  /** Read a list of fixed or variable items filling a sub-reader. */
  list<T>(item: (r: TlsReader, i: number) => T): T[] {
    const out: T[] = [];
    while (!this.done()) out.push(item(this, out.length));
    return out;
  }

  /** Structures must be consumed exactly: trailing bytes are a decode_error. */
  end_(what = this.path || 'structure'): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected bytes after ${what}`);
  }

  child(name: string): TlsReader {
    return new TlsReader(this.buf, this.pos, this.end, this.path ? `${this.path}.${name}` : name);
  }
}

export class TlsWriter {
  private chunks: number[] = [];

  u8(v: number): this {
    this.chunks.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    this.chunks.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u24(v: number): this {
    this.chunks.push((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u32(v: number): this {
    this.chunks.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  bytes(b: Uint8Array): this {
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]);
    return this;
  }
  /** A length-prefixed vector whose body is written by `body` (or given as bytes). */
  vec(lenBytes: 1 | 2 | 3, body: Uint8Array | ((w: TlsWriter) => void)): this {
    const inner = body instanceof Uint8Array ? body : TlsWriter.build(body);
    const max = 2 ** (8 * lenBytes) - 1;
    if (inner.length > max) throw new RangeError(`vector of ${inner.length} bytes does not fit a ${lenBytes}-byte length`);
    if (lenBytes === 1) this.u8(inner.length);
    else if (lenBytes === 2) this.u16(inner.length);
    else this.u24(inner.length);
    return this.bytes(inner);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
  static build(fn: (w: TlsWriter) => void): Uint8Array {
    const w = new TlsWriter();
    fn(w);
    return w.finish();
  }
}
