// The TLS 1.3 record layer (RFC 8446 §5): TLSPlaintext framing, the streaming record reader
// (records split across chunks, several in one chunk), AEAD protection of TLSInnerPlaintext
// (content type + zero padding, nonce = iv XOR sequence number, AAD = the record header),
// size limits (record_overflow), and the handshake reassembler (several handshake messages
// in one record, one message across records). Sans-I/O: bytes in, records and bytes out.

import { concatBytes } from '../der/bytes.js';
import { ContentType } from './codec/constants.js';
import { TlsAlertError } from './errors.js';
import type { TrafficKeys } from './key-schedule.js';
import type { Suite } from './suites.js';

/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14. */
export const MAX_PLAINTEXT = 2 ** 14;
/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
const MAX_CIPHERTEXT = 2 ** 14 + 256;
/** Largest handshake message accepted (OpenSSL's limit for a certificate chain is 100 KiB). */
const MAX_HANDSHAKE_MESSAGE = 256 * 1024;

interface TlsRecord {
  type: number;
  version: number;
  fragment: Uint8Array;
}

const KNOWN_TYPES = new Set<number>(Object.values(ContentType));

export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + fragment.length);
  out[0] = type;
  out[1] = version >>> 8;
  out[2] = version & 0xff;
  out[3] = fragment.length >>> 8;
  out[4] = fragment.length & 0xff;
  out.set(fragment, 5);
  return out;
}

/**
 * Turns a byte stream into records. Header errors are fatal: an unknown content type is
 * unexpected_message, a length over 2^14 + 256 is record_overflow (RFC 8446 §5.1, §5.2).
 */
export class RecordReader {
  private buf: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): TlsRecord[] {
    this.buf = this.buf.length ? concatBytes(this.buf, chunk) : chunk.slice();
    const out: TlsRecord[] = [];
    let pos = 0;
    while (this.buf.length - pos >= 5) {
      const type = this.buf[pos];
      const version = (this.buf[pos + 1] << 8) | this.buf[pos + 2];
      const length = (this.buf[pos + 3] << 8) | this.buf[pos + 4];
      if (!KNOWN_TYPES.has(type)) {
        this.buf = new Uint8Array(0);
        throw new TlsAlertError('unexpected_message', `record of unknown content type ${type}`);
      }
      if (length > MAX_CIPHERTEXT) {
        this.buf = new Uint8Array(0);
        throw new TlsAlertError('record_overflow', `record length ${length} exceeds 2^14 + 256`);
      }
      if (this.buf.length - pos - 5 < length) break;
      out.push({ type, version, fragment: this.buf.slice(pos + 5, pos + 5 + length) });
      pos += 5 + length;
    }
    this.buf = this.buf.subarray(pos);
    return out;
  }

  /** bytes of an incomplete record still buffered */
  get pending(): number {
    return this.buf.length;
  }
}

/** One direction's AEAD state: keys plus the 64-bit sequence number (§5.3). */
export class RecordProtection {
  private seq = 0n;
  constructor(
    readonly suite: Suite,
    readonly keys: TrafficKeys,
  ) {}

  get sequence(): bigint {
    return this.seq;
  }

  private nonce(): Uint8Array {
    const n = this.keys.iv.slice();
    let s = this.seq;
    for (let i = n.length - 1; i >= n.length - 8; i--) {
      n[i] ^= Number(s & 0xffn);
      s >>= 8n;
    }
    this.seq++;
    return n;
  }

  /** TLSCiphertext for one TLSInnerPlaintext (content || type || zeros). */
  encrypt(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const inner = new Uint8Array(content.length + 1 + padding);
    inner.set(content);
    inner[content.length] = type;
    const length = inner.length + this.suite.tagLength;
    if (length > MAX_CIPHERTEXT) throw new RangeError(`record of ${length} bytes exceeds 2^14 + 256`);
    const header = Uint8Array.of(ContentType.application_data, 0x03, 0x03, length >>> 8, length & 0xff);
    const ct = this.suite.aead.encrypt(this.keys.key, this.nonce(), header, inner);
    return concatBytes(header, ct);
  }

  /**
   * Open a protected record. A bad tag is bad_record_mac (§5.2); an inner plaintext over
   * 2^14 + 1 bytes is record_overflow; one with no non-zero byte is unexpected_message (§5.4).
   */
  decrypt(rec: TlsRecord): { type: number; content: Uint8Array; padding: number } {
    if (rec.fragment.length > MAX_CIPHERTEXT) throw new TlsAlertError('record_overflow', 'protected record exceeds 2^14 + 256');
    const header = Uint8Array.of(rec.type, rec.version >>> 8, rec.version & 0xff, rec.fragment.length >>> 8, rec.fragment.length & 0xff);
    let inner: Uint8Array;
    const nonce = this.nonce();
    try {
      if (rec.fragment.length < this.suite.tagLength) throw new Error('shorter than the tag');
      inner = this.suite.aead.decrypt(this.keys.key, nonce, header, rec.fragment);
    } catch {
      throw new TlsAlertError('bad_record_mac', `record ${this.seq - 1n} failed AEAD authentication`);
    }
    if (inner.length > MAX_PLAINTEXT + 1)
      throw new TlsAlertError('record_overflow', `inner plaintext of ${inner.length} bytes exceeds 2^14 + 1`);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new TlsAlertError('unexpected_message', 'protected record has no non-zero content type');
    return { type: inner[end], content: inner.subarray(0, end), padding: inner.length - 1 - end };
  }
}

/**
 * Reassembles handshake messages from handshake-record payloads. Yields whole messages
 * (4-byte header included, as the transcript needs them). `empty()` tells whether a
 * message is partially buffered, which matters at key changes (§5.1).
 */
export class HandshakeReassembler {
  private buf: Uint8Array = new Uint8Array(0);

  push(fragment: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length ? concatBytes(this.buf, fragment) : fragment.slice();
    const out: Uint8Array[] = [];
    let pos = 0;
    while (this.buf.length - pos >= 4) {
      const len = (this.buf[pos + 1] << 16) | (this.buf[pos + 2] << 8) | this.buf[pos + 3];
      if (len > MAX_HANDSHAKE_MESSAGE) throw new TlsAlertError('illegal_parameter', `handshake message of ${len} bytes is too large`);
      if (this.buf.length - pos - 4 < len) break;
      out.push(this.buf.slice(pos, pos + 4 + len));
      pos += 4 + len;
    }
    this.buf = this.buf.subarray(pos);
    return out;
  }

  empty(): boolean {
    return this.buf.length === 0;
  }
}
