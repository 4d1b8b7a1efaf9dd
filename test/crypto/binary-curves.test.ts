// Binary-field ECDSA (binary-field.ts, binary-curves.ts, ecdsa-binary.ts).
// - a NIST CAVP vector (B-163 = sect163r2: Q = d·G, R from k, verification);
// - GF(2^m) laws on random elements against a schoolbook carry-less product;
// - every curve of the table against `openssl ecparam -param_enc explicit` (OpenSSL 3.0), by
//   name and OID, and intrinsically: G on the curve, n·G = infinity, h·n within Hasse's bound;
// - López-Dahab arithmetic against the affine formulas;
// - for every binary curve node:crypto (OpenSSL) offers: node signs random messages, pgtls
//   verifies through the x509 layer, and a flipped bit gets node's verdict; compressed and
//   hybrid points decode to the uncompressed one; an explicit-parameters key (openssl ec
//   -param_enc explicit) verifies like its named twin; a normal basis is refused.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createECDH, generateKeyPairSync, getCurves, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { binaryField, clmul, inv, mul, reduce, solveQuadratic, sqr, sqrt, trace } from '../../src/crypto/binary-field.js';
import { BINARY_CURVES } from '../../src/crypto/binary-curves.js';
import {
  addAffine,
  binaryEcdsaVerifyDigest,
  combineBinary,
  decodeBinaryPoint,
  explicitBinaryCurve,
  namedBinaryCurve,
  onBinaryCurve,
  prepareBinaryEcKey,
  type BinaryCurve,
  type Point,
} from '../../src/crypto/ecdsa-binary.js';
import { verifySignature } from '../../src/crypto/verify.js';
import { encodeEcdsaSignature } from '../../src/crypto/ecdsa.js';
import { fromHex } from '../../src/der/bytes.js';
import { securityBits } from '../../src/crypto/security-level.js';
import { der, parseDer } from '../../src/der/index.js';
import { derOid, derSequence, derTlv, derUnsignedInteger } from '../../src/der/writer.js';
import { parseSpki } from '../../src/x509/keys.js';
import type { HashName, SignatureAlgorithm } from '../../src/x509/types.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
// the ecparam part is recorded; the explicit-parameters part stays live-only: openssl generates its keys
const goldens = useOpensslGoldens('binary-curves');

/** the carry-less product bit by bit */
function schoolbook(a: bigint, b: bigint): bigint {
  let r = 0n;
  for (let i = 0; b >> BigInt(i); i++) if ((b >> BigInt(i)) & 1n) r ^= a << BigInt(i);
  return r;
}

const FIELDS = [binaryField(113, [9]), binaryField(163, [7, 6, 3]), binaryField(176, [43, 2, 1]), binaryField(571, [10, 5, 2])];

const element = (m: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(m)) - 1n });

describe('GF(2^m) arithmetic', () => {
  for (const f of FIELDS) {
    it(`m = ${f.m}: ring and field laws`, () => {
      fc.assert(
        fc.property(element(f.m), element(f.m), element(f.m), (a, b, c) => {
          expect(clmul(a, b)).toBe(schoolbook(a, b));
          expect(mul(f, a, b)).toBe(mul(f, b, a));
          expect(mul(f, mul(f, a, b), c)).toBe(mul(f, a, mul(f, b, c)));
          expect(mul(f, a, b ^ c)).toBe(mul(f, a, b) ^ mul(f, a, c));
          expect(sqr(f, a)).toBe(mul(f, a, a));
          expect(reduce(f, clmul(a, b)) < 1n << BigInt(f.m)).toBe(true);
          expect(sqrt(f, sqr(f, a))).toBe(a);
          if (a !== 0n) expect(mul(f, a, inv(f, a))).toBe(1n);
          // z² + z = β has a solution exactly when Tr(β) = 0, and it is z or z + 1
          const beta = sqr(f, a) ^ a;
          expect(trace(f, beta)).toBe(0n);
          const z = solveQuadratic(f, beta);
          expect(z === a || z === (a ^ 1n)).toBe(true);
          if (trace(f, b) === 1n) expect(solveQuadratic(f, b)).toBeUndefined();
        }),
        { numRuns: 30 },
      );
    });
  }
});

