import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDer, DerError, der, Tag, fromHex, parsePemBlocks, pemEncode, base64Encode, base64Decode } from '../../src/der/index.js';

const err = (hex: string) => {
  try {
    parseDer(fromHex(hex), 'x').children();
  } catch (e) {
    return e as DerError;
  }
  throw new Error('no error');
};

describe('DER reader', () => {
  it('reads nested elements with offsets and exact bytes', () => {
    const t = parseDer(fromHex('3006020101020102'), 'seq');
    const [a, b] = t.children();
    expect(der.integer(a)).toBe(1n);
    expect(der.integer(b)).toBe(2n);
    expect(b.start).toBe(5);
    expect(Array.from(b.bytes())).toEqual([2, 1, 2]);
    expect(b.path).toBe('seq[1]');
  });

  it.each([
    ['3080020101 0000', 'INDEFINITE_LENGTH'],
    ['30810300000000', 'NON_MINIMAL_LENGTH'],
    ['3082000300000000', 'NON_MINIMAL_LENGTH'],
    ['300502010102', 'TRUNCATED'],
    ['30030201010000', 'TRAILING_BYTES'],
    ['3085ffffffffff', 'LENGTH_TOO_LARGE'],
    ['1f0100', 'NON_MINIMAL_TAG'],
    ['1f800100', 'NON_MINIMAL_TAG'],
  ])('rejects %s as %s', (hex, code) => {
    const e = err(hex.replace(/ /g, ''));
    expect(e).toBeInstanceOf(DerError);
    expect(e.code).toBe(code);
  });

  it('decodes values by DER rules', () => {
    const one = (hex: string) => parseDer(fromHex(hex), 'v');
    expect(der.integer(one('0201ff'))).toBe(-1n);
    expect(der.integer(one('02020080'))).toBe(128n);
    expect(() => der.integer(one('02020001'))).toThrow(/minimally/);
    expect(() => der.integer(one('0200'))).toThrow(/no content/);
    expect(der.oid(one('06092a864886f70d01010b'))).toBe('1.2.840.113549.1.1.11');
    expect(() => der.oid(one('0603 2a8001'.replace(' ', '')))).toThrow(/leading 0x80/);
    expect(() => der.oid(one('06022a86'))).toThrow(/ends inside/);
    expect(der.boolean(one('0101ff'))).toBe(true);
    expect(() => der.boolean(one('010101'))).toThrow(/not DER/);
    const t = der.time(one('170d3236313132393134303030305a'));
    expect(t).toMatchObject({ kind: 'UTCTime', strict: true, ms: Date.UTC(2026, 10, 29, 14) });
    const loose = der.time(one('170b323631313239313430305a'));
    expect(loose).toMatchObject({ strict: false, ms: Date.UTC(2026, 10, 29, 14) });
    expect(der.time(one('170d3236313333393134303030305a'.slice(0, 30))).ms).toBeNull();
    expect(() => der.octetString(one('2400'))).toThrow(/primitive/);
    expect(Tag.SEQUENCE).toBe(0x30);
  });

  it('never throws anything but DerError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          const walk = (t: ReturnType<typeof parseDer>): void => {
            if (t.constructed) t.children().forEach(walk);
          };
          walk(parseDer(b));
        } catch (e) {
          expect(e).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PEM', () => {
  it('reads several blocks with text around them and CRLF', () => {
    const a = pemEncode('CERTIFICATE', new Uint8Array([1, 2, 3]));
    const b = pemEncode('X509 CRL', new Uint8Array([4, 5]));
    const text = `Certificate:\r\n  Data: ...\r\n${a.replace(/\n/g, '\r\n')}junk\n${b}`;
    const blocks = parsePemBlocks(text);
    expect(blocks.map((x) => x.label)).toEqual(['CERTIFICATE', 'X509 CRL']);
    expect(Array.from(blocks[1].der)).toEqual([4, 5]);
    expect(blocks[0].line).toBe(3);
  });
  it('keeps RFC 1421 headers of legacy encrypted keys', () => {
    const text =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAEC\n-----END RSA PRIVATE KEY-----\n';
    const [blk] = parsePemBlocks(text);
    expect(blk.headers['Proc-Type']).toBe('4,ENCRYPTED');
    expect(Array.from(blk.der)).toEqual([0, 1, 2]);
  });
  it('reports unterminated blocks and bad base64 with a line', () => {
    expect(() => parsePemBlocks('x\n-----BEGIN CERTIFICATE-----\nAAAA\n')).toThrow(/line 2/);
    expect(() => parsePemBlocks('-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----')).toThrow(/base64/);
  });
  it('base64 round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(Array.from(base64Decode(base64Encode(b)))).toEqual(Array.from(b));
        expect(base64Encode(b)).toBe(Buffer.from(b).toString('base64'));
      }),
    );
  });
});
