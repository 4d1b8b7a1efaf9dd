// The checks either side makes on what its peer sent: the extension legality rules of
// RFC 8446 §4.2, the peer's certificate chain (§4.4.2), its CertificateVerify (§4.4.3) and
// its Finished (§4.4.4). Each records its checks in the step's trace and returns the
// Refusal a failure means, for the step to return.

import { bytesEqual } from '../../der/bytes.js';
import { extensionName, schemeName, type ExtensionName } from '../codec/constants.js';
import { EXTENSION_CONTEXTS, extensionCode, type ExtContext, type Extension } from '../codec/extensions.js';
import { parseCertificateInfo, verifyScheme, type PublicKey } from '../crypto-x509.js';
import type { Refusal } from '../errors.js';
import { finishedVerifyData } from '../key-schedule.js';
import type { HashAlg } from '../suites.js';
import type { StepTrace } from '../trace.js';
import type { VerifyPeerChain } from './config.js';
import { certificateVerifyContent } from './signing.js';

/**
 * RFC 8446 §4.2: an extension the peer was not offered is unsupported_extension; one we
 * know that is not allowed in this message is illegal_parameter. `offered` null means the
 * receiver does not track offers (ClientHello at the server, CertificateRequest at the client).
 */
export function checkExtensions(
  t: StepTrace,
  exts: readonly Extension[],
  ctx: ExtContext,
  offered: ReadonlySet<number> | null,
): Refusal | undefined {
  for (const e of exts) {
    const code = extensionCode(e);
    const name = extensionName(code);
    if (offered && !offered.has(code)) return t.refuse(`${name} was offered`, 'unsupported_extension', `unsolicited ${name} in ${ctx}`);
    const allowed = EXTENSION_CONTEXTS[name as ExtensionName];
    if (allowed && !allowed.includes(ctx)) return t.refuse(`${name} may appear in ${ctx}`, 'illegal_parameter');
  }
  t.note('extensions legal for this message', true, exts.map((e) => extensionName(extensionCode(e))).join(', ') || '(none)');
  return undefined;
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
): PublicKey | Refusal {
  let key: PublicKey;
  try {
    key = parseCertificateInfo(certs[0]).publicKey;
  } catch (e) {
    return t.refuse('the leaf certificate parses', 'bad_certificate', e instanceof Error ? e.message : String(e));
  }
  t.field('leaf_key', key.kind);
  if (verify) {
    const v = verify(certs, peer);
    if (!v.ok) return t.refuse(`verifyPeerChain accepts the ${peer} chain`, v.alert, v.reason);
    t.note(`verifyPeerChain accepts the ${peer} chain`, true);
  } else {
    t.note('chain not verified (no verifyPeerChain configured)', true);
  }
  return key;
}

/** RFC 8446 §4.4.4: the peer's verify_data is HMAC(finished_key, transcript hash), else decrypt_error. */
export function checkPeerFinished(
  t: StepTrace,
  peer: 'server' | 'client',
  hash: HashAlg,
  handshakeSecret: Uint8Array,
  transcriptHash: Uint8Array,
  verifyData: Uint8Array,
): Refusal | undefined {
  const expected = finishedVerifyData(hash, handshakeSecret, transcriptHash);
  t.field('verify_data', verifyData);
  return t.check(`${peer} verify_data matches HMAC(finished_key, transcript)`, bytesEqual(expected, verifyData), 'decrypt_error');
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
): Refusal | undefined {
  const r = verifyScheme(scheme, peerKey, certificateVerifyContent(signer, transcriptHash), signature);
  return (
    t.check(`${schemeName(scheme)} matches the certificate key`, r.ok || r.reason !== 'key-algorithm-mismatch', 'illegal_parameter') ??
    t.check('the signature verifies with the certificate key', r.ok, 'decrypt_error', r.ok ? undefined : r.message)
  );
}
