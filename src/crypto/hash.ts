// Hash dispatch for the whole project: HashName -> @noble/hashes, HMAC, digest lengths, the
// hash OIDs and the PKCS#1 v1.5 DigestInfo prefixes. MD2 is named (old certificates carry
// md2WithRSAEncryption) but not implemented, exactly as OpenSSL 3.0 builds it by default.
// HKDF lives with its only user, tls13.

import { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } from '@noble/hashes/sha2.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha3_224, sha3_256, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { fromHex } from '../der/bytes.js';
import type { HashName } from '../x509/types.js';
import { HASH_OID } from '../x509/algorithms.js';
import { CryptoError } from './errors.js';

type NobleHash = typeof sha256;

const IMPL: Record<HashName, NobleHash | undefined> = {
  md2: undefined,
  md5: md5 as unknown as NobleHash,
  sha1: sha1 as unknown as NobleHash,
  sha224: sha224 as unknown as NobleHash,
  sha256,
  sha384: sha384 as unknown as NobleHash,
  sha512: sha512 as unknown as NobleHash,
  'sha512-224': sha512_224 as unknown as NobleHash,
  'sha512-256': sha512_256 as unknown as NobleHash,
  'sha3-224': sha3_224 as unknown as NobleHash,
  'sha3-256': sha3_256 as unknown as NobleHash,
  'sha3-384': sha3_384 as unknown as NobleHash,
  'sha3-512': sha3_512 as unknown as NobleHash,
};

const LENGTH: Record<HashName, number> = {
  md2: 16,
  md5: 16,
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha512-224': 28,
  'sha512-256': 32,
  'sha3-224': 28,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
};

export const HASH_NAMES = Object.keys(LENGTH) as HashName[];

/** Hash algorithm OIDs, from the x509 layer's table (re-exported for crypto's callers). */
export { HASH_OID };

const BY_OID = new Map<string, HashName>(Object.entries(HASH_OID).map(([name, oid]) => [oid, name as HashName]));

export function hashFromOid(oid: string): HashName | undefined {
  return BY_OID.get(oid);
}

/**
 * DER of DigestInfo up to the digest octets (RFC 8017 §9.2 note 1), i.e.
 * SEQUENCE { SEQUENCE { hash OID, NULL }, OCTET STRING (len) }. OpenSSL's encode_pkcs1 always
 * writes the NULL parameters, and RSA_verify compares the whole block, so this is the only
 * accepted form.
 */
export const DIGEST_INFO_PREFIX: Record<HashName, Uint8Array> = {
  md2: fromHex('3020300c06082a864886f70d020205000410'),
  md5: fromHex('3020300c06082a864886f70d020505000410'),
  sha1: fromHex('3021300906052b0e03021a05000414'),
  sha224: fromHex('302d300d06096086480165030402040500041c'),
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
  'sha512-224': fromHex('302d300d06096086480165030402050500041c'),
  'sha512-256': fromHex('3031300d060960864801650304020605000420'),
  'sha3-224': fromHex('302d300d06096086480165030402070500041c'),
  'sha3-256': fromHex('3031300d060960864801650304020805000420'),
  'sha3-384': fromHex('3041300d060960864801650304020905000430'),
  'sha3-512': fromHex('3051300d060960864801650304020a05000440'),
};

export function isHashSupported(name: HashName): boolean {
  return IMPL[name] !== undefined;
}

function impl(name: HashName, where: string): NobleHash {
  const h = IMPL[name];
  if (!h) {
    throw new CryptoError(
      'UNSUPPORTED_HASH',
      name in IMPL ? `${name} is not supported (OpenSSL 3.0 does not provide it either)` : `unknown hash ${String(name)}`,
      where,
    );
  }
  return h;
}

/** The @noble/hashes function for a name, for code that hands a hash to noble (MGF1, RFC 6979). */
export function nobleHash(name: HashName): NobleHash {
  return impl(name, 'nobleHash');
}

export function hash(name: HashName, data: Uint8Array): Uint8Array {
  return impl(name, 'hash')(data);
}

/** Digest length in bytes (also for md2, so sizes can be reported without hashing). */
export function hashLength(name: HashName): number {
  const n = LENGTH[name];
  if (n === undefined) throw new CryptoError('UNSUPPORTED_HASH', `unknown hash ${String(name)}`, 'hashLength');
  return n;
}

export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(impl(name, 'hmac'), key, data);
}
