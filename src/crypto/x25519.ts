// X25519 (RFC 7748 §5): the Montgomery ladder over p = 2^255 - 19 with each field element
// held as 12 doubles rather than a BigInt. Every TLS handshake computes two of these (four
// while key shares still come from the ladder, see kex.ts), a fifth to a third of a P-256
// simulation's time in pure mode with BigInt, which allocates on every operation; this
// allocates nothing per ladder step (module-level scratch). bench/x25519.ts times it against
// the BigInt ladder it replaced (0.21 against 0.61 ms per operation here, 2.9x) and noble.
//
// Representation: limb i is a double holding an integer multiple of 2^OFFSET[i], with
// OFFSET[i] = ceil(85i/4) = 0, 22, 43, 64, 85, ... 234 (limbs of 22 or 21 bits; OFFSET[12] =
// 255). Each limb carries its own scale, and ceil(x) + ceil(y) >= ceil(x + y), so the product
// of limbs i and j is already a multiple of 2^OFFSET[i+j]: a product is 144 plain
// multiply-adds with no per-term fix-up, and the terms past 2^255 come back down with the
// factor 19 * 2^-255 (2^255 = 19 mod p), applied beforehand to one operand. Limbs are
// signed: a carry rounds a column to the nearest multiple of the next limb's unit with
// (x + 1.5 * 2^(52+s)) - 1.5 * 2^(52+s), leaving |limb| <= 2^(width-1) units (a few units
// more on limbs 1 and 7, which the last carries touch), so a subtraction needs no added p.
//
// Every double operation here is exact, never rounded. Inputs to mul/sqr are carried
// elements or sums/differences of two, so limbs are below 2^23 units and every product term
// (one side possibly times 19) below 2^51; the worst column sum (column 0, where most folded
// terms land) stays below 2^51.01 of its unit, under the 2^53 where doubles stop being exact
// and the 2^(51 + width) the carry rounding needs (bounds computed per column when this was
// written). All terms of a column are multiples of its unit, so partial sums are exact too.
//
// The ladder's swap is arithmetic (d = m(a - b); a -= d; b += d with m in {0, 1}), not a
// branch on the scalar's bits. Decoding and encoding (once per call) use BigInt/bytes.
// RFC 7748's vectors and node:crypto check it, with u >= p, u with bit 255 set and the
// low-order points (test/crypto/kex.test.ts). An installed accelerator (accelerator.ts)
// computes the same function natively.

import { accelerated } from './accelerator.js';

const P = (1n << 255n) - 19n;

/** limb i covers bits [OFFSET[i], OFFSET[i + 1]) */
const OFFSET = Array.from({ length: 13 }, (_, i) => Math.ceil((85 * i) / 4));

// (x + Kk) - Kk rounds limb k to a multiple of 2^OFFSET[k+1]: the carry out of it
const [K0, K1, K2, K3, K4, K5, K6, K7, K8, K9, K10, K11] = OFFSET.slice(1).map((o) => 1.5 * 2 ** (52 + o));
/** the weight of a carry out of the top limb, brought back to limb 0: 2^255 = 19 (mod p) */
const FOLD = 19 * 2 ** -255;
/** (A - 2) / 4 for curve25519, RFC 7748 §5 */
const A24 = 121665;

type Fe = Float64Array;
const fe = (): Fe => new Float64Array(12);

/** Carry the column sums t0..t11 into o: two interleaved chains (0..5 and 6..11), then the wrap. */
function settle(
  o: Fe,
  t0: number,
  t1: number,
  t2: number,
  t3: number,
  t4: number,
  t5: number,
  t6: number,
  t7: number,
  t8: number,
  t9: number,
  t10: number,
  t11: number,
): void {
  let c: number;
  c = t0 + K0 - K0;
  t0 -= c;
  t1 += c;
  c = t6 + K6 - K6;
  t6 -= c;
  t7 += c;
  c = t1 + K1 - K1;
  t1 -= c;
  t2 += c;
  c = t7 + K7 - K7;
  t7 -= c;
  t8 += c;
  c = t2 + K2 - K2;
  t2 -= c;
  t3 += c;
  c = t8 + K8 - K8;
  t8 -= c;
  t9 += c;
  c = t3 + K3 - K3;
  t3 -= c;
  t4 += c;
  c = t9 + K9 - K9;
  t9 -= c;
  t10 += c;
  c = t4 + K4 - K4;
  t4 -= c;
  t5 += c;
  c = t10 + K10 - K10;
  t10 -= c;
  t11 += c;
  c = t5 + K5 - K5;
  t5 -= c;
  t6 += c;
  c = t11 + K11 - K11;
  t11 -= c;
  t0 += c * FOLD;
  c = t6 + K6 - K6;
  t6 -= c;
  t7 += c;
  c = t0 + K0 - K0;
  t0 -= c;
  t1 += c;
  o[0] = t0;
  o[1] = t1;
  o[2] = t2;
  o[3] = t3;
  o[4] = t4;
  o[5] = t5;
  o[6] = t6;
  o[7] = t7;
  o[8] = t8;
  o[9] = t9;
  o[10] = t10;
  o[11] = t11;
}

