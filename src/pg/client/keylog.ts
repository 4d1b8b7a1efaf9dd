// libpq 18's sslkeylogfile (fe-secure-openssl.c, SSL_CTX_keylog_cb): OpenSSL hands libpq
// each secret as it installs its key (TLS 1.3: the server's handshake secret after the
// ServerHello; after the server's Finished the exporter and the server's application secret,
// then the client's handshake and application secrets; TLS 1.2: one CLIENT_RANDOM line; the
// order is tls-handshake.ts's openSslKeylogOrder), and libpq opens the file for each
// (O_WRONLY | O_APPEND | O_CREAT, 0600) to append it. When open() fails it prints a WARNING
// per secret on stderr and the connection goes on. Checked against libpq 18.4 on OpenSSL
// 1.1.1 (test/support/version-oracle.ts, test/pg/cross-version-oracle.test.ts): five
// warnings for a completed TLS 1.3 handshake, the labels in that order, a file of mode 0600.

import type { SimFs } from '../fs.js';

/**
 * Why open(path, O_WRONLY | O_APPEND | O_CREAT) fails, as strerror words it, or undefined
 * when it succeeds. Permissions are not judged (libpq runs as the user, who usually owns the
 * directory); a relative path depends on psql's working directory, unknown here.
 */
export function keylogOpenError(fs: SimFs, path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const st = fs.stat(path);
  if (st?.isDir) return 'Is a directory';
  if (st) return undefined;
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const dir = fs.stat(`/${parts.slice(0, i).join('/')}`);
    if (!dir) return 'No such file or directory';
    if (!dir.isDir) return 'Not a directory';
  }
  return undefined;
}
