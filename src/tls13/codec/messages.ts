// Handshake message codecs (RFC 8446 §4): the 4-byte handshake header and every TLS 1.3
// message body, including HelloRetryRequest (a ServerHello whose random is the special
// SHA-256 of "HelloRetryRequest", §4.1.3) and the synthetic message_hash (§4.4.1).
// Decoding is strict: lengths are checked against the RFC's vector bounds and every
// structure must be consumed exactly; failures are TlsDecodeError (decode_error).

import { bytesEqual, fromHex } from '../../der/bytes.js';
import { TlsReader, TlsWriter } from './bytes.js';
import { HandshakeType, handshakeTypeName } from './constants.js';
import { decodeExtensions, encodeExtensions, type Extension } from './extensions.js';

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest. */
export const HELLO_RETRY_REQUEST_RANDOM = fromHex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');
/** RFC 8446 §4.1.3 downgrade sentinels in the last 8 bytes of ServerHello.random. */
export const DOWNGRADE_TLS12 = fromHex('444f574e47524401');
export const DOWNGRADE_TLS11 = fromHex('444f574e47524400');

export interface ClientHello {
  type: 'client_hello';
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: number[];
  extensions: Extension[];
}

interface ServerHelloFields {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
}
export interface ServerHello extends ServerHelloFields {
  type: 'server_hello';
}
export interface HelloRetryRequest extends ServerHelloFields {
  type: 'hello_retry_request';
}
export interface EncryptedExtensions {
  type: 'encrypted_extensions';
  extensions: Extension[];
}
export interface CertificateRequest {
  type: 'certificate_request';
  context: Uint8Array;
  extensions: Extension[];
}
export interface CertificateEntry {
  data: Uint8Array;
  extensions: Extension[];
}
export interface Certificate {
  type: 'certificate';
  context: Uint8Array;
  entries: CertificateEntry[];
}
export interface CertificateVerify {
  type: 'certificate_verify';
  scheme: number;
  signature: Uint8Array;
}
export interface Finished {
  type: 'finished';
  verifyData: Uint8Array;
}
export interface NewSessionTicket {
  type: 'new_session_ticket';
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}
export interface KeyUpdate {
  type: 'key_update';
  requestUpdate: number;
}
interface EndOfEarlyData {
  type: 'end_of_early_data';
}
interface MessageHash {
  type: 'message_hash';
  hash: Uint8Array;
}
/** A handshake type TLS 1.3 does not define (TLS 1.2's ServerKeyExchange...), kept raw. */
interface UnknownHandshake {
  type: 'unknown';
  code: number;
  body: Uint8Array;
}

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | KeyUpdate
  | EndOfEarlyData
  | MessageHash
  | UnknownHandshake;

/** The kind of a message as the state machine sees it (HelloRetryRequest is its own kind). */
export type MessageKind = HandshakeMessage['type'];

function decodeServerHelloFields(r: TlsReader): ServerHelloFields & { isHrr: boolean } {
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionIdEcho = r.vecBytes(1, 'legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  const isHrr = bytesEqual(random, HELLO_RETRY_REQUEST_RANDOM);
  // A TLS 1.2 ServerHello may omit the extension block entirely (RFC 5246 §7.4.1.3).
  const extensions = r.done() ? [] : decodeExtensions(r, isHrr ? 'hello_retry_request' : 'server_hello');
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions, isHrr };
}

