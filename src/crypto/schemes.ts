// TLS SignatureScheme code points (RFC 8446 §4.2.3) as a table in OpenSSL 3.0's default
// preference order (ssl/t1_lib.c tls12_sigalgs), and signing / verification by scheme with
// the TLS 1.3 rules:
// - ecdsa_secpXXXr1_shaYYY binds the curve (SSL_R_WRONG_CURVE otherwise);
// - rsa_pss_rsae_* needs an rsaEncryption key, rsa_pss_pss_* an id-RSASSA-PSS key
//   (tls12_check_peer_sigalg: lu->sig_idx must match the key's certificate slot);
// - PSS uses MGF1 with the same hash and a salt as long as the hash (RSA_PSS_SALTLEN_DIGEST);
// - rsa_pkcs1_*, SHA-1 and SHA-224 schemes are never valid in a TLS 1.3 CertificateVerify
//   (they remain meaningful in signature_algorithms_cert, so the table keeps them).

import { OID } from '../der/oids.js';
import type { EcCurve, HashName, PrivateKey, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { CryptoError } from './errors.js';
import { hashLength } from './hash.js';
import { verifyFail, type VerifyResult } from './result.js';
import { bitLength } from '../der/bytes.js';
import { pssRestrictionProblem } from './rsa.js';
import { signMessage, verifySignature } from './verify.js';

export type SchemeSig = 'ecdsa' | 'ed25519' | 'ed448' | 'rsa-pss-pss' | 'rsa-pss-rsae' | 'rsa-pkcs1' | 'dsa';

export interface SignatureScheme {
  code: number;
  /** RFC 8446 / OpenSSL name */
  name: string;
  sig: SchemeSig;
  hash?: HashName;
  /** ECDSA schemes that name a curve (all TLS 1.3 ones) */
  curve?: EcCurve;
  /** allowed in a TLS 1.3 CertificateVerify */
  tls13: boolean;
}

const s = (code: number, name: string, sig: SchemeSig, hash: HashName | undefined, tls13: boolean, curve?: EcCurve): SignatureScheme =>
  Object.freeze({ code, name, sig, ...(hash ? { hash } : {}), ...(curve ? { curve } : {}), tls13 });

/** Every scheme pgtls knows, in OpenSSL 3.0's default order (tls12_sigalgs). */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze([
  s(0x0403, 'ecdsa_secp256r1_sha256', 'ecdsa', 'sha256', true, 'P-256'),
  s(0x0503, 'ecdsa_secp384r1_sha384', 'ecdsa', 'sha384', true, 'P-384'),
  s(0x0603, 'ecdsa_secp521r1_sha512', 'ecdsa', 'sha512', true, 'P-521'),
  s(0x0807, 'ed25519', 'ed25519', undefined, true),
  s(0x0808, 'ed448', 'ed448', undefined, true),
  s(0x0809, 'rsa_pss_pss_sha256', 'rsa-pss-pss', 'sha256', true),
  s(0x080a, 'rsa_pss_pss_sha384', 'rsa-pss-pss', 'sha384', true),
  s(0x080b, 'rsa_pss_pss_sha512', 'rsa-pss-pss', 'sha512', true),
  s(0x0804, 'rsa_pss_rsae_sha256', 'rsa-pss-rsae', 'sha256', true),
  s(0x0805, 'rsa_pss_rsae_sha384', 'rsa-pss-rsae', 'sha384', true),
  s(0x0806, 'rsa_pss_rsae_sha512', 'rsa-pss-rsae', 'sha512', true),
  s(0x0401, 'rsa_pkcs1_sha256', 'rsa-pkcs1', 'sha256', false),
  s(0x0501, 'rsa_pkcs1_sha384', 'rsa-pkcs1', 'sha384', false),
  s(0x0601, 'rsa_pkcs1_sha512', 'rsa-pkcs1', 'sha512', false),
  s(0x0303, 'ecdsa_sha224', 'ecdsa', 'sha224', false),
  s(0x0203, 'ecdsa_sha1', 'ecdsa', 'sha1', false),
  s(0x0301, 'rsa_pkcs1_sha224', 'rsa-pkcs1', 'sha224', false),
  s(0x0201, 'rsa_pkcs1_sha1', 'rsa-pkcs1', 'sha1', false),
  s(0x0302, 'dsa_sha224', 'dsa', 'sha224', false),
  s(0x0202, 'dsa_sha1', 'dsa', 'sha1', false),
  s(0x0402, 'dsa_sha256', 'dsa', 'sha256', false),
  s(0x0502, 'dsa_sha384', 'dsa', 'sha384', false),
  s(0x0602, 'dsa_sha512', 'dsa', 'sha512', false),
]);

const BY_CODE = new Map(SIGNATURE_SCHEMES.map((x) => [x.code, x]));

export function schemeInfo(code: number): SignatureScheme | undefined {
  return BY_CODE.get(code);
}

/** The scheme's name, or 0xNNNN for code points pgtls does not know. */
export function schemeName(code: number): string {
  return BY_CODE.get(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}

const RSA_OID: Partial<Record<HashName, string>> = {
  sha1: OID.sha1WithRSAEncryption,
  sha224: OID.sha224WithRSAEncryption,
  sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption,
  sha512: OID.sha512WithRSAEncryption,
};
const ECDSA_OID: Partial<Record<HashName, string>> = {
  sha1: OID.ecdsaWithSHA1,
  sha224: OID.ecdsaWithSHA224,
  sha256: OID.ecdsaWithSHA256,
  sha384: OID.ecdsaWithSHA384,
  sha512: OID.ecdsaWithSHA512,
};

/** The X.509 signature algorithm a scheme amounts to (what signature_algorithms_cert matches). */
export function schemeSignatureAlgorithm(code: number): SignatureAlgorithm {
  const x = BY_CODE.get(code);
  if (!x) return { kind: 'unknown', oid: '', reason: `unknown signature scheme ${schemeName(code)}` };
  const hash = x.hash as HashName;
  switch (x.sig) {
    case 'ecdsa':
      return { kind: 'ecdsa', oid: ECDSA_OID[hash] ?? '', hash };
    case 'rsa-pkcs1':
      return { kind: 'rsa-pkcs1', oid: RSA_OID[hash] ?? '', hash };
    case 'rsa-pss-pss':
    case 'rsa-pss-rsae':
      return { kind: 'rsa-pss', oid: OID.rsassaPss, pss: { hash, mgfHash: hash, saltLength: hashLength(hash), trailerField: 1 } };
    case 'ed25519':
      return { kind: 'ed25519', oid: OID.ed25519 };
    case 'ed448':
      return { kind: 'ed448', oid: OID.ed448 };
    case 'dsa':
      return { kind: 'dsa', oid: x.hash === 'sha1' ? OID.dsaWithSHA1 : '', hash };
  }
}

type KeyLike = { kind: PublicKey['kind'] | PrivateKey['kind']; curve?: EcCurve; pss?: unknown };

/** Why `key` cannot use `scheme` at all (RFC 8446 §4.4.3 / OpenSSL's key-slot rule), or undefined. */
export function schemeKeyProblem(x: SignatureScheme, key: KeyLike): string | undefined {
  const isRsa = key.kind === 'rsa';
  const isPssKey = isRsa && key.pss !== undefined;
  switch (x.sig) {
    case 'ecdsa':
      if (key.kind !== 'ec') return `${x.name} needs an EC key, not ${key.kind}`;
      if (x.curve && key.curve !== x.curve) return `${x.name} is bound to ${x.curve}; the key is on ${key.curve} (SSL_R_WRONG_CURVE)`;
      return undefined;
    case 'ed25519':
    case 'ed448':
      return key.kind === x.sig ? undefined : `${x.name} needs an ${x.sig === 'ed25519' ? 'Ed25519' : 'Ed448'} key, not ${key.kind}`;
    case 'rsa-pss-rsae':
      if (!isRsa) return `${x.name} needs an RSA key, not ${key.kind}`;
      return isPssKey
        ? `${x.name} needs an rsaEncryption key; an id-RSASSA-PSS key uses rsa_pss_pss_* (SSL_R_WRONG_SIGNATURE_TYPE)`
        : undefined;
    case 'rsa-pss-pss':
      if (!isRsa) return `${x.name} needs an RSA-PSS key, not ${key.kind}`;
      return isPssKey
        ? undefined
        : `${x.name} needs an id-RSASSA-PSS key; an rsaEncryption key uses rsa_pss_rsae_* (SSL_R_WRONG_SIGNATURE_TYPE)`;
    case 'rsa-pkcs1':
      if (!isRsa) return `${x.name} needs an RSA key, not ${key.kind}`;
      return isPssKey ? `${x.name} cannot be used with an id-RSASSA-PSS key` : undefined;
    case 'dsa':
      return 'DSA is not supported';
  }
}

export interface SchemeOptions {
  /**
   * Apply the TLS 1.3 CertificateVerify rules (default true): rsa_pkcs1, SHA-1, SHA-224 and
   * DSA schemes are refused. false allows them (TLS 1.2 style signatures).
   */
  tls13?: boolean;
}

/** Verify a TLS handshake signature (`message` is the full signed content, e.g. RFC 8446 §4.4.3's). */
export function verifyScheme(
  scheme: number,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  opts: SchemeOptions = {},
): VerifyResult {
  const x = BY_CODE.get(scheme);
  if (!x) return verifyFail('unsupported-algorithm', `unknown signature scheme ${schemeName(scheme)}`);
  if ((opts.tls13 ?? true) && !x.tls13) {
    return verifyFail(
      'unsupported-algorithm',
      `${x.name} is not allowed in a TLS 1.3 CertificateVerify (RFC 8446 §4.2.3; SSL_R_WRONG_SIGNATURE_TYPE)`,
    );
  }
  const problem = schemeKeyProblem(x, key);
  if (problem) return verifyFail(x.sig === 'dsa' ? 'unsupported-algorithm' : 'key-algorithm-mismatch', problem);
  return verifySignature(schemeSignatureAlgorithm(scheme), key, message, signature);
}

/** Sign TLS handshake content with `scheme`. Throws CryptoError when the key cannot use it. */
export function signScheme(
  scheme: number,
  key: PrivateKey,
  message: Uint8Array,
  opts: SchemeOptions & { pssSalt?: Uint8Array } = {},
): Uint8Array {
  const x = BY_CODE.get(scheme);
  if (!x) throw new CryptoError('UNSUPPORTED_ALGORITHM', `unknown signature scheme ${schemeName(scheme)}`, 'signScheme');
  if ((opts.tls13 ?? true) && !x.tls13) throw new CryptoError('UNSUPPORTED_ALGORITHM', `${x.name} is not allowed in TLS 1.3`, 'signScheme');
  const problem = schemeKeyProblem(x, key);
  if (problem) throw new CryptoError(x.sig === 'dsa' ? 'UNSUPPORTED_ALGORITHM' : 'KEY_MISMATCH', problem, 'signScheme');
  return signMessage(schemeSignatureAlgorithm(scheme), key, message, { pssSalt: opts.pssSalt });
}

/**
 * The TLS 1.3 schemes a server holding this key can sign with, in OpenSSL's order (which a
 * server preferring its own order, as PostgreSQL's does, follows): the curve's ECDSA scheme;
 * Ed25519/Ed448; rsa_pss_rsae_* or rsa_pss_pss_* by key type, dropping hashes the modulus is
 * too short for (rsa_pss_check_min_key_size: |n| >= 2 * hLen + 2 octets) and those an
 * RSA-PSS key's restrictions forbid.
 */
export function schemesForKey(key: PublicKey): number[] {
  const out: number[] = [];
  for (const x of SIGNATURE_SCHEMES) {
    if (!x.tls13 || schemeKeyProblem(x, key)) continue;
    if (key.kind === 'rsa' && x.hash) {
      const bits = bitLength(key.n);
      const hLen = hashLength(x.hash);
      if (Math.ceil(bits / 8) < 2 * hLen + 2) continue;
      const restricted = key.pss?.restricted;
      if (restricted && pssRestrictionProblem(restricted, { hash: x.hash, mgfHash: x.hash, saltLength: hLen }, bits)) continue;
    }
    out.push(x.code);
  }
  return out;
}
