// ECDSA over P-256, P-384 and P-521 on @noble/curves, with the hash the algorithm names
// (ecdsa-with-SHA1 on P-384 hashes with SHA-1, not the curve's "native" hash) and the
// signature in X.509's DER Ecdsa-Sig-Value.
//
// Verification follows OpenSSL 3.0 (crypto/ec/ecdsa_ossl.c, ecdsa_sign.c):
// - ossl_ecdsa_verify decodes the DER, re-encodes it and rejects any difference, so only
//   strict DER passes: minimal INTEGERs, no trailing bytes, no negative values;
// - ossl_ecdsa_simple_verify_sig requires 1 <= r, s <= n-1; high S is accepted (no low-S rule);
// - a digest longer than the group order is truncated to its leftmost |n| bits
//   (noble's bits2int does the same);
// - public points may be compressed, uncompressed or hybrid (EC_POINT_oct2point takes all three)
//   and must be on the curve and not the point at infinity.
// A public key is decoded once and reused (certificate chains share issuers); the verify
// equation itself is weierstrass.ts's, with per-key window tables for keys that come back.

import { p256, p384, p521 } from '@noble/curves/nist.js';
import { derSequence, derUnsignedInteger } from '../der/writer.js';
import { toHex } from '../der/bytes.js';
import type { EcCurve, HashName } from '../x509/types.js';
import { CryptoError } from './errors.js';
import { hash } from './hash.js';
import { parseRsSignature } from './sig-value.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import { buildWindowTable, ecdsaVerifyEquation, type VerifyKey, type WeierstrassCurve, type WindowTable } from './weierstrass.js';

type Ecdsa = typeof p256;
type EcPoint = ReturnType<Ecdsa['Point']['fromBytes']>;

export interface CurveInfo {
  name: EcCurve;
  ecdsa: Ecdsa;
  /** octets in a field element / scalar */
  size: number;
  /** bits in the group order */
  orderBits: number;
  /** the curve's TLS 1.3 group name */
  tlsGroup: 'secp256r1' | 'secp384r1' | 'secp521r1';
}

export const CURVES: Record<EcCurve, CurveInfo> = {
  'P-256': { name: 'P-256', ecdsa: p256, size: 32, orderBits: 256, tlsGroup: 'secp256r1' },
  'P-384': { name: 'P-384', ecdsa: p384 as unknown as Ecdsa, size: 48, orderBits: 384, tlsGroup: 'secp384r1' },
  'P-521': { name: 'P-521', ecdsa: p521 as unknown as Ecdsa, size: 66, orderBits: 521, tlsGroup: 'secp521r1' },
};

/** Hashes OpenSSL's ECDSA provider accepts (ossl_digest_get_approved_nid_with_sha1). */
export const ECDSA_HASHES: ReadonlySet<HashName> = new Set<HashName>([
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'sha512-224',
  'sha512-256',
]);

/**
 * Decode a SEC 1 point (02/03 compressed, 04 uncompressed, 06/07 hybrid) and check it is on
 * the curve. Throws CryptoError('BAD_KEY').
 */
export function decodeEcPoint(curve: EcCurve, bytes: Uint8Array): EcPoint {
  const c = CURVES[curve];
  let b = bytes;
  if ((b[0] === 0x06 || b[0] === 0x07) && b.length === 1 + 2 * c.size) {
    // hybrid form: uncompressed plus the y parity in the prefix, which must agree with y
    if ((b[b.length - 1] & 1) !== (b[0] & 1))
      throw new CryptoError('BAD_KEY', 'hybrid point with the wrong y parity', `decodeEcPoint(${curve})`);
    b = Uint8Array.of(0x04, ...b.subarray(1));
  }
  try {
    const p = c.ecdsa.Point.fromBytes(b);
    p.assertValidity();
    if (p.is0()) throw new Error('point at infinity');
    return p;
  } catch (e) {
    throw new CryptoError('BAD_KEY', `not a point on ${curve}: ${e instanceof Error ? e.message : String(e)}`, `decodeEcPoint(${curve})`);
  }
}

