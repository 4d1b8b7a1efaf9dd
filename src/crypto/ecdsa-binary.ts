// ECDSA verification on elliptic curves over binary fields GF(2^m), y² + xy = x³ + ax² + b
// (SEC 1 §2.2.2, X9.62): the named curves OpenSSL 3.0 knows (binary-curves.ts: sect*,
// c2pnb*/c2tnb*, the binary WAP/WTLS curves) and explicit characteristic-two ECParameters in a
// SubjectPublicKeyInfo (trinomial or pentanomial basis; OpenSSL implements no normal basis).
// Checks as OpenSSL 3.0 makes them (ecdsa_ossl.c, ec2_oct.c, ec_asn1.c): strict DER
// Ecdsa-Sig-Value with 1 <= r, s <= n-1, the digest cut to the order's bit length, x(R) read as
// the integer of its polynomial bits; points compressed, uncompressed or hybrid, coordinates
// of degree below m, on the curve and not at infinity.
//
// The verification equation runs in López-Dahab projective coordinates (x = X/Z, y = Y/Z²),
// doubling and mixed addition, so one inversion per signature.

import { DerError, Tag, bitLength, der, parseDer } from '../der/index.js';
import { type BinaryField, binaryField, div, inv, mul, reduce, solveQuadratic, sqr, sqrt } from './binary-field.js';
import { BINARY_CURVES, type BinaryCurveParams } from './binary-curves.js';
import { CryptoError } from './errors.js';
import { parseEcdsaSigValue } from './ecdsa.js';
import { hash } from './hash.js';
import { mod, modInverse } from './modular.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import type { HashName } from '../x509/types.js';

/** X9.62 OIDs of the characteristic-two field and its bases */
const CHARACTERISTIC_TWO_FIELD = '1.2.840.10045.1.2';
const BASIS = { gn: '1.2.840.10045.1.2.3.1', tp: '1.2.840.10045.1.2.3.2', pp: '1.2.840.10045.1.2.3.3' } as const;
/** OPENSSL_ECC_MAX_FIELD_BITS */
const MAX_FIELD_BITS = 661;

export interface BinaryCurve extends BinaryCurveParams {
  field: BinaryField;
  /** octets of a field element */
  size: number;
  nBits: number;
}

export interface Point {
  x: bigint;
  y: bigint;
}

/** López-Dahab (X, Y, Z) for (X/Z, Y/Z²); Z = 0 is the point at infinity */
interface Ld {
  x: bigint;
  y: bigint;
  z: bigint;
}
const INF: Ld = Object.freeze({ x: 1n, y: 0n, z: 0n });

function withField(c: BinaryCurveParams): BinaryCurve {
  return { ...c, field: binaryField(c.m, c.ks), size: Math.ceil(c.m / 8), nBits: bitLength(c.n) };
}

const NAMED = new Map<string, BinaryCurve>();

/** A named binary-field curve OpenSSL 3.0 knows, by OID. */
export function namedBinaryCurve(oid: string): BinaryCurve | undefined {
  let c = NAMED.get(oid);
  const params = BINARY_CURVES.find((p) => p.oid === oid);
  if (!c && params) NAMED.set(oid, (c = withField(params)));
  return c;
}

/** Do these ECParameters (a SEQUENCE) name a characteristic-two field? False when they do not parse. */
export function isBinaryFieldParameters(params: Uint8Array): boolean {
  try {
    const fieldId = parseDer(params, 'ECParameters').children()[1];
    return fieldId !== undefined && der.oid(fieldId.children()[0]) === CHARACTERISTIC_TWO_FIELD;
  } catch {
    return false;
  }
}

/**
 * ECParameters with a characteristic-two field: fieldID { characteristic-two-field,
 * Characteristic-two { m, basis, parameters } }, as ec_asn1_parameters2group accepts it.
 * Throws CryptoError('BAD_KEY') for parameters OpenSSL refuses, ('UNSUPPORTED_ALGORITHM')
 * for a normal basis (EC_R_NOT_IMPLEMENTED there too: the key does not decode).
 */