function ecparamDer(name: string, explicit: boolean): Uint8Array {
  // recorded (vectors/oracle/binary-curves): ecparam's output depends on the name alone
  const args = ['ecparam', '-name', name, ...(explicit ? ['-param_enc', 'explicit'] : []), '-outform', 'DER'];
  const r = goldens.call(args.join(' '), () => {
    const x = spawnSync('openssl', args);
    return { status: x.status, hex: Buffer.from(x.stdout).toString('hex') };
  });
  expect(r.status).toBe(0);
  return new Uint8Array(Buffer.from(r.hex, 'hex'));
}

describe.skipIf(goldens.skip)('the binary curves against openssl ecparam', () => {
  it('the table holds every binary curve OpenSSL 3.0 lists', () => {
    // "  name: description", the description sometimes on the next line
    const lines = goldens
      .call('ecparam -list_curves', () => spawnSync('openssl', ['ecparam', '-list_curves'], { encoding: 'utf8' }).stdout)
      .split('\n');
    const listed = lines.flatMap((l, i) => {
      const m = /^ {2}(\S+?)\s*:(.*)$/.exec(l);
      if (!m) return [];
      const description = m[2].trim() || (lines[i + 1] ?? '');
      return /binary field/.test(description) ? [m[1]] : [];
    });
    expect(BINARY_CURVES.map((c) => c.name).sort()).toEqual(listed.sort());
    expect(BINARY_CURVES).toHaveLength(42);
  });
  it.each(BINARY_CURVES.map((c) => [c.name, c]))('%s', (name, params) => {
    const ours = params.oid ? namedBinaryCurve(params.oid)! : undefined;
    const theirs = explicitBinaryCurve(ecparamDer(name, true));
    for (const k of ['m', 'a', 'b', 'gx', 'gy', 'n', 'h'] as const) expect(theirs[k]).toBe(params[k]);
    expect([...theirs.ks].sort((x, y) => x - y)).toEqual([...params.ks].sort((x, y) => x - y));
    // the OID: a named curve's parameters are its OID; the Oakley curves have none
    const named = parseDer(ecparamDer(name, false), 'ECParameters');
    if (params.oid) expect(der.oid(named)).toBe(params.oid);
    else expect(named.tag).toBe(0x30);
    // intrinsic: G on the curve, of order n; h·n = 2^m + 1 - t with |t| <= 2·2^(m/2)
    const c = ours ?? theirs;
    const G = { x: c.gx, y: c.gy };
    expect(onBinaryCurve(c, G)).toBe(true);
    expect(combineBinary(c, G, c.n, 0n)).toBeUndefined();
    expect(combineBinary(c, G, c.n - 1n, 0n)).toEqual({ x: G.x, y: G.x ^ G.y });
    const t = (1n << BigInt(c.m)) + 1n - c.h * c.n;
    expect(t * t <= 4n * (1n << BigInt(c.m))).toBe(true);
  });
});

describe('NIST CAVP ECDSA [B-163,SHA-1] (sect163r2)', () => {
  // one SigGen vector as a public test suite carries it: the private key d, Q, the nonce k,
  // R and S, and the message's SHA-1 digest
  const v = {
    e: '86752230200fc292fcb89597605c9ce117397779',
    d: 0x13486dc5ca0ba84956d2f6dc43df0415656f0eac5n,
    qx: 0x71765ccb031969d7332cc53890ee209520fb8ceabn,
    qy: 0x2e99b4c30d3de389735cbeebb6e73ce9f67dc5412n,
    k: 0x17cdf80f62e42b21349a55a62591436363ec43c59n,
    r: 0x2ddace85a086746d8a4691ca61765719fbb69d928n,
    s: 0x17a9d0c14ff04cb6ae6d72d26701e5f69c5320e6bn,
  };
  const c = namedBinaryCurve('1.3.132.0.15')!;
  const G = { x: c.gx, y: c.gy };
  const pad = (x: bigint) => x.toString(16).padStart(2 * c.size, '0');
  it('Q = d·G, R = x(k·G) mod n, and (R, S) verifies over the digest; not with S + 1 or another digest', () => {
    expect(combineBinary(c, G, v.d, 0n)).toEqual({ x: v.qx, y: v.qy });
    expect(combineBinary(c, G, v.k, 0n)!.x % c.n).toBe(v.r);
    const key = prepareBinaryEcKey(c, fromHex(`04${pad(v.qx)}${pad(v.qy)}`));
    expect(binaryEcdsaVerifyDigest(key, fromHex(v.e), encodeEcdsaSignature(v.r, v.s))).toEqual({ ok: true });
    expect(binaryEcdsaVerifyDigest(key, fromHex(v.e), encodeEcdsaSignature(v.r, v.s + 1n)).ok).toBe(false);
    expect(binaryEcdsaVerifyDigest(key, fromHex(`${v.e.slice(0, -1)}8`), encodeEcdsaSignature(v.r, v.s)).ok).toBe(false);
  });
});

