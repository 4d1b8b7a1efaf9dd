// node:stream adapter for the sans-I/O engine: wraps a TlsClient or TlsServer around any
// Duplex transport (a net.Socket, a PassThrough pair) and exposes the plaintext as a
// Duplex, like tls.TLSSocket. Used by the Node interop tests and the live-server probe.
// Node-only (the core of tls13 imports no node: module).

import { Duplex } from 'node:stream';
import type { TlsClient } from './machine/client.js';
import type { NegotiatedInfo, TlsEvent } from './machine/config.js';
import type { TlsServer } from './machine/server.js';

/** The peer's fatal alert, as an Error (message in OpenSSL's words where it has them). */
export class TlsAlertReceivedError extends Error {
  override readonly name = 'TlsAlertReceivedError';
  constructor(
    readonly alert: string,
    readonly code: number,
  ) {
    super(`peer sent fatal alert ${alert} (${code})`);
  }
}

/** Our own fatal alert, as an Error. */
export class TlsAlertSentError extends Error {
  override readonly name = 'TlsAlertSentError';
  constructor(
    readonly alert: string,
    readonly code: number,
    readonly reason: string,
    /** OpenSSL's error-queue reason for the same refusal, when the engine knows it */
    readonly opensslReason?: string,
  ) {
    super(`sent fatal alert ${alert} (${code}): ${reason}`);
  }
}

export class TlsEngineSocket extends Duplex {
  negotiated?: NegotiatedInfo;
  /** every engine event, in order */
  readonly tlsEvents: TlsEvent[] = [];
  private ended = false;

  constructor(
    readonly engine: TlsClient | TlsServer,
    readonly transport: Duplex,
  ) {
    super({ allowHalfOpen: true });
    transport.on('data', (chunk: Buffer) => this.feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    transport.on('end', () => {
      if (!this.ended) {
        this.ended = true;
        this.push(null);
      }
    });
    transport.on('error', (e) => this.destroy(e));
    transport.on('close', () => {
      if (this.destroyed || this.ended) return;
      // A peer that closes TCP without close_notify (a server after its FATAL, a client
      // that gave up) is an error for whoever still reads this stream; when nobody does
      // any more, it is only the end, not an uncaught exception.
      if (this.listenerCount('error') > 0) this.destroy(new Error('transport closed before close_notify'));
      else this.destroy();
    });
    if (engine.role === 'client') this.writeOut(engine.start());
  }

  private writeOut(records: Uint8Array[]): void {
    for (const r of records) if (!this.transport.destroyed) this.transport.write(r);
  }

  private feed(bytes: Uint8Array): void {
    const { out, events } = this.engine.receive(bytes);
    this.writeOut(out);
    for (const e of events) this.handle(e);
  }

  private handle(e: TlsEvent): void {
    this.tlsEvents.push(e);
    this.emit('tlsEvent', e);
    switch (e.type) {
      case 'application_data':
        this.push(Buffer.from(e.data));
        break;
      case 'handshake_done':
        this.negotiated = e.negotiated;
        this.emit('secure', e.negotiated);
        break;
      case 'negotiated':
        this.destroy(new Error(`peer negotiated ${e.version}, which the TLS 1.3 engine does not implement`));
        break;
      case 'alert_received':
        if (e.level === 'fatal' && e.code !== 0 && e.code !== 90) this.destroy(new TlsAlertReceivedError(e.alert, e.code));
        break;
      case 'alert_sent':
        if (e.level === 'fatal') {
          const err = new TlsAlertSentError(e.alert, e.code, e.reason, e.opensslReason);
          // let the alert record leave before tearing the transport down
          setImmediate(() => this.destroy(err));
        }
        break;
      case 'closed':
        if (e.reason === 'close_notify' && !this.ended) {
          this.ended = true;
          this.push(null);
        }
        break;
    }
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      this.writeOut(this.engine.send(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _final(cb: (e?: Error | null) => void): void {
    try {
      this.writeOut(this.engine.close());
    } catch {
      // already closed by an alert
    }
    this.transport.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.transport.destroy();
    cb(err);
  }
}
