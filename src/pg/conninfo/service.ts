// libpq's connection service file (parseServiceInfo / parseServiceFile in fe-connect.c):
// `service=NAME` (or PGSERVICE) fills every option the connection string left unset from
// the [NAME] group of PGSERVICEFILE or ~/.pg_service.conf, then of
// $PGSYSCONFDIR/pg_service.conf (Debian's libpq: /etc/postgresql-common). It runs before
// the environment defaults, so a service value beats a PG* variable.
// Checked against psql 15: the messages and the line numbers below are what it prints.

import { ConninfoError } from './errors.js';
import { findConninfoOption } from './options.js';

/** Debian's SYSCONFDIR for libpq (pg_config --sysconfdir). */
const DEFAULT_SYSCONFDIR = '/etc/postgresql-common';

/** fgets into a 1024-octet buffer: a line (with its newline) of 1023 octets or more is an error. */
const LINE_LIMIT = 1023;
const UTF8 = new TextEncoder();
/** C isspace() in the C locale, which is what libpq trims */
const C_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

export interface ServiceFiles {
  /** the file's text, or undefined when it cannot be opened */
  read(path: string): string | undefined;
  /** stat() succeeds */
  exists(path: string): boolean;
}

export interface ServiceLookup {
  service: string;
  env: Record<string, string | undefined>;
  home?: string;
  pgVersion: number;
  files: ServiceFiles;
}

/**
 * Fills `values` (unset options only) from the service's group. Throws ConninfoError with
 * libpq's message: a missing PGSERVICEFILE, a syntax error, a nested service, a service
 * found in no file.
 */
export function applyService(values: Record<string, string | undefined>, l: ServiceLookup): void {
  let userFile: string | undefined = l.env.PGSERVICEFILE;
  if (userFile === undefined && l.home) {
    const f = `${l.home.replace(/\/+$/, '')}/.pg_service.conf`;
    if (l.files.exists(f)) userFile = f;
  }
  if (userFile !== undefined && readServiceFile(userFile, values, l)) return;
  const systemFile = `${l.env.PGSYSCONFDIR ?? DEFAULT_SYSCONFDIR}/pg_service.conf`;
  if (l.files.exists(systemFile) && readServiceFile(systemFile, values, l)) return;
  throw new ConninfoError('BAD_VALUE', `definition of service "${l.service}" not found`);
}

/** One file; true when the service's group was in it. */
function readServiceFile(file: string, values: Record<string, string | undefined>, l: ServiceLookup): boolean {
  const text = l.files.read(file);
  if (text === undefined) throw new ConninfoError('BAD_VALUE', `service file "${file}" not found`);
  let found = false;
  const lines = text.split('\n');
  const lastHasNewline = lines[lines.length - 1] === '';
  if (lastHasNewline) lines.pop();
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const octets = UTF8.encode(raw).length + (i < lines.length - 1 || lastHasNewline ? 1 : 0);
    if (octets >= LINE_LIMIT) throw new ConninfoError('BAD_VALUE', `line ${lineNo} too long in service file "${file}"`);
    const line = raw.replace(C_SPACE, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      // the end of the wanted group ends the search; libpq compares the name as a prefix + ']'
      if (found) return true;
      found = line.startsWith(l.service, 1) && line[l.service.length + 1] === ']';
      continue;
    }
    if (!found) continue;
    if (line.startsWith('ldap'))
      throw new ConninfoError('BAD_VALUE', `service file "${file}", line ${lineNo}: LDAP service lookups are not modelled by pgtls`);
    const eq = line.indexOf('=');
    if (eq < 0) throw new ConninfoError('BAD_VALUE', `syntax error in service file "${file}", line ${lineNo}`);
    const key = line.slice(0, eq);
    if (key === 'service')
      throw new ConninfoError('BAD_VALUE', `nested service specifications not supported in service file "${file}", line ${lineNo}`);
    if (!findConninfoOption(key, l.pgVersion))
      throw new ConninfoError('BAD_VALUE', `syntax error in service file "${file}", line ${lineNo}`);
    if (values[key] === undefined) values[key] = line.slice(eq + 1);
  }
  return found;
}
