// Our own side of certificate authentication (RFC 8446 §4.4.3): the bytes a CertificateVerify
// signs, the key of our certificate, the signature scheme we pick for the peer, and signing.

import { concatBytes, utf8Encode } from '../../der/bytes.js';
import { TLS13_CERTIFICATE_VERIFY_SCHEMES, schemeName } from '../codec/constants.js';
import { parseCertificateInfo, publicKeyOf, schemesForKey, signScheme, type PublicKey } from '../crypto-x509.js';
import type { CertifiedKey, RandomSource } from './config.js';

/** The bytes a CertificateVerify signs: 64 spaces, the context string, 0, the transcript hash. */
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(64).fill(0x20), utf8Encode(`TLS 1.3, ${signer} CertificateVerify`), Uint8Array.of(0), transcriptHash);
}

/** The public key of our own certificate (from the leaf, or the private key when no leaf parses). */
export function ownPublicKey(cert: CertifiedKey): PublicKey {
  try {
    return parseCertificateInfo(cert.chain[0]).publicKey;
  } catch {
    if (cert.privateKey) return publicKeyOf(cert.privateKey);
    throw new Error('certificate does not parse and there is no private key');
  }
}

/**
 * First scheme in `peerOrder` that our key can make, TLS 1.3 allows in CertificateVerify,
 * and our configuration accepts. OpenSSL's default: the peer's order.
 */
export function chooseScheme(peerOrder: readonly number[], ours: readonly number[], key: PublicKey): number | undefined {
  const usable = new Set(schemesForKey(key).filter((s) => TLS13_CERTIFICATE_VERIFY_SCHEMES.has(s) && ours.includes(s)));
  return peerOrder.find((s) => usable.has(s));
}

export function signCertificateVerify(cert: CertifiedKey, scheme: number, content: Uint8Array, random: RandomSource): Uint8Array {
  if (cert.sign) return cert.sign(scheme, content);
  if (!cert.privateKey) throw new Error('certificate has no private key or signer');
  return signScheme(scheme, cert.privateKey, content, { random: (n) => random(n, 'pss_salt') });
}

export const schemeList = (l: readonly number[]): string => l.map(schemeName).join(', ');
