// Security levels for keys and signatures in path validation: check_key_level and
// check_sig_level of x509_vfy.c, which check_auth_level (every certificate of a chain) and
// ssl_security_cert (a certificate the SSL layer is given) share. src/crypto rates keys and
// digests; the one case it leaves out, an EC key with explicit parameters, is rated here.
// `opensslVersion` picks whose ratings apply (src/crypto: 1.1.1 counts SHA-1 as 80 bits and
// RSA by a step table; default 3.0).

import type { Certificate, PublicKey } from '../x509/types.js';
import { keyView } from './keys.js';
import {
  AUTH_LEVEL_MIN_BITS,
  checkKeyLevel as cryptoCheckKeyLevel,
  checkSigLevel as cryptoCheckSigLevel,
} from '../crypto/security-level.js';

export function checkKeyLevel(k: PublicKey, level: number, opensslVersion?: string): boolean {
  // OpenSSL 3.0 decodes EC keys with explicit parameters (and rates them by the order size);
  // src/crypto treats them as unusable, so they are rated here.
  const v = keyView(k);
  if (v.explicitEc) return level <= 0 || v.secBits >= (AUTH_LEVEL_MIN_BITS[Math.min(level, 5) - 1] ?? 256);
  return cryptoCheckKeyLevel(k, level, opensslVersion);
}

/** check_sig_level for the certificate's own signature */
export function checkSigLevel(cert: Certificate, level: number, opensslVersion?: string): boolean {
  return cryptoCheckSigLevel(cert.signatureAlgorithm, level, opensslVersion);
}
