import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type createPublicKey, createVerify, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ecdsaVerifyDigest, prepareEcKey } from '../../src/crypto/ecdsa.js';
import { buildWindowTable, combine, type WeierstrassCurve } from '../../src/crypto/weierstrass.js';
import { modInverse } from '../../src/crypto/modular.js';
import { hash } from '../../src/crypto/hash.js';
import type { EcCurve, HashName } from '../../src/x509/types.js';

// weierstrass.ts computes the ECDSA equation with its own Jacobian arithmetic and window
// tables; OpenSSL (node:crypto) signs and is the oracle for the verdict, noble for the
// arithmetic (k·G as a point), on every curve and every table stage a key goes through.

const NODE_CURVE: Record<EcCurve, { name: string; hash: HashName; nodeHash: string; noble: typeof p256 }> = {
  'P-256': { name: 'prime256v1', hash: 'sha256', nodeHash: 'sha256', noble: p256 },
  'P-384': { name: 'secp384r1', hash: 'sha384', nodeHash: 'sha384', noble: p384 as unknown as typeof p256 },
  'P-521': { name: 'secp521r1', hash: 'sha512', nodeHash: 'sha512', noble: p521 as unknown as typeof p256 },
};

function rawPoint(publicKey: ReturnType<typeof createPublicKey>): Uint8Array {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // the point is the BIT STRING at the end of the SPKI; its length is fixed per curve
  const size = { 'P-256': 65, 'P-384': 97, 'P-521': 133 };
  const len = Object.values(size).find((l) => spki[spki.length - l - 1] === 0x00 && spki[spki.length - l] === 0x04)!;
  return new Uint8Array(spki.subarray(spki.length - len));
}

describe('ECDSA verification equation (weierstrass.ts) against OpenSSL signatures', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as EcCurve[]) {
    it(`${curve}: valid signatures verify and altered ones do not, through every table stage`, () => {
      const info = NODE_CURVE[curve];
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: info.name });
      const key = prepareEcKey(curve, rawPoint(publicKey));
      // 140 uses: no table, then the 4-bit table (4th use), then the 8-bit one (128th)
      for (let i = 0; i < 140; i++) {
        const msg = new TextEncoder().encode(`message ${curve} ${i}`);
        const sig = new Uint8Array(nodeSign(info.nodeHash, msg, privateKey));
        const digest = hash(info.hash, msg);
        const ok = ecdsaVerifyDigest(key, digest, sig);
        expect(ok.ok, `use ${i}`).toBe(true);
        const other = hash(info.hash, new TextEncoder().encode(`other ${i}`));
        if (i % 7 === 0) expect(ecdsaVerifyDigest(key, other, sig).ok, `use ${i}, other message`).toBe(false);
      }
      expect(key.verifyKey.table?.w).toBe(8);
      // and node agrees on a last one
      const msg = new Uint8Array([1, 2, 3]);
      const sig = nodeSign(info.nodeHash, msg, privateKey);
      expect(createVerify(info.nodeHash).update(msg).verify(publicKey, sig)).toBe(true);
      expect(ecdsaVerifyDigest(key, hash(info.hash, msg), new Uint8Array(sig)).ok).toBe(true);
    });
  }

  for (const curve of ['P-256', 'P-384', 'P-521'] as EcCurve[]) {
    it(`${curve}: u1·G + u2·Q equals noble's for random scalars, with and without tables`, () => {
      const noble = NODE_CURVE[curve].noble;
      const k = noble.Point.CURVE();
      const c: WeierstrassCurve = { p: k.p, n: k.n, gx: k.Gx, gy: k.Gy, nBits: noble.Point.Fn.BITS };
      const tables = [4, 8].map((w) => buildWindowTable(c, { x: c.gx, y: c.gy }, w));
      const Q = noble.Point.fromBytes(noble.getPublicKey(noble.utils.randomSecretKey(), false));
      const q = Q.toAffine();
      const qTables = [undefined, buildWindowTable(c, q, 4), buildWindowTable(c, q, 5)];
      const scalar = fc.oneof(fc.bigInt({ min: 0n, max: k.n - 1n }), fc.constantFrom(0n, 1n, 2n, k.n - 1n, k.n - 2n, (k.n + 1n) / 2n));
      fc.assert(
        fc.property(scalar, scalar, fc.nat(1), fc.nat(2), (u1, u2, gi, qi) => {
          const want = noble.Point.BASE.multiplyUnsafe(u1).add(Q.multiplyUnsafe(u2));
          const got = combine(c, tables[gi], { q, table: qTables[qi] }, u1, u2);
          if (want.is0()) expect(got).toBeUndefined();
          else expect(got).toEqual(want.toAffine());
        }),
        { numRuns: curve === 'P-256' ? 60 : 15 },
      );
      // Q = ±G and u2 = ±u1 make the doubling and the inverse case of the mixed addition
      const g = { x: c.gx, y: c.gy };
      for (const [u1, u2] of [
        [5n, 5n],
        [5n, k.n - 5n],
        [1n, 1n],
        [1n, k.n - 1n],
      ]) {
        const want = noble.Point.BASE.multiplyUnsafe(u1).add(noble.Point.BASE.multiplyUnsafe(u2));
        for (const t of [undefined, buildWindowTable(c, g, 4)]) {
          const got = combine(c, tables[0], { q: g, table: t }, u1, u2);
          if (want.is0()) expect(got).toBeUndefined();
          else expect(got).toEqual(want.toAffine());
        }
      }
    });
  }

  it('modInverse', () => {
    const n = p256.Point.CURVE().n;
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: n - 1n }), (a) => (a * modInverse(a, n)) % n === 1n));
    expect(() => modInverse(0n, n)).toThrow(/not invertible/);
  });
});
