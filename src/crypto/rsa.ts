// RSA on native BigInt: modular exponentiation, the RFC 8017 primitives, RSASSA-PKCS1-v1_5
// and RSASSA-PSS signing and verification, RSA-PSS key restrictions, and key generation.
//
// Verification mirrors OpenSSL 3.0 rather than the RFC where they differ, because pgtls
// predicts what OpenSSL (inside PostgreSQL and libpq) will decide:
// - PKCS#1 v1.5 (ossl_rsa_verify): the signature must be exactly k = |n| bytes and < n; the
//   whole expected block 00 01 FF.. 00 DigestInfo is rebuilt and compared byte for byte, so
//   garbage after the digest (Bleichenbacher 2006, e = 3) or DigestInfo without its NULL can
//   never verify.
// - PSS (RSA_verify_PKCS1_PSS_mgf1): the signature is decoded with RSA_public_decrypt, which
//   accepts inputs *shorter* than k (leading zero octets stripped) but not longer, and not >= n.
//   The salt length is checked exactly when given (X.509 passes the explicit saltLength) or
//   recovered ('auto', OpenSSL's -2).
// - rsa_ossl_public_decrypt's key checks: |n| <= 16384 bits, e < n, e <= 64 bits when
//   |n| > 3072, and an odd modulus (Montgomery exponentiation needs one).

import type { HashName, PssParams, PrivateKey } from '../x509/types.js';
import { bitLength, bytesEqual, concatBytes, fromHex, toHex } from '../der/bytes.js';
import { CryptoError } from './errors.js';
import { DIGEST_INFO_PREFIX, hash, hashLength, isHashSupported } from './hash.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import { gcd, mod, modInverse, modPow } from './modular.js';
import { accelerated } from './accelerator.js';
export { gcd, modInverse, modPow } from './modular.js';

export type RsaPrivateKey = Extract<PrivateKey, { kind: 'rsa' }>;
export interface RsaPublicParams {
  n: bigint;
  e: bigint;
}

/** A public key with its sizes computed and OpenSSL's key checks done once. */
export interface PreparedRsaKey extends RsaPublicParams {
  bits: number;
  /** modulus length in octets */
  k: number;
  /** why OpenSSL would refuse to use the key, if it would */
  problem?: string;
}

// ---------------------------------------------------------------------------------------
// Integers

export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/** OS2IP (RFC 8017 §4.2): big-endian octets to a non-negative integer. */
export function os2ip(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${toHex(b)}`);
}

/** I2OSP (RFC 8017 §4.1): integer to exactly `len` big-endian octets. */
export function i2osp(x: bigint, len: number): Uint8Array {
  if (x < 0n) throw new CryptoError('BAD_INPUT', 'negative integer', 'i2osp');
  const h = x.toString(16);
  if (h.length > len * 2 && x !== 0n) throw new CryptoError('BAD_INPUT', `integer too large for ${len} octets`, 'i2osp');
  const out = new Uint8Array(len);
  if (x !== 0n) out.set(fromHex(h.length % 2 ? `0${h}` : h), len - Math.ceil(h.length / 2));
  return out;
}

// ---------------------------------------------------------------------------------------
// Keys and primitives

/** Why OpenSSL's rsa_ossl_public_decrypt would refuse this public key, or undefined. */
export function rsaPublicKeyProblem(n: bigint, e: bigint): string | undefined {
  const bits = bitLength(n);
  if (n <= 0n || e <= 0n) return 'modulus and exponent must be positive';
  if (bits > 16384) return `modulus of ${bits} bits is larger than OpenSSL's 16384-bit limit (RSA_R_MODULUS_TOO_LARGE)`;
  if (n <= e) return 'public exponent is not smaller than the modulus (RSA_R_BAD_E_VALUE)';
  if (bits > 3072 && bitLength(e) > 64) return 'public exponent over 64 bits with a modulus over 3072 bits (RSA_R_BAD_E_VALUE)';
  if ((n & 1n) === 0n) return 'modulus is even (BN_R_CALLED_WITH_EVEN_MODULUS)';
  return undefined;
}

