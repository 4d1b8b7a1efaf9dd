// The der layer's BER-tolerant mode, byte by byte: what it accepts (and records) and the
// edges where OpenSSL's ASN1_get_object / asn1_get_length still refuse (the table of
// whole certificates against the openssl CLI is test/x509/ber-openssl.test.ts).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BerLog, DerError, der, fromHex, isInputError, parseDer, type Tlv } from '../../src/der/index.js';
import { loadCertificate, loadCrl } from '../../src/x509/index.js';

const ber = (hex: string) => {
  const log = new BerLog();
  const t = parseDer(fromHex(hex.replace(/ /g, '')), 'x', log);
  return { t, log, kinds: () => log.deviations.map((d) => `${d.kind}@${d.offset}`) };
};
const berError = (hex: string, read: (t: Tlv) => unknown = (t) => t.children()) => {
  try {
    read(parseDer(fromHex(hex.replace(/ /g, '')), 'x', new BerLog()));
  } catch (e) {
    return e as DerError;
  }
  throw new Error('no error');
};

describe('BER-tolerant reading', () => {
  it.each([
    ['30 81 03 02 01 05', ['long-length@0'], 5n],
    ['30 82 00 03 02 01 05', ['padded-length@0', 'long-length@0'], 5n],
    ['30 84 00 00 00 03 02 01 05', ['padded-length@0', 'long-length@0'], 5n],
    ['30 04 1f 02 01 05', ['high-tag-form@2'], 5n],
    ['30 05 1f 80 02 01 05', ['high-tag-form@2'], 5n],
    ['30 80 02 01 05 00 00', ['indefinite-length@0'], 5n],
    ['3f 10 03 02 01 05', ['high-tag-form@0'], 5n],
  ])('reads %s', (hex, kinds, value) => {
    const r = ber(hex);
    const [c] = r.t.children();
    expect(r.t.tag).toBe(0x30);
    expect(der.integer(c)).toBe(value);
    expect(r.kinds()).toEqual(kinds);
    expect(r.t.bytes().length).toBe(fromHex(hex.replace(/ /g, '')).length);
  });

  it('records each deviation once, with its path', () => {
    const r = ber('30 80 31 80 02 81 01 07 00 00 00 00');
    r.t.children();
    r.t.children()[0].children(); // read twice: still one record each
    r.t.children()[0].children();
    expect(r.log.deviations).toEqual([
      { kind: 'indefinite-length', offset: 0, path: 'x' },
      { kind: 'indefinite-length', offset: 2, path: 'x[0]' },
      { kind: 'long-length', offset: 4, path: 'x[0][0]' },
    ]);
  });

  it('takes a SEQUENCE OF / SET OF in primitive form only where asked (expectOf)', () => {
    const r = ber('30 05 11 03 02 01 09');
    const inner = r.t.children()[0];
    expect(() => inner.expect(0x31, 'SET')).toThrow(/found tag 0x11/);
    expect(der.integer(inner.expectOf(0x31, 'SET').children()[0])).toBe(9n);
    expect(r.kinds()).toEqual(['primitive-sequence-of@2']);
    // strict mode: expectOf is expect
    expect(() => parseDer(fromHex('30051103020109')).children()[0].expectOf(0x31, 'SET')).toThrow(DerError);
  });

  it('joins segmented strings and reads non-DER booleans as OpenSSL does', () => {
    const r = ber('30 15 24 0b 04 02 61 62 24 02 04 00 04 01 63 23 80 03 02 00 ff 00 00');
    const [os, bs] = r.t.children();
    expect(Array.from(der.octetString(os))).toEqual([0x61, 0x62, 0x63]);
    expect(der.bitString(bs).bytes).toEqual(Uint8Array.of(0xff));
    expect(der.boolean(ber('01 01 01').t)).toBe(true);
    expect(der.boolean(ber('01 01 00').t)).toBe(false);
    expect(der.time(ber('37 0f 04 07 33 30 30 31 30 31 30 04 04 30 30 30 5a').t).text).toBe('3001010000Z');
    expect(r.kinds()).toEqual(['indefinite-length@15', 'constructed-string@2', 'constructed-string@15']);
  });

  it.each([
    // asn1_get_length: a long-form length must leave a byte after its octets
    ['30 04 02 01 05 05 81 00', undefined],
    // ASN1_get_object: indefinite length only on a constructed element
    ['04 80 00 00', (t: Tlv) => t],
    ['30 80 02 01 05', undefined],
    // asn1_d2i_ex_primitive: INTEGER, OID, BOOLEAN, NULL never constructed
    ['22 03 02 01 05', (t: Tlv) => der.integer(t)],
    ['26 03 06 01 2a', (t: Tlv) => der.oid(t)],
    ['21 03 01 01 ff', (t: Tlv) => der.boolean(t)],
    // c2i_ASN1_INTEGER: padding is still refused
    ['02 02 00 05', (t: Tlv) => der.integer(t)],
    // BOOLEAN of another length
    ['01 02 00 ff', (t: Tlv) => der.boolean(t)],
    // end-of-contents only closes an indefinite length
    ['30 04 00 00 02 00', (t: Tlv) => t.children().map((c) => c.expect(0x02, 'INTEGER'))],
  ])('refuses %s', (hex, read) => {
    expect(berError(hex, read)).toBeInstanceOf(DerError);
  });

  it('bounds nested indefinite lengths and nested segments', () => {
    const deep = '30 80 '.repeat(200) + '00 00 '.repeat(200);
    expect(berError(deep).code).toBe('UNSUPPORTED');
    const nested = `${'24 80 '.repeat(7)}04 01 61 ${'00 00 '.repeat(7)}`;
    expect(berError(nested, (t) => der.octetString(t)).message).toMatch(/nested more than 5 deep/);
    const ok = `${'24 80 '.repeat(5)}04 01 61 ${'00 00 '.repeat(5)}`;
    expect(Array.from(der.octetString(ber(ok).t))).toEqual([0x61]);
  });
});

