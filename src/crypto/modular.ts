// Modular arithmetic on BigInt shared by RSA and the elliptic curves: reduction, inverses,
// gcd, exponentiation. Small pure functions; errors are CryptoError('BAD_INPUT').

import { CryptoError } from './errors.js';

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a^-1 mod m (extended Euclid, without allocating pairs: curves call it per verification); throws when gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let oldR = mod(a, m);
  let r = m;
  let oldS = 1n;
  let s = 0n;
  while (r !== 0n) {
    const q = oldR / r;
    const nextR = oldR - q * r;
    oldR = r;
    r = nextR;
    const nextS = oldS - q * s;
    oldS = s;
    s = nextS;
  }
  if (oldR !== 1n) throw new CryptoError('BAD_INPUT', 'value is not invertible', 'modInverse');
  return mod(oldS, m);
}

export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * base^exp mod m with a left-to-right sliding window over the exponent's bits: about
 * |exp| squarings plus |exp|/(w+1) multiplications, the window w growing with |exp|.
 * Public exponents (65537: 17 bits) take the plain square-and-multiply path.
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new CryptoError('BAD_INPUT', 'modulus must be positive', 'modPow');
  if (exp < 0n) throw new CryptoError('BAD_INPUT', 'negative exponent', 'modPow');
  if (m === 1n) return 0n;
  const b = mod(base, m);
  const bits = exp.toString(2);
  if (bits.length <= 64) {
    let r = 1n;
    for (let i = 0; i < bits.length; i++) {
      r = (r * r) % m;
      if (bits.charCodeAt(i) === 49) r = (r * b) % m;
    }
    return r;
  }
  const w = bits.length > 1536 ? 6 : bits.length > 512 ? 5 : bits.length > 128 ? 4 : 3;
  // odd powers b^1, b^3, ..., b^(2^w - 1)
  const table: bigint[] = [b];
  const b2 = (b * b) % m;
  for (let i = 1; i < 1 << (w - 1); i++) table.push((table[i - 1] * b2) % m);
  let r = 1n;
  let started = false;
  let i = 0;
  while (i < bits.length) {
    if (bits.charCodeAt(i) === 48) {
      if (started) r = (r * r) % m;
      i++;
      continue;
    }
    let j = Math.min(i + w, bits.length) - 1;
    while (bits.charCodeAt(j) === 48) j--;
    const win = parseInt(bits.slice(i, j + 1), 2);
    if (started) for (let t = i; t <= j; t++) r = (r * r) % m;
    r = started ? (r * table[(win - 1) >> 1]) % m : table[(win - 1) >> 1];
    started = true;
    i = j + 1;
  }
  return r;
}
