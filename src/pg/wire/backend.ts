// Backend (server -> client) messages of protocol 3.0 that a connection and a simple query
// use: Authentication* ('R'), ParameterStatus, BackendKeyData, ReadyForQuery,
// ErrorResponse/NoticeResponse, NegotiateProtocolVersion, RowDescription, DataRow,
// CommandComplete and EmptyQueryResponse. decodeBackendMessage and encodeBackendMessage are
// inverses; unknown types decode to { type: 'Unknown' } so a reader never chokes on them.

import { BodyReader, BodyWriter, typedMessage } from './buffer.js';
import { AUTH_CODES, ERROR_FIELD_CODES, WireError, type AuthName, type ErrorFields } from './protocol.js';

export interface FieldDescription {
  name: string;
  tableOid: number;
  columnNumber: number;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
  format: number;
}

export type AuthenticationMessage =
  | { type: 'Authentication'; method: 'MD5Password'; salt: Uint8Array }
  | { type: 'Authentication'; method: 'SASL'; mechanisms: string[] }
  | { type: 'Authentication'; method: 'SASLContinue' | 'SASLFinal' | 'GSSContinue'; data: Uint8Array }
  | { type: 'Authentication'; method: Exclude<AuthName, 'MD5Password' | 'SASL' | 'SASLContinue' | 'SASLFinal' | 'GSSContinue'> };

export type BackendMessage =
  | AuthenticationMessage
  | { type: 'ParameterStatus'; name: string; value: string }
  | { type: 'BackendKeyData'; processId: number; secretKey: number }
  | { type: 'ReadyForQuery'; status: 'I' | 'T' | 'E' }
  | { type: 'ErrorResponse' | 'NoticeResponse'; fields: ErrorFields; raw: [string, string][] }
  | { type: 'NegotiateProtocolVersion'; newestMinor: number; unrecognized: string[] }
  | { type: 'RowDescription'; fields: FieldDescription[] }
  | { type: 'DataRow'; values: (Uint8Array | null)[] }
  | { type: 'CommandComplete'; tag: string }
  | { type: 'EmptyQueryResponse' }
  | { type: 'Unknown'; code: string; body: Uint8Array };

const TYPE_BYTES = {
  Authentication: 'R',
  ParameterStatus: 'S',
  BackendKeyData: 'K',
  ReadyForQuery: 'Z',
  ErrorResponse: 'E',
  NoticeResponse: 'N',
  NegotiateProtocolVersion: 'v',
  RowDescription: 'T',
  DataRow: 'D',
  CommandComplete: 'C',
  EmptyQueryResponse: 'I',
} as const;

const AUTH_BY_CODE = new Map<number, AuthName>(Object.entries(AUTH_CODES).map(([k, v]) => [v, k as AuthName]));

/** Order the server writes error fields in (send_message_to_frontend). */
const ERROR_FIELD_ORDER = ['S', 'V', 'C', 'M', 'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd', 'n', 'F', 'L', 'R'] as const;

function decodeErrorFields(r: BodyReader): { fields: ErrorFields; raw: [string, string][] } {
  const fields: ErrorFields = {};
  const raw: [string, string][] = [];
  for (;;) {
    const code = r.u8();
    if (code === 0) break;
    const c = String.fromCharCode(code);
    const v = r.cstring();
    raw.push([c, v]);
    const name = (ERROR_FIELD_CODES as Record<string, keyof ErrorFields>)[c];
    // unknown field codes must be ignored (protocol.sgml)
    if (name) fields[name] = v;
  }
  r.end();
  return { fields, raw };
}

