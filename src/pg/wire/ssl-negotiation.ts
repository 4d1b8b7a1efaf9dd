// The one-byte answer to an SSLRequest and the rules both ends apply around it. The server
// answers 'S' (SSL loaded, TCP connection) or 'N'. Since the CVE-2021-23214/23222 fixes
// (11.14, 12.9, 13.5, 14.1) neither end accepts bytes that arrived unencrypted behind the
// request/response: the server, after sending its answer (even 'N'), fails with 08P01
// "received unencrypted data after SSL request"; libpq, after its handshake, fails with
// "received unencrypted data after SSL response". The same holds for GSSENCRequest.

import { errorResponse, type BackendMessage } from './backend.js';
import type { ErrorFields } from './protocol.js';

export type SslResponse = 'S' | 'N';

/** What the server answers: 'N' on a Unix socket, without SSL loaded, or after SSL is done. */
export function serverSslResponse(opts: { sslLoaded: boolean; unixSocket: boolean }): SslResponse {
  return opts.sslLoaded && !opts.unixSocket ? 'S' : 'N';
}

const MITM_DETAIL = 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.';

/** Where PostgreSQL 15.18 raises it (postmaster.c, ProcessStartupPacket), as its ErrorResponse reports. */
export const PG15_UNENCRYPTED_SOURCE = { file: 'postmaster.c', line: '2136', routine: 'ProcessStartupPacket' } as const;

export interface UnexpectedDataVerdict {
  /** the server's FATAL, as an ErrorResponse's fields */
  server: ErrorFields;
  /** the ErrorResponse message the server sends before closing */
  serverMessage: BackendMessage;
  /** libpq's error text for the mirror case (data before the server's handshake completed) */
  client: string;
}

/**
 * Bytes the server holds, unread, when it has just answered an SSLRequest (or
 * GSSENCRequest): any at all are refused. Returns the verdict, or undefined when none.
 */
export function unexpectedDataAfterSslRequest(
  buffered: Uint8Array | number,
  opts: { request?: 'SSLRequest' | 'GSSENCRequest'; source?: { file: string; line: string; routine: string } } = {},
): UnexpectedDataVerdict | undefined {
  const n = typeof buffered === 'number' ? buffered : buffered.length;
  if (n <= 0) return undefined;
  const gss = opts.request === 'GSSENCRequest';
  const src = opts.source ?? PG15_UNENCRYPTED_SOURCE;
  const server: ErrorFields = {
    severity: 'FATAL',
    severityNonLocalized: 'FATAL',
    code: '08P01',
    message: gss ? 'received unencrypted data after GSSAPI encryption request' : 'received unencrypted data after SSL request',
    detail: MITM_DETAIL,
    file: src.file,
    line: src.line,
    routine: src.routine,
  };
  return {
    server,
    serverMessage: errorResponse(server),
    client: gss ? 'received unencrypted data after GSSAPI encryption response' : 'received unencrypted data after SSL response',
  };
}

export type ClientSslOutcome = { next: 'tls' } | { next: 'plaintext' } | { next: 'fail'; error: string; fallback: boolean };

/** libpq on the answer byte: TLS, plaintext on the same socket, or an error. */
export function clientOnSslResponse(byte: number, sslmode: string): ClientSslOutcome {
  const c = String.fromCharCode(byte);
  if (c === 'S') return { next: 'tls' };
  if (c === 'N') {
    if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full')
      return { next: 'fail', error: 'server does not support SSL, but SSL was required', fallback: false };
    return { next: 'plaintext' };
  }
  // 'E': a pre-7.0 style error (or a proxy); libpq does not fall back to plaintext
  if (c === 'E') return { next: 'fail', error: 'server sent an error response during SSL exchange', fallback: false };
  return { next: 'fail', error: `received invalid response to SSL negotiation: ${c}`, fallback: false };
}