// Hostile BER: inputs assembled from the tokens that drive the tolerant paths (indefinite
// lengths nested and unclosed, end-of-contents anywhere, segmented strings inside
// segmented strings, padded and high-tag headers) must end in a typed error or a result,
// whatever their shape, for the raw reader and for the certificate and CRL loaders.
describe('hostile BER gives results or typed errors only', () => {
  const TOKENS = [
    [0x30, 0x80],
    [0x31, 0x80],
    [0x24, 0x80],
    [0x23, 0x80],
    [0xa3, 0x80],
    [0x00, 0x00],
    [0x00, 0x00],
    [0x04, 0x01, 0xaa],
    [0x03, 0x02, 0x00, 0xff],
    [0x02, 0x01, 0x05],
    [0x01, 0x01, 0x01],
    [0x05, 0x00],
    [0x1f, 0x80, 0x80, 0x02],
    [0x3f, 0x85, 0x80],
    [0x30, 0x84, 0x00, 0x00, 0x00],
    [0x30, 0x81],
    [0x30, 0x82, 0x00],
    [0x10, 0x00],
    [0x11, 0x03, 0x02, 0x01, 0x01],
    [0x30, 0x10],
    [0x06, 0x03, 0x55, 0x1d, 0x13],
    [0x80],
    [0xff],
  ];
  const input = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 600 }).map((ts) => Uint8Array.from(ts.flat()));
  const typed = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (isInputError(e)) return;
      throw e;
    }
  };
  const walk = (t: Tlv, depth = 0): void => {
    if (!t.constructed || depth > 80) return;
    for (const c of t.children()) walk(c, depth + 1);
  };
  it('parseDer (BER mode, walking every child), loadCertificate, loadCrl', () => {
    fc.assert(
      fc.property(input, (bytes) => {
        typed(() => walk(parseDer(bytes, 'x', new BerLog())));
        typed(() => loadCertificate(bytes));
        typed(() => loadCrl(bytes));
        // the same tokens behind a real certificate's outer header
        typed(() => loadCertificate(Uint8Array.from([0x30, 0x80, 0x30, 0x80, ...bytes, 0x00, 0x00, 0x00, 0x00])));
      }),
      { numRuns: 3000 },
    );
  });
  it('deep indefinite nesting is refused, not a stack overflow', () => {
    const deep = Uint8Array.from([...Array(5000).fill([0x30, 0x80]).flat(), ...Array(5000).fill([0x00, 0x00]).flat()]);
    typed(() => walk(parseDer(deep, 'x', new BerLog())));
    typed(() => loadCertificate(deep));
    const segs = Uint8Array.from([...Array(3000).fill([0x24, 0x80]).flat(), 0x04, 0x00, ...Array(3000).fill([0x00, 0x00]).flat()]);
    typed(() => loadCertificate(Uint8Array.from([0x30, 0x80, 0x30, 0x80, 0xa0, 0x80, ...segs, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])));
  });
});
