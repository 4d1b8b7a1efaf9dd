// Layer `crypto`: everything that needs a key. Owns hashing (hash, HMAC), our BigInt RSA
// (PKCS#1 v1.5 and PSS, key generation), ECDSA and EdDSA over @noble/curves, ECDSA on the other
// prime curves and on binary-field curves and SM2 (SM3) in our own BigInt code, X.509 signature
// verification with OpenSSL's key/algorithm rules and a result cache (verifySignature,
// signMessage), OpenSSL's security levels (securityBits, checkKeyLevel, checkSigLevel), TLS
// 1.3 key exchange groups (kex) and SignatureSchemes (schemes), and key generation.
// Pure functions over Uint8Array/bigint; no node: imports; verification never throws.
// Imports der and x509 (types and describeSignatureAlgorithm) only.

export { CryptoError, type CryptoErrorCode } from './errors.js';
export { VERIFY_OK, verifyFail, type VerifyFailureReason, type VerifyResult } from './result.js';
export { DIGEST_INFO_PREFIX, HASH_NAMES, HASH_OID, hash, hashFromOid, hashLength, hmac, isHashSupported, nobleHash } from './hash.js';
export {
  byteLength,
  emsaPkcs1v15,
  emsaPssEncode,
  emsaPssVerify,
  gcd,
  generateRsaKey,
  i2osp,
  isProbablePrime,
  mgf1,
  modInverse,
  modPow,
  os2ip,
  prepareRsaKey,
  pssRestrictionProblem,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssSign,
  rsaPssVerify,
  rsaPublicKeyProblem,
  rsasp1,
  rsavp1,
  type PreparedRsaKey,
  type PssOptions,
  type PssVerifyOptions,
  type RsaPrivateKey,
  type RsaPublicParams,
} from './rsa.js';
export {
  CURVES,
  ECDSA_HASHES,
  decodeEcPoint,
  ecPublicPoint,
  ecdsaSign,
  ecdsaVerify,
  ecdsaVerifyDigest,
  encodeEcdsaSignature,
  normalizeEcScalar,
  parseEcdsaSignature,
  prepareEcKey,
  type CurveInfo,
  type PreparedEcKey,
} from './ecdsa.js';
export { eddsaSign, eddsaVerify, edPublicKey, prepareEdKey, type EdKind, type PreparedEdKey } from './eddsa.js';
export { clearVerifyCache, clearVerifyResults, signMessage, verifyCacheStats, verifySignature, type SignOptions } from './verify.js';
export {
  AUTH_LEVEL_MIN_BITS,
  checkKeyLevel,
  checkSigLevel,
  defaultSecurityLevel,
  ecSecurityBits,
  ffcSecurityBits,
  minBitsForLevel,
  rsaSecurityBits,
  securityBits,
  signatureSecurityBits,
} from './security-level.js';
export { GROUP_CODES, generateKeyShare, keyShareFromPrivate, keyShareLength, sharedSecret, type KexGroup, type KeyShare } from './kex.js';
export {
  SIGNATURE_SCHEMES,
  schemeInfo,
  schemeKeyProblem,
  schemeName,
  schemeSignatureAlgorithm,
  schemesForKey,
  signScheme,
  verifyScheme,
  type SchemeOptions,
  type SchemeSig,
  type SignatureScheme,
} from './schemes.js';
export { generateKey, publicKeyOf, type KeySpec } from './keygen.js';
export { accelerated, useAccelerator, type Accelerator, type AeadName } from './accelerator.js';
