// bytes.ts: hex both ways (table-driven, so checked against the platform's own conversion).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/der/bytes.js';

describe('hex', () => {
  it('round-trips and matches Buffer for any bytes, either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const h = toHex(b);
        expect(h).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(h)).toEqual(b);
        expect(fromHex(h.toUpperCase())).toEqual(b);
      }),
    );
  });

  it('separators: written between bytes, ignored when read', () => {
    expect(toHex(Uint8Array.of(1, 0xab, 0xff), ':')).toBe('01:ab:ff');
    expect(fromHex('01:AB ff\n00')).toEqual(Uint8Array.of(1, 0xab, 0xff, 0));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it.each(['abc', '0g', 'zz', '1é', '١٢', '0x12'])('refuses %j', (h) => {
    expect(() => fromHex(h)).toThrow(/not a hex string/);
  });
});
