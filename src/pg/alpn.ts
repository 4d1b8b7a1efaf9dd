// PostgreSQL 17+'s ALPN (RFC 7301, pqcomm.h PG_ALPN_PROTOCOL "postgresql"): what libpq
// offers, what the server selects, and each side's check of the other's answer.
//
// - libpq 17+ offers ["postgresql"] on every TLS connection, SSLRequest or direct (seen in
//   libpq 17's and 18's ClientHello on OpenSSL 1.1.1); before 17, no ALPN.
// - the 17+ server's alpn_cb (be-secure-openssl.c) selects it when offered and refuses any
//   other list with SSL_TLSEXT_ERR_ALERT_FATAL: alert no_application_protocol, logged as
//   "could not accept SSL connection: no application protocol"; a ClientHello without ALPN
//   is accepted on the SSLRequest path, and refused after the handshake on the direct one
//   (ProcessSSLStartup: "received direct SSL connection request without ALPN protocol
//   negotiation extension", then the connection is closed). Seen with `openssl s_client`
//   against real 17 and 18.
// - libpq with sslnegotiation=direct fails when the server selected no protocol, or another
//   (open_client_SSL): a 17+ server never does, a TLS proxy in front of one may.

import { LIBPQ, type MessageDef } from './messages.js';

export const PG_ALPN_PROTOCOL = 'postgresql';

/** The protocols libpq of this major offers, or undefined (no ALPN extension). */
export function libpqAlpn(libpqVersion: number): string[] | undefined {
  return libpqVersion >= 17 ? [PG_ALPN_PROTOCOL] : undefined;
}

/** The protocols a server of this major selects from (its alpn_cb), or undefined (no callback). */
export function serverAlpn(pgVersion: number): string[] | undefined {
  return pgVersion >= 17 ? [PG_ALPN_PROTOCOL] : undefined;
}

/**
 * What the server selects from the client's list (SSL_select_next_proto: its first protocol
 * the client offers), for the TLS 1.2 path pgtls runs without a handshake; undefined when
 * either side has no ALPN (a mismatch is the server's no_application_protocol alert instead).
 */
export function selectAlpn(offered: string[] | undefined, server: string[] | undefined): string | undefined {
  return offered && server?.find((p) => offered.includes(p));
}

/** libpq's check of the server's ALPN answer on a direct connection: its message, or undefined when it goes on. */
export function directAlpnRefusal(selected: string | undefined): MessageDef | undefined {
  if (selected === undefined) return LIBPQ.directSslNoAlpn;
  return selected === PG_ALPN_PROTOCOL ? undefined : LIBPQ.unexpectedAlpn;
}
