// ECDSA verification on any short Weierstrass curve over a prime field (y² = x³ + ax + b):
// the named curves OpenSSL 3.0 knows beyond P-256/P-384/P-521 (prime-curves.ts: secp256k1,
// secp224r1, prime192v1, brainpool, ...) and explicit prime-field ECParameters in a
// SubjectPublicKeyInfo. Slower than ecdsa.ts's NIST path (no tables, a general `a`), which is
// fine for curves met once in a while. Checks as OpenSSL 3.0 makes them (ecdsa_ossl.c): strict
// DER Ecdsa-Sig-Value, 1 <= r, s <= n-1, the digest cut to the order's bit length, high S
// accepted; points compressed, uncompressed or hybrid, on the curve and not at infinity.

import { DerError, Tag, bitLength, der, parseDer } from '../der/index.js';
/** id-prime-Field (X9.62) */
const PRIME_FIELD = '1.2.840.10045.1.1';
import { CryptoError } from './errors.js';
import { parseEcdsaSigValue } from './ecdsa.js';
import { hash } from './hash.js';
import { mod, modInverse, modPow } from './modular.js';
import { PRIME_CURVES, type PrimeCurveParams } from './prime-curves.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import type { HashName } from '../x509/types.js';

export interface PrimeCurve extends PrimeCurveParams {
  /** octets of a field element */
  size: number;
  nBits: number;
}

interface Point {
  x: bigint;
  y: bigint;
}
interface Jac {
  x: bigint;
  y: bigint;
  z: bigint;
}
const INF: Jac = { x: 1n, y: 1n, z: 0n };

/** a prime curve's parameters with the sizes the arithmetic needs (sm2.ts makes its curve with it) */
export function withSizes(c: PrimeCurveParams): PrimeCurve {
  return { ...c, size: Math.ceil(bitLength(c.p) / 8), nBits: bitLength(c.n) };
}

const NAMED = new Map<string, PrimeCurve>();

/** A named prime curve OpenSSL 3.0 knows (not P-256/384/521), by OID. */
export function namedPrimeCurve(oid: string): PrimeCurve | undefined {
  let c = NAMED.get(oid);
  if (!c && PRIME_CURVES[oid]) NAMED.set(oid, (c = withSizes(PRIME_CURVES[oid])));
  return c;
}

/**
 * ECParameters ::= SEQUENCE { version, fieldID { prime-field, p }, curve { a, b, seed OPT },
 * base OCTET STRING, order, cofactor OPT } with a prime field. Throws CryptoError.
 */
export function explicitPrimeCurve(params: Uint8Array): PrimeCurve {
  try {
    const seq = parseDer(params, 'ECParameters').expect(Tag.SEQUENCE, 'ECParameters');
    const k = seq.children();
    if (k.length < 5) throw new CryptoError('BAD_KEY', 'ECParameters has too few fields', 'explicitPrimeCurve');
    const field = k[1].children();
    if (der.oid(field[0]) !== PRIME_FIELD)
      throw new CryptoError('UNSUPPORTED_ALGORITHM', 'explicit EC parameters over a binary field are not supported', 'explicitPrimeCurve');
    const p = der.integer(field[1]);
    const curve = k[2].children();
    const a = der.bytesToUnsigned(der.octetString(curve[0]));
    const b = der.bytesToUnsigned(der.octetString(curve[1]));
    const n = der.integer(k[4]);
    const h = k.length > 5 ? der.integer(k[5]) : 1n;
    if (p < 3n || n < 2n) throw new CryptoError('BAD_KEY', 'EC field or order too small', 'explicitPrimeCurve');
    const base = { name: 'explicit', p, a: mod(a, p), b: mod(b, p), gx: 0n, gy: 0n, n, h };
    const c = withSizes(base);
    const g = decodePoint(c, der.octetString(k[3]));
    return { ...c, gx: g.x, gy: g.y };
  } catch (e) {
    if (e instanceof DerError) throw new CryptoError('BAD_KEY', `bad ECParameters: ${e.message}`, 'explicitPrimeCurve');
    throw e;
  }
}

/** a square root of v mod p (Tonelli-Shanks), or undefined */
function sqrtMod(v: bigint, p: bigint): bigint | undefined {
  const a = mod(v, p);
  if (a === 0n) return 0n;
  if (modPow(a, (p - 1n) / 2n, p) !== 1n) return undefined;
  if (p % 4n === 3n) return modPow(a, (p + 1n) / 4n, p);
  let q = p - 1n;
  let s = 0;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  while (modPow(z, (p - 1n) / 2n, p) !== p - 1n) z++;
  let m = s;
  let c = modPow(z, q, p);
  let t = modPow(a, q, p);
  let r = modPow(a, (q + 1n) / 2n, p);
  while (t !== 1n) {
    let i = 0;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
    }
    let b = c;
    for (let j = 0; j < m - i - 1; j++) b = (b * b) % p;
    m = i;
    c = (b * b) % p;
    t = (t * c) % p;
    r = (r * b) % p;
  }
  return r;
}

const onCurve = (c: PrimeCurve, x: bigint, y: bigint) => mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;