type BodyDecoder = (r: TlsReader) => HandshakeMessage;
const DECODERS: Partial<Record<number, BodyDecoder>> = {
  [HandshakeType.client_hello]: (r) => {
    const legacyVersion = r.u16('legacy_version');
    const random = r.bytes(32, 'random');
    const legacySessionId = r.vecBytes(1, 'legacy_session_id', 0, 32);
    const suites = r.vec(2, 'cipher_suites', 2, 0xfffe);
    if (suites.remaining % 2) suites.fail('cipher_suites has an odd length');
    const cipherSuites = suites.list((x) => x.u16());
    const legacyCompressionMethods = r.vec(1, 'legacy_compression_methods', 1).list((x) => x.u8());
    // Pre-TLS 1.2 ClientHellos may have no extension block; TLS 1.3 negotiation then fails later.
    const extensions = r.done() ? [] : decodeExtensions(r, 'client_hello');
    return { type: 'client_hello', legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
  },
  [HandshakeType.server_hello]: (r) => {
    const { isHrr, ...f } = decodeServerHelloFields(r);
    return { type: isHrr ? 'hello_retry_request' : 'server_hello', ...f };
  },
  [HandshakeType.encrypted_extensions]: (r) => ({ type: 'encrypted_extensions', extensions: decodeExtensions(r, 'encrypted_extensions') }),
  [HandshakeType.certificate_request]: (r) => ({
    type: 'certificate_request',
    context: r.vecBytes(1, 'certificate_request_context'),
    extensions: decodeExtensions(r, 'certificate_request', 2),
  }),
  [HandshakeType.certificate]: (r) => {
    const context = r.vecBytes(1, 'certificate_request_context');
    const entries = r.vec(3, 'certificate_list').list((x) => ({
      data: x.vecBytes(3, 'cert_data', 1),
      extensions: decodeExtensions(x, 'certificate'),
    }));
    return { type: 'certificate', context, entries };
  },
  [HandshakeType.certificate_verify]: (r) => ({
    type: 'certificate_verify',
    scheme: r.u16('algorithm'),
    signature: r.vecBytes(2, 'signature'),
  }),
  [HandshakeType.finished]: (r) => ({ type: 'finished', verifyData: r.rest() }),
  [HandshakeType.new_session_ticket]: (r) => ({
    type: 'new_session_ticket',
    lifetime: r.u32('ticket_lifetime'),
    ageAdd: r.u32('ticket_age_add'),
    nonce: r.vecBytes(1, 'ticket_nonce'),
    ticket: r.vecBytes(2, 'ticket', 1),
    extensions: decodeExtensions(r, 'new_session_ticket'),
  }),
  [HandshakeType.key_update]: (r) => {
    const requestUpdate = r.u8('request_update');
    // RFC 8446 §4.6.3: any other value is illegal_parameter
    if (requestUpdate > 1) r.fail(`KeyUpdate request_update ${requestUpdate}`, 'illegal_parameter');
    return { type: 'key_update', requestUpdate };
  },
  [HandshakeType.end_of_early_data]: () => ({ type: 'end_of_early_data' }),
  [HandshakeType.message_hash]: (r) => ({ type: 'message_hash', hash: r.rest() }),
};

const NAMES: Record<string, string> = {
  client_hello: 'ClientHello',
  server_hello: 'ServerHello',
  hello_retry_request: 'HelloRetryRequest',
  encrypted_extensions: 'EncryptedExtensions',
  certificate_request: 'CertificateRequest',
  certificate: 'Certificate',
  certificate_verify: 'CertificateVerify',
  finished: 'Finished',
  new_session_ticket: 'NewSessionTicket',
  key_update: 'KeyUpdate',
  end_of_early_data: 'EndOfEarlyData',
  message_hash: 'message_hash',
};
/** Display name of a message kind, as the RFC writes it. */
export const messageTitle = (kind: string): string => NAMES[kind] ?? kind;

/** Decode one handshake body of wire type `code`. */
function decodeHandshakeBody(code: number, body: Uint8Array): HandshakeMessage {
  const dec = DECODERS[code];
  if (!dec) return { type: 'unknown', code, body };
  const r = new TlsReader(body, 0, body.length, NAMES[handshakeTypeName(code)] ?? handshakeTypeName(code));
  const msg = dec(r);
  r.end_();
  return msg;
}

/** Decode a whole handshake message (4-byte header + body), which must fill `bytes`. */
export function decodeHandshake(bytes: Uint8Array): HandshakeMessage {
  const r = new TlsReader(bytes, 0, bytes.length, 'Handshake');
  const code = r.u8('msg_type');
  const body = r.vecBytes(3, 'body');
  r.end_();
  return decodeHandshakeBody(code, body);
}

/**
 * The kind of a whole handshake message from its header alone (a ServerHello's random is
 * peeked to tell HelloRetryRequest apart), so a state machine can refuse a message it
 * does not accept before parsing its body, as OpenSSL does.
 */
export function peekKind(bytes: Uint8Array): MessageKind {
  const code = bytes[0];
  if (code === HandshakeType.server_hello && bytes.length >= 4 + 2 + 32 && bytesEqual(bytes.subarray(6, 38), HELLO_RETRY_REQUEST_RANDOM)) {
    return 'hello_retry_request';
  }
  const name = handshakeTypeName(code);
  return code in DECODERS ? (name as MessageKind) : 'unknown';
}

function wireType(m: HandshakeMessage): number {
  if (m.type === 'unknown') return m.code;
  if (m.type === 'hello_retry_request') return HandshakeType.server_hello;
  return HandshakeType[m.type];
}

function encodeBody(w: TlsWriter, m: HandshakeMessage): void {
  switch (m.type) {
    case 'client_hello':
      w.u16(m.legacyVersion).bytes(m.random).vec(1, m.legacySessionId);
      w.vec(2, (l) =>
        m.cipherSuites.forEach((s) => {
          l.u16(s);
        }),
      );
      w.vec(1, Uint8Array.from(m.legacyCompressionMethods));
      encodeExtensions(w, m.extensions, 'client_hello');
      return;
    case 'server_hello':
    case 'hello_retry_request':
      w.u16(m.legacyVersion).bytes(m.random).vec(1, m.legacySessionIdEcho).u16(m.cipherSuite).u8(m.legacyCompressionMethod);
      encodeExtensions(w, m.extensions, m.type);
      return;
    case 'encrypted_extensions':
      encodeExtensions(w, m.extensions, 'encrypted_extensions');
      return;
    case 'certificate_request':
      w.vec(1, m.context);
      encodeExtensions(w, m.extensions, 'certificate_request');
      return;
    case 'certificate':
      w.vec(1, m.context);
      w.vec(3, (l) =>
        m.entries.forEach((e) => {
          l.vec(3, e.data);
          encodeExtensions(l, e.extensions, 'certificate');
        }),
      );
      return;
    case 'certificate_verify':
      w.u16(m.scheme).vec(2, m.signature);
      return;
    case 'finished':
      w.bytes(m.verifyData);
      return;
    case 'new_session_ticket':
      w.u32(m.lifetime).u32(m.ageAdd).vec(1, m.nonce).vec(2, m.ticket);
      encodeExtensions(w, m.extensions, 'new_session_ticket');
      return;
    case 'key_update':
      w.u8(m.requestUpdate);
      return;
    case 'end_of_early_data':
      return;
    case 'message_hash':
      w.bytes(m.hash);
      return;
    case 'unknown':
      w.bytes(m.body);
      return;
  }
}

/** Encode a handshake message with its header: msg_type(1) length(3) body. */
export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  return TlsWriter.build((w) => w.u8(wireType(m)).vec(3, (b) => encodeBody(b, m)));
}
