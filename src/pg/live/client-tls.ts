// libpq's TLS side for a live connection, sans I/O: the engine configuration a ClientTls
// (initialize_SSL's result) gives — the client chain OpenSSL would send, the server chain
// checked with purpose sslserver, CRLs when they loaded, security level 2 — and the
// verify-full host check libpq applies after the handshake. Also the server's mirror: the
// client chain checked with purpose sslclient and the alert OpenSSL would send.

import { d2iCertificate, type Certificate, type PrivateKey } from '../../x509/index.js';
import { asPgMajor, libpqVerifyHost, type VerifyResult } from '../../path/index.js';
import { opensslAlertText, type ChainVerdict, type ClientConfig, type OpensslVersion, type TraceEntry } from '../../tls13/index.js';
import type { ClientTls } from '../client/libpq-ssl.js';
import { fmt, LIBPQ } from '../messages.js';
import {
  alertForVerifyError,
  chainToSend,
  LIBPQ_KEY_EXCHANGE,
  verifyClientChain,
  verifyFailureText,
  verifyServerChain,
} from '../tls-handshake.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export { verifyClientChain, verifyServerChain };

/** A verdict for the engine from a validation result: the alert OpenSSL picks for the error. */
export function chainVerdict(r: VerifyResult): ChainVerdict {
  return r.ok ? { ok: true } : { ok: false, alert: alertForVerifyError(r.error!.code), reason: r.error!.message };
}

export interface LiveClientTlsOptions {
  /** initialize_SSL's result; undefined: no root, no client certificate */
  tls?: ClientTls;
  /** check the server chain (libpq: whenever a root file loaded); false captures it unchecked */
  verify: boolean;
  /** SNI (a host name, never an IP literal) */
  serverName?: string;
  /** ALPN protocols offered (libpq 17: ["postgresql"]) */
  alpn?: string[];
  at: Date;
  keylog?: (line: string) => void;
  onTrace?: (e: TraceEntry) => void;
}

export interface LiveClientTls {
  config: ClientConfig;
  /** filled in by the engine's callback: the chain the server sent and its check */
  seen: { chain?: Certificate[]; verify?: VerifyResult };
}

export function liveClientTls(o: LiveClientTlsOptions): LiveClientTls {
  const seen: LiveClientTls['seen'] = {};
  const tls = o.tls;
  const clientChain = tls?.key ? chainToSend(tls.certChain, tls.trusted, tls.crls, o.at) : [];
  const config: ClientConfig = {
    serverName: o.serverName,
    alpn: o.alpn,
    // libpq 15: ssl_min_protocol_version defaults to TLSv1.2; the engine speaks 1.3 only
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ...LIBPQ_KEY_EXCHANGE,
    certificate: tls?.key ? { chain: clientChain.map((c) => c.der), privateKey: tls.key as PrivateKey } : undefined,
    verifyPeerChain: (der) => {
      seen.chain = der.map((d) => d2iCertificate(d));
      if (!o.verify || !tls) return { ok: true }; // SSL_VERIFY_NONE
      seen.verify = verifyServerChain(tls, seen.chain, o.at);
      return chainVerdict(seen.verify);
    },
    keylog: o.keylog,
    onTrace: o.onTrace,
  };
  return { config, seen };
}

/** verify-full's name check (host, never hostaddr), after the handshake, as libpq 13..17. */
export function libpqHostCheck(leaf: Certificate, host: string, pgVersion = DEFAULT_PG_VERSION): { ok: boolean; message?: string } {
  const r = libpqVerifyHost(leaf, host, asPgMajor(pgVersion));
  return { ok: r.ok, message: r.message };
}

/** libpq's text for a handshake that ended with an alert: ours (a verify failure) or the server's. */
export function handshakeFailureMessage(
  e: { sent?: { alert: string; code: number; reason: string }; received?: { code: number }; verify?: VerifyResult },
  opensslVersion: OpensslVersion = '3.0',
): string {
  if (e.verify && !e.verify.ok) return fmt(LIBPQ.sslError, verifyFailureText(e.verify));
  if (e.received) return fmt(LIBPQ.sslError, opensslAlertText(e.received.code, { received: true, opensslVersion }));
  if (e.sent) return fmt(LIBPQ.sslError, e.sent.reason);
  return fmt(LIBPQ.sslSyscallEof);
}
