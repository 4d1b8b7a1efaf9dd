// Configuration of a TlsClient / TlsServer, the events a connection reports, and the
// defaults (OpenSSL 3.0's TLS 1.3 lists, so a default pgtls peer looks like a default
// OpenSSL peer on the wire).

import type { AlertName } from '../alerts.js';
import {
  CipherSuite,
  SignatureScheme,
  type CipherSuiteName,
  type KeyExchangeGroup,
  type NamedGroupName,
  type SignatureSchemeName,
} from '../codec/constants.js';
import type { ExtContext, Extension } from '../codec/extensions.js';
import type { ClientHello, NewSessionTicket } from '../codec/messages.js';
import type { PrivateKey } from '../crypto-x509.js';
import type { Role, TraceEntry } from '../trace.js';

export type VersionName = 'TLSv1.2' | 'TLSv1.3';

/** Why randomness is drawn, so a deterministic source can answer each purpose. */
export type RandomPurpose = 'client_random' | 'server_random' | 'session_id' | `key_share:${KeyExchangeGroup}` | 'pss_salt' | 'ticket';
export type RandomSource = (n: number, purpose: RandomPurpose) => Uint8Array;

export type ChainVerdict = { ok: true } | { ok: false; alert: AlertName; reason: string };
/**
 * Checks the peer's chain (DER, leaf first). `role` is the role of the peer whose chain it
 * is: 'server' when a client checks a server (sslserver purpose), 'client' the other way.
 * The path validator plugs in here; the alert it returns is the one sent.
 */
export type VerifyPeerChain = (certs: Uint8Array[], role: Role) => ChainVerdict;

export interface CertifiedKey {
  /** DER certificates, leaf first */
  chain: Uint8Array[];
  privateKey?: PrivateKey;
  /** signer used instead of privateKey (an HSM, or a replayed signature in vector tests) */
  sign?: (scheme: number, message: Uint8Array) => Uint8Array;
}

export interface CommonConfig {
  cipherSuites?: (CipherSuiteName | number)[];
  /** supported_groups in preference order */
  groups?: KeyExchangeGroup[];
  /** signature schemes offered / accepted for CertificateVerify, in preference order */
  signatureSchemes?: (SignatureSchemeName | number)[];
  alpn?: string[];
  minVersion?: VersionName;
  maxVersion?: VersionName;
  certificate?: CertifiedKey;
  verifyPeerChain?: VerifyPeerChain;
  random?: RandomSource;
  /** NSS key log lines (CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>) */
  keylog?: (line: string) => void;
  onTrace?: (entry: TraceEntry) => void;
  /** RFC 8449 record_size_limit to advertise (client) or to echo (server) */
  recordSizeLimit?: number;
  /** zero bytes of TLSInnerPlaintext padding for an outgoing protected record */
  recordPadding?: (contentType: number, length: number) => number;
  /** middlebox compatibility mode (RFC 8446 Appendix D.4): session id + dummy change_cipher_spec. OpenSSL default: on */
  compatibilityMode?: boolean;
  /** last word on every extension block pgtls sends (reorder, add, drop): vector tests and the simulator use it */
  extensions?: (ctx: ExtContext, exts: Extension[], info: { retry: boolean }) => Extension[];
}

export interface ClientConfig extends CommonConfig {
  serverName?: string;
  /**
   * Groups listed in supported_groups after `groups` that pgtls cannot compute (OpenSSL 3.0
   * lists ffdhe2048..ffdhe8192 there). A HelloRetryRequest asking for one ends the handshake
   * with internal_error, saying so: pgtls does not pretend to run it.
   */
  advertisedOnlyGroups?: NamedGroupName[];
  /** groups to send key shares for in the first ClientHello (default: the first of `groups`) */
  keyShareGroups?: KeyExchangeGroup[];
  /**
   * RFC 7685 padding: 'f5' pads a ClientHello of 256..511 bytes to 512 (the F5 workaround
   * NSS applies and OpenSSL's SSL_OP_TLSEXT_PADDING enables). Default 'none', as OpenSSL.
   */
  clientHelloPadding?: 'none' | 'f5';
  /** TLS 1.2 cipher suites listed when minVersion is TLSv1.2, so a TLS 1.2-only server can answer */
  tls12CipherSuites?: number[];
  /** client certificate offered when the server sends a CertificateRequest */
  certificate?: CertifiedKey;
}

