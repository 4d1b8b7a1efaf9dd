// The protocol 3.0 conversation once the transport is settled (plain, or TLS already up),
// sans I/O, from both ends. Client: StartupMessage out, then AuthenticationOk,
// ParameterStatus, BackendKeyData, ReadyForQuery (or an ErrorResponse) in, then an optional
// simple Query. Server stand-in: the ParameterStatus set a PostgreSQL 15 backend reports
// (what psql and libpq read), and the minimal answer to a simple Query.

import { utf8Decode, utf8Encode } from '../../der/bytes.js';
import { encodeBackendMessage, type BackendMessage } from '../wire/backend.js';
import { encodeFrontendMessage, startupMessage } from '../wire/frontend.js';
import { WireError, type ErrorFields } from '../wire/protocol.js';
import { readI32 } from '../wire/buffer.js';
import { BackendMessageReader } from '../wire/reader.js';
import { fmt, LIBPQ } from '../messages.js';

export interface ServerError {
  severity: string;
  sqlstate: string;
  message: string;
  detail?: string;
  hint?: string;
  fields: ErrorFields;
}

export interface QueryResult {
  columns: string[];
  rows: (string | null)[][];
  tag?: string;
  error?: ServerError;
}

export interface SessionResult {
  /** AuthenticationOk then ReadyForQuery */
  ok: boolean;
  /** the authentication request the server made, when it was not Ok (password, SASL...) */
  authRequest?: string;
  parameters: Record<string, string>;
  backendKey?: { processId: number; secretKey: number };
  error?: ServerError;
  notices: ServerError[];
  query?: QueryResult;
  /** the server closed the connection before the conversation ended */
  eof?: boolean;
  /** what libpq says when the bytes are not a PostgreSQL server's (an HTTP server, say) */
  protocolError?: string;
}

/**
 * libpq's first look at the answer to its startup packet (PQconnectPoll,
 * CONNECTION_AWAITING_RESPONSE): only an authentication request ('R', 8..2000 bytes),
 * NegotiateProtocolVersion ('v') or an error ('E') may come; anything else "probably means
 * it's not Postgres on the other end at all". Undefined while the bytes are acceptable (or too few).
 */
export function firstResponseError(buf: Uint8Array): string | undefined {
  if (buf.length === 0) return undefined;
  const type = String.fromCharCode(buf[0]);
  const bad = fmt(LIBPQ.expectedAuthRequest, type);
  if (type !== 'R' && type !== 'v' && type !== 'E') return bad;
  if (type === 'R' && buf.length >= 5) {
    const length = readI32(buf, 1);
    if (length < 8 || length > 2000) return bad;
  }
  return undefined;
}

export function serverError(fields: ErrorFields): ServerError {
  return {
    severity: fields.severityNonLocalized ?? fields.severity ?? 'ERROR',
    sqlstate: fields.code ?? '',
    message: fields.message ?? '',
    detail: fields.detail,
    hint: fields.hint,
    fields,
  };
}

/**
 * The client's side: `start()` gives the StartupMessage; `push(bytes)` consumes what the
 * server sent and returns bytes to send (the Query, then Terminate) plus `done` once the
 * conversation is over.
 */
export class ClientSession {
  readonly result: SessionResult = { ok: false, parameters: {}, notices: [] };
  private readonly reader = new BackendMessageReader();
  private phase: 'auth' | 'ready' | 'query' | 'done' = 'auth';
  private authOk = false;
  private seen = 0;

  constructor(
    readonly params: Record<string, string>,
    readonly sql?: string,
  ) {}

