// The outcome of every signature verification. Verification must never throw on hostile
// input (a certificate chain is hostile input), so failures are values with a reason the
// path validator can map to an OpenSSL error code and a message a human can act on.

export type VerifyFailureReason =
  /** the signature is well formed but does not verify under this key */
  | 'bad-signature'
  /** the key cannot verify this algorithm (ECDSA with an RSA key, PSS params outside a PSS key's restrictions) */
  | 'key-algorithm-mismatch'
  /** an algorithm, hash or key type pgtls does not implement (md2, DSA, unknown OIDs) */
  | 'unsupported-algorithm'
  /** algorithm parameters (or the public key) are invalid: bad RSASSA-PSS-params, Ed25519 with parameters */
  | 'bad-parameters'
  /** the signature bytes are not a valid encoding (wrong length, non-DER ECDSA-Sig-Value, value >= n) */
  | 'malformed-signature';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailureReason; message: string };

export const VERIFY_OK: VerifyResult = Object.freeze({ ok: true });

export function verifyFail(reason: VerifyFailureReason, message: string): VerifyResult {
  return { ok: false, reason, message };
}
