// rsa.ts: BigInt primitives, PKCS#1 v1.5 and PSS in both directions against node:crypto (OpenSSL 3.0),
// OpenSSL's length/range rules, the e = 3 forgery, RFC 8017 PSS vector, PSS key restrictions, one keygen smoke test.

import { describe, expect, it } from 'vitest';
import { constants, createPrivateKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { bitLength } from '../../src/der/index.js';
import {
  DIGEST_INFO_PREFIX,
  generateRsaKey,
  hash,
  i2osp,
  isProbablePrime,
  modInverse,
  modPow,
  os2ip,
  pssRestrictionProblem,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssSign,
  rsaPssVerify,
  rsasp1,
  CryptoError,
} from '../../src/crypto/index.js';
import { concatBytes, fromHex, toHex } from '../../src/der/bytes.js';
import type { HashName, PssParams } from '../../src/x509/types.js';
import { FIXTURE_DIR, bytes, flip, loadKey, restrictedPssKey, type TestKey } from './helpers.js';

const rsaPriv = (k: TestKey) => {
  if (k.priv.kind !== 'rsa') throw new Error('not RSA');
  return k.priv;
};
const rsaPub = (k: TestKey) => {
  if (k.pub.kind !== 'rsa') throw new Error('not RSA');
  return k.pub;
};
const PSS = constants.RSA_PKCS1_PSS_PADDING;
const msg = bytes('PostgreSQL TLS: the quick brown fox');

describe('integer primitives', () => {
  const naive = (b: bigint, e: bigint, m: bigint) => {
    let r = 1n;
    b %= m;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      b = (b * b) % m;
      e >>= 1n;
    }
    return r % m;
  };
  const big = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });

  it('modPow equals plain square-and-multiply (short and long exponents)', () => {
    fc.assert(
      fc.property(big(300), big(700), fc.bigInt({ min: 1n, max: (1n << 300n) - 1n }), (b, e, m) => {
        expect(modPow(b, e, m)).toBe(naive(b, e, m));
      }),
      { numRuns: 100 },
    );
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    expect(modPow(-2n, 3n, 7n)).toBe(6n); // (-8) mod 7
    expect(() => modPow(2n, -1n, 7n)).toThrow(CryptoError);
  });

  it('I2OSP / OS2IP round-trip and refuse integers that do not fit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toHex(i2osp(os2ip(b), b.length))).toBe(toHex(b));
      }),
    );
    expect(toHex(i2osp(1n, 3))).toBe('000001');
    expect(() => i2osp(256n, 1)).toThrow(CryptoError);
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(255n)).toBe(8);
    expect(bitLength(256n)).toBe(9);
    expect(modInverse(3n, 7n)).toBe(5n);
    expect(() => modInverse(2n, 4n)).toThrow(CryptoError);
  });

  it('Miller-Rabin separates primes from composites, including Carmichael numbers', () => {
    for (const p of [2n, 3n, 65537n, (1n << 127n) - 1n, (1n << 521n) - 1n]) expect(isProbablePrime(p)).toBe(true);
    for (const c of [1n, 4n, 561n, 41041n, 825265n, 321197185n, ((1n << 127n) - 1n) * 65537n]) expect(isProbablePrime(c)).toBe(false);
  });
});

