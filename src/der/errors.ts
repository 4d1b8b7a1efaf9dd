// Typed errors for everything that reads bytes: DER, PEM and the structures above them.
// Every error names where it happened (byte offset into the input and a dotted path such as
// `tbsCertificate.extensions[3].extnValue`) so a user can find the bad byte.

export type DerErrorCode =
  | 'TRUNCATED' // a length runs past the end of the input
  | 'INDEFINITE_LENGTH' // BER indefinite form, forbidden in DER
  | 'NON_MINIMAL_LENGTH' // length not in its shortest form
  | 'NON_MINIMAL_TAG' // high tag number form used for a small number, or padded
  | 'LENGTH_TOO_LARGE' // length does not fit in the input (or in 2^32)
  | 'TRAILING_BYTES' // bytes left after the outermost element or inside a structure
  | 'UNEXPECTED_TAG' // the structure wanted another tag here
  | 'MISSING_ELEMENT' // a required element is absent
  | 'CONSTRUCTED_PRIMITIVE' // constructed form where the type must be primitive (or the reverse)
  | 'BAD_VALUE' // contents not valid for the type (bad integer padding, bad boolean, bad time...)
  | 'BAD_STRING' // string contents not valid for its ASN.1 string type
  | 'DUPLICATE' // an element that must be unique appears twice (e.g. an extension)
  | 'TOO_DEEP' // nested deeper than a walk over the input allows (hostile input)
  | 'UNSUPPORTED'; // well formed but not something pgtls knows how to read

export class DerError extends Error {
  override readonly name = 'DerError';
  constructor(
    readonly code: DerErrorCode,
    readonly detail: string,
    readonly offset: number,
    readonly path: string,
  ) {
    super(`${detail} at byte ${offset}${path ? ` (${path})` : ''}`);
  }
}

export type PemErrorCode = 'NO_PEM' | 'BAD_BASE64' | 'UNTERMINATED' | 'MISMATCHED_LABEL' | 'BAD_HEADER';

export class PemError extends Error {
  override readonly name = 'PemError';
  constructor(
    readonly code: PemErrorCode,
    readonly detail: string,
    /** 1-based line in the PEM text */
    readonly line: number,
  ) {
    super(`${detail} (line ${line})`);
  }
}

/** Any error pgtls raises on bad input. Callers that must never crash catch exactly these. */
export function isInputError(e: unknown): e is DerError | PemError {
  return e instanceof DerError || e instanceof PemError;
}
