import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8Encode } from '../../src/der/index.js';
import { encodeBackendMessage } from '../../src/pg/wire/backend.js';
import { ClientSession, firstResponseError } from '../../src/pg/live/session.js';

// The client side of a live connection fed what a non-PostgreSQL server sends: libpq's words
// (checked against psql 15 in test/cli/hostile.test.ts), never an exception out of a socket
// callback (it used to crash `pgtls probe` with "WireError: lost synchronization").

const feed = (chunks: Uint8Array[]) => {
  const s = new ClientSession({ user: 'u', database: 'd' });
  s.start();
  for (const c of chunks) s.push(c);
  return s;
};

describe('ClientSession on bytes that are not a PostgreSQL server', () => {
  it('an HTTP answer, whole or a byte at a time: "expected authentication request from server, but received H"', () => {
    const http = utf8Encode('HTTP/1.1 400 Bad Request\r\n\r\n');
    for (const chunks of [[http], [...http].map((b) => Uint8Array.of(b))]) {
      const s = feed(chunks);
      expect(s.done).toBe(true);
      expect(s.result.ok).toBe(false);
      expect(s.result.protocolError).toBe('expected authentication request from server, but received H');
    }
  });

  it('an authentication request whose length libpq does not believe (below 8 or above 2000)', () => {
    expect(firstResponseError(Uint8Array.of(0x52, 0, 0, 0, 4))).toBe('expected authentication request from server, but received R');
    expect(firstResponseError(Uint8Array.of(0x52, 0, 0, 0x10, 0))).toBe('expected authentication request from server, but received R');
    expect(firstResponseError(Uint8Array.of(0x52, 0, 0, 0, 8))).toBeUndefined();
    expect(firstResponseError(Uint8Array.of(0x45))).toBeUndefined();
  });

  it("a real server's answer still works", () => {
    const ok = [
      encodeBackendMessage({ type: 'Authentication', method: 'Ok' }),
      encodeBackendMessage({ type: 'ReadyForQuery', status: 'I' }),
    ];
    const s = feed(ok);
    expect(s.result.ok).toBe(true);
    expect(s.result.protocolError).toBeUndefined();
  });

  it('any bytes in any chunking: push never throws, and a failure is a message', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        const s = feed(chunks);
        if (s.result.protocolError !== undefined) expect(s.result.protocolError).not.toBe('');
      }),
    );
  });
});
