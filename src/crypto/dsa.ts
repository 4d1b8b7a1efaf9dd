// DSA verification (FIPS 186-4 §4.7) on BigInt, with OpenSSL 3.0's checks (dsa_ossl.c
// dsa_do_verify, dsa_sign.c DSA_verify): the signature must be the DER encoding of
// Dss-Sig-Value exactly (decoded, re-encoded and compared), q must have 160, 224 or 256 bits
// and p at most 10,000; r and s in [1, q-1]; the digest is cut to q's length in whole octets
// (not bits: OpenSSL keeps the leftmost floor(|q|/8) octets).

import { DerError, Tag, bitLength, der, parseDer } from '../der/index.js';
import { derSequence, derUnsignedInteger } from '../der/writer.js';
import { CryptoError } from './errors.js';
import { parseRsSignature } from './sig-value.js';
import { hash } from './hash.js';
import { mod, modInverse, modPow } from './modular.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import type { HashName } from '../x509/types.js';

export interface DsaPublicKey {
  p: bigint;
  q: bigint;
  g: bigint;
  y: bigint;
}

/** OPENSSL_DSA_MAX_MODULUS_BITS */
const MAX_MODULUS_BITS = 10000;

/**
 * Dss-Parms ::= SEQUENCE { p, q, g } (the AlgorithmIdentifier parameters) and the
 * subjectPublicKey BIT STRING's INTEGER y. Throws CryptoError('BAD_KEY').
 */
export function parseDsaPublicKey(params: Uint8Array, key: Uint8Array): DsaPublicKey {
  try {
    const rd = parseDer(params, 'Dss-Parms').expect(Tag.SEQUENCE, 'Dss-Parms').reader();
    const p = der.integer(rd.expect(Tag.INTEGER, 'p'));
    const q = der.integer(rd.expect(Tag.INTEGER, 'q'));
    const g = der.integer(rd.expect(Tag.INTEGER, 'g'));
    rd.end();
    const y = der.integer(parseDer(key, 'DSAPublicKey').expect(Tag.INTEGER, 'DSAPublicKey'));
    if (p <= 1n || q <= 1n || g <= 0n) throw new CryptoError('BAD_KEY', 'DSA parameters are not positive', 'parseDsaPublicKey');
    return { p, q, g, y };
  } catch (e) {
    if (e instanceof DerError) throw new CryptoError('BAD_KEY', `bad DSA key: ${e.message}`, 'parseDsaPublicKey');
    throw e;
  }
}

export function encodeDsaSignature(r: bigint, s: bigint): Uint8Array {
  return derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
}

/** DSA_verify over an already hashed message. */
function dsaVerifyDigest(key: DsaPublicKey, digest: Uint8Array, signature: Uint8Array): VerifyResult {
  const parsed = parseRsSignature(signature, 'DSA', 'Dss-Sig-Value');
  if (!('r' in parsed)) return parsed;
  const { r, s } = parsed;
  const qBits = bitLength(key.q);
  if (qBits !== 160 && qBits !== 224 && qBits !== 256)
    return verifyFail('bad-parameters', `DSA q has ${qBits} bits (160, 224 or 256 only; DSA_R_BAD_Q_VALUE)`, 'bad q value');
  if (bitLength(key.p) > MAX_MODULUS_BITS)
    return verifyFail('bad-parameters', `DSA p has more than ${MAX_MODULUS_BITS} bits (DSA_R_MODULUS_TOO_LARGE)`, 'modulus too large');
  for (const [name, v] of [
    ['r', r],
    ['s', s],
  ] as const) {
    if (v <= 0n || v >= key.q) return verifyFail('bad-signature', `DSA ${name} is not in [1, q-1]`);
  }
  let w: bigint;
  try {
    w = modInverse(s, key.q);
  } catch {
    return verifyFail('bad-signature', 'DSA s is not invertible modulo q');
  }
  const cut = digest.subarray(0, Math.min(digest.length, qBits >> 3));
  let m = 0n;
  for (const b of cut) m = (m << 8n) | BigInt(b);
  const u1 = mod(m * w, key.q);
  const u2 = mod(r * w, key.q);
  const v = mod((modPow(key.g, u1, key.p) * modPow(key.y, u2, key.p)) % key.p, key.q);
  if (v !== r) return verifyFail('bad-signature', 'DSA signature does not match (wrong key, hash or message)');
  return VERIFY_OK;
}

export function dsaVerify(key: DsaPublicKey, hashName: HashName, message: Uint8Array, signature: Uint8Array): VerifyResult {
  if (hashName === 'md5' || hashName === 'md2') return verifyFail('unsupported-algorithm', `DSA with ${hashName} is not allowed`);
  return dsaVerifyDigest(key, hash(hashName, message), signature);
}
