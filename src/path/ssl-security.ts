// ssl_security_cert (OpenSSL 3.0 ssl/t1_lib.c): the security-level check the SSL layer
// makes on a certificate it is given as its own (SSL_CTX_use_certificate and every extra
// certificate SSL_CTX_use_certificate_chain_file adds), before any handshake: the key
// first (EE_KEY_TOO_SMALL for the leaf, CA_KEY_TOO_SMALL for the others), then the
// signature's digest (CA_MD_TOO_WEAK, leaf included), which is not checked on a
// self-signed certificate (EXFLAG_SS). The default security callback compares both with
// the same minbits table as check_auth_level; level 0 accepts everything. The same check runs
// again when the handshake sends the chain (ssl_add_cert_chain -> ssl_security_cert_chain), at
// the level the context has then. `opensslVersion` picks whose security bits (see auth-level.ts).
// OpenSSL's releases since June 2026 (PR #31271, "Don't attempt to check the security level on
// what signed our own certificate") check only the key of a certificate of their own: what
// signed it is the peer's business. Debian 13's 3.5.9 and forky's 3.6.5 (pgtls's '3.2') load
// and send a leaf signed with SHA-1 or MD5 at @SECLEVEL=2 and 3 (only its RSA-2048 key fails 3);
// Debian 12's 3.0.19 and the 1.1.1 builds still refuse it ("ca md too weak").

import type { Certificate } from '../x509/types.js';
import { checkKeyLevel, checkSigLevel } from './auth-level.js';
import { certInfo } from './cert-info.js';

/** Why ssl_security_cert refuses a certificate (its SSL_R_* reason). */
export type SslSecurityFailure = 'ee-key-too-small' | 'ca-key-too-small' | 'ca-md-too-weak';

/** ssl_security_cert_key: the certificate's key meets `level`. */
export const sslKeyOk = (cert: Certificate, level: number, opensslVersion?: string): boolean =>
  level <= 0 || checkKeyLevel(cert.publicKey, level, opensslVersion);

/** ssl_security_cert_sig: the certificate's signature meets `level` (a self-signed one always does). */
export const sslSigOk = (cert: Certificate, level: number, opensslVersion?: string): boolean =>
  level <= 0 || certInfo(cert).selfSigned || checkSigLevel(cert, level, opensslVersion);

/** the OpenSSL versions whose ssl_security_cert still rates the digest that signed a certificate of their own */
const OWN_SIGNATURE_RATED: ReadonlySet<string> = new Set(['1.1', '3.0']);

/** ssl_security_cert_sig as `opensslVersion`'s SSL layer applies it to its own certificate (default 3.0) */
export const sslOwnSigOk = (cert: Certificate, level: number, opensslVersion = '3.0'): boolean =>
  !OWN_SIGNATURE_RATED.has(opensslVersion) || sslSigOk(cert, level, opensslVersion);

/** ssl_security_cert(x, is_ee) at `level`: undefined when the certificate passes. */
export function sslSecurityCert(cert: Certificate, level: number, isEe: boolean, opensslVersion?: string): SslSecurityFailure | undefined {
  if (!sslKeyOk(cert, level, opensslVersion)) return isEe ? 'ee-key-too-small' : 'ca-key-too-small';
  if (!sslOwnSigOk(cert, level, opensslVersion)) return 'ca-md-too-weak';
  return undefined;
}

/**
 * SSL_CTX_use_certificate_chain_file's checks in its order, and ssl_security_cert_chain's on
 * the chain a handshake sends: the leaf, then each certificate after it.
 */
export function sslSecurityChain(chain: readonly Certificate[], level: number, opensslVersion?: string): SslSecurityFailure | undefined {
  for (let i = 0; i < chain.length; i++) {
    const why = sslSecurityCert(chain[i], level, i === 0, opensslVersion);
    if (why) return why;
  }
  return undefined;
}
