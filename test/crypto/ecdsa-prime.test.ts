// ecdsa-prime.ts: ECDSA on the prime curves OpenSSL 3.0 knows beyond P-256/384/521.
// RFC 6979 A.2.3 (P-192 = prime192v1) and A.2.4 (P-224 = secp224r1) signatures verify and their
// corruptions do not; for every curve of prime-curves.ts that node:crypto (OpenSSL) offers,
// node signs random messages and pgtls verifies through the x509 layer, refusing what node
// refuses; an explicit-parameters key (openssl ec -param_enc explicit) verifies like its named twin.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createECDH, createPublicKey, generateKeyPairSync, getCurves, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { PRIME_CURVES } from '../../src/crypto/prime-curves.js';
import { namedPrimeCurve, preparePrimeEcKey, primeEcdsaVerify } from '../../src/crypto/ecdsa-prime.js';
import { encodeEcdsaSignature } from '../../src/crypto/ecdsa.js';
import { verifySignature } from '../../src/crypto/verify.js';
import { parseSpki } from '../../src/x509/keys.js';
import type { HashName, SignatureAlgorithm } from '../../src/x509/types.js';

const h = (s: string) => BigInt(`0x${s}`);
const te = (s: string) => new TextEncoder().encode(s);

// [curve OID, node name, private key d, [hash, message, r, s][]]
const RFC6979: [string, string, string, [HashName, string, string, string][]][] = [
  [
    '1.2.840.10045.3.1.1',
    'prime192v1',
    '6FAB034934E4C0FC9AE67F5B5659A9D7D1FEFD187EE09FD4',
    [
      ['sha1', 'sample', '98C6BD12B23EAF5E2A2045132086BE3EB8EBD62ABF6698FF', '57A22B07DEA9530F8DE9471B1DC6624472E8E2844BC25B64'],
      ['sha256', 'sample', '4B0B8CE98A92866A2820E20AA6B75B56382E0F9BFD5ECB55', 'CCDB006926EA9565CBADC840829D8C384E06DE1F1E381B85'],
      ['sha512', 'sample', '4D60C5AB1996BD848343B31C00850205E2EA6922DAC2E4B8', '3F6E837448F027A1BF4B34E796E32A811CBB4050908D8F67'],
      ['sha256', 'test', '3A718BD8B4926C3B52EE6BBE67EF79B18CB6EB62B1AD97AE', '5662E6848A4A19B1F1AE2F72ACD4B8BBE50F1EAC65D9124F'],
    ],
  ],
  [
    '1.3.132.0.33',
    'secp224r1',
    'F220266E1105BFE3083E03EC7A3A654651F45E37167E88600BF257C1',
    [
      [
        'sha1',
        'sample',
        '22226F9D40A96E19C4A301CE5B74B115303C0F3A4FD30FC257FB57AC',
        '66D1CDD83E3AF75605DD6E2FEFF196D30AA7ED7A2EDF7AF475403D69',
      ],
      [
        'sha256',
        'sample',
        '61AA3DA010E8E8406C656BC477A7A7189895E7E840CDFE8FF42307BA',
        'BC814050DAB5D23770879494F9E0A680DC1AF7161991BDE692B10101',
      ],
      [
        'sha384',
        'sample',
        '0B115E5E36F0F9EC81F1325A5952878D745E19D7BB3EABFABA77E953',
        '830F34CCDFE826CCFDC81EB4129772E20E122348A2BBD889A1B1AF1D',
      ],
      [
        'sha256',
        'test',
        'AD04DDE87B84747A243A631EA47A1BA6D1FAA059149AD2440DE6FBA6',
        '178D49B1AE90E3D8B629BE3DB5683915F4E8C99FDF6E666CF37ADCFD',
      ],
    ],
  ],
];