export function prepareRsaKey(n: bigint, e: bigint): PreparedRsaKey {
  const bits = bitLength(n);
  const problem = rsaPublicKeyProblem(n, e);
  return problem ? { n, e, bits, k: Math.ceil(bits / 8), problem } : { n, e, bits, k: Math.ceil(bits / 8) };
}

const prepared = (key: RsaPublicParams | PreparedRsaKey): PreparedRsaKey => ('k' in key ? key : prepareRsaKey(key.n, key.e));

/** RSAVP1: s^e mod n (the caller has checked s < n). */
export function rsavp1(key: RsaPublicParams, s: bigint): bigint {
  return modPow(s, key.e, key.n);
}

/** RSASP1 with the CRT (RFC 8017 §5.2.1 case 2), checked against the public operation. */
export function rsasp1(key: RsaPrivateKey, m: bigint): bigint {
  if (m < 0n || m >= key.n) throw new CryptoError('BAD_INPUT', 'message representative out of range', 'rsasp1');
  const s = accelerated(
    (a) => a.rsaPrivate?.(key, m),
    () => {
      if (!(key.p > 1n && key.q > 1n && key.dp > 0n && key.dq > 0n && key.qi > 0n)) return modPow(m, key.d, key.n);
      const m1 = modPow(m, key.dp, key.p);
      const m2 = modPow(m, key.dq, key.q);
      return m2 + mod(key.qi * (m1 - m2), key.p) * key.q;
    },
  );
  // A CRT fault would leak the factorisation (Boneh-DeMillo-Lipton); OpenSSL checks the same
  // way. An accelerator's answer (accelerator.ts) gets the same check.
  if (modPow(s, key.e, key.n) !== m) throw new CryptoError('BAD_KEY', 'private key is inconsistent (CRT check failed)', 'rsasp1');
  return s;
}

// ---------------------------------------------------------------------------------------
// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2, §9.2)

