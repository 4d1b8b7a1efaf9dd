// The pg_stat_ssl row of a backend: what `SELECT * FROM pg_stat_ssl WHERE pid =
// pg_backend_pid()` shows once a connection is up. PostgreSQL fills it once, at backend start
// (pgstat_bestart in backend_status.c), from be-secure-openssl.c: SSL_get_version,
// SSL_get_cipher, SSL_get_cipher_bits, and the client certificate's subject and issuer as
// X509_NAME_to_cstring prints them (`/CN=x/O=y`) and its serial as BN_bn2dec prints it. Every
// string is strlcpy'd into a NAMEDATALEN (64) byte slot of shared memory, so anything longer
// than 63 bytes is cut there, even inside a UTF-8 character (psql then prints the value without
// the partial character); pg_stat_get_activity (pgstatfuncs.c) turns empty strings into NULL.
// A plain connection shows ssl = false and NULLs. All checked against PostgreSQL 15 + psql
// (test/pg/stat-ssl-oracle.test.ts).

import { utf8Encode } from '../../der/index.js';
import { formatNamePostgres, type Certificate, type Name, type PrivateKey } from '../../x509/index.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

/** pg_config_manual.h */
export const NAMEDATALEN = 64;

/** One pg_stat_ssl row, columns as PostgreSQL names them, in its column order. */
export interface PgStatSslRow {
  /** the backend's process id: unknowable offline, always null here */
  pid: null;
  ssl: boolean;
  /** SSL_get_version: `TLSv1.3`, `TLSv1.2` */
  version: string | null;
  /** SSL_get_cipher: OpenSSL's name for the suite (`TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES256-GCM-SHA384`) */
  cipher: string | null;
  /** SSL_get_cipher_bits */
  bits: number | null;
  /** PostgreSQL 13 only (the column was removed in 14): TLS compression, never on with OpenSSL 3 */
  compression?: boolean | null;
  /** the client certificate's subject, `/CN=x` form, at most 63 bytes (as psql prints them); null without a client certificate */
  client_dn: string | null;
  /** the client certificate's serial in decimal (a numeric: kept as text, it exceeds 2^53); null without one */
  client_serial: string | null;
  /** the client certificate's issuer, same form and limit as client_dn */
  issuer_dn: string | null;
}

/** The TLS side of an established connection, as the server sees it. */
export interface StatSslTls {
  version: string;
  cipher: string;
  bits: number;
  /** the client certificate the server verified (port->peer), if one was sent */
  peerCert?: Certificate;
}

export type StatSslResult =
  | {
      ok: true;
      row: PgStatSslRow;
      /** columns whose value was longer than 63 bytes, with the full text PostgreSQL cut */
      truncated: { column: 'client_dn' | 'client_serial' | 'issuer_dn'; full: string; bytes: number; split: boolean }[];
    }
  /** PostgreSQL raises this ERROR while building the row (during backend start: the client gets it as FATAL) */
  | { ok: false; error: string };

/** X509_NAME_to_cstring's error for an attribute type OpenSSL has no NID for. */
const NO_NID_ERROR = 'could not get NID for ASN1_OBJECT object';

/**
 * X509_NAME_to_cstring: `/SN=value` per attribute, each value printed on its own by
 * ASN1_STRING_print_ex, whose failure PostgreSQL ignores (the `/SN=` stays, the loop goes
 * on), so each attribute is formatted alone. Undefined where PostgreSQL raises NO_NID_ERROR.
 */
export function postgresNameText(name: Name): string | undefined {
  let out = '';
  for (const rdn of name.rdns) {
    for (const attr of rdn) {
      const one = formatNamePostgres({ rdns: [[attr]], der: name.der });
      if (one === undefined) return undefined;
      out += one;
    }
  }
  return out;
}

/**
 * strlcpy(dst, src, NAMEDATALEN): the first 63 bytes. A UTF-8 character cut in two leaves
 * its first bytes in the stored value (`encode(textsend(client_dn), 'hex')` shows them);
 * psql drops such invalid bytes from what it prints (mbvalidate, client encoding UTF8), and
 * so does `text` here. `split` says a character was cut.
 */