describe('ECDSA on other prime curves: RFC 6979 A.2.3 / A.2.4', () => {
  for (const [oid, nodeName, d, sigs] of RFC6979) {
    // the public point from OpenSSL (node:crypto), compressed and uncompressed
    const ecdh = createECDH(nodeName);
    ecdh.setPrivateKey(Buffer.from(d, 'hex'));
    const curve = namedPrimeCurve(oid)!;
    it.each(sigs)(`${nodeName}: %s "%s"`, (hashName, msg, r, s) => {
      for (const form of ['uncompressed', 'compressed'] as const) {
        const key = preparePrimeEcKey(curve, new Uint8Array(ecdh.getPublicKey(null, form)));
        const sig = encodeEcdsaSignature(h(r), h(s));
        expect(primeEcdsaVerify(key, hashName, te(msg), sig)).toEqual({ ok: true });
        expect(primeEcdsaVerify(key, hashName, te(`${msg}.`), sig).ok).toBe(false);
        expect(primeEcdsaVerify(key, hashName, te(msg), encodeEcdsaSignature(h(r), h(s) + 1n)).ok).toBe(false);
        expect(primeEcdsaVerify(key, hashName, te(msg), encodeEcdsaSignature(h(r) + curve.n, h(s))).ok).toBe(false);
      }
    });
  }
});

const NODE_CURVES = new Set(getCurves());
const HASH: [number, HashName, string][] = [
  [0, 'sha1', '1.2.840.10045.4.1'],
  [1, 'sha256', '1.2.840.10045.4.3.2'],
  [2, 'sha384', '1.2.840.10045.4.3.3'],
  [3, 'sha512', '1.2.840.10045.4.3.4'],
];

describe('ECDSA on other prime curves against node:crypto (OpenSSL)', () => {
  const curves = Object.entries(PRIME_CURVES).filter(([, c]) => NODE_CURVES.has(c.name));
  it('node offers most of the curves', () => expect(curves.length).toBeGreaterThan(20));
  it.each(curves.map(([oid, c]) => [c.name, oid]))('%s: node signs, pgtls verifies; corruptions are refused by both', (name) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: name as string });
    const key = parseSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
    expect(key.kind).toBe('unknown');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (msg, pick) => {
        const [, hashName, oid] = HASH[pick % HASH.length];
        const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: hashName, oid };
        const sig = new Uint8Array(nodeSign(hashName, msg, { key: privateKey, dsaEncoding: 'der' }));
        expect(verifySignature(alg, key, msg, sig).ok).toBe(true);
        const bad = sig.slice();
        bad[pick % bad.length] ^= 1 << (pick % 8);
        expect(verifySignature(alg, key, msg, bad).ok).toBe(nodeVerify(hashName, msg, { key: publicKey, dsaEncoding: 'der' }, bad));
      }),
      { numRuns: 4 },
    );
  });
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!haveOpenssl)('ECDSA with explicit prime-field parameters', () => {
  it.each(['prime192v1', 'secp256k1', 'brainpoolP256r1', 'prime256v1'])(
    '%s written with explicit parameters verifies like the named key',
    (name) => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: name });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const r = spawnSync('openssl', ['ec', '-pubin', '-param_enc', 'explicit', '-pubout', '-outform', 'DER'], { input: pem });
      expect(r.status).toBe(0);
      const explicit = parseSpki(new Uint8Array(r.stdout));
      expect(explicit.kind).toBe('unknown');
      // node reads the explicit key too: the same key
      expect(createPublicKey({ key: r.stdout, format: 'der', type: 'spki' }).asymmetricKeyDetails).toBeDefined();
      const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: 'sha256', oid: '1.2.840.10045.4.3.2' };
      const msg = te('explicit parameters');
      const sig = new Uint8Array(nodeSign('sha256', msg, { key: privateKey, dsaEncoding: 'der' }));
      expect(verifySignature(alg, explicit, msg, sig).ok).toBe(true);
      expect(verifySignature(alg, explicit, te('other'), sig).ok).toBe(false);
    },
  );
});