/** Decode one backend message body (type byte and length already split off). */
export function decodeBackendMessage(type: string, body: Uint8Array): BackendMessage {
  const r = new BodyReader(body, `backend message "${type}"`, type);
  switch (type) {
    case 'R': {
      const code = r.i32();
      const method = AUTH_BY_CODE.get(code);
      if (!method) throw new WireError('BAD_MESSAGE', `unsupported authentication request ${code}`, type);
      if (method === 'MD5Password') {
        const salt = r.bytes(4);
        r.end();
        return { type: 'Authentication', method, salt };
      }
      if (method === 'SASL') {
        const mechanisms: string[] = [];
        for (;;) {
          const m = r.cstring();
          if (m === '') break;
          mechanisms.push(m);
        }
        r.end();
        return { type: 'Authentication', method, mechanisms };
      }
      if (method === 'SASLContinue' || method === 'SASLFinal' || method === 'GSSContinue')
        return { type: 'Authentication', method, data: r.rest() };
      r.end();
      return { type: 'Authentication', method };
    }
    case 'S': {
      const name = r.cstring();
      const value = r.cstring();
      r.end();
      return { type: 'ParameterStatus', name, value };
    }
    case 'K': {
      const processId = r.i32();
      const secretKey = r.i32();
      r.end();
      return { type: 'BackendKeyData', processId, secretKey };
    }
    case 'Z': {
      const s = String.fromCharCode(r.u8());
      r.end();
      if (s !== 'I' && s !== 'T' && s !== 'E') throw new WireError('BAD_MESSAGE', `unexpected transaction status "${s}"`, type);
      return { type: 'ReadyForQuery', status: s };
    }
    case 'E':
    case 'N':
      return { type: type === 'E' ? 'ErrorResponse' : 'NoticeResponse', ...decodeErrorFields(r) };
    case 'v': {
      const newestMinor = r.i32();
      const n = r.i32();
      if (n < 0 || n > r.remaining) throw new WireError('BAD_MESSAGE', `bad option count ${n}`, type);
      const unrecognized: string[] = [];
      for (let i = 0; i < n; i++) unrecognized.push(r.cstring());
      r.end();
      return { type: 'NegotiateProtocolVersion', newestMinor, unrecognized };
    }
    case 'T': {
      const n = r.i16();
      if (n < 0) throw new WireError('BAD_MESSAGE', `bad field count ${n}`, type);
      const fields: FieldDescription[] = [];
      for (let i = 0; i < n; i++) {
        fields.push({
          name: r.cstring(),
          tableOid: r.i32() >>> 0,
          columnNumber: r.i16(),
          typeOid: r.i32() >>> 0,
          typeSize: r.i16(),
          typeModifier: r.i32(),
          format: r.i16(),
        });
      }
      r.end();
      return { type: 'RowDescription', fields };
    }
    case 'D': {
      const n = r.i16();
      if (n < 0) throw new WireError('BAD_MESSAGE', `bad column count ${n}`, type);
      const values: (Uint8Array | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.i32();
        if (len < -1) throw new WireError('BAD_MESSAGE', `bad column length ${len}`, type);
        values.push(len === -1 ? null : r.bytes(len));
      }
      r.end();
      return { type: 'DataRow', values };
    }
    case 'C': {
      const tag = r.cstring();
      r.end();
      return { type: 'CommandComplete', tag };
    }
    case 'I':
      r.end();
      return { type: 'EmptyQueryResponse' };
    default:
      return { type: 'Unknown', code: type, body: body.slice() };
  }
}

/** Encode a backend message, type byte and length included. */
export function encodeBackendMessage(m: BackendMessage): Uint8Array {
  const w = new BodyWriter();
  switch (m.type) {
    case 'Authentication':
      w.i32(AUTH_CODES[m.method]);
      if (m.method === 'MD5Password') {
        if (m.salt.length !== 4) throw new WireError('BAD_MESSAGE', 'MD5 salt must be 4 bytes', 'R');
        w.bytes(m.salt);
      } else if (m.method === 'SASL') {
        for (const mech of m.mechanisms) w.cstring(mech);
        w.u8(0);
      } else if (m.method === 'SASLContinue' || m.method === 'SASLFinal' || m.method === 'GSSContinue') w.bytes(m.data);
      break;
    case 'ParameterStatus':
      w.cstring(m.name).cstring(m.value);
      break;
    case 'BackendKeyData':
      w.i32(m.processId).i32(m.secretKey);
      break;
    case 'ReadyForQuery':
      w.u8(m.status.charCodeAt(0));
      break;
    case 'ErrorResponse':
    case 'NoticeResponse': {
      const pairs: [string, string][] =
        m.raw.length > 0
          ? m.raw
          : ERROR_FIELD_ORDER.flatMap((c) => {
              const v = m.fields[ERROR_FIELD_CODES[c]];
              return v === undefined ? [] : [[c, v] as [string, string]];
            });
      for (const [c, v] of pairs) {
        if (c.length !== 1 || c === '\0') throw new WireError('BAD_MESSAGE', `bad error field code ${JSON.stringify(c)}`, 'E');
        w.u8(c.charCodeAt(0)).cstring(v);
      }
      w.u8(0);
      break;
    }
    case 'NegotiateProtocolVersion':
      w.i32(m.newestMinor).i32(m.unrecognized.length);
      for (const u of m.unrecognized) w.cstring(u);
      break;
    case 'RowDescription':
      w.i16(m.fields.length);
      for (const f of m.fields)
        w.cstring(f.name).i32(f.tableOid).i16(f.columnNumber).i32(f.typeOid).i16(f.typeSize).i32(f.typeModifier).i16(f.format);
      break;
    case 'DataRow':
      w.i16(m.values.length);
      for (const v of m.values) {
        if (v === null) w.i32(-1);
        else w.i32(v.length).bytes(v);
      }
      break;
    case 'CommandComplete':
      w.cstring(m.tag);
      break;
    case 'EmptyQueryResponse':
      break;
    case 'Unknown':
      if (m.code.length !== 1) throw new WireError('BAD_MESSAGE', `bad message type ${JSON.stringify(m.code)}`);
      return typedMessage(m.code, m.body);
  }
  return typedMessage(TYPE_BYTES[m.type], w.done());
}

/** An ErrorResponse/NoticeResponse from named fields, in the server's field order. */
export function errorResponse(fields: ErrorFields, notice = false): BackendMessage {
  return { type: notice ? 'NoticeResponse' : 'ErrorResponse', fields, raw: [] };
}

/** How libpq prints an error it received: "SEVERITY:  message" (plus DETAIL/HINT lines at default verbosity). */
export function formatErrorFields(f: ErrorFields): string {
  const lines = [`${f.severity ?? 'ERROR'}:  ${f.message ?? ''}`];
  if (f.detail) lines.push(`DETAIL:  ${f.detail}`);
  if (f.hint) lines.push(`HINT:  ${f.hint}`);
  return lines.join('\n');
}
