// The DETAIL PostgreSQL 16+ logs under "could not accept SSL connection" when the client's
// certificate fails verification (be-secure-openssl.c verify_cb): the depth and OpenSSL's
// text for the error, then the failing certificate's subject, serial and issuer, each name
// as X509_NAME_to_cstring prints it and cut by prepare_cert_name. Checked against real
// PostgreSQL 16, 17 and 18 (test/pg/versions-oracle.test.ts).

import { utf8Encode } from '../../der/index.js';
import { errorMessageFor, type VerifyResult } from '../../path/index.js';
import { postgresNameText } from './stat-ssl.js';

/**
 * prepare_cert_name: a name longer than 71 bytes keeps its last 71, the first three turned
 * into "..."; then pg_clean_ascii escapes every byte outside printable ASCII as \xNN.
 */
export function prepareCertName(name: string): string {
  let b = utf8Encode(name);
  if (b.length > 71) {
    b = b.slice(b.length - 71);
    b[0] = b[1] = b[2] = 0x2e;
  }
  let out = '';
  for (const x of b) out += x < 32 || x > 126 ? `\\x${x.toString(16).padStart(2, '0')}` : String.fromCharCode(x);
  return out;
}

/** The DETAIL for a failed client-certificate verification, or undefined (before 16, or no failure). */
export function clientCertErrorDetail(verify: VerifyResult | undefined, pgVersion: number, openssl: string): string | undefined {
  const e = verify && !verify.ok ? verify.error : undefined;
  // an internal error OpenSSL records without calling verify_cb leaves no detail
  if (!e || e.noCallback || pgVersion < 16) return undefined;
  const head = `Client certificate verification failed at depth ${e.depth}: ${errorMessageFor(e.code, openssl)}.`;
  if (!e.cert) return head;
  const subject = prepareCertName(postgresNameText(e.cert.subject) ?? '');
  const issuer = prepareCertName(postgresNameText(e.cert.issuer) ?? '');
  return `${head}\nFailed certificate data (unverified): subject "${subject}", serial number ${e.cert.serial.value.toString()}, issuer "${issuer}".`;
}
