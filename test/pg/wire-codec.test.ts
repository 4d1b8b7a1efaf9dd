// Protocol 3.0 codecs and streaming readers. Byte layouts from protocol.sgml / pqcomm.h;
// the ErrorResponse below is the exact packet PostgreSQL 15.18 sent for a pipelined
// SSLRequest + StartupMessage (captured from a real server).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex, utf8Encode } from '../../src/der/index.js';
import {
  BackendMessageReader,
  clientOnSslResponse,
  decodePasswordMessage,
  decodeSaslInitialResponse,
  encodeBackendMessage,
  encodeFrontendMessage,
  errorResponse,
  formatErrorFields,
  FrontendMessageReader,
  passwordMessage,
  saslInitialResponse,
  serverSslResponse,
  startupMessage,
  unexpectedDataAfterSslRequest,
  unsupportedProtocolMessage,
  WireError,
  type BackendMessage,
} from '../../src/pg/index.js';

const hex = (b: Uint8Array) => toHex(b);

describe('startup-phase packets', () => {
  it.each([
    ['SSLRequest', '0000000804d2162f'],
    ['GSSENCRequest', '0000000804d21630'],
  ] as const)('%s is 8 bytes', (type, h) => expect(hex(encodeFrontendMessage({ type }))).toBe(h));

  it('CancelRequest and StartupMessage', () => {
    expect(hex(encodeFrontendMessage({ type: 'CancelRequest', processId: 1, secretKey: -1 }))).toBe('0000001004d2162e00000001ffffffff');
    const sm = encodeFrontendMessage(startupMessage({ user: 'u', database: 'd' }));
    expect(hex(sm)).toBe(`0000001b00030000${hex(utf8Encode('user\0u\0database\0d\0\0'))}`);
    const r = new FrontendMessageReader();
    expect(r.push(sm)).toEqual([
      {
        type: 'StartupMessage',
        protocol: 196608,
        params: [
          ['user', 'u'],
          ['database', 'd'],
        ],
      },
    ]);
    expect(r.started).toBe(true);
  });

  it('server-side checks', () => {
    expect(() => new FrontendMessageReader().push(fromHex('00000004'))).toThrow('invalid length of startup packet');
    expect(() => new FrontendMessageReader().push(fromHex('0000271a00030000'))).toThrow('invalid length of startup packet');
    expect(() => new FrontendMessageReader().push(fromHex('0000000c0003000075007878'))).toThrow(
      'invalid startup packet layout: expected terminator as last byte',
    );
    expect(unsupportedProtocolMessage(80877103)).toBe('unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0');
    expect(unsupportedProtocolMessage(196608)).toBeUndefined();
  });
});