  start(): Uint8Array {
    return encodeFrontendMessage(startupMessage(this.params));
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.done) return out;
    if (this.seen < 5) {
      // the first message's type byte and length, checked before anything is parsed
      const head = chunk.subarray(0, 5 - this.seen);
      this.first = this.first ? new Uint8Array([...this.first, ...head]) : head.slice();
      this.seen += head.length;
      const bad = firstResponseError(this.first);
      if (bad) return this.protocolFailure(bad);
    }
    let messages: BackendMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (e) {
      // lost synchronization, an impossible length: libpq gives up with the reader's words
      if (e instanceof WireError) return this.protocolFailure(e.message);
      throw e;
    }
    for (const m of messages) {
      if (this.done) break;
      out.push(...this.handle(m));
    }
    return out;
  }

  private first: Uint8Array | undefined;

  private protocolFailure(message: string): Uint8Array[] {
    this.result.protocolError = message;
    this.phase = 'done';
    return [];
  }

  /** The server closed the connection. */
  eof(): void {
    if (this.phase !== 'done') {
      this.result.eof = true;
      this.phase = 'done';
    }
  }

  private finish(): Uint8Array[] {
    this.phase = 'done';
    return [encodeFrontendMessage({ type: 'Terminate' })];
  }

  private handle(m: BackendMessage): Uint8Array[] {
    switch (m.type) {
      case 'Authentication':
        if (m.method === 'Ok') this.authOk = true;
        else {
          // pgtls sends no passwords: libpq would ask for one and psql -w gives up
          this.result.authRequest = m.method;
          this.phase = 'done';
        }
        return [];
      case 'ParameterStatus':
        this.result.parameters[m.name] = m.value;
        return [];
      case 'BackendKeyData':
        this.result.backendKey = { processId: m.processId, secretKey: m.secretKey };
        return [];
      case 'NoticeResponse':
        this.result.notices.push(serverError(m.fields));
        return [];
      case 'ErrorResponse':
        if (this.phase === 'query' && this.result.query) {
          this.result.query.error = serverError(m.fields);
          return [];
        }
        this.result.error = serverError(m.fields);
        this.phase = 'done';
        return [];
      case 'RowDescription':
        if (this.result.query) this.result.query.columns = m.fields.map((f) => f.name);
        return [];
      case 'DataRow':
        this.result.query?.rows.push(m.values.map((v) => (v === null ? null : utf8Decode(v))));
        return [];
      case 'CommandComplete':
        if (this.result.query) this.result.query.tag = m.tag;
        return [];
      case 'ReadyForQuery':
        if (this.phase === 'auth') {
          this.result.ok = this.authOk;
          if (this.sql === undefined) return this.finish();
          this.phase = 'query';
          this.result.query = { columns: [], rows: [] };
          return [encodeFrontendMessage({ type: 'Query', sql: this.sql })];
        }
        return this.finish();
      default:
        return [];
    }
  }
}

/** What a PostgreSQL 15 backend reports after AuthenticationOk (the GUC_REPORT settings). */
export function serverParameters(opts: {
  user: string;
  applicationName: string;
  serverVersion?: string;
  superuser?: boolean;
}): [string, string][] {
  return [
    ['application_name', opts.applicationName],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', opts.superuser ? 'on' : 'off'],
    ['server_encoding', 'UTF8'],
    ['server_version', opts.serverVersion ?? '15.8 (pgtls serve)'],
    ['session_authorization', opts.user],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'UTC'],
  ];
}

/** AuthenticationOk, the ParameterStatus set, BackendKeyData and ReadyForQuery, as one write. */
export function authenticationOkBytes(params: [string, string][], key: { processId: number; secretKey: number }): Uint8Array[] {
  const msgs: BackendMessage[] = [
    { type: 'Authentication', method: 'Ok' },
    ...params.map(([name, value]) => ({ type: 'ParameterStatus' as const, name, value })),
    { type: 'BackendKeyData', ...key },
    { type: 'ReadyForQuery', status: 'I' },
  ];
  return msgs.map(encodeBackendMessage);
}

const INT4_OID = 23;
const TEXT_OID = 25;

/**
 * The stand-in's answer to a simple Query: `select <integer>` gives that integer as a
 * one-row int4 result (what `select 1` needs), an empty string gives EmptyQueryResponse,
 * anything else one text column `echo` holding the query text.
 */
export function simpleQueryResponse(sql: string): Uint8Array[] {
  const trimmed = sql.trim().replace(/;\s*$/, '');
  const msgs: BackendMessage[] = [];
  if (trimmed === '') msgs.push({ type: 'EmptyQueryResponse' });
  else {
    const int = /^select\s+([+-]?\d{1,9})$/i.exec(trimmed);
    const [name, oid, size, value] = int ? ['?column?', INT4_OID, 4, String(Number(int[1]))] : ['echo', TEXT_OID, -1, trimmed];
    msgs.push(
      {
        type: 'RowDescription',
        fields: [{ name, tableOid: 0, columnNumber: 0, typeOid: oid, typeSize: size, typeModifier: -1, format: 0 }],
      },
      { type: 'DataRow', values: [utf8Encode(value)] },
      { type: 'CommandComplete', tag: 'SELECT 1' },
    );
  }
  msgs.push({ type: 'ReadyForQuery', status: 'I' });
  return msgs.map(encodeBackendMessage);
}