/** o = a * b (mod p); o may be a or b */
function mul(o: Fe, a: Fe, b: Fe): void {
  const a0 = a[0],
    a1 = a[1],
    a2 = a[2],
    a3 = a[3],
    a4 = a[4],
    a5 = a[5],
    a6 = a[6],
    a7 = a[7],
    a8 = a[8],
    a9 = a[9],
    a10 = a[10],
    a11 = a[11];
  const b0 = b[0],
    b1 = b[1],
    b2 = b[2],
    b3 = b[3],
    b4 = b[4],
    b5 = b[5],
    b6 = b[6],
    b7 = b[7],
    b8 = b[8],
    b9 = b[9],
    b10 = b[10],
    b11 = b[11];
  // column k takes a_i * b_(k-i), and a_i * b_(k+12-i) * 19 * 2^-255 for the part past 2^255
  const B1 = b1 * FOLD,
    B2 = b2 * FOLD,
    B3 = b3 * FOLD,
    B4 = b4 * FOLD,
    B5 = b5 * FOLD,
    B6 = b6 * FOLD;
  const B7 = b7 * FOLD,
    B8 = b8 * FOLD,
    B9 = b9 * FOLD,
    B10 = b10 * FOLD,
    B11 = b11 * FOLD;
  settle(
    o,
    a0 * b0 + a1 * B11 + a2 * B10 + a3 * B9 + a4 * B8 + a5 * B7 + a6 * B6 + a7 * B5 + a8 * B4 + a9 * B3 + a10 * B2 + a11 * B1,
    a0 * b1 + a1 * b0 + a2 * B11 + a3 * B10 + a4 * B9 + a5 * B8 + a6 * B7 + a7 * B6 + a8 * B5 + a9 * B4 + a10 * B3 + a11 * B2,
    a0 * b2 + a1 * b1 + a2 * b0 + a3 * B11 + a4 * B10 + a5 * B9 + a6 * B8 + a7 * B7 + a8 * B6 + a9 * B5 + a10 * B4 + a11 * B3,
    a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * B11 + a5 * B10 + a6 * B9 + a7 * B8 + a8 * B7 + a9 * B6 + a10 * B5 + a11 * B4,
    a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 + a5 * B11 + a6 * B10 + a7 * B9 + a8 * B8 + a9 * B7 + a10 * B6 + a11 * B5,
    a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + a6 * B11 + a7 * B10 + a8 * B9 + a9 * B8 + a10 * B7 + a11 * B6,
    a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0 + a7 * B11 + a8 * B10 + a9 * B9 + a10 * B8 + a11 * B7,
    a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 + a8 * B11 + a9 * B10 + a10 * B9 + a11 * B8,
    a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0 + a9 * B11 + a10 * B10 + a11 * B9,
    a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0 + a10 * B11 + a11 * B10,
    a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0 + a11 * B11,
    a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0,
  );
}

