// The one error type of the conninfo layer. Its message is exactly libpq's (what
// PQerrorMessage holds, without the trailing newline), so `psql: error: ${e.message}` is
// what psql prints for the same input.

export type ConninfoErrorCode =
  | 'SYNTAX' // keyword=value or URI syntax
  | 'UNKNOWN_OPTION' // invalid connection option / invalid URI query parameter
  | 'BAD_VALUE' // an option value libpq rejects before connecting
  | 'BAD_ARGUMENT'; // a call pgtls cannot make sense of (unsupported version)

export class ConninfoError extends Error {
  override readonly name = 'ConninfoError';
  constructor(
    readonly code: ConninfoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** psql's rendering of a connection failure. */
export function psqlError(e: ConninfoError | string): string {
  return `psql: error: ${typeof e === 'string' ? e : e.message}`;
}