/** EC_POINT_oct2point: 02/03 compressed, 04 uncompressed, 06/07 hybrid; on the curve, not infinity. */
function decodePoint(c: PrimeCurve, b: Uint8Array): Point {
  const bad = (why: string) => new CryptoError('BAD_KEY', `not a point on ${c.name}: ${why}`, 'decodePoint');
  const num = (s: Uint8Array) => s.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
  const f = b[0];
  if ((f === 2 || f === 3) && b.length === 1 + c.size) {
    const x = num(b.subarray(1));
    if (x >= c.p) throw bad('x not below p');
    const y0 = sqrtMod(x * x * x + c.a * x + c.b, c.p);
    if (y0 === undefined) throw bad('no y for this x');
    const y = (y0 & 1n) === BigInt(f & 1) ? y0 : mod(-y0, c.p);
    return { x, y };
  }
  if ((f === 4 || f === 6 || f === 7) && b.length === 1 + 2 * c.size) {
    const x = num(b.subarray(1, 1 + c.size));
    const y = num(b.subarray(1 + c.size));
    if (x >= c.p || y >= c.p) throw bad('coordinate not below p');
    if (f !== 4 && (y & 1n) !== BigInt(f & 1)) throw bad('hybrid point with the wrong y parity');
    if (!onCurve(c, x, y)) throw bad('equation not satisfied');
    return { x, y };
  }
  throw bad(`encoding of ${b.length} octets starting 0x${(f ?? 0).toString(16)}`);
}

/** dbl-2007-bl (any a) */
function dbl(c: PrimeCurve, P: Jac): Jac {
  if (P.z === 0n || P.y === 0n) return INF;
  const p = c.p;
  const xx = (P.x * P.x) % p;
  const yy = (P.y * P.y) % p;
  const yyyy = (yy * yy) % p;
  const zz = (P.z * P.z) % p;
  const s = mod(2n * ((P.x + yy) * (P.x + yy) - xx - yyyy), p);
  const m = mod(3n * xx + c.a * ((zz * zz) % p), p);
  const x = mod(m * m - 2n * s, p);
  const y = mod(m * (s - x) - 8n * yyyy, p);
  const z = mod((P.y + P.z) * (P.y + P.z) - yy - zz, p);
  return { x, y, z };
}

/** add-2007-bl with the doubling and infinity cases */
function add(c: PrimeCurve, P: Jac, Q: Jac): Jac {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const p = c.p;
  const z1z1 = (P.z * P.z) % p;
  const z2z2 = (Q.z * Q.z) % p;
  const u1 = (P.x * z2z2) % p;
  const u2 = (Q.x * z1z1) % p;
  const s1 = (((P.y * Q.z) % p) * z2z2) % p;
  const s2 = (((Q.y * P.z) % p) * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? dbl(c, P) : INF;
  const h = mod(u2 - u1, p);
  const i = (4n * h * h) % p;
  const j = (h * i) % p;
  const r = mod(2n * (s2 - s1), p);
  const v = (u1 * i) % p;
  const x = mod(r * r - j - 2n * v, p);
  const y = mod(r * (v - x) - 2n * s1 * j, p);
  const z = mod(((P.z + Q.z) * (P.z + Q.z) - z1z1 - z2z2) * h, p);
  return { x, y, z };
}

/** u1·G + u2·Q (Shamir's trick), affine x or undefined at infinity (SM2 verification uses it too) */
export function combine(c: PrimeCurve, q: Point, u1: bigint, u2: bigint): bigint | undefined {
  const G: Jac = { x: c.gx, y: c.gy, z: 1n };
  const Q: Jac = { x: q.x, y: q.y, z: 1n };
  const GQ = add(c, G, Q);
  let R = INF;
  for (let i = Math.max(bitLength(u1), bitLength(u2)) - 1; i >= 0; i--) {
    R = dbl(c, R);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) R = add(c, R, GQ);
    else if (b1) R = add(c, R, G);
    else if (b2) R = add(c, R, Q);
  }
  if (R.z === 0n) return undefined;
  const zi = modInverse(R.z, c.p);
  return (R.x * zi * zi) % c.p;
}

export interface PreparedPrimeEcKey {
  curve: PrimeCurve;
  q: Point;
}

export function preparePrimeEcKey(curve: PrimeCurve, point: Uint8Array): PreparedPrimeEcKey {
  return { curve, q: decodePoint(curve, point) };
}

/** ECDSA verification over a digest (ossl_ecdsa_simple_verify_sig) */
function primeEcdsaVerifyDigest(key: PreparedPrimeEcKey, digest: Uint8Array, signature: Uint8Array): VerifyResult {
  const c = key.curve;
  const parsed = parseEcdsaSigValue(c.n, signature);
  if ('ok' in parsed) return parsed;
  // the leftmost nBits bits of the digest
  let e = 0n;
  for (const b of digest) e = (e << 8n) | BigInt(b);
  const excess = digest.length * 8 - c.nBits;
  if (excess > 0) e >>= BigInt(excess);
  const w = modInverse(parsed.s, c.n);
  const x = combine(c, key.q, mod(e * w, c.n), mod(parsed.r * w, c.n));
  if (x === undefined || mod(x, c.n) !== parsed.r)
    return verifyFail('bad-signature', `ECDSA signature does not match on ${c.name} (wrong key, hash or message)`);
  return VERIFY_OK;
}

export function primeEcdsaVerify(key: PreparedPrimeEcKey, hashName: HashName, message: Uint8Array, signature: Uint8Array): VerifyResult {
  return primeEcdsaVerifyDigest(key, hash(hashName, message), signature);
}
