// Helpers both sides' steps use: the extension legality rules of RFC 8446 §4.2, the
// CertificateVerify signed content (§4.4.3), signature scheme choice and signing.

import { bytesEqual, concatBytes, utf8Encode } from '../../der/bytes.js';
import { TLS13_CERTIFICATE_VERIFY_SCHEMES, extensionName, schemeName, type ExtensionName } from '../codec/constants.js';
import { EXTENSION_CONTEXTS, extensionCode, type ExtContext, type Extension } from '../codec/extensions.js';
import { parseCertificateInfo, publicKeyOf, schemesForKey, signScheme, verifyScheme, type PublicKey } from '../deps.js';
import type { StepTrace } from '../trace.js';
import { finishedVerifyData } from '../key-schedule.js';
import type { HashAlg } from '../suites.js';
import type { CertifiedKey, RandomSource, VerifyPeerChain } from './config.js';

/**
 * RFC 8446 §4.2: an extension the peer was not offered is unsupported_extension; one we
 * know that is not allowed in this message is illegal_parameter. `offered` null means the
 * receiver does not track offers (ClientHello at the server, CertificateRequest at the client).
 */
export function checkExtensions(t: StepTrace, exts: readonly Extension[], ctx: ExtContext, offered: ReadonlySet<number> | null): void {
  for (const e of exts) {
    const code = extensionCode(e);
    const name = extensionName(code);
    if (offered && !offered.has(code)) t.check(`${name} was offered`, false, 'unsupported_extension', `unsolicited ${name} in ${ctx}`);
    const allowed = EXTENSION_CONTEXTS[name as ExtensionName];
    if (allowed && !allowed.includes(ctx)) t.check(`${name} may appear in ${ctx}`, false, 'illegal_parameter');
  }
  t.note('extensions legal for this message', true, exts.map((e) => extensionName(extensionCode(e))).join(', ') || '(none)');
}

/** The bytes a CertificateVerify signs: 64 spaces, the context string, 0, the transcript hash. */
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(64).fill(0x20), utf8Encode(`TLS 1.3, ${signer} CertificateVerify`), Uint8Array.of(0), transcriptHash);
}

/**
 * RFC 8446 §4.4.2: the key in the peer's leaf (bad_certificate when it does not parse), then
 * the chain through the configured verifier, whose alert is the one OpenSSL maps the
 * verification error to. Both sides check a peer's Certificate the same way.
 */
export function checkPeerChain(
  t: StepTrace,
  certs: Uint8Array[],
  peer: 'server' | 'client',
  verify: VerifyPeerChain | undefined,
): PublicKey {
  let key: PublicKey | undefined;
  try {
    key = parseCertificateInfo(certs[0]).publicKey;
  } catch (e) {
    t.check('the leaf certificate parses', false, 'bad_certificate', e instanceof Error ? e.message : String(e));
  }
  t.field('leaf_key', key!.kind);
  if (verify) {
    const v = verify(certs, peer);
    t.check(`verifyPeerChain accepts the ${peer} chain`, v.ok, v.ok ? 'bad_certificate' : v.alert, v.ok ? undefined : v.reason);
  } else {
    t.note('chain not verified (no verifyPeerChain configured)', true);
  }
  return key!;
}

/** RFC 8446 §4.4.4: the peer's verify_data is HMAC(finished_key, transcript hash), else decrypt_error. */
export function checkPeerFinished(
  t: StepTrace,
  peer: 'server' | 'client',
  hash: HashAlg,
  handshakeSecret: Uint8Array,
  transcriptHash: Uint8Array,
  verifyData: Uint8Array,
): void {
  const expected = finishedVerifyData(hash, handshakeSecret, transcriptHash);
  t.field('verify_data', verifyData);
  t.check(`${peer} verify_data matches HMAC(finished_key, transcript)`, bytesEqual(expected, verifyData), 'decrypt_error');
}

/**
 * RFC 8446 §4.4.3: the peer's CertificateVerify signature over the transcript, with the key
 * of the certificate it sent: a scheme that does not fit the key is illegal_parameter, a
 * signature that does not verify is decrypt_error. Both sides check it the same way.
 */
export function checkPeerCertificateVerify(
  t: StepTrace,
  scheme: number,
  signature: Uint8Array,
  peerKey: PublicKey,
  signer: 'server' | 'client',
  transcriptHash: Uint8Array,
): void {
  const r = verifyScheme(scheme, peerKey, certificateVerifyContent(signer, transcriptHash), signature);
  t.check(`${schemeName(scheme)} matches the certificate key`, r.ok || r.reason !== 'key-algorithm-mismatch', 'illegal_parameter');
  t.check('the signature verifies with the certificate key', r.ok, 'decrypt_error', r.ok ? undefined : r.message);
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