export function explicitBinaryCurve(params: Uint8Array): BinaryCurve {
  const bad = (why: string) => new CryptoError('BAD_KEY', why, 'explicitBinaryCurve');
  try {
    const k = parseDer(params, 'ECParameters').expect(Tag.SEQUENCE, 'ECParameters').children();
    if (k.length < 5) throw bad('ECParameters has too few fields');
    const field = k[1].children();
    if (der.oid(field[0]) !== CHARACTERISTIC_TWO_FIELD) throw bad('not a characteristic-two field');
    const c2 = field[1].children();
    const m = Number(der.integer(c2[0]));
    if (!(m > 0 && m <= MAX_FIELD_BITS)) throw bad(`field degree ${m} (OpenSSL takes 1 to ${MAX_FIELD_BITS})`);
    const basis = der.oid(c2[1]);
    let ks: number[];
    if (basis === BASIS.tp) {
      const t = Number(der.integer(c2[2]));
      if (!(t > 0 && t < m)) throw bad(`invalid trinomial basis x^${m} + x^${t} + 1`);
      ks = [t];
    } else if (basis === BASIS.pp) {
      const p = c2[2].children().map((x) => Number(der.integer(x)));
      if (p.length !== 3 || !(m > p[2] && p[2] > p[1] && p[1] > p[0] && p[0] > 0)) throw bad('invalid pentanomial basis');
      ks = p;
    } else if (basis === BASIS.gn) {
      throw new CryptoError(
        'UNSUPPORTED_ALGORITHM',
        'a normal basis (onBasis) is not implemented (OpenSSL: EC_R_NOT_IMPLEMENTED)',
        'explicitBinaryCurve',
      );
    } else throw bad(`unsupported characteristic-two basis ${basis}`);
    const curve = k[2].children();
    const f = binaryField(m, ks);
    // EC_GROUP_new_curve_GF2m reduces a and b modulo the field polynomial
    const a = reduce(f, der.bytesToUnsigned(der.octetString(curve[0])));
    const b = reduce(f, der.bytesToUnsigned(der.octetString(curve[1])));
    const n = der.integer(k[4]);
    const h = k.length > 5 ? der.integer(k[5]) : 1n;
    // EC_GROUP_set_generator: 1 <= n, and at most one bit more than the field (Hasse)
    if (n < 1n || bitLength(n) > m + 1) throw bad('invalid group order');
    const base: BinaryCurve = {
      name: 'explicit',
      m,
      ks,
      a,
      b,
      gx: 0n,
      gy: 0n,
      n,
      h,
      field: f,
      size: Math.ceil(m / 8),
      nBits: bitLength(n),
    };
    const g = decodeBinaryPoint(base, der.octetString(k[3]));
    return { ...base, gx: g.x, gy: g.y };
  } catch (e) {
    if (e instanceof DerError) throw bad(`bad ECParameters: ${e.message}`);
    throw e;
  }
}

/** y² + xy = x³ + ax² + b */
export function onBinaryCurve(c: BinaryCurve, p: Point): boolean {
  const f = c.field;
  const x2 = sqr(f, p.x);
  const lhs = sqr(f, p.y) ^ mul(f, p.x, p.y);
  const rhs = mul(f, x2, p.x ^ c.a) ^ c.b;
  return lhs === rhs;
}

const num = (s: Uint8Array) => s.reduce((v, x) => (v << 8n) | BigInt(x), 0n);

/**
 * EC_POINT_oct2point for GF(2^m) (ec2_oct.c): 02/03 compressed (y recovered from z with
 * z² + z = x + a + b/x², the prefix bit choosing z's lowest bit, y = x·z; y = √b at x = 0),
 * 04 uncompressed, 06/07 hybrid (the prefix bit must be the lowest bit of y/x, 0 at x = 0).
 */
export function decodeBinaryPoint(c: BinaryCurve, b: Uint8Array): Point {
  const bad = (why: string) => new CryptoError('BAD_KEY', `not a point on ${c.name}: ${why}`, 'decodeBinaryPoint');
  const f = c.field;
  const form = b[0];
  const bit = BigInt(form & 1);
  if ((form === 2 || form === 3) && b.length === 1 + c.size) {
    const x = num(b.subarray(1));
    if (bitLength(x) > c.m) throw bad('x of degree m or more');
    if (x === 0n) return { x, y: sqrt(f, c.b) };
    const beta = x ^ c.a ^ div(f, c.b, sqr(f, x));
    const z = solveQuadratic(f, beta);
    if (z === undefined) throw bad('no y for this x');
    const y = mul(f, x, (z & 1n) === bit ? z : z ^ 1n);
    return { x, y };
  }
  if ((form === 4 || form === 6 || form === 7) && b.length === 1 + 2 * c.size) {
    const x = num(b.subarray(1, 1 + c.size));
    const y = num(b.subarray(1 + c.size));
    if (bitLength(x) > c.m || bitLength(y) > c.m) throw bad('coordinate of degree m or more');
    if (form !== 4) {
      const yBit = x === 0n ? 0n : div(f, y, x) & 1n;
      if (yBit !== bit) throw bad('hybrid point with the wrong y bit');
    }
    if (!onBinaryCurve(c, { x, y })) throw bad('equation not satisfied');
    return { x, y };
  }
  throw bad(`encoding of ${b.length} octets starting 0x${(form ?? 0).toString(16)}`);
}

/** affine P + Q with every special case; undefined is the point at infinity */
export function addAffine(c: BinaryCurve, p: Point | undefined, q: Point | undefined): Point | undefined {
  if (!p) return q;
  if (!q) return p;
  const f = c.field;
  let lambda: bigint;
  if (p.x === q.x) {
    // Q = -P (y_Q = x + y_P) or a point of order 2 doubled
    if (p.y !== q.y || p.x === 0n) return undefined;
    lambda = p.x ^ div(f, p.y, p.x);
    const x3 = sqr(f, lambda) ^ lambda ^ c.a;
    return { x: x3, y: sqr(f, p.x) ^ mul(f, lambda ^ 1n, x3) };
  }
  lambda = div(f, p.y ^ q.y, p.x ^ q.x);
  const x3 = sqr(f, lambda) ^ lambda ^ p.x ^ q.x ^ c.a;
  return { x: x3, y: mul(f, lambda, p.x ^ x3) ^ x3 ^ p.y };
}

