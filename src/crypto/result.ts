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

export type VerifyResult =
  | { ok: true }
  | {
      ok: false;
      reason: VerifyFailureReason;
      message: string;
      /**
       * The reason string OpenSSL 3.0 leaves first in its error queue for this failure, when
       * its own code pushes one (RSA: "invalid padding", "last octet invalid"...). libpq and
       * the server print that string instead of "certificate verify failed".
       */
      openssl?: string;
      /**
       * PSS salt lengths when they disagree: what the parameters require and what the padding
       * holds (OpenSSL attaches "expected: %d retrieved: %d" to its "salt length check failed")
       */
      pssSalt?: { expected: number; retrieved: number };
    };

export const VERIFY_OK: VerifyResult = Object.freeze({ ok: true });

export function verifyFail(
  reason: VerifyFailureReason,
  message: string,
  openssl?: string,
  pssSalt?: { expected: number; retrieved: number },
): VerifyResult {
  return { ok: false, reason, message, ...(openssl === undefined ? {} : { openssl }), ...(pssSalt ? { pssSalt } : {}) };
}
