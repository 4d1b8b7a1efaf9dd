// ecdsa.ts and eddsa.ts against node:crypto: every curve and SHA hash both ways, strict DER, high S,
// point forms, RFC 8032 Ed25519 vectors, non-canonical S.

import { describe, expect, it } from 'vitest';
import { createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import {
  CURVES,
  decodeEcPoint,
  ecdsaSign,
  ecdsaVerify,
  eddsaSign,
  eddsaVerify,
  edPublicKey,
  parseEcdsaSignature,
  prepareEcKey,
  prepareEdKey,
  verifySignature,
  hash,
  CryptoError,
} from '../../src/crypto/index.js';
import { concatBytes, fromHex, toHex } from '../../src/der/bytes.js';
import { derSequence, derTlv, derUnsignedInteger } from '../../src/der/writer.js';
import type { EcCurve, HashName } from '../../src/x509/types.js';
import { bytes, flip, loadKey, type TestKey } from './helpers.js';

const msg = bytes('signed by an ECDSA key');
const ecParts = (k: TestKey) => {
  if (k.priv.kind !== 'ec' || k.pub.kind !== 'ec') throw new Error('not EC');
  return { curve: k.priv.curve, d: k.priv.d, point: k.pub.point };
};
const HASHES: HashName[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const EC_KEYS = ['p256-1', 'p384-1', 'p521-1'];

/** r and s of a DER signature (for re-encoding tests). */
function rs(sig: Uint8Array, curve: EcCurve): { r: bigint; s: bigint } {
  const p = parseEcdsaSignature(curve, sig);
  if ('ok' in p) throw new Error(p.ok ? 'unreachable' : p.message);
  return p;
}

describe('ECDSA against node:crypto', () => {
  for (const name of EC_KEYS) {
    it(`${name}: every SHA hash, both directions (hashes longer than the order are truncated)`, () => {
      const k = loadKey(name);
      const { curve, d, point } = ecParts(k);
      const key = prepareEcKey(curve, point);
      for (const h of HASHES) {
        const ours = ecdsaSign(curve, d, h, msg);
        expect(nodeVerify(h, msg, k.nodePub, ours), `${name} ${h}`).toBe(true);
        const theirs = new Uint8Array(nodeSign(h, msg, k.node));
        expect(ecdsaVerify(key, h, msg, theirs), `${name} ${h}`).toEqual({ ok: true });
        // the hash the algorithm names, not the curve's
        const other: HashName = h === 'sha256' ? 'sha384' : 'sha256';
        expect(ecdsaVerify(key, other, msg, theirs).ok).toBe(false);
      }
    });
  }

  it('rejects another message, another key, flipped bits', () => {
    const k = loadKey('p256-1');
    const { curve, point } = ecParts(k);
    const key = prepareEcKey(curve, point);
    const sig = new Uint8Array(nodeSign('sha256', msg, k.node));
    expect(ecdsaVerify(key, 'sha256', bytes('another'), sig)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(ecdsaVerify(prepareEcKey('P-256', ecParts(loadKey('p256-2')).point), 'sha256', msg, sig)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    for (let bit = 0; bit < sig.length * 8; bit += 37) {
      const bad = flip(sig, bit);
      expect(ecdsaVerify(key, 'sha256', msg, bad).ok).toBe(false);
      expect(nodeVerify('sha256', msg, k.nodePub, bad)).toBe(false);
    }
  });

  it('accepts high S (OpenSSL has no low-S rule)', () => {
    const k = loadKey('p256-1');
    const { curve, point } = ecParts(k);
    const n = CURVES[curve].ecdsa.Point.Fn.ORDER;
    const { r, s } = rs(new Uint8Array(nodeSign('sha256', msg, k.node)), curve);
    const flipped = derSequence(derUnsignedInteger(r), derUnsignedInteger(n - s));
    expect(nodeVerify('sha256', msg, k.nodePub, flipped)).toBe(true);
    expect(ecdsaVerify(prepareEcKey(curve, point), 'sha256', msg, flipped)).toEqual({ ok: true });
  });

  it('requires strict DER with r, s in [1, n-1], exactly as OpenSSL (decode, re-encode, compare)', () => {
    const k = loadKey('p256-1');
    const { curve, point } = ecParts(k);
    const key = prepareEcKey(curve, point);
    const n = CURVES[curve].ecdsa.Point.Fn.ORDER;
    const good = new Uint8Array(nodeSign('sha256', msg, k.node));
    const { r, s } = rs(good, curve);
    const intRaw = (bytesHex: string) => derTlv(0x02, fromHex(bytesHex));
    const hex = (x: bigint) => {
      const h = x.toString(16);
      return h.length % 2 ? `0${h}` : h;
    };
    const bad: Record<string, Uint8Array> = {
      'non-minimal r (extra 00)': derSequence(intRaw(`0000${hex(r)}`), derUnsignedInteger(s)),
      'negative r (high bit without 00)': derSequence(intRaw(hex(r | (1n << 255n)).replace(/^00/, '')), derUnsignedInteger(s)),
      'trailing bytes': concatBytes(good, Uint8Array.of(0)),
      'trailing element inside': derSequence(derUnsignedInteger(r), derUnsignedInteger(s), derUnsignedInteger(1n)),
      'r = 0': derSequence(derUnsignedInteger(0n), derUnsignedInteger(s)),
      's = 0': derSequence(derUnsignedInteger(r), derUnsignedInteger(0n)),
      's = n': derSequence(derUnsignedInteger(r), derUnsignedInteger(n)),
      'r = n + r': derSequence(derUnsignedInteger(n + r), derUnsignedInteger(s)),
      'long-form length': concatBytes(Uint8Array.of(0x30, 0x81, good[1]), good.subarray(2)),
      'raw r||s (P1363)': fromHex(hex(r).padStart(64, '0') + hex(s).padStart(64, '0')),
      'SET instead of SEQUENCE': concatBytes(Uint8Array.of(0x31), good.subarray(1)),
      empty: new Uint8Array(),
    };
    for (const [what, sig] of Object.entries(bad)) {
      const res = ecdsaVerify(key, 'sha256', msg, sig);
      expect(res, what).toMatchObject({ ok: false, reason: 'malformed-signature' });
      expect(nodeVerify('sha256', msg, k.nodePub, sig), `node: ${what}`).toBe(false);
    }
  });

  it('takes compressed and hybrid public points; refuses points off the curve', () => {
    const k = loadKey('p384-1');
    const { curve, point } = ecParts(k);
    const sig = new Uint8Array(nodeSign('sha384', msg, k.node));
    const compressed = Uint8Array.of(2 + (point[point.length - 1] & 1), ...point.subarray(1, 49));
    const hybrid = Uint8Array.of(6 + (point[point.length - 1] & 1), ...point.subarray(1));
    for (const form of [point, compressed, hybrid]) {
      expect(ecdsaVerify(prepareEcKey(curve, form), 'sha384', msg, sig)).toEqual({ ok: true });
    }
    // node reads the compressed form too
    const spki = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-384',
        x: Buffer.from(point.subarray(1, 49)).toString('base64url'),
        y: Buffer.from(point.subarray(49)).toString('base64url'),
      },
      format: 'jwk',
    });
    expect(nodeVerify('sha384', msg, spki, sig)).toBe(true);
    const wrongParity = Uint8Array.of(hybrid[0] ^ 1, ...hybrid.subarray(1));
    expect(() => decodeEcPoint(curve, wrongParity)).toThrow(CryptoError);
    expect(() => decodeEcPoint(curve, flip(point, 8 * 40))).toThrow(CryptoError);
    expect(() => decodeEcPoint(curve, Uint8Array.of(0))).toThrow(CryptoError);
    expect(
      verifySignature({ kind: 'ecdsa', oid: '', hash: 'sha384' }, { kind: 'ec', curve, point: flip(point, 8 * 40), bits: 384 }, msg, sig),
    ).toMatchObject({
      ok: false,
      reason: 'bad-parameters',
    });
  });

  it('a prepared key stays correct across its precomputation stages', () => {
    const k = loadKey('p256-3');
    const { curve, d, point } = ecParts(k);
    const key = prepareEcKey(curve, point);
    for (let i = 0; i < 40; i++) {
      const m = bytes(`cert ${i}`);
      const sig = ecdsaSign(curve, d, 'sha256', m);
      expect(ecdsaVerify(key, 'sha256', m, sig).ok).toBe(true);
      expect(ecdsaVerify(key, 'sha256', m, flip(sig, 8 * 10)).ok).toBe(false);
    }
    expect(key.uses).toBe(80);
  });

  it('noble agrees on the signatures we produce (lowS off, prehash off)', () => {
    const k = loadKey('p256-2');
    const { curve, d, point } = ecParts(k);
    const sig = ecdsaSign(curve, d, 'sha512', msg);
    expect(p256.verify(sig, hash('sha512', msg), point, { prehash: false, lowS: false, format: 'der' })).toBe(true);
    expect(p256.verify(sig, hash('sha256', msg), point, { prehash: false, lowS: false, format: 'der' })).toBe(false);
    expect(toHex(sig)).toBe(toHex(ecdsaSign(curve, d, 'sha512', msg))); // deterministic (RFC 6979)
  });
});

describe('Ed25519 / Ed448', () => {
  // RFC 8032 §7.1 TEST 1, TEST 2, TEST 3
  const vectors = [
    {
      sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      msg: '',
      sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      msg: '72',
      sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
    {
      sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      msg: 'af82',
      sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    },
  ];
  it.each(vectors.map((v, i) => [i + 1, v] as const))('RFC 8032 Ed25519 TEST %i', (_, v) => {
    const sk = fromHex(v.sk);
    expect(toHex(edPublicKey('ed25519', sk))).toBe(v.pk);
    expect(toHex(eddsaSign('ed25519', sk, fromHex(v.msg)))).toBe(v.sig);
    const key = prepareEdKey('ed25519', fromHex(v.pk));
    expect(eddsaVerify(key, fromHex(v.msg), fromHex(v.sig))).toEqual({ ok: true });
    expect(eddsaVerify(key, fromHex(`${v.msg}00`), fromHex(v.sig)).ok).toBe(false);
  });

  for (const name of ['ed25519-1', 'ed25519-2', 'ed25519-3', 'ed25519-4', 'ed25519-5', 'ed25519-6', 'ed448-1']) {
    it(`${name}: both directions with node:crypto`, () => {
      const k = loadKey(name);
      if (k.priv.kind !== 'ed25519' && k.priv.kind !== 'ed448') throw new Error('not EdDSA');
      if (k.pub.kind !== 'ed25519' && k.pub.kind !== 'ed448') throw new Error('not EdDSA');
      const kind = k.priv.kind;
      const ours = eddsaSign(kind, k.priv.seed, msg);
      expect(nodeVerify(null, msg, k.nodePub, ours)).toBe(true);
      const theirs = new Uint8Array(nodeSign(null, msg, k.node));
      expect(toHex(ours)).toBe(toHex(theirs)); // EdDSA is deterministic
      const key = prepareEdKey(kind, k.pub.key);
      expect(eddsaVerify(key, msg, theirs)).toEqual({ ok: true });
      for (const bit of [0, 100, 300, theirs.length * 8 - 1]) {
        expect(eddsaVerify(key, msg, flip(theirs, bit)).ok).toBe(false);
        expect(nodeVerify(null, msg, k.nodePub, flip(theirs, bit))).toBe(false);
      }
      expect(eddsaVerify(key, msg, theirs.subarray(1))).toMatchObject({ ok: false, reason: 'malformed-signature' });
    });
  }

  it('rejects a non-canonical S (S + L), as OpenSSL does, though it is the same scalar', () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const k = loadKey('ed25519-1');
    if (k.pub.kind !== 'ed25519') throw new Error('unreachable');
    const sig = new Uint8Array(nodeSign(null, msg, k.node));
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
    const s2 = s + L;
    expect(s2 < 1n << 256n).toBe(true);
    const bad = Uint8Array.from(sig);
    for (let i = 0; i < 32; i++) bad[32 + i] = Number((s2 >> BigInt(8 * i)) & 0xffn);
    expect(nodeVerify(null, msg, k.nodePub, bad)).toBe(false);
    expect(eddsaVerify(prepareEdKey('ed25519', k.pub.key), msg, bad)).toMatchObject({ ok: false, reason: 'malformed-signature' });
  });

  it('refuses malformed keys with a typed error', () => {
    expect(() => prepareEdKey('ed25519', new Uint8Array(31))).toThrow(CryptoError);
    expect(() => prepareEdKey('ed448', new Uint8Array(57).fill(0xff))).toThrow(CryptoError);
    expect(() => eddsaSign('ed448', new Uint8Array(32), msg)).toThrow(CryptoError);
  });
});
