// Streaming message readers: feed them socket chunks of any size, get whole messages back.
// BackendMessageReader is libpq's view of the server (typed messages; a length libpq would
// not believe is its "lost synchronization with server" error). FrontendMessageReader is
// the server's view of a client: untyped startup-phase packets until the StartupMessage,
// typed messages after; it keeps what it has not consumed, so a server stand-in can see the
// bytes a client sent right behind an SSLRequest (see ssl-negotiation.ts).

import { concatBytes } from '../../der/bytes.js';
import { decodeBackendMessage, type BackendMessage } from './backend.js';
import { readI32 } from './buffer.js';
import { decodeFrontendMessage, decodeStartupPacket, startupLengthError, type FrontendMessage } from './frontend.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, LONG_MESSAGE_TYPES, MAX_SHORT_MESSAGE_LENGTH, WireError } from './protocol.js';

abstract class ChunkBuffer {
  protected buf: Uint8Array = new Uint8Array(0);

  protected append(chunk: Uint8Array): void {
    this.buf = this.buf.length ? concatBytes(this.buf, chunk) : chunk.slice();
  }
  protected consume(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  /** Bytes received but not yet part of a returned message. */
  get buffered(): Uint8Array {
    return this.buf.slice();
  }
}

export interface BackendReaderOptions {
  /** refuse (WireError TOO_LONG) any message longer than this (default about 1 GB) */
  maxLength?: number;
}

export class BackendMessageReader extends ChunkBuffer {
  private readonly maxLength: number;
  constructor(opts: BackendReaderOptions = {}) {
    super();
    this.maxLength = opts.maxLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }

  /** Add bytes; return every message now complete. Throws WireError on impossible data. */
  push(chunk: Uint8Array): BackendMessage[] {
    this.append(chunk);
    const out: BackendMessage[] = [];
    while (this.buf.length >= 5) {
      const type = String.fromCharCode(this.buf[0]);
      const length = readI32(this.buf, 1);
      // pqParseInput3: lengths below 4, or long for a type that is never long, mean garbage
      if (length < 4 || (length > MAX_SHORT_MESSAGE_LENGTH && !LONG_MESSAGE_TYPES.has(type)))
        throw new WireError('SYNC_LOST', `lost synchronization with server: got message type "${type}", length ${length}`, type);
      if (length > this.maxLength)
        throw new WireError('TOO_LONG', `message type "${type}" of ${length} bytes exceeds the limit of ${this.maxLength}`, type);
      if (this.buf.length < 1 + length) break;
      this.consume(1);
      const body = this.consume(length).subarray(4);
      out.push(decodeBackendMessage(type, body));
    }
    return out;
  }
}

export interface FrontendReaderOptions {
  maxLength?: number;
}

export class FrontendMessageReader extends ChunkBuffer {
  /** true once a StartupMessage was read: later messages are typed */
  started = false;
  private readonly maxLength: number;
  constructor(opts: FrontendReaderOptions = {}) {
    super();
    this.maxLength = opts.maxLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  }

  /**
   * Add bytes; return the messages now complete. Stops after an SSLRequest or GSSENCRequest
   * (what follows is TLS or GSS, not protocol messages): look at `buffered` then.
   */
  push(chunk: Uint8Array): FrontendMessage[] {
    this.append(chunk);
    const out: FrontendMessage[] = [];
    for (;;) {
      if (!this.started) {
        if (this.buf.length < 4) break;
        const length = readI32(this.buf, 0);
        const bad = startupLengthError(length);
        if (bad) throw new WireError('BAD_LENGTH', bad);
        if (this.buf.length < length) break;
        const m = decodeStartupPacket(this.consume(length).subarray(4));
        out.push(m);
        if (m.type === 'StartupMessage') this.started = true;
        if (m.type === 'SSLRequest' || m.type === 'GSSENCRequest' || m.type === 'CancelRequest') break;
        continue;
      }
      if (this.buf.length < 5) break;
      const type = String.fromCharCode(this.buf[0]);
      const length = readI32(this.buf, 1);
      if (length < 4) throw new WireError('BAD_LENGTH', `invalid message length ${length}`, type);
      if (length > this.maxLength)
        throw new WireError('TOO_LONG', `message type "${type}" of ${length} bytes exceeds the limit of ${this.maxLength}`, type);
      if (this.buf.length < 1 + length) break;
      this.consume(1);
      out.push(decodeFrontendMessage(type, this.consume(length).subarray(4)));
    }
    return out;
  }

  /** Hand over (and forget) the unread bytes, e.g. to a TLS engine after 'S'. */
  takeBuffered(): Uint8Array {
    return this.consume(this.buf.length).slice();
  }
}
