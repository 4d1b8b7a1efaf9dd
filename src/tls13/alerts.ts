// The TLS alert table (RFC 8446 §6 plus the TLS 1.2-era codes OpenSSL still names), the
// alert record codec, and the text OpenSSL prints for each alert. The OpenSSL strings are
// data: each description carries its reason-string family, because OpenSSL 3.0 names
// some alerts "sslv3 alert ..." and others "tlsv1 alert ..." (ssl/ssl_err.c); 3.2 renamed
// only the sslv3 family to "ssl/tls alert ...", and 4.0 to "tls alert ...". Checked against
// `openssl errstr` of the installed OpenSSL 3.0 and ERR_reason_error_string of the OpenSSL
// 4.0 that pyOpenSSL bundles (reason = SSL_AD_REASON_OFFSET 1000 + description); the 3.2
// form against ssl/ssl_err.c only.

import { TlsDecodeError } from './errors.js';

/** How OpenSSL's error reason string for a received alert is built. */
type OpensslFamily =
  | 'sslv3' // "sslv3 alert X" in 3.0, "ssl/tls alert X" in 3.2-3.x, "tls alert X" from 4.0
  | 'tlsv1' // "tlsv1 alert X"
  | 'tlsv1-bare' // "tlsv1 X" (no "alert" word: TLS 1.0 extension-era reasons)
  | 'tlsv13' // "tlsv13 alert X"
  | 'none'; // no reason string: OpenSSL prints "reason(10NN)"

interface AlertInfo {
  code: number;
  /** RFC 8446 name */
  name: string;
  family: OpensslFamily;
  /** the words after the family prefix in OpenSSL's reason string */
  reason: string;
  /** SSL_alert_desc_string_long() (what `openssl s_client -state` and the info callback print) */
  long: string;
}

const A = (code: number, name: string, family: OpensslFamily, reason: string, long: string): AlertInfo => ({
  code,
  name,
  family,
  reason,
  long,
});

export const ALERTS: readonly AlertInfo[] = [
  A(0, 'close_notify', 'none', '', 'close notify'),
  A(10, 'unexpected_message', 'sslv3', 'unexpected message', 'unexpected_message'),
  A(20, 'bad_record_mac', 'sslv3', 'bad record mac', 'bad record mac'),
  A(21, 'decryption_failed', 'tlsv1', 'decryption failed', 'decryption failed'),
  A(22, 'record_overflow', 'tlsv1', 'record overflow', 'record overflow'),
  A(30, 'decompression_failure', 'sslv3', 'decompression failure', 'decompression failure'),
  A(40, 'handshake_failure', 'sslv3', 'handshake failure', 'handshake failure'),
  A(41, 'no_certificate', 'sslv3', 'no certificate', 'no certificate'),
  A(42, 'bad_certificate', 'sslv3', 'bad certificate', 'bad certificate'),
  A(43, 'unsupported_certificate', 'sslv3', 'unsupported certificate', 'unsupported certificate'),
  A(44, 'certificate_revoked', 'sslv3', 'certificate revoked', 'certificate revoked'),
  A(45, 'certificate_expired', 'sslv3', 'certificate expired', 'certificate expired'),
  A(46, 'certificate_unknown', 'sslv3', 'certificate unknown', 'certificate unknown'),
  A(47, 'illegal_parameter', 'sslv3', 'illegal parameter', 'illegal parameter'),
  A(48, 'unknown_ca', 'tlsv1', 'unknown ca', 'unknown CA'),
  A(49, 'access_denied', 'tlsv1', 'access denied', 'access denied'),
  A(50, 'decode_error', 'tlsv1', 'decode error', 'decode error'),
  A(51, 'decrypt_error', 'tlsv1', 'decrypt error', 'decrypt error'),
  A(60, 'export_restriction', 'tlsv1', 'export restriction', 'export restriction'),
  A(70, 'protocol_version', 'tlsv1', 'protocol version', 'protocol version'),
  A(71, 'insufficient_security', 'tlsv1', 'insufficient security', 'insufficient security'),
  A(80, 'internal_error', 'tlsv1', 'internal error', 'internal error'),
  A(86, 'inappropriate_fallback', 'tlsv1', 'inappropriate fallback', 'inappropriate fallback'),
  A(90, 'user_canceled', 'tlsv1', 'user cancelled', 'user canceled'),
  A(100, 'no_renegotiation', 'tlsv1', 'no renegotiation', 'no renegotiation'),
  A(109, 'missing_extension', 'tlsv13', 'missing extension', 'missing extension'),
  A(110, 'unsupported_extension', 'tlsv1-bare', 'unsupported extension', 'unsupported extension'),
  A(111, 'certificate_unobtainable', 'tlsv1-bare', 'certificate unobtainable', 'certificate unobtainable'),
  A(112, 'unrecognized_name', 'tlsv1-bare', 'unrecognized name', 'unrecognized name'),
  A(113, 'bad_certificate_status_response', 'tlsv1-bare', 'bad certificate status response', 'bad certificate status response'),
  A(114, 'bad_certificate_hash_value', 'tlsv1-bare', 'bad certificate hash value', 'bad certificate hash value'),
  A(115, 'unknown_psk_identity', 'tlsv1', 'unknown psk identity', 'unknown PSK identity'),
  A(116, 'certificate_required', 'tlsv13', 'certificate required', 'certificate required'),
  A(120, 'no_application_protocol', 'tlsv1', 'no application protocol', 'no application protocol'),
];

