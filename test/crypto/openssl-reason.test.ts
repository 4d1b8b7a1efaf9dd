import { describe, expect, it } from 'vitest';
import { opensslPkcs1Reason } from '../../src/crypto/rsa.js';

// RSA_padding_check_PKCS1_type_1's order of checks (OpenSSL 3.0 rsa_pk1.c), then
// ossl_rsa_verify's DigestInfo comparison. The oracle test in test/pg shows psql printing
// these strings; this table pins each branch.
const block = (bytes: number[], len = 32) => {
  const b = new Uint8Array(len).fill(0xaa);
  b.set(bytes);
  return b;
};
const padded = (ffs: number, len = 32) => block([0x00, 0x01, ...Array(ffs).fill(0xff), 0x00], len);

describe('opensslPkcs1Reason', () => {
  it.each([
    ['leading octet not zero', block([0x5a, 0x01]), 'invalid padding'],
    ['block type not 01', block([0x00, 0x02]), 'block type is not 01'],
    ['a non-FF octet in the padding', block([0x00, 0x01, 0xff, 0x7f]), 'bad fixed header decrypt'],
    ['no zero after the padding', new Uint8Array([0x00, 0x01, ...Array(30).fill(0xff)]), 'null before block missing'],
    ['fewer than 8 FF octets', padded(7), 'bad pad byte count'],
    ['padding fine, DigestInfo differs', padded(8), 'bad signature'],
  ])('%s -> %s', (_what, em, reason) => {
    expect(opensslPkcs1Reason(em)).toBe(reason);
  });
});
