// Constants of the PostgreSQL frontend/backend protocol 3.0 (src/include/libpq/pqcomm.h,
// protocol.sgml) and the typed error for bad wire data. A protocol version is
// (major << 16) | minor; the special request codes use major 1234 so no real version
// collides with them.

export const protocolVersion = (major: number, minor: number): number => major * 65536 + minor;

export const PROTOCOL_3_0 = protocolVersion(3, 0); // 196608
export const CANCEL_REQUEST_CODE = protocolVersion(1234, 5678); // 80877102
export const SSL_REQUEST_CODE = protocolVersion(1234, 5679); // 80877103
export const GSSENC_REQUEST_CODE = protocolVersion(1234, 5680); // 80877104

/** postmaster.c: a startup packet longer than this is refused. */
export const MAX_STARTUP_PACKET_LENGTH = 10000;
/** fe-protocol3.c: longer messages are only believed for these types. */
export const LONG_MESSAGE_TYPES = new Set(['T', 'D', 'd', 'V', 'E', 'N', 'A']);
export const MAX_SHORT_MESSAGE_LENGTH = 30000;
/** The most a reader buffers for one message unless told otherwise (libpq's 1 GB palloc limit). */
export const DEFAULT_MAX_MESSAGE_LENGTH = 0x3fffffff;

/** Authentication request codes ('R' messages). */
export const AUTH_CODES = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  SCMCredential: 6,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;
export type AuthName = keyof typeof AUTH_CODES;

/** ErrorResponse / NoticeResponse field codes and the names pgtls gives them. */
export const ERROR_FIELD_CODES = {
  S: 'severity',
  V: 'severityNonLocalized',
  C: 'code',
  M: 'message',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
} as const;
export type ErrorFieldName = (typeof ERROR_FIELD_CODES)[keyof typeof ERROR_FIELD_CODES];
export type ErrorFields = Partial<Record<ErrorFieldName, string>>;

export type WireErrorCode =
  | 'TRUNCATED' // the message ends before its declared contents
  | 'BAD_LENGTH' // a length field that cannot be right
  | 'SYNC_LOST' // libpq would give up on the connection ("lost synchronization")
  | 'BAD_MESSAGE' // contents do not follow the message's layout
  | 'TOO_LONG'; // longer than the reader was allowed to buffer

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    readonly detail: string,
    /** message type byte, when known */
    readonly messageType?: string,
  ) {
    super(detail);
  }
}
