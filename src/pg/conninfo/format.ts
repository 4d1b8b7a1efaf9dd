// Writing connection strings back: keyword='value' pairs that conninfo_parse reads back to
// the same options (every value single-quoted, with \ and ' escaped by a backslash, the way
// libpq's appendConnStrVal quotes when it must).

import { ConninfoError } from './errors.js';
import { findConninfoOption, DEFAULT_PG_VERSION } from './options.js';
import type { ConninfoValues } from './parse.js';

/** Quote one value for a keyword=value string. */
export function quoteConninfoValue(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A keyword=value string for these options (keywords must exist in that libpq version). */
export function formatConninfo(values: ConninfoValues, opts: { pgVersion?: number } = {}): string {
  const version = opts.pgVersion ?? DEFAULT_PG_VERSION;
  return Object.entries(values)
    .map(([k, v]) => {
      if (!findConninfoOption(k, version)) throw new ConninfoError('UNKNOWN_OPTION', `invalid connection option "${k}"`);
      if (v.includes('\0')) throw new ConninfoError('BAD_VALUE', `a connection option value cannot contain NUL: ${k}`);
      return `${k}=${quoteConninfoValue(v)}`;
    })
    .join(' ');
}