/**
 * Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, strictly DER, with r and s in
 * [1, n-1]. Returns the integers or a failure result.
 */
export function parseEcdsaSignature(curve: EcCurve, sig: Uint8Array): { r: bigint; s: bigint } | VerifyResult {
  return parseEcdsaSigValue(CURVES[curve].ecdsa.Point.Fn.ORDER, sig);
}

/** parseEcdsaSignature for a group of order n (named and explicit prime curves alike). */
export function parseEcdsaSigValue(n: bigint, sig: Uint8Array): { r: bigint; s: bigint } | VerifyResult {
  const parsed = parseRsSignature(sig, 'ECDSA', 'Ecdsa-Sig-Value');
  if (!('r' in parsed)) return parsed;
  const { r, s } = parsed;
  // ossl_ecdsa_simple_verify_sig raises EC_R_BAD_SIGNATURE for a zero or too large r or s.
  // A negative INTEGER does not survive d2i/i2d of ECDSA_SIG, and a DER problem only makes
  // ossl_ecdsa_verify return -1: both leave ASN1_item_verify's "EVP lib" first in the queue.
  for (const [name, v] of [
    ['r', r],
    ['s', s],
  ] as const) {
    if (v < 0n) return verifyFail('malformed-signature', `ECDSA ${name} is negative`);
    if (v === 0n || v >= n)
      return verifyFail('malformed-signature', `ECDSA ${name} is ${v === 0n ? 'zero' : 'not below the group order'}`, 'bad signature');
  }
  return { r, s };
}

export function encodeEcdsaSignature(r: bigint, s: bigint): Uint8Array {
  return derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
}

/** bits2int of RFC 6979 §2.3.2 / SEC 1 §4.1.4 step 5: the leftmost orderBits bits of the digest, mod n. */
function digestToScalar(c: CurveInfo, digest: Uint8Array): bigint {
  let h = 0n;
  for (const b of digest) h = (h << 8n) | BigInt(b);
  const excess = digest.length * 8 - c.orderBits;
  if (excess > 0) h >>= BigInt(excess);
  return c.ecdsa.Point.Fn.create(h);
}

/** A decoded public point ready for repeated verification. */
export interface PreparedEcKey {
  curve: EcCurve;
  point: EcPoint;
  /** the affine point and, once the key has come back often enough, its window table */
  verifyKey: VerifyKey;
  uses: number;
}

export function prepareEcKey(curve: EcCurve, pointBytes: Uint8Array): PreparedEcKey {
  const point = decodeEcPoint(curve, pointBytes);
  const { x, y } = point.toAffine();
  return { curve, point, verifyKey: { q: { x, y } }, uses: 0 };
}

// Window tables pay off only for keys that keep coming back (a CA key signing many
// certificates or CRLs), not for every leaf. Measured on P-256 (Node 20, BigInt field
// arithmetic in weierstrass.ts): a verification without a table costs ~0.7 ms; a 4-bit table
// costs ~2 ms to build and brings a verification to ~0.35 ms, an 8-bit one ~15 ms and
// ~0.25 ms. So: 4 bits at the 4th use, 8 bits at the 128th. G gets its table on the first
// verification on a curve (4 bits) and the 8-bit one at the 64th.
const KEY_TABLE_STAGES: ReadonlyMap<number, number> = new Map([
  [4, 4],
  [128, 8],
]);
const G_TABLE_STAGES: ReadonlyMap<number, number> = new Map([
  [1, 4],
  [64, 8],
]);

interface CurveVerifier {
  curve: WeierstrassCurve;
  gTable?: WindowTable;
  uses: number;
}

const VERIFIERS = new Map<EcCurve, CurveVerifier>();

