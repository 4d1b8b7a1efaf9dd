// How PostgreSQL reports the peer closing the socket during the TLS handshake (the client
// giving up before its ClientHello, a server closing on a direct ClientHello): its own
// "EOF detected" (SSL_ERROR_SYSCALL), or, with PostgreSQL 18 on OpenSSL 3.x, OpenSSL's
// "unexpected eof while reading" (SSL_ERROR_SSL). Measured: Debian forky's 18.6 on OpenSSL
// 3.6.5 (versions-oracle, pg18-forky) prints the latter on both sides, where trixie's 17.12 on
// OpenSSL 3.5.9, Debian 12's 15 on 3.0 and 18 on OpenSSL 1.1.1 print "EOF detected". Why 18:
// its BIOs (port_bio_read in be-secure-openssl.c, pgconn_bio_read in fe-secure-openssl.c) latch
// last_read_was_eof and answer BIO_CTRL_EOF with it, so OpenSSL 3.x (which has the
// unexpected-EOF error from 3.0) sees the EOF; 1.1.1 has no such error. The server's and
// libpq's major are what is compared: each side reads through its own BIO.

import type { OpensslVersion } from '../../tls13/index.js';
import { LIBPQ, SERVER } from '../messages.js';
import type { Connection } from './types.js';

/** OpenSSL 3's reason for a read that met EOF (SSL_R_UNEXPECTED_EOF_WHILE_READING) */
export const UNEXPECTED_EOF = 'unexpected eof while reading';

/** Whether PostgreSQL `major` (server or libpq) linked with `openssl` sees a handshake EOF as OpenSSL's error. */
export function eofIsSslError(major: number, openssl: OpensslVersion): boolean {
  return major >= 18 && openssl !== '1.1';
}

/** The server's LOG line when the client closed during the handshake. */
export function serverEofMessage(c: Connection): string {
  return eofIsSslError(c.run.pgVersion, c.run.opensslVersion)
    ? c.lang.server(SERVER.acceptSsl, UNEXPECTED_EOF)
    : c.lang.server(SERVER.acceptSslEof);
}

/** libpq's error when the server closed during the handshake. */
export function clientEofMessage(c: Connection): string {
  return eofIsSslError(c.run.libpqVersion, c.run.opensslVersion)
    ? c.lang.client(LIBPQ.sslError, UNEXPECTED_EOF)
    : c.lang.client(LIBPQ.sslSyscallEof);
}
