// The one door from tls13 to the layers below it: key exchange, signature schemes,
// certificate and private-key parsing come from src/crypto and src/x509; this file adapts
// their shapes to what the engine needs (and recovers an RSA-PSS salt, which only the
// RFC 8448 replay needs). tls13 imports crypto and x509 only through here.

import { bytesEqual, concatBytes } from '../der/bytes.js';
import {
  accelerated,
  CryptoError,
  generateKeyShare as cryptoGenerateKeyShare,
  hash,
  hashLength,
  i2osp,
  keyShareFromPrivate as cryptoKeyShareFromPrivate,
  mgf1,
  os2ip,
  publicKeyOf as cryptoPublicKeyOf,
  rsavp1,
  schemeInfo,
  schemesForKey as cryptoSchemesForKey,
  sharedSecret as cryptoSharedSecret,
  signScheme as cryptoSignScheme,
  verifyScheme as cryptoVerifyScheme,
  type AeadName,
  type VerifyResult,
} from '../crypto/index.js';
export type { AeadName } from '../crypto/index.js';
import { d2iCertificate, parsePrivateKey as x509ParsePrivateKey } from '../x509/index.js';
import type { PrivateKey, PublicKey } from '../x509/types.js';
import type { KeyExchangeGroup } from './codec/constants.js';

export type { PrivateKey, PublicKey } from '../x509/types.js';
export type { VerifyResult } from '../crypto/index.js';

export class KeyExchangeError extends Error {
  override readonly name = 'KeyExchangeError';
}

/** A fresh key share drawn from `rng` (rejection-sampled into range for the NIST curves). */
export function generateKeyShare(group: KeyExchangeGroup, rng: (n: number) => Uint8Array): { priv: Uint8Array; pub: Uint8Array } {
  const k = cryptoGenerateKeyShare(group, rng);
  return { priv: k.privateKey, pub: k.publicKey };
}

/** The key_share public value for a private key. */
export function keyShareFromPrivate(group: KeyExchangeGroup, priv: Uint8Array): Uint8Array {
  return cryptoKeyShareFromPrivate(group, priv).publicKey;
}

/** The (EC)DHE shared secret; KeyExchangeError for a peer share that is not valid (-> illegal_parameter). */
export function sharedSecret(group: KeyExchangeGroup, priv: Uint8Array, peerPub: Uint8Array): Uint8Array {
  try {
    return cryptoSharedSecret(group, priv, peerPub);
  } catch (e) {
    throw new KeyExchangeError(e instanceof Error ? e.message : String(e));
  }
}

/** Verify a TLS 1.3 CertificateVerify signature over its full signed content. */
export function verifyScheme(scheme: number, key: PublicKey, msg: Uint8Array, sig: Uint8Array): VerifyResult {
  return cryptoVerifyScheme(scheme, key, msg, sig);
}

/** Sign with `scheme`; an RSA-PSS salt comes from `random` (so traces are reproducible) unless given. */
export function signScheme(
  scheme: number,
  key: PrivateKey,
  msg: Uint8Array,
  opts: { pssSalt?: Uint8Array; random?: (n: number) => Uint8Array } = {},
): Uint8Array {
  const info = schemeInfo(scheme);
  let pssSalt = opts.pssSalt;
  if (!pssSalt && opts.random && info?.hash && (info.sig === 'rsa-pss-rsae' || info.sig === 'rsa-pss-pss'))
    pssSalt = opts.random(hashLength(info.hash));
  return cryptoSignScheme(scheme, key, msg, pssSalt ? { pssSalt } : {});
}

/** The TLS 1.3 CertificateVerify schemes this key can sign with. */
export function schemesForKey(pub: PublicKey): number[] {
  return cryptoSchemesForKey(pub);
}

export function publicKeyOf(k: PrivateKey): PublicKey {
  return cryptoPublicKeyOf(k);
}

/**
 * The salt inside an RSA-PSS signature (RSAVP1, then EMSA-PSS unmasking, RFC 8017 §9.1.2).
 * Only used to replay RFC 8448's randomized signatures byte for byte.
 */
export function rsaPssRecoverSalt(scheme: number, key: PublicKey, msg: Uint8Array, sig: Uint8Array): Uint8Array | undefined {
  const info = schemeInfo(scheme);
  if (!info?.hash || key.kind !== 'rsa' || !(info.sig === 'rsa-pss-rsae' || info.sig === 'rsa-pss-pss')) return undefined;
  const h = info.hash;
  const hLen = hashLength(h);
  const modBits = key.n.toString(2).length;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const s = os2ip(sig);
  if (s >= key.n) return undefined;
  const em = i2osp(rsavp1(key, s), emLen);
  if (em[emLen - 1] !== 0xbc) return undefined;
  const masked = em.subarray(0, emLen - hLen - 1);
  const hh = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(h, hh, masked.length);
  const db = masked.map((b, i) => b ^ mask[i]);
  db[0] &= 0xff >>> (8 * emLen - emBits);
  const one = db.findIndex((b) => b !== 0);
  if (one < 0 || db[one] !== 1) return undefined;
  const salt = db.slice(one + 1);
  return bytesEqual(hash(h, concatBytes(new Uint8Array(8), hash(h, msg), salt)), hh) ? salt : undefined;
}

/** What tls13 needs from a certificate: its key and its names (for certificate_authorities). */
export interface CertificateInfo {
  der: Uint8Array;
  publicKey: PublicKey;
  /** DER of the subject Name */
  subject: Uint8Array;
  issuer: Uint8Array;
}

/**
 * A certificate from a Certificate message, read as OpenSSL's d2i_X509 reads it (BER it
 * accepts included). Throws the x509 layer's typed error on bad input.
 */
export function parseCertificateInfo(certDer: Uint8Array): CertificateInfo {
  const c = d2iCertificate(certDer);
  return { der: c.der, publicKey: c.publicKey, subject: c.subject.der, issuer: c.issuer.der };
}

/** A private key from PEM text or PEM/DER bytes (src/x509: PKCS#8, PKCS#1, SEC1). */
export function parsePrivateKey(input: string | Uint8Array): PrivateKey {
  return x509ParsePrivateKey(typeof input === 'string' ? new TextEncoder().encode(input) : input);
}

export { CryptoError };

/** HMAC through an installed accelerator (crypto/accelerator.ts), else `own`. */
export function acceleratedHmac(hash: 'sha256' | 'sha384', key: Uint8Array, data: Uint8Array, own: () => Uint8Array): Uint8Array {
  return accelerated((a) => a.hmac?.(hash, key, data), own);
}

/** An AEAD operation through an installed accelerator (crypto/accelerator.ts), else `own`. */
export function acceleratedAead(
  alg: AeadName,
  op: 'seal' | 'open',
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  data: Uint8Array,
  own: () => Uint8Array,
): Uint8Array {
  return accelerated((a) => a.aead?.(alg, op, key, nonce, aad, data), own);
}