export function namedataCut(s: string): { text: string; bytes: number; cut: boolean; split: boolean } {
  const b = utf8Encode(s);
  if (b.length < NAMEDATALEN) return { text: s, bytes: b.length, cut: false, split: false };
  let end = NAMEDATALEN - 1;
  let lead = end - 1;
  while (lead > 0 && (b[lead] & 0xc0) === 0x80) lead--;
  const width = b[lead] >= 0xf0 ? 4 : b[lead] >= 0xe0 ? 3 : b[lead] >= 0xc0 ? 2 : 1;
  const split = lead + width > end;
  if (split) end = lead;
  return { text: new TextDecoder().decode(b.subarray(0, end)), bytes: b.length, cut: true, split };
}

/**
 * The cipher an OpenSSL 3.0 server picks for TLS 1.2 with PostgreSQL's default ssl_ciphers
 * (HIGH:MEDIUM:+3DES:!aNULL) and server preference (ssl_prefer_server_ciphers = on): the
 * first of that list its certificate can sign for. pgtls runs no TLS 1.2 handshake; this is
 * the prediction. Another ssl_ciphers is not modelled.
 */
export function tls12Cipher(serverKey: PrivateKey): { cipher: string; bits: number } {
  return { cipher: serverKey.kind === 'rsa' ? 'ECDHE-RSA-AES256-GCM-SHA384' : 'ECDHE-ECDSA-AES256-GCM-SHA384', bits: 256 };
}

/** The row for a backend: `tls` absent means a plain (non-SSL) connection. */
export function pgStatSslRow(tls: StatSslTls | undefined, pgVersion = DEFAULT_PG_VERSION): StatSslResult {
  const compression = pgVersion <= 13 ? { compression: tls ? false : null } : {};
  if (!tls) {
    return {
      ok: true,
      row: {
        pid: null,
        ssl: false,
        version: null,
        cipher: null,
        bits: null,
        ...compression,
        client_dn: null,
        client_serial: null,
        issuer_dn: null,
      },
      truncated: [],
    };
  }
  const truncated: Extract<StatSslResult, { ok: true }>['truncated'] = [];
  const slot = (column: 'client_dn' | 'client_serial' | 'issuer_dn', full: string | undefined): string | null => {
    if (full === undefined || full === '') return null; // ptr[0] = '\0' -> NULL
    const c = namedataCut(full);
    if (c.cut) truncated.push({ column, full, bytes: c.bytes, split: c.split });
    return c.text;
  };
  let subject: string | undefined;
  let issuer: string | undefined;
  if (tls.peerCert) {
    // pgstat_bestart fetches the subject, then the serial, then the issuer
    subject = postgresNameText(tls.peerCert.subject);
    if (subject === undefined) return { ok: false, error: NO_NID_ERROR };
    issuer = postgresNameText(tls.peerCert.issuer);
    if (issuer === undefined) return { ok: false, error: NO_NID_ERROR };
  }
  return {
    ok: true,
    row: {
      pid: null,
      ssl: true,
      version: namedataCut(tls.version).text,
      cipher: namedataCut(tls.cipher).text,
      bits: tls.bits,
      ...compression,
      client_dn: slot('client_dn', subject),
      // BN_bn2dec of ASN1_INTEGER_to_BN: a leading '-' for a negative serial, "0" for zero
      client_serial: slot('client_serial', tls.peerCert ? tls.peerCert.serial.value.toString() : undefined),
      issuer_dn: slot('issuer_dn', issuer),
    },
    truncated,
  };
}

/** The column names of the row (PostgreSQL 13 has compression too). */
function statSslColumns(row: PgStatSslRow): (keyof PgStatSslRow)[] {
  return Object.keys(row) as (keyof PgStatSslRow)[];
}

/**
 * The row as psql prints it unaligned (`-A`): fields joined by `sep` (psql's default `|`),
 * booleans as t/f, NULL as `nullText` (psql's default: empty), no quoting. `pid` stands in
 * for the unknowable process id; `header` adds the column-name line.
 */
export function psqlUnaligned(
  row: PgStatSslRow,
  o: { sep?: string; nullText?: string; header?: boolean; pid?: string; columns?: (keyof PgStatSslRow)[] } = {},
): string {
  const sep = o.sep ?? '|';
  const cols = o.columns ?? statSslColumns(row);
  const cell = (k: keyof PgStatSslRow): string => {
    const v = k === 'pid' ? (o.pid ?? null) : row[k];
    if (v === null || v === undefined) return o.nullText ?? '';
    if (typeof v === 'boolean') return v ? 't' : 'f';
    return String(v);
  };
  const line = cols.map(cell).join(sep);
  return o.header ? `${cols.join(sep)}\n${line}` : line;
}
