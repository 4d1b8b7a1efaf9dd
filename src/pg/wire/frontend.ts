// Frontend (client -> server) messages: the untyped startup-phase packets (StartupMessage,
// SSLRequest, GSSENCRequest, CancelRequest — Int32 length then Int32 code) and the typed
// ones a simple session needs (Query, Terminate, and 'p', whose meaning — password,
// SASLInitialResponse or SASLResponse — depends on the authentication request it answers).
// The server-side checks on a startup packet use postmaster.c's wording.

import { BodyReader, BodyWriter, typedMessage, untypedMessage } from './buffer.js';
import {
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  MAX_STARTUP_PACKET_LENGTH,
  PROTOCOL_3_0,
  SSL_REQUEST_CODE,
  WireError,
} from './protocol.js';

export type StartupPacket =
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  | { type: 'CancelRequest'; processId: number; secretKey: number }
  | { type: 'StartupMessage'; protocol: number; params: [string, string][] };

export type FrontendMessage =
  | StartupPacket
  | { type: 'Query'; sql: string }
  | { type: 'Terminate' }
  /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; see decodeSaslInitialResponse */
  | { type: 'PasswordMessage'; data: Uint8Array }
  | { type: 'Unknown'; code: string; body: Uint8Array };

/** Decode the body of an untyped startup-phase packet (after its length word). */
export function decodeStartupPacket(body: Uint8Array): StartupPacket {
  const r = new BodyReader(body, 'startup packet');
  const code = r.i32();
  if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
    r.end();
    return { type: code === SSL_REQUEST_CODE ? 'SSLRequest' : 'GSSENCRequest' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.i32();
    const secretKey = r.i32();
    r.end();
    return { type: 'CancelRequest', processId, secretKey };
  }
  // name/value pairs, then a final NUL that must be the last byte
  if (body.length < 5 || body[body.length - 1] !== 0)
    throw new WireError('BAD_MESSAGE', 'invalid startup packet layout: expected terminator as last byte');
  const params: [string, string][] = [];
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    params.push([name, r.cstring()]);
  }
  r.end();
  return { type: 'StartupMessage', protocol: code >>> 0, params };
}

export function encodeFrontendMessage(m: FrontendMessage): Uint8Array {
  const w = new BodyWriter();
  switch (m.type) {
    case 'SSLRequest':
      return untypedMessage(w.i32(SSL_REQUEST_CODE).done());
    case 'GSSENCRequest':
      return untypedMessage(w.i32(GSSENC_REQUEST_CODE).done());
    case 'CancelRequest':
      return untypedMessage(w.i32(CANCEL_REQUEST_CODE).i32(m.processId).i32(m.secretKey).done());
    case 'StartupMessage':
      w.i32(m.protocol);
      for (const [k, v] of m.params) {
        if (k === '') throw new WireError('BAD_MESSAGE', 'startup parameter names cannot be empty');
        w.cstring(k).cstring(v);
      }
      return untypedMessage(w.u8(0).done());
    case 'Query':
      return typedMessage('Q', w.cstring(m.sql).done());
    case 'Terminate':
      return typedMessage('X', new Uint8Array(0));
    case 'PasswordMessage':
      return typedMessage('p', m.data);
    case 'Unknown':
      if (m.code.length !== 1) throw new WireError('BAD_MESSAGE', `bad message type ${JSON.stringify(m.code)}`);
      return typedMessage(m.code, m.body);
  }
}

/** Decode a typed frontend message body (after the type byte and length). */
export function decodeFrontendMessage(type: string, body: Uint8Array): FrontendMessage {
  const r = new BodyReader(body, `frontend message "${type}"`, type);
  switch (type) {
    case 'Q': {
      const sql = r.cstring();
      r.end();
      return { type: 'Query', sql };
    }
    case 'X':
      r.end();
      return { type: 'Terminate' };
    case 'p':
      return { type: 'PasswordMessage', data: body.slice() };
    default:
      return { type: 'Unknown', code: type, body: body.slice() };
  }
}

/** The StartupMessage libpq sends: protocol 3.0 and its parameters in order. */
export function startupMessage(params: Record<string, string> | [string, string][], protocol = PROTOCOL_3_0): FrontendMessage {
  return { type: 'StartupMessage', protocol, params: Array.isArray(params) ? params : Object.entries(params) };
}

/** A cleartext or MD5 PasswordMessage: the password string, NUL-terminated. */
export function passwordMessage(password: string): FrontendMessage {
  return { type: 'PasswordMessage', data: new BodyWriter().cstring(password).done() };
}

export function decodePasswordMessage(m: { data: Uint8Array }): string {
  const r = new BodyReader(m.data, 'PasswordMessage', 'p');
  const s = r.cstring();
  r.end();
  return s;
}

/** SASLInitialResponse: mechanism name, Int32 length (-1: none), initial response. */
export function saslInitialResponse(mechanism: string, response?: Uint8Array): FrontendMessage {
  const w = new BodyWriter().cstring(mechanism);
  if (response) w.i32(response.length).bytes(response);
  else w.i32(-1);
  return { type: 'PasswordMessage', data: w.done() };
}

export function decodeSaslInitialResponse(m: { data: Uint8Array }): { mechanism: string; response?: Uint8Array } {
  const r = new BodyReader(m.data, 'SASLInitialResponse', 'p');
  const mechanism = r.cstring();
  const len = r.i32();
  const response = len === -1 ? undefined : r.bytes(len);
  r.end();
  return { mechanism, response };
}

/** postmaster.c's check on a startup packet's length word (which counts itself). */
export function startupLengthError(length: number): string | undefined {
  const len = length - 4;
  return len < 4 || len > MAX_STARTUP_PACKET_LENGTH ? 'invalid length of startup packet' : undefined;
}

/**
 * The FATAL a PostgreSQL server sends for a protocol it does not speak
 * (ProcessStartupPacket); `latest` is the newest 3.x minor it supports (0 before 18).
 */
export function unsupportedProtocolMessage(protocol: number, latestMinor = 0): string | undefined {
  const major = Math.floor(protocol / 65536);
  const minor = protocol % 65536;
  if (major === 3) return undefined;
  return `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.${latestMinor}`;
}
