// keygen.ts: generated EC/EdDSA keys work with node:crypto; publicKeyOf derives what a private key lacks.

import { describe, expect, it } from 'vitest';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { CryptoError, generateKey, publicKeyOf, signMessage, verifySignature, type KeySpec } from '../../src/crypto/index.js';
import { toHex } from '../../src/der/bytes.js';
import type { PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/x509/types.js';
import { bytes, loadKey } from './helpers.js';

const msg = bytes('a freshly generated key');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const ser = (p: PublicKey) => JSON.stringify(p, (_, v) => (v instanceof Uint8Array ? toHex(v) : v));

function nodePublic(pub: PublicKey) {
  if (pub.kind === 'ec') {
    const size = (pub.point.length - 1) / 2;
    return createPublicKey({
      key: { kty: 'EC', crv: pub.curve, x: b64(pub.point.subarray(1, 1 + size)), y: b64(pub.point.subarray(1 + size)) },
      format: 'jwk',
    });
  }
  if (pub.kind === 'ed25519' || pub.kind === 'ed448') {
    return createPublicKey({ key: { kty: 'OKP', crv: pub.kind === 'ed25519' ? 'Ed25519' : 'Ed448', x: b64(pub.key) }, format: 'jwk' });
  }
  throw new Error('unsupported');
}

describe('generateKey / publicKeyOf (EC and EdDSA; RSA generation is covered by the one smoke test in rsa.test.ts)', () => {
  const cases: [KeySpec, SignatureAlgorithm, string | null, number][] = [
    ['p256', { kind: 'ecdsa', oid: '', hash: 'sha256' }, 'sha256', 256],
    ['p384', { kind: 'ecdsa', oid: '', hash: 'sha384' }, 'sha384', 384],
    ['p521', { kind: 'ecdsa', oid: '', hash: 'sha512' }, 'sha512', 521],
    ['ed25519', { kind: 'ed25519', oid: '' }, null, 253],
    ['ed448', { kind: 'ed448', oid: '' }, null, 456],
  ];
  for (const [spec, alg, nodeHash, bits] of cases) {
    it(`${String(spec)}: a key node:crypto accepts and whose signatures it verifies`, () => {
      const priv = generateKey(spec);
      const pub = publicKeyOf(priv);
      expect(pub.bits).toBe(bits);
      const sig = signMessage(alg, priv, msg);
      expect(nodeVerify(nodeHash, msg, nodePublic(pub), sig)).toBe(true);
      expect(verifySignature(alg, pub, msg, sig)).toEqual({ ok: true });
      // two keys are different keys
      expect(ser(publicKeyOf(generateKey(spec)))).not.toBe(ser(pub));
    });
  }

  it('publicKeyOf derives the public half when the private key does not carry it', () => {
    for (const name of ['p256-1', 'p384-1', 'p521-1', 'ed25519-1', 'ed448-1', 'rsa2048-1', 'rsapss2048-1']) {
      const k = loadKey(name);
      const stripped = { ...k.priv } as PrivateKey & { publicPoint?: unknown; publicKey?: unknown };
      delete stripped.publicPoint;
      delete stripped.publicKey;
      const pub = publicKeyOf(stripped);
      if (pub.kind === 'ec' && k.pub.kind === 'ec') expect(toHex(pub.point)).toBe(toHex(k.pub.point));
      else if ((pub.kind === 'ed25519' || pub.kind === 'ed448') && (k.pub.kind === 'ed25519' || k.pub.kind === 'ed448'))
        expect(toHex(pub.key)).toBe(toHex(k.pub.key));
      else if (pub.kind === 'rsa' && k.pub.kind === 'rsa') {
        expect(pub.n).toBe(k.pub.n);
        expect(pub.bits).toBe(k.pub.bits);
        expect(pub.pss).toEqual(k.pub.pss);
      } else throw new Error(`kind changed for ${name}`);
    }
  });

  it('unknown specs are a typed error', () => {
    expect(() => generateKey('dsa2048' as KeySpec)).toThrow(CryptoError);
  });
});
