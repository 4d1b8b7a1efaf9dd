// The signature seam of the path layer: the Verifier type a caller may inject (src/crypto's
// verifySignature by default, node:crypto's in verify-node.ts), so the validator itself stays
// pure and testable, and the signature algorithm of a certificate or CRL as src/x509 reads it
// (an algorithm it cannot describe becomes `unknown`, which every check then refuses).

import type { AlgorithmIdentifier, Certificate, Crl, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { describeSignatureAlgorithm, HASH_BY_OID, parseAlgorithmIdentifier } from '../x509/algorithms.js';
import { DerError, der, OID, parseDer, Tag } from '../der/index.js';
import { verifySignature } from '../crypto/verify.js';

/**
 * src/crypto's verification result (openssl: the first OpenSSL error-queue reason, when its
 * code pushes one; pssSalt: the salt lengths behind "salt length check failed").
 */
export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: string; message: string; openssl?: string; pssSalt?: { expected: number; retrieved: number } };

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

/**
 * Why OpenSSL 3.0 cannot set up an RSASSA-PSS verification from these parameters
 * (ossl_rsa_pss_to_ctx, crypto/rsa/rsa_ameth.c), as the first reason it queues: "invalid pss
 * parameters" (absent, not a SEQUENCE, a mask generation function other than MGF1), "unknown
 * digest" (a hash it does not know), "invalid trailer"; undefined when the parameters do
 * not decode (OpenSSL's queue then holds the decoder's own lines) or are usable.
 */
export function pssParametersReason(alg: AlgorithmIdentifier): string | undefined {
  if (alg.oid !== OID.rsassaPss) return undefined;
  if (!alg.parameters || alg.parameters[0] !== Tag.SEQUENCE) return 'invalid pss parameters';
  try {
    const r = parseDer(alg.parameters, 'RSASSA-PSS-params').reader();
    const hash = r.optional(0xa0, 'hashAlgorithm');
    if (hash && !HASH_BY_OID[parseAlgorithmIdentifier(hash.inner('hashAlgorithm')).oid]) return 'unknown digest';
    const mgf = r.optional(0xa1, 'maskGenAlgorithm');
    if (mgf) {
      const m = parseAlgorithmIdentifier(mgf.inner('maskGenAlgorithm'));
      if (m.oid !== OID.mgf1 || !m.parameters) return 'invalid pss parameters';
      if (!HASH_BY_OID[parseAlgorithmIdentifier(parseDer(m.parameters, 'MGF1 hash')).oid]) return 'unknown digest';
    }
    r.optional(0xa2, 'saltLength');
    const trailer = r.optional(0xa3, 'trailerField');
    if (trailer && der.smallInteger(trailer.inner('trailerField')) !== 1) return 'invalid trailer';
    return undefined;
  } catch (e) {
    if (e instanceof DerError) return undefined;
    throw e;
  }
}