/** o = a^2 (mod p): mul's columns with each cross product counted once, doubled */
function sqr(o: Fe, a: Fe): void {
  const a0 = a[0],
    a1 = a[1],
    a2 = a[2],
    a3 = a[3],
    a4 = a[4],
    a5 = a[5],
    a6 = a[6],
    a7 = a[7],
    a8 = a[8],
    a9 = a[9],
    a10 = a[10],
    a11 = a[11];
  const d0 = 2 * a0,
    d1 = 2 * a1,
    d2 = 2 * a2,
    d3 = 2 * a3,
    d4 = 2 * a4,
    d5 = 2 * a5,
    d6 = 2 * a6,
    d7 = 2 * a7,
    d8 = 2 * a8,
    d9 = 2 * a9,
    d10 = 2 * a10;
  const A6 = a6 * FOLD,
    A7 = a7 * FOLD,
    A8 = a8 * FOLD,
    A9 = a9 * FOLD,
    A10 = a10 * FOLD,
    A11 = a11 * FOLD;
  settle(
    o,
    a0 * a0 + d1 * A11 + d2 * A10 + d3 * A9 + d4 * A8 + d5 * A7 + a6 * A6,
    d0 * a1 + d2 * A11 + d3 * A10 + d4 * A9 + d5 * A8 + d6 * A7,
    d0 * a2 + a1 * a1 + d3 * A11 + d4 * A10 + d5 * A9 + d6 * A8 + a7 * A7,
    d0 * a3 + d1 * a2 + d4 * A11 + d5 * A10 + d6 * A9 + d7 * A8,
    d0 * a4 + d1 * a3 + a2 * a2 + d5 * A11 + d6 * A10 + d7 * A9 + a8 * A8,
    d0 * a5 + d1 * a4 + d2 * a3 + d6 * A11 + d7 * A10 + d8 * A9,
    d0 * a6 + d1 * a5 + d2 * a4 + a3 * a3 + d7 * A11 + d8 * A10 + a9 * A9,
    d0 * a7 + d1 * a6 + d2 * a5 + d3 * a4 + d8 * A11 + d9 * A10,
    d0 * a8 + d1 * a7 + d2 * a6 + d3 * a5 + a4 * a4 + d9 * A11 + a10 * A10,
    d0 * a9 + d1 * a8 + d2 * a7 + d3 * a6 + d4 * a5 + d10 * A11,
    d0 * a10 + d1 * a9 + d2 * a8 + d3 * a7 + d4 * a6 + a5 * a5 + a11 * A11,
    d0 * a11 + d1 * a10 + d2 * a9 + d3 * a8 + d4 * a7 + d5 * a6,
  );
}

/** o = a squared n >= 1 times */
function sqrN(o: Fe, a: Fe, n: number): void {
  sqr(o, a);
  for (let i = 1; i < n; i++) sqr(o, o);
}

/** o = a + A24 * e (mod p), carried */
function addA24(o: Fe, a: Fe, e: Fe): void {
  settle(
    o,
    a[0] + A24 * e[0],
    a[1] + A24 * e[1],
    a[2] + A24 * e[2],
    a[3] + A24 * e[3],
    a[4] + A24 * e[4],
    a[5] + A24 * e[5],
    a[6] + A24 * e[6],
    a[7] + A24 * e[7],
    a[8] + A24 * e[8],
    a[9] + A24 * e[9],
    a[10] + A24 * e[10],
    a[11] + A24 * e[11],
  );
}

function add(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 12; i++) o[i] = a[i] + b[i];
}

function sub(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 12; i++) o[i] = a[i] - b[i];
}

/** swap a and b when m = 1, leave them when m = 0, with the same operations either way */
function cswap(a: Fe, b: Fe, m: number): void {
  for (let i = 0; i < 12; i++) {
    const d = m * (a[i] - b[i]);
    a[i] -= d;
    b[i] += d;
  }
}

// scratch for the inversion (Fermat: z^(p-2), p - 2 = 2^255 - 21)
const i0 = fe(),
  i1 = fe(),
  i2 = fe(),
  i3 = fe();

/** o = z^(p-2) = 1/z (mod p), and 0 for z = 0: the usual chain of 254 squarings and 11 products */
function invert(o: Fe, z: Fe): void {
  sqr(i0, z); // z^2
  sqrN(i1, i0, 2); // z^8
  mul(i1, i1, z); // z^9
  mul(i0, i0, i1); // z^11
  sqr(i2, i0); // z^22
  mul(i1, i2, i1); // z^(2^5 - 1)
  sqrN(i2, i1, 5);
  mul(i1, i2, i1); // z^(2^10 - 1)
  sqrN(i2, i1, 10);
  mul(i2, i2, i1); // z^(2^20 - 1)
  sqrN(i3, i2, 20);
  mul(i2, i3, i2); // z^(2^40 - 1)
  sqrN(i2, i2, 10);
  mul(i1, i2, i1); // z^(2^50 - 1)
  sqrN(i2, i1, 50);
  mul(i2, i2, i1); // z^(2^100 - 1)
  sqrN(i3, i2, 100);
  mul(i2, i3, i2); // z^(2^200 - 1)
  sqrN(i2, i2, 50);
  mul(i1, i2, i1); // z^(2^250 - 1)
  sqrN(i1, i1, 5); // z^(2^255 - 32)
  mul(o, i1, i0); // z^(2^255 - 21)
}

