// Big-endian readers and writers for message bodies: Int16/Int32, NUL-terminated strings
// (UTF-8, the client_encoding pgtls uses) and byte runs. Reading past the end is a
// WireError, never an exception of another kind.

import { concatBytes, utf8Decode, utf8Encode } from '../../der/bytes.js';
import { WireError } from './protocol.js';

export class BodyReader {
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    readonly what: string,
    readonly type?: string,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.b.length) throw new WireError('TRUNCATED', `${this.what}: message ends early`, this.type);
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }
  i16(): number {
    this.need(2);
    const v = (this.b[this.pos] << 8) | this.b[this.pos + 1];
    this.pos += 2;
    return v & 0x8000 ? v - 0x10000 : v;
  }
  i32(): number {
    this.need(4);
    const v = (this.b[this.pos] << 24) | (this.b[this.pos + 1] << 16) | (this.b[this.pos + 2] << 8) | this.b[this.pos + 3] | 0;
    this.pos += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    if (n < 0) throw new WireError('BAD_MESSAGE', `${this.what}: negative length ${n}`, this.type);
    this.need(n);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
  cstring(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw new WireError('BAD_MESSAGE', `${this.what}: string without terminator`, this.type);
    const s = utf8Decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  end(): void {
    if (this.remaining !== 0) throw new WireError('BAD_MESSAGE', `${this.what}: ${this.remaining} unexpected trailing bytes`, this.type);
  }
}

export class BodyWriter {
  private parts: Uint8Array[] = [];
  u8(v: number): this {
    this.parts.push(Uint8Array.of(v & 0xff));
    return this;
  }
  i16(v: number): this {
    this.parts.push(Uint8Array.of((v >> 8) & 0xff, v & 0xff));
    return this;
  }
  i32(v: number): this {
    this.parts.push(Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  cstring(s: string): this {
    const e = utf8Encode(s);
    if (e.includes(0)) throw new WireError('BAD_MESSAGE', 'a protocol string cannot contain NUL');
    this.parts.push(e, Uint8Array.of(0));
    return this;
  }
  done(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

/** A typed message: type byte, Int32 length (counting itself), body. */
export function typedMessage(type: string, body: Uint8Array): Uint8Array {
  return new BodyWriter()
    .u8(type.charCodeAt(0))
    .i32(body.length + 4)
    .bytes(body)
    .done();
}

/** An untyped startup-phase packet: Int32 length (counting itself), body. */
export function untypedMessage(body: Uint8Array): Uint8Array {
  return new BodyWriter()
    .i32(body.length + 4)
    .bytes(body)
    .done();
}

export function readI32(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3] | 0;
}
