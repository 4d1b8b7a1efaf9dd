// The few things the path layer needs from the layers below (x509 name comparison, crypto
// signature verification and security levels), gathered in one adapter so the validator
// has a single seam. Signature verification is injected by the caller (`Verifier`), so the
// validator itself stays pure and testable; `defaultVerifier` comes from src/crypto.

import type { Certificate, Crl, Name, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { canonicalName, namesEqual as x509NamesEqual } from '../x509/name.js';
import { describeSignatureAlgorithm } from '../x509/algorithms.js';
import { keyView } from './keys.js';
import {
  AUTH_LEVEL_MIN_BITS,
  checkKeyLevel as cryptoCheckKeyLevel,
  checkSigLevel as cryptoCheckSigLevel,
} from '../crypto/security-level.js';
import { verifySignature } from '../crypto/verify.js';

/** src/crypto's verification result (openssl: the first OpenSSL error-queue reason, when its code pushes one). */
export type VerifyResult = { ok: true } | { ok: false; reason: string; message: string; openssl?: string };

/** verifySignature(alg, publicKey, message, signature) as src/crypto exports it. */
export type Verifier = (alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array) => VerifyResult;

export function signatureAlgorithmOf(x: Certificate | Crl): SignatureAlgorithm {
  try {
    return describeSignatureAlgorithm(x.signatureAlgorithm);
  } catch (e) {
    return { kind: 'unknown', oid: x.signatureAlgorithm.oid, reason: e instanceof Error ? e.message : String(e) };
  }
}

export function tbsSignatureAlgorithmOf(x: Certificate): SignatureAlgorithm {
  try {
    return describeSignatureAlgorithm(x.tbsSignatureAlgorithm);
  } catch (e) {
    return { kind: 'unknown', oid: x.tbsSignatureAlgorithm.oid, reason: e instanceof Error ? e.message : String(e) };
  }
}

// Name comparison is src/x509's (OpenSSL's canonical encoding, X509_NAME_cmp).

/** X509_NAME_cmp(a, b) == 0; a name OpenSSL cannot canonicalise equals nothing */
export function namesEqual(a: Name, b: Name): boolean {
  try {
    return x509NamesEqual(a, b);
  } catch {
    return false;
  }
}

/** nc_dn: the canonical encoding of `base` is a prefix of that of `name`. */
export function nameHasPrefix(name: Name, base: Name): boolean {
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = canonicalName(name);
    y = canonicalName(base);
  } catch {
    return false;
  }
  if (y.length > x.length) return false;
  for (let i = 0; i < y.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// Security levels are src/crypto's (check_key_level / check_sig_level of x509_vfy.c).

export function checkKeyLevel(k: PublicKey, level: number): boolean {
  // OpenSSL 3.0 decodes EC keys with explicit parameters (and rates them by the order size);
  // src/crypto treats them as unusable, so they are rated here.
  const v = keyView(k);
  if (v.explicitEc) return level <= 0 || v.secBits >= (AUTH_LEVEL_MIN_BITS[Math.min(level, 5) - 1] ?? 256);
  return cryptoCheckKeyLevel(k, level);
}

/** check_sig_level for the certificate's own signature */
export function checkSigLevel(cert: Certificate, level: number): boolean {
  return cryptoCheckSigLevel(cert.signatureAlgorithm, level);
}

/** src/crypto's verifySignature: the default Verifier */
export const defaultVerifier: Verifier = (alg, key, message, signature) => verifySignature(alg, key, message, signature);
