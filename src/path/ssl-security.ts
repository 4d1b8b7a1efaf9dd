// ssl_security_cert (OpenSSL 3.0 ssl/t1_lib.c): the security-level check the SSL layer
// makes on a certificate it is given as its own (SSL_CTX_use_certificate and every extra
// certificate SSL_CTX_use_certificate_chain_file adds), before any handshake: the key
// first (EE_KEY_TOO_SMALL for the leaf, CA_KEY_TOO_SMALL for the others), then the
// signature's digest (CA_MD_TOO_WEAK, leaf included), which is not checked on a
// self-signed certificate (EXFLAG_SS). The default security callback compares both with
// the same minbits table as check_auth_level; level 0 accepts everything. The same check runs
// again when the handshake sends the chain (ssl_add_cert_chain -> ssl_security_cert_chain), at
// the level the context has then. `opensslVersion` picks whose security bits (see auth-level.ts).

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

/** ssl_security_cert(x, is_ee) at `level`: undefined when the certificate passes. */
export function sslSecurityCert(cert: Certificate, level: number, isEe: boolean, opensslVersion?: string): SslSecurityFailure | undefined {
  if (!sslKeyOk(cert, level, opensslVersion)) return isEe ? 'ee-key-too-small' : 'ca-key-too-small';
  if (!sslSigOk(cert, level, opensslVersion)) return 'ca-md-too-weak';
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