function curveVerifier(c: CurveInfo): CurveVerifier {
  let v = VERIFIERS.get(c.name);
  if (!v) {
    const k = c.ecdsa.Point.CURVE();
    v = { curve: { p: k.p, n: k.n, gx: k.Gx, gy: k.Gy, nBits: c.orderBits }, uses: 0 };
    VERIFIERS.set(c.name, v);
  }
  const w = G_TABLE_STAGES.get(++v.uses);
  if (w) v.gTable = buildWindowTable(v.curve, { x: v.curve.gx, y: v.curve.gy }, w);
  return v;
}

/** SEC 1 §4.1.4 verification of a DER signature over an already hashed message. */
export function ecdsaVerifyDigest(key: PreparedEcKey, digest: Uint8Array, signature: Uint8Array): VerifyResult {
  const parsed = parseEcdsaSignature(key.curve, signature);
  if ('ok' in parsed) return parsed;
  const c = CURVES[key.curve];
  const v = curveVerifier(c);
  const w = KEY_TABLE_STAGES.get(++key.uses);
  if (w) key.verifyKey.table = buildWindowTable(v.curve, key.verifyKey.q, w);
  const e = digestToScalar(c, digest);
  if (!ecdsaVerifyEquation(v.curve, v.gTable!, key.verifyKey, e, parsed.r, parsed.s)) {
    return verifyFail('bad-signature', 'ECDSA signature does not match (wrong key, hash or message)');
  }
  return VERIFY_OK;
}

export function ecdsaVerify(key: PreparedEcKey, hashName: HashName, message: Uint8Array, signature: Uint8Array): VerifyResult {
  if (!ECDSA_HASHES.has(hashName))
    return verifyFail('unsupported-algorithm', `ECDSA with ${hashName} is not allowed (OpenSSL allows SHA-1 and SHA-2)`);
  return ecdsaVerifyDigest(key, hash(hashName, message), signature);
}

/** Private scalar as the curve's fixed-width big-endian octets (parsers may strip or keep leading zeros). */
export function normalizeEcScalar(curve: EcCurve, d: Uint8Array): Uint8Array {
  const size = CURVES[curve].size;
  let i = 0;
  while (i < d.length - size && d[i] === 0) i++;
  const t = d.subarray(i);
  if (t.length > size) throw new CryptoError('BAD_KEY', `private scalar longer than ${size} octets`, `ecdsa(${curve})`);
  const out = new Uint8Array(size);
  out.set(t, size - t.length);
  return out;
}

/**
 * DER ECDSA signature of `message` hashed with `hashName`. Deterministic (RFC 6979, HMAC-DRBG
 * over the curve's hash) so tests are reproducible; S is left as computed (OpenSSL does not
 * normalise to low S either). Any implemented hash is accepted, so the factory can make
 * signatures OpenSSL would refuse to verify (ECDSA with MD5).
 */
export function ecdsaSign(curve: EcCurve, d: Uint8Array, hashName: HashName, message: Uint8Array): Uint8Array {
  const c = CURVES[curve];
  const sk = normalizeEcScalar(curve, d);
  if (!c.ecdsa.utils.isValidSecretKey(sk)) throw new CryptoError('BAD_KEY', 'private scalar is not in [1, n-1]', `ecdsaSign(${curve})`);
  const sig = c.ecdsa.sign(hash(hashName, message), sk, { prehash: false, lowS: false, format: 'compact' });
  const n = c.size;
  return encodeEcdsaSignature(BigInt(`0x${toHex(sig.subarray(0, n))}`), BigInt(`0x${toHex(sig.subarray(n))}`));
}

/** Uncompressed public point (04 || X || Y) of a private scalar. */
export function ecPublicPoint(curve: EcCurve, d: Uint8Array): Uint8Array {
  const c = CURVES[curve];
  try {
    return c.ecdsa.getPublicKey(normalizeEcScalar(curve, d), false);
  } catch (e) {
    throw new CryptoError('BAD_KEY', `invalid private scalar: ${e instanceof Error ? e.message : String(e)}`, `ecPublicPoint(${curve})`);
  }
}

/** A random private scalar in [1, n-1]. */
export function randomEcScalar(curve: EcCurve): Uint8Array {
  return CURVES[curve].ecdsa.utils.randomSecretKey();
}
