// Typed errors of the x509 layer, beside DerError/PemError from der/: a PEM block of the
// wrong kind, and the two passphrase outcomes of an encrypted private key.

import { type DerError, PemError, isInputError } from '../der/index.js';

/** A PEM block whose label is not what the caller asked for (a key where a certificate was expected...). */
export class WrongPemLabelError extends PemError {
  constructor(
    readonly found: string,
    readonly expected: readonly string[],
    line: number,
  ) {
    super('MISMATCHED_LABEL', `expected ${expected.map((e) => `"${e}"`).join(' or ')} but found a "${found}" PEM block`, line);
  }
}

/** The private key is encrypted and no passphrase was given. */
export class PassphraseRequiredError extends Error {
  override readonly name = 'PassphraseRequiredError';
  constructor(readonly scheme: string) {
    super(`the private key is encrypted (${scheme}); a passphrase is required`);
  }
}

/** Decryption with the given passphrase did not give a private key (wrong passphrase or damaged file). */
export class BadPassphraseError extends Error {
  override readonly name = 'BadPassphraseError';
  constructor(readonly scheme: string) {
    super(`could not decrypt the private key (${scheme}): wrong passphrase or damaged key`);
  }
}

/** Every error the x509 parsers raise on bad input; anything else is a bug. */
export function isX509InputError(e: unknown): e is DerError | PemError | PassphraseRequiredError | BadPassphraseError {
  return isInputError(e) || e instanceof PassphraseRequiredError || e instanceof BadPassphraseError;
}
