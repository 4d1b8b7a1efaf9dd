// The signature seam of the path layer: the Verifier type a caller may inject (src/crypto's
// verifySignature by default, node:crypto's in verify-node.ts), so the validator itself stays
// pure and testable, and the signature algorithm of a certificate or CRL as src/x509 reads it
// (an algorithm it cannot describe becomes `unknown`, which every check then refuses).

import type { Certificate, Crl, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { describeSignatureAlgorithm } from '../x509/algorithms.js';
import { verifySignature } from '../crypto/verify.js';

/** src/crypto's verification result (openssl: the first OpenSSL error-queue reason, when its code pushes one). */
export type VerifyResult = { ok: true } | { ok: false; reason: string; message: string; openssl?: string };

/** verifySignature(alg, publicKey, message, signature, opts) as src/crypto exports it. */
export type Verifier = (
  alg: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  opts?: { distid?: Uint8Array },
) => VerifyResult;

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

/** src/crypto's verifySignature: the default Verifier */
export const defaultVerifier: Verifier = (alg, key, message, signature, opts) => verifySignature(alg, key, message, signature, opts);