describe('SSLRequest exchange', () => {
  it('bytes a client pipelines behind SSLRequest are left unread, and refused', () => {
    const r = new FrontendMessageReader();
    const startup = encodeFrontendMessage(startupMessage({ user: 'postgres' }));
    const msgs = r.push(new Uint8Array([...encodeFrontendMessage({ type: 'SSLRequest' }), ...startup]));
    expect(msgs).toEqual([{ type: 'SSLRequest' }]);
    expect(r.buffered).toEqual(startup);
    const v = unexpectedDataAfterSslRequest(r.buffered);
    expect(v?.client).toBe('received unencrypted data after SSL response');
    expect(v?.server).toMatchObject({ severity: 'FATAL', code: '08P01', message: 'received unencrypted data after SSL request' });
    // the exact packet PostgreSQL 15.18 sent in this situation
    const real =
      '45000000d353464154414c0056464154414c0043303850303100' +
      hex(utf8Encode('Mreceived unencrypted data after SSL request\0')) +
      hex(utf8Encode('DThis could be either a client-software bug or evidence of an attempted man-in-the-middle attack.\0')) +
      hex(utf8Encode('Fpostmaster.c\0L2136\0RProcessStartupPacket\0\0'));
    expect(hex(encodeBackendMessage(v!.serverMessage))).toBe(real);
    expect(unexpectedDataAfterSslRequest(new Uint8Array(0))).toBeUndefined();
    expect(unexpectedDataAfterSslRequest(3, { request: 'GSSENCRequest' })?.client).toBe(
      'received unencrypted data after GSSAPI encryption response',
    );
    expect(r.takeBuffered()).toEqual(startup);
    expect(r.buffered.length).toBe(0);
  });

  it('answers and what libpq does with them', () => {
    expect(serverSslResponse({ sslLoaded: true, unixSocket: false })).toBe('S');
    expect(serverSslResponse({ sslLoaded: true, unixSocket: true })).toBe('N');
    expect(serverSslResponse({ sslLoaded: false, unixSocket: false })).toBe('N');
    expect(clientOnSslResponse(0x53, 'prefer')).toEqual({ next: 'tls' });
    expect(clientOnSslResponse(0x4e, 'prefer')).toEqual({ next: 'plaintext' });
    expect(clientOnSslResponse(0x4e, 'verify-full')).toMatchObject({ error: 'server does not support SSL, but SSL was required' });
    expect(clientOnSslResponse(0x45, 'prefer')).toMatchObject({ error: 'server sent an error response during SSL exchange' });
    expect(clientOnSslResponse(0x48, 'prefer')).toMatchObject({ error: 'received invalid response to SSL negotiation: H' });
  });
});