/** k·P by the affine formulas alone */
function affineMultiple(c: BinaryCurve, P: Point, k: number): Point | undefined {
  let R: Point | undefined;
  for (let i = 0; i < k; i++) R = addAffine(c, R, P);
  return R;
}

describe('López-Dahab arithmetic agrees with the affine formulas', () => {
  for (const name of ['sect163k1', 'sect233r1', 'c2pnb176v1', 'c2tnb191v1']) {
    it(name, () => {
      const c = namedBinaryCurve(BINARY_CURVES.find((x) => x.name === name)!.oid!)!;
      const G = { x: c.gx, y: c.gy };
      const Q = affineMultiple(c, G, 7)!;
      expect(onBinaryCurve(c, Q)).toBe(true);
      fc.assert(
        fc.property(fc.nat(40), fc.nat(40), (u1, u2) => {
          expect(combineBinary(c, Q, BigInt(u1), BigInt(u2))).toEqual(affineMultiple(c, G, u1 + 7 * u2));
        }),
        { numRuns: 20 },
      );
    });
  }
});

const NODE_CURVES = new Set(getCurves());
const HASH: [HashName, string][] = [
  ['sha1', '1.2.840.10045.4.1'],
  ['sha224', '1.2.840.10045.4.3.1'],
  ['sha256', '1.2.840.10045.4.3.2'],
  ['sha384', '1.2.840.10045.4.3.3'],
  ['sha512', '1.2.840.10045.4.3.4'],
];

describe('binary-curve ECDSA against node:crypto (OpenSSL)', () => {
  const curves = BINARY_CURVES.filter((c) => c.oid && NODE_CURVES.has(c.name));
  it('node offers the named binary curves', () => expect(curves.length).toBeGreaterThanOrEqual(34));
  it.each(curves.map((c) => [c.name]))('%s: node signs, pgtls verifies; a flipped bit gets node verdict', (name) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: name });
    const key = parseSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
    expect(key.kind).toBe('unknown');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (msg, pick) => {
        const [hashName, oid] = HASH[pick % HASH.length];
        const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: hashName, oid };
        const sig = new Uint8Array(nodeSign(hashName, msg, { key: privateKey, dsaEncoding: 'der' }));
        expect(verifySignature(alg, key, msg, sig)).toEqual({ ok: true });
        const bad = sig.slice();
        bad[pick % bad.length] ^= 1 << (pick % 8);
        expect(verifySignature(alg, key, msg, bad).ok).toBe(nodeVerify(hashName, msg, { key: publicKey, dsaEncoding: 'der' }, bad));
        const other = msg.length ? msg.slice(1) : Uint8Array.of(1);
        expect(verifySignature(alg, key, other, sig).ok).toBe(false);
      }),
      // three verifications a run; the big fields cost ~0.2 s each
      { numRuns: namedBinaryCurve(BINARY_CURVES.find((c) => c.name === name)!.oid!)!.m > 300 ? 1 : 2 },
    );
  });

  it.each(curves.map((c) => [c.name, c.oid!]))('%s: compressed and hybrid points decode to the uncompressed one', (name, oid) => {
    const c = namedBinaryCurve(oid)!;
    const ecdh = createECDH(name);
    ecdh.generateKeys();
    const plain = decodeBinaryPoint(c, new Uint8Array(ecdh.getPublicKey(null, 'uncompressed')));
    expect(decodeBinaryPoint(c, new Uint8Array(ecdh.getPublicKey(null, 'compressed')))).toEqual(plain);
    const hybrid = new Uint8Array(ecdh.getPublicKey(null, 'hybrid'));
    expect(decodeBinaryPoint(c, hybrid)).toEqual(plain);
    // the hybrid prefix's bit must be the one of y/x; the other one is refused
    hybrid[0] ^= 1;
    expect(() => decodeBinaryPoint(c, hybrid)).toThrow(/wrong y bit/);
  });

  it('an off-curve point, a coordinate of degree m and a short encoding are refused', () => {
    const c = namedBinaryCurve('1.3.132.0.1')!; // sect163k1
    const size = c.size;
    const enc = (x: bigint, y: bigint) => {
      const out = new Uint8Array(1 + 2 * size);
      out[0] = 4;
      for (let i = 0; i < size; i++) {
        out[size - i] = Number((x >> BigInt(8 * i)) & 0xffn);
        out[2 * size - i] = Number((y >> BigInt(8 * i)) & 0xffn);
      }
      return out;
    };
    expect(decodeBinaryPoint(c, enc(c.gx, c.gy))).toEqual({ x: c.gx, y: c.gy });
    expect(() => decodeBinaryPoint(c, enc(c.gx, c.gy ^ 1n))).toThrow(/equation/);
    expect(() => decodeBinaryPoint(c, enc(c.gx | (1n << 163n), c.gy))).toThrow(/degree/);
    expect(() => decodeBinaryPoint(c, enc(c.gx, c.gy).subarray(0, 20))).toThrow(/encoding/);
  });
});

