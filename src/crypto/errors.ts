// The typed error the crypto layer throws from its signing, key-generation and key-exchange
// functions when a caller hands it something it cannot use (an unsupported hash, a key of
// the wrong type, an invalid peer point). Verification never throws: it returns a
// VerifyResult (result.ts) instead, because verifying hostile input is its normal job.

export type CryptoErrorCode =
  | 'UNSUPPORTED_HASH' // md2, or a hash the algorithm does not allow
  | 'UNSUPPORTED_ALGORITHM' // a signature algorithm, scheme, curve or group pgtls does not implement
  | 'KEY_MISMATCH' // the key cannot be used with this algorithm (ECDSA with an RSA key...)
  | 'BAD_KEY' // the key itself is invalid (modulus too small, point not on the curve...)
  | 'BAD_PARAMETERS' // algorithm parameters that cannot work (salt too long for the modulus...)
  | 'BAD_INPUT'; // other bad input (wrong length, value out of range)

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    readonly detail: string,
    /** the operation that refused, e.g. `rsaPssSign` or `sharedSecret(x25519)` */
    readonly where: string,
  ) {
    super(`${where}: ${detail}`);
  }
}