export interface TicketSpec {
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions?: NewSessionTicket['extensions'];
}

export interface ServerConfig extends CommonConfig {
  certificate?: CertifiedKey;
  clientAuth?: 'none' | 'request' | 'require';
  /** DER Names listed in CertificateRequest.certificate_authorities */
  clientCANames?: Uint8Array[];
  /**
   * When to send HelloRetryRequest. 'preferred-group' (default): unless the client sent a
   * share for the server's most preferred group it supports. 'any-share' (OpenSSL): only
   * when no client share is for a group the server supports.
   */
  hrrPolicy?: 'preferred-group' | 'any-share';
  /**
   * Group codes to list in EncryptedExtensions.supported_groups when the negotiated group
   * is not the first of them (OpenSSL lists its TLS 1.3 groups so; RFC 8446 §4.2.7 allows
   * it). Default: none sent.
   */
  announceGroups?: number[];
  /** cookie to put in a HelloRetryRequest */
  cookie?: (clientHello: ClientHello) => Uint8Array | undefined;
  /** choose the cipher suite by server preference (OpenSSL's default is the client's) */
  preferServerCipherSuites?: boolean;
  /** acknowledge server_name with an empty extension in EncryptedExtensions (default true) */
  acknowledgeServerName?: boolean;
  /** NewSessionTickets sent after the client Finished (pgtls does not resume; they are wire-faithful only) */
  tickets?: (index: number) => TicketSpec[];
}

export interface NegotiatedInfo {
  version: 'TLSv1.3';
  cipherSuite: string;
  group: KeyExchangeGroup;
  /** scheme of the peer's CertificateVerify, when it sent one */
  peerSignatureScheme?: string;
  /** scheme of our CertificateVerify */
  signatureScheme?: string;
  alpn?: string;
  serverName?: string;
  peerCertificates: Uint8Array[];
  helloRetryRequest: boolean;
  clientCertificateRequested: boolean;
}

export type TlsEvent =
  | { type: 'handshake_done'; negotiated: NegotiatedInfo }
  | { type: 'application_data'; data: Uint8Array }
  /** `opensslReason`: OpenSSL's error-queue reason for the same refusal, when the check knows it */
  | { type: 'alert_sent'; alert: string; code: number; level: 'fatal' | 'warning'; reason: string; opensslReason?: string }
  | { type: 'alert_received'; alert: string; code: number; level: 'fatal' | 'warning' }
  | { type: 'key_update'; direction: 'send' | 'receive'; updateRequested: boolean }
  /** the peer chose (server) or offered only (client) TLS 1.2: pgtls stops here */
  | { type: 'negotiated'; version: 'TLSv1.2' }
  | { type: 'hello_retry_request'; group: string }
  | { type: 'new_session_ticket'; ticket: NewSessionTicket }
  | { type: 'closed'; reason: 'close_notify' | 'fatal_alert_sent' | 'fatal_alert_received' };

const S = SignatureScheme;
export const DEFAULTS = {
  cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256],
  groups: ['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1'] as KeyExchangeGroup[],
  signatureSchemes: [
    S.ecdsa_secp256r1_sha256,
    S.ecdsa_secp384r1_sha384,
    S.ecdsa_secp521r1_sha512,
    S.ed25519,
    S.ed448,
    S.rsa_pss_pss_sha256,
    S.rsa_pss_pss_sha384,
    S.rsa_pss_pss_sha512,
    S.rsa_pss_rsae_sha256,
    S.rsa_pss_rsae_sha384,
    S.rsa_pss_rsae_sha512,
    S.rsa_pkcs1_sha256,
    S.rsa_pkcs1_sha384,
    S.rsa_pkcs1_sha512,
  ] as number[],
  /** OpenSSL 3.0's ECDHE/AEAD TLS 1.2 suites plus the renegotiation SCSV */
  tls12CipherSuites: [0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc02b, 0xc02f, 0x009f, 0x009e, 0x00ff],
};

export function resolveSchemes(list: (SignatureSchemeName | number)[] | undefined): number[] {
  return list ? list.map((s) => (typeof s === 'number' ? s : SignatureScheme[s])) : DEFAULTS.signatureSchemes;
}
export function resolveSuites(list: (CipherSuiteName | number)[] | undefined): number[] {
  return list ? list.map((s) => (typeof s === 'number' ? s : CipherSuite[s])) : DEFAULTS.cipherSuites;
}

export const defaultRandom: RandomSource = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