describe.skipIf(!haveOpenssl)('explicit characteristic-two parameters', () => {
  it.each(['sect163k1', 'sect283r1', 'c2pnb176v1', 'c2tnb239v1'])('%s with explicit parameters verifies like the named key', (name) => {
    const gen = spawnSync('openssl', ['ecparam', '-genkey', '-name', name, '-noout'], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    const spki = (extra: string[]) => {
      const r = spawnSync('openssl', ['ec', '-pubout', '-outform', 'DER', ...extra], { input: gen.stdout });
      expect(r.status).toBe(0);
      return parseSpki(new Uint8Array(r.stdout));
    };
    const named = spki([]);
    const explicit = spki(['-param_enc', 'explicit']);
    const privateKey = spawnSync('openssl', ['pkey'], { input: gen.stdout, encoding: 'utf8' }).stdout;
    const msg = new TextEncoder().encode(`explicit ${name}`);
    const sig = new Uint8Array(nodeSign('sha256', msg, { key: privateKey, dsaEncoding: 'der' }));
    const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: 'sha256', oid: '1.2.840.10045.4.3.2' };
    expect(verifySignature(alg, named, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(alg, explicit, msg, sig)).toEqual({ ok: true });
    sig[sig.length - 1] ^= 1;
    expect(verifySignature(alg, explicit, msg, sig).ok).toBe(false);
    // rated by the order, like the named key
    expect(securityBits(explicit)).toBe(securityBits(named));
  });

  it('a normal basis (onBasis) is not implemented, as in OpenSSL; bad trinomials and pentanomials are refused', () => {
    const k = parseDer(ecparamDer('sect113r1', true), 'ECParameters').children();
    const c2 = '1.2.840.10045.1.2';
    const withField = (basis: string, params: Uint8Array) =>
      derSequence(
        k[0].bytes(),
        derSequence(derOid(c2), derSequence(derUnsignedInteger(113n), derOid(`${c2}.3.${basis}`), params)),
        ...k.slice(2).map((t) => t.bytes()),
      );
    // the table's own form parses
    expect(explicitBinaryCurve(withField('2', derUnsignedInteger(9n))).b).toBe(namedBinaryCurve('1.3.132.0.4')!.b);
    expect(() => explicitBinaryCurve(withField('1', derTlv(0x05)))).toThrow(/normal basis/);
    expect(() => explicitBinaryCurve(withField('2', derUnsignedInteger(113n)))).toThrow(/trinomial/);
    expect(() => explicitBinaryCurve(withField('2', derUnsignedInteger(0n)))).toThrow(/trinomial/);
    const pp = (a: bigint, b: bigint, c: bigint) => derSequence(derUnsignedInteger(a), derUnsignedInteger(b), derUnsignedInteger(c));
    expect(() => explicitBinaryCurve(withField('3', pp(3n, 2n, 1n)))).toThrow(/pentanomial/);
    expect(() => explicitBinaryCurve(withField('3', pp(1n, 2n, 113n)))).toThrow(/pentanomial/);
    // a well-formed pentanomial that is not this curve's field: G is no longer on the curve
    expect(() => explicitBinaryCurve(withField('3', pp(1n, 2n, 3n)))).toThrow(/not a point/);
  });
});

describe('security bits of binary-curve keys (ec_kmgmt.c: by the order)', () => {
  it.each([
    ['sect113r1', 56],
    ['sect163k1', 80],
    ['sect233k1', 112],
    ['sect283r1', 128],
    ['sect409k1', 192],
    ['sect571r1', 256],
    ['c2pnb176v1', 80],
    ['c2tnb191v1', 80],
  ])('%s: %i', (name, bits) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: name });
    expect(securityBits(parseSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))))).toBe(bits);
  });
});
