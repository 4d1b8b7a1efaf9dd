// Arithmetic in GF(2^m), polynomial basis, on BigInt: an element is the integer whose bit i is
// the coefficient of x^i (as OpenSSL's BN_GF2m_* functions hold it), reduced by the field's
// trinomial x^m + x^k + 1 or pentanomial x^m + x^k3 + x^k2 + x^k1 + 1. What the binary-field
// curves (ecdsa-binary.ts) need: add (xor), carry-less multiply with a 4-bit window,
// squaring by spreading hex digits, inversion by the binary extended Euclid, square roots
// and the solution of z² + z = β (point decompression).

import { bitLength } from '../der/bytes.js';

export interface BinaryField {
  /** degree */
  m: number;
  /** the exponents of the reduction polynomial's middle terms, highest first (1 or 3) */
  ks: readonly number[];
  /** the whole reduction polynomial, x^m included */
  poly: bigint;
  /** 2^m - 1 */
  mask: bigint;
}

export function binaryField(m: number, ks: readonly number[]): BinaryField {
  const mb = BigInt(m);
  let poly = (1n << mb) | 1n;
  for (const k of ks) poly |= 1n << BigInt(k);
  return { m, ks: [...ks].sort((a, b) => b - a), poly, mask: (1n << mb) - 1n };
}

/** x mod the field polynomial, for x of any degree. */
export function reduce(f: BinaryField, x: bigint): bigint {
  const mb = BigInt(f.m);
  let hi = x >> mb;
  while (hi !== 0n) {
    // x^m = x^k... + 1: fold the part above degree m back in; the largest k is below m, so
    // each round shrinks the excess and two or three rounds end it
    x &= f.mask;
    x ^= hi;
    for (const k of f.ks) x ^= hi << BigInt(k);
    hi = x >> mb;
  }
  return x;
}

/** Carry-less product of two polynomials (not reduced): 4-bit windows over b's hex digits. */
export function clmul(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  const t: bigint[] = new Array(16);
  t[0] = 0n;
  t[1] = a;
  for (let i = 2; i < 16; i += 2) {
    t[i] = t[i >> 1] << 1n;
    t[i + 1] = t[i] ^ a;
  }
  const hex = b.toString(16);
  let r = 0n;
  for (let i = 0; i < hex.length; i++) r = (r << 4n) ^ t[HEX_VALUE[hex.charCodeAt(i)]];
  return r;
}

const HEX_VALUE: number[] = (() => {
  const v = new Array<number>(128).fill(0);
  for (let i = 0; i < 16; i++) v[i.toString(16).charCodeAt(0)] = i;
  return v;
})();

/** a hex digit's four bits spread to eight (bit i to bit 2i): the square of a nibble */
const SPREAD: string[] = Array.from({ length: 16 }, (_, d) => {
  let s = 0;
  for (let i = 0; i < 4; i++) if (d & (1 << i)) s |= 1 << (2 * i);
  return s.toString(16).padStart(2, '0');
});

export const add = (a: bigint, b: bigint): bigint => a ^ b;

export const mul = (f: BinaryField, a: bigint, b: bigint): bigint => reduce(f, clmul(a, b));

/** a²: squaring is linear in characteristic 2, each bit i moves to 2i */
export function sqr(f: BinaryField, a: bigint): bigint {
  if (a === 0n) return 0n;
  const hex = a.toString(16);
  let s = '';
  for (let i = 0; i < hex.length; i++) s += SPREAD[HEX_VALUE[hex.charCodeAt(i)]];
  return reduce(f, BigInt(`0x${s}`));
}

/** a^-1 (binary extended Euclid on polynomials); a must be non-zero and reduced. */
export function inv(f: BinaryField, a: bigint): bigint {
  if (a === 0n) throw new RangeError('0 has no inverse in GF(2^m)');
  let u = a;
  let v = f.poly;
  let g1 = 1n;
  let g2 = 0n;
  let du = bitLength(u);
  let dv = bitLength(v);
  while (u !== 1n) {
    let j = du - dv;
    if (j < 0) {
      [u, v] = [v, u];
      [g1, g2] = [g2, g1];
      [du, dv] = [dv, du];
      j = -j;
    }
    const jb = BigInt(j);
    u ^= v << jb;
    g1 ^= g2 << jb;
    du = bitLength(u);
  }
  return reduce(f, g1);
}

export const div = (f: BinaryField, a: bigint, b: bigint): bigint => mul(f, a, inv(f, b));

/** the unique square root: a^(2^(m-1)) */
export function sqrt(f: BinaryField, a: bigint): bigint {
  let r = a;
  for (let i = 1; i < f.m; i++) r = sqr(f, r);
  return r;
}

/** the absolute trace Tr(a) = a + a² + a⁴ + ... + a^(2^(m-1)), 0 or 1 */
export function trace(f: BinaryField, a: bigint): bigint {
  let t = a;
  let s = a;
  for (let i = 1; i < f.m; i++) {
    s = sqr(f, s);
    t ^= s;
  }
  return t;
}

/** an element of trace 1 (x^i for the least such i; half of all elements have one), per field */
const TRACE_ONE = new WeakMap<BinaryField, bigint>();

function traceOne(f: BinaryField): bigint {
  let t = TRACE_ONE.get(f);
  if (t === undefined) {
    for (let i = 0; i < f.m && t === undefined; i++) if (trace(f, 1n << BigInt(i)) === 1n) t = 1n << BigInt(i);
    // the trace is a non-zero linear map, so some basis element has trace 1
    if (t === undefined) throw new Error(`no element of trace 1 in GF(2^${f.m})`);
    TRACE_ONE.set(f, t);
  }
  return t;
}

/**
 * A solution z of z² + z = β, or undefined when there is none (Tr(β) = 1); the other solution
 * is z + 1. Odd m: the half-trace. Even m: IEEE 1363 A.4.7 with a τ of trace 1, for which it
 * needs no retry (BN_GF2m_mod_solve_quad_arr draws random τ until one works).
 */
export function solveQuadratic(f: BinaryField, beta: bigint): bigint | undefined {
  if (beta === 0n) return 0n;
  if (f.m % 2 === 1) {
    let z = beta;
    for (let i = 1; i <= (f.m - 1) / 2; i++) z = sqr(f, sqr(f, z)) ^ beta;
    return sqr(f, z) ^ z ^ beta ? undefined : z;
  }
  const tau = traceOne(f);
  let z = 0n;
  let w = beta;
  for (let i = 1; i < f.m; i++) {
    const w2 = sqr(f, w);
    z = sqr(f, z) ^ mul(f, w2, tau);
    w = w2 ^ beta;
  }
  // w = Tr(β): no solution when it is 1
  return w === 0n && (sqr(f, z) ^ z) === beta ? z : undefined;
}
