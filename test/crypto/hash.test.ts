// hash.ts against node:crypto: every digest and HMAC, the MD2 refusal, the DigestInfo prefix table.

import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { CryptoError, DIGEST_INFO_PREFIX, HASH_NAMES, hash, hashLength, hmac, isHashSupported } from '../../src/crypto/index.js';
import { derOctetString, derOid, derSequence, DER_NULL } from '../../src/der/writer.js';
import { HASH_OID } from '../../src/crypto/hash.js';
import type { HashName } from '../../src/x509/types.js';

const NODE_NAME: Record<Exclude<HashName, 'md2'>, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  'sha512-224': 'sha512-224',
  'sha512-256': 'sha512-256',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

describe('hash', () => {
  it.each(Object.entries(NODE_NAME))('%s equals node:crypto on random inputs', (name, nodeName) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const ours = hash(name as HashName, data);
        expect(Buffer.from(ours).toString('hex')).toBe(createHash(nodeName).update(data).digest('hex'));
        expect(ours.length).toBe(hashLength(name as HashName));
      }),
      { numRuns: 30 },
    );
  });

  it.each(Object.entries(NODE_NAME))('HMAC-%s equals node:crypto', (name, nodeName) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 100 }), (key, data) => {
        expect(Buffer.from(hmac(name as HashName, key, data)).toString('hex')).toBe(createHmac(nodeName, key).update(data).digest('hex'));
      }),
      { numRuns: 20 },
    );
  });

  it('md2 is named but unsupported, with a typed error', () => {
    expect(isHashSupported('md2')).toBe(false);
    expect(hashLength('md2')).toBe(16);
    expect(() => hash('md2', new Uint8Array())).toThrow(CryptoError);
    try {
      hash('md2', new Uint8Array());
    } catch (e) {
      expect((e as CryptoError).code).toBe('UNSUPPORTED_HASH');
    }
  });

  it('DigestInfo prefixes are DER of SEQUENCE { SEQUENCE { oid, NULL }, OCTET STRING } for every hash', () => {
    for (const name of HASH_NAMES) {
      const digest = new Uint8Array(hashLength(name)).fill(0xab);
      const full = derSequence(derSequence(derOid(HASH_OID[name]), DER_NULL), derOctetString(digest));
      expect(Buffer.from(DIGEST_INFO_PREFIX[name]).toString('hex')).toBe(
        Buffer.from(full.subarray(0, full.length - digest.length)).toString('hex'),
      );
    }
  });
});