/** RFC 8446 §6 AlertDescription, name -> code. */
export const AlertDescription = Object.fromEntries(ALERTS.map((a) => [a.name, a.code])) as {
  readonly close_notify: 0;
  readonly unexpected_message: 10;
  readonly bad_record_mac: 20;
  readonly decryption_failed: 21;
  readonly record_overflow: 22;
  readonly decompression_failure: 30;
  readonly handshake_failure: 40;
  readonly no_certificate: 41;
  readonly bad_certificate: 42;
  readonly unsupported_certificate: 43;
  readonly certificate_revoked: 44;
  readonly certificate_expired: 45;
  readonly certificate_unknown: 46;
  readonly illegal_parameter: 47;
  readonly unknown_ca: 48;
  readonly access_denied: 49;
  readonly decode_error: 50;
  readonly decrypt_error: 51;
  readonly export_restriction: 60;
  readonly protocol_version: 70;
  readonly insufficient_security: 71;
  readonly internal_error: 80;
  readonly inappropriate_fallback: 86;
  readonly user_canceled: 90;
  readonly no_renegotiation: 100;
  readonly missing_extension: 109;
  readonly unsupported_extension: 110;
  readonly certificate_unobtainable: 111;
  readonly unrecognized_name: 112;
  readonly bad_certificate_status_response: 113;
  readonly bad_certificate_hash_value: 114;
  readonly unknown_psk_identity: 115;
  readonly certificate_required: 116;
  readonly no_application_protocol: 120;
};
export type AlertName = keyof typeof AlertDescription;

const BY_CODE = new Map(ALERTS.map((a) => [a.code, a]));

/** RFC name for a code; `unknown(N)` for codes outside the table. */
export function alertName(code: number): string {
  return BY_CODE.get(code)?.name ?? `unknown(${code})`;
}

export const AlertLevel = { warning: 1, fatal: 2 } as const;

export interface Alert {
  level: number;
  description: number;
}

export function encodeAlert(a: Alert): Uint8Array {
  return Uint8Array.of(a.level, a.description);
}

/** An alert record body is exactly two bytes (RFC 8446 §6). */
export function decodeAlert(body: Uint8Array): Alert {
  if (body.length !== 2) throw new TlsDecodeError(`alert record has ${body.length} bytes, expected 2`, 0, 'Alert');
  return { level: body[0], description: body[1] };
}

export type OpensslVersion = '1.1' | '3.0' | '3.2' | '4.0';
export const OPENSSL_VERSIONS: readonly OpensslVersion[] = ['1.1', '3.0', '3.2', '4.0'];

/** The prefix of the sslv3 family's reason strings, by the OpenSSL version that prints it (1.1.1 as 3.0). */
const SSLV3_PREFIX: Record<OpensslVersion, string> = {
  '1.1': 'sslv3 alert',
  '3.0': 'sslv3 alert',
  '3.2': 'ssl/tls alert',
  '4.0': 'tls alert',
};

/**
 * The text OpenSSL prints for an alert.
 *
 * received: the error-queue reason a peer's fatal alert produces, e.g. "tlsv1 alert unknown ca"
 * (3.0), "ssl/tls alert certificate expired" (3.2) or "tls alert certificate expired" (4.0); the whole line is
 * `error:0A000418:SSL routines::tlsv1 alert unknown ca`, see `opensslErrorCode`.
 * sent: OpenSSL's own error names the local cause, not the alert, so this returns what its
 * info callback prints for the alert it writes: "SSL3 alert write:fatal:unknown CA".
 */
export function opensslAlertText(
  desc: number | AlertName,
  opts: { received: boolean; opensslVersion?: OpensslVersion; level?: 'fatal' | 'warning' },
): string {
  const code = typeof desc === 'number' ? desc : AlertDescription[desc];
  const info = BY_CODE.get(code);
  if (!opts.received) {
    const level = opts.level ?? (code === 0 ? 'warning' : 'fatal');
    return `SSL3 alert write:${level}:${info?.long ?? 'unknown'}`;
  }
  if (!info || info.family === 'none') return `reason(${1000 + code})`;
  const v = opts.opensslVersion ?? '3.0';
  switch (info.family) {
    case 'sslv3':
      return `${SSLV3_PREFIX[v]} ${info.reason}`;
    case 'tlsv1':
      return `tlsv1 alert ${info.reason}`;
    case 'tlsv1-bare':
      return `tlsv1 ${info.reason}`;
    case 'tlsv13':
      return `tlsv13 alert ${info.reason}`;
  }
}

/** OpenSSL 3 packed error code for a received alert: ERR_LIB_SSL (0x0A) and reason 1000 + desc. */
export function opensslErrorCode(desc: number | AlertName): string {
  const code = typeof desc === 'number' ? desc : AlertDescription[desc];
  return `0A${(1000 + code).toString(16).toUpperCase().padStart(6, '0')}`;
}
