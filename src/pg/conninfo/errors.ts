// The one error type of the conninfo layer. Its message is exactly libpq's (what
// PQerrorMessage holds, without the trailing newline), so `psql: error: ${e.message}` is
// what psql prints for the same input.

import { fmt, type MessageDef } from '../messages.js';

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
    /** the libpq table entry and arguments the message is, to print it in the client's language */
    readonly said?: { def: MessageDef; args: (string | number)[] },
  ) {
    super(message);
  }

  /** An error whose text is one of libpq's table messages. */
  static of(code: ConninfoErrorCode, def: MessageDef, ...args: (string | number)[]): ConninfoError {
    return new ConninfoError(code, fmt(def, ...args), { def, args });
  }
}

/** psql's rendering of a connection failure. */
export function psqlError(e: ConninfoError | string): string {
  return `psql: error: ${typeof e === 'string' ? e : e.message}`;
}