/** EMSA-PKCS1-v1_5 encoding of an already computed digest into emLen octets. */
export function emsaPkcs1v15(hashName: HashName, digest: Uint8Array, emLen: number): Uint8Array {
  const t = concatBytes(DIGEST_INFO_PREFIX[hashName], digest);
  if (emLen < t.length + 11) {
    throw new CryptoError('BAD_KEY', `modulus too short for a ${hashName} DigestInfo (needs ${t.length + 11} octets)`, 'emsaPkcs1v15');
  }
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

export function rsaPkcs1Sign(key: RsaPrivateKey, hashName: HashName, message: Uint8Array): Uint8Array {
  const k = byteLength(key.n);
  const em = emsaPkcs1v15(hashName, hash(hashName, message), k);
  return i2osp(rsasp1(key, os2ip(em)), k);
}

export function rsaPkcs1Verify(
  rsaKey: RsaPublicParams | PreparedRsaKey,
  hashName: HashName,
  message: Uint8Array,
  signature: Uint8Array,
): VerifyResult {
  const key = prepared(rsaKey);
  if (key.problem) return verifyFail('bad-parameters', `invalid RSA public key: ${key.problem}`);
  if (!isHashSupported(hashName))
    return verifyFail('unsupported-algorithm', `${hashName} is not supported (OpenSSL 3.0 does not build it either)`);
  const k = key.k;
  if (signature.length !== k) {
    return verifyFail(
      'malformed-signature',
      `RSA signature is ${signature.length} octets, the modulus needs exactly ${k} (RSA_R_WRONG_SIGNATURE_LENGTH)`,
      'wrong signature length',
    );
  }
  const s = os2ip(signature);
  if (s >= key.n)
    return verifyFail(
      'malformed-signature',
      'RSA signature value is not smaller than the modulus (RSA_R_DATA_TOO_LARGE_FOR_MODULUS)',
      'data too large for modulus',
    );
  const dl = hashLength(hashName);
  if (k < DIGEST_INFO_PREFIX[hashName].length + dl + 11) {
    return verifyFail('bad-parameters', `a ${key.bits}-bit modulus is too short for a ${hashName} PKCS#1 v1.5 signature`);
  }
  const em = i2osp(rsavp1(key, s), k);
  const expected = emsaPkcs1v15(hashName, hash(hashName, message), k);
  if (!bytesEqual(em, expected)) {
    return verifyFail(
      'bad-signature',
      describePkcs1Mismatch(em, expected, DIGEST_INFO_PREFIX[hashName].length, dl),
      opensslPkcs1Reason(em),
    );
  }
  return VERIFY_OK;
}

/**
 * The error OpenSSL 3.0 raises first for a decrypted block that is not the expected one:
 * RSA_padding_check_PKCS1_type_1 (rsa_pk1.c) checks, in this order, the leading zero, the
 * block type, the FF run and its terminating zero, the run's length; a well-padded block
 * whose DigestInfo differs fails later in ossl_rsa_verify with "bad signature".
 */
export function opensslPkcs1Reason(em: Uint8Array): string {
  if (em[0] !== 0x00) return 'invalid padding';
  if (em[1] !== 0x01) return 'block type is not 01';
  const j = em.length - 2;
  let i = 0;
  for (; i < j; i++) {
    const b = em[2 + i];
    if (b === 0xff) continue;
    if (b === 0x00) break;
    return 'bad fixed header decrypt';
  }
  if (i === j) return 'null before block missing';
  if (i < 8) return 'bad pad byte count';
  return 'bad signature';
}

/** A message that says which part of the decrypted block differs: padding, DigestInfo or digest. */
function describePkcs1Mismatch(em: Uint8Array, expected: Uint8Array, prefixLen: number, digestLen: number): string {
  const zero = expected.length - prefixLen - digestLen - 1;
  if (em[0] !== 0 || em[1] !== 1) return 'RSA PKCS#1 v1.5 signature does not decrypt to a type 1 block (wrong key or corrupted signature)';
  for (let i = 2; i <= zero; i++) {
    if (em[i] !== expected[i])
      return 'RSA PKCS#1 v1.5 padding is not 00 01 FF..FF 00 followed by the DigestInfo (garbage in the block, or another hash)';
  }
  for (let i = zero + 1; i <= zero + prefixLen; i++) {
    if (em[i] !== expected[i]) return 'RSA PKCS#1 v1.5 DigestInfo names another hash or is not the canonical DER with NULL parameters';
  }
  return 'RSA PKCS#1 v1.5 digest does not match the message';
}

// ---------------------------------------------------------------------------------------
// RSASSA-PSS (RFC 8017 §8.1, §9.1)

/** MGF1 (RFC 8017 B.2.1). */
export function mgf1(hashName: HashName, seed: Uint8Array, len: number): Uint8Array {
  const hLen = hashLength(hashName);
  const out = new Uint8Array(len);
  const c = new Uint8Array(4);
  for (let counter = 0, off = 0; off < len; counter++, off += hLen) {
    c[0] = counter >>> 24;
    c[1] = (counter >>> 16) & 0xff;
    c[2] = (counter >>> 8) & 0xff;
    c[3] = counter & 0xff;
    const block = hash(hashName, concatBytes(seed, c));
    out.set(block.subarray(0, Math.min(hLen, len - off)), off);
  }
  return out;
}

export interface PssOptions {
  hash: HashName;
  /** MGF1 hash; defaults to `hash` */
  mgfHash?: HashName;
  /** salt length in octets; signing defaults to the hash length */
  saltLength?: number;
  /** explicit salt, for test vectors (its length overrides saltLength) */
  salt?: Uint8Array;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // globalThis.crypto exists in Node >= 19 and every browser; no node: import in the core.
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of a message digest into ceil(emBits/8) octets. */
export function emsaPssEncode(mHash: Uint8Array, emBits: number, hashName: HashName, mgfHash: HashName, salt: Uint8Array): Uint8Array {
  const hLen = hashLength(hashName);
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) {
    throw new CryptoError(
      'BAD_PARAMETERS',
      `salt of ${salt.length} octets does not fit: the modulus allows at most ${emLen - hLen - 2} with ${hashName}`,
      'emsaPssEncode',
    );
  }
  const h = hash(hashName, concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(mgfHash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

export function rsaPssSign(key: RsaPrivateKey, message: Uint8Array, opts: PssOptions): Uint8Array {
  const hLen = hashLength(opts.hash);
  const salt = opts.salt ?? randomBytes(opts.saltLength ?? hLen);
  const modBits = bitLength(key.n);
  const k = byteLength(key.n);
  const em = emsaPssEncode(hash(opts.hash, message), modBits - 1, opts.hash, opts.mgfHash ?? opts.hash, salt);
  return i2osp(rsasp1(key, os2ip(em)), k);
}

/**
 * EMSA-PSS-VERIFY as OpenSSL's RSA_verify_PKCS1_PSS_mgf1 performs it, on EM = the k-octet
 * output of the public operation. `saltLength` 'auto' recovers the salt length from the
 * padding (RSA_PSS_SALTLEN_AUTO); a number must match exactly (RSA_R_SLEN_CHECK_FAILED).
 */
export function emsaPssVerify(
  mHash: Uint8Array,
  emFull: Uint8Array,
  modBits: number,
  hashName: HashName,
  mgfHash: HashName,
  saltLength: number | 'auto',
): VerifyResult {
  const hLen = hashLength(hashName);
  if (saltLength !== 'auto' && saltLength < 0) return verifyFail('bad-parameters', `negative PSS salt length ${saltLength}`);
  const msBits = (modBits - 1) & 7;
  let em = emFull;
  if (em[0] & (0xff << msBits) & 0xff)
    return verifyFail('bad-signature', 'PSS encoded message has bits set above emBits (RSA_R_FIRST_OCTET_INVALID)', 'first octet invalid');
  if (msBits === 0) em = em.subarray(1);
  const emLen = em.length;
  if (emLen < hLen + 2) return verifyFail('bad-parameters', `modulus too short for PSS with ${hashName}`);
  if (saltLength !== 'auto' && saltLength > emLen - hLen - 2) {
    return verifyFail(
      'bad-parameters',
      `PSS salt length ${saltLength} exceeds the maximum ${emLen - hLen - 2} for this modulus and ${hashName}`,
      // RSA_verify_PKCS1_PSS_mgf1_ex checks this after the first octet, with RSA_R_DATA_TOO_LARGE
      'data too large',
    );
  }
  if (em[emLen - 1] !== 0xbc)
    return verifyFail('bad-signature', 'PSS encoded message does not end in 0xbc (RSA_R_LAST_OCTET_INVALID)', 'last octet invalid');
  const maskedDbLen = emLen - hLen - 1;
  const h = em.subarray(maskedDbLen, maskedDbLen + hLen);
  const db = mgf1(mgfHash, h, maskedDbLen);
  for (let i = 0; i < maskedDbLen; i++) db[i] ^= em[i];
  if (msBits) db[0] &= 0xff >> (8 - msBits);
  let i = 0;
  while (db[i] === 0 && i < maskedDbLen - 1) i++;
  if (db[i++] !== 0x01)
    return verifyFail(
      'bad-signature',
      'PSS padding does not decode (RSA_R_SLEN_RECOVERY_FAILED): wrong key, hash or MGF1 hash',
      'salt length recovery failed',
    );
  const recovered = maskedDbLen - i;
  if (saltLength !== 'auto' && recovered !== saltLength) {
    return verifyFail(
      'bad-signature',
      `PSS salt length is ${recovered}, the parameters require ${saltLength} (RSA_R_SLEN_CHECK_FAILED)`,
      'salt length check failed',
      { expected: saltLength, retrieved: recovered },
    );
  }
  const hPrime = hash(hashName, concatBytes(new Uint8Array(8), mHash, db.subarray(i)));
  if (!bytesEqual(hPrime, h)) return verifyFail('bad-signature', 'PSS hash does not match the message', 'bad signature');
  return VERIFY_OK;
}

export interface PssVerifyOptions {
  hash: HashName;
  mgfHash: HashName;
  saltLength: number | 'auto';
}

export function rsaPssVerify(
  rsaKey: RsaPublicParams | PreparedRsaKey,
  message: Uint8Array,
  signature: Uint8Array,
  opts: PssVerifyOptions,
): VerifyResult {
  const key = prepared(rsaKey);
  if (key.problem) return verifyFail('bad-parameters', `invalid RSA public key: ${key.problem}`);
  for (const h of [opts.hash, opts.mgfHash]) if (!isHashSupported(h)) return verifyFail('unsupported-algorithm', `${h} is not supported`);
  const k = key.k;
  // RSA_public_decrypt takes flen <= k: a short signature is a smaller integer, not an error.
  if (signature.length > k) {
    return verifyFail(
      'malformed-signature',
      `RSA signature is ${signature.length} octets, longer than the ${k}-octet modulus (RSA_R_DATA_GREATER_THAN_MOD_LEN)`,
      'data greater than mod len',
    );
  }
  const s = os2ip(signature);
  if (s >= key.n)
    return verifyFail(
      'malformed-signature',
      'RSA signature value is not smaller than the modulus (RSA_R_DATA_TOO_LARGE_FOR_MODULUS)',
      'data too large for modulus',
    );
  const em = i2osp(rsavp1(key, s), k);
  return emsaPssVerify(hash(opts.hash, message), em, key.bits, opts.hash, opts.mgfHash, opts.saltLength);
}

/**
 * What OpenSSL 3.0's RSA signature provider refuses when an id-RSASSA-PSS key carries
 * parameter restrictions (providers/implementations/signature/rsa_sig.c):
 * - rsa_signverify_init + rsa_check_parameters: the key's minimum salt must fit,
 *   i.e. 0 <= minSalt <= k - hLen (one less when |n| = 1 mod 8), else PROV_R_INVALID_SALT_LENGTH;
 * - rsa_check_padding: the hash and the MGF1 hash must equal the key's (PROV_R_DIGEST_NOT_ALLOWED);
 * - rsa_set_ctx_params: a salt length below the key's minimum is PROV_R_PSS_SALTLEN_TOO_SMALL.
 * Returns undefined when allowed, else which rule failed.
 */
export function pssRestrictionProblem(
  restricted: PssParams,
  used: { hash: HashName; mgfHash: HashName; saltLength: number },
  modBits: number,
): { kind: 'bad-key' | 'mismatch'; message: string } | undefined {
  if (restricted.trailerField !== 1)
    return { kind: 'bad-key', message: `RSA-PSS key restricts the trailer field to ${restricted.trailerField}; only 1 (0xbc) exists` };
  const k = Math.ceil(modBits / 8);
  const maxSalt = k - hashLength(restricted.hash) - ((modBits & 7) === 1 ? 1 : 0);
  if (restricted.saltLength < 0 || restricted.saltLength > maxSalt) {
    return {
      kind: 'bad-key',
      message: `RSA-PSS key's minimum salt length ${restricted.saltLength} cannot fit a ${modBits}-bit modulus with ${restricted.hash} (PROV_R_INVALID_SALT_LENGTH)`,
    };
  }
  if (used.hash !== restricted.hash) {
    return {
      kind: 'mismatch',
      message: `RSA-PSS key is restricted to ${restricted.hash}, the signature uses ${used.hash} (PROV_R_DIGEST_NOT_ALLOWED)`,
    };
  }
  if (used.mgfHash !== restricted.mgfHash) {
    return {
      kind: 'mismatch',
      message: `RSA-PSS key is restricted to MGF1 with ${restricted.mgfHash}, the signature uses ${used.mgfHash} (PROV_R_DIGEST_NOT_ALLOWED)`,
    };
  }
  if (used.saltLength < restricted.saltLength) {
    return {
      kind: 'mismatch',
      message: `RSA-PSS key requires a salt of at least ${restricted.saltLength} octets, the signature uses ${used.saltLength} (PROV_R_PSS_SALTLEN_TOO_SMALL)`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Key generation

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  const sieve = new Uint8Array(4096);
  for (let i = 2; i < sieve.length; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < sieve.length; j += i) sieve[j] = 1;
  }
  return out;
})();

// Small primes grouped so each group's product stays below 2^53: one BigInt remainder per
// group, then Number arithmetic for the primes in it.
const PRIME_GROUPS: { product: bigint; primes: number[] }[] = (() => {
  const groups: { product: bigint; primes: number[] }[] = [];
  let cur: number[] = [];
  let prod = 1;
  for (const p of SMALL_PRIMES.slice(1)) {
    if (prod * p > 2 ** 53) {
      groups.push({ product: BigInt(prod), primes: cur });
      cur = [];
      prod = 1;
    }
    cur.push(p);
    prod *= p;
  }
  if (cur.length) groups.push({ product: BigInt(prod), primes: cur });
  return groups;
})();

function hasSmallFactor(n: bigint): boolean {
  for (const g of PRIME_GROUPS) {
    const r = Number(n % g.product);
    for (const p of g.primes) if (r % p === 0) return n !== BigInt(p);
  }
  return false;
}

function randomBelow(max: bigint, rng: (n: number) => Uint8Array): bigint {
  const len = byteLength(max);
  for (;;) {
    const r = os2ip(rng(len)) % max;
    if (r > 1n) return r;
  }
}

/** Miller-Rabin with `rounds` random bases (composite with probability <= 4^-rounds). */
export function isProbablePrime(n: bigint, rounds = 16, rng: (n: number) => Uint8Array = randomBytes): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES.slice(0, 64)) {
    if (n === BigInt(p)) return true;
    if (n % BigInt(p) === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (let i = 0; i < rounds; i++) {
    const a = randomBelow(n - 2n, rng);
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
      if (x === 1n) return false;
    }
    return false;
  }
  return true;
}

function randomPrime(bits: number, e: bigint, rng: (n: number) => Uint8Array): bigint {
  const bytes = Math.ceil(bits / 8);
  const excess = bytes * 8 - bits;
  for (;;) {
    const buf = rng(bytes);
    buf[0] &= 0xff >> excess;
    buf[0] |= 0xc0 >> excess; // top two bits set: p*q has exactly the requested size
    if (excess === 7) buf[1] |= 0x80;
    buf[bytes - 1] |= 1;
    let c = os2ip(buf);
    const top = 1n << BigInt(bits);
    for (let step = 0; step < 4096 && c < top; step++, c += 2n) {
      if (hasSmallFactor(c)) continue;
      if (gcd(c - 1n, e) !== 1n) continue;
      if (isProbablePrime(c, bits >= 1024 ? 8 : 16, rng)) return c;
    }
  }
}

/**
 * A new RSA key of exactly `bits` bits with public exponent e (two primes of half the size,
 * sieved then Miller-Rabin tested; d = e^-1 mod lcm(p-1, q-1) as OpenSSL computes it; CRT
 * values). Pure BigInt and randomised, so the time varies: measured 0.1-0.5 s for 2048 bits,
 * about a second for 3072 and several seconds for 4096 (Node 20). Tests use the fixed keys
 * in vectors/keys instead.
 */
export function generateRsaKey(bits: number, e = 65537n, rng: (n: number) => Uint8Array = randomBytes): RsaPrivateKey {
  if (!Number.isInteger(bits) || bits < 256 || bits > 16384)
    throw new CryptoError('BAD_INPUT', `RSA key size ${bits} is out of range (256..16384)`, 'generateRsaKey');
  if (e < 3n || (e & 1n) === 0n) throw new CryptoError('BAD_INPUT', 'public exponent must be odd and >= 3', 'generateRsaKey');
  for (;;) {
    const pBits = Math.ceil(bits / 2);
    const p = randomPrime(pBits, e, rng);
    const q = randomPrime(bits - pBits, e, rng);
    if (p === q) continue;
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    const [P, Q] = p > q ? [p, q] : [q, p];
    return { kind: 'rsa', n, e, d, p: P, q: Q, dp: d % (P - 1n), dq: d % (Q - 1n), qi: modInverse(Q, P) };
  }
}