/** u's low 255 bits (RFC 7748 §5 masks the top one) as limbs; a u >= p is reduced by the arithmetic */
function decodeU(o: Fe, u: Uint8Array): void {
  o.fill(0);
  for (let b = 0; b < 255; b++) o[Math.floor((4 * b) / 85)] += ((u[b >> 3] >> (b & 7)) & 1) * 2 ** b;
  settle(o, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9], o[10], o[11]);
}

/**
 * The canonical 32-octet little-endian encoding of a carried element. Its limbs are exact
 * integers (BigInt takes them as they are) and the top one is at most 2^20 * 2^234 in size,
 * so the value is in (-p, p): adding p to a negative one is the whole reduction.
 */
function encode(a: Fe): Uint8Array {
  let x = 0n;
  for (let i = 0; i < 12; i++) x += BigInt(a[i]);
  if (x < 0n) x += P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/**
 * X25519(k, u) for a 32-octet scalar and u-coordinate: the 32-octet result (all zero for a
 * low-order u, which callers refuse). u's top bit is ignored and non-canonical values are
 * reduced, as RFC 7748 §5 requires.
 */
export function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  if (scalar.length !== 32 || u.length !== 32) throw new RangeError('X25519 takes 32-octet scalars and u-coordinates');
  return accelerated(
    (a) => a.x25519?.(scalar, u),
    () => ladder(scalar, u),
  );
}

// the ladder's state and temporaries (RFC 7748 §5 names)
const x1 = fe(),
  x2 = fe(),
  z2 = fe(),
  x3 = fe(),
  z3 = fe();
const ta = fe(),
  tb = fe(),
  tc = fe(),
  td = fe(),
  aa = fe(),
  bb = fe(),
  te = fe(),
  da = fe(),
  cb = fe();
const k = new Uint8Array(32);

function ladder(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  // decodeScalar25519: clear the three low bits and the top bit, set bit 254
  k.set(scalar);
  k[0] &= 248;
  k[31] = (k[31] & 127) | 64;
  decodeU(x1, u);
  x2.fill(0);
  x2[0] = 1;
  z2.fill(0);
  x3.set(x1);
  z3.fill(0);
  z3[0] = 1;
  let swap = 0;
  for (let t = 254; t >= 0; t--) {
    const kt = (k[t >> 3] >> (t & 7)) & 1;
    swap ^= kt;
    cswap(x2, x3, swap);
    cswap(z2, z3, swap);
    swap = kt;
    add(ta, x2, z2); // A
    sqr(aa, ta); // AA
    sub(tb, x2, z2); // B
    sqr(bb, tb); // BB
    sub(te, aa, bb); // E
    add(tc, x3, z3); // C
    sub(td, x3, z3); // D
    mul(da, td, ta); // DA
    mul(cb, tc, tb); // CB
    add(x3, da, cb);
    sqr(x3, x3); // x3 = (DA + CB)^2
    sub(z3, da, cb);
    sqr(z3, z3);
    mul(z3, z3, x1); // z3 = x1 * (DA - CB)^2
    mul(x2, aa, bb); // x2 = AA * BB
    addA24(z2, aa, te);
    mul(z2, te, z2); // z2 = E * (AA + a24 * E)
  }
  cswap(x2, x3, swap);
  cswap(z2, z3, swap);
  // a low-order u leaves z2 = 0 (mod p), whose "inverse" z^(p-2) is 0: the result is then 0
  invert(z2, z2);
  mul(x2, x2, z2);
  k.fill(0);
  return encode(x2);
}

const BASE = new Uint8Array(32);
BASE[0] = 9;

/** The public key of a 32-octet private key: X25519(k, 9). */
export function x25519PublicKey(scalar: Uint8Array): Uint8Array {
  return x25519(scalar, BASE);
}