describe('backend messages', () => {
  const samples: BackendMessage[] = [
    { type: 'Authentication', method: 'Ok' },
    { type: 'Authentication', method: 'CleartextPassword' },
    { type: 'Authentication', method: 'MD5Password', salt: Uint8Array.of(1, 2, 3, 4) },
    { type: 'Authentication', method: 'SASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
    { type: 'Authentication', method: 'SASLContinue', data: utf8Encode('r=abc,s=xyz,i=4096') },
    { type: 'Authentication', method: 'SASLFinal', data: utf8Encode('v=xyz') },
    { type: 'ParameterStatus', name: 'server_version', value: '15.18 (Debian 15.18-0+deb12u1)' },
    { type: 'BackendKeyData', processId: 32119, secretKey: -866371988 },
    { type: 'ReadyForQuery', status: 'I' },
    {
      type: 'RowDescription',
      fields: [{ name: 'x', tableOid: 0, columnNumber: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }],
    },
    { type: 'DataRow', values: [utf8Encode('1'), null, utf8Encode('é')] },
    { type: 'CommandComplete', tag: 'SELECT 1' },
    { type: 'EmptyQueryResponse' },
    { type: 'NegotiateProtocolVersion', newestMinor: 0, unrecognized: ['_pq_.x'] },
    errorResponse({
      severity: 'ERROR',
      severityNonLocalized: 'ERROR',
      code: '22012',
      message: 'division by zero',
      file: 'int.c',
      line: '869',
      routine: 'int4div',
    }),
    { type: 'Unknown', code: 'A', body: Uint8Array.of(0, 0, 0, 1, 0, 0) },
  ];

  it('encode -> stream -> decode, one byte at a time', () => {
    const bytes = new Uint8Array(samples.flatMap((m) => [...encodeBackendMessage(m)]));
    const reader = new BackendMessageReader();
    const got: BackendMessage[] = [];
    for (const b of bytes) got.push(...reader.push(Uint8Array.of(b)));
    expect(got.map((m) => (m.type === 'ErrorResponse' ? { ...m, raw: [] } : m))).toEqual(samples);
    expect(reader.buffered.length).toBe(0);
  });

  it('exact bytes', () => {
    expect(hex(encodeBackendMessage({ type: 'Authentication', method: 'Ok' }))).toBe('520000000800000000');
    expect(hex(encodeBackendMessage({ type: 'ReadyForQuery', status: 'T' }))).toBe('5a0000000554');
    expect(hex(encodeBackendMessage({ type: 'Authentication', method: 'SASL', mechanisms: ['SCRAM-SHA-256'] }))).toBe(
      `52000000170000000a${hex(utf8Encode('SCRAM-SHA-256\0\0'))}`,
    );
  });

  it('error fields and how libpq prints them', () => {
    const [m] = new BackendMessageReader().push(fromHex('450000001b5346415441004d6e6f2070675f6862612e636f6e660000'));
    expect(m).toMatchObject({ type: 'ErrorResponse', fields: { severity: 'FATA', message: 'no pg_hba.conf' } });
    expect(formatErrorFields({ severity: 'FATAL', message: 'm', detail: 'd', hint: 'h' })).toBe('FATAL:  m\nDETAIL:  d\nHINT:  h');
  });

  it('rejects absurd lengths as libpq does', () => {
    const e = (h: string) => {
      try {
        new BackendMessageReader().push(fromHex(h));
      } catch (x) {
        return x instanceof WireError ? `${x.code}: ${x.message}` : 'other';
      }
      return 'none';
    };
    expect(e('5a00000003')).toBe('SYNC_LOST: lost synchronization with server: got message type "Z", length 3');
    expect(e('5300008000')).toBe('SYNC_LOST: lost synchronization with server: got message type "S", length 32768');
    // long types are believed (and wait for more data)
    expect(e('4400008000')).toBe('none');
    expect(() => new BackendMessageReader({ maxLength: 100 }).push(fromHex('4400008000'))).toThrow(WireError);
    expect(e('5a0000000558')).toBe('BAD_MESSAGE: unexpected transaction status "X"');
    expect(e('530000000561')).toBe('BAD_MESSAGE: backend message "S": string without terminator');
  });
});

describe('frontend messages', () => {
  it('Query, Terminate, password and SASL', () => {
    expect(hex(encodeFrontendMessage({ type: 'Query', sql: 'select 1' }))).toBe(`510000000d${hex(utf8Encode('select 1\0'))}`);
    expect(hex(encodeFrontendMessage({ type: 'Terminate' }))).toBe('5800000004');
    const r = new FrontendMessageReader();
    r.push(encodeFrontendMessage(startupMessage({ user: 'u' })));
    const [p1, p2, q, x] = r.push(
      new Uint8Array([
        ...encodeFrontendMessage(passwordMessage('secret')),
        ...encodeFrontendMessage(saslInitialResponse('SCRAM-SHA-256', utf8Encode('n,,n=,r=abc'))),
        ...encodeFrontendMessage({ type: 'Query', sql: 'select 1' }),
        ...encodeFrontendMessage({ type: 'Terminate' }),
      ]),
    );
    expect(decodePasswordMessage(p1 as { data: Uint8Array })).toBe('secret');
    expect(decodeSaslInitialResponse(p2 as { data: Uint8Array })).toEqual({
      mechanism: 'SCRAM-SHA-256',
      response: utf8Encode('n,,n=,r=abc'),
    });
    expect(q).toEqual({ type: 'Query', sql: 'select 1' });
    expect(x).toEqual({ type: 'Terminate' });
  });
});

describe('properties', () => {
  it('the backend reader throws only WireError on random bytes, however they are split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 17 }), (bytes, step) => {
        const r = new BackendMessageReader();
        try {
          for (let i = 0; i < bytes.length; i += step) r.push(bytes.subarray(i, i + step));
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the frontend reader throws only WireError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, started) => {
        const r = new FrontendMessageReader();
        r.started = started;
        try {
          r.push(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('DataRow and ParameterStatus round-trip', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }), { maxLength: 10 }),
        fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0')),
        (values, name) => {
          const msgs: BackendMessage[] = [
            { type: 'DataRow', values },
            { type: 'ParameterStatus', name, value: name },
          ];
          const out = new BackendMessageReader().push(new Uint8Array(msgs.flatMap((m) => [...encodeBackendMessage(m)])));
          expect(out).toEqual(msgs);
        },
      ),
      { numRuns: 300 },
    );
  });
});