const PKCS1_HASHES: HashName[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512-224', 'sha512-256', 'md5'];

describe('RSASSA-PKCS1-v1_5 against node:crypto (OpenSSL 3.0)', () => {
  for (const keyName of ['rsa1024-1', 'rsa2048-1', 'rsa3072-1', 'rsa4096-1']) {
    it(`${keyName}: ours verifies with crypto.verify and node's verifies with ours, every hash`, () => {
      const k = loadKey(keyName);
      for (const h of PKCS1_HASHES) {
        const ours = rsaPkcs1Sign(rsaPriv(k), h, msg);
        expect(nodeVerify(h, msg, k.nodePub, ours), `${keyName} ${h} node verifies ours`).toBe(true);
        // PKCS#1 v1.5 is deterministic: the two signatures are the same octets
        const theirs = new Uint8Array(nodeSign(h, msg, k.node));
        expect(toHex(ours)).toBe(toHex(theirs));
        expect(rsaPkcs1Verify(rsaPub(k), h, msg, theirs)).toEqual({ ok: true });
      }
    });
  }

  it('rejects flipped bits, another key, another hash, another message', () => {
    const k = loadKey('rsa2048-1');
    const sig = new Uint8Array(nodeSign('sha256', msg, k.node));
    for (const bit of [0, 7, 8, 1000, 2047]) {
      const r = rsaPkcs1Verify(rsaPub(k), 'sha256', msg, flip(sig, bit));
      expect(r.ok).toBe(false);
      expect(nodeVerify('sha256', msg, k.nodePub, flip(sig, bit))).toBe(false);
    }
    expect(rsaPkcs1Verify(rsaPub(loadKey('rsa2048-2')), 'sha256', msg, sig)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const wrongHash = rsaPkcs1Verify(rsaPub(k), 'sha384', msg, sig);
    expect(wrongHash).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(rsaPkcs1Verify(rsaPub(k), 'sha256', bytes('other'), sig)).toMatchObject({ ok: false, reason: 'bad-signature' });
    if (!wrongHash.ok) expect(wrongHash.message).toMatch(/padding|DigestInfo/);
  });

  it('requires exactly k octets (no truncation, no leading zero padding), as ossl_rsa_verify does', () => {
    const k = loadKey('rsa2048-1');
    const sig = new Uint8Array(nodeSign('sha256', msg, k.node));
    const padded = concatBytes(Uint8Array.of(0), sig);
    expect(rsaPkcs1Verify(rsaPub(k), 'sha256', msg, padded)).toMatchObject({ ok: false, reason: 'malformed-signature' });
    expect(nodeVerify('sha256', msg, k.nodePub, padded)).toBe(false);
    expect(rsaPkcs1Verify(rsaPub(k), 'sha256', msg, sig.subarray(1))).toMatchObject({ ok: false, reason: 'malformed-signature' });
    expect(rsaPkcs1Verify(rsaPub(k), 'sha256', msg, new Uint8Array())).toMatchObject({ ok: false, reason: 'malformed-signature' });
    // a genuine signature that starts with 00 is still refused once the zero is stripped
    for (let i = 0; i < 3000; i++) {
      const m = bytes(`short-${i}`);
      const s = new Uint8Array(nodeSign('sha256', m, k.node));
      if (s[0] !== 0) continue;
      expect(rsaPkcs1Verify(rsaPub(k), 'sha256', m, s)).toEqual({ ok: true });
      expect(rsaPkcs1Verify(rsaPub(k), 'sha256', m, s.subarray(1)).ok).toBe(false);
      expect(nodeVerify('sha256', m, k.nodePub, s.subarray(1))).toBe(false);
      return;
    }
    throw new Error('no signature with a leading zero found');
  });

  it('rejects a signature value >= n', () => {
    const k = loadKey('rsa2048-1');
    const pub = rsaPub(k);
    for (const s of [pub.n, pub.n + 1n, (1n << 2048n) - 1n]) {
      const sig = i2osp(s, 256);
      expect(rsaPkcs1Verify(pub, 'sha256', msg, sig)).toMatchObject({ ok: false, reason: 'malformed-signature' });
      expect(nodeVerify('sha256', msg, k.nodePub, sig)).toBe(false);
    }
  });

  it('rejects DigestInfo without the NULL parameters (the whole block is compared)', () => {
    const k = loadKey('rsa2048-1');
    const priv = rsaPriv(k);
    // SEQUENCE { SEQUENCE { sha256 } , OCTET STRING digest } -- parameters absent
    const t = concatBytes(fromHex('302f300b0609608648016503040201 0420'), hash('sha256', msg));
    const em = new Uint8Array(256).fill(0xff);
    em[0] = 0;
    em[1] = 1;
    em[256 - t.length - 1] = 0;
    em.set(t, 256 - t.length);
    const sig = i2osp(rsasp1(priv, os2ip(em)), 256);
    expect(nodeVerify('sha256', msg, k.nodePub, sig)).toBe(false);
    expect(rsaPkcs1Verify(rsaPub(k), 'sha256', msg, sig)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it("rejects Bleichenbacher's 2006 e = 3 forgery (garbage after the digest), which a lax parser accepts", () => {
    const k = loadKey('rsa2048-e3', FIXTURE_DIR);
    const pub = rsaPub(k);
    expect(pub.e).toBe(3n);
    // the real signature works with e = 3
    expect(rsaPkcs1Verify(pub, 'sha256', msg, new Uint8Array(nodeSign('sha256', msg, k.node)))).toEqual({ ok: true });
    // forge without the private key: 00 01 FF 00 DigestInfo(sha256) garbage, cube root rounded up
    const di = concatBytes(DIGEST_INFO_PREFIX.sha256, hash('sha256', msg));
    const prefix = concatBytes(Uint8Array.of(0x00, 0x01, 0xff, 0x00), di);
    const target = os2ip(concatBytes(prefix, new Uint8Array(256 - prefix.length).fill(0xff)));
    const icbrt = (x: bigint) => {
      let lo = 0n;
      let hi = 1n << 700n;
      while (lo < hi) {
        const mid = (lo + hi + 1n) >> 1n;
        if (mid * mid * mid <= x) lo = mid;
        else hi = mid - 1n;
      }
      return lo;
    };
    const s = icbrt(target);
    const forged = i2osp(s, 256);
    const em = i2osp(s ** 3n, 256);
    // a parser that stops after the DigestInfo (the 2006 bug) is fooled:
    expect(toHex(em.subarray(0, prefix.length))).toBe(toHex(prefix));
    expect(s ** 3n < pub.n).toBe(true);
    // ours and OpenSSL are not
    expect(rsaPkcs1Verify(pub, 'sha256', msg, forged)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(nodeVerify('sha256', msg, k.nodePub, forged)).toBe(false);
  });

  it('refuses keys OpenSSL refuses: e >= n, even n, a 3072+-bit modulus with a huge e', () => {
    const sig = new Uint8Array(256);
    expect(rsaPkcs1Verify({ n: 1000003n * 1000033n, e: 1000003n * 1000033n + 2n }, 'sha256', msg, sig)).toMatchObject({
      reason: 'bad-parameters',
    });
    expect(rsaPkcs1Verify({ n: (1n << 2047n) + 2n, e: 65537n }, 'sha256', msg, sig)).toMatchObject({ reason: 'bad-parameters' });
    const k = rsaPub(loadKey('rsa4096-1'));
    expect(rsaPkcs1Verify({ n: k.n, e: (1n << 65n) + 1n }, 'sha256', msg, new Uint8Array(512))).toMatchObject({ reason: 'bad-parameters' });
  });

  it('md2 is unsupported, and a key too short for the DigestInfo is a parameter problem', () => {
    const k = loadKey('rsa1024-1');
    expect(rsaPkcs1Verify(rsaPub(k), 'md2', msg, new Uint8Array(128))).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    // 512-bit modulus cannot hold a SHA-512 DigestInfo (83 + 11 > 64 octets)
    const small = { n: (1n << 511n) + 1n + 2n * 3n, e: 65537n };
    expect(rsaPkcs1Verify(small, 'sha512', msg, new Uint8Array(64))).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });
});

const pssNode = (k: TestKey, saltLength: number) => ({ key: k.node, padding: PSS, saltLength });

describe('RSASSA-PSS against node:crypto', () => {
  const cases: [string, HashName, number][] = [
    ['rsa2048-1', 'sha256', 32],
    ['rsa2048-1', 'sha256', 0],
    ['rsa2048-1', 'sha256', 20],
    ['rsa2048-1', 'sha1', 20],
    ['rsa2048-1', 'sha384', 48],
    ['rsa2048-1', 'sha512', 64],
    ['rsa2048-1', 'sha512', 190], // the maximum for 2048 bits: 256 - 64 - 2
    ['rsa1024-1', 'sha512', 62], // maximum for 1024 bits
    ['rsapss2048-1', 'sha256', 32],
    ['rsa1025', 'sha256', 32], // |n| = 1 mod 8: EM is one octet shorter than the modulus
    ['rsa1025', 'sha256', 94], // and its maximum salt: 128 - 32 - 2
  ];
  for (const [keyName, h, salt] of cases) {
    it(`${keyName} ${h} salt ${salt}: both directions`, () => {
      const k = loadKey(keyName, keyName === 'rsa1025' ? FIXTURE_DIR : undefined);
      const ours = rsaPssSign(rsaPriv(k), msg, { hash: h, saltLength: salt });
      expect(ours.length).toBe(Math.ceil(bitLength(rsaPub(k).n) / 8));
      expect(nodeVerify(h, msg, { key: k.nodePub, padding: PSS, saltLength: salt }, ours)).toBe(true);
      const theirs = new Uint8Array(nodeSign(h, msg, pssNode(k, salt)));
      expect(rsaPssVerify(rsaPub(k), msg, theirs, { hash: h, mgfHash: h, saltLength: salt })).toEqual({ ok: true });
      expect(rsaPssVerify(rsaPub(k), msg, theirs, { hash: h, mgfHash: h, saltLength: 'auto' })).toEqual({ ok: true });
    });
  }

  it('checks the salt length exactly unless asked to recover it (RSA_PSS_SALTLEN_AUTO)', () => {
    const k = loadKey('rsa2048-1');
    const sig = new Uint8Array(nodeSign('sha256', msg, pssNode(k, 17)));
    expect(rsaPssVerify(rsaPub(k), msg, sig, { hash: 'sha256', mgfHash: 'sha256', saltLength: 17 })).toEqual({ ok: true });
    expect(rsaPssVerify(rsaPub(k), msg, sig, { hash: 'sha256', mgfHash: 'sha256', saltLength: 'auto' })).toEqual({ ok: true });
    const exact = rsaPssVerify(rsaPub(k), msg, sig, { hash: 'sha256', mgfHash: 'sha256', saltLength: 32 });
    expect(exact).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(nodeVerify('sha256', msg, { key: k.nodePub, padding: PSS, saltLength: 32 }, sig)).toBe(false);
    // a salt that cannot fit at all is a parameter problem
    expect(rsaPssVerify(rsaPub(k), msg, sig, { hash: 'sha256', mgfHash: 'sha256', saltLength: 300 })).toMatchObject({
      reason: 'bad-parameters',
    });
  });

  it('MGF1 with another hash, through id-RSASSA-PSS keys whose parameters node honours', () => {
    const params: PssParams[] = [
      { hash: 'sha256', mgfHash: 'sha1', saltLength: 20, trailerField: 1 },
      { hash: 'sha384', mgfHash: 'sha256', saltLength: 0, trailerField: 1 },
      { hash: 'sha1', mgfHash: 'sha512', saltLength: 64, trailerField: 1 },
    ];
    for (const p of params) {
      const k = restrictedPssKey(p);
      const ours = rsaPssSign(rsaPriv(k), msg, { hash: p.hash, mgfHash: p.mgfHash, saltLength: p.saltLength });
      expect(nodeVerify(p.hash, msg, k.nodePub, ours), JSON.stringify(p)).toBe(true);
      const theirs = new Uint8Array(nodeSign(p.hash, msg, k.node));
      expect(rsaPssVerify(rsaPub(k), msg, theirs, { hash: p.hash, mgfHash: p.mgfHash, saltLength: p.saltLength })).toEqual({ ok: true });
      // the wrong MGF1 hash garbles the padding
      const other: HashName = p.mgfHash === 'sha1' ? 'sha256' : 'sha1';
      expect(rsaPssVerify(rsaPub(k), msg, theirs, { hash: p.hash, mgfHash: other, saltLength: 'auto' })).toMatchObject({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('accepts a signature shorter than the modulus (RSA_public_decrypt strips leading zeros), as OpenSSL does', () => {
    const k = loadKey('rsa1024-1');
    for (let i = 0; i < 4000; i++) {
      const m = bytes(`pss-short-${i}`);
      const s = new Uint8Array(nodeSign('sha256', m, pssNode(k, 32)));
      if (s[0] !== 0) continue;
      const short = s.subarray(1);
      expect(nodeVerify('sha256', m, { key: k.nodePub, padding: PSS, saltLength: 32 }, short)).toBe(true);
      expect(rsaPssVerify(rsaPub(k), m, short, { hash: 'sha256', mgfHash: 'sha256', saltLength: 32 })).toEqual({ ok: true });
      return;
    }
    throw new Error('no signature with a leading zero found');
  });

  it('rejects flipped bits, a longer signature, s >= n, another key', () => {
    const k = loadKey('rsa2048-1');
    const o = { hash: 'sha256', mgfHash: 'sha256', saltLength: 32 } as const;
    const sig = new Uint8Array(nodeSign('sha256', msg, pssNode(k, 32)));
    for (const bit of [0, 9, 500, 2040, 2047]) {
      expect(rsaPssVerify(rsaPub(k), msg, flip(sig, bit), o).ok).toBe(false);
      expect(nodeVerify('sha256', msg, { key: k.nodePub, padding: PSS, saltLength: 32 }, flip(sig, bit))).toBe(false);
    }
    expect(rsaPssVerify(rsaPub(k), msg, concatBytes(Uint8Array.of(0), sig), o)).toMatchObject({ reason: 'malformed-signature' });
    expect(rsaPssVerify(rsaPub(k), msg, i2osp(rsaPub(k).n, 256), o)).toMatchObject({ reason: 'malformed-signature' });
    expect(rsaPssVerify(rsaPub(loadKey('rsa2048-2')), msg, sig, o)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('RFC 8017 / pss-vect.txt Example 1.1 (1024-bit key, SHA-1, MGF1-SHA-1, 20-octet salt)', () => {
    const n = BigInt(
      '0xa56e4a0e701017589a5187dc7ea841d156f2ec0e36ad52a44dfeb1e61f7ad991d8c51056ffedb162b4c0f283a12a88a394dff526ab7291cbb307ceabfce0b1dfd5cd9508096d5b2b8b6df5d671ef6377c0921cb23c270a70e2598e6ff89d19f105acc2d3f0cb35f29280e1386b6f64c4ef22e1e1f20d0ce8cffb2249bd9a2137',
    );
    const d = BigInt(
      '0x33a5042a90b27d4f5451ca9bbbd0b44771a101af884340aef9885f2a4bbe92e894a724ac3c568c8f97853ad07c0266c8c6a3ca0929f1e8f11231884429fc4d9ae55fee896a10ce707c3ed7e734e44727a39574501a532683109c2abacaba283c31b4bd2f53c3ee37e352cee34f9e503bd80c0622ad79c6dcee883547c6a3b325',
    );
    const m = fromHex(
      'cdc87da223d786df3b45e0bbbc721326d1ee2af806cc315475cc6f0d9c66e1b62371d45ce2392e1ac92844c310102f156a0d8d52c1f4c40ba3aa65095786cb769757a6563ba958fed0bcc984e8b517a3d5f515b23b8a41e74aa867693f90dfb061a6e86dfaaee64472c00e5f20945729cbebe77f06ce78e08f4098fba41f9d6193c0317e8b60d4b6084acb42d29e3808a3bc372d85e331170fcbf7cc72d0b71c296648b3a4d10f416295d0807aa625cab2744fd9ea8fd223c42537029828bd16be02546f130fd2e33b936d2676e08aed1b73318b750a0167d0',
    );
    const salt = fromHex('dee959c7e06411361420ff80185ed57f3e6776af');
    const expected =
      '9074308fb598e9701b2294388e52f971faac2b60a5145af185df5287b5ed2887e57ce7fd44dc8634e407c8e0e4360bc226f3ec227f9d9e54638e8d31f5051215df6ebb9c2f9579aa77598a38f914b5b9c1bd83c4e2f9f382a0d0aa3542ffee65984a601bc69eb28deb27dca12c82c2d4c3f66cd500f1ff2b994d8a4e30cbb33c';
    // no CRT values: rsasp1 falls back to m^d mod n
    const priv = { kind: 'rsa' as const, n, e: 65537n, d, p: 0n, q: 0n, dp: 0n, dq: 0n, qi: 0n };
    expect(toHex(rsaPssSign(priv, m, { hash: 'sha1', salt }))).toBe(expected);
    expect(rsaPssVerify({ n, e: 65537n }, m, fromHex(expected), { hash: 'sha1', mgfHash: 'sha1', saltLength: 20 })).toEqual({ ok: true });
  });
});

describe('RSA-PSS key restrictions (OpenSSL rsa_sig.c), with node as the oracle', () => {
  const restricted: PssParams = { hash: 'sha256', mgfHash: 'sha256', saltLength: 32, trailerField: 1 };

  it.each([
    [{ hash: 'sha256', mgfHash: 'sha256', saltLength: 32 }, undefined],
    [{ hash: 'sha256', mgfHash: 'sha256', saltLength: 64 }, undefined],
    [{ hash: 'sha384', mgfHash: 'sha256', saltLength: 32 }, 'mismatch'],
    [{ hash: 'sha256', mgfHash: 'sha1', saltLength: 32 }, 'mismatch'],
    [{ hash: 'sha256', mgfHash: 'sha256', saltLength: 20 }, 'mismatch'],
  ] as const)('%j -> %s', (used, expected) => {
    expect(pssRestrictionProblem(restricted, used, 2048)?.kind).toBe(expected);
  });

  it('node agrees: a smaller salt or another hash is refused by a restricted key', () => {
    const k = restrictedPssKey(restricted);
    expect(() => nodeSign('sha384', msg, k.node)).toThrow(/digest not allowed/);
    expect(() => nodeSign('sha256', msg, { key: k.node, saltLength: 20 })).toThrow(/saltlen too small/);
    expect(
      nodeVerify(
        'sha256',
        msg,
        { key: k.nodePub, saltLength: 64 },
        new Uint8Array(nodeSign('sha256', msg, { key: k.node, saltLength: 64 })),
      ),
    ).toBe(true);
  });

  it('a key whose minimum salt cannot fit the modulus is invalid (k - hLen, one less when |n| = 1 mod 8)', () => {
    expect(pssRestrictionProblem({ ...restricted, saltLength: 224 }, { ...restricted, saltLength: 224 }, 2048)).toBeUndefined();
    expect(pssRestrictionProblem({ ...restricted, saltLength: 225 }, { ...restricted, saltLength: 225 }, 2048)?.kind).toBe('bad-key');
    // 1025 bits: k = 129 octets, max = 129 - 32 - 1
    expect(pssRestrictionProblem({ ...restricted, saltLength: 96 }, { ...restricted, saltLength: 96 }, 1025)).toBeUndefined();
    expect(pssRestrictionProblem({ ...restricted, saltLength: 97 }, { ...restricted, saltLength: 97 }, 1025)?.kind).toBe('bad-key');
    expect(pssRestrictionProblem({ ...restricted, trailerField: 2 }, restricted, 2048)?.kind).toBe('bad-key');
    // node: a 225-octet minimum is refused when the operation starts, 224 passes that check
    // (and only fails later, when the 224-octet salt does not fit the encoding)
    const verifyWith = (salt: number) => () =>
      nodeVerify('sha256', msg, restrictedPssKey({ ...restricted, saltLength: salt }).nodePub, new Uint8Array(256));
    expect(verifyWith(225)).toThrow(/invalid salt length/);
    expect(verifyWith(224)()).toBe(false);
  });
});

describe('RSA key generation (smoke test: the only RSA key generated in the test suite)', () => {
  it('SMOKE: generateRsaKey(512) makes a consistent key node:crypto accepts', () => {
    const key = generateRsaKey(512);
    expect(bitLength(key.n)).toBe(512);
    expect(key.p * key.q).toBe(key.n);
    expect(isProbablePrime(key.p) && isProbablePrime(key.q)).toBe(true);
    expect(modPow(modPow(123456789n, key.e, key.n), key.d, key.n)).toBe(123456789n);
    const b64 = (x: bigint) =>
      Buffer.from(x.toString(16).padStart(Math.ceil(x.toString(16).length / 2) * 2, '0'), 'hex').toString('base64url');
    const node = createPrivateKey({
      key: {
        kty: 'RSA',
        n: b64(key.n),
        e: b64(key.e),
        d: b64(key.d),
        p: b64(key.p),
        q: b64(key.q),
        dp: b64(key.dp),
        dq: b64(key.dq),
        qi: b64(key.qi),
      },
      format: 'jwk',
    });
    const sig = rsaPkcs1Sign(key, 'sha256', msg);
    expect(nodeVerify('sha256', msg, node, sig)).toBe(true);
    expect(toHex(sig)).toBe(toHex(new Uint8Array(nodeSign('sha256', msg, node))));
  });
});