/** LD doubling: Z3 = X²Z², X3 = X⁴ + bZ⁴, Y3 = bZ⁴·Z3 + X3·(aZ3 + Y² + bZ⁴) */
function dbl(c: BinaryCurve, P: Ld): Ld {
  if (P.z === 0n || P.x === 0n) return INF;
  const f = c.field;
  const x2 = sqr(f, P.x);
  const z2 = sqr(f, P.z);
  const bz4 = mul(f, c.b, sqr(f, z2));
  const z3 = mul(f, x2, z2);
  const x3 = sqr(f, x2) ^ bz4;
  const az3 = c.a === 0n ? 0n : c.a === 1n ? z3 : mul(f, c.a, z3);
  const y3 = mul(f, bz4, z3) ^ mul(f, x3, az3 ^ sqr(f, P.y) ^ bz4);
  return { x: x3, y: y3, z: z3 };
}

/**
 * LD + affine: A = Y1 + y2·Z1², B = X1 + x2·Z1, C = Z1·B, Z3 = C², X3 = A² + C·(A + B² + a·C),
 * Y3 = (A·C + Z3)·(x2·Z3 + X3) + (x2 + y2)·Z3²
 */
function madd(c: BinaryCurve, P: Ld, q: Point): Ld {
  if (P.z === 0n) return { x: q.x, y: q.y, z: 1n };
  const f = c.field;
  const z1sq = sqr(f, P.z);
  const A = P.y ^ mul(f, q.y, z1sq);
  const B = P.x ^ mul(f, q.x, P.z);
  if (B === 0n) return A === 0n ? dbl(c, { x: q.x, y: q.y, z: 1n }) : INF;
  const C = mul(f, P.z, B);
  const z3 = sqr(f, C);
  const aC = c.a === 0n ? 0n : c.a === 1n ? C : mul(f, c.a, C);
  const x3 = sqr(f, A) ^ mul(f, C, A ^ sqr(f, B) ^ aC);
  const y3 = mul(f, mul(f, A, C) ^ z3, mul(f, q.x, z3) ^ x3) ^ mul(f, q.x ^ q.y, sqr(f, z3));
  return { x: x3, y: y3, z: z3 };
}

function toAffine(c: BinaryCurve, P: Ld): Point | undefined {
  if (P.z === 0n) return undefined;
  const f = c.field;
  const zi = inv(f, P.z);
  return { x: mul(f, P.x, zi), y: mul(f, P.y, sqr(f, zi)) };
}

/** u1·G + u2·Q (Shamir's trick over G, Q and G + Q), affine; undefined at infinity */
export function combineBinary(c: BinaryCurve, q: Point, u1: bigint, u2: bigint): Point | undefined {
  const G: Point = { x: c.gx, y: c.gy };
  const GQ = addAffine(c, G, q);
  let R: Ld = INF;
  for (let i = Math.max(bitLength(u1), bitLength(u2)) - 1; i >= 0; i--) {
    R = dbl(c, R);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    const T = b1 && b2 ? GQ : b1 ? G : b2 ? q : undefined;
    // T is undefined for no bit, or when G + Q is infinity: nothing to add
    if (T) R = madd(c, R, T);
  }
  return toAffine(c, R);
}

export interface PreparedBinaryEcKey {
  curve: BinaryCurve;
  q: Point;
}

export function prepareBinaryEcKey(curve: BinaryCurve, point: Uint8Array): PreparedBinaryEcKey {
  return { curve, q: decodeBinaryPoint(curve, point) };
}

/** The leftmost nBits bits of the digest (ossl_ecdsa_simple_verify_sig's BN_bin2bn and shift) */
export function digestScalar(digest: Uint8Array, nBits: number): bigint {
  let e = num(digest);
  const excess = digest.length * 8 - nBits;
  if (excess > 0) e >>= BigInt(excess);
  return e;
}

/** ECDSA verification over a digest: x(u1·G + u2·Q) mod n = r */
export function binaryEcdsaVerifyDigest(key: PreparedBinaryEcKey, digest: Uint8Array, signature: Uint8Array): VerifyResult {
  const c = key.curve;
  const parsed = parseEcdsaSigValue(c.n, signature);
  if ('ok' in parsed) return parsed;
  const e = digestScalar(digest, c.nBits);
  const w = modInverse(parsed.s, c.n);
  const R = combineBinary(c, key.q, mod(e * w, c.n), mod(parsed.r * w, c.n));
  if (R === undefined || mod(R.x, c.n) !== parsed.r)
    return verifyFail('bad-signature', `ECDSA signature does not match on ${c.name} (wrong key, hash or message)`);
  return VERIFY_OK;
}

export function binaryEcdsaVerify(key: PreparedBinaryEcKey, hashName: HashName, message: Uint8Array, signature: Uint8Array): VerifyResult {
  return binaryEcdsaVerifyDigest(key, hash(hashName, message), signature);
}
