// Typed errors of the TLS layer. A TlsDecodeError is bad bytes from the peer (it maps to the
// decode_error alert, or illegal_parameter where RFC 8446 says so); a TlsAlertError is the
// record layer refusing a record, carrying the alert to send. Both are thrown and caught at
// the connection boundary and turned into an alert, never a crash. A handshake step does not
// throw: it returns a Refusal (the alert and why), so each of its exits is a `return`.

import type { AlertName } from './alerts.js';

export class TlsDecodeError extends Error {
  override readonly name = 'TlsDecodeError';
  constructor(
    readonly detail: string,
    /** byte offset inside the structure being decoded */
    readonly offset: number,
    /** where, e.g. `ClientHello.extensions[3](key_share).client_shares[0]` */
    readonly path: string,
    readonly alert: 'decode_error' | 'illegal_parameter' = 'decode_error',
  ) {
    super(`${detail} at byte ${offset}${path ? ` (${path})` : ''}`);
  }
}

export class TlsAlertError extends Error {
  override readonly name = 'TlsAlertError';
  constructor(
    readonly alert: AlertName,
    readonly reason: string,
    /** OpenSSL's reason string for the same refusal (what its error queue says), when known */
    readonly opensslReason?: string,
  ) {
    super(`${alert}: ${reason}`);
  }
}

/** A handshake step's refusal of a well-formed message: the alert to send and why. */
export class Refusal {
  constructor(
    readonly alert: AlertName,
    readonly reason: string,
    /** OpenSSL's reason string for the same refusal (what its error queue says), when known */
    readonly opensslReason?: string,
  ) {}
}

/**
 * An API call the connection's state does not allow: sending, updating keys or issuing a
 * ticket once close() has sent close_notify (or the connection has closed), or before the
 * handshake is done. Nothing is sent.
 */
export class TlsStateError extends Error {
  override readonly name = 'TlsStateError';
  constructor(
    /** the refused call: 'send', 'keyUpdate', 'sendNewSessionTicket', 'exportKeyingMaterial' */
    readonly operation: string,
    readonly why: 'closed' | 'not_connected',
  ) {
    super(`${operation}: ${why === 'closed' ? 'the TLS connection is closed for sending' : 'the handshake is not complete'}`);
  }
}

/** The alert a caught error maps to; anything unexpected is our bug -> internal_error. */
export function alertForError(e: unknown): { alert: AlertName; reason: string; opensslReason?: string } {
  if (e instanceof TlsAlertError || e instanceof Refusal)
    return { alert: e.alert, reason: e.reason, ...(e.opensslReason ? { opensslReason: e.opensslReason } : {}) };
  if (e instanceof TlsDecodeError) return { alert: e.alert, reason: e.message };
  return { alert: 'internal_error', reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}
