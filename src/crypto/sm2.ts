// SM2 signatures (GB/T 32918.2-2016 §6-7; draft-shen-sm2-ecdsa) as OpenSSL 3.0 verifies an
// SM2-with-SM3 certificate (crypto/sm2/sm2_sign.c, providers/.../sm2_sig.c): the signed
// digest is e = SM3(Z || M) with Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA); the
// Ecdsa-Sig-Value must be strict DER with 1 <= r, s <= n-1; t = r + s mod n must not be 0;
// (x1, y1) = s·G + t·P and the signature holds when (e + x1) mod n = r.
//
// The distinguishing ID: OpenSSL 3.0 sets none unless asked (`openssl verify -vfyopt
// distid:...` sets it on the certificate being verified), and then hashes ENTL = 0 and no ID
// bytes. It does not fall back to GB/T's "1234567812345678": a certificate signed with that ID
// fails `openssl verify` without -vfyopt (checked with OpenSSL 3.0.19).
//
// An EC key on the SM2 curve is an SM2 key to OpenSSL 3.0 (the decoder's EC_FLAG_SM2_RANGE):
// it verifies SM2 signatures only, and ECDSA signatures need a key on another curve.

import { bitLength } from '../der/bytes.js';
import { type PrimeCurve, combine, preparePrimeEcKey, withSizes } from './ecdsa-prime.js';
import { parseEcdsaSigValue } from './ecdsa.js';
import { mod, modInverse } from './modular.js';
import type { PrimeCurveParams } from './prime-curves.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import { sm3 } from './sm3.js';

/** the SM2 curve (GB/T 32918.5-2017), OID 1.2.156.10197.1.301 */
export const SM2_CURVE_OID = '1.2.156.10197.1.301';

const SM2_PARAMS: PrimeCurveParams = {
  name: 'SM2',
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
};

export const SM2_CURVE: PrimeCurve = withSizes(SM2_PARAMS);

export interface PreparedSm2Key {
  curve: PrimeCurve;
  q: { x: bigint; y: bigint };
}

/** Decode the public point on `curve` (the SM2 curve unless a test vector brings its own). Throws CryptoError. */
export function prepareSm2Key(point: Uint8Array, curve: PrimeCurve = SM2_CURVE): PreparedSm2Key {
  return preparePrimeEcKey(curve, point);
}

const fixed = (v: bigint, size: number): Uint8Array => {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};

/** Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), ENTL the ID's length in bits (16-bit big endian) */
export function sm2Z(key: PreparedSm2Key, id: Uint8Array): Uint8Array {
  const c = key.curve;
  // ossl_sm2_compute_z_digest refuses IDs of 8191 octets and more (ENTL would overflow)
  if (id.length >= 0xffff / 8) throw new RangeError('SM2 distinguishing ID too long');
  const parts = [Uint8Array.of((id.length * 8) >> 8, (id.length * 8) & 0xff), id];
  for (const v of [c.a, c.b, c.gx, c.gy, key.q.x, key.q.y]) parts.push(fixed(v, c.size));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return sm3(all);
}

const toInt = (b: Uint8Array): bigint => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);

function digestOf(key: PreparedSm2Key, message: Uint8Array, id: Uint8Array): bigint {
  const z = sm2Z(key, id);
  const zm = new Uint8Array(z.length + message.length);
  zm.set(z);
  zm.set(message, z.length);
  return toInt(sm3(zm));
}

/** SM2 verification of a DER signature over `message` with distinguishing ID `id` (OpenSSL's default: none). */
export function sm2Verify(
  key: PreparedSm2Key,
  message: Uint8Array,
  signature: Uint8Array,
  id: Uint8Array = new Uint8Array(0),
): VerifyResult {
  const c = key.curve;
  const parsed = parseEcdsaSigValue(c.n, signature);
  if ('ok' in parsed) return parsed;
  const { r, s } = parsed;
  const t = mod(r + s, c.n);
  if (t === 0n) return verifyFail('bad-signature', 'SM2 signature with r + s = 0 mod n', 'bad signature');
  const x1 = combine(c, key.q, s, t);
  if (x1 === undefined || mod(digestOf(key, message, id) + x1, c.n) !== r)
    return verifyFail('bad-signature', 'SM2 signature does not match (wrong key, distinguishing ID or message)');
  return VERIFY_OK;
}

/**
 * SM2 signature (DER) with private scalar d and per-message k, for the standard's vectors and
 * the property tests; k must be secret and random in real use. Throws RangeError when this k
 * gives r = 0, r + k = n or s = 0 (the standard's "choose another k").
 */
export function sm2Sign(
  key: PreparedSm2Key,
  d: bigint,
  k: bigint,
  message: Uint8Array,
  id: Uint8Array = new Uint8Array(0),
): { r: bigint; s: bigint } {
  const c = key.curve;
  const x1 = combine(c, { x: c.gx, y: c.gy }, k, 0n);
  if (x1 === undefined) throw new RangeError('k·G is infinity');
  const r = mod(digestOf(key, message, id) + x1, c.n);
  if (r === 0n || r + k === c.n) throw new RangeError('choose another k');
  const s = mod(modInverse(1n + d, c.n) * (k - r * d), c.n);
  if (s === 0n) throw new RangeError('choose another k');
  return { r, s };
}

/** bits of the SM2 group order (security-level.ts rates SM2 keys by it, as EC keys) */
export const SM2_ORDER_BITS = bitLength(SM2_PARAMS.n);
