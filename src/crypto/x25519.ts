// X25519 (RFC 7748 §5) on BigInt, with p = 2^255 - 19 reduced by folding the high bits
// back times 19 instead of a division: every TLS handshake computes two of these, and
// noble's generic field `mod` made them the largest cost of a P-256 simulation (measured:
// ~0.59 ms here against ~1.0 ms for @noble/curves' x25519.getSharedSecret, same process).
// The swap of the ladder is done with masks rather than a branch on the scalar's bits; like
// all BigInt arithmetic this is not constant-time, which matters little for the ephemeral
// keys TLS uses. RFC 7748's vectors and node:crypto check it (test/crypto/kex.test.ts).
// An installed accelerator (accelerator.ts) computes the same function natively.

import { modInverse } from './modular.js';
import { accelerated } from './accelerator.js';

const P = (1n << 255n) - 19n;
const MASK255 = (1n << 255n) - 1n;
const A24 = 121665n;
/** added before a subtraction so the result stays positive (operands are below 2^256 < 4p) */
const P4 = 4n * P;

/** a < 2^520 to a value below 2^256 congruent mod p: 2^255 = 19 (mod p), folded twice */
function fold(a: bigint): bigint {
  a = (a & MASK255) + (a >> 255n) * 19n;
  return (a & MASK255) + (a >> 255n) * 19n;
}

function decodeLittleEndian(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

function encodeLittleEndian(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** decodeScalar25519: clear the three low bits and the top bit, set bit 254. */
function clamp(k: Uint8Array): bigint {
  const c = k.slice();
  c[0] &= 248;
  c[31] &= 127;
  c[31] |= 64;
  return decodeLittleEndian(c);
}

/**
 * X25519(k, u) for a 32-octet scalar and u-coordinate: the 32-octet result (all zero for a
 * low-order u, which callers refuse). u's top bit is ignored and non-canonical values are
 * reduced, as RFC 7748 §5 requires.
 */
export function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  if (scalar.length !== 32 || u.length !== 32) throw new RangeError('X25519 takes 32-octet scalars and u-coordinates');
  return accelerated((a) => a.x25519?.(scalar, u), () => ladder(scalar, u));
}

function ladder(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const k = clamp(scalar);
  const x1 = (decodeLittleEndian(u) & MASK255) % P;
  let x2 = 1n;
  let z2 = 0n;
  let x3 = x1;
  let z3 = 1n;
  let swap = 0n;
  for (let t = 254n; t >= 0n; t--) {
    const kt = (k >> t) & 1n;
    // cswap(swap ^ kt): mask is 0 or -1 (all ones in two's complement)
    const mask = -(swap ^ kt);
    let d = mask & (x2 ^ x3);
    x2 ^= d;
    x3 ^= d;
    d = mask & (z2 ^ z3);
    z2 ^= d;
    z3 ^= d;
    swap = kt;
    const a = x2 + z2;
    const b = x2 - z2 + P4;
    const aa = fold(a * a);
    const bb = fold(b * b);
    const e = aa - bb + P4;
    const c = x3 + z3;
    const dd = x3 - z3 + P4;
    const da = fold(dd * a);
    const cb = fold(c * b);
    const sum = da + cb;
    const diff = da - cb + P4;
    x3 = fold(sum * sum);
    z3 = fold(x1 * fold(diff * diff));
    x2 = fold(aa * bb);
    z2 = fold(e * (aa + fold(A24 * e)));
  }
  const mask = -swap;
  x2 ^= mask & (x2 ^ x3);
  z2 ^= mask & (z2 ^ z3);
  // a low-order u leaves z2 = 0: the result is then 0, which callers refuse
  const z = z2 % P;
  return encodeLittleEndian(z === 0n ? 0n : ((x2 % P) * modInverse(z, P)) % P);
}

const BASE = encodeLittleEndian(9n);

/** The public key of a 32-octet private key: X25519(k, 9). */
export function x25519PublicKey(scalar: Uint8Array): Uint8Array {
  return x25519(scalar, BASE);
}
